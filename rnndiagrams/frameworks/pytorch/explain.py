"""`explain` for PyTorch specs: the seed's glossary in PyTorch's words, with this spec's numbers.

hidden_size is the seed's `units` / `output_features` (dim h_t); proj_size shrinks h but not c;
h_n and c_n hold one final state per layer and direction, at index `layer * D + direction`.
"""

from __future__ import annotations

from typing import cast

from ...shapes import ShapedLayer, ShapedModel, Weight
from ...shapes.shaped import Shape, format_shape
from .catalog import CELLS, MODULES, STEP_CELLS, module_call


def torch_explain_text(model: ShapedModel) -> str:
    spec = model.spec

    def layout_of(dims: tuple[int | None, ...]) -> Shape:
        return (None, *dims) if model.time_axis == 1 else (dims[0], None, *dims[1:])

    layout = (
        "batch_first: true, (batch, L, ...)"
        if model.time_axis == 1
        else "batch_first: false, (L, batch, ...)"
    )
    inputs = [
        f"input{' ' + i.name if spec.graph else ''}: {format_shape(layout_of(i.shape))} {i.dtype}"
        for i in spec.inputs
    ]
    inputs[0] += f" ({layout})"
    out = [spec.display_name, *inputs, ""]
    names = {i.name for i in spec.inputs}
    for layer in model.layers:
        sources = (
            ", ".join(
                "the input"
                if name == "input" and not spec.graph
                else f"the input {name!r}"
                if name in names
                else repr(name)
                for name in layer.reads
            )
            or "the step before"
        )
        prefix = "nn." if layer.cls in MODULES and layer.cls != "BahdanauAttention" else ""
        out.append(
            f"{layer.name} = {prefix}{module_call(layer.spec)}: {format_shape(layer.input_shape)} "
            f"from {sources} -> {format_shape(layer.output_shape)}"
        )
        lines = _rnn(model, layer) if layer.cls in CELLS else _what(layer)
        lines += _where(layer)
        out += ["  " + line for line in lines]
        out.append(f"  parameters: {_arithmetic(layer)}")
        out.append("")
    out.append(
        f"total: {model.total_params:,} parameters (sum(p.numel() for p in model.parameters()))"
    )
    return "\n".join(out) + "\n"


def _what(layer: ShapedLayer) -> list[str]:
    """What a module or a graph's function does."""
    a, spec = layer.spec.args, layer.spec
    if spec.calls is not None:
        lines = [f"the module {spec.calls} called again: its parameters, counted once"]
    elif layer.cls in STEP_CELLS:
        lines = [
            f"one step of the cell: h_t ({a['hidden_size']},) from x_t ({a['input_size']},) "
            f"and its own h_t-1" + (" and c_t-1" if layer.cell == "LSTM" else "")
        ]
    elif layer.cls == "BahdanauAttention":
        lines = [
            "scores = Va(tanh(Wa(query) + Ua(keys))), one per key step; weights = "
            f"softmax over them {format_shape(layer.state_outputs[0])} (output 1); "
            "context = bmm(weights, keys) (output 0)"
        ]
    elif layer.cls == "step":
        lines = [f"{a['over']} one step at a time, for each step of the loop {spec.loop}"]
        if a["future"]:
            lines.append(
                f"then {a['future']} steps more, each reading {a['feedback']} of the step before"
            )
    elif layer.cls == "loop":
        lines = [layer.about, f"each step's {layer.reads[0]} joined"]
    else:
        lines = _plain(layer)
    return lines


def _where(layer: ShapedLayer) -> list[str]:
    """A graph's layer: its tied weight, the loop it runs in, what it reads from the step
    before and the states it starts from."""
    a, spec = layer.spec.args, layer.spec
    lines = []
    if a.get("tie_weight") is not None:
        lines.append(f"weight is {a['tie_weight']}.weight (tied): counted once, there")
    if spec.loop is not None and layer.cls != "step":
        lines.append(f"runs at every step of the loop {spec.loop}")
    for ref in (r for r in spec.reads or () if r.previous and layer.cls != "step"):
        lines.append(
            f"reads {ref.source}.{ref.output} of the step before (at step 0, "
            f"{ref.source}'s initial state)"
        )
    if spec.initial_state:
        names = ", ".join(
            f"{r.source}.{r.output}" if r.output else r.source for r in spec.initial_state
        )
        lines.append(
            f"starts from {names}" + (" at step 0, then from its own state" if spec.loop else "")
        )
    return lines


def _plain(layer: ShapedLayer) -> list[str]:
    a = layer.spec.args
    if layer.cls == "Embedding":
        return [
            f"x_t = one token's embedding, a row of weight: ({a['embedding_dim']},); "
            f"embedding_dim = {a['embedding_dim']}"
        ]
    if layer.cls == "LazyLinear":
        return [
            f"in_features inferred at the first call: {layer.input_shape[-1]}; then a Linear, "
            f"y = x W^T + b, {a['out_features']} features out"
        ]
    if layer.cls == "Flatten":
        return [
            f"flattens dims {a['start_dim']} to {a['end_dim']} into one: "
            f"{format_shape(layer.input_shape)} -> {format_shape(layer.output_shape)}; no parameters"
        ]
    if layer.cls == "BatchNorm1d":
        stats = (
            f"running_mean and running_var ({a['num_features']},) are buffers, not parameters "
            "(non-trainable), used in eval mode"
            if a["track_running_stats"]
            else "no running statistics: the batch's own, in eval mode too"
        )
        return [
            f"normalises each of the {a['num_features']} channels at dim 1 over the batch"
            + (" and L" if len(layer.input_shape) == 3 else ""),
            stats,
        ]
    if layer.cls in ("Dropout1d", "Dropout2d"):
        return [f"zeroes whole channels with probability {a['p']} while training; no parameters"]
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
