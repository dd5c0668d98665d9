"""The matplotlib backend: a laid-out scene painted with explicit coordinates, the
hand-drawn teaching look. Layout (measuring, placing, routing) is `layout.py`'s; here each
box, arrow and text piece is drawn where it says, and the figure saved.
"""

from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, cast

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from .. import style
from ..scene import Edge, Node, Scene
from ..style import Theme
from . import frames
from .geometry import Box, Route
from .layout import MARGIN, Block, Layout, measuring
from .reproducible import source_date

if TYPE_CHECKING:  # the names of rc settings, from matplotlib's stubs: for the type checker only
    from matplotlib.typing import RcKeyType


def draw_scenes(scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
    """The matplotlib backend: each scene laid out and painted with explicit coordinates; as
    a build (`frames`), one step of it (`build`: k) or, in SVG, all steps animated."""
    theme, editable = style.THEMES[options["theme"]], options["text"] == "editable"
    build = options.get("build") if options.get("frames") else None
    animate = bool(options.get("frames")) and build is None and fmt == "svg"
    target = options.get("target", "column")
    return [
        draw(scene, fmt, theme, options["dpi"], editable, build, animate, target)
        for scene in scenes
    ]


def draw(
    scene: Scene,
    fmt: str,
    theme: Theme,
    dpi: int,
    editable_text: bool,
    build: int | None = None,
    animate: bool = False,
    target: str = "column",
) -> bytes:
    with measuring(editable_text, scene.name):
        return _Drawing(scene, theme, target).save(fmt, dpi, build, animate)


def _place(
    ax: Axes,
    block: Block,
    x: float,
    top: float,
    output: tuple[str, int],
    align: str = "center",
    gid: str | None = None,
) -> None:
    """Draw a block with its top edge at `top`; x is its centre or left edge. `output`: the
    format and dpi the figure is saved in."""
    y, serial, rc = top, 0, matplotlib.rcParams
    settings = repr([rc[k] for k in _FONT_RC])
    for pieces, width, height in block.lines:
        y -= height
        left = x - width / 2 if align == "center" else x
        for p in pieces:
            serial += 1
            # what `ax.text` makes, but without the axes' clip box, which text does not use
            # (`clip_on` is False) and which cost each piece a transform of its own
            text = _Piece(
                (*output, p.size, p.weight, settings),
                left + p.dx,
                y + height * 0.25 + p.rise,
                p.text,
                fontproperties=_font(p.size, p.weight, settings),
                color=p.color,
                ha="left",
                va="baseline",
                gid=gid and f"{gid}-{serial}",  # ids are unique, one a piece
                transform=ax.transData,
                clip_on=False,
            )
            cast(Any, ax)._add_text(text)  # private: absent from matplotlib's stubs


# what a FontProperties takes from rc besides the size and weight it is given, and what
# measuring text in it does (the hinting of a PNG's)
_FONT_RC: tuple[RcKeyType, ...] = (
    "font.family",
    "font.style",
    "font.variant",
    "font.stretch",
    "mathtext.fontset",
    "text.hinting",
    "text.hinting_factor",
)

_LAYOUTS: dict[tuple[Any, ...], Any] = {}  # a piece's key and string -> its layout
_LAYOUTS_HELD = 4096  # and emptied when it holds this many


class _Piece(Text):
    """A piece of text, whose layout (measured, to set its line on its anchor) matplotlib
    works out once per string, font and output in a process rather than once per piece
    drawn: a deep figure draws the same few strings thousands of times. `key`: the format and
    dpi of the output, the size, weight and `_FONT_RC` settings of the font (the string and
    how it is aligned and turned are the piece's own)."""

    def __init__(self, key: tuple[Any, ...], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key = key

    def _get_layout(self, renderer: Any) -> Any:
        placed = (self.get_horizontalalignment(), self.get_verticalalignment(), self.get_rotation())
        key = (*self._key, self.get_text(), *placed)
        found = _LAYOUTS.get(key)
        if found is None:
            if len(_LAYOUTS) >= _LAYOUTS_HELD:
                _LAYOUTS.clear()
            found = _LAYOUTS[key] = cast(Any, Text)._get_layout(self, renderer)
        return found


# a piece's font (as it was made: FontProperties compare by value) -> the files it resolves to
_FILES: dict[FontProperties, list[Any]] = {}


@cache
def _font(size: float, weight: str, settings: str) -> FontProperties:
    """The font of a piece of text, made once per size, weight and rc `settings` (each text
    copies it): resolving a new FontProperties from rc for every piece cost a fifth of a deep
    figure's drawing. Its font files are looked up once too (`_FILES`)."""
    font = FontProperties(size=size, weight=weight)
    _FILES[font.copy()] = cast(Any, fontManager)._find_fonts_by_props(font)
    return font


def _share_text_paths() -> Any:
    """Text written as paths (SVG's default) was looked up and laid out anew for each piece,
    though a deep figure repeats a few strings thousands of times: its font files found from
    its FontProperties (`_get_font`), the string shaped by FreeType and every glyph's outline
    loaded (`get_glyphs_with_font`, a fifth of such a figure's drawing). A piece's font has
    its files found once (`_font`); a layout, a pure function of the font (an FT2Font, which
    `_get_font` sizes alike for every layout), the string and its options, is made once per
    process, kept with the outlines a figure's defs take of the glyphs it has not drawn yet.
    Patched on matplotlib's class, as `layout.py` shares the mathtext parses: each renderer
    makes a TextToPath of its own."""
    path_class: Any = TextToPath  # private members, absent from matplotlib's stubs
    find_font, uncached = path_class._get_font, path_class.get_glyphs_with_font
    makers: dict[type, Any] = {}

    def _get_font(self: Any, prop: FontProperties) -> Any:
        files = _FILES.get(prop)
        if files is None:  # not a piece's font
            return find_font(self, prop)
        font = get_font(files)
        font.set_size(self.FONT_SCALE, self.DPI)  # as matplotlib's own
        return font

    @lru_cache(4096)
    def laid_out(kind: type, font: Any, s: str, options: tuple[tuple[str, Any], ...]) -> Any:
        return uncached(makers[kind], font, s, **dict(options))

    def get_glyphs_with_font(
        self: Any,
        font: Any,
        s: str,
        glyph_map: dict[str, Any] | None = None,
        return_new_glyphs_only: bool = False,
        **options: Any,
    ) -> tuple[list[Any], dict[str, Any], list[Any]]:
        kind: Any = type(self)  # its glyphs' names are its class's
        makers.setdefault(kind, self)
        glyphs, outlines, rects = laid_out(kind, font, s, tuple(sorted(options.items())))
        known = OrderedDict() if glyph_map is None else glyph_map
        new = OrderedDict() if return_new_glyphs_only else known
        new.update((name, outline) for name, outline in outlines.items() if name not in known)
        return list(glyphs), new, list(rects)

    path_class._get_font = _get_font
    path_class.get_glyphs_with_font = get_glyphs_with_font
    return laid_out


GLYPH_LAYOUTS = _share_text_paths()  # the shared layouts
# keyed by fonts (FT2Font objects) a forked child does not use: matplotlib makes it its own
os.register_at_fork(after_in_child=GLYPH_LAYOUTS.cache_clear)


_CANVAS = threading.local()


def _canvas() -> tuple[Figure, Axes]:
    """The figure and axes every drawing of the thread paints on, emptied first: a new Axes
    makes its axis, ticks and spines (never drawn here), a fifth of a small figure's painting.
    One a thread: `watch` draws each spec in a thread of its own."""
    canvas: tuple[Figure, Axes] | None = getattr(_CANVAS, "canvas", None)
    if canvas is None:
        fig = Figure(dpi=72)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        canvas = _CANVAS.canvas = (fig, ax)
    return canvas


def _band(ax: Axes, box: Box, rounding: float, **style: Any) -> None:
    """A rounded rectangle around a box: a group's frame, a build's highlighted step."""
    ax.add_artist(
        FancyBboxPatch(
            (box.x - box.w / 2, box.y - box.h / 2),
            box.w,
            box.h,
            boxstyle=f"round,pad=0,rounding_size={rounding:g}",
            **style,
        )
    )


class _Drawing(Layout):
    """The layout, painted."""

    gids: dict[str, str]  # node id or edge index -> the gid of its build (animated SVG)
    serial: int  # artists tagged so far: gids are unique
    output: tuple[str, int]  # the format and dpi saved in

    def save(self, fmt: str, dpi: int, build: int | None = None, animate: bool = False) -> bytes:
        """The figure; with `build`, only that step of its build (and the ones before it), the
        step highlighted; with `animate`, every artist tagged with the step it appears at."""
        fig, ax = _canvas()
        for artist in [*ax.patches, *ax.texts]:  # the last figure's (every one drawn here)
            artist.remove()
        fig.set_size_inches(self.width / 72, self.height / 72)
        fig.patch.set_facecolor(self.theme.background)
        ax.set_xlim(0, self.width)
        ax.set_ylim(0, self.height)
        top = self.height - MARGIN
        self.output = (fmt, dpi if fmt == "png" else 72)
        _place(ax, self.header, MARGIN, top, self.output, "left")
        _place(ax, self.legend, MARGIN, top - self.header.height, self.output, "left")
        for frame, group in zip(
            self.frames, [g for g in self.scene.groups if g.label], strict=True
        ):
            _band(
                ax,
                frame,
                10,
                facecolor="none",
                edgecolor=self.theme.frame,
                linestyle="--",
                linewidth=1.0,
                zorder=1,
            )
            _place(
                ax,
                self.group_labels[group.id],
                frame.x - frame.w / 2 + 8,
                frame.y + frame.h / 2 - 3,
                self.output,
                "left",
            )
        steps = frames.added(self.scene) if build is not None or animate else []
        self.gids, self.serial = {}, 0
        if animate:
            for k, (_, nodes, edges) in enumerate(steps):
                self.gids |= {n: f"rnnb{k}" for n in nodes} | {str(i): f"rnnb{k}" for i in edges}
        shown_nodes, shown_edges = None, None
        for k, (step, _, _) in enumerate(steps):
            if build is not None and k != build:
                continue
            for j, band in enumerate(frames.highlight(self, step.column)):
                _band(
                    ax,
                    band,
                    8,
                    facecolor=self.theme.frame,
                    edgecolor="none",
                    alpha=0.15,
                    zorder=0.5,
                    # ids unique: a second panel's band of the step numbered after it
                    gid=(f"rnnh{k}-{j}" if j else f"rnnh{k}") if animate else None,
                )
            shown_nodes, shown_edges = step.nodes, step.edges
        for i, (edge, route) in enumerate(zip(self.scene.edges, self.routes, strict=True)):
            if shown_edges is None or i in shown_edges:
                self._edge(ax, edge, route, i)
        for node in self.scene.nodes:
            if shown_nodes is None or node.id in shown_nodes:
                self._node(ax, node)
        buf = io.BytesIO()
        metadata = {
            "svg": {"Date": None, "Creator": None, "Title": self.scene.name},
            "pdf": {
                "CreationDate": source_date(),  # SOURCE_DATE_EPOCH, else none
                "ModDate": None,
                "Producer": None,
                "Creator": None,
                "Title": self.scene.name,
            },
            "png": {"Software": None},
        }[fmt]
        fig.savefig(
            buf,
            format=fmt,
            dpi=self.output[1],
            metadata=metadata,
            facecolor=self.theme.background,
        )
        data = buf.getvalue()  # matplotlib writes the SVG <title> from metadata["Title"]
        return frames.classify(data, len(steps)) if animate else data

    def _gid(self, key: str) -> str | None:
        """A unique gid in the build of a node (its id) or edge (its index), when animated."""
        if key not in self.gids:
            return None
        self.serial += 1
        return f"{self.gids[key]}-{self.serial}"

    def _edge_gid(self, index: int, part: str) -> str:
        """The gid of an edge's `part` (`line`, `label`): its build's when animated, else
        `rnnedge<index>-<part>`, so a reader (the browser tests) tells an edge's own label
        from other text, as Graphviz's `<g class="edge">` holds both."""
        return self._gid(str(index)) or f"rnnedge{index}-{part}"

    def _node(self, ax: Axes, node: Node) -> None:
        if node.shape == "exit":
            return
        box = self.boxes[node.id]
        fill, stroke = self.theme.roles[node.role]
        dashed = node.emphasis == "faded"
        kw: dict[str, Any] = dict(
            facecolor=fill,
            edgecolor=stroke,
            linewidth=1.3,
            linestyle="--" if dashed else "-",
            zorder=2,
            gid=self._gid(node.id),
        )
        left, bottom = box.x - box.w / 2, box.y - box.h / 2
        if node.shape == "circle":
            ax.add_artist(Circle((box.x, box.y), box.w / 2, **kw))
        elif node.shape == "round":
            ax.add_artist(
                FancyBboxPatch(
                    (left, bottom), box.w, box.h, boxstyle="round,pad=0,rounding_size=7", **kw
                )
            )
        elif node.shape == "box":
            ax.add_artist(Rectangle((left, bottom), box.w, box.h, **kw))
        block = self.blocks[node.id]
        if node.extent:
            _place(ax, block, box.x, bottom - 3, self.output, gid=self._gid(node.id))
        else:
            top = box.y + block.height / 2
            _place(ax, block, box.x, top, self.output, gid=self._gid(node.id))

    def _edge(self, ax: Axes, edge: Edge, route: Route | None, index: int) -> None:
        style_kw: dict[str, Any] = dict(
            arrowstyle="-|>,head_length=6,head_width=3",
            color=self.theme.edges[edge.role],
            linewidth=1.2,
            linestyle="--" if edge.style == "dashed" else "-",
            zorder=3,
            shrinkA=0,
            shrinkB=0,
            mutation_scale=1,
            gid=self._edge_gid(index, "line"),
        )
        if route is None:  # self-loop beside the node
            path = Path(
                self.loop_points(edge.src),
                [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4],
            )
            ax.add_artist(FancyArrowPatch(path=path, **style_kw))
        else:
            start, end, rad = route
            ax.add_artist(
                FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", **style_kw)
            )
        if index in self.label_at:
            rect = self.label_at[index]
            _place(
                ax,
                self.edge_blocks[index],
                rect.x - rect.w / 2,
                rect.y + rect.h / 2,
                self.output,
                "left",
                self._edge_gid(index, "label"),
            )
