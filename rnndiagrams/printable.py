"""Text that is safe to print or draw whatever it holds.

Specs refuse control characters, but a file name can still carry them (and undecodable
bytes, which Python keeps as lone surrogates): shown raw they would drive a terminal or break
an SVG's XML, so they are replaced by visible stand-ins."""

from __future__ import annotations

import unicodedata

# Bidi controls reorder the text around them on screen (U+202E shows "abc" as "cba").
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def printable(text: str, keep: str = "") -> str:
    """Control characters as their Unicode pictures (U+2400...), bidi controls and line or
    paragraph separators as `<U+202E>`, unencodable ones as U+FFFD."""
    out = []
    for char in text:
        code = ord(char)
        if char in keep:
            out.append(char)
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif char in BIDI_CONTROLS or unicodedata.category(char) in ("Zl", "Zp"):
            out.append(f"<U+{code:04X}>")  # U+2028/U+2029 end a line for many readers
        elif unicodedata.category(char) in ("Cc", "Cs") or code & 0xFFFE == 0xFFFE:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)
