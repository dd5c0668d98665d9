"""The time grid the folded and unrolled views draw on: step columns by rows.

Only the grid and its helpers: what goes in the rows (`rows.py`), the layers around the
recurrent ones (`steplayers.py`) and the encoder-decoder composition (`seq2seq.py`) build on
it, so none of them needs another's private parts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from ..scene import Edge, Label, Node, words
from ..shapes import ShapedLayer, ShapedModel
from ..shapes.shaped import Recurrence
from . import labels
from .section import Section

# (column, step subscript) -> (label, role, emphasis) of one step's node
MakeStep = Callable[[int, str], tuple[Label, str, str]]

MAX_COLUMNS = 4  # longer sequences are drawn as 0, 1, ..., T-1


def columns(steps: int | None, most: int = MAX_COLUMNS) -> list[str | None]:
    """Subscripts of the drawn steps; None marks the elided `...` column."""
    if steps is not None and steps <= most:
        return [str(t) for t in range(steps)]
    return [str(t) for t in range(most - 2)] + [None, "T-1" if steps is None else str(steps - 1)]


def names_layer(layers: tuple[ShapedLayer, ...]) -> bool:
    """Whether the weight names (`weight_ih_l1`) already say which drawn layer each weight
    is: the drawn recurrent layers are all parts of one layer, so a `^(2)` would repeat
    the `_l1`."""
    parts = {x.part_of for x in layers}
    return len(parts) == 1 and None not in parts


def two_way(layer: ShapedLayer) -> bool:
    """Whether a recurrent layer runs in two directions (two rows, or two cells side by side)."""
    return len(cast(Recurrence, layer.recurrence).directions) == 2


class Grid:
    """A grid of step columns by rows, and the helpers that add nodes and edges to it."""

    def __init__(
        self,
        model: ShapedModel,
        section: Section,
        cols: list[str | None],
        folded: bool,
        shapes: bool = True,
        beside: bool = False,
        slide: bool = False,
    ) -> None:
        self.model, self.section, self.cols, self.folded = model, section, cols, folded
        self.slide = slide  # laid out for a slide (a target other than a page's column)
        # on a slide, short of height: what follows the last step alone (global pooling, the
        # layers after it) runs down a column right of it, not up its own column of rows
        self.beside = beside
        self.chain = 0  # nodes that follow the last step alone (single(..., after=...))
        self.chained: set[str] = set()  # the ids of those placed beside the last step
        self.shapes = shapes  # weight shapes on the edges (folded only: one edge per weight)
        self.notation = model.spec.notation
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.next_row = 0
        self.first = 0  # recurrent layers numbered before this grid's (a decoder's encoder)
        self.many = len(section.recurrent) > 1
        self.named = names_layer(section.recurrent)  # weight names say the layer: no `^(k)`
        self.keyed = False  # a key under the title names each row's layer (a graph's figure)
        self.narrow = False  # columns kept narrow (a graph's, two panels'): final states one a line
        # a framework's long weight names, repeated on every step, would set the columns apart
        # by their width: unrolled, each is named on the first step only
        self.once = not folded and self.notation not in labels.MATH_NOTATIONS
        # a weight's name and shape on one line until LONG_LINE characters (a slide's
        # SLIDE_GRID_LINE), and no recurrent weight on an edge into or out of `...` (some pair
        # of steps shows it; without one, the first such edge the recurrence runs along names it)
        self.line = labels.SLIDE_GRID_LINE if slide else labels.LONG_LINE
        self.name_elided = False
        # named elided, a two-way layer's two names in the first gap, the other gap as narrow
        # as its `…` (each panel of a slide's two; a slide's graph through time: one gap
        # widened by the two, not two gaps by one each)
        self.one_gap = False
        self.panel = 0  # the columns of the left panel, once `panels` set two (Scene.panel)
        # folded, a Bidirectional layer's two cells sit side by side (columns 0 and 2), each
        # with its own loop, and everything else in the middle column between them
        self.side = folded and any(two_way(layer) for layer in section.recurrent)

    # -- helpers -------------------------------------------------------------------
    def row(self, make: MakeStep, shift: int | None = None, row: int | None = None) -> list[str]:
        """Add one row (or fill `row` again, shifted); `make(col, sub)` returns (label, role,
        emphasis) for a step column."""
        if row is None:
            row = self.next_row
            self.next_row += 1
        shift = int(self.side) if shift is None else shift
        ids = []
        for c, sub in enumerate(self.cols):
            nid = f"r{row}c{c + shift}"
            pos = (c + shift, row)
            if sub is None:
                self.nodes.append(Node(nid, ((words("…"),),), "ellipsis", "plain", pos))
            else:
                label, role, emphasis = make(c, sub)
                shape = "round" if role != "state" else "box"
                self.nodes.append(Node(nid, label, role, shape, pos, emphasis))
            ids.append(nid)
        return ids

    def weight_label(
        self, layer: ShapedLayer, key: str, direction: str | None = None, sup: str = ""
    ) -> Label:
        for w in layer.weights:
            if w.key == key and w.direction == direction:
                weight = labels.weight(w, self.notation, sup, shape=self.shapes)
                return labels.stacked(weight, self.line)
        return ()

    def connect(
        self, src: list[str], dst: list[str], label_of: Callable[[int], Label], role: str
    ) -> None:
        """`label_of(c)` names a step's weight: on the first step only when `once`."""
        for c, (a, b) in enumerate(zip(src, dst, strict=True)):
            if self.cols[c] is not None:
                self.edges.append(Edge(a, b, label_of(c) if c == 0 or not self.once else (), role))

    def sup(self, k: int) -> str:
        return f"({k})" if self.many else ""

    def tall(self) -> bool:
        """Whether the built grid, its chain moved beside its last step, would still have at
        least as many rows as columns: a cell is about as wide as two rows are tall, so such a
        grid is at most a slide's 2:1, and moving more of its rows only trades height for width."""
        cols, rows = self.size()
        return self.chain > 0 and rows - self.chain >= cols + self.chain

    def size(self) -> tuple[int, int]:
        """The built grid's columns and rows."""
        return 1 + max(n.pos[0] for n in self.nodes), 1 + max(n.pos[1] for n in self.nodes)

    def single(self, label: Label, role: str, col: int, after: str | None = None) -> str:
        """A row holding one node, above the given column (many-to-one outputs); or, in a
        grid whose chain runs `beside`, the node right of `after` in its row (the chain's
        first) or under it (the rest)."""
        if after is not None:
            self.chain += 1
        if self.beside and after is not None:
            # the first right of the last step, the rest down the column it starts: the grid's
            # width is a step column and the chain's widest box, not the sum of its boxes
            c, r = next(n.pos for n in self.nodes if n.id == after)
            col, r = (c, r - 1) if after in self.chained and r > 0 else (c + 1, r)
            self.chained.add(f"r{r}c{col}")
        else:
            r = self.next_row
            self.next_row += 1
            col += int(self.side)
        nid = f"r{r}c{col}"
        self.nodes.append(Node(nid, label, role, "round", (col, r)))
        return nid

    def deep(self) -> bool:
        """Whether the built grid has at least twice as many rows as columns: a slide holds
        it only as two panels side by side (`panels`)."""
        cols, rows = self.size()
        return rows >= 2 * cols

    def panels(self) -> None:
        """The built grid as two panels side by side, for a slide short of height: the rows
        above a row that every edge across leaves (a merge between two layers) move right of
        the rest, onto a copy of that row, their input; of those rows, the one that sets the
        two panels' heights closest. A grid without one stays as it is."""
        cols, rows = self.size()
        row = {n.id: n.pos[1] for n in self.nodes}

        def cut(s: int) -> bool:
            """Whether no edge runs past row `s`, nor into it from above."""
            return not any(
                min(row[e.src], row[e.dst]) < s < max(row[e.src], row[e.dst])
                or row[e.dst] == s < row[e.src]
                for e in self.edges
            )

        cuts = [s for s in range(1, rows - 1) if cut(s)]
        if not cuts:
            return
        split = min(cuts, key=lambda s: max(s + 1, rows - s))
        copies = {n.id: f"{n.id}copy" for n in self.nodes if n.pos[1] == split}
        nodes = []
        for n in self.nodes:
            c, r = n.pos
            if r == split:
                nodes.append(n._replace(id=copies[n.id], pos=(c + cols, 0)))
            nodes.append(n._replace(pos=(c + cols, r - split)) if r > split else n)
        self.nodes, self.panel = nodes, cols
        self.edges = [
            e._replace(src=copies[e.src]) if e.src in copies and row[e.dst] > split else e
            for e in self.edges
        ]
