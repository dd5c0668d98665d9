"""Scene -> matplotlib figure with explicit coordinates: the hand-drawn teaching look.

Everything is laid out in points (1/72 in) on one axes that spans the figure, from the
scene's grid positions and measured text. Text and math are separate pieces: plain runs
(any language, Hangul included) are plain text with font fallback; symbols go through
mathtext, which would turn Hangul into placeholder boxes.
"""
from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from .. import style
from ..scene import Edge, Label, Line, Node, Run, Scene
from ..style import Theme

PAD_X, PAD_Y = 9.0, 6.0          # inside node boxes
GAP_X, GAP_Y = 40.0, 46.0        # between grid cells
MARGIN = 14.0
LINE = 1.28                      # line height, in font sizes
LOOP = 26.0                      # how far a self-loop reaches out of its node
HEAD_GAP = 12.0                  # between the legend and the figure body


def _font_families() -> list[str]:
    """The main font plus the installed fallbacks (a missing one would only warn)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not any(n in names for n in style.FONT_FALLBACKS) and shutil.which("fc-match"):
        for family in style.FONT_FALLBACKS:
            path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True).stdout
            if path and family.replace(" ", "").lower() in path.replace(" ", "").lower():
                font_manager.fontManager.addfont(path)
                names.add(family)
                break
    return [style.FONT] + [f for f in style.FONT_FALLBACKS if f in names]


def _rc(editable_text: bool) -> dict:
    return {
        "font.family": _font_families(),
        "mathtext.fontset": "dejavusans",
        "svg.hashsalt": "rnndiagrams",            # stable ids in SVG output
        "svg.fonttype": "none" if editable_text else "path",
        "pdf.fonttype": 42,
        "axes.unicode_minus": False,
    }


_MATH_SPECIAL = re.compile(r"([\\{}_^$%#&~])")


def _math(text: str) -> str:
    return _MATH_SPECIAL.sub(r"\\\1", text).replace("→", r"\rightarrow").replace("←", r"\leftarrow")


def _run_text(run: Run) -> tuple[str, bool]:
    """The string for one run and whether it holds mathtext."""
    scripts = ""
    if run.sub:
        scripts += "_{" + _math(run.sub) + "}"
    if run.sup:
        scripts += "^{" + _math(run.sup) + "}"
    if run.italic:
        return f"${_math(run.text)}{scripts}$", True
    plain = run.text.replace("$", r"\$")
    return (plain + (f"$\\mathregular{{}}{scripts}$" if scripts else "")), bool(scripts)


@dataclass
class _Piece:
    text: str
    size: float
    color: str
    dx: float          # offset from the line's left edge
    width: float
    weight: str = "normal"


@dataclass
class _Block:
    """A measured multi-line label: lines of pieces, each line centred or left-aligned."""
    lines: list[tuple[list[_Piece], float, float]]   # pieces, width, height
    width: float
    height: float


class _Measure:
    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        fig = Figure(dpi=72)
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        self.props = FontProperties(family=matplotlib.rcParams["font.family"])

    def width(self, text: str, size: float, math: bool, weight: str = "normal") -> float:
        props = self.props.copy()
        props.set_size(size)
        props.set_weight(weight)
        w, _, _ = self.renderer.get_text_width_height_descent(text, props, ismath=math)
        return w

    def block(self, label: Label, size: float, color: str, weight: str = "normal") -> _Block:
        lines = []
        for line in label:
            pieces, x, top = [], 0.0, 0.0
            for run in line:
                text, math = _run_text(run)
                run_size = style.SMALL_SIZE if run.small else size
                if not text:
                    continue
                w = self.width(text, run_size, math, weight)
                pieces.append(_Piece(text, run_size, self.theme.muted if run.small else color, x, w, weight))
                x += w
                top = max(top, run_size)
            lines.append((pieces, x, (top or size) * LINE))
        width = max((w for _, w, _ in lines), default=0.0)
        return _Block(lines, width, sum(h for _, _, h in lines))


def _place(ax, block: _Block, x: float, top: float, align: str = "center") -> None:
    """Draw a block with its top edge at `top`; x is its centre or left edge."""
    y = top
    for pieces, width, height in block.lines:
        y -= height
        left = x - width / 2 if align == "center" else x
        for p in pieces:
            ax.text(left + p.dx, y + height * 0.25, p.text, fontsize=p.size, color=p.color,
                    fontweight=p.weight, ha="left", va="baseline")


@dataclass
class _Box:
    x: float   # centre
    y: float
    w: float
    h: float

    def clip(self, tx: float, ty: float) -> tuple[float, float]:
        """Where the ray from the centre towards (tx, ty) leaves the box."""
        dx, dy = tx - self.x, ty - self.y
        if dx == 0 and dy == 0:
            return self.x, self.y
        sx = (self.w / 2) / abs(dx) if dx else float("inf")
        sy = (self.h / 2) / abs(dy) if dy else float("inf")
        s = min(sx, sy)
        return self.x + dx * s, self.y + dy * s

    def contains(self, px: float, py: float, pad: float = 2.0) -> bool:
        return abs(px - self.x) < self.w / 2 + pad and abs(py - self.y) < self.h / 2 + pad


def draw(scene: Scene, fmt: str, theme: Theme, dpi: int, editable_text: bool) -> bytes:
    # NanumGothic's bold is weight 600, DejaVu's 700: findfont's notice of that substitution is
    # noise here. Missing glyphs are warned through `warnings`, which stays on.
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(_rc(editable_text)):
            return _Drawing(scene, theme).save(fmt, dpi)
    finally:
        log.setLevel(level)


class _Drawing:
    def __init__(self, scene: Scene, theme: Theme) -> None:
        self.scene, self.theme = scene, theme
        self.nodes = {n.id: n for n in scene.nodes}
        self.placed: list[_Box] = []   # edge labels already placed
        self.m = _Measure(theme)
        self.blocks = {n.id: self.m.block(n.label, style.FONT_SIZE, theme.text if n.emphasis == "solid" else theme.muted)
                       for n in scene.nodes}
        self.edge_blocks = {i: self.m.block(e.label, style.SMALL_SIZE + 2, theme.edges[e.role])
                            for i, e in enumerate(scene.edges) if e.label}
        self._layout()

    # -- layout ----------------------------------------------------------------------
    def _size(self, node: Node) -> tuple[float, float]:
        if node.extent:
            return node.extent
        b = self.blocks[node.id]
        w, h = b.width + 2 * PAD_X, b.height + 2 * PAD_Y
        if node.shape == "circle":
            w = h = max(w, h)
        return w, h

    def _layout(self) -> None:
        scene = self.scene
        sizes = {n.id: self._size(n) for n in scene.nodes}
        below = {n.id: self.blocks[n.id].height + 4 if n.extent else 0.0 for n in scene.nodes}
        flat = scene.flow == "right"
        cols = sorted({(n.pos[1] if flat else n.pos[0]) for n in scene.nodes})
        rows = sorted({(n.pos[0] if flat else n.pos[1]) for n in scene.nodes})
        col_of = {n.id: (n.pos[1] if flat else n.pos[0]) for n in scene.nodes}
        row_of = {n.id: (n.pos[0] if flat else n.pos[1]) for n in scene.nodes}
        col_w = {c: 0.0 for c in cols}
        row_h = {r: 0.0 for r in rows}
        for n in scene.nodes:
            w, h = sizes[n.id]
            col_w[col_of[n.id]] = max(col_w[col_of[n.id]], w, self.blocks[n.id].width if n.extent else 0)
            row_h[row_of[n.id]] = max(row_h[row_of[n.id]], h + below[n.id])
        # room to the right of a column for labels of edges leaving it upwards, and self-loops
        extra = {c: GAP_X for c in cols}
        for i, e in enumerate(scene.edges):
            if i in self.edge_blocks:
                need = self.edge_blocks[i].width + 10 + (LOOP if e.src == e.dst else 0)
                c = col_of[e.src]
                extra[c] = max(extra[c], need)
        xs, x = {}, MARGIN
        for c in cols:
            xs[c] = x + col_w[c] / 2
            x += col_w[c] + extra[c]
        body_w = x - extra[cols[-1]] + max(extra[cols[-1]] - GAP_X, 0) + MARGIN
        ys, y = {}, 0.0
        order = rows if scene.flow != "down" else list(reversed(rows))
        for r in order:
            ys[r] = y + row_h[r] / 2
            y += row_h[r] + GAP_Y
        body_h = y - GAP_Y
        self.boxes = {}
        for n in scene.nodes:
            w, h = sizes[n.id]
            cx = xs[col_of[n.id]]
            cy = ys[row_of[n.id]] + below[n.id] / 2
            self.boxes[n.id] = _Box(cx, cy, w, h)
        self.group_pad = 12.0 if scene.groups else 0.0
        self.header = self.m.block(scene.title, style.FONT_SIZE, self.theme.text, "bold")
        self.legend = self.m.block(scene.legend, style.SMALL_SIZE + 1, self.theme.text)
        head_h = self.header.height + self.legend.height + HEAD_GAP
        self.width = max(body_w + 2 * self.group_pad, self.header.width + 2 * MARGIN, self.legend.width + 2 * MARGIN)
        shift_x = self.group_pad + (self.width - body_w - 2 * self.group_pad) / 2 if body_w < self.width else 0
        shift_y = MARGIN + self.group_pad + (18 if scene.groups else 0)
        for b in self.boxes.values():
            b.x += shift_x
            b.y += shift_y
        self.body_top = shift_y + body_h + self.group_pad
        self.height = self.body_top + head_h + MARGIN

    # -- drawing ---------------------------------------------------------------------
    def save(self, fmt: str, dpi: int) -> bytes:
        fig = Figure(figsize=(self.width / 72, self.height / 72), dpi=72)
        fig.patch.set_facecolor(self.theme.background)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(0, self.height)
        ax.set_axis_off()
        top = self.height - MARGIN
        _place(ax, self.header, MARGIN, top, "left")
        _place(ax, self.legend, MARGIN, top - self.header.height, "left")
        for group in self.scene.groups:
            self._group(ax, group)
        routes = self._routes()
        self.lines = [_on_arc(r[0], r[1], r[2], i / 12) for r in routes if r for i in range(1, 12)]
        for i, (edge, route) in enumerate(zip(self.scene.edges, routes)):
            self._edge(ax, edge, self.edge_blocks.get(i), route)
        for node in self.scene.nodes:
            self._node(ax, node)
        buf = io.BytesIO()
        metadata = {"svg": {"Date": None, "Creator": None, "Title": self.scene.name},
                    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None,
                            "Title": self.scene.name},
                    "png": {"Software": None}}[fmt]
        fig.savefig(buf, format=fmt, dpi=dpi if fmt == "png" else 72, metadata=metadata,
                    facecolor=self.theme.background)
        return buf.getvalue()   # matplotlib writes the SVG <title> from metadata["Title"]

    def _node(self, ax, node: Node) -> None:
        box = self.boxes[node.id]
        fill, stroke = self.theme.roles[node.role]
        dashed = node.emphasis == "faded"
        kw = dict(facecolor=fill, edgecolor=stroke, linewidth=1.3, linestyle="--" if dashed else "-", zorder=2)
        left, bottom = box.x - box.w / 2, box.y - box.h / 2
        if node.shape == "circle":
            ax.add_patch(Circle((box.x, box.y), box.w / 2, **kw))
        elif node.shape == "round":
            ax.add_patch(FancyBboxPatch((left, bottom), box.w, box.h,
                                        boxstyle="round,pad=0,rounding_size=7", **kw))
        elif node.shape == "box":
            ax.add_patch(Rectangle((left, bottom), box.w, box.h, **kw))
        block = self.blocks[node.id]
        if node.extent:
            _place(ax, block, box.x, bottom - 3)
        else:
            _place(ax, block, box.x, box.y + block.height / 2)

    def _group(self, ax, group) -> None:
        members = [self.boxes[n] for n in group.nodes]
        pad = self.group_pad
        left = min(b.x - b.w / 2 for b in members) - pad
        right = max(b.x + b.w / 2 for b in members) + pad
        bottom = min(b.y - b.h / 2 for b in members) - pad
        top = max(b.y + b.h / 2 for b in members) + pad + (18 if group.label else 0)
        if group.label:
            ax.add_patch(FancyBboxPatch((left, bottom), right - left, top - bottom,
                                        boxstyle="round,pad=0,rounding_size=10", facecolor="none",
                                        edgecolor=self.theme.frame, linestyle="--", linewidth=1.0, zorder=1))
            block = self.m.block(group.label, style.FONT_SIZE, self.theme.text)
            _place(ax, block, left + 8, top - 3, "left")

    def _routes(self) -> list[tuple[tuple[float, float], tuple[float, float], float] | None]:
        """Start, end and bend of every edge (None for self-loops), decided before any label."""
        routes = []
        for edge in self.scene.edges:
            if edge.src == edge.dst:
                routes.append(None)
                continue
            a, b = self.boxes[edge.src], self.boxes[edge.dst]
            start, end = a.clip(b.x, b.y), b.clip(a.x, a.y)
            routes.append((start, end, self._bend(edge, start, end)))
        return routes

    def _edge(self, ax, edge: Edge, label: _Block | None, route) -> None:
        a = self.boxes[edge.src]
        colour = self.theme.edges[edge.role]
        style_kw = dict(arrowstyle="-|>,head_length=6,head_width=3", color=colour, linewidth=1.2,
                        linestyle="--" if edge.style == "dashed" else "-", zorder=3, shrinkA=0, shrinkB=0,
                        mutation_scale=1)
        if route is None:  # self-loop on the node's right side, label beyond it
            r = a.x + a.w / 2
            path = Path([(r, a.y + a.h / 4), (r + LOOP, a.y + a.h / 2 + 6), (r + LOOP, a.y - a.h / 2 - 6),
                         (r, a.y - a.h / 4)], [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
            ax.add_patch(FancyArrowPatch(path=path, **style_kw))
            if label:
                _place(ax, label, r + LOOP + 2, a.y + label.height / 2, "left")
                self.placed.append(_Box(r + LOOP + 2 + label.width / 2, a.y, label.width, label.height))
            return
        start, end, rad = route
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", **style_kw))
        if label:
            left, top = self._label_spot(label, start, end, rad)
            _place(ax, label, left, top, "left")

    def _label_spot(self, label: _Block, start, end, rad: float) -> tuple[float, float]:
        """The first spot along the edge, beside it, where the label covers no node and no
        other label; edges within a row take their label above the line."""
        w, h = label.width, label.height
        flat = abs(end[1] - start[1]) < 1
        spots = []
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            x, y = _on_arc(start, end, rad, t)
            if flat:
                spots += [(x - w / 2, y + h + 2), (x - w / 2, y - 3)]
            else:
                spots += [(x + 5, y + h / 2), (x - w - 5, y + h / 2)]
        for left, top in spots:
            rect = _Box(left + w / 2, top - h / 2, w, h)
            if not any(_overlap(rect, box) for box in self.boxes.values()) and \
                    not any(_overlap(rect, other) for other in self.placed) and \
                    not any(rect.contains(x, y, pad=-1) for x, y in self.lines):
                self.placed.append(rect)
                return left, top
        return spots[0]

    def _bend(self, edge: Edge, start, end) -> float:
        """0 for a straight edge; a curve when the straight one would cross another node."""
        others = [box for nid, box in self.boxes.items() if nid not in (edge.src, edge.dst)
                  and self.nodes[nid].role != "ellipsis"]

        def crosses(rad: float) -> bool:
            return any(box.contains(*_on_arc(start, end, rad, i / 20)) for i in range(1, 20) for box in others)

        for rad in (0.0, -0.3, 0.3, -0.6, 0.6, -0.9, 0.9):
            if not crosses(rad):
                return rad
        return 0.0


def _on_arc(start, end, rad: float, t: float) -> tuple[float, float]:
    """A point of matplotlib's arc3 connection: a quadratic Bezier bulging by rad x chord."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    bulge = 2 * t * (1 - t) * rad
    return start[0] + dx * t + bulge * dy, start[1] + dy * t - bulge * dx


def _overlap(a: _Box, b: _Box) -> bool:
    return abs(a.x - b.x) < (a.w + b.w) / 2 and abs(a.y - b.y) < (a.h + b.h) / 2
