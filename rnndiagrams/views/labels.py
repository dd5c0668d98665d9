"""Labels made from the shape engine's values: tensors, weights, layers. The only place views
turn numbers into text, so every figure prints shapes the same way."""

from __future__ import annotations

from ..scene import Label, Line, Run, sym, words
from ..shapes import ShapedLayer, Weight
from ..shapes.shaped import Shape, format_shape
from ..specification.catalog import CONVENTION_NAMES

ARROWS = {"forward": "→", "backward": "←", None: ""}
MATH_NOTATIONS = ("seed", "goodfellow")
LONG_LINE = 18  # characters of a weight's name and shape set on one line
# on a slide, short of height: a bias block (`bias_ih_l0[f] (64,)`) takes one line, about as
# wide as its box's other lines; a matrix's block (`weight_hh_l0[f]`, `(64, 64)`) still two
SLIDE_LONG_LINE = 19
# a time grid on a slide: a weight's name and shape on one line up to this (a folded grid's
# `weight_ih_l0_reverse (256, 32)`), as the grid's nodes set a symbol and its shape
SLIDE_GRID_LINE = 40


def tensor(symbol: str, sub: str, shape: Shape | None, sup: str = "", note: str = "") -> Label:
    lines: list[Line] = [(sym(symbol, sub, sup),)]
    if shape is not None:
        lines.append((words(format_shape(shape), small=True),))
    if note:
        lines.append((words(note, small=True),))
    return tuple(lines)


def weight_name(weight: Weight, notation: str, sup: str = "") -> Run:
    """W, b_W (math notations, italic) or kernel / weight_ih_l0 (framework names, upright)."""
    name = weight.name(notation)
    arrow = "" if weight.names_direction(notation) else ARROWS[weight.direction]
    if notation in MATH_NOTATIONS:
        base, _, sub = name.partition("_")
        return sym(base, sub, sup + arrow)
    return Run(name, sup=sup + arrow)


def weight(weight: Weight, notation: str, sup: str = "", shape: bool = True) -> Line:
    run = weight_name(weight, notation, sup)
    return (
        (run, words(" " + format_shape(weight.shape_in(notation)), small=True)) if shape else (run,)
    )


def stacked(line: Line, long_line: int = LONG_LINE) -> Label:
    """A weight's name and shape on one line, or the shape under the name when together they
    are longer than `long_line` (`weight_hh_l0_reverse`): narrower boxes and gaps between them."""
    if len(line) < 2 or sum(len(r.text) + len(r.sub) for r in line) <= long_line:
        return (line,)
    return (line[:1], tuple(r._replace(text=r.text.lstrip()) for r in line[1:]))


def joined(label: Label) -> Label:
    """A symbol's or weight's line and the shape line under it set as one (`h_t (64,)`,
    `weight_ih_l0[z] (64, 32)`), as a slide sets them: a box is a line shorter for each, and
    a slide is short of height, not width."""
    out: list[Line] = []
    for line in label:
        above = out[-1] if out else ()
        if len(line) == 1 and line[0].small and above and not any(r.small for r in above):
            out[-1] = (*above, line[0]._replace(text=" " + line[0].text))
        else:
            out.append(line)
    return tuple(out)


def layer_call(layer: ShapedLayer) -> str:
    """`SimpleRNN(64)`, `LSTM(32, 64, num_layers=2)`: the call as the layer's framework writes it."""
    return layer.call


def input_notes(layer: ShapedLayer) -> Label:
    """`dropout 0.2`, `after layer_norm`: what reaches the layer's input unseen in a grid."""
    return ((words(", ".join(layer.notes), small=True),),) if layer.notes else ()


def count(params: int, convention: str | None, non_trainable: int = 0) -> str:
    """`6,208 params (Keras)`; without the convention (None) where the figure names it once."""
    notes = [CONVENTION_NAMES[convention]] if convention else []
    notes += [f"{non_trainable:,} non-trainable"] if non_trainable else []
    return f"{params:,} params" + (f" ({', '.join(notes)})" if notes else "")


def params(layer: ShapedLayer, convention: str | None) -> str:
    return count(layer.params, convention, layer.non_trainable)


def chain(layers: list[ShapedLayer], convention: str) -> Line:
    """`SimpleRNN(64) → Dense(10, softmax): 6,858 params (Keras)`: the drawn layers in one line
    (counted when a chain of calls would not fit one)."""
    calls = " → ".join(layer_call(layer) for layer in layers)
    if len(calls) > 64:  # counted as `check` counts them: a module's drawn rows are one layer,
        # and the modules a grid leaves out (Dropout) are layers too
        modules = len({layer.part_of or layer.name for layer in layers})
        calls = f"{modules + sum(len(layer.left_out) for layer in layers)} layers"
    total = count(
        sum(layer.params for layer in layers),
        convention,
        sum(layer.non_trainable for layer in layers),
    )
    return (words(f"{calls}: {total}"),)


def legend(layer: ShapedLayer, notation: str, convention: str, sup: str = "") -> tuple[Line, ...]:
    """`simple_rnn: SimpleRNN(64), 6,208 params (Keras)` then its weights, one line per direction."""
    lines: list[Line] = [
        (words(f"{layer.name}: {layer_call(layer)}, {params(layer, convention)}"),)
    ]
    lines += [(words(f"    after {module}"),) for module in layer.left_out]
    for direction in dict.fromkeys(w.direction for w in layer.weights):
        runs: list[Run] = [words("    ")]
        for i, w in enumerate(x for x in layer.weights if x.direction == direction):
            runs.extend(((words("   ") if i else words("")),) + weight(w, notation, sup))
        lines.append(tuple(runs))
    gates = next((w.gates for w in layer.weights if w.gates), ())
    if gates:
        rows = layer.weights[0].shape[0] // len(gates)
        lines.append(
            (words(f"    each stacks {len(gates)} gate blocks of {rows} rows: {', '.join(gates)}"),)
        )
    finals = [(n, s) for n, s in (("h_n", layer.h_n), ("c_n", layer.c_n)) if s is not None]
    if finals:
        text = ",  ".join(f"{n} {format_shape(s)}" for n, s in finals)
        lines.append((words(f"    final states, one per layer and direction: {text}"),))
    return tuple(lines)
