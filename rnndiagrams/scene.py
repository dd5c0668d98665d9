"""The picture model every view produces and every renderer consumes.

Backend-neutral on purpose: no Graphviz or matplotlib terms. Text is split into runs so a
renderer can set `h` italic with a `t-1` subscript in whatever way its medium allows.
Its records (and the spec's and shaped model's) are named tuples, immutable as frozen
dataclasses are, at a quarter of the price a render's start-up paid for those: a frozen
dataclass generates its methods from source (4M instructions each), and importing
`dataclasses` (inspect, ast, dis) cost 41M, a tenth of a Graphviz render.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

TITLE_CHARS = 56  # about 460 pt of 14 pt bold Latin: a title never sets the figure's width


class Run(NamedTuple):
    """A run of label text: a symbol with its sub- and superscript, or plain text."""

    text: str
    sub: str = ""
    sup: str = ""
    italic: bool = False  # a math symbol (x, h, W ...), set in italics
    small: bool = False  # secondary text: shapes, counts


Line = tuple[Run, ...]
Label = tuple[Line, ...]


def sym(name: str, sub: str = "", sup: str = "") -> Run:
    """A math symbol such as h_{t-1}."""
    return Run(name, sub=sub, sup=sup, italic=True)


def words(text: str, small: bool = False) -> Run:
    return Run(text, small=small)


def plain_text(label: Label) -> str:
    """The label as one string, sub/superscripts written TeX-style (for titles and tests)."""

    def run(r: Run) -> str:
        out = r.text
        if r.sub:
            out += f"_{{{r.sub}}}" if len(r.sub) > 1 else f"_{r.sub}"
        if r.sup:
            out += f"^{{{r.sup}}}"
        return out

    return "\n".join("".join(run(r) for r in line) for line in label)


class Node(NamedTuple):
    """A box, circle or text of the figure: a tensor, cell, weight or layer."""

    id: str
    label: Label
    role: str  # input | state | output | cell | layer | merge | ellipsis | operator | exit
    shape: str = "box"  # box | round | circle | plain | exit (where an output leaves the figure)
    pos: tuple[int, int] = (
        0,
        0,
    )  # grid cell (column, row): row 0 is where data enters, columns read left to right
    emphasis: str = "solid"  # solid | faded (computed but not returned)
    extent: tuple[float, float] | None = None  # drawn to scale: box width, height in points


class Edge(NamedTuple):
    """An arrow from one node to another, with its label."""

    src: str
    dst: str
    label: Label = ()
    role: str = "flow"  # input | recurrent | head | flow | merge | output
    style: str = "solid"  # solid | dashed
    # runs against the flow (right to left, backward in time; an output fed back down to
    # the next step's input): laid out with the flow, its arrow reversed
    backward: bool = False
    # the label names the edge where it arrives (a weight among edges converging on one
    # node, each read beside its own arrowhead), not midway
    at_head: bool = False


class Group(NamedTuple):
    """Nodes drawn together; with a label they get a frame, without one they only stay together."""

    id: str
    label: Label
    nodes: tuple[str, ...]


class Scene(NamedTuple):
    """One figure, backend-neutral: what a view draws and a renderer lays out."""

    name: str  # the figure's title: drawn on top, and the SVG <title>
    legend: tuple[Line, ...]
    flow: str  # up | down | right: the direction data moves
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()
    wide: bool = False  # time axes side by side: a renderer packs the columns closer
    # a time grid on a slide, short of height: a renderer sets its rows closer and keeps its
    # curves between its top and bottom rows
    short: bool = False
    packed: bool = False  # rows as close as the labels in their gaps let (a slide's graph)
    # a slide's tall grid as two panels side by side: the columns of one panel; step t stands
    # in column t of each (a build adds a step to both)
    panel: int = 0

    @property
    def title(self) -> Label:
        """The name wrapped at TITLE_CHARS, so a long title adds lines instead of width."""
        return tuple((Run(line),) for line in wrap(self.name, TITLE_CHARS))


def _columns(text: str) -> int:
    """Width in Latin-letter columns: wide (CJK, Hangul) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at `width` columns; a word longer than a line keeps a line of its own."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _columns(lines[-1]) + 1 + _columns(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def sides_past_nodes(scene: Scene) -> dict[int, int]:
    """By edge index, the side of its column each edge along a column past one of that
    column's nodes keeps in a flow up (`x_t` into the backward row past the forward one,
    `h_t->` into `y_t` past the backward one, a residual skip): +1 the right, but -1 the left
    where an edge already on the right spans rows it spans too (the two would cross). Edges
    are placed column by column, lower spans first."""
    if scene.flow != "up":
        return {}
    at = {n.id: n.pos for n in scene.nodes}
    taken = set(at.values())
    spans = {
        i: (min(at[e.src][1], at[e.dst][1]), max(at[e.src][1], at[e.dst][1]))
        for i, e in enumerate(scene.edges)
        if passes_a_node(at[e.src], at[e.dst], taken)
    }
    sides: dict[int, int] = {}
    for i in sorted(spans, key=lambda i: (at[scene.edges[i].src][0], spans[i], i)):
        col, (low, high) = at[scene.edges[i].src][0], spans[i]
        crossed = {
            side
            for j, side in sides.items()
            if at[scene.edges[j].src][0] == col and max(low, spans[j][0]) < min(high, spans[j][1])
        }
        sides[i] = 1 if 1 not in crossed or -1 in crossed else -1
    return sides


def left_loops(scene: Scene) -> frozenset[str]:
    """Ids of the nodes whose self-loop runs out of their left side, not their right: in a
    flow up, a node of the grid's first column with an edge to the node right beside it in
    its row (a folded pair's forward cell into their merge, on a slide), which the loop and
    its label would cross; left of the first column nothing stands."""
    if scene.flow != "up":
        return frozenset()
    at = {n.id: n.pos for n in scene.nodes}
    first = min(x for x, _ in at.values())
    looped = {e.src for e in scene.edges if e.src == e.dst}
    return frozenset(
        e.src
        for e in scene.edges
        if e.src in looped and at[e.src][0] == first and at[e.dst] == (first + 1, at[e.src][1])
    )


def passes_a_node(a: tuple[int, int], b: tuple[int, int], taken: set[tuple[int, int]]) -> bool:
    """Whether an edge from grid cell `a` to `b` runs along one column and skips a row that
    has a node (a cell of `taken`) in that column."""
    low, high = sorted((a[1], b[1]))
    return a[0] == b[0] and any((a[0], row) in taken for row in range(low + 1, high))
