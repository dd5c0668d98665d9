"""One quoting function per language we write user text into: Python code, YAML, LaTeX, DOT.

Names, titles and file names can hold anything a file system or a framework allows. Written
raw, a newline ends a comment and starts a live line (of code or of YAML keys), and a bidi
control (U+202E) makes a reader see other code than the interpreter runs (Trojan Source).
In LaTeX the ten specials (`# $ % & ~ _ ^ \\ { }`) would run as commands.
Every such text goes through these functions; HTML goes through `html.escape`, DOT labels
through `render.dot_source.escape`, DOT names and values through `dot_id`.
"""

from __future__ import annotations

import re
from typing import Any


def unprintable(char: str) -> bool:
    """Characters a reader cannot see as themselves: C0/C1 controls, line and paragraph
    separators, format characters (bidi controls among them), surrogates, unassigned."""
    return char != " " and not char.isprintable()


def escape(text: str) -> str:
    """`text` with every unprintable character as a Python/YAML escape (\\xNN, \\uNNNN, \\UNNNNNNNN)."""
    return "".join(_escape_char(c) if unprintable(c) else c for c in text)


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def python_str(text: str) -> str:
    """A Python string literal of `text` (repr escapes exactly what `unprintable` names)."""
    return repr(str(text))


def comment(text: str) -> str:
    """A `#` comment line, in Python or YAML, that says `text` and nothing more."""
    return "# " + escape(str(text))


def yaml_dump(value: Any, *, flow: bool = False) -> str:
    """YAML for plain data (no trailing newline). Unicode stays readable unless some string
    holds an unprintable character: then every non-ASCII character is escaped."""
    import yaml  # a figure drawn from a cached spec never writes YAML, nor reads it

    return yaml.safe_dump(
        value,
        default_flow_style=flow,
        sort_keys=False,
        allow_unicode=not _any_unprintable(value),
        width=10_000,
    ).strip()


def _any_unprintable(value: Any) -> bool:
    if isinstance(value, str):
        return any(unprintable(c) for c in value)
    if isinstance(value, dict):
        return any(_any_unprintable(k) or _any_unprintable(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_any_unprintable(v) for v in value)
    return False


_LATEX_SPECIALS = {
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    # TeX's ligatures would turn ' and ` into curly quotes, -- into a dash, !` into ¡
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    "-": "-\\kern0pt ",  # an empty group does not stop LuaTeX's font ligatures; a kern does
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    '"': r"\textquotedbl{}",
}


def latex_text(text: str) -> str:
    """`text` as LaTeX text that typesets as itself: the ten specials escaped, ligatures
    broken (a name's `--` or `'` stays as written), unprintable
    characters as visible escapes (a newline would end a paragraph; a bidi control reorder)."""
    return "".join(_LATEX_SPECIALS.get(c, c) for c in escape(text))


_DOT_ID = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)")
_DOT_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def dot_id(text: str) -> str:
    """A DOT name or attribute value for `text`: bare when it is a DOT identifier or number,
    else quoted, `"` escaped and `\\` doubled (DOT reads `\\"` as a quote, and a final
    backslash would swallow the closing one; it keeps `\\\\` as written, so distinct texts
    stay distinct names). A `:` stays inside the name, never a port."""
    if _DOT_ID.fullmatch(text) and text.lower() not in _DOT_KEYWORDS:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
