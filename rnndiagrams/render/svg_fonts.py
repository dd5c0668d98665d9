"""Graphviz SVG text made independent of the reader's fonts.

`dot` places every text run at widths measured with the fonts fontconfig gave it. A reader
whose browser draws with other fonts sees runs collide or drift apart. So each figure embeds
the subset of those very font files that its text uses (WOFF, built with fontTools, which
matplotlib already brings), under a family name made from the subset's hash: two figures on
one page share a name only when they share the bytes. The installed names follow as
fallbacks, Latin ones before Hangul ones, so Latin text never falls to a Korean font.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
from array import array
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .. import style
from ..cache import cache_dir, cached, digest, environment, stamp

# What readers without the embedded faces get: metric-alike Latin fonts first.
LATIN_FALLBACKS = (style.FONT, "Bitstream Vera Sans", "Verdana", "sans-serif")

_TEXT = re.compile(rb"<text ([^>]*)>([^<]*)</text>")
_ATTR = re.compile(rb'([a-z-]+)="([^"]*)"')
_FAMILY = re.compile(rb'font-family="[^"]*"')
_ROOT_END = re.compile(rb"<svg\b[^>]*>")


def _quote(name: str) -> str:
    return name if name == "sans-serif" else f"'{name}'"


class _Face(NamedTuple):
    """A font file as fontconfig describes it: what pango measured with."""

    file: str
    weight: int  # CSS: 700 for fontconfig's demibold and heavier, else 400
    style: str  # normal | italic


def _covers(bounds: list[int], ch: str) -> bool:
    """Whether a face with these bounds has `ch`: inside a range (after its first bound,
    before its last) or on one of its bounds."""
    code = ord(ch)
    i = bisect.bisect_right(bounds, code)
    return i % 2 == 1 or (i > 0 and bounds[i - 1] == code)


@cache
def _face(family: str, bold: bool, italic: bool) -> tuple[_Face, list[int]] | None:
    """The face fontconfig (and so Graphviz's pango) uses for the family and style, if a file
    of that family is installed, and the code points it covers: the bounds of its ranges in
    order (first, last, first, ...). The bounds are the file's, so not part of what tells
    faces apart (hashing them for every character of every run cost more than the rest of
    the embedding); a flat list, as the cache holds it, since making a pair of each of a
    face's 1,500 ranges cost more than reading the face. Asked of `fc-match` once per font
    setup: the answer is kept on disk under the hash of the font and fontconfig folders it
    depends on."""
    if shutil.which("fc-match") is None:
        return None
    key = digest((environment(), family, bold, italic, _FACE_FORMAT))
    found = json.loads(
        cached(cache_dir() / "fontconfig" / f"{key}.json", lambda: _fc_match(family, bold, italic))
    )
    if not found:
        return None
    file, weight, slant, bounds = found
    return _Face(file, weight, slant), array(_BOUND, base64.b64decode(bounds)).tolist()


# of the cached JSON: its ranges as flat bounds, packed (base64 of 32-bit integers): read as
# JSON lists of numbers, the faces' bounds (7,000 for a Hangul face) cost 7M instructions of a
# Graphviz render
_FACE_FORMAT = 3
_BOUND = "I"


def _fc_match(family: str, bold: bool, italic: bool) -> bytes:
    """fc-match's face as JSON [file, weight, style, packed bounds], or null."""
    pattern = f"{family}:weight={200 if bold else 80}:slant={100 if italic else 0}"
    out = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{file}\n%{weight}\n%{slant}\n%{charset}", pattern],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    if len(out) < 5 or family not in out[0].split(","):
        return b"null"
    try:
        weight, slant = float(out[2]), float(out[3])
    except ValueError:  # a variable font gives a range
        weight, slant = 80.0, 0.0
    ranges = sorted(
        (int(a, 16), int(b or a, 16)) for a, _, b in (r.partition("-") for r in out[4].split())
    )
    bounds = array(_BOUND, [bound for pair in ranges for bound in pair]).tobytes()
    packed = base64.b64encode(bounds).decode("ascii")
    face = [out[1], 700 if weight >= 180 else 400, "italic" if slant else "normal", packed]
    return json.dumps(face).encode()


@cache
def families() -> tuple[str, ...]:
    """The families a character is looked for in, in order: the main font, then the first
    installed Hangul fallback (the one pango falls back to for Hangul here)."""
    fallback = next((f for f in style.FONT_FALLBACKS if _face(f, False, False)), None)
    return (style.FONT, fallback) if fallback else (style.FONT,)


# No OpenType layout: its closure is most of the subsetting time, and every run with a
# neighbour is drawn at the width dot measured anyway (textLength); a legacy `kern` table stays.
# No hinting: browsers hint (or not) by themselves, and it is half the bytes. Names, FontForge
# timestamps and VTT hinting sources: nothing a browser reads.
_SUBSET_OPTIONS = {
    "flavor": "woff",  # zlib: no extra dependency, read by every browser
    "layout_features": [],
    "name_IDs": [],
    "notdef_outline": True,
    "hinting": False,
}
_DROP = ["FFTM", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "GSUB", "GPOS", "GDEF"]


@cache
def _woff(path: str, chars: frozenset[int]) -> bytes:
    """The subset, from the user's cache when an earlier render made it (subsetting costs
    about 0.03-0.1 s of CPU a face); the bytes are the same either way. The installed
    fontTools is part of the key by its files' stamps, so it is imported only to subset."""
    stat = os.stat(path)
    key = repr((path, stat.st_size, stat.st_mtime_ns, _font_tools(), _SUBSET_OPTIONS, _DROP))
    name = hashlib.sha256((key + repr(sorted(chars))).encode()).hexdigest()
    return cached(cache_dir() / "fonts" / f"{name}.woff", lambda: _subset(path, chars))


@cache
def _font_tools() -> object:
    """The installed fontTools, found without importing it: a new version is new files."""
    found = importlib.util.find_spec("fontTools")
    origin = Path(found.origin) if found and found.origin else None
    return origin and (stamp(origin), stamp(origin.parent))


def _subset(path: str, chars: frozenset[int]) -> bytes:
    from fontTools import subset

    options = subset.Options(**_SUBSET_OPTIONS)
    options.drop_tables += _DROP
    buf = io.BytesIO()
    # closed here: a TTFont reads its file lazily, and one left to the collector said
    # "unclosed file" (a ResourceWarning) wherever it was collected, inside a user's code too
    with subset.load_font(path, options) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(chars))
        subsetter.subset(font)
        subset.save_font(font, buf, options)
    return buf.getvalue()


def _runs(svg: bytes) -> list[tuple[bool, bool, str]]:
    """(bold, italic, text) of every <text> element."""
    runs = []
    for attrs, body in _TEXT.findall(svg):
        a = dict(_ATTR.findall(attrs))
        text = html.unescape(body.decode("utf-8"))
        runs.append((a.get(b"font-weight") == b"bold", a.get(b"font-style") == b"italic", text))
    return runs


def embed_fonts(svg: bytes) -> bytes:
    """Embed the faces the figure's text was measured with; set every run's font list."""
    chars: dict[tuple[str, _Face], set[int]] = {}  # (family, face) -> code points
    for bold, italic, text in _runs(svg):
        for ch in set(text):
            for family in families():
                found = _face(family, bold, italic)
                if found and _covers(found[1], ch):
                    chars.setdefault((family, found[0]), set()).add(ord(ch))
                    break
    faces: dict[str, list[tuple[_Face, bytes]]] = {}  # family -> [(face, woff)]
    for (family, face), points in sorted(chars.items(), key=lambda kv: (kv[0][0], kv[0][1].file)):
        faces.setdefault(family, []).append((face, _woff(face.file, frozenset(points))))
    names, rules = [], []
    for files in faces.values():
        name = "rnd-" + hashlib.sha256(b"".join(w for _, w in files)).hexdigest()[:12]
        names.append(name)
        for face, woff in files:
            uri = "data:font/woff;base64," + base64.b64encode(woff).decode("ascii")
            rules.append(
                f"@font-face{{font-family:'{name}';font-weight:{face.weight};"
                f"font-style:{face.style};src:url({uri}) format('woff')}}"
            )
    fallbacks = tuple(f for f in style.FONT_FALLBACKS if f != style.FONT)
    stack = ",".join(_quote(n) for n in (*names, *LATIN_FALLBACKS, *fallbacks))
    svg = _FAMILY.sub(b'font-family="' + stack.encode() + b'"', svg)
    if not rules:
        return svg
    defs = ("\n<defs><style>" + "\n".join(rules) + "</style></defs>").encode()
    m = _ROOT_END.search(svg)
    assert m is not None
    return svg[: m.end()] + defs + svg[m.end() :]
