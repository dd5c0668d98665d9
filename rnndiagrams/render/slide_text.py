"""How large a slide figure's text is once projected, and the note when a slide cannot be read.

A slide figure is shown fitted into a 1280 x 720 slide's 1200 x 600 area below its title band,
so its text, set at the slide target's one size (points), is that size times
min(1200 / W, 600 / H), W x H the drawing's size in points, in px (tests/test_slide.py holds
the bar and checks these numbers against the browser's). Its scripts are 10/14 of the text,
above the 70 % their own bar asks, so the text decides. Read from the figure's bytes, the
only thing a figure-cache hit has: a regex or two, no browser and no matplotlib."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable

from ..style import TARGETS

SLIDE = (1280, 720)  # px
AREA = (1200, 600)  # px: the slide less its title band
BAR = 18.0  # px: the smallest text a room reads off a slide

_NUM = rb"\s*(-?[\d.]+)"
_VIEWBOX = re.compile(rb"<svg\b[^>]*?\bviewBox=\"" + _NUM * 4)
_MEDIABOX = re.compile(rb"/MediaBox\s*\[" + _NUM * 4)
_STREAM = re.compile(rb"<<([^<>]*)>>\s*stream\r?\n")
_TIKZ_BOX = re.compile(rb"\\useasboundingbox \(0,0\) rectangle \(([\d.]+),([\d.]+)\)")


def _svg(data: bytes, dpi: int) -> tuple[float, float] | None:
    """The view box: Graphviz's and matplotlib's are in points, as their text sizes are."""
    found = _VIEWBOX.search(data)
    return None if found is None else (float(found[3]), float(found[4]))


def _png(data: bytes, dpi: int) -> tuple[float, float] | None:
    """The pixels of the IHDR chunk at the figure's dpi (Graphviz writes no pHYs of it)."""
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width * 72 / dpi, height * 72 / dpi


def _pdf(data: bytes, dpi: int) -> tuple[float, float] | None:
    """The first page's MediaBox, in the file or (lualatex's) in a compressed object stream."""
    found = _MEDIABOX.search(data)
    for stream in () if found else _STREAM.finditer(data):
        if b"/ObjStm" in stream[1] and b"/FlateDecode" in stream[1]:
            found = _MEDIABOX.search(zlib.decompressobj().decompress(data[stream.end() :]))
            if found:
                break
    if found is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in found.groups())
    return x1 - x0, y1 - y0


def _tex(data: bytes, dpi: int) -> tuple[float, float] | None:
    """TikZ's canvas, in bp as its fonts are."""
    found = _TIKZ_BOX.search(data)
    return None if found is None else (float(found[1]), float(found[2]))


_SIZE: dict[str, Callable[[bytes, int], tuple[float, float] | None]] = {
    "svg": _svg,
    "png": _png,
    "pdf": _pdf,
    "tex": _tex,
}


def slide_text_px(data: bytes, fmt: str, dpi: int) -> float | None:
    """The slide figure's text in px once fitted into the slide's area; None for a format
    without a size (a scene's JSON)."""
    size = _SIZE[fmt](data, dpi) if fmt in _SIZE else None
    if size is None:
        return None
    return TARGETS["slide"].text * min(AREA[0] / size[0], AREA[1] / size[1])


def slide_note(where: str, data: bytes, fmt: str, dpi: int) -> str | None:
    """One line saying the slide figure `where` will be too small to read, or None."""
    px = slide_text_px(data, fmt, dpi)
    if px is None or px >= BAR:
        return None
    return (
        f"{where}: note: text {px:.1f} px on a {SLIDE[0]}x{SLIDE[1]} slide, under the "
        f"{BAR:g} px slides need: the view holds more than one slide shows at that size"
    )
