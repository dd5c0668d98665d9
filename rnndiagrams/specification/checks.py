"""Checks of single values (types, ranges, choices, keys), each failing with a located error."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from .catalog import INT64_MAX, MAX_NAME_CHARS, Arg
from .model import LayerSpec
from .yamldoc import Doc, Path

_NUMBER_RANGES = {
    "number": (None, "a number"),
    "nonneg": (lambda v: v >= 0, "a number >= 0"),
    "positive": (lambda v: v > 0, "a number > 0"),
}


def check_arg(doc: Doc, path: Path, key: str, arg: Arg, value: Any) -> Any:
    if value is None and arg.nullable:
        return None
    if arg.kind in _NUMBER_RANGES:
        return check_number(doc, path, value, key, *_NUMBER_RANGES[arg.kind])
    if arg.kind == "posint":
        return check_posint(doc, path, value, key, arg.maximum)
    if arg.kind == "bool":
        if not isinstance(value, bool):
            raise doc.error(path, f"{key} is {describe(value)}", "expected true or false")
        return value
    if arg.kind == "rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise doc.error(
                path,
                f"{key} is {describe(value)}",
                "expected a number from 0 up to (not including) 1",
            )
        return float(value)
    if arg.kind == "choice":
        if value is None and arg.nullable:
            return None
        return check_choice(doc, path, value, arg.choices, key)
    if arg.kind == "steps":
        return None if value is None else check_posint(doc, path, value, key)
    if arg.kind == "name":
        return check_name(doc, path, value)
    if arg.kind == "file_name":
        return check_file_name(doc, path, value)
    if arg.kind == "axis":
        return check_axis(doc, path, value, key)
    if arg.kind == "axes":
        if isinstance(value, list) and len(value) == 2:
            return tuple(check_axis(doc, path + (i,), v, key) for i, v in enumerate(value))
        if isinstance(value, list):
            raise doc.error(path, f"{key} is {describe(value)}", "expected one axis or two")
        return check_axis(doc, path, value, key)
    if arg.kind == "refs":
        if not isinstance(value, list) or not value:
            raise doc.error(
                path, f"{key} is {describe(value)}", "expected a list like [encoder, encoder.1]"
            )
        for i, ref in enumerate(value):
            if not isinstance(ref, str) or not ref:
                raise doc.error(
                    path + (i,),
                    f"a reference is {describe(ref)}",
                    "expected a layer or input name, or name.N for its N-th output",
                )
        return tuple(value)
    if arg.kind == "choices":
        if not isinstance(value, list) or not value:
            raise doc.error(
                path,
                f"{key} is {describe(value)}",
                f"expected a list from {', '.join(arg.choices)}",
            )
        items = [
            check_choice(doc, path + (i,), v, arg.choices, key[:-1]) for i, v in enumerate(value)
        ]
        if len(set(items)) != len(items):
            raise doc.error(path, f"{key} lists an entry twice", "expected each entry once")
        return tuple(items)
    raise AssertionError(f"unhandled argument kind {arg.kind}")


def check_axis(doc: Doc, path: Path, value: Any, what: str) -> int:
    """A tensor axis: an integer, negative counting from the last (-1: the features)."""
    if isinstance(value, bool) or not isinstance(value, int) or not -8 <= value <= 8:
        raise doc.error(path, f"{what} is {describe(value)}", "expected an axis from -8 to 8")
    return value


def check_posint(doc: Doc, path: Path, value: Any, what: str, maximum: int = INT64_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        hint = (
            " (write it without quotes)"
            if isinstance(value, str) and value.strip().isdigit()
            else ""
        )
        if isinstance(value, int) and value > maximum:
            hint = f" of at most {maximum:,}" + (
                " (int64, as frameworks store sizes)" if maximum == INT64_MAX else ""
            )
        raise doc.error(path, f"{what} is {describe(value)}", f"expected a positive integer{hint}")
    return value


def check_number(doc: Doc, path: Path, value: Any, what: str, ok: Any, expected: str) -> float:
    """A finite real (not a boolean, not inf/nan), within the range `ok` accepts."""
    real = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not real or not math.isfinite(value) or (ok is not None and not ok(value)):
        shown = describe(value) if not real or math.isfinite(value) else str(value)
        raise doc.error(path, f"{what} is {shown}", f"expected {expected}")
    return float(value)


def check_name(doc: Doc, path: Path, value: Any) -> str:
    """A layer name: Keras accepts any text without '/' (it separates weight paths), and on the
    torch backend without '.' (torch refuses it in parameter names)."""
    refused = isinstance(value, str) and ("/" in value or "." in value)
    if not isinstance(value, str) or not value or refused or len(value) > MAX_NAME_CHARS:
        raise doc.error(
            path,
            f"name is {describe(value)}",
            f"expected text of 1 to {MAX_NAME_CHARS} characters without '/' or '.'",
        )
    return value


def check_file_name(doc: Doc, path: Path, value: Any) -> str:
    """A view name becomes a file name, so it keeps to characters safe in every file system."""
    ok = isinstance(value, str) and value and all(c.isalnum() or c in "_-." for c in value)
    if not ok or value.startswith(".") or len(value) > MAX_NAME_CHARS:
        raise doc.error(
            path,
            f"name is {describe(value)}",
            "expected letters, digits, '_', '-' or '.', not starting with '.'",
        )
    return cast(str, value)


def check_choice(doc: Doc, path: Path, value: Any, choices: tuple[str, ...], what: str) -> Any:
    if value not in choices or isinstance(value, bool):
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise doc.error(
            path, f"{what} is {describe(value)}{hint}", f"expected one of {', '.join(choices)}"
        )
    return value


Words = Callable[[str], tuple[str, str]]  # a key -> (the problem, what was expected)
Check = Callable[[Path, str, Arg, Any], Any]  # (path, key, its Arg, the given value) -> value


def check_keys(
    doc: Doc,
    path: Path,
    mapping: dict[str, Any],
    allowed: tuple[str, ...],
    required: tuple[str, ...],
    what: str,
) -> None:
    for key in mapping:
        if key not in allowed:
            raise doc.error(path + (key,), *unknown_key(what, allowed)(key), key=True)
    for key in required:
        if key not in mapping:
            raise doc.error(path, f"missing {what} {key!r}", f"expected `{key}:` here")


def unknown_key(what: str, allowed: Iterable[str]) -> Words:
    """`unknown render option 'dp' (did you mean 'dpi'?)`: the words for a key not allowed."""
    allowed = tuple(allowed)
    return lambda key: (
        f"unknown {what} {key!r}{did_you_mean(key, allowed)}",
        f"expected one of {', '.join(allowed)}",
    )


def check_table(
    doc: Doc,
    path: Path,
    given: Any,
    table: Mapping[str, Arg],
    named: str,
    expected: str,
    unknown: Words,
    missing: Words | None = None,
    check: Check | None = None,
) -> dict[str, Any]:
    """A mapping checked against a table of Args, in the order every table is checked: a
    mapping (else `{named} {the value}`, `expected`), no unknown key, every required key,
    then each value checked (`check_arg` unless `check`) or its default filled in.

    The words are the caller's, so a Keras layer, a torch.nn module, a view and `render:`
    each say what they are; the sequence is this one function's."""
    if not isinstance(given, dict):
        raise doc.error(path, f"{named} {describe(given)}", expected)
    for key in given:
        if key not in table:
            raise doc.error(path + (key,), *unknown(key), key=True)
    for key, arg in table.items():
        if arg.required and key not in given:
            raise doc.error(path, *cast(Words, missing)(key), key=True)
    check = check or (lambda where, key, arg, value: check_arg(doc, where, key, arg, value))
    return {
        key: check(path + (key,), key, arg, given[key]) if key in given else arg.default
        for key, arg in table.items()
    }


def did_you_mean(word: str, options: Iterable[str]) -> str:
    import difflib  # only when a word is wrong

    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.lower() == str(word).lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(value: Any) -> str:
    """A value in words for an error message; never fails, never runs on for pages."""
    if value is None:
        return "null (empty)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:60] + "..."
        return f"the string {shown!r}" + (f" ({len(value):,} characters)" if shown != value else "")
    if isinstance(value, int):
        digits = len(str(abs(value)))
        return f"{value}" if digits <= 30 else f"an integer of {digits} digits"
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{value} (not a finite number)"
        return f"{value} (not an integer)" if not value.is_integer() else f"{value} (a float)"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def unique_names(doc: Doc, layers: Iterable[LayerSpec], why: str) -> None:
    """No two layers with one name (`why`: who refuses it)."""
    seen: set[str] = set()
    for layer in layers:
        if layer.name in seen:
            raise doc.error(
                layer.path, f"two layers are named {layer.name!r}", f"expected unique names ({why})"
            )
        seen.add(layer.name)
