"""`summary`: Keras's model.summary() table, and the same facts as JSON."""

from __future__ import annotations

from html import escape
from typing import Any

from ..frameworks import framework
from ..shapes import ShapedLayer, ShapedModel, Weight
from ..shapes.shaped import format_shape


def summary_json(model: ShapedModel, notation: str | None = None) -> dict[str, Any]:
    notation = notation or model.spec.notation
    weight_path = framework(model.spec.framework).weight_path
    layers = []
    for layer in model.layers:
        weights = []
        for w in layer.weights:
            entry: dict[str, Any] = {
                "role": w.role,
                "name": w.name(notation),
                "shape": list(w.shape_in(notation)),
            }
            if w.direction:
                entry["direction"] = w.direction
            if not w.trainable:
                entry["trainable"] = False
            if _real_in_pytorch(layer, w):
                entry["pytorch_name"] = w.name("pytorch")
            if path := weight_path(layer, w):
                entry["keras_path"] = path
            weights.append(entry)
        entry = {
            "name": layer.name,
            "class": layer.cls,
            "output_shape": list(layer.output_shape),
            "params": layer.params,
            "non_trainable": layer.non_trainable,
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
        "trainable_params": model.total_params - model.non_trainable_params,
        "non_trainable_params": model.non_trainable_params,
        "layers": layers,
    }


def _real_in_pytorch(layer: ShapedLayer, weight: Weight) -> bool:
    """Keras's fused recurrent `bias` has no PyTorch parameter (PyTorch keeps two biases)."""
    return not (weight.key == "b" and layer.cell)


def summary_text(model: ShapedModel) -> str:
    """The summary the spec's framework prints (Keras's table, torchinfo's)."""
    return framework(model.spec.framework).summary_text(model)


def table_text(model: ShapedModel) -> str:
    """Keras 3's summary layout (the same box table and memory line), for either convention."""
    title = model.spec.display_name
    rows = _rows(model)
    head = _HEAD
    widths = [max(len(r[i]) for r in rows + [head]) + 2 for i in range(3)]

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(cells: tuple[str, str, str], bar: str) -> str:
        texts = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1]), cells[2].rjust(widths[2])]
        return bar + bar.join(f" {t} " for t in texts) + bar

    out = [
        f'Model: "{title}"' + _convention_note(model),
        line("┏", "┳", "┓", "━"),
        row(head, "┃"),
        line("┡", "╇", "┩", "━"),
    ]
    for i, r in enumerate(rows):
        if i:
            out.append(line("├", "┼", "┤", "─"))
        out.append(row(r, "│"))
    out.append(line("└", "┴", "┘", "─"))
    out += [f" {line}" for line in _totals(model)]
    return "\n".join(out) + "\n"


def summary_html(model: ShapedModel) -> str:
    """The same table as HTML, for notebooks and the gallery page (no styles of its own)."""
    cells = "".join(f"<th>{escape(h)}</th>" for h in _HEAD)
    body = "".join(
        f"<tr><td>{escape(name)}</td><td><code>{escape(shape)}</code></td>"
        f'<td style="text-align:right">{escape(params)}</td></tr>'
        for name, shape, params in _rows(model)
    )
    caption = escape(f'Model: "{model.spec.display_name}"' + _convention_note(model))
    totals = "<br>".join(escape(line) for line in _totals(model))
    return (
        f'<table class="rnndiagrams-summary"><caption>{caption}</caption>'
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody>"
        f'<tfoot><tr><td colspan="3">{totals}</td></tr></tfoot></table>'
    )


_HEAD = ("Layer (type)", "Output Shape", "Param #")


def _rows(model: ShapedModel) -> list[tuple[str, str, str]]:
    return [
        (f"{layer.name} ({layer.cls})", format_shape(layer.output_shape), f"{layer.params:,}")
        for layer in model.layers
    ]


def _convention_note(model: ShapedModel) -> str:
    return "" if model.convention == "keras" else "  (PyTorch parameter convention)"


def _totals(model: ShapedModel) -> list[str]:
    total, frozen = model.total_params, model.non_trainable_params
    return [
        f"Total params: {total:,} ({_memory(total)})",
        f"Trainable params: {total - frozen:,} ({_memory(total - frozen)})",
        f"Non-trainable params: {frozen:,} ({_memory(frozen)})",
    ]


def _memory(params: int) -> str:
    """Keras's readable_memory_size, float32 weights, in integers so no size overflows."""
    size = params * 4
    units = ("B", "KB", "MB", "GB", "TB", "PB")
    k = 0
    while k < len(units) - 1 and size >= 1024 ** (k + 1):
        k += 1
    hundredths = (size * 100 * 2 + 1024**k) // (2 * 1024**k)  # rounded half up
    return f"{hundredths // 100}.{hundredths % 100:02d} {units[k]}"
