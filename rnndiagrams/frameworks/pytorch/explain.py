"""`explain` for PyTorch specs: the seed's glossary in PyTorch's words, with this spec's numbers.

hidden_size is the seed's `units` / `output_features` (dim h_t); proj_size shrinks h but not c;
h_n and c_n hold one final state per layer and direction, at index `layer * D + direction`.
"""

from __future__ import annotations

from typing import cast

from ...shapes import ShapedLayer, ShapedModel, Weight
from ...shapes.shaped import Shape, format_shape
from .catalog import module_call


def torch_explain_text(model: ShapedModel) -> str:
    spec = model.spec
    layout = (
        "batch_first: true, (batch, L, ...)"
        if model.time_axis == 1
        else "batch_first: false, (L, batch, ...)"
    )
    out = [
        spec.display_name,
        f"input: {format_shape(model.input_shape)} {spec.input_dtype} ({layout})",
        "",
    ]
    previous = "the input"
    for layer in model.layers:
        out.append(
            f"{layer.name} = nn.{module_call(layer.spec)}: {format_shape(layer.input_shape)} "
            f"from {previous} -> {format_shape(layer.output_shape)}"
        )
        lines = _rnn(model, layer) if layer.cell else _plain(layer)
        out += ["  " + line for line in lines]
        out.append(f"  parameters: {_arithmetic(layer)}")
        out.append("")
        previous = repr(layer.name)
    out.append(
        f"total: {model.total_params:,} parameters (sum(p.numel() for p in model.parameters()))"
    )
    return "\n".join(out) + "\n"


def _plain(layer: ShapedLayer) -> list[str]:
    a = layer.spec.args
    if layer.cls == "Embedding":
        return [
            f"x_t = one token's embedding, a row of weight: ({a['embedding_dim']},); "
            f"embedding_dim = {a['embedding_dim']}"
        ]
    if layer.cls == "Linear":
        where = "at every step" if layer.step else "once, on what the previous module passes on"
        return [f"y = x W^T + b {where}: {a['in_features']} features in, {a['out_features']} out"]
    if layer.cls == "Dropout":
        return [f"zeroes each value with probability {a['p']} while training; no parameters"]
    if layer.cls == "LayerNorm":
        return [f"normalises the last {a['normalized_shape']} features of every step"]
    return [layer.shape_note()]


def _rnn(model: ShapedModel, layer: ShapedLayer) -> list[str]:
    a = layer.spec.args
    hidden, k, proj = a["hidden_size"], a["num_layers"], a.get("proj_size", 0)
    D = 2 if a["bidirectional"] else 1
    h = proj or hidden
    lines = [
        f"hidden_size = {hidden} = dim h_t = the seed's units = output_features (numpy example)"
        if not proj
        else f"hidden_size = {hidden} = the seed's units: dim of each gate and of c_t",
    ]
    if proj:
        lines.append(
            f"proj_size = {proj}: h_t = W_hr (o_t * tanh(c_t)) is ({proj},); c_t keeps hidden_size, ({hidden},); "
            f"the recurrence carries the projected h (weight_hh is ({4 * hidden}, {proj}))"
        )
    if layer.cell == "LSTM":
        lines.append(f"c_t = the cell state beside h_t: ({hidden},)")
    for n in range(k):
        x = layer.step_tensor("x_t", None, n).shape
        src = (
            "the module's input"
            if n == 0
            else f"layer {n - 1}" + (", both directions concatenated" if D == 2 else "")
        )
        lines.append(f"layer {n} reads x_t {format_shape(x)} from {src}")
    if k > 1 and a["dropout"]:
        lines.append(
            f"dropout {a['dropout']} between layers (on each layer's output but the last's), training only"
        )
    elif a["dropout"]:
        lines.append(f"dropout {a['dropout']} does nothing with num_layers: 1 (PyTorch warns so)")
    lines.append(
        f"output (the whole sequence): {format_shape(cast(Shape, layer.sequence_output))}, {D} x {h} features per step"
    )
    order = ("forward", "backward") if D == 2 else (None,)
    for final in ("h_n", "c_n"):
        shape = getattr(layer, final)
        if shape is None:
            continue
        lines.append(
            f"{final} {format_shape(shape)}: one final state per layer and direction, index layer * {D} + direction:"
        )
        for n in range(k):
            for d, name in enumerate(order):
                when = "after step 0 (it runs T-1 .. 0)" if name == "backward" else "after step T-1"
                label = f"layer {n}" + (f" {name}" if name else "")
                lines.append(f"  {final}[{n * D + d}] = {label}, {when}")
    if layer.spec.take == "last":
        index = "out[:, -1]" if model.time_axis == 1 else "out[-1]"
        text = (
            f"take: last -> {index} {format_shape(layer.output_shape)}: the last step of the output"
        )
        if D == 2:
            text += (
                f"; its forward half is h_n[{(k - 1) * D}], but its backward half is the backward "
                f"direction's FIRST step (it reads the sequence from the end), not h_n[{k * D - 1}]"
            )
        else:
            text += f", equal to h_n[{k - 1}]"
        lines.append(text)
    return lines


def _arithmetic(layer: ShapedLayer) -> str:
    """Per layer and direction, each named weight's size, summed: the count is the weights'."""
    if not layer.weights:
        return "0"
    groups: dict[tuple[int, str | None], list[Weight]] = {}
    for w in layer.weights:
        groups.setdefault((w.layer, w.direction), []).append(w)
    parts = [" + ".join(" x ".join(str(d) for d in w.shape) for w in ws) for ws in groups.values()]
    if len(parts) == 1:
        return f"{parts[0]} = {layer.params:,}"
    counts = dict.fromkeys(parts, 0)
    for part in parts:
        counts[part] += 1
    terms = [f"{n} x ({part})" if n > 1 else f"({part})" for part, n in counts.items()]
    return f"{' + '.join(terms)} = {layer.params:,}"
