"""Safe YAML reading that keeps a line:col for every value.

PyYAML's loaders drop positions, keep the last of duplicate keys and expand aliases without
bound; specs need the opposite on all three, so we compose nodes and build values ourselves.

A parsed document is kept in the user's cache under the hash of its text and of what parsing
it depends on (this module, the printable rules, PyYAML's files, Python), so the next process
that reads the same text does not import or run PyYAML (a third of a Graphviz render's start-up).
An entry is read back only if it holds what a parse can give: plain values within the limits,
printable text and located paths; anything else is ignored and the text parsed again. A text
that fails to parse is not kept: its error is found again.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from functools import cache
from importlib.util import find_spec
from pathlib import Path as File
from typing import TYPE_CHECKING, Any, NamedTuple

from ..cache import cache_dir, digest, read, stamp, store
from ..errors import SpecError
from ..inputs import read_text
from ..printable import BIDI_CONTROLS

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 1_000_000
MAX_NODES = 20_000
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100  # far past int64 and float64, far below Python's 4,300-digit limit

Path = tuple[Any, ...]  # keys and indices from the document root

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TAG_WORDS = {"int": "an integer", "float": "a number", "bool": "true or false", "null": "null"}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class Doc(NamedTuple):
    """Plain data (dicts, lists, scalars) plus where each value and key stood in the file."""

    name: str
    data: Any
    marks: dict[Path, tuple[int, int]]
    key_marks: dict[Path, tuple[int, int]]

    def at(self, path: Path) -> str:
        """`file:line:col` of the value at `path`, or of its nearest located ancestor."""
        return self._where(self.marks, path)

    def key_at(self, path: Path) -> str:
        """`file:line:col` of the key that introduces `path` (falls back to the value)."""
        if path in self.key_marks:
            return self._where(self.key_marks, path)
        return self.at(path)

    def _where(self, marks: dict[Path, tuple[int, int]], path: Path) -> str:
        path = tuple(path)
        while path and path not in marks:
            path = path[:-1]
        line, col = marks.get(path, (1, 1))
        return f"{self.name}:{line}:{col}"

    def error(
        self, path: Path, problem: str, expected: str | None = None, *, key: bool = False
    ) -> SpecError:
        return SpecError(self.key_at(path) if key else self.at(path), problem, expected)


def read_doc(path: str | os.PathLike[str]) -> Doc:
    """Read and parse one spec file through the shared reader; every failure is located."""
    name = os.fspath(path)
    return parse_doc(read_spec_text(name), name)


def read_spec_text(path: str | os.PathLike[str]) -> str:
    """The spec file's text, read once through the shared bounded reader."""
    return read_text(path, MAX_BYTES, "expected a YAML spec file")


def parse_doc(text: str, name: str = "<string>") -> Doc:
    if len(text) > MAX_BYTES:
        raise SpecError(
            f"{name}:1:1", f"spec is {len(text):,} characters", f"expected at most {MAX_BYTES:,}"
        )
    file = cache_dir() / "specs" / f"{digest((_parser_hash(), text))}.json"
    doc = _cached(read(file), name)
    if doc is None:
        doc = _parse(text, name)
        store(file, _entry(doc))
    return doc


_FORMAT = 1  # of a cached entry: {"data": ..., "marks": [[path, line, col]...], "key_marks": ...}


@cache
def _parser_hash() -> str:
    """What a parse depends on besides the text: this module and the printable rules by
    content, PyYAML by its files' stamps (found without importing it), Python's version."""
    here = File(__file__).resolve()
    code = [file.read_bytes() for file in (here, here.parents[1] / "printable.py")]
    found = find_spec("yaml")
    origin = File(found.origin) if found and found.origin else None
    yaml_files = origin and (stamp(origin), stamp(origin.parent))
    return digest((_FORMAT, sys.version, code, yaml_files))


def _entry(doc: Doc) -> bytes:
    def marks(found: dict[Path, tuple[int, int]]) -> list[list[Any]]:
        return [[list(path), line, col] for path, (line, col) in found.items()]

    entry = {"data": doc.data, "marks": marks(doc.marks), "key_marks": marks(doc.key_marks)}
    return json.dumps(entry, ensure_ascii=False).encode("utf-8")


class _Unfit(Exception):
    """A cached entry that holds what no parse gives."""


def _cached(raw: bytes | None, name: str) -> Doc | None:
    """The document a cache entry holds, or None when there is none or it is unfit."""
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
        count = [0]
        return Doc(
            name,
            _plain(entry["data"], 0, count),
            _marks(entry["marks"]),
            _marks(entry["key_marks"]),
        )
    except (ValueError, TypeError, KeyError, RecursionError, _Unfit):
        return None


def _plain(value: Any, depth: int, count: list[int]) -> Any:
    """`value` when a parse could have built it, else _Unfit."""
    count[0] += 1
    if count[0] > MAX_NODES or depth > MAX_DEPTH:
        raise _Unfit
    if isinstance(value, dict):
        for key, item in value.items():
            _plain(key, depth + 1, count)
            _plain(item, depth + 1, count)
    elif isinstance(value, list):
        for item in value:
            _plain(item, depth + 1, count)
    elif isinstance(value, str):
        if text_problem(value):
            raise _Unfit
    elif value is not None and not isinstance(value, (int, float)):  # bool is an int
        raise _Unfit
    return value


def _marks(rows: Any) -> dict[Path, tuple[int, int]]:
    out: dict[Path, tuple[int, int]] = {}
    for path, line, col in rows:
        if not all(isinstance(p, (str, int)) for p in path):
            raise _Unfit
        if not (isinstance(line, int) and isinstance(col, int) and line > 0 and col > 0):
            raise _Unfit
        out[tuple(path)] = (line, col)
    return out


def _parse(text: str, name: str) -> Doc:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (e.context, e.problem) if p)
        raise SpecError(
            f"{name}:{line}:{col}",
            f"YAML syntax error: {problem}",
            "expected valid YAML (check indentation, colons and brackets)",
        ) from None
    except yaml.reader.ReaderError as e:
        line, col = _line_col(text, e.position)
        raise SpecError(
            f"{name}:{line}:{col}",
            f"character {_codepoint(e.character)} is not allowed in YAML",
            "expected printable text (write control characters as escapes in a quoted string)",
        ) from None
    except yaml.YAMLError as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise SpecError(f"{name}:1:1", f"YAML error: {first}", "expected valid YAML") from None
    except RecursionError:
        raise SpecError(
            f"{name}:1:1", "nesting too deep", f"expected at most {MAX_DEPTH} levels"
        ) from None
    if node is None:
        raise SpecError(
            f"{name}:1:1", "the file is empty", "expected a mapping with a `model:` key"
        )
    doc = Doc(name, None, {}, {})  # the builder fills in its marks
    return doc._replace(data=_Builder(doc).build(node, (), 0))


def _line_col(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _codepoint(char: str | int) -> str:
    code = char if isinstance(char, int) else ord(char)
    return f"U+{code:04X}"


def text_problem(value: str) -> str | None:
    """Why a string cannot be drawn or printed as it is: control characters (which break XML,
    DOT and terminals), bidi controls (which reorder what a reader sees), lone surrogates
    (not encodable) and non-characters. None when fine."""
    for char in value:
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            return f"bidi control {_codepoint(char)}"
        if category == "Cc":
            return f"control character {_codepoint(char)}"
        if category == "Cs":
            return f"lone surrogate {_codepoint(char)}"
        if category == "Cn" and (ord(char) & 0xFFFE == 0xFFFE or 0xFDD0 <= ord(char) <= 0xFDEF):
            return f"non-character {_codepoint(char)}"
    return None


class _Builder:
    def __init__(self, doc: Doc) -> None:
        import yaml

        self.doc = doc
        self.count = 0
        self.scalars = yaml.SafeLoader("")

    def _where(self, node: yaml.Node) -> str:
        return f"{self.doc.name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        import yaml

        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(
                self._where(node),
                f"more than {MAX_NODES:,} YAML values (an alias bomb?)",
                "expected a small spec without alias expansion",
            )
        if depth > MAX_DEPTH:
            raise SpecError(
                self._where(node), "nesting too deep", f"expected at most {MAX_DEPTH} levels"
            )
        self.doc.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TAGS:
            return self._scalar(node)
        raise SpecError(
            self._where(node),
            f"YAML tag {node.tag!r} is not allowed",
            "expected plain mappings, lists, strings, numbers, booleans or null",
        )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        import yaml

        kind = node.tag.rsplit(":", 1)[-1]
        if kind in ("int", "float") and len(node.value) > MAX_NUMBER_CHARS:
            raise SpecError(
                self._where(node),
                f"a number of {len(node.value):,} characters",
                f"expected at most {MAX_NUMBER_CHARS} digits",
            )
        try:
            value = self.scalars.construct_object(node)
        except (ValueError, LookupError, TypeError, yaml.YAMLError):
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
            raise SpecError(
                self._where(node),
                f"{shown!r} is not a valid !!{kind}",
                f"expected {_TAG_WORDS.get(kind, kind)} (or no tag)",
            ) from None
        if isinstance(value, str) and (problem := text_problem(value)):
            raise SpecError(
                self._where(node),
                f"text with a {problem}",
                "expected printable text (control characters cannot be drawn)",
            )
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SpecError(
                    self._where(key_node),
                    "YAML merge keys (<<) are not supported",
                    "expected the keys written out",
                )
            key = self.build(key_node, path + ("<key>",), depth + 1)
            if not isinstance(key, str):
                raise SpecError(
                    self._where(key_node), f"key {key!r} is not a string", "expected a name"
                )
            if key in out:
                first = self.doc.key_marks[path + (key,)]
                raise SpecError(
                    self._where(key_node),
                    f"duplicate key {key!r} (first at line {first[0]})",
                    "expected each key once",
                )
            self.doc.key_marks[path + (key,)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out
