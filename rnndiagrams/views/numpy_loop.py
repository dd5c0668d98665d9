"""The seed's own picture of its numpy loop, with boxes drawn to scale:

    W (64, 32) . x_t (32,) + U (64, 64) . h_t-1 (64,) + b (64,) -> tanh -> h_t (64,)
    and the outputs stacked over t into (100, 64).

Every box is a tensor of the shape engine, its sides proportional to its dimensions.
"""

from __future__ import annotations

from typing import cast

from ..scene import Label, Node, Run, Scene, words
from ..shapes import ShapedModel
from ..shapes.shaped import Recurrence, format_shape
from ..specification.model import ViewSpec
from . import labels
from .section import figure_name, first_recurrent, header

LONGEST = 150.0  # points for the largest dimension drawn
THINNEST = 7.0  # a vector is drawn this wide, however small the scale


def build(model: ShapedModel, view: ViewSpec) -> Scene:
    layer = model.layers[first_recurrent(model, view)]
    rec = cast(Recurrence, layer.recurrence)
    if rec.cell != "SimpleRNN" or len(rec.directions) == 2:
        raise model.spec.error(
            view.path,
            f"the numpy view draws the seed's SimpleRNN loop, but {layer.name} "
            f"is {labels.layer_call(layer)}",
            "expected a SimpleRNN layer (the cell view draws LSTM and GRU)",
        )
    notation = model.spec.notation
    units = rec.units
    x_dim = layer.step_tensor("x_t").shape[0]
    steps = view.options.get("steps") or model.steps
    weights = {w.key: w for w in layer.weights}
    dims = [d for w in layer.weights for d in w.shape_in(notation)] + [x_dim, units, steps or units]
    scale = LONGEST / max(dims)

    def box(rows: int, cols: int) -> tuple[float, float]:
        return max(cols * scale, THINNEST), max(rows * scale, THINNEST)

    nodes: list[Node] = []
    line = [0, 0]  # (row, place in row): the products on the first row, what follows below

    def add(
        label: Label, role: str, extent: tuple[float, float] | None = None, shape: str = "box"
    ) -> None:
        nodes.append(
            Node(
                f"n{len(nodes)}",
                label,
                role,
                shape,
                cast(tuple[int, int], tuple(line)),
                extent=extent,
            )
        )
        line[1] += 1

    def name(key: str) -> Run:
        """The notation's name, transposed where the notation stores it so (Keras: kernelᵀ)."""
        run = labels.weight_name(weights[key], notation)
        flipped = weights[key].shape_in(notation) != weights[key].shape
        return run._replace(sup=run.sup + "T") if flipped else run

    def matrix(key: str, role: str) -> None:
        shape = weights[key].shape  # math orientation: rows = outputs, as in W @ x_t
        add(
            ((name(key), words(" " + format_shape(shape), small=True)),),
            role,
            box(*shape) if len(shape) == 2 else box(shape[0], 1),
        )

    def op(text: str) -> None:
        add(((words(text),),), "operator", shape="plain")

    matrix("W", "weight")
    op("@")
    add(labels.tensor("x", "t", (x_dim,)), "input", box(x_dim, 1))
    op("+")
    matrix("U", "weight")
    op("@")
    add(labels.tensor("h", "t-1", (units,)), "state", box(units, 1))
    line[:] = [1, 0]
    for key in ("b", "b_W", "b_U"):
        if key in weights:
            op("+")
            matrix(key, "weight")
    op(f"→ {rec.activation or 'linear'} →")
    add(labels.tensor("h", "t", (units,)), "state", box(units, 1))
    t = str(steps) if steps else "T"
    op(f"⇒ np.stack over t = 0 … {t if not steps else steps - 1} ⇒")
    stacked = (steps, units) if steps else ("T", units)
    add(
        ((words("outputs"),), (words(format_shape(stacked), small=True),)),
        "output",
        box(steps or units, units),
    )
    title = figure_name(model, f"the numpy loop of {labels.layer_call(layer)}, drawn to scale")
    biases = [r for key in ("b", "b_W", "b_U") if key in weights for r in (words(" + "), name(key))]
    legend = (
        (
            words("for input_t in inputs:  output_t = "),
            words(rec.activation or "linear"),
            words("("),
            name("W"),
            words(" @ input_t + "),
            name("U"),
            words(" @ state_t"),
            *biases,
            words(");  state_t = output_t"),
        ),
        (
            words(
                f"np.stack(successive_outputs): {format_shape(stacked)};  "
                f"np.concatenate(…, axis=0) would give "
                f"{format_shape(((steps * units) if steps else 'T x ' + str(units),))}"
            ),
        ),
    )
    legend = header(model, legend, (*legend, *labels.legend(layer, notation, model.convention)))
    return Scene(name=title, legend=legend, flow="right", nodes=tuple(nodes), edges=())
