"""A scene laid out in points (1/72 in): text measured, nodes placed on the scene's grid,
edges routed around nodes, edge labels set where they cover nothing, groups framed.

Kept apart from painting, so a second painter (TikZ, next) draws the same layout. Text is
measured with matplotlib's renderer, under the fonts and mathtext settings of `rc`. Plain
runs (any language, Hangul included) are plain text with font fallback; symbols go through
mathtext, which would turn Hangul into placeholder boxes.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import subprocess
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations, count, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser

from .. import style
from ..scene import Edge, Group, Label, Node, Run, Scene, left_loops, sides_past_nodes
from ..style import Theme
from .geometry import Box, GridIndex, Point, Route, on_arc, overlap
from .slide_text import AREA

if TYPE_CHECKING:  # the names of rc settings, from matplotlib's stubs: for the type checker only
    from matplotlib.typing import RcKeyType

PAD_X, PAD_Y = 9.0, 6.0  # inside node boxes
GAP_X = 26.0  # between grid columns (rows: the target's row_gap)
WIDE_GAP_X = 16.0  # between the columns of time axes set side by side (Scene.wide)
MARGIN = 14.0
LOOP = 26.0  # how far a self-loop reaches out of its node
HEAD_GAP = 18.0  # between the legend and the figure body
EXIT = 1.0  # the point an output arrow leaves the figure at
SPREAD = 16.0  # at most this far apart, edges that meet one side of a node
LABEL_CLEAR = 1.5  # between an edge label and its own line
# between an edge label and another edge's line: nearer, the line reads as striking the text
# through, or the label as that edge's
LINE_CLEAR = 4.0
BOX_CLEAR = 2.0  # between an edge label and a box: nearer, the label reads as the box's text
# and its right side (its lines are set from the left) as far again as a browser may set
# editable text wider than measured here: hinted at 72 dpi, `(None, 20, 8)` measures 63 pt
# and a browser draws it 66 pt wide
TEXT_SLACK = 0.05
LABEL_MARGIN = 10.0  # a column's gap: its widest label and this much room, half each side
LABEL_GAP = 8.0  # at least this far, side by side, from another label (a label set anew)
LABEL_ROOM = 8.0  # above and below an edge label, in the gap between two rows
LABEL_OFF = 5.0  # between an edge's line and its label beside it
FRAME_PAD = 10.0  # between a group's frame and its nodes
# how far a curve along a column reaches out of it, per point of its height (its least bend,
# 0.3 of the chord, bulges a quadratic curve by half that)
SKIP_BULGE = 0.15
PLACINGS = 4  # at most this many more layouts, each with wider gaps where curves crowd one
SKIP_BENDS = (0.3, 0.45, 0.6, 0.9, 1.2, 1.6)  # an edge along a column past a node: the least first


@cache
def _own_fonts_first() -> None:
    """matplotlib's own font files (DejaVu Sans, its mathtext's DejaVu and STIX) in its font
    list, ahead of any installed font of the same name. A name is resolved to the first best
    match of that list, which matplotlib caches on disk (MPLCONFIGDIR): a list that named the
    system's fonts-dejavu-core first drew other glyph ids, so other bytes. Naming the files
    in each FontProperties would not do: a file given drops the font fallback (Hangul), and
    mathtext looks its fonts up by name."""
    manager = font_manager.fontManager
    own = Path(matplotlib.get_data_path(), "fonts", "ttf")
    listed = {Path(f.fname) for f in manager.ttflist}
    for path in sorted(own.glob("*.ttf")):
        if path not in listed:
            manager.addfont(path)
    order = sorted(manager.ttflist, key=lambda f: Path(f.fname).parent != own)
    if order != manager.ttflist:
        manager.ttflist[:] = order
        cast(Any, manager)._findfont_cached.cache_clear()  # as addfont does


def _font_families() -> list[str]:
    """The main font plus the installed fallbacks (a missing one would only warn)."""
    _own_fonts_first()
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not any(n in names for n in style.FONT_FALLBACKS) and shutil.which("fc-match"):
        for family in style.FONT_FALLBACKS:
            path = subprocess.run(
                ["fc-match", "-f", "%{file}", family], capture_output=True, text=True
            ).stdout
            if path and family.replace(" ", "").lower() in path.replace(" ", "").lower():
                font_manager.fontManager.addfont(path)
                names.add(family)
                break
    return [style.FONT] + [f for f in style.FONT_FALLBACKS if f in names]


@contextmanager
def measuring(editable_text: bool, salt: str) -> Iterator[None]:
    """matplotlib set up to measure (and paint) text: `rc`, and findfont's notice that
    NanumGothic's bold is weight 600 where DejaVu's is 700 kept quiet as noise (missing glyphs
    are warned through `warnings`, which stays on)."""
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(rc(editable_text, salt)):
            yield
    finally:
        log.setLevel(level)


def rc(editable_text: bool, salt: str) -> dict[RcKeyType, Any]:
    return {
        "font.family": _font_families(),
        "mathtext.fontset": "dejavusans",
        "svg.hashsalt": salt,  # ids stable across runs, and distinct between figures inlined in one page
        "svg.fonttype": "none" if editable_text else "path",
        "pdf.fonttype": 42,
        "axes.unicode_minus": False,
    }


_MATH_SPECIAL = re.compile(r"([\\{}_^$%#&~])")


_TILDE = re.compile("(.)\u0303")  # a letter with a combining tilde: h̃, c̃


def _math(text: str) -> str:
    """Mathtext for a symbol: TeX specials escaped, arrows and tildes as TeX draws them (a
    combining tilde on `h` would merge with its ascender into ħ)."""
    text = _MATH_SPECIAL.sub(r"\\\1", text).replace("→", r"\rightarrow").replace("←", r"\leftarrow")
    return _TILDE.sub(r"\\tilde{\1}", text)


def run_text(run: Run) -> tuple[str, bool]:
    """The string for one run without its scripts, and whether it holds mathtext.

    Scripts are set as pieces of their own (see Measure.block): a subscript at no less than
    the small text's size (mathtext's own 70 % of a 12 pt legend would read under 9 px), a
    superscript as raised plain text, since layer indices like (37) would otherwise make every
    layer's labels new mathtext strings, and parsing mathtext costs milliseconds each."""
    if run.italic:
        return f"${_math(run.text)}$", True
    return run.text.replace("$", r"\$"), False


SCRIPT = 0.7  # superscript size, as a fraction of its run's (mathtext's own ratio)
DROP = 0.2  # how far a subscript's baseline sits below the line's, in its run's size
RISE = 0.4  # how far a superscript's baseline sits above the line's, in its run's size


@dataclass
class Piece:
    text: str
    size: float
    color: str
    dx: float  # offset from the line's left edge
    width: float
    weight: str = "normal"
    rise: float = 0.0  # baseline offset (superscripts up, subscripts down)


@dataclass
class Block:
    """A measured multi-line label: lines of pieces, each line centred or left-aligned."""

    lines: list[tuple[list[Piece], float, float]]  # pieces, width, height
    width: float
    height: float


def _share_mathtext_parses() -> Any:
    """matplotlib caches parsed mathtext per parser, and every renderer (so every measure and
    every saved figure) makes a parser of its own, so each figure parsed its symbols again
    (707 parses of 77 strings for the gallery). The parse is a pure function of the output
    type and its arguments: one cache per output type serves every renderer of the process."""
    parser_class: Any = MathTextParser  # private members, absent from matplotlib's stubs
    uncached = getattr(getattr(parser_class, "_parse_cached", None), "__wrapped__", None)
    if uncached is None:  # another matplotlib: leave its caching as it is
        return None
    parsers: dict[str, Any] = {}

    @lru_cache(4096)
    def parsed(output: str, *args: Any) -> Any:
        return uncached(parsers[output], *args)

    def parse_cached(self: Any, *args: Any) -> Any:
        parsers.setdefault(self._output_type, self)
        return parsed(self._output_type, *args)

    parser_class._parse_cached = parse_cached
    return parsed


MATHTEXT_PARSES = _share_mathtext_parses()  # the shared cache (None: matplotlib's own)

# The rc settings text extents depend on besides the string, size and weight.
_METRIC_RC: tuple[RcKeyType, ...] = (
    "font.family",
    "mathtext.fontset",
    "text.hinting",
    "text.hinting_factor",
)


@cache
def _renderer() -> Any:
    """One 72 dpi renderer measures the text of every figure of the process."""
    return FigureCanvasAgg(Figure(dpi=72)).get_renderer()  # type: ignore[no-untyped-call]  # matplotlib leaves get_renderer unannotated


def _forget_fonts() -> None:
    """In a forked child (`render -j`), as matplotlib empties its own font cache there: a
    parse and the renderer hold FT2Font objects, which read their font file through a file
    offset the child shares with its parent and siblings, so two workers reading glyphs at
    once read each other's bytes (FreeType: "invalid outline")."""
    _renderer.cache_clear()
    if MATHTEXT_PARSES is not None:
        MATHTEXT_PARSES.cache_clear()


os.register_at_fork(after_in_child=_forget_fonts)


@cache
def _width(text: str, size: float, math: bool, weight: str, settings: str) -> float:
    """Measured once per (string, size, weight, fonts and settings) in a process: figures
    repeat the same shapes and symbols, a deep model hundreds of times."""
    props = FontProperties(family=matplotlib.rcParams["font.family"], size=size, weight=weight)
    w, _, _ = _renderer().get_text_width_height_descent(text, props, ismath=math)
    return float(w)


class Measure:
    def __init__(self, theme: Theme, sizes: style.Sizes = style.TARGETS["column"]) -> None:
        self.theme, self.sizes = theme, sizes
        self.settings = repr([matplotlib.rcParams[k] for k in _METRIC_RC])

    def width(self, text: str, size: float, math: bool, weight: str = "normal") -> float:
        return _width(text, size, math, weight, self.settings)

    def block(self, label: Label, size: float, color: str, weight: str = "normal") -> Block:
        lines = []
        for line in label:
            pieces: list[Piece] = []
            x, top = 0.0, 0.0
            slanted: tuple[str, float] | None = None  # the last piece, when italic: text, size
            for run in line:
                text, math = run_text(run)
                run_size = self.sizes.small if run.small else size
                colour = self.theme.muted if run.small else color
                if text:
                    x += 0.0 if text.startswith(" ") else _kern(slanted, run.italic)
                    w = self.width(text, run_size, math, weight)
                    pieces.append(Piece(text, run_size, colour, x, w, weight))
                    x += w
                    top = max(top, run_size)
                    slanted = (run.text, run_size) if run.italic else None
                if run.sub:
                    x += _kern(slanted, False)
                    sub, sub_size = f"${_math(run.sub)}$", max(run_size * SCRIPT, self.sizes.sub)
                    w = self.width(sub, sub_size, True, weight)
                    pieces.append(Piece(sub, sub_size, colour, x, w, weight, -DROP * run_size))
                    x += w
                    slanted = (run.sub, sub_size)
                if run.sup:
                    x += _kern(slanted, False)
                    sup = run.sup.replace("$", r"\$")
                    sup_size = run_size * SCRIPT
                    w = self.width(sup, sup_size, False, weight)
                    rise = run_size * RISE
                    pieces.append(Piece(sup, sup_size, colour, x, w, weight, rise))
                    x += w
                    slanted = None
            lines.append((pieces, x, (top or size) * self.sizes.line))
        width = max((w for _, w, _ in lines), default=0.0)
        return Block(lines, width, sum(h for _, _, h in lines))


def _side(box: Box, point: Point) -> str:
    """The side of `box` that `point` (on its outline) lies on."""
    x, y = point[0] - box.x, point[1] - box.y
    if abs(abs(y) - box.h / 2) < 0.5:
        return "top" if y > 0 else "bottom"
    return "right" if x > 0 else "left"


def _kern(slanted: tuple[str, float] | None, italic: bool) -> float:
    """Room for the last italic glyph (text, size) reaching past its advance, the further the
    taller its right side (measured in DejaVu Sans Oblique): a hair space (0.1 em), 0.15 em
    after a capital (W reaches 0.14 em), a thin space after `f` or before another italic."""
    if slanted is None:
        return 0.0
    last = slanted[0][-1:]
    return (0.2 if last == "f" or italic else 0.15 if last.isupper() else 0.1) * slanted[1]


class Layout:
    """Every box, route, label spot and frame of a scene, in points, from its grid positions
    and measured text: what any painter draws. `target` (column, slide) sets the type and,
    for a slide, the canvas's aspect: the drawing is centred on a canvas within it."""

    def __init__(self, scene: Scene, theme: Theme, target: str = "column") -> None:
        self.scene, self.theme, self.target = scene, theme, target
        self.nodes = {n.id: n for n in scene.nodes}
        self.sizes = sizes = style.TARGETS[target]
        self.m = Measure(theme, sizes)
        self.blocks = {
            n.id: self.m.block(
                n.label, sizes.text, theme.text if n.emphasis == "solid" else theme.muted
            )
            for n in scene.nodes
        }
        self.edge_blocks = {
            i: self.m.block(e.label, sizes.edge, theme.edge_text[e.role])
            for i, e in enumerate(scene.edges)
            if e.label
        }
        self.title = scene.title if sizes.title else ()
        self.header = self.m.block(self.title, sizes.text, theme.text, "bold")
        self.legend = self.m.block(scene.legend, sizes.legend, theme.text)
        self.placed: list[Box] = []  # edge label rectangles, in placement order
        self.label_at: dict[int, Box] = {}  # edge index -> its label rectangle
        self.group_labels = {
            g.id: self.m.block(g.label, sizes.text, theme.text) for g in scene.groups
        }
        # edge index -> the side of its column an edge past a node keeps: the scene's, but
        # where the other crowds fewer labels (`_grid`)
        self.past = sides_past_nodes(scene)
        self.left = left_loops(scene)  # nodes whose self-loop runs out of their left side
        # a gap two curves bulge into from both its sides, each as far as its nodes made it
        # (a bidirectional grid's last step beside the next panel's first), set wider until
        # they keep apart (its curves, bent anew, may reach further)
        widen: dict[int, float] = {}
        self._place(widen)
        for _ in range(PLACINGS):
            crowded = self._crowded()
            if not crowded:
                break
            for c, room in crowded.items():
                widen[c] = widen.get(c, 0.0) + room
            self._place(widen)
        # a label no spot keeps LINE_CLEAR off another edge's line (a curve up the gap beside
        # a row's edge, an arrowhead at the corner above it) widens its gap, and every label
        # is placed anew; a widening that brings its labels no nearer clear, that shrinks a
        # slide's text (a drawing wider than the slide's area) or that bends a curve through a
        # box is undone, and so is all of a gap's where its labels end short of clear
        tried: dict[int, tuple[float, float]] = {}  # column -> its shortfall, the room added
        added: dict[int, float] = {}  # column -> all the room added
        spent: set[int] = set()  # columns whose widening was undone
        before = (math.inf, math.inf)  # the slide's scale, crossings, before the last widening
        for attempt in count():
            self._label()
            short: dict[int, float] = {}
            for c, s in self._grazing():
                if c is not None:
                    short[c] = short.get(c, 0.0) + s
            worse = bool(tried) and (self._scale() < before[0] or self._crossed() > before[1])
            undo = {
                c: room for c, (was, room) in tried.items() if worse or short.get(c, 0.0) >= was
            }
            tried = {}
            for c, s in short.items() if attempt < PLACINGS and not undo else ():
                if c not in spent:  # in whole points; a label in the gap moves by part of it
                    tried[c] = (s, max(float(math.ceil(4 * s)), LINE_CLEAR))
            if not undo and not tried:
                undo = {c: added[c] for c in short if added.get(c)}
                if not undo:
                    break
            for c, room in [
                *((c, -r) for c, r in undo.items()),
                *((c, r) for c, (_, r) in tried.items()),
            ]:
                widen[c] = widen.get(c, 0.0) + room
                added[c] = added.get(c, 0.0) + room
            spent |= undo.keys()
            before = (self._scale(), self._crossed()) if tried else (math.inf, math.inf)
            self._place(widen)
        self._fit()

    def _label(self) -> None:
        """Every edge label's spot, around the boxes and routes as placed, and the frames."""
        self.placed, self.label_at = [], {}
        self.label_index: GridIndex[Box] = GridIndex()
        self.line_index: GridIndex[tuple[int, Point]] = GridIndex()  # (edge index, point)
        self.line_points: list[tuple[int, Point]] = []
        for k, r in enumerate(self.routes):
            # a point every few points of the route's length, so no label slips between two
            steps = 12 if r is None else max(12, int(math.dist(r[0], r[1]) * (1 + abs(r[2])) / 2))
            for i in range(1, steps) if r else ():
                x, y = on_arc(*cast(Route, r), i / steps)  # r is not None in this loop
                self.line_index.add(Box(x, y, 0.0, 0.0), (k, (x, y)))
                self.line_points.append((k, (x, y)))
        # the nodes' left and right edges, once: every label spot is weighed against them
        self.span = (
            min(b.x - b.w / 2 for b in self.boxes.values()),
            max(b.x + b.w / 2 for b in self.boxes.values()),
        )
        # a self-loop's label has one place, beyond its loop: those first, the others around them
        for i in sorted(self.edge_blocks, key=lambda i: self.routes[i] is not None):
            self.label_at[i] = self._label_rect(i, self.routes[i])
        self.frames = [self._frame(g) for g in self.scene.groups if g.label]

    def _grazing(self) -> list[tuple[int | None, float]]:
        """Each label nearer than LINE_CLEAR to another edge's line: the column whose gap on
        the right it stands in (None: the figure's margin), and how much nearer."""
        across = self.scene.flow == "right"  # each line of a flow to the right: its own columns
        found: list[tuple[int | None, float]] = []
        for i, rect in self.label_at.items():
            near = self._nearest_other(rect, i) if self.routes[i] is not None else math.inf
            if near >= LINE_CLEAR:
                continue
            line = self.nodes[self.scene.edges[i].src].pos[0]
            left = [
                n.pos[1] if across else n.pos[0]
                for n in self.scene.nodes
                if self.boxes[n.id].x < rect.x and (not across or n.pos[0] == line)
            ]
            found.append((max(left, default=None), LINE_CLEAR - near))
        return found

    def _nearest_other(self, rect: Box, index: int) -> float:
        """How near the line of an edge other than `index` comes to a label's rectangle."""
        reach = Box(rect.x, rect.y, rect.w + 2 * LINE_CLEAR, rect.h + 2 * LINE_CLEAR)
        lines = self.line_index.near(reach)
        return min((_gap(rect, p) for (k, p), _ in lines if k != index), default=math.inf)

    def _place(self, widen: dict[int, float]) -> None:
        """The boxes (`widen`: room added to the gap right of a column) and the routes."""
        self._grid(widen)
        # spatial indexes keep layout linear in the number of nodes: each test looks only at
        # what lies in the grid cells it touches
        self.node_index: GridIndex[str] = GridIndex()
        for nid, box in self.boxes.items():
            self.node_index.add(box, nid, pad=2.0)
        self.rows_span = (  # the bottom and top boxes' outer sides
            min(b.y - b.h / 2 for b in self.boxes.values()),
            max(b.y + b.h / 2 for b in self.boxes.values()),
        )
        self.routes = self._routes()

    def _crowded(self) -> dict[int, float]:
        """By column, the room its gap on the right lacks: a curve along it bulges in from
        the left and one along the next column from the right, closer than GAP_X where both
        pass (a flow up or down: a flow to the right has no curves along its columns)."""
        if self.scene.flow == "right":
            return {}
        at = {n.id: n.pos[0] for n in self.scene.nodes}
        order = sorted(set(at.values()))
        after = dict(pairwise(order))
        curves: dict[int, list[tuple[float, float, float, float]]] = {}  # x extent, y extent
        for e, route in zip(self.scene.edges, self.routes, strict=True):
            if route is not None and route[2] and at[e.src] == at[e.dst]:
                points = [on_arc(*route, k / 20) for k in range(21)]
                xs, ys = [x for x, _ in points], [y for _, y in points]
                curves.setdefault(at[e.src], []).append((min(xs), max(xs), min(ys), max(ys)))
        widen: dict[int, float] = {}
        for c, d in after.items():
            for _, right, low, high in curves.get(c, []):
                for left, _, p, q in curves.get(d, []):
                    if max(low, p) < min(high, q) and left - right < GAP_X:
                        # in whole points: widened by as much, they are GAP_X apart, not a
                        # rounding error short of it
                        room = float(math.ceil(GAP_X - (left - right)))
                        widen[c] = max(widen.get(c, 0.0), room)
        return widen

    def _size(self, node: Node) -> tuple[float, float]:
        if node.extent:
            return node.extent
        if node.shape == "exit":
            return EXIT, EXIT
        b = self.blocks[node.id]
        w, h = b.width + 2 * PAD_X, b.height + 2 * PAD_Y
        if node.shape == "circle":
            w = h = max(w, h)
        return w, h

    def _grid(self, widen: dict[int, float]) -> None:
        """Node boxes on the scene's grid: columns as wide as their widest node plus room for
        the labels of edges leaving them; rows as tall as their tallest node. A flow to the
        right reads like text: each row is a line with its own columns."""
        scene = self.scene
        sizes = {n.id: self._size(n) for n in scene.nodes}
        below = {n.id: self.blocks[n.id].height + 4 if n.extent else 0.0 for n in scene.nodes}
        across = scene.flow == "right"
        col_of = {n.id: ((n.pos[0], n.pos[1]) if across else (0, n.pos[0])) for n in scene.nodes}
        row_of = {n.id: (n.pos[0] if across else n.pos[1]) for n in scene.nodes}
        col_w = dict.fromkeys(sorted(set(col_of.values())), 0.0)
        row_h = dict.fromkeys(sorted(set(row_of.values())), 0.0)
        for n in scene.nodes:
            w, h = sizes[n.id]
            col_w[col_of[n.id]] = max(
                col_w[col_of[n.id]], w, self.blocks[n.id].width if n.extent else 0
            )
            row_h[row_of[n.id]] = max(row_h[row_of[n.id]], h + below[n.id])
        # rows go up with the data, or down (layer graphs, and the lines of a flow to the right)
        rows = list(row_h) if scene.flow == "up" else list(reversed(row_h))
        # a gap holds the labels of the edges crossing it (on a slide a two-line weight label
        # is taller than the rows' gap, and would lie across the boxes beside its edge)
        # (a slide's time grid, short of height, closer still: its gaps hold their labels;
        # and a slide's graph through time, packed, but across the rows an edge past a node
        # spans, a residual skip: closer rows bent its curve wider, into the labels beside it)
        skipped = {
            r
            for e in (scene.edges[i] for i in self.past)
            for r in range(*sorted((row_of[e.src], row_of[e.dst])))
        }
        close = {r for r in rows if scene.short or scene.packed and r not in skipped}
        gap = {r: self.sizes.row_gap * (0.6 if r in close else 1.0) for r in rows}
        order = {r: k for k, r in enumerate(rows)}
        # and the labels of the edges along a row, set above their line, reach into the gap
        # above it: an edge's label beside it there stands above them
        rise = dict.fromkeys(rows, 0.0)
        for i, e in enumerate(scene.edges):
            along = e.src != e.dst and row_of[e.src] == row_of[e.dst]
            if i in self.edge_blocks and not across and along:
                reach = self.edge_blocks[i].height + 2 - row_h[row_of[e.src]] / 2
                rise[row_of[e.src]] = max(rise[row_of[e.src]], reach)
        for i, e in enumerate(scene.edges):
            if i in self.edge_blocks and not across:
                a, b = sorted((order[row_of[e.src]], order[row_of[e.dst]]))
                # and, into a framed group, the band the frame's title takes
                band = sum(
                    FRAME_PAD + self.group_labels[g.id].height + 4
                    for g in scene.groups
                    if g.label and e.dst in g.nodes and e.src not in g.nodes
                )
                if b == a + 1:
                    need = self.edge_blocks[i].height + LABEL_ROOM + band + rise[rows[a]]
                    gap[rows[a]] = max(gap[rows[a]], need)
        # attention's weights on edges down across a gap into their context (a slide's, on its
        # query's rows) stand one over the other there, beside their lines converging on it
        down = dict.fromkeys(rows, 0.0)
        for i, e in enumerate(scene.edges):
            if (
                e.at_head
                and i in self.edge_blocks
                and order[row_of[e.src]] == order[row_of[e.dst]] + 1
            ):
                down[row_of[e.dst]] += self.edge_blocks[i].height
        gap = {r: max(gap[r], down[r]) for r in rows}
        ys, y = {}, 0.0
        for r in rows:
            ys[r] = y + row_h[r] / 2
            y += row_h[r] + gap[r]
        # the middle of each gap between two rows: where an edge's label beside it, crossing
        # the gap, clears the boxes of both rows
        self.gap_middles = [ys[r] + (row_h[r] + gap[r]) / 2 for r in rows[:-1]]
        extra = dict.fromkeys(col_w, GAP_X if not scene.wide else WIDE_GAP_X)
        # the labels standing in each column's gap: (height of their edge, room they need)
        labels: dict[tuple[int, int], list[tuple[float, float]]] = {c: [] for c in col_w}
        for i, e in enumerate(scene.edges):
            # a loop's label on the left of the first column stands in the margin
            if i in self.edge_blocks and not (e.src == e.dst and e.src in self.left):
                need = self.edge_blocks[i].width + LABEL_MARGIN + (LOOP if e.src == e.dst else 0)
                # a row's edge out of a frame or into one: its label, centred on the edge,
                # clear of the frame's side (the frame's pad on both sides of it)
                if row_of[e.src] == row_of[e.dst]:
                    need += (
                        2
                        * FRAME_PAD
                        * sum(
                            (e.src in g.nodes) != (e.dst in g.nodes)
                            for g in scene.groups
                            if g.label
                        )
                    )
                # the gap right of the edge's left end: a backward edge's label stands
                # left of where it starts
                left, right = sorted((col_of[e.src], col_of[e.dst]))
                labels[left].append((ys[row_of[e.src]], need))
                for c, room in self._label_room(e, left, right, need, col_w):
                    extra[c] = max(extra[c], room)
        # an edge along a column past one of its nodes (a skip edge) curves out into the gap
        # on the side of its column it keeps (`past`; the right, where none is given): where a
        # label in that gap stands beside the rows it passes, the gap holds both, side by side
        heights: dict[tuple[int, int], list[float]] = {}  # each column's node heights, sorted
        for n in sorted(scene.nodes, key=lambda n: ys[row_of[n.id]]):
            heights.setdefault(col_of[n.id], []).append(ys[row_of[n.id]])
        before = {c: p for p, c in pairwise(col_w) if p[0] == c[0]}  # the column on the left
        last = {c for c in col_w if c not in before.values()}  # a line's last columns

        def span(i: int) -> tuple[tuple[int, int], float, float]:
            """Edge `i`'s column and the heights it spans."""
            e = scene.edges[i]
            a, b = sorted((ys[row_of[e.src]], ys[row_of[e.dst]]))
            return col_of[e.src], a, b

        def beside(i: int, side: int) -> list[float]:
            """The room the labels need that stand in the gap on `side` of edge `i`'s column,
            beside the rows it spans (none in the figure's margin)."""
            c, a, b = span(i)
            into = c if side > 0 else before.get(c)
            return [need for y, need in labels[into] if a < y < b] if into else []

        def crowds(i: int, side: int, bare: int) -> int:
            """How many labels edge `i` curving out on `side` stands beside; where it would
            take the figure's margin, and so widen it, its own label too, and `bare` more."""
            c = span(i)[0]
            margin = c not in before if side < 0 else c in last
            return len(beside(i, side)) + margin * ((i in self.edge_blocks) + bare)

        def meet(i: int, j: int) -> bool:
            """Whether edges `i` and `j` pass nodes of one column, along the same rows."""
            (c, a, b), (d, p, q) = span(i), span(j)
            return c == d and max(a, p) < min(b, q)

        # an edge past a node alone takes the other side of its column where fewer labels
        # stand beside its curve, or it keeps out of the figure's margin (a last column's
        # skip edge bulged out of the figure); two that meet, on its two sides, trade sides
        # where fewer labels then stand beside them (a bidirectional grid's last step: U of
        # its backward row in the gap on the left)
        for i in sorted(self.past):
            side, alone = self.past[i], not any(meet(i, j) for j in self.past if j != i)
            if alone and crowds(i, -side, 1) < crowds(i, side, 1):
                self.past[i] = -side
        for i, j in combinations(sorted(self.past), 2):
            p, q = self.past[i], self.past[j]
            now, traded = crowds(i, p, 0) + crowds(j, q, 0), crowds(i, q, 0) + crowds(j, p, 0)
            if meet(i, j) and p != q and traded < now:
                self.past[i], self.past[j] = q, p
        for i, e in enumerate(scene.edges):
            c, (a, b) = col_of[e.src], sorted((ys[row_of[e.src]], ys[row_of[e.dst]]))
            if c == col_of[e.dst] and bisect_left(heights[c], b) - bisect_right(heights[c], a):
                side = self.past.get(i, 1)
                into = c if side > 0 else before.get(c)  # None: the figure's margin
                beside_it = beside(i, side)
                # it leaves and enters at its ends' sides, which a wider column holds in
                ends = max(sizes[e.src][0], sizes[e.dst][0]) / 2
                out = ends + SKIP_BULGE * (b - a) - col_w[c] / 2
                if into and beside_it:  # the curve takes the place of the label's margin there
                    extra[into] = max(
                        extra[into], max(beside_it) - LABEL_MARGIN / 2 + max(out, 0.0)
                    )
        xs, x, line = {}, 0.0, None
        for c, w in col_w.items():
            if c[0] != line:
                x, line = 0.0, c[0]
            xs[c] = x + w / 2
            x += w + extra[c] + widen.get(c[1], 0.0)
        self.boxes = {
            n.id: Box(xs[col_of[n.id]], ys[row_of[n.id]] + below[n.id] / 2, *sizes[n.id])
            for n in scene.nodes
        }

    def _label_room(
        self,
        edge: Edge,
        left: tuple[int, int],
        right: tuple[int, int],
        need: float,
        col_w: dict[tuple[int, int], float],
    ) -> list[tuple[tuple[int, int], float]]:
        """The gaps (each column's, on its right) an edge's label needs room in, and how much:
        the gap right of its left end. On a slide, whose rows are close and whose labels
        are as large as its text, a layer graph or a time grid packs tighter: a label stands
        between rows, beside its edge, so along a column it needs room only where it reaches
        past the column's half (it stands a few points off the line), and across columns the room
        between its ends is theirs between them and the gaps', shared by those gaps. A
        slide's time grid (short) sets a label of an edge to the next row's next column in
        the gap between those rows, where it may reach over half that column (with no margin
        there, off the boxes): the gap holds the rest."""
        if self.scene.short and self.scene.flow == "up" and right[1] == left[1] + 1:
            rows = {self.nodes[edge.src].pos[1], self.nodes[edge.dst].pos[1]}
            if len(rows) == 2 and max(rows) - min(rows) == 1:
                return [(left, need - (col_w[right] + LABEL_MARGIN) / 2)]
        if self.sizes.edge != self.sizes.text or self.scene.flow == "right":
            return [(left, need)]
        if left == right:
            if edge.src == edge.dst:
                return [(left, need)]
            beyond = need - col_w[left] / 2 + LABEL_OFF
            # a layer graph's label may stand on either side; a time grid's right of its line
            down = self.scene.flow == "down"
            return [(c, beyond) for c in col_w if c < left and down][-1:] + [(left, beyond)]
        gaps = [c for c in col_w if left <= c < right]
        inner = sum(col_w[c] for c in gaps[1:])
        return [(c, (need - inner) / len(gaps)) for c in gaps]

    def _routes(self) -> list[Route | None]:
        """Start, end and bend of every edge (None for self-loops). Edges that end on one
        side of a box (a skip edge curving in beside a straight one) end side by side, in
        the order they arrive, so no two arrowheads fall on one point."""
        ends: list[list[Point]] = []
        for edge in self.scene.edges:
            a, b = self.boxes[edge.src], self.boxes[edge.dst]
            ends.append([a.clip(b.x, b.y), b.clip(a.x, a.y)])
            if edge.at_head and self.scene.packed and self._through_ellipsis(*ends[-1]):
                # attention's edges converge on a context from across a slide's packed rows,
                # shallow: one into its side along its row through the `…` beside it enters
                # its bottom instead (its top, in a flow down), towards its source
                ends[-1][1] = _toward(b, a)
            if edge.at_head and self.scene.packed and self._down(edge):
                # down to a context on its query's rows: out of the bottom of its value, at
                # the corner towards it (out of its side, level with the boxes beside it, the
                # line ran into the next one)
                ends[-1][0] = _toward(a, b)
        bends = [
            self._bend(e, *ends[i], side=self.past.get(i)) if e.src != e.dst else 0.0
            for i, e in enumerate(self.scene.edges)
        ]
        # a curve along a column leaves on the side it bulges to, not where the straight line
        # would have (a skip edge from a box's top centre cut the corner of the box above)
        for i, edge in enumerate(self.scene.edges):
            a, b = self.boxes[edge.src], self.boxes[edge.dst]
            if bends[i] and (abs(a.x - b.x) < 1 or self._reenters(a, ends[i], bends[i])):
                centres = (a.x, a.y), (b.x, b.y)
                ends[i][0] = a.clip(*on_arc(*centres, bends[i], 0.2))
                bends[i] = self._bend(edge, *ends[i], side=self.past.get(i))
            side = self.past.get(i)
            if side and self._crossings((edge.src, edge.dst), (ends[i][0], ends[i][1], bends[i])):
                # no bend clears a node it passes, wider than the curve reaches (captioning's
                # init_h, between image_features and init_c): it leaves and enters at the
                # corners of its ends on its side, and bends from there
                up = math.copysign(1.0, b.y - a.y)
                ends[i] = [
                    (box.x + side * _inset(box), box.y + k * box.h / 2)
                    for box, k in ((a, up), (b, -up))
                ]
                bends[i] = self._bend(edge, *ends[i], side=side)
        sides: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
        for i, edge in enumerate(self.scene.edges):
            if edge.src == edge.dst:
                continue
            if self.nodes[edge.dst].shape == "circle":
                continue  # an operator: its inputs meet at its centre
            side = _side(self.boxes[edge.dst], ends[i][1])
            # where the edge comes from, near its head: orders the heads along the side
            near = on_arc(ends[i][0], ends[i][1], bends[i], 0.75)
            along = near[0] if side in ("top", "bottom") else near[1]
            sides.setdefault((edge.dst, side), []).append((along, i, 1))
        moved = set()
        for (nid, side), meeting in sides.items():
            if len(meeting) < 2:
                continue
            box = self.boxes[nid]
            length = box.w if side in ("top", "bottom") else box.h
            step = min(length / (len(meeting) + 1), SPREAD)
            for j, (_, i, k) in enumerate(sorted(meeting)):
                shift = (j - (len(meeting) - 1) / 2) * step
                x, y = ends[i][k]
                # kept on the side, clear of its corners (an end near a corner shifted past it
                # pointed at empty space beside the box)
                ends[i][k] = (
                    (_within(x + shift, box.x, box.w), y)
                    if side in ("top", "bottom")
                    else (x, _within(y + shift, box.y, box.h))
                )
                moved.add(i)
        # two arrowheads landing either side of a corner (a state's h on the side, its c on the
        # top) would nearly meet: the one on the top or bottom moves in along it
        heads: dict[str, list[int]] = {}
        for i, edge in enumerate(self.scene.edges):
            if edge.src != edge.dst and self.nodes[edge.dst].shape != "circle":
                heads.setdefault(edge.dst, []).append(i)
        for nid, landing in heads.items():
            box = self.boxes[nid]
            for a, b in combinations(landing, 2):
                (pa, pb), flat = (ends[a][1], ends[b][1]), ("top", "bottom")
                if _side(box, pa) == _side(box, pb) or math.dist(pa, pb) >= SPREAD:
                    continue
                i = a if _side(box, pa) in flat else b
                x, y = ends[i][1]
                if _side(box, (x, y)) in flat:
                    x = _within(x + math.copysign(SPREAD, box.x - x), box.x, box.w)
                else:
                    y = _within(y + math.copysign(SPREAD, box.y - y), box.y, box.h)
                ends[i][1] = (x, y)
                moved.add(i)
        # an edge back against the flow (a loop's edge to the step before, an output fed back)
        # that would leave or land where another edge ends moves aside, toward its other end
        at: dict[str, list[Point]] = {}
        for i, edge in enumerate(self.scene.edges):
            if edge.src != edge.dst and not edge.backward:
                at.setdefault(edge.src, []).append(ends[i][0])
                at.setdefault(edge.dst, []).append(ends[i][1])
        for i, edge in enumerate(self.scene.edges):
            if not edge.backward or edge.src == edge.dst:
                continue
            for k, (nid, other) in enumerate(((edge.src, edge.dst), (edge.dst, edge.src))):
                (x, y), (ox, oy) = ends[i][k], ends[i][1 - k]
                near = [p for p in at.get(nid, ()) if math.dist((x, y), p) < SPREAD]
                if near:
                    (px, py), box, far = near[0], self.boxes[nid], self.boxes[other]
                    # a straight edge (a row's, a column's) moves its other end alike
                    if _side(box, (x, y)) in ("top", "bottom"):
                        dx = _within(px + math.copysign(SPREAD, ox - px), box.x, box.w) - x
                        ox = _within(ox + dx, far.x, far.w) if abs(ox - x) < 1 else ox
                        x += dx
                    else:
                        dy = _within(py + math.copysign(SPREAD, oy - py), box.y, box.h) - y
                        oy = _within(oy + dy, far.y, far.h) if abs(oy - y) < 1 else oy
                        y += dy
                    ends[i][k], ends[i][1 - k] = (x, y), (ox, oy)
                    moved.add(i)
        return [
            None
            if edge.src == edge.dst
            else (
                ends[i][0],
                ends[i][1],
                self._bend(edge, *ends[i], side=self.past.get(i)) if i in moved else bends[i],
            )
            for i, edge in enumerate(self.scene.edges)
        ]

    def _down(self, edge: Edge) -> bool:
        """Whether an edge runs against the flow's rows (from a row after its head's)."""
        return self.nodes[edge.src].pos[1] > self.nodes[edge.dst].pos[1]

    @staticmethod
    def _reenters(box: Box, ends: list[Point], rad: float) -> bool:
        """Whether a curve from `box` turns back through it (a cell's inputs to a gate two
        columns away, bending under the inputs' own box and its text)."""
        return any(
            box.contains(*on_arc(ends[0], ends[1], rad, t), pad=-2.0)
            for t in (0.04, 0.08, 0.12, 0.2, 0.3)
        )

    def _bend(self, edge: Edge, start: Point, end: Point, *, side: int | None = None) -> float:
        """0 for a straight edge; a curve when the straight one would cross another node. An
        edge along a column past one of its nodes curves out to the `side` of its column it
        keeps (`past`: +1 right, -1 left), so two such edges of one column that span the same
        rows take opposite sides rather than cross."""
        ends = (edge.src, edge.dst)  # and `…`, which an edge may pass through

        def crossings(rad: float) -> int:
            return self._crossings(ends, (start, end, rad))

        # an edge along a column bends right, as every other column's does (bidirectional
        # inputs all pass their forward cell on the same side)
        along = abs(end[0] - start[0]) < 1
        # a slide's rows are closer: an edge across a row's gap (an encoder's state fanned out
        # to the decoder's steps beside it) may clear its nodes only by a shallow curve, the
        # shallowest first
        close = self.sizes.row_gap < style.TARGETS["column"].row_gap
        shallow: tuple[float, ...] = (-0.02, 0.02, -0.05, 0.05) if close else ()
        # a slide's time grid keeps a row's edge past a node (every step's output into the
        # pooling beside the last) within its rows by a deeper curve under the nodes; so does
        # a slide's graph through time (attention's edges down to a context between the rows
        # of the steps before it: a curve over them was the figure's top)
        shallow += (-0.1, 0.1, -0.2, 0.2) if self.scene.short or self.scene.packed else ()
        # wider bends last: a graph's skip edge passes a whole node of its column
        rads: tuple[float, ...] = (
            (0.0, *SKIP_BENDS)
            if along
            else (0.0, *shallow, -0.3, 0.3, -0.6, 0.6, -0.9, 0.9, -1.2, 1.2)
        )
        if side is not None:  # a positive bend takes an edge up its column to the right
            rads = tuple(math.copysign(r, side * (end[1] - start[1])) for r in SKIP_BENDS)
        # the first that crosses nothing (short of height: and stays between the bottom and
        # top boxes, by as far as its ends may move along a side, as a curve past them makes
        # the figure taller; else the first that crosses nothing); where every one does, the
        # one that crosses least
        best = (math.inf, 0.0)
        clear = []
        for rad in rads:
            # a curve that clears every sample but cuts a box's corner between two crosses one
            count = crossings(rad) or int(self._clips(ends, (start, end, rad)))
            if not count and (not self.scene.short or self._within_rows(start, end, rad)):
                return rad
            if not count:
                clear.append(rad)
            best = min(best, (count, rad), key=lambda b: b[0])
        return clear[0] if clear else best[1]

    def _within_rows(self, start: Point, end: Point, rad: float) -> bool:
        """Whether a curve stays SPREAD within the bottom and top boxes' outer sides."""
        ys = [on_arc(start, end, rad, t / 10)[1] for t in range(11)]
        return self.rows_span[0] + SPREAD <= min(ys) and max(ys) <= self.rows_span[1] - SPREAD

    def _through_ellipsis(self, start: Point, end: Point) -> bool:
        """Whether a straight line runs through a `…` (sampled a point apart: it is small)."""
        steps = max(2, int(math.dist(start, end)))
        return any(
            self.nodes[nid].role == "ellipsis" and box.contains(x, y)
            for x, y in (on_arc(start, end, 0.0, k / steps) for k in range(1, steps))
            for nid, box in self.node_index.at(x, y)
        )

    def _crossed(self) -> int:
        """How many points of the routes (a few points apart) fall inside a node but their
        edge's ends: a curve through a box's corner too."""
        ends = [(e.src, e.dst) for e in self.scene.edges]
        return sum(self._inside([p], ends[k], -1.0) for k, p in self.line_points)

    def _clips(self, ends: tuple[str, str], route: Route) -> bool:
        """Whether a route, sampled a few points apart, runs inside a node but its `ends`: the
        corner of a box between two of `_crossings`' samples (a cell's input to its output
        gate, past the candidate's corner)."""
        steps = max(20, int(math.dist(route[0], route[1]) * (1 + abs(route[2])) / 4))
        return bool(self._inside((on_arc(*route, i / steps) for i in range(1, steps)), ends, -1.0))

    def _crossings(self, ends: tuple[str, str], route: Route) -> int:
        """How many of a route's sample points fall inside a node but its `ends` (or near it)."""
        return self._inside((on_arc(*route, i / 20) for i in range(1, 20)), ends, 2.0)

    def _inside(self, points: Iterable[Point], ends: tuple[str, str], pad: float) -> int:
        """How many (point, node) pairs put a point inside a node (grown by `pad`) but `ends`
        and the `…`s, which an edge may pass through."""
        return sum(
            1
            for x, y in points
            for nid, box in self.node_index.at(x, y)
            if nid not in ends
            and box.contains(x, y, pad=pad)
            and self.nodes[nid].role != "ellipsis"
        )

    def _label_rect(self, index: int, route: Route | None) -> Box:
        """The first spot along the edge, beside it, where the label covers no node, no other
        label and no edge; edges within a row take their label above the line."""
        label = self.edge_blocks[index]
        w, h = label.width, label.height
        if route is None:  # beyond the self-loop
            a, side = self.loop_box(self.scene.edges[index].src)
            rect = Box(a.x + side * (a.w / 2 + 2 + w / 2), a.y, w, h)
            self.placed.append(rect)
            self.label_index.add(rect, rect)
            return rect
        start, end, rad = route
        flat = abs(end[1] - start[1]) < 1
        spots = []
        edge = self.scene.edges[index]
        # an edge into a framed group: its label near its source, clear of the band the
        # frame's title will take above the group's nodes, and not across the frame's sides
        # (nor is an edge's out of one: a loop's output leaving its frame on a slide)
        frames = [
            self._tentative_frame(g)
            for g in self.scene.groups
            if g.label and (edge.dst in g.nodes) != (edge.src in g.nodes)
        ]
        into = any(
            g.label and edge.dst in g.nodes and edge.src not in g.nodes for g in self.scene.groups
        )
        for t in (0.25, 0.35, 0.5) if frames and into else (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            x, y = on_arc(start, end, rad, t)
            # beside a slanted line, its corners need room too: half the label's height
            # times the line's run over rise
            (x0, y0), (x1, y1) = (
                on_arc(start, end, rad, t - 0.01),
                on_arc(start, end, rad, t + 0.01),
            )
            lean = min(abs(x1 - x0) / max(abs(y1 - y0), 1e-9), 3.0) * h / 2
            spots += (
                [(x, y + h / 2 + 2), (x, y - h / 2 - 3)]
                if flat
                else [(x + LABEL_OFF + lean + w / 2, y), (x - LABEL_OFF - lean - w / 2, y)]
            )
        rects = [Box(x, y, w, h) for x, y in spots]
        rect = rects[0]
        # spots that widen the figure least first (a label beside the last column's curve)
        left, right = self.span
        rects.sort(key=lambda r: max(0.0, r.x + r.w / 2 - right, left - r.x + r.w / 2))
        # where every spot beside the edge is taken (edges converging on one node), spots
        # further out and on the edge's line itself, tried only then
        further = []
        for t in (0.5, 0.35, 0.65, 0.2, 0.8, 0.12, 0.88):
            x, y = on_arc(start, end, rad, t)
            further += [
                (x + 25 + w / 2, y),
                (x - 25 - w / 2, y),
                (x, y + h / 2 + 4),
                (x, y - h / 2 - 4),
            ]
        rects += [Box(x, y, w, h) for x, y in further]
        if not flat:  # last, beside it in the middle of each gap between rows it crosses:
            # a curve's spots at fractions of its length may all reach into a box
            rects += [
                Box(x + side * (5 + lean + w / 2), y, w, h)
                for x, y, lean in self._crossing_gaps(start, end, rad, h)
                for side in (1, -1)
            ]
        # the first spot that covers nothing and keeps clear of every line; where none
        # does, the one that covers least (frames' lines and title bands first, then nodes,
        # then labels, then lines through it, other edges' lines near it, its own, then
        # boxes near it)
        best: tuple[float, ...] | None = None
        for spot in rects:
            cost = self._cost(spot, frames, index)
            if best is None or cost < best:
                best, rect = cost, spot
            if not any(cost) and not self._beside_another(spot, index):
                rect = spot  # else the first spot that covers nothing, beside another line
                break
        # its own line through a label, past a corner's graze, reads as a strike-through,
        # whatever the target
        slide = self.sizes.edge == self.sizes.text
        if not flat and (self._through(rect, index, 0.1) or slide and self._through(rect)):
            best = self._cost(rect, frames, index, 0.0)  # slide labels: by their boxes alone
            # a label as large as the text (a slide's) beside a shallow line, or between
            # lines, that one runs through (not past a corner), or any label its own line
            # cuts: above or below the line too, as far off as it climbs over half the
            # label, and not run on from another label
            for x, y, climb in self._along(start, end, rad):
                for side in (1, -1) if climb < 1 else ():
                    spot = Box(x, y + side * (h / 2 + 3 + climb * w / 2), w, h)
                    wide = Box(x, spot.y, w + 2 * LABEL_GAP, h + LABEL_GAP)
                    if any(overlap(wide, other) for _, other in self.label_index.near(wide)):
                        continue
                    if (cost := self._cost(spot, frames, index, 0.0)) < best:
                        best, rect = cost, spot
        self.placed.append(rect)
        self.label_index.add(rect, rect)
        return rect

    def _cost(
        self, spot: Box, frames: list[tuple[Box, Box]], index: int, slack: float = TEXT_SLACK
    ) -> tuple[float, ...]:
        """What edge `index`'s label at `spot` covers: frames' lines and title bands, nodes,
        labels, lines: any through it, other edges' within LINE_CLEAR, any within LABEL_CLEAR
        of the ink a browser may set `slack` wider; last, boxes within BOX_CLEAR."""
        inked = Box(spot.x + spot.w * slack / 2, spot.y, spot.w * (1 + slack), spot.h)
        reach = Box(inked.x, inked.y, inked.w + 2 * LINE_CLEAR, inked.h + 2 * LINE_CLEAR)
        lines = [entry for entry, _ in self.line_index.near(reach)]
        roomy = Box(spot.x, spot.y, spot.w + 2 * BOX_CLEAR, spot.h + 2 * BOX_CLEAR)
        return (
            sum(overlap(spot, band) or _straddles(spot, box) for box, band in frames),
            sum(overlap(spot, box) for _, box in self.node_index.near(spot)),
            sum(overlap(spot, other) for _, other in self.label_index.near(spot)),
            sum(spot.contains(*p, pad=0.0) for _, p in lines),
            sum(_gap(spot, p) < LINE_CLEAR for k, p in lines if k != index),
            sum(inked.contains(*p, pad=LABEL_CLEAR) for _, p in lines),
            sum(overlap(roomy, box) for _, box in self.node_index.near(roomy)),
        )

    def _beside_another(self, spot: Box, index: int) -> bool:
        """Whether the line of an edge that meets edge `index` at no node passes a label at
        `spot` about as near as the edge's own (within LABEL_OFF more): the label would read as
        that edge's. Asked of a slide's layer graph, whose labels, as large as its text, stand
        among long edges."""
        if self.sizes.edge != self.sizes.text or self.scene.flow != "down":
            return False
        ends = {self.scene.edges[index].src, self.scene.edges[index].dst}
        apart = {k for k, e in enumerate(self.scene.edges) if not ends & {e.src, e.dst}}

        near = self.line_index.near(
            Box(spot.x, spot.y, spot.w + 8 * LABEL_OFF, spot.h + 8 * LABEL_OFF)
        )
        own = min((_gap(spot, p) for (k, p), _ in near if k == index), default=math.inf)
        reach = max(own, LABEL_OFF) + LABEL_OFF
        return any(_gap(spot, p) < reach for (k, p), _ in near if k in apart)

    def _through(self, rect: Box, edge: int | None = None, depth: float = 0.25) -> bool:
        """Whether a line (of edge `edge` alone, if given) runs through a label's rectangle,
        deeper than `depth` of its height (a slanted line passing it cuts a corner clear of
        its glyphs)."""
        left, right = rect.x - rect.w / 2, rect.x + rect.w / 2
        bottom, top = rect.y - rect.h / 2, rect.y + rect.h / 2
        return any(
            min(x - left, right - x, y - bottom, top - y) > rect.h * depth
            for (k, (x, y)), _ in self.line_index.near(rect)
            if edge is None or k == edge
        )

    def _along(self, start: Point, end: Point, rad: float) -> list[tuple[float, float, float]]:
        """Points along a route, the middle first, with how steeply it climbs there."""
        found = []
        for t in (0.5, 0.4, 0.6, 0.3, 0.7):
            (x0, y0), (x1, y1) = (
                on_arc(start, end, rad, t - 0.01),
                on_arc(start, end, rad, t + 0.01),
            )
            found.append((*on_arc(start, end, rad, t), abs(y1 - y0) / max(abs(x1 - x0), 1e-9)))
        return found

    def _crossing_gaps(
        self, start: Point, end: Point, rad: float, h: float
    ) -> list[tuple[float, float, float]]:
        """Where a route crosses the middle of a gap between rows: x, y and how far a label
        of height `h` beside it must stand off for its corners to clear the line."""
        found = []
        samples = [on_arc(start, end, rad, k / 64) for k in range(65)]
        ys = [y for _, y in samples]
        # the gaps (in row order, so by height) within the route's heights: a deep stack has
        # hundreds, a route crosses a few
        within = slice(
            bisect_left(self.gap_middles, min(ys)), bisect_right(self.gap_middles, max(ys))
        )
        for middle in self.gap_middles[within]:
            for (x0, y0), (x1, y1) in pairwise(samples):
                if min(y0, y1) <= middle < max(y0, y1):
                    x = x0 + (x1 - x0) * (middle - y0) / (y1 - y0)
                    found.append((x, middle, min(abs(x1 - x0) / abs(y1 - y0), 3.0) * h / 2))
                    break
        return found

    def _tentative_frame(self, group: Group) -> tuple[Box, Box]:
        """A group's frame as its nodes alone make it, and the band its title takes above
        them (before any label is placed; the labels of its own edges may widen it)."""
        parts = [self.boxes[n] for n in group.nodes]
        left = min(b.x - b.w / 2 for b in parts) - FRAME_PAD
        right = max(b.x + b.w / 2 for b in parts) + FRAME_PAD
        bottom = min(b.y - b.h / 2 for b in parts) - FRAME_PAD
        top = max(b.y + b.h / 2 for b in parts) + FRAME_PAD
        height = self.group_labels[group.id].height + 4
        frame = Box(
            (left + right) / 2, (bottom + top + height) / 2, right - left, top + height - bottom
        )
        return frame, Box((left + right) / 2, top + height / 2, right - left, height)

    def loop_box(self, nid: str) -> tuple[Box, int]:
        """The room node `nid`'s self-loop takes beside it, and its side (+1 right, -1 left)."""
        b, side = self.boxes[nid], -1 if nid in self.left else 1
        return Box(b.x + side * (b.w / 2 + LOOP / 2), b.y, LOOP, b.h), side

    def loop_points(self, nid: str) -> list[Point]:
        """The self-loop's cubic (start, two controls, end) out of one side of its node and
        back, the arrow into the lower end."""
        b, side = self.boxes[nid], self.loop_box(nid)[1]
        r = b.x + side * b.w / 2
        return [
            (r, b.y + b.h / 4),
            (r + side * LOOP, b.y + b.h / 2 + 6),
            (r + side * LOOP, b.y - b.h / 2 - 6),
            (r, b.y - b.h / 4),
        ]

    def _frame(self, group: Group) -> Box:
        """A group's frame: its nodes, their self-loops, and the labels and curves of its
        own edges."""
        inside = set(group.nodes)
        parts = [self.boxes[n] for n in group.nodes]
        for i, e in enumerate(self.scene.edges):
            if e.src in inside and e.dst in inside:
                if i in self.label_at:
                    parts.append(self.label_at[i])
                route = self.routes[i]
                if route is not None and route[2]:  # a curve bulges out of the boxes
                    parts += [Box(*on_arc(*route, k / 8), 3.0, 3.0) for k in range(1, 8)]
                if e.src == e.dst:
                    parts.append(self.loop_box(e.src)[0])
        left = min(b.x - b.w / 2 for b in parts) - FRAME_PAD
        right = max(b.x + b.w / 2 for b in parts) + FRAME_PAD
        bottom = min(b.y - b.h / 2 for b in parts) - FRAME_PAD
        title = self.group_labels[group.id].height
        top = max(b.y + b.h / 2 for b in parts) + FRAME_PAD + title + 4
        return Box((left + right) / 2, (bottom + top) / 2, right - left, top - bottom)

    def _canvas(self) -> tuple[float, float, float]:
        """The figure's width and height around the drawing and the header, and how far the
        drawing is lifted on it (a slide's: centred on the aspect's nearest side)."""
        left, bottom, right, top = self._extent()
        width = max(right - left, self.header.width, self.legend.width) + 2 * MARGIN
        height = (top - bottom) + HEAD_GAP + self.header.height + self.legend.height + 2 * MARGIN
        widest = style.ASPECT.get(self.target, (0.0, math.inf))
        lift = max(0.0, width / widest[1] - height) / 2
        return max(width, height * widest[0]), height + 2 * lift, lift

    def _scale(self) -> float:
        """The scale a slide's area shows the figure at (a column's: 1)."""
        width, height, _ = self._canvas()
        return min(AREA[0] / width, AREA[1] / height) if self.target in style.ASPECT else 1.0

    def _extent(self) -> tuple[float, float, float, float]:
        """The drawing's left, bottom, right and top: its boxes, labels, frames, loops and
        curves."""
        parts = list(self.boxes.values()) + self.placed + self.frames
        parts += [  # labels drawn under boxes drawn to scale
            Box(b.x, b.y - b.h / 2 - 3 - block.height / 2, block.width, block.height)
            for n in self.scene.nodes
            if n.extent
            for b, block in ((self.boxes[n.id], self.blocks[n.id]),)
        ]
        parts += [self.loop_box(e.src)[0] for e in self.scene.edges if e.src == e.dst]
        parts += [  # curves bulge out of the boxes' extent (a last column's bent edges)
            Box(*on_arc(r[0], r[1], r[2], i / 8), 3.0, 3.0)
            for r in self.routes
            if r is not None and r[2]
            for i in range(1, 8)
        ]
        return (
            min(b.x - b.w / 2 for b in parts),
            min(b.y - b.h / 2 for b in parts),
            max(b.x + b.w / 2 for b in parts),
            max(b.y + b.h / 2 for b in parts),
        )

    def _fit(self) -> None:
        """Move everything so the drawing starts at the margin, centred on its canvas."""
        left, bottom, right, _ = self._extent()
        self.width, self.height, lift = self._canvas()
        dx = MARGIN + (self.width - 2 * MARGIN - (right - left)) / 2 - left
        dy = MARGIN + lift - bottom
        for b in [*self.boxes.values(), *self.placed, *self.frames]:
            b.x += dx
            b.y += dy
        self.routes = [
            None
            if r is None
            else ((r[0][0] + dx, r[0][1] + dy), (r[1][0] + dx, r[1][1] + dy), r[2])
            for r in self.routes
        ]


def _inset(box: Box) -> float:
    """How far from its centre an edge may leave or enter a box's top or bottom: SPREAD in
    from its corner, or a quarter of a narrow box's width."""
    return box.w / 2 - min(SPREAD, box.w / 4)


def _toward(box: Box, other: Box) -> Point:
    """Where an edge between `box` and `other` meets the side of `box` facing `other` in
    the rows (its top or bottom), as near `other` as the corner's inset lets."""
    x = _within(other.x, box.x, 2 * _inset(box))
    return x, box.y - math.copysign(box.h / 2, box.y - other.y)


def _within(v: float, centre: float, length: float) -> float:
    """`v` kept on a side of `length` centred at `centre`."""
    return min(max(v, centre - length / 2), centre + length / 2)


def _gap(rect: Box, p: Point) -> float:
    """How far point `p` lies outside a rectangle (0 inside it)."""
    return math.hypot(
        max(abs(p[0] - rect.x) - rect.w / 2, 0.0), max(abs(p[1] - rect.y) - rect.h / 2, 0.0)
    )


def _straddles(rect: Box, frame: Box) -> bool:
    """Whether a label lies across a frame's line: partly inside it, partly out."""
    inside = (
        abs(rect.x - frame.x) <= (frame.w - rect.w) / 2
        and abs(rect.y - frame.y) <= (frame.h - rect.h) / 2
    )
    return overlap(rect, frame) and not inside
