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
            "output_shape": [list(s) for s in layer.outputs]
            if layer.state_outputs
            else list(layer.output_shape),
            "params": layer.params,
            "non_trainable": layer.non_trainable,
            "weights": weights,
        }
        for final in ("h_n", "c_n"):
            if getattr(layer, final) is not None:
                entry[final] = list(getattr(layer, final))
        if model.spec.graph:
            entry["inputs"] = [list(key) for key in layer.inbound]  # Keras's "Connected to"
        layers.append(entry)
    out: dict[str, Any] = {
        "convention": model.convention,
        "notation": notation,
        "total_params": model.total_params,
        "trainable_params": model.total_params - model.non_trainable_params,
        "non_trainable_params": model.non_trainable_params,
    }
    out |= framework(model.spec.framework).summary_facts(model)
    if model.spec.graph:
        out["inputs"] = [
            {"name": i.name, "shape": [None, *i.shape], "dtype": i.dtype} for i in model.spec.inputs
        ]
        out["outputs"] = [[ref.source, ref.output] for ref in model.spec.outputs]
    return {**out, "layers": layers}


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
    head = _head(model)
    widths = [
        max(len(line) for r in rows + [head] for line in r[i].split("\n")) + 2
        for i in range(len(head))
    ]

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(cells: tuple[str, ...], bar: str) -> str:
        """One row; a cell of several lines (Connected to) makes it as many lines high."""
        lines = [cell.split("\n") for cell in cells]
        out = []
        for k in range(max(map(len, lines))):
            texts = [
                (c[k] if k < len(c) else "").rjust(w)
                if i == 2
                else (c[k] if k < len(c) else "").ljust(w)
                for i, (c, w) in enumerate(zip(lines, widths, strict=True))
            ]
            out.append(bar + bar.join(f" {t} " for t in texts) + bar)
        return "\n".join(out)

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
    cells = "".join(f"<th>{escape(h)}</th>" for h in _head(model))
    body = "".join(
        f"<tr><td>{escape(name)}</td><td><code>{escape(shape)}</code></td>"
        f'<td style="text-align:right">{escape(params)}</td>'
        + "".join(f"<td>{escape(c).replace(chr(10), '<br>')}</td>" for c in connected)
        + "</tr>"
        for name, shape, params, *connected in _rows(model)
    )
    caption = escape(f'Model: "{model.spec.display_name}"' + _convention_note(model))
    totals = "<br>".join(escape(line) for line in _totals(model))
    return (
        f'<table class="rnndiagrams-summary"><caption>{caption}</caption>'
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody>"
        f'<tfoot><tr><td colspan="{len(_head(model))}">{totals}</td></tr></tfoot></table>'
    )


def _head(model: ShapedModel) -> tuple[str, ...]:
    """Keras's columns; a Functional model (a graph) has "Connected to" too."""
    return ("Layer (type)", "Output Shape", "Param #") + (
        ("Connected to",) if model.spec.graph else ()
    )


def _rows(model: ShapedModel) -> list[tuple[str, ...]]:
    """One row per layer; a graph's also has its inputs and the mask ops of `mask_zero`,
    as Keras lists them, and each layer's inbound tensors as `layer[node][tensor]`."""
    if not model.spec.graph:
        return [
            (f"{layer.name} ({layer.cls})", format_shape(layer.output_shape), f"{layer.params:,}")
            for layer in model.layers
        ]
    rows: list[tuple[str, ...]] = [
        (f"{i.name} (InputLayer)", format_shape((None, *i.shape)), "0", "-")
        for i in model.spec.inputs
    ]
    # mask ops that a layer is given, or that such an op reads: Keras lists no other
    used = {name for layer in model.layers for name, _ in layer.inbound}
    ops = [op for layer in model.layers for op in layer.mask_ops]
    while True:
        more = {source for name, _, _, reads in ops if name in used for source, _ in reads}
        if more <= used:
            break
        used |= more
    for layer in model.layers:
        shapes = [format_shape(s) for s in layer.outputs]
        shown = shapes[0]
        if len(shapes) > 1:  # Keras's list of shapes, two to a line here
            shown = (
                "["
                + ",\n ".join(", ".join(shapes[i : i + 2]) for i in range(0, len(shapes), 2))
                + "]"
            )
        rows.append(
            (f"{layer.name} ({layer.cls})", shown, f"{layer.params:,}", _connected(layer.inbound))
        )
        for name, cls, shape, reads in layer.mask_ops:
            if name in used:
                rows.append((f"{name} ({cls})", format_shape(shape), "0", _connected(reads)))
    return rows


def _connected(inbound: tuple[tuple[str, int], ...]) -> str:
    return ",\n".join(f"{name}[0][{index}]" for name, index in inbound)


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
