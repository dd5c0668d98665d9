"""Shapes, weights and parameter counts for every layer, by Keras's rules.

Counts are sums of weight sizes, never formulas of their own, so the weights listed on a
figure and the totals printed by `summary` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from ..spec.catalog import AUTO_NAME
from ..spec.model import LayerSpec, Spec
from .weights import GATES, Weight

Shape = tuple[int | None, ...]  # Keras notation: None for batch and unknown lengths

GATE_COUNT = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


@dataclass(frozen=True)
class StepTensor:
    symbol: str  # x_t, h_t, c_t, y_t, o_t
    shape: tuple[int, ...]
    meaning: str
    direction: str | None = None
    layer: int = 0  # which layer of a PyTorch RNN module with num_layers > 1


@dataclass(frozen=True)
class ShapedLayer:
    spec: LayerSpec
    input_shape: Shape
    output_shape: Shape
    input_dtype: str
    weights: tuple[Weight, ...]
    step: tuple[StepTensor, ...] = ()  # per-step tensors (recurrent layers, per-step Dense)
    # PyTorch RNN modules: the full output sequence and the final states, PyTorch's layout
    sequence_output: Shape | None = None
    h_n: Shape | None = None
    c_n: Shape | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def cls(self) -> str:
        return self.spec.cls

    @property
    def cell(self) -> str | None:
        return self.spec.cell

    @property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def non_trainable(self) -> int:
        return sum(w.size for w in self.weights if not w.trainable)

    @property
    def units(self) -> int | None:
        rnn = self.spec.inner or self.spec
        return rnn.args.get("units", rnn.args.get("output_dim", rnn.args.get("hidden_size")))

    @property
    def per_step(self) -> bool:
        """True when the layer emits one vector per time step (a sequence)."""
        return len(self.output_shape) == 3

    def weight_path(self, weight: Weight) -> str:
        """The weight's full Keras variable path, e.g. `bidirectional/forward_lstm/lstm_cell/kernel`."""
        parts = [self.name]
        rnn = self.spec.inner or self.spec
        if weight.direction:
            parts.append(f"{weight.direction}_{rnn.name}")
        if self.cell:
            parts.append(AUTO_NAME[rnn.cls] + "_cell")
        if self.spec.wrapped is not None:
            parts.append(self.spec.wrapped.name)
        parts.append(weight.name("keras"))
        return "/".join(parts)

    def step_tensor(self, symbol: str, direction: str | None = None, layer: int = 0) -> StepTensor:
        for t in self.step:
            if t.symbol == symbol and t.direction == direction and t.layer == layer:
                return t
        raise KeyError(symbol)


@dataclass(frozen=True)
class ShapedModel:
    spec: Spec
    convention: str
    input_shape: Shape
    layers: tuple[ShapedLayer, ...]
    time_axis: int = 1  # 0 in PyTorch's sequence-first layout (batch_first: false)

    @property
    def steps(self) -> int | None:
        """The input's number of time steps (None: any length)."""
        return self.input_shape[self.time_axis]

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(layer.non_trainable for layer in self.layers)

    def layer(self, name: str) -> ShapedLayer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)


# (layer, input shape, input dtype, where the input comes from in words) -> the shaped layer
LayerRule = Callable[[LayerSpec, Shape, str, str], ShapedLayer]


def chain(spec: Spec, shape: Shape, rule: LayerRule) -> tuple[ShapedLayer, ...]:
    """Each layer's rule applied to what the layer before it gives (the input's dtype first,
    float32 after), in either dialect."""
    dtype, source = spec.input_dtype, "the input"
    out = []
    for layer in spec.layers:
        shaped = rule(layer, shape, dtype, source)
        out.append(shaped)
        shape, dtype, source = shaped.output_shape, "float32", repr(layer.name)
    return tuple(out)


def shape_model(spec: Spec, convention: str | None = None) -> ShapedModel:
    """Run Keras's shape rules over the layers; incompatible layers raise located SpecErrors."""
    if spec.framework == "pytorch":
        from .torch_engine import shape_torch

        return shape_torch(spec, convention)
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
        ),
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
    return ShapedLayer(layer, shape, out_shape, dtype, weights, tuple(step))


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


def format_shape(shape: tuple[int | str | None, ...]) -> str:
    """Keras's way of printing a shape: (None, 100, 32), (64,); a symbolic length ("T") too."""
    parts = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
