"""Specs from where Python users hold them: a file path, YAML text, a dict, or a loaded Spec.

Every source goes through the same located reader and validator as a file, so an error
names a place: `file:line:col` for a file, `<string>:line:col` within YAML text, and the key
path (`<dict>['model']['layers'][0]`) for a dict, which has no lines.
"""

from __future__ import annotations

import numbers
import os
from typing import Any, Union

import yaml

from ..errors import SpecError
from .model import Spec
from .validate import load, validate
from .yamldoc import MAX_DEPTH, Doc, Path, parse_doc

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
    """`data` read as a spec file would be (same checks), its places named by key paths."""
    text = yaml.safe_dump(_plain(data, name), sort_keys=False, allow_unicode=True)
    parsed = parse_doc(text, name)
    return _DictDoc(name, parsed.data, parsed.marks, parsed.key_marks)


def _plain(value: Any, where: str, depth: int = 0) -> Any:
    """A copy with only what a YAML file can say; numpy numbers (common in notebooks) become
    Python numbers. Anything else is an error at its key path."""
    if depth > MAX_DEPTH:  # also ends a dict that contains itself
        raise SpecError(where, "nesting too deep", f"expected at most {MAX_DEPTH} levels")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise SpecError(where, f"key {key!r} is not a string", "expected a name")
        return {k: _plain(v, f"{where}[{k!r}]", depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise SpecError(
        where,
        f"a value of type {type(value).__name__}",
        "expected dicts, lists, strings, numbers, booleans or None",
    )
