"""The inside of one step: SimpleRNN, LSTM (four gates, the c_t line) and GRU (both
reset_after variants), each gate labelled with its own block of the fused weights.

Placement follows the hand-drawn figures (colah, d2l): data enters at the bottom, the cell
state runs along the top, pointwise operations sit where the paths meet.
"""

from __future__ import annotations

from typing import cast

from ..scene import Edge, Label, Line, Node, Run, Scene, sym, words
from ..shapes import ShapedLayer, ShapedModel, Weight
from ..shapes.shaped import Recurrence, format_shape
from ..specification.model import ViewSpec
from . import labels
from .section import figure_name, first_recurrent, header

SIGMA = "σ"


class _Cell:
    def __init__(self, model: ShapedModel, layer: ShapedLayer, long_line: int, slide: bool) -> None:
        """`long_line`: a weight block's name and shape longer than this take two lines;
        `slide`: laid out for a slide, short of width."""
        self.model, self.layer, self.long_line, self.slide = model, layer, long_line, slide
        self.rec = cast(Recurrence, layer.recurrence)
        self.units = self.rec.units
        self.notation = model.spec.notation
        self.weights = [w for w in layer.weights if w.direction in (None, "forward")]
        self.gates = next((w.gates for w in self.weights if w.gates), ())  # stacking order
        # dim h_t: units, or PyTorch's proj_size when h is projected down from c
        self.h_size = layer.step_tensor("h_t", self.weights[0].direction).shape[0]
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []

    def node(
        self, nid: str, label: Label, role: str, pos: tuple[int, int], shape: str = "round"
    ) -> str:
        self.nodes.append(Node(nid, label, role, shape, pos))
        return nid

    def weight(self, nid: str, weight: Weight, pos: tuple[int, int]) -> str:
        """A weight's own box: its name and shape, or the shape under a long name."""
        label = labels.stacked(labels.weight(weight, self.notation), self.long_line)
        return self.node(nid, label, "weight", pos, "box")

    def op(self, nid: str, text: str, pos: tuple[int, int]) -> str:
        return self.node(nid, ((words(text),),), "op", pos, "circle")

    def edge(self, src: str, dst: str, role: str = "flow", label: Label = ()) -> None:
        self.edges.append(Edge(src, dst, label, role))

    def vector(self, symbol: str, sub: str) -> Label:
        return labels.tensor(symbol, sub, (self.h_size if symbol == "h" else self.units,))

    def act(self, name: str | None) -> str:
        name = name or "linear"
        return SIGMA if name == "sigmoid" else name

    def gate_weights(self, gate: str) -> tuple[Line, ...]:
        """`W_f (32, 20)`, `U_f (32, 32)`, `b_f (32,)`: this gate's block of each fused weight,
        one per line so the gate box stays narrow."""
        lines: list[Line] = []
        for w in (x for x in self.weights if x.gates):  # not a projection
            name = labels.weight_name(w, self.notation)
            sub = f"{name.sub},{gate}" if name.sub else gate
            if self.notation in labels.MATH_NOTATIONS:
                run = sym(name.text, sub, name.sup)
            else:
                # a framework's long names, the gate's blocks of them: secondary to the gate
                run = Run(f"{name.text}[{gate}]", sup=name.sup, small=True)
            shape = words(" " + format_shape(w.gate_shape(self.notation)), small=True)
            lines.extend(labels.stacked((run, shape), self.long_line))
        return tuple(lines)

    def gate(
        self, nid: str, gate: str, symbol: str, act: str, pos: tuple[int, int], note: str = ""
    ) -> str:
        first: Line = (sym(symbol, "t"), words(f" = {act}(…)"))
        shape: Line = (words(format_shape((self.units,)), small=True),)
        label: tuple[Line, ...] = (first, shape, *self.gate_weights(gate))
        if note:
            label += ((words(note, small=True),),)
        return self.node(nid, label, "gate", pos, "box")

    def bus(self, pos: tuple[int, int]) -> str:
        x_t = self.layer.step_tensor("x_t").shape
        label = (
            (
                sym("x", "t"),
                words(" " + format_shape(x_t), small=True),
                words("   "),
                sym("h", "t-1"),
                words(" " + format_shape((self.h_size,)), small=True),
            ),
        )
        return self.node("inputs", label, "input", pos)

    # -- cells -------------------------------------------------------------------------
    def simple_rnn(self) -> None:
        w = {x.key: x for x in self.weights}
        self.node("h_prev", self.vector("h", "t-1"), "state", (0, 0))
        self.node(
            "x", labels.tensor("x", "t", self.layer.step_tensor("x_t").shape), "input", (2, 0)
        )
        self.weight("U", w["U"], (0, 1))
        self.weight("W", w["W"], (2, 1))
        self.op("sum", "+", (1, 2))
        self.node("act", ((words(self.act(self.rec.activation)),),), "gate", (1, 3), "box")
        self.node("h", self.vector("h", "t"), "state", (1, 4))
        shape = ((words(format_shape((self.units,)), small=True),),)
        self.edge("h_prev", "U", "recurrent")
        self.edge("x", "W", "input")
        self.edge("U", "sum", "recurrent", shape)
        self.edge("W", "sum", "input", shape)
        for key in ("b", "b_W", "b_U"):
            if key in w:
                self.weight(key, w[key], (2 if key != "b_U" else 0, 2))
                self.edge(key, "sum")
        self.edge("sum", "act")
        self.edge("act", "h", "head")

    def lstm(self) -> None:
        act, rec = self.act(self.rec.activation), self.act(self.rec.gate_activation)
        # the inputs under the input gate; on a slide under the candidate's box, the widest
        # of the four (its activation's name is longer than σ), so they widen no column
        self.bus((3 if self.slide else 2, 0))
        for nid, gate, symbol, a, col in (
            ("f", "f", "f", rec, 1),
            ("i", "i", "i", rec, 2),
            ("g", self.gates[2], "c̃", act, 3),
            ("o", "o", "o", rec, 4),
        ):
            self.gate(nid, gate, symbol, a, (col, 1))
            self.edge("inputs", nid, "input")
        self.node("c_prev", self.vector("c", "t-1"), "state", (0, 3))
        self.op("forget", "⊙", (1, 3))
        self.op("add", "+", (2, 3))
        self.node("c", self.vector("c", "t"), "state", (5, 3))
        self.op("write", "⊙", (2, 2))
        self.node("squash", ((words(act),),), "gate", (3, 2), "box")
        self.op("read", "⊙", (4, 2))
        self.node("h", self.vector("h", "t"), "state", (5, 2))
        for src, dst, role in (
            ("c_prev", "forget", "recurrent"),
            ("f", "forget", "flow"),
            ("forget", "add", "recurrent"),
            ("i", "write", "flow"),
            ("g", "write", "flow"),
            ("write", "add", "flow"),
            ("add", "c", "recurrent"),
            ("add", "squash", "flow"),
            ("squash", "read", "flow"),
            ("o", "read", "flow"),
        ):
            self.edge(src, dst, role)
        projection = next((w for w in self.weights if w.key == "W_hr"), None)
        if projection is None:
            self.edge("read", "h", "head")
            return
        # PyTorch's proj_size: h_t = W_hr (o_t ⊙ tanh c_t), (units,) -> (proj_size,)
        self.weight("proj", projection, (5, 1))
        self.edge("read", "proj", "head", ((words(format_shape((self.units,)), small=True),),))
        self.edge("proj", "h", "head")

    def gru(self) -> None:
        act, rec = self.act(self.rec.activation), self.act(self.rec.gate_activation)
        after = self.rec.reset_after
        names = ("z", "r", self.gates[2])  # the candidate's block: h (Keras) or n (PyTorch)
        self.bus((2, 0))
        self.gate("z", names[0], "z", rec, (1, 1))
        self.gate("r", names[1], "r", rec, (2, 1))
        self.edge("inputs", "z", "input")
        self.edge("inputs", "r", "input")
        if after:
            self.gate("cand", names[2], "h̃", act, (3, 1), note="reset after U: r ⊙ (U h + b)")
            self.edge("r", "cand")
        else:
            self.op("reset", "⊙", (3, 0))
            self.gate("cand", names[2], "h̃", act, (3, 1), note="reset before U: U (r ⊙ h)")
            self.edge("r", "reset")
            self.edge("inputs", "reset", "recurrent")  # the h_t-1 half of the inputs
            self.edge("reset", "cand", "recurrent")
        self.edge("inputs", "cand", "input")
        self.node("h_prev", self.vector("h", "t-1"), "state", (0, 3))
        self.op("keep", "⊙", (1, 3))
        self.op("add", "+", (3, 3))
        self.node("h", self.vector("h", "t"), "state", (4, 3))
        self.op("complement", "1−", (2, 2))
        self.op("update", "⊙", (3, 2))
        for src, dst, role in (
            ("h_prev", "keep", "recurrent"),
            ("z", "keep", "flow"),
            ("keep", "add", "recurrent"),
            ("z", "complement", "flow"),
            ("complement", "update", "flow"),
            ("cand", "update", "flow"),
            ("update", "add", "flow"),
            ("add", "h", "head"),
        ):
            self.edge(src, dst, role)


def _formula(cls: str, act: str, projected: bool = False) -> Line:
    """The step's equation, symbols as math runs (the same on every backend)."""
    h, h1, x = sym("h", "t"), sym("h", "t-1"), sym("x", "t")
    if cls == "SimpleRNN":
        return (
            h,
            words(f" = {act}("),
            sym("W"),
            x,
            words(" + "),
            sym("U"),
            h1,
            words(" + "),
            sym("b"),
            words(")"),
        )
    if cls == "LSTM":
        return (
            sym("c", "t"),
            words(" = "),
            sym("f", "t"),
            words(" ⊙ "),
            sym("c", "t-1"),
            words(" + "),
            sym("i", "t"),
            words(" ⊙ "),
            sym("c̃", "t"),
            words(",   "),
            h,
            words(" = "),
            *((sym("W", "hr"), words(" (")) if projected else ()),  # PyTorch's proj_size
            sym("o", "t"),
            words(f" ⊙ {act}("),
            sym("c", "t"),
            words("))" if projected else ")"),
        )
    return (
        h,
        words(" = "),
        sym("z", "t"),
        words(" ⊙ "),
        h1,
        words(" + (1 − "),
        sym("z", "t"),
        words(") ⊙ "),
        sym("h̃", "t"),
    )


def build(model: ShapedModel, view: ViewSpec, target: str = "column") -> Scene:
    """On a slide (`target`), short of height, a gate's shorter weight blocks keep name and
    shape on one line (labels.SLIDE_LONG_LINE), and a symbol its shape (labels.joined); a
    weight's own box, as wide as its column's states when its shape stands under its long name
    (PyTorch's weight_hr_l0 beside h_t and c_t), keeps it there."""
    layer = model.layers[first_recurrent(model, view)]
    slide = target != "column"
    cell = _Cell(model, layer, labels.SLIDE_LONG_LINE if slide else labels.LONG_LINE, slide)
    {"SimpleRNN": cell.simple_rnn, "LSTM": cell.lstm, "GRU": cell.gru}[cast(str, layer.cell)]()
    two = len(cell.rec.directions) == 2
    call = cell.rec.one_direction if two else labels.layer_call(layer)
    which = f" ({layer.name})" if sum(bool(x.cell) for x in model.layers) > 1 else ""
    both = " in each direction" if two else ""
    title = figure_name(model, f"inside one step: {call}{which}{both}")
    projected = any(w.key == "W_hr" for w in layer.weights)
    formula = _formula(cast(str, layer.cell), cell.act(cell.rec.activation), projected)
    full = labels.legend(layer, model.spec.notation, model.convention)
    gates = next((w.gates for w in cell.weights if w.gates), ())
    blocks = f"; each weight stacks {len(gates)} gate blocks: {', '.join(gates)}" if gates else ""
    short = (words(f"{layer.name}: {labels.params(layer, model.convention)}{blocks}"),)
    return Scene(
        name=title,
        legend=header(model, (formula, short), (formula, *full)),
        flow="up",
        nodes=tuple(
            n
            if target == "column" or n.role == "weight"
            else n._replace(label=labels.joined(n.label))
            for n in cell.nodes
        ),
        edges=tuple(cell.edges),
    )
