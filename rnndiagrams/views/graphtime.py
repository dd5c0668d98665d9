"""A graph's layers through time (the unrolled view of a graph spec).

Each sequence is a time axis; axes that the graph joins step by step (a Concatenate, an
Add) are one axis, and the others stand side by side on one row of columns, in the order
the spec names them: an encoder's steps, then its decoder's. A layer whose output is a
sequence is a row of step nodes on its axis, one row above the highest it reads; a vector
(an image's features, a dense projection) is one node, in a column of its own left of the
steps, or above the step it was taken from.

The wiring is the spec's: a state handed over (`initial_state`) crosses from the step that
returns it to the first step of the layer it starts; a vector repeated along time reaches
every step; attention feeds each query step's context from every drawn step of the other
axis, the edges into the first labelled with their weights alpha_{t,s}. Recurrent rows are
drawn by the chain's own routine (rows.py), so a cell looks the same in both kinds of spec.
Six columns or more must keep their text legible in a 720 px column, so the nodes hold
symbols and shapes only, and a key under the title names the layer of each row.

`feed: teacher | free` reads the sequence input on the output's axis as the previous
step's target: its ground truth (teacher forcing) or the model's own output at the step
before (free running), as Goodfellow et al. figs. 10.4 and 10.6 draw them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from ..scene import Edge, Label, Line, Node, Run, Scene, sides_past_nodes, sym, words
from ..shapes import ShapedLayer, ShapedModel
from ..shapes.shaped import Recurrence, format_shape
from ..specification.graph import order
from ..specification.model import LayerSpec, Ref, ViewSpec
from . import labels
from .grid import MAX_COLUMNS, MakeStep, columns
from .rows import Rows
from .section import Section, figure_name, header

SYMBOLS = {"embedding": "x", "head": "o", "step-head": "o", "attention": "a"}
# A second time axis (a decoder's) names its own steps, as Goodfellow fig. 10.12, Sutskever
# et al. and d2l do: it reads y (its target tokens, or any sequence), embedded as e; the
# first axis keeps w (token ids) and x. Per axis: token ids, a sequence of vectors, embedded.
AXIS_SYMBOLS = (("w", "x", "x"), ("y", "y", "e"))
LETTERS = "NOPQRST"  # the step counts of the axes, the last one's T


@dataclass
class Axis:
    """One time axis: its steps, the columns drawn, and where they start."""

    steps: int | None
    first: int  # the spec order of the first node on it
    cols: list[str | None] = field(default_factory=list)
    offset: int = 0
    letter: str = "T"


@dataclass
class Drawn:
    """What a layer or input became: a row of step ids on an axis, or one node."""

    row: int  # the top row it takes
    axis: int | None = None
    ids: list[str] = field(default_factory=list)  # one per column of its axis
    node: str = ""  # a vector's node, or the step a many-to-one layer returns
    layer: ShapedLayer | None = None
    finals: tuple[str, ...] = ()  # a recurrent layer's final step, one per direction


class Steps(Rows):
    """The chain's rows, placed at an axis's columns and sharing the figure's nodes."""

    def __init__(
        self,
        model: ShapedModel,
        section: Section,
        axis: Axis,
        shared: tuple[list[Node], list[Edge]],
        slide: bool = False,
    ) -> None:
        super().__init__(model, section, axis.cols, False)
        (self.nodes, self.edges), self.offset, self.many = shared, axis.offset, True
        # narrow columns: each weight named on its axis's first step, its shape under its
        # name, a box's final states one a line; U named on an edge into or out of `...` when
        # no two steps sit side by side. A slide is short of height, not width: a box's final
        # states on one line, and (its rows packed, Scene.packed) a weight's shape beside its name
        self.once, self.narrow = True, not slide
        self.line = labels.SLIDE_GRID_LINE if slide else 0
        self.name_elided, self.one_gap = None in axis.cols[:2], slide
        # the key under the title names each row's layer: a framework's weight names
        # (`weight_hh_l1`) need no `^(k)` to say it, nor a final state `of encoder.rnn`
        self.named, self.keyed = self.notation not in labels.MATH_NOTATIONS, True

    def row(self, make: MakeStep, shift: int | None = None, row: int | None = None) -> list[str]:
        return super().row(make, self.offset + (shift or 0), row)

    def weight_label(
        self, layer: ShapedLayer, key: str, direction: str | None = None, sup: str = ""
    ) -> Label:
        """A recurrent weight along its row, in the gap between two steps that sets a slide's
        width, keeps a long name's shape under it (`weight_hh_l0`) in packed rows too."""
        label = super().weight_label(layer, key, direction, sup)
        return labels.stacked(label[0]) if key == "U" and len(label) == 1 else label

    def states(self, layer: ShapedLayer, prev: list[str], sup: str) -> list[str]:
        """A recurrent layer's rows, drawn as in a chain; the ids of its top row."""
        return self._recurrent(layer, prev, sup)

    def leave(self, top: list[str]) -> None:
        """Arrows out of the figure from the nodes the model returns."""
        self._exits(top)


def build(model: ShapedModel, view: ViewSpec, target: str = "column") -> Scene:
    return _Figure(model, view, target != "column").scene()


class _Figure:
    def __init__(self, model: ShapedModel, view: ViewSpec, slide: bool = False) -> None:
        self.model, self.view, self.spec, self.slide = model, view, model.spec, slide
        self.order = order(self.spec.doc, self.spec.layers)
        self.shaped = {layer.name: layer for layer in model.layers}
        self.recurrent = tuple(x for x in model.layers if x.cell)
        section = Section(None, self.recurrent, ())
        self.axes = self._axes()
        shared: tuple[list[Node], list[Edge]] = ([], [])
        self.steps = [Steps(model, section, axis, shared, slide) for axis in self._cols()]
        self.nodes, self.edges = shared
        self.taken: set[tuple[int, int]] = set()
        self.drawn: dict[str, Drawn] = {}
        self.faded = False
        self.beside: set[str] = set()  # vectors right of the step they read (a slide's)
        # the rows a symbol names, for the line under the title: `h(1) encoder, a context`
        self.key: list[Line] = []
        self.sharing = self._sharing()

    # -- which axis each sequence is on -------------------------------------------------
    def _axes(self) -> list[Axis]:
        """Every sequence's axis, joined where a layer reads several step by step."""
        parent: dict[str, str] = {}
        steps: dict[str, int | None] = {}

        def root(name: str) -> str:
            while parent[name] != name:
                name = parent[name]
            return name

        def start(name: str, length: int | None) -> None:
            parent[name], steps[name] = name, length

        embedded = {
            r.source
            for x in self.spec.layers
            if self._role(x) == "embedding"
            for r in x.reads or ()
        }
        for given in self.spec.inputs:
            if len(given.shape) == 2 or (len(given.shape) == 1 and given.name in embedded):
                start(given.name, given.shape[0])
        for spec in self.order:
            layer = self.shaped[spec.name]
            # the sequences it reads (not a state a sequence layer also returns)
            on = [r.source for r in spec.reads or () if r.source in parent and r.output == 0]
            if not layer.per_step and layer.role != "repeat":
                continue  # a vector: a many-to-one layer's, or a projection's
            if layer.role == "repeat":
                start(spec.name, layer.output_shape[1])
            elif on and layer.role == "attention":
                parent[spec.name] = root(on[0])
            elif on:
                parent[spec.name] = root(on[0])
                for other in on[1:]:  # step by step: one axis
                    a, b = root(other), root(on[0])
                    if a != b:
                        parent[a] = b
                        steps[b] = steps[b] if steps[b] is not None else steps[a]
        self.axis_of: dict[str, int] = {}
        axes: dict[str, Axis] = {}
        for name in self._names():
            if name in parent:
                top = root(name)
                axes.setdefault(top, Axis(steps[top], len(axes)))
                self.axis_of[name] = axes[top].first
        return sorted(axes.values(), key=lambda a: a.first)

    def _role(self, spec: LayerSpec) -> str:
        return self.shaped[spec.name].role

    def _cols(self) -> list[Axis]:
        offset = self.sides = self._side_columns()
        # a side column more than one takes a step column's width (as a grid's chain beside
        # its last step does on a slide)
        most = max(3, (MAX_COLUMNS if len(self.axes) == 1 else 3) - max(0, self.sides - 1))
        for k, axis in enumerate(self.axes):
            axis.letter = LETTERS[len(LETTERS) - len(self.axes) + k]
            axis.cols = [
                sub if sub is None else sub.replace("T", axis.letter)
                for sub in columns(self._length(axis), most)
            ]
            axis.offset = offset
            offset += len(axis.cols)
        return self.axes

    def _length(self, axis: Axis) -> int | None:
        """Its steps, or the view's `steps:` where the spec leaves the length open."""
        return self.view.options.get("steps") if axis.steps is None else axis.steps

    def _side_columns(self) -> int:
        """The columns left of the steps: one, or none without a vector there; on a slide,
        short of height, as many as the vectors that would take one row (an image's two
        initial states side by side, not one above the other)."""
        depth: dict[str, int] = {}
        for name in self._names():
            if self._side(name):
                layer = self.shaped.get(name)
                reads = (layer.spec.reads or ()) if layer else ()
                depth[name] = 1 + max((depth[r.source] for r in reads), default=-1)
        if not self.slide:
            return int(bool(depth))
        return max(Counter(depth.values()).values(), default=0)

    def _names(self) -> list[str]:
        return [i.name for i in self.spec.inputs] + [x.name for x in self.spec.layers]

    def _side(self, name: str) -> bool:
        """A vector that no step made (an input, or a layer reading only such vectors):
        drawn in the column left of the steps."""
        if name in self.axis_of:
            return False
        if name not in self.shaped:
            return True  # a vector input
        layer = self.shaped[name]
        return not layer.cell and all(self._side(r.source) for r in layer.spec.reads or ())

    # -- the figure ---------------------------------------------------------------------
    def scene(self) -> Scene:
        for given in self.spec.inputs:
            self._input(given.name, given.shape, given.dtype)
        count = 0
        for spec in self.order:
            layer = self.shaped[spec.name]
            count += bool(layer.cell)
            self._layer(spec, layer, f"({count})" if layer.cell else "")
        self._feed()
        grid = self.steps[0]
        grid.next_row = max(r for _, r in self.taken) + 1
        returned = [i for ref in self.spec.outputs for i in self._returned(ref)]
        grid.leave([i for i in returned if i not in self.beside])
        for nid in dict.fromkeys(i for i in returned if i in self.beside):  # on along its row
            (c, r), out = next(n.pos for n in self.nodes if n.id == nid), f"out{nid}"
            self.nodes.append(Node(out, (), "exit", "exit", (c + 1, r)))
            self.edges.append(Edge(nid, out, (), "output"))
        total = labels.chain(list(self.model.layers), self.model.convention)
        key = tuple(r for k, entry in enumerate(self.key) for r in (words(", "),) * bool(k) + entry)
        key += (words("; dashed: computed, not returned"),) if self.faded else ()
        short = [total, key]
        full = [
            line
            for layer in self.model.layers
            for line in labels.legend(
                layer, self.spec.notation, self.model.convention, self._sup(layer)
            )
        ]
        what = {"teacher": ", teacher forcing", "free": ", free running"}
        feed = what.get(self.view.options.get("feed") or "", "")
        scene = Scene(
            name=figure_name(self.model, f"unrolled through time{feed}"),
            legend=header(self.model, short, [*short, *full]),
            flow="up",
            # a slide's symbols and shapes share a line; but side columns set side by side
            # keep each name over its shape, narrow as they can be
            nodes=tuple(
                n
                if not self.slide or (self.sides > 1 and n.pos[0] < self.sides)
                else n._replace(label=labels.joined(n.label))
                for n in self.nodes
            ),
            edges=tuple(self.edges),
            wide=len(self.axes) > 1,
            # a slide's rows packed as close as the weights in their gaps let, those one a
            # line (attention's alpha labels, at the heads of the edges converging on a
            # context, are turned off the lines that pass them by the renderers)
            packed=self.slide,
        )
        return _passed_stacked(scene) if self.slide else scene

    def _sup(self, layer: ShapedLayer) -> str:
        return f"({self.recurrent.index(layer) + 1})" if layer.cell else ""

    def _place(self, cells: list[int], row: int) -> int:
        while any((c, row) in self.taken for c in cells):
            row += 1
        self.taken.update((c, row) for c in cells)
        return row

    def _free(self, column: int, row: int) -> int:
        """The first row from `row` up with `column` free."""
        while (column, row) in self.taken:
            row += 1
        return row

    def _columns(self, axis: int) -> list[int]:
        a = self.axes[axis]
        return [a.offset + c for c in range(len(a.cols))]

    def _input(self, name: str, shape: tuple[int | None, ...], dtype: str) -> None:
        if name not in self.axis_of:
            label = (
                (words(name),),
                (words(f"{format_shape((None, *shape))} {dtype}", small=True),),
            )
            row, nid = self._single(label, "input", 0, 0)
            self.drawn[name] = Drawn(row, node=nid)
            return
        axis = self.axis_of[name]
        grid = self.steps[axis]
        step = shape[1:] if len(shape) == 2 else None
        tokens, vectors, _ = _symbols(axis)
        symbol = vectors if step is not None else tokens
        row = self._place(self._columns(axis), 0)
        grid.next_row = row
        ids = grid.row(lambda c, sub: (labels.tensor(symbol, sub, step), "input", "solid"))
        self.drawn[name] = Drawn(row, axis, ids)

    def _single(self, label: Label, role: str, column: int, row: int) -> tuple[int, str]:
        """A node at `column` (left of the steps: the first side column free), in `row` or
        the first row above it free there."""
        if column < self.sides:
            row, column = min((self._free(c, row), c) for c in range(self.sides))
        row = self._place([column], row)
        nid = f"r{row}c{column}"
        self.nodes.append(Node(nid, label, role, "round", (column, row)))
        return row, nid

    def _vector(self, spec: LayerSpec, layer: ShapedLayer, row: int) -> None:
        """One node: left of the steps, or above the step whose vector it reads; on a slide,
        short of height, a vector read from the rightmost node alone (a many-to-one layer's
        last step) right of it in its row, as a grid's chain runs on a slide."""
        column = 0  # left of the steps, unless it reads a step: then above the last
        where = {n.id: n.pos for n in self.nodes}
        for ref in spec.reads or ():
            src = self.drawn[ref.source]
            if src.axis is not None:
                column = self._columns(src.axis)[-1]
            elif src.node:
                column = max(column, where[src.node][0])
        read = [i for ref in spec.reads or () for i in self._sources(ref)]
        beside = self.slide and len(read) == 1 and column == max(c for c, _ in where.values())
        if beside:
            column, row = column + 1, where[read[0]][1]
        label = (
            (words(layer.name),),
            (words(labels.layer_call(layer), small=True),),
            (words(format_shape(layer.output_shape), small=True),),
        )
        placed, nid = self._single(label, _node_role(layer), column, row)
        if beside:
            self.beside.add(nid)
        self.drawn[spec.name] = Drawn(placed, node=nid, layer=layer)
        for ref in spec.reads or ():
            for src in self._sources(ref):
                self.edges.append(Edge(src, nid, self._weight(layer), "head"))

    def _sources(self, ref: Ref) -> list[str]:
        """The nodes a vector reads: a vector's node, the step that holds a recurrent
        layer's final state (`encoder.1`: its first direction's), a many-to-one layer's
        returned step, or every drawn step of a sequence (pooling)."""
        src = self.drawn[ref.source]
        if ref.output and src.finals:
            layer = cast(ShapedLayer, src.layer)
            per = 2 if cast(Recurrence, layer.recurrence).cell == "LSTM" else 1
            return [src.finals[(ref.output - 1) // per]]
        if src.node:
            return [src.node]
        return [
            i
            for i, sub in zip(src.ids, self.axes[cast(int, src.axis)].cols, strict=True)
            if sub is not None
        ]

    def _weight(self, layer: ShapedLayer) -> Label:
        """The weight of a layer that is not recurrent (E, V); where several layers' weights
        would take one symbol (two embeddings' E, the V of an output and of the Dense layers
        that make initial states), each is numbered: E_1, E_2."""
        label = self.steps[0].weight_label(layer, _weight_key(layer))
        sharing = self.sharing.get(layer.name)
        if not label or sharing is None:
            return label
        (first, *rest), *lines = label
        return ((first._replace(sub=str(sharing)), *rest), *lines)

    def _sharing(self) -> dict[str, int]:
        """The layers whose weight's symbol another layer's has too, each with its number
        among them (in the spec's order); math notations only (framework names say more)."""
        if self.spec.notation not in labels.MATH_NOTATIONS:
            return {}
        named: dict[str, list[str]] = {}
        for layer in self.model.layers:
            weight = [w for w in layer.weights if w.key == _weight_key(layer)]
            if not layer.cell and weight:
                run = labels.weight_name(weight[0], self.spec.notation)
                if not run.sub:
                    named.setdefault(run.text, []).append(layer.name)
        return {n: k for names in named.values() if len(names) > 1 for k, n in enumerate(names, 1)}

    def _layer(self, spec: LayerSpec, layer: ShapedLayer, sup: str) -> None:
        reads = [self.drawn[r.source] for r in (spec.reads or ()) + spec.initial_state]
        row = 1 + max(d.row for d in reads)
        if self.slide and layer.role == "attention":
            # a slide is short of height: a context stands right above its query's step, on
            # the decoder's own rows, its values' edges coming down to it where those stand
            # higher (a bidirectional encoder's merge), not a row above every row it reads
            row = 1 + reads[0].row
        # a state handed over from another recurrent layer's final step: on the same row,
        # so it runs on from the encoder's last step into the decoder's first, as textbooks draw
        handed = [self.drawn[r.source] for r in spec.initial_state if self.drawn[r.source].finals]
        if handed:
            own = [self.drawn[r.source] for r in spec.reads or ()]
            row = max([1 + d.row for d in own] + [d.row for d in handed])
        if layer.role == "repeat":  # each step reads the vector itself
            self.drawn[spec.name] = Drawn(reads[0].row, self.axis_of[spec.name], node=reads[0].node)
            return
        if spec.name not in self.axis_of:
            if layer.cell:  # many-to-one: its steps on its input's axis
                self._recurrent(spec, layer, sup, row)
                return
            self._vector(spec, layer, row)
            return
        axis = self.axis_of[spec.name]
        if layer.cell:
            self._recurrent(spec, layer, sup, row)
            return
        grid = self.steps[axis]
        grid.next_row = self._place(self._columns(axis), row)
        step = layer.output_shape[-1:]
        symbol = _symbols(axis)[2] if layer.role == "embedding" else SYMBOLS.get(layer.role)
        name = spec.name
        if symbol and layer.role not in ("embedding", "attention"):  # attention says more
            self.key.append((sym(symbol), words(f" {name}")))

        def make(c: int, sub: str) -> tuple[Label, str, str]:
            if symbol:
                return labels.tensor(symbol, sub, step), _node_role(layer), "solid"
            call = (words(labels.layer_call(layer), small=True),)
            return (call, (words(format_shape(step), small=True),)), "merge", "solid"

        ids = grid.row(make)
        self.drawn[name] = Drawn(grid.next_row - 1, axis, ids, layer=layer)
        reads = spec.reads or ()
        # attention's values (and keys) reach every query step; where the query is one of them
        # (self-attention), their edges include the query's own step
        values = {r.source for r in reads[1:]} if layer.role == "attention" else set()
        done: set[str] = set()
        for k, ref in enumerate(reads):
            if (k == 0 and ref.source in values) or (k and ref.source in done):
                continue
            done.add(ref.source)
            self._read(ref, self.drawn[name], layer, first=k == 0)

    def _read(self, ref: Ref, into: Drawn, layer: ShapedLayer, first: bool) -> None:
        """Edges from what `ref` names into every step of `into`."""
        src = self.drawn[ref.source]
        grid = self.steps[cast(int, into.axis)]
        cols = self.axes[cast(int, into.axis)].cols
        weight = (
            self._weight(layer)
            if first and layer.role in ("embedding", "head", "step-head")
            else ()
        )
        if layer.role == "attention" and not first and src.axis is not None and not src.node:
            self._attend(src, into, cols)
        elif src.axis == into.axis and not src.node:
            grid.connect(src.ids, into.ids, lambda c: weight, "input" if weight else "flow")
        else:  # a vector into every step: a copy each
            for c, dst in enumerate(into.ids):
                if cols[c] is not None:
                    for nid in self._sources(ref):
                        self.edges.append(Edge(nid, dst, (), "input"))

    def _attend(self, src: Drawn, into: Drawn, cols: list[str | None]) -> None:
        """A context per query step from every drawn step of the value's axis, the edges into
        the first named by their weights alpha_{t,s}; the legend says over how many steps.
        Contexts below their values (a slide's) have the edges into the last named: the lines
        on to every later context pass between the first and the row above, where its
        weights would stand, and none passes the last."""
        value = self.axes[cast(int, src.axis)]
        named = len(cols) - 1 if into.row < src.row else 0
        for c, dst in enumerate(into.ids):
            if cols[c] is None:
                continue
            for s, nid in enumerate(src.ids):
                if value.cols[s] is not None:
                    # named into one query step only, as a weight is on its first step
                    alpha = ((sym("α", f"{cols[c]},{value.cols[s]}"),),) if c == named else ()
                    self.edges.append(Edge(nid, dst, alpha, "merge", at_head=True))
        layer = cast(ShapedLayer, into.layer)
        steps = "None" if value.steps is None else f"{value.steps:,}"
        s = "s" if src.axis == into.axis else value.letter.lower()  # self-attention: t over s
        self.key.append(
            (
                sym("a"),
                words(f" {layer.name}: "),
                sym("α", f"t,{s}"),
                words(f"-weighted sum over the {steps} steps of {s}"),
            )
        )

    def _recurrent(self, spec: LayerSpec, layer: ShapedLayer, sup: str, row: int) -> None:
        src = self.drawn[cast(tuple[Ref, ...], spec.reads)[0].source]
        axis = cast(int, src.axis)
        grid = self.steps[axis]
        rec = cast(Recurrence, layer.recurrence)
        height = len(rec.directions) + (len(rec.directions) == 2)
        start = row
        while any(
            (c, r) in self.taken for c in self._columns(axis) for r in range(start, start + height)
        ):
            start += 1
        grid.next_row = start
        self.key.append((sym("h", "", sup), words(f" {spec.name}")))
        ids = grid.states(layer, src.ids or [src.node] * len(grid.cols), sup)
        top = grid.next_row - 1
        self.taken.update((c, r) for c in self._columns(axis) for r in range(start, top + 1))
        self.faded = self.faded or any(n.emphasis == "faded" for n in grid.nodes)
        returned = "" if layer.per_step else ids[-1 if not rec.backwards else 0]
        at = {n.pos: n.id for n in self.nodes}
        last = self._columns(axis)[-1]
        finals = tuple(  # a direction run backward ends at the first step
            at[(self.axes[axis].offset if (d == "backward") != rec.backwards else last, start + k)]
            for k, d in enumerate(rec.directions)
        )
        self.drawn[spec.name] = Drawn(
            top, axis if layer.per_step else None, ids, returned, layer, finals
        )
        self._states(spec, layer, start, axis)

    def _states(self, spec: LayerSpec, layer: ShapedLayer, row: int, axis: int) -> None:
        """Initial states: one edge from each state's maker into the first step of the
        direction it starts (a bidirectional layer's second half starts its backward row, at
        the last step), named for the states it starts (`h_0`, `c_0`; their shapes are the
        step's)."""
        rec = cast(Recurrence, layer.recurrence)
        per = 2 if rec.cell == "LSTM" else 1
        at = {n.pos: n.id for n in self.nodes}
        columns = self._columns(axis)
        names: dict[tuple[str, str], list[Run]] = {}
        for k, ref in enumerate(spec.initial_state, start=1):
            (nid,) = self._sources(ref)
            d = (k - 1) // per
            direction = rec.directions[d]
            back = (direction == "backward") != rec.backwards
            first = at[(columns[-1] if back else columns[0], row + d)]
            names.setdefault((nid, first), []).append(
                sym(_state(layer, k), "0", labels.ARROWS[direction])
            )
        for (nid, first), states in names.items():  # one a line: a narrow gap between axes
            self.edges.append(Edge(nid, first, tuple((n,) for n in states), "recurrent"))

    def _returned(self, ref: Ref) -> list[str]:
        src = self.drawn[ref.source]
        if ref.output and src.finals:  # a state: where its final step holds it
            return self._sources(ref)
        return [src.node] if src.node else src.ids

    def _feed(self) -> None:
        """Teacher forcing or free running: the sequence input on the output's axis is the
        target one step back, its ground truth or the output the step before gave."""
        feed = self.view.options.get("feed")
        if not feed:
            return
        out = self.drawn[self.spec.outputs[0].source]
        given = [
            self.drawn[i.name]
            for i in self.spec.inputs
            if i.name in self.axis_of and self.drawn[i.name].axis == out.axis
        ]
        if out.node or not given:
            raise self.spec.error(
                self.view.path + ("feed",),
                f"feed: {feed} needs the model's output and an input on one time axis",
                "expected a sequence output whose previous step is a sequence input (a decoder)",
            )
        target, axis = given[0], self.axes[cast(int, out.axis)]
        nodes = {n.id: i for i, n in enumerate(self.nodes)}
        for c, nid in enumerate(target.ids):
            sub = axis.cols[c]
            if sub is None:
                continue
            if c == 0:
                label: Label = ((words("start"),), (words("token", small=True),))
            else:
                back = _previous(sub)
                source = (
                    (words("ground truth", small=True),)
                    if feed == "teacher"
                    else (
                        words("sampled from ", small=True),
                        Run("o", back, italic=True, small=True),
                    )
                )
                label = ((sym("y", back),), source)
            i = nodes[nid]
            self.nodes[i] = self.nodes[i]._replace(label=label)
            if feed == "free" and c:  # from the step before, or from `...`
                self.edges.append(Edge(out.ids[c - 1], nid, (), "output", "dashed", backward=True))
        if feed == "free":
            fed = [(out.ids[c - 1], nid) for c, nid in enumerate(target.ids) if c and axis.cols[c]]
            self._name_clear_of(fed)

    def _name_clear_of(self, diagonals: list[tuple[str, str]]) -> None:
        """An edge from one step's column to the next one's runs across the gap between them
        through every row: a weight named on a row's edge across that gap would lie under it,
        so it is named on the row's first edge across a gap no such edge takes (when any)."""
        pos = {n.id: n.pos for n in self.nodes}

        def gap(src: str, dst: str) -> int:
            return min(pos[src][0], pos[dst][0])

        taken = {gap(a, b) for a, b in diagonals}
        along = [
            i for i, e in enumerate(self.edges) if e.src != e.dst and pos[e.src][1] == pos[e.dst][1]
        ]
        for i in along:
            edge = self.edges[i]
            if not edge.label or gap(edge.src, edge.dst) not in taken:
                continue
            row = pos[edge.src][1]
            free = [
                k
                for k in along
                if pos[self.edges[k].src][1] == row
                and self.edges[k].role == edge.role
                and not self.edges[k].label
                and gap(self.edges[k].src, self.edges[k].dst) not in taken
            ]
            if free:
                self.edges[free[0]] = self.edges[free[0]]._replace(label=edge.label)
                self.edges[i] = edge._replace(label=())


def _passed_stacked(scene: Scene) -> Scene:
    """A slide's weight beside a column, on one line, reaches across the side an edge past a
    node of that column rises on (a residual skip, `x_t` into the backward row), which would
    bend round it into the next row's labels: there the weight keeps its shape under it."""
    at = {n.id: n.pos for n in scene.nodes}
    passed = {
        (at[e.src][0], row)
        for e in (scene.edges[i] for i in sides_past_nodes(scene))
        for row in range(*sorted((at[e.src][1], at[e.dst][1])))
    }
    edges = tuple(
        e._replace(label=labels.stacked(e.label[0], 0))
        if len(e.label) == 1
        and at[e.src][0] == at[e.dst][0]
        and (at[e.src][0], min(at[e.src][1], at[e.dst][1])) in passed
        else e
        for e in scene.edges
    )
    return scene._replace(edges=edges)


def _weight_key(layer: ShapedLayer) -> str:
    return {"embedding": "E"}.get(layer.role, "V")


def _symbols(axis: int) -> tuple[str, str, str]:
    """The symbols of axis `axis`'s inputs: token ids, vectors, and their embedding."""
    return AXIS_SYMBOLS[min(axis, len(AXIS_SYMBOLS) - 1)]


def _previous(sub: str) -> str:
    """The step before `sub`: 3 -> 2, T-1 -> T-2."""
    if sub.isdigit():
        return str(int(sub) - 1)
    base, _, k = sub.partition("-")
    return f"{base}-{int(k or 0) + 1}"


def _state(layer: ShapedLayer, index: int) -> str:
    """`h`, `c`: which state initial state `index` (1, 2...) is."""
    per_direction = ("h", "c") if cast(Recurrence, layer.recurrence).cell == "LSTM" else ("h",)
    return per_direction[(index - 1) % len(per_direction)]


def _node_role(layer: ShapedLayer) -> str:
    return {"embedding": "input", "head": "output", "step-head": "output"}.get(layer.role, "merge")
