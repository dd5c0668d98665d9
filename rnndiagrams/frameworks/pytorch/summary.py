"""`summary` of a PyTorch spec in torchinfo's layout, the table PyTorch users know.

torchinfo prints one row per module; RNN modules here also get a row for each final state
(`h_n`, `c_n`) and, with `take: last`, for the `out[:, -1]` that forward passes on, since
those are the shapes people get wrong. The batch is None, as in every shape we print, so the
lines torchinfo derives from a batch (mult-adds, activation sizes) are left out.
"""

from __future__ import annotations

from ...shapes import ShapedModel
from ...shapes.shaped import Shape
from .catalog import class_name
from .validate import auto_name

WIDTHS = (40, 25, 25)  # torchinfo's default column widths (each cell then one space)


def _shape(shape: Shape) -> str:
    return "[" + ", ".join("None" if d is None else str(d) for d in shape) + "]"


def _row(name: str, shape: str, params: str) -> str:
    cells = (name, shape, params)
    return "".join(f"{cell:<{width}} " for cell, width in zip(cells, WIDTHS, strict=True)).rstrip()


def torchinfo_text(model: ShapedModel) -> str:
    rule = "=" * sum(WIDTHS)
    last = model.layers[-1]
    # torchinfo's var_names column, when the spec names its modules (a chain can)
    named = model.spec.graph
    if not named:
        counters: dict[str, int] = {}
        named = [auto_name(m.cls, counters) for m in model.layers] != [m.name for m in model.layers]
    rows = [
        rule,
        _row(f"Layer (type{' (var_name)' if named else ''}:depth-idx)", "Output Shape", "Param #"),
        rule,
        _row(class_name(model.spec), _shape(last.output_shape), "--"),
    ]
    for i, layer in enumerate(model.layers, start=1):
        returned = layer.sequence_output or layer.output_shape
        rows.append(
            _row(
                f"├─{layer.cls}{f' ({layer.name})' if named else ''}: 1-{i}",
                _shape(returned),
                f"{layer.params:,}" if layer.params else "--",
            )
        )
        extras = [("h_n", layer.h_n), ("c_n", layer.c_n)]
        if layer.spec.take == "last":
            index = "[:, -1]" if model.time_axis == 1 else "[-1]"
            extras.insert(0, (f"out{index} (take: last)", layer.output_shape))
        for label, shape in extras:
            if shape is not None:
                rows.append(_row(f"│    └─{label}", _shape(shape), "--"))
    total = model.total_params
    rows += [
        rule,
        f"Total params: {total:,}",
        f"Trainable params: {total:,}",
        "Non-trainable params: 0",
        rule,
        f"Params size (MB): {total * 4 / 1e6:0.2f}",
        rule,
    ]
    return "\n".join(rows) + "\n"
