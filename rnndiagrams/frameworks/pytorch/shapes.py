"""Shapes, weights and parameter counts of `framework: pytorch` specs, by PyTorch's rules.

Shapes are in the layout PyTorch really uses: (None, L, F) with `batch_first: true`,
(L, None, F) without; `h_n` and `c_n` are (num_layers * D, None, H) either way. Weights are
listed in `named_parameters()` order: per layer, per direction, `weight_ih`, `weight_hh`,
`bias_ih`, `bias_hh`, then `weight_hr` when `proj_size` is set.
"""

from __future__ import annotations

from typing import cast

from ...shapes.shaped import (
    GATE_COUNT,
    Recurrence,
    Shape,
    ShapedLayer,
    ShapedModel,
    StepTensor,
    chain,
    format_shape,
    graph,
)
from ...shapes.weights import GATES, Weight
from ...specification.model import LayerSpec, Spec
from .catalog import CELLS, PARAMETER_FREE, RANKS, STEP_CELLS, facts
from .drawing import drawable
from .graph_shapes import TorchGraph


def shape_torch(spec: Spec, convention: str | None = None) -> ShapedModel:
    if convention not in (None, "pytorch"):
        raise spec.error(
            ("framework",),
            f"a PyTorch spec has no {convention} parameter count",
            "expected convention pytorch (sum(p.numel() for p in model.parameters()))",
        )
    batch_first = batch_first_of(spec)
    shape: Shape = _layout(spec.input_shape, batch_first)

    def rule(layer: LayerSpec, s: Shape, dtype: str, src: str) -> ShapedLayer:
        shaped = _module(spec, layer, s, dtype, src, batch_first)
        return shaped._replace(weights=()) if layer.calls else shaped  # shared

    if spec.graph:
        rules = TorchGraph(spec, batch_first, rule)
        layers = graph(spec, rules.layer, facts, lambda dims: _layout(dims, batch_first))
    else:
        layers = chain(spec, shape, rule, facts)
    return ShapedModel(
        spec=spec,
        convention="pytorch",
        input_shape=shape,
        layers=layers,
        time_axis=1 if batch_first else 0,
        recurrent_classes="RNN, LSTM or GRU",
        unstack=drawable,
    )


def batch_first_of(spec: Spec) -> bool:
    """The layout every RNN module shares (validated); batch-first when there is none."""
    return next((m.args["batch_first"] for m in spec.layers if m.cls in CELLS), True)


def _layout(dims: tuple[int | None, ...], batch_first: bool) -> Shape:
    return (None, *dims) if batch_first else (dims[0], None, *dims[1:])


def _module(
    spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, source: str, batch_first: bool
) -> ShapedLayer:
    a, cls = layer.args, layer.cls
    where = f"{cls} {layer.name!r}"
    gives = f"{source} gives {format_shape(shape)} {dtype}"
    if cls == "Embedding":
        if not dtype.startswith("int"):
            raise spec.error(
                layer.path,
                f"{where} looks up integer token ids, but {gives}",
                "expected Embedding first, on an input with dtype: int64",
            )
        weight = Weight("E", "embedding", (a["num_embeddings"], a["embedding_dim"]))
        return ShapedLayer(layer, shape, shape + (a["embedding_dim"],), dtype, (weight,))
    if dtype.startswith("int"):
        raise spec.error(
            layer.path,
            f"{where} needs float features, but {gives} (token ids)",
            "expected an Embedding before it",
        )
    if cls in RANKS and not RANKS[cls][0] <= len(shape) <= RANKS[cls][1]:
        low, high = RANKS[cls]
        ranks = f"{low}D or {high}D" if high == low + 1 else f"{low}D to {high}D"
        raise spec.error(
            layer.path,
            f"{where} takes a {ranks} input, as PyTorch checks, but {gives}",
            f"expected a {ranks} input",
        )
    if cls in PARAMETER_FREE:
        if "dim" in a and not -len(shape) <= a["dim"] < len(shape):
            raise spec.error(
                layer.path + (cls, "dim"),
                f"dim is {a['dim']}, but {gives}",
                f"expected a dim from {-len(shape)} to {len(shape) - 1}",
            )
        return ShapedLayer(layer, shape, shape, dtype, ())
    if cls in STEP_CELLS:
        return _cell(spec, layer, shape, dtype, source)
    if cls == "Linear":
        _size(spec, layer, "in_features", shape, source)
        weights = [Weight("V", "head", (a["out_features"], a["in_features"]))]
        if a["tie_weight"] is not None:
            _tied(spec, layer, weights[0].shape)
            weights = []
        if a["bias"]:
            weights.append(Weight("c", "bias", (a["out_features"],)))
        step = (StepTensor("o_t", (a["out_features"],), "output at step t"),)
        return ShapedLayer(
            layer,
            shape,
            shape[:-1] + (a["out_features"],),
            dtype,
            tuple(weights),
            step if len(shape) == 3 else (),
        )
    if cls == "LazyLinear":  # in_features is what it reads, as PyTorch infers it
        weights = [Weight("V", "head", (a["out_features"], _known(shape)))]
        if a["bias"]:
            weights.append(Weight("c", "bias", (a["out_features"],)))
        return ShapedLayer(layer, shape, shape[:-1] + (a["out_features"],), dtype, tuple(weights))
    if cls == "Flatten":
        return ShapedLayer(layer, shape, _flatten(spec, layer, shape, gives), dtype, ())
    if cls == "BatchNorm1d":
        return _batch_norm(spec, layer, shape, dtype, gives)
    if cls == "LayerNorm":
        _size(spec, layer, "normalized_shape", shape, source)
        n = a["normalized_shape"]
        weights = []
        if a["elementwise_affine"]:
            weights.append(Weight("gamma", "scale", (n,)))
            if a["bias"]:
                weights.append(Weight("beta", "bias", (n,)))
        return ShapedLayer(layer, shape, shape, dtype, tuple(weights))
    return _rnn(spec, layer, shape, dtype, source, batch_first)


def _known(shape: Shape) -> int:
    """The features of a shape, the last axis (always known: the input gives them)."""
    return cast(int, shape[-1])


def _flatten(spec: Spec, layer: LayerSpec, shape: Shape, gives: str) -> Shape:
    """nn.Flatten's shape: the axes from start_dim to end_dim as one (None if any is)."""
    a, rank = layer.args, len(shape)
    for key in ("start_dim", "end_dim"):
        if not -rank <= a[key] < rank:
            raise spec.error(
                layer.path + (layer.cls, key),
                f"{key} is {a[key]}, but {gives}",
                f"expected a dim from {-rank} to {rank - 1}",
            )
    start, end = a["start_dim"] % rank, a["end_dim"] % rank
    if start > end:
        raise spec.error(
            layer.path + (layer.cls, "start_dim"),
            f"start_dim {a['start_dim']} comes after end_dim {a['end_dim']} on {gives}",
            "expected start_dim at or before end_dim, as PyTorch's flatten()",
        )
    merged: int | None = 1
    for d in shape[start : end + 1]:
        merged = None if merged is None or d is None else merged * d
    return shape[:start] + (merged,) + shape[end + 1 :]


def _batch_norm(spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, gives: str) -> ShapedLayer:
    """nn.BatchNorm1d: (N, C) or (N, C, L), C == num_features; weight and bias (C,) when
    affine (bias unless bias=False). running_mean and running_var are buffers, not parameters: not counted."""
    a = layer.args
    channels = shape[1]
    n = a["num_features"]
    if channels != n:
        what = "the batch (or an open length)" if channels is None else f"{channels} channels"
        raise spec.error(
            layer.path + (layer.cls, "num_features"),
            f"num_features is {n}, but dim 1 of {gives} is {what}",
            "expected the channels at dim 1 (N, C) or (N, C, L), "
            "C == num_features, as PyTorch checks (permute a sequence to (N, C, L))",
        )
    weights = [Weight("gamma", "scale", (n,))] if a["affine"] else []
    if a["affine"] and a["bias"]:
        weights.append(Weight("beta", "bias", (n,)))
    return ShapedLayer(layer, shape, shape, dtype, tuple(weights))


def _tied(spec: Spec, layer: LayerSpec, shape: tuple[int, ...]) -> None:
    """A Linear whose weight is another module's: the same shape (out, in), PyTorch's
    `decoder.weight = encoder.weight` of a word language model."""
    other = next(m for m in spec.layers if m.name == layer.args["tie_weight"])
    if other.cls == "Embedding":
        theirs = (other.args["num_embeddings"], other.args["embedding_dim"])
    elif other.cls == "Linear":
        theirs = (other.args["out_features"], other.args["in_features"])
    else:
        raise spec.error(
            layer.path + (layer.cls, "tie_weight"),
            f"tie_weight names {other.cls} {other.name!r}",
            "expected an Embedding or Linear (a weight of shape (out_features, in_features))",
        )
    if theirs != shape:
        raise spec.error(
            layer.path + (layer.cls, "tie_weight"),
            f"{layer.name}.weight is {shape}, but {other.name}.weight is {theirs}",
            "expected a tied weight of the same shape (out_features, in_features)",
        )


def _cell(spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, source: str) -> ShapedLayer:
    """One step of a cell: (batch, input_size) in, h (batch, hidden_size) out."""
    a = layer.args
    if len(shape) != 2:
        raise spec.error(
            layer.path,
            f"{layer.cls} {layer.name!r} reads one step (batch, input_size), but {source} "
            f"gives {format_shape(shape)}",
            "expected a step of a loop (`keepdim: false`) or a vector",
        )
    _size(spec, layer, "input_size", shape, source)
    cell, hidden = STEP_CELLS[layer.cls], a["hidden_size"]
    rows, gates = GATE_COUNT[cell] * hidden, GATES["pytorch"].get(cell, ())
    weights = [
        Weight("W", "input", (rows, a["input_size"]), None, gates, layered=False),
        Weight("U", "recurrent", (rows, hidden), None, gates, layered=False),
    ]
    if a["bias"]:
        weights += [
            Weight("b_W", "bias", (rows,), None, gates, layered=False),
            Weight("b_U", "bias", (rows,), None, gates, layered=False),
        ]
    step = [
        StepTensor("x_t", (a["input_size"],), "input at step t"),
        StepTensor("h_t", (hidden,), "state and output"),
    ]
    if cell == "LSTM":
        step.append(StepTensor("c_t", (hidden,), "cell state"))
    return ShapedLayer(layer, shape, (None, hidden), dtype, tuple(weights), tuple(step))


def _size(spec: Spec, layer: LayerSpec, key: str, shape: Shape, source: str) -> None:
    """PyTorch's run-time size check, made before it runs: the argument must equal the features."""
    given = layer.args[key]
    if shape[-1] != given:
        raise spec.error(
            layer.path + (layer.cls, key),
            f"{key} is {given}, but {source} gives {shape[-1]} features {format_shape(shape)}",
            f"expected {key}: {shape[-1]}",
        )


def _rnn(
    spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, source: str, batch_first: bool
) -> ShapedLayer:
    a = layer.args
    if len(shape) != 3:
        fix = (
            "give the input a feature axis, [L, features], or put an Embedding first"
            if source == "the input"
            else f"a sequence: `take: output` on {source}"
        )
        raise spec.error(
            layer.path,
            f"{layer.cls} {layer.name!r} needs a sequence (batch, L, features), but {source} "
            f"gives {format_shape(shape)}",
            f"expected {fix}",
        )
    _size(spec, layer, "input_size", shape, source)
    hidden, layers = a["hidden_size"], a["num_layers"]
    out = a.get("proj_size") or hidden  # what h is, and what each layer passes up
    directions = ("forward", "backward") if a["bidirectional"] else (None,)
    width = len(directions) * out
    cell = CELLS[layer.cls]
    rows = GATE_COUNT[cell] * hidden
    gates = GATES["pytorch"].get(cell, ())
    weights, step = [], []
    for k in range(layers):
        in_dim = a["input_size"] if k == 0 else width
        step.append(StepTensor("x_t", (in_dim,), f"input of layer {k} at step t", None, k))
        for d in directions:
            weights += [
                Weight("W", "input", (rows, in_dim), d, gates, k),
                Weight("U", "recurrent", (rows, out), d, gates, k),
            ]
            if a["bias"]:
                weights += [
                    Weight("b_W", "bias", (rows,), d, gates, k),
                    Weight("b_U", "bias", (rows,), d, gates, k),
                ]
            if out != hidden:
                weights.append(Weight("W_hr", "projection", (out, hidden), d, (), k))
            step.append(StepTensor("h_t", (out,), f"state and output of layer {k}", d, k))
            if cell == "LSTM":
                step.append(StepTensor("c_t", (hidden,), f"cell state of layer {k}", d, k))
        if len(directions) == 2:
            step.append(StepTensor("y_t", (width,), "concat of both directions", None, k))
    steps = shape[1] if batch_first else shape[0]
    sequence = (None, steps, width) if batch_first else (steps, None, width)
    finals = len(directions) * layers
    out_shape = (None, width) if layer.take == "last" else sequence
    recurrence = Recurrence(
        cell=cell,
        units=hidden,
        directions=directions,
        sequence=layer.take != "last",
        returns=_returns(layer, out_shape, not batch_first),
        one_direction=f"{layer.cls}({hidden})",
        activation=a.get("nonlinearity", "tanh"),
        gate_activation="sigmoid",
        reset_after=True,  # PyTorch's GRU applies r after W_hn h + b_hn
        layers=layers,
        merge="concat" if a["bidirectional"] else None,
        last_position=True,
    )
    return ShapedLayer(
        layer,
        shape,
        out_shape,
        dtype,
        tuple(weights),
        tuple(step),
        sequence_output=sequence,
        h_n=(finals, None, out),
        c_n=(finals, None, hidden) if cell == "LSTM" else None,
        recurrence=recurrence,
    )


def _returns(layer: LayerSpec, out_shape: Shape, steps_first: bool) -> str:
    """What forward() passes on from the module."""
    if layer.take != "last":
        return f"{layer.name} passes on its whole output (take: output): {format_shape(out_shape)}"
    index = "out[-1]" if steps_first else "out[:, -1]"
    text = f"{layer.name} passes on {index} (take: last): {format_shape(out_shape)}"
    if layer.args["bidirectional"]:
        text += (
            "; its backward half is the backward direction's FIRST step (it reads from the end),"
            " not its final state in h_n"
        )
    return text
