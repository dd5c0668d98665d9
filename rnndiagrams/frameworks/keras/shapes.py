"""Shapes, weights and parameter counts for every layer, by Keras's rules."""

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
)
from ...shapes.weights import GATES, Weight
from ...specification.model import LayerSpec, Spec
from .catalog import AUTO_NAME, facts


def shape_keras(spec: Spec, convention: str | None = None) -> ShapedModel:
    """Run Keras's shape rules over the layers; incompatible layers raise located SpecErrors."""
    chosen = convention or spec.convention
    shape: Shape = (None,) + tuple(spec.input_shape)
    return ShapedModel(
        spec=spec,
        convention=chosen,
        input_shape=shape,
        layers=chain(
            spec,
            shape,
            lambda layer, s, dtype, src: _shape_layer(spec, layer, s, dtype, src, chosen),
            facts,
        ),
        recurrent_classes="SimpleRNN, LSTM, GRU or Bidirectional",
    )


def _shape_layer(
    spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, source: str, convention: str
) -> ShapedLayer:
    where = f"{layer.cls} {layer.name!r}"
    if layer.cls == "Embedding":
        if len(shape) != 2 or not dtype.startswith("int") or source != "the input":
            raise spec.error(
                layer.path,
                f"{where} needs integer token ids of shape (batch, timesteps), "
                f"but {source} gives {format_shape(shape)} {dtype}",
                "expected Embedding first, on input {shape: [null], dtype: int32}",
            )
        a = layer.args
        return ShapedLayer(
            layer,
            shape,
            shape + (a["output_dim"],),
            dtype,
            (Weight("E", "embedding", (a["input_dim"], a["output_dim"])),),
        )
    if layer.cls == "Dense":
        if shape[-1] is None:
            raise spec.error(
                layer.path,
                f"{where} needs a known last dimension, but {source} gives {format_shape(shape)}",
                "expected an Embedding or a recurrent layer before it",
            )
        units, in_dim = layer.args["units"], shape[-1]
        weights = [Weight("V", "head", (units, in_dim))]
        if layer.args["use_bias"]:
            weights.append(Weight("c", "bias", (units,)))
        step = (StepTensor("o_t", (units,), "output at step t"),) if len(shape) == 3 else ()
        return ShapedLayer(layer, shape, shape[:-1] + (units,), dtype, tuple(weights), step)
    if layer.cell is None:
        from .feedforward import shape_feedforward

        def fail(problem: str, expected: str) -> Exception:
            got = f"{source} gives {format_shape(shape)}"
            return spec.error(layer.path, f"{where} {problem.replace('{got}', got)}", expected)

        out_shape, weights = shape_feedforward(layer, shape, convention, fail)
        step = ()
        if layer.cls == "TimeDistributed":
            step = (StepTensor("o_t", cast(tuple[int, ...], out_shape[-1:]), "output at step t"),)
        return ShapedLayer(layer, shape, out_shape, dtype, weights, step)
    # recurrent, bare or wrapped in Bidirectional
    if len(shape) != 3:
        fix = (
            "set return_sequences: true on " + source
            if source != "the input"
            else "give the input a feature axis, [timesteps, features], or put an Embedding first"
        )
        raise spec.error(
            layer.path,
            f"{where} needs a 3-D input (batch, timesteps, features), "
            f"but {source} {'gives' if source == 'the input' else 'returns'} {format_shape(shape)}",
            fix,
        )
    rnn = layer.inner or layer
    units, in_dim = rnn.args["units"], cast(int, shape[-1])  # validated: features are known
    directions = ("forward", "backward") if layer.inner else (None,)
    weights = tuple(w for d in directions for w in _cell_weights(rnn, in_dim, convention, d))
    width = units * 2 if layer.inner and layer.args["merge_mode"] == "concat" else units
    out_shape = shape[:2] + (width,) if rnn.args["return_sequences"] else (shape[0], width)
    step = [StepTensor("x_t", (in_dim,), "input at step t")]
    for d in directions:
        step.append(StepTensor("h_t", (units,), "state and output at step t", d))
        if rnn.cls == "LSTM":
            step.append(StepTensor("c_t", (units,), "cell state at step t", d))
    if layer.inner:
        step.append(StepTensor("y_t", (width,), f"{layer.args['merge_mode']} of both directions"))
    sequence = rnn.args["return_sequences"]
    returns = "every step" if sequence else "its last step only"
    recurrence = Recurrence(
        cell=rnn.cls,
        units=units,
        directions=directions,
        sequence=sequence,
        returns=f"{layer.name} returns {returns}, {format_shape(out_shape)}",
        one_direction=f"{rnn.cls}({units})",
        activation=rnn.args["activation"],
        gate_activation=rnn.args.get("recurrent_activation"),
        reset_after=rnn.args.get("reset_after", False),
        backwards=rnn.args["go_backwards"],
        merge=layer.args["merge_mode"] if layer.inner else None,
    )
    return ShapedLayer(layer, shape, out_shape, dtype, weights, tuple(step), recurrence=recurrence)


def _cell_weights(
    rnn: LayerSpec, in_dim: int, convention: str, direction: str | None
) -> list[Weight]:
    units = rnn.args["units"]
    rows = GATE_COUNT[rnn.cls] * units
    gates = GATES[convention].get(rnn.cls, ())
    weights = [
        Weight("W", "input", (rows, in_dim), direction, gates),
        Weight("U", "recurrent", (rows, units), direction, gates),
    ]
    if rnn.args["use_bias"]:
        if convention == "pytorch":
            weights += [
                Weight("b_W", "bias", (rows,), direction, gates),
                Weight("b_U", "bias", (rows,), direction, gates),
            ]
        elif rnn.cls == "GRU" and rnn.args["reset_after"]:
            weights.append(Weight("b", "bias", (2, rows), direction, gates))
        else:
            weights.append(Weight("b", "bias", (rows,), direction, gates))
    return weights


# Weights a Keras model does not have: PyTorch's second recurrent bias, its projections, ...
_PYTORCH_ONLY = ("b_W", "b_U", "W_hr")


def weight_path(layer: ShapedLayer, weight: Weight) -> str | None:
    """The weight's full Keras variable path, e.g. `bidirectional/forward_lstm/lstm_cell/kernel`;
    None for a weight Keras does not have (PyTorch's second recurrent bias, its projections)."""
    if weight.key in _PYTORCH_ONLY:
        return None
    parts = [layer.name]
    rnn = layer.spec.inner or layer.spec
    if weight.direction:
        parts.append(f"{weight.direction}_{rnn.name}")
    if layer.cell:
        parts.append(AUTO_NAME[rnn.cls] + "_cell")
    if layer.spec.wrapped is not None:
        parts.append(layer.spec.wrapped.name)
    parts.append(weight.name("keras"))
    return "/".join(parts)
