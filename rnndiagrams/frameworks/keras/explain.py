"""`explain`: the seed post's glossary, filled in with one spec's numbers.

The post exists because one vector and one number go by many names; here each name is
tied to the value the shape engine computed for this spec.
"""

from __future__ import annotations

from ...shapes import ShapedLayer, ShapedModel, Weight
from ...shapes.shaped import Shape, format_shape
from ...specification.catalog import NOTATIONS


def explain_text(models: dict[str, ShapedModel]) -> str:
    """`models` maps convention -> ShapedModel of the same spec."""
    keras, pytorch = models["keras"], models["pytorch"]
    spec = keras.spec
    out = [f"{spec.display_name}"]
    if spec.graph:
        out += [f"input {i.name}: {format_shape((None, *i.shape))} {i.dtype}" for i in spec.inputs]
    else:
        out.append(f"input: {format_shape(keras.input_shape)} {spec.input_dtype}")
    out.append("")
    tensors = {(i.name, 0): ((None, *i.shape), f"input {i.name!r}") for i in spec.inputs}
    for layer in keras.layers:
        for k, shape in enumerate(layer.outputs):
            tensors[layer.name, k] = (shape, repr(layer.name) + (f" output {k}" if k else ""))
    previous = "the input"
    for layer, torch_layer in zip(keras.layers, pytorch.layers, strict=True):
        if spec.graph:
            reads = [tensors[r.source, r.output] for r in layer.spec.reads or ()]
            shapes = " and ".join(format_shape(shape) for shape, _ in reads)
            previous = " and ".join(words for _, words in reads)
        else:
            shapes = format_shape(layer.input_shape)
        out.append(
            f"{layer.name} ({layer.cls}): {shapes} from {previous} "
            f"-> {format_shape(layer.output_shape)}"
        )
        out += ["  " + line for line in _names(layer)]
        out += ["  " + line for line in _states(layer, tensors)]
        if layer.weights:
            out += ["  " + line for line in _weight_table(layer, torch_layer)]
        out.append(f"  parameters, Keras:   {_arithmetic(layer)}")
        out.append(f"  parameters, PyTorch: {_arithmetic(torch_layer)}")
        out.append("")
        previous = repr(layer.name)
    out.append(
        f"total: {keras.total_params:,} parameters in Keras, {pytorch.total_params:,} in PyTorch"
    )
    return "\n".join(out) + "\n"


def _names(layer: ShapedLayer) -> list[str]:
    if layer.cls == "Embedding":
        dim = layer.spec.args["output_dim"]
        return [f"x_t = one token's embedding, a row of E: ({dim},); output_dim = {dim}"]
    if layer.cls == "Dense":
        units = layer.spec.args["units"]
        if layer.step:
            return [
                f"o_t = V h_t + c at every step: ({units},) (the output head of the figures that draw o and V)"
            ]
        return [f"output = V h + c on the last state only (many-to-one): ({units},)"]
    if layer.cell is None:
        return [_feedforward_note(layer)]
    rnn = layer.spec.inner or layer.spec
    units = rnn.args["units"]
    x_t = layer.step_tensor("x_t").shape
    lines = [
        f"x_t = input_t (numpy example) = one step of the input: {format_shape(x_t)}; input_features = {x_t[0]}",
        f"h_t = output_t (numpy example) = state_t (Keras docs) = previous_output at step t+1: ({units},)",
        f"{units} = units = output_features (numpy example) = dimensionality of the output space (Keras docs)",
        f"     = dim h_t = dim state_t = the {units} in {rnn.cls}({units})",
    ]
    if rnn.cls == "LSTM":
        lines.append(f"c_t = the LSTM's cell state (carry), a second state beside h_t: ({units},)")
    if layer.spec.inner:
        merge = layer.spec.args["merge_mode"]
        lines.append(
            f"both directions run their own weights; y_t = {merge}(h_t forward, h_t backward): "
            f"{format_shape(layer.step_tensor('y_t').shape)}"
        )
    sequences = rnn.args["return_sequences"]
    lines.append(
        f"return_sequences: {str(sequences).lower()} -> "
        + ("every h_t is returned, " if sequences else "only the last h_t is returned, ")
        + format_shape(layer.output_shape)
    )
    return lines


def _states(layer: ShapedLayer, tensors: dict[tuple[str, int], tuple[Shape, str]]) -> list[str]:
    """What a graph's recurrent layer starts from (initial_state) and hands on (return_state)."""
    lines = []
    names = [f"{d} {s}" if d else s for d, s in _state_names(layer)]
    if layer.spec.initial_state:
        given = [tensors[r.source, r.output][1] for r in layer.spec.initial_state]
        pairs = ", ".join(f"{n} = {g}" for n, g in zip(names, given, strict=True))
        lines.append(f"initial_state: starts from {pairs} (not from zeros)")
    if layer.state_outputs:
        shape = format_shape(layer.state_outputs[0])
        handed = ", ".join(f"{n} = {layer.name}.{k}" for k, n in enumerate(names, start=1))
        lines.append(f"return_state: true -> also returns its final {handed}, {shape} each")
    return lines


def _state_names(layer: ShapedLayer) -> list[tuple[str, str]]:
    """(direction, h or c) of each state a recurrent layer starts from or returns, in order."""
    recurrence = layer.recurrence
    if recurrence is None:
        return []
    per = ("h", "c") if recurrence.cell == "LSTM" else ("h",)
    return [(d or "", s) for d in recurrence.directions for s in per]


_MERGES = {
    "Concatenate": "joins its inputs side by side along axis {axis}",
    "Add": "adds its inputs elementwise (a residual connection when one is the other's input)",
    "Average": "averages its inputs elementwise",
    "Multiply": "multiplies its inputs elementwise",
    "Dot": "dot products of its two inputs along axes {axes}",
    "Attention": (
        "for each query step (the first input), scores every key step (the last input) by "
        "a dot product, softmax over them, and sums the value steps with those weights: "
        "one context vector per query step"
    ),
    "AdditiveAttention": (
        "for each query step (the first input), scores every key step by v . tanh(q + k), "
        "softmax over them, and sums the value steps with those weights: one context "
        "vector per query step"
    ),
    "MultiHeadAttention": (
        "{num_heads} heads, each projecting query and key to key_dim {key_dim} and value to "
        "its value_dim, attending as Attention does (scaled by 1/sqrt(key_dim)); the heads "
        "projected back to one vector per query step"
    ),
}


def _feedforward_note(layer: ShapedLayer) -> str:
    """One sentence on what a non-recurrent layer does to the shapes, with this spec's values."""
    a, cls = layer.spec.args, layer.cls
    if cls in _MERGES:
        return _MERGES[cls].format(**a) + f" -> {format_shape(layer.output_shape)}"
    steps_in, steps_out = layer.input_shape[1], layer.output_shape[1:2]
    if cls == "Masking":
        return (
            f"steps whose features all equal {a['mask_value']} are skipped by the layers after it"
        )
    if cls in ("Dropout", "SpatialDropout1D"):
        what = "whole channels (the same at every step)" if cls != "Dropout" else "values"
        return f"training only: drops a fraction {a['rate']} of the {what}; shape unchanged"
    if cls == "GaussianNoise":
        return f"training only: adds normal noise of stddev {a['stddev']}; shape unchanged"
    if cls == "Activation":
        return f"applies {a['activation']} to every value; shape unchanged"
    if cls in ("Conv1D", "MaxPooling1D", "AveragePooling1D"):
        size = a.get("kernel_size", a.get("pool_size"))
        stride = a["strides"] or size
        return (
            f"a window of {size} steps slides by {stride} over T = {steps_in} steps "
            f"(padding {a['padding']}) -> T = {steps_out[0]}"
        )
    if cls.startswith("Global"):
        how = "max" if "Max" in cls else "average"
        return f"the {how} over all T = {steps_in} steps of each channel: many-to-one by pooling"
    if cls == "Flatten":
        return f"every step's vector side by side: {layer.output_shape[-1]} values"
    if cls == "RepeatVector":
        return f"the vector copied to each of n = {a['n']} steps (a decoder's input sequence)"
    if cls == "TimeDistributed":
        return f"o_t = V h_t + c with the same V, c at every step: {layer.output_shape[-1:]}"
    if cls in ("LayerNormalization", "BatchNormalization"):
        frozen = ", moving mean and variance non-trainable" if layer.non_trainable else ""
        return f"normalises each step's features, then scales by γ and shifts by β{frozen}"
    return layer.shape_note()


def _weight_table(keras: ShapedLayer, pytorch: ShapedLayer) -> list[str]:
    """Keras's weights, then those only PyTorch has (its second bias), under every notation."""
    rows: list[tuple[str, ...]] = [("role", *NOTATIONS)]
    keys = {
        side: {(w.key, w.direction) for w in layer.weights}
        for side, layer in (("Keras", keras), ("PyTorch", pytorch))
    }
    for side, other, weights in (
        ("Keras", "PyTorch", keras.weights),
        ("PyTorch", "Keras", pytorch.weights),
    ):
        for w in weights:
            shared = (w.key, w.direction) in keys[other]
            if side == "PyTorch" and shared:
                continue
            only = "non-trainable; a buffer in PyTorch" if not w.trainable else f"{side} only"
            notes = [n for n in (w.direction, None if shared else only) if n]
            tag = f" ({', '.join(notes)})" if notes else ""
            rows.append(
                (w.role + tag, *(f"{w.name(n)} {format_shape(w.shape_in(n))}" for n in NOTATIONS))
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(wd) for c, wd in zip(r, widths, strict=True)).rstrip() for r in rows]


def _arithmetic(layer: ShapedLayer) -> str:
    """The seed's factorised form, units x (units + input + biases), derived from the weights."""
    if layer.cell is None:
        terms = " + ".join(" x ".join(str(d) for d in w.shape) or "1" for w in layer.weights)
        return f"{terms or 'no weights'} = {layer.params:,}"
    by_direction: dict[str | None, list[Weight]] = {}
    for w in layer.weights:
        by_direction.setdefault(w.direction, []).append(w)
    first = next(iter(by_direction.values()))
    W = next(w for w in first if w.key == "W")
    U = next(w for w in first if w.key == "U")
    biases = sum(w.size for w in first if w.role == "bias") // W.shape[0]
    gates, units = W.shape[0] // U.shape[1], U.shape[1]
    inner = f"{units} x ({units} + {W.shape[1]}" + (f" + {biases})" if biases else ")")
    factor = f"{gates} x {inner}" if gates > 1 else inner
    if len(by_direction) > 1:
        factor = f"2 x {factor}" if gates == 1 else f"2 x ({factor})"
    return f"{factor} = {layer.params:,}"
