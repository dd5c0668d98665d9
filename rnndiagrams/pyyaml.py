"""PyYAML, imported without its one slow step; the package imports `yaml` from here.

PyYAML's reader compiles, on import, a character class of what YAML allows, written as the
complement of ranges that span all of Unicode (`[^...\\U00010000-\\U0010ffff]`). `re` builds
such a class code point by code point: 57M instructions (7 ms), a tenth of all a Graphviz
render's process runs. The same class written as the few code points it holds compiles in
microseconds, and `re`'s cache of compiled patterns hands it to PyYAML when PyYAML asks for
its pattern. Where `re` keeps no such cache (another Python), PyYAML compiles its own: only
slower.
"""

from __future__ import annotations

import re

# yaml/reader.py's Reader.NON_PRINTABLE, as PyYAML writes it
PYYAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
# the characters it matches, named: C0 controls but tab and newlines, DEL and C1 controls but
# NEL, the surrogates, U+FFFE and U+FFFF
NON_PRINTABLE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


def _compile_named() -> None:
    compiled = getattr(re, "_cache", None)  # (type, pattern, flags) -> compiled pattern
    if isinstance(compiled, dict):
        compiled.setdefault((str, PYYAML_NON_PRINTABLE, 0), re.compile(NON_PRINTABLE))


_compile_named()

import yaml  # noqa: E402  # after the pattern is in re's cache

__all__ = ["yaml"]
