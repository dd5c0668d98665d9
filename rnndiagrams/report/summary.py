"""`summary`: Keras's model.summary() table, and the same facts as JSON."""

from __future__ import annotations

from typing import Any

from ..shapes import ShapedLayer, ShapedModel, Weight
from ..shapes.engine import format_shape

# Weights a Keras model does not have: PyTorch's second recurrent bias, its projections, ...
_PYTORCH_ONLY = ("b_W", "b_U", "W_hr")


def summary_json(model: ShapedModel, notation: str | None = None) -> dict[str, Any]:
    notation = notation or model.spec.notation
    layers = []
    for layer in model.layers:
        weights = []
        for w in layer.weights:
            entry = {"role": w.role, "name": w.name(notation), "shape": list(w.shape_in(notation))}
            if w.direction:
                entry["direction"] = w.direction
            if _real_in_pytorch(layer, w):
                entry["pytorch_name"] = w.name("pytorch")
            if model.spec.framework == "keras" and w.key not in _PYTORCH_ONLY:
                entry["keras_path"] = layer.weight_path(w)
            weights.append(entry)
        entry = {
            "name": layer.name,
            "class": layer.cls,
            "output_shape": list(layer.output_shape),
            "params": layer.params,
            "weights": weights,
        }
        for final in ("h_n", "c_n"):
            if getattr(layer, final) is not None:
                entry[final] = list(getattr(layer, final))
        layers.append(entry)
    return {
        "convention": model.convention,
        "notation": notation,
        "total_params": model.total_params,
        "layers": layers,
    }


def _real_in_pytorch(layer: ShapedLayer, weight: Weight) -> bool:
    """Keras's fused recurrent `bias` has no PyTorch parameter (PyTorch keeps two biases)."""
    return not (weight.key == "b" and layer.cell)


def summary_text(model: ShapedModel) -> str:
    """Keras 3's summary layout (the same box table and memory line), for either convention;
    torchinfo's for PyTorch specs."""
    if model.spec.framework == "pytorch":
        from .torch_summary import torchinfo_text

        return torchinfo_text(model)
    title = model.spec.display_name
    rows = [
        (f"{layer.name} ({layer.cls})", format_shape(layer.output_shape), f"{layer.params:,}")
        for layer in model.layers
    ]
    head = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(len(r[i]) for r in rows + [head]) + 2 for i in range(3)]

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(cells: tuple, bar: str) -> str:
        texts = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1]), cells[2].rjust(widths[2])]
        return bar + bar.join(f" {t} " for t in texts) + bar

    out = [
        f'Model: "{title}"'
        + ("" if model.convention == "keras" else "  (PyTorch parameter convention)"),
        line("┏", "┳", "┓", "━"),
        row(head, "┃"),
        line("┡", "╇", "┩", "━"),
    ]
    for i, r in enumerate(rows):
        if i:
            out.append(line("├", "┼", "┤", "─"))
        out.append(row(r, "│"))
    out.append(line("└", "┴", "┘", "─"))
    total = model.total_params
    out += [
        f" Total params: {total:,} ({_memory(total)})",
        f" Trainable params: {total:,} ({_memory(total)})",
        " Non-trainable params: 0 (0.00 B)",
    ]
    return "\n".join(out) + "\n"


def _memory(params: int) -> str:
    """Keras's readable_memory_size, float32 weights, in integers so no size overflows."""
    size = params * 4
    units = ("B", "KB", "MB", "GB", "TB", "PB")
    k = 0
    while k < len(units) - 1 and size >= 1024 ** (k + 1):
        k += 1
    hundredths = (size * 100 * 2 + 1024**k) // (2 * 1024**k)  # rounded half up
    return f"{hundredths // 100}.{hundredths % 100:02d} {units[k]}"
