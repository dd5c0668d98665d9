"""Specs from where Python users hold them: a file path, YAML text, a dict, or a loaded Spec.

Every source goes through the same located reader and validator as a file, so an error
names a place: `file:line:col` for a file, `<string>:line:col` within YAML text, and the key
path (`<dict>['model']['layers'][0]`) for a dict, which has no lines.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any, Union

from ..errors import SpecError
from ..quoting import yaml_dump
from .model import Spec
from .validate import load, validate
from .yamldoc import MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_NUMBER_CHARS, Doc, Path, parse_doc

SpecSource = Union[str, "os.PathLike[str]", dict[str, Any], Spec]


class _DictDoc(Doc):
    """A document that came from a Python dict: places are key paths, not lines."""

    def _where(self, marks: dict[Path, tuple[int, int]], path: Path) -> str:
        path = tuple(path)
        while path and path not in marks:
            path = path[:-1]
        return self.name + "".join(f"[{part!r}]" for part in path)


def is_path(text: str) -> bool:
    """One line ending in .yaml/.yml, or naming an existing file; anything else is YAML text."""
    return "\n" not in text and (text.endswith((".yaml", ".yml")) or os.path.isfile(text))


def spec_from(source: SpecSource) -> Spec:
    """Load and validate a spec from any source a notebook user may hold."""
    if isinstance(source, Spec):
        return source
    if isinstance(source, os.PathLike):
        return load(os.fspath(source))
    if isinstance(source, str):
        return load(source) if is_path(source) else validate(parse_doc(source))
    if isinstance(source, dict):
        return validate(dict_doc(source, "<dict>"))
    raise SpecError(
        "spec",
        f"a spec given as {type(source).__name__}",
        "expected a file path, YAML text, a dict or a Spec",
    )


def dict_doc(data: dict[str, Any], name: str) -> Doc:
    """`data` read as a spec file would be (same checks), its places named by key paths.
    The bounds a file has (values, depth, size, digits) are checked while copying, before
    anything is dumped: a 5-million-item list or a 300 MB title stops at once."""
    text = yaml_dump(_Plain(name).copy(data, name, 0))
    parsed = parse_doc(text, name)
    return _DictDoc(name, parsed.data, parsed.marks, parsed.key_marks)


class _Plain:
    """A copy with only what a YAML file can say. Numbers and strings of subclasses (numpy
    numbers, IntEnum, str enums: common in notebooks) become the plain Python type; anything
    else is an error at its key path."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values = 0
        self.chars = 0

    def copy(self, value: Any, where: str, depth: int) -> Any:
        self.values += 1
        if self.values > MAX_NODES:
            raise SpecError(where, f"more than {MAX_NODES:,} values", "expected a small spec")
        if depth > MAX_DEPTH:  # also ends a dict that contains itself
            raise SpecError(where, "nesting too deep", f"expected at most {MAX_DEPTH} levels")
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return self._text(str(value), where)
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise SpecError(where, f"key {key!r} is not a string", "expected a name")
                key = self._text(str(key), where)
                out[key] = self.copy(item, f"{where}[{key!r}]", depth + 1)
            return out
        if isinstance(value, (list, tuple)):
            return [self.copy(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
        if isinstance(value, numbers.Integral):
            number = int(value)
            if number.bit_length() > MAX_INT_BITS:
                raise SpecError(
                    where,
                    f"an integer of about {int(number.bit_length() * _DIGITS_PER_BIT):,} digits",
                    f"expected at most {MAX_NUMBER_CHARS} digits",
                )
            return number
        if isinstance(value, numbers.Real):
            return float(value)
        raise SpecError(
            where,
            f"a value of type {type(value).__name__}",
            "expected dicts, lists, strings, numbers, booleans or None",
        )

    def _text(self, text: str, where: str) -> str:
        self.chars += len(text)
        if self.chars > MAX_BYTES:
            raise SpecError(
                where, f"text over {MAX_BYTES:,} characters in all", "expected a small spec"
            )
        return text


_DIGITS_PER_BIT = math.log10(2)
MAX_INT_BITS = int(MAX_NUMBER_CHARS / _DIGITS_PER_BIT)  # MAX_NUMBER_CHARS decimal digits
