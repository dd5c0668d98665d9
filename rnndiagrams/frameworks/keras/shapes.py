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
    Tensor,
    chain,
    format_shape,
    graph,
)
from ...shapes.weights import GATES, Weight
from ...specification.model import LayerSpec, Spec
from .catalog import ATTENTION, AUTO_NAME, KEEP_MASK, MERGES, RECURRENT, facts
from .merges import Fail, shape_merge


def shape_keras(spec: Spec, convention: str | None = None) -> ShapedModel:
    """Run Keras's shape rules over the layers; incompatible layers raise located SpecErrors."""
    chosen = convention or spec.convention
    shape: Shape = (None,) + tuple(spec.input_shape)
    if spec.graph:
        layers = graph(spec, _Graph(spec, chosen).layer, facts)
    else:
        layers = chain(
            spec,
            shape,
            lambda layer, s, dtype, src: _chain_layer(spec, layer, s, dtype, src, chosen),
            facts,
        )
    return ShapedModel(
        spec=spec,
        convention=chosen,
        input_shape=shape,
        layers=layers,
        recurrent_classes="SimpleRNN, LSTM, GRU or Bidirectional",
    )


def _chain_layer(
    spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, source: str, convention: str
) -> ShapedLayer:
    if layer.cls in MERGES + ATTENTION:
        raise spec.error(
            layer.path,
            f"{layer.cls} {layer.name!r} reads several tensors, but in a chain each layer "
            "reads only the one before",
            f"expected `inputs: [...]` on it, naming the tensors it {layer.cls.lower()}s",
        )
    shaped = _shape_layer(spec, layer, shape, dtype, source, convention)
    if shaped.state_outputs:
        raise spec.error(
            layer.path,
            f"{layer.cls} {layer.name!r} has return_state: true, so it returns "
            f"{len(shaped.outputs)} tensors, but in a chain the next layer reads only one",
            f"expected a graph: a later layer reading {layer.name!r} in `inputs:`, its "
            "states as name.1, name.2 in `initial_state:`",
        )
    return shaped


# Keras layers whose call takes the padding mask (it shows as one more inbound tensor);
# those of KEEP_MASK pass it on, every other layer drops it (measured in Keras 3.15).
_TAKE_MASK = (
    *RECURRENT,
    "Bidirectional",
    "TimeDistributed",
    "BatchNormalization",
    "GlobalAveragePooling1D",
)
# A mask a merge made with ops Keras names on its own (Concatenate's expand_dims, zeros_like,
# concatenate, any...): only layers that are not given a mask may read it.
_DERIVED = "<a merged mask>"


class _Graph:
    """Keras's rules for one layer of a graph: its shapes, its initial states, and where
    the padding mask of `mask_zero` goes (an op Keras names `not_equal`, `not_equal_1`...)."""

    def __init__(self, spec: Spec, convention: str) -> None:
        self.spec, self.convention = spec, convention
        self.names: dict[str, int] = {}

    def op(self, prefix: str) -> str:
        """Keras's unique name for a new op (`keras.src.backend.common.global_state`)."""
        n = self.names.get(prefix, 0)
        self.names[prefix] = n + 1
        return prefix if n == 0 else f"{prefix}_{n}"

    def layer(
        self, layer: LayerSpec, reads: tuple[Tensor, ...], states: tuple[Tensor, ...]
    ) -> tuple[ShapedLayer, tuple[Tensor, ...]]:
        spec, where = self.spec, f"{layer.cls} {layer.name!r}"
        at = layer.path + (layer.cls, "inputs")

        def fail(problem: str, expected: str) -> Exception:
            return spec.error(at, f"{where} {problem}", expected)

        masked = [t for t in reads if t.mask]
        if masked and masked[0].mask == _DERIVED and layer.cls in _TAKE_MASK:
            raise fail(
                f"reads {masked[0].source}, whose padding mask a merge or attention combined "
                "with ops Keras names on its own",
                "expected mask_zero: false, or no recurrent layer after the merge (not drawn yet)",
            )
        if layer.cls in MERGES + ATTENTION:
            out_shape, weights = shape_merge(layer, tuple(t.shape for t in reads), fail)
            shaped = ShapedLayer(layer, reads[0].shape, out_shape, "float32", weights)
        else:
            if len(reads) != 1:
                raise fail(
                    f"reads one tensor, but inputs lists {len(reads)}",
                    "expected a merge (Concatenate, Add...) to combine them first",
                )
            (read,) = reads
            shaped = _shape_layer(spec, layer, read.shape, read.dtype, read.source, self.convention)
        if states or layer.initial_state:
            self._check_states(layer, shaped, states)
        mask = masked[0].mask if masked else None
        inbound = [t.key for t in reads + states]
        if mask and layer.cls in _TAKE_MASK:
            inbound.append((mask, 0))
        made: tuple[tuple[str, str, Shape, tuple[tuple[str, int], ...]], ...] = ()
        read = reads[0]
        if layer.cls in MERGES + ATTENTION:
            mask, made = self._merged_mask(layer, reads, shaped.output_shape, fail)
        elif layer.cls == "Embedding" and layer.args["mask_zero"]:
            mask = self.op("not_equal")
            made = ((mask, "NotEqual", read.shape, (read.key,)),)
        elif layer.cls == "Masking":  # any(not_equal(x, mask_value), axis=-1)
            unequal, mask = self.op("not_equal"), self.op("any")
            made = (
                (unequal, "NotEqual", read.shape, (read.key,)),
                (mask, "Any", read.shape[:-1], ((unequal, 0),)),
            )
        elif not (layer.cls in KEEP_MASK or (shaped.recurrence and shaped.recurrence.sequence)):
            mask = None
        outputs = tuple(
            Tensor(
                shape,
                "float32",
                (layer.name, k),
                f"{layer.name!r}" + (f" output {k}" if k else ""),
                mask if k == 0 else None,
            )
            for k, shape in enumerate(shaped.outputs)
        )
        return shaped._replace(inbound=tuple(inbound), mask_ops=made), outputs

    def _merged_mask(
        self, layer: LayerSpec, reads: tuple[Tensor, ...], shape: Shape, fail: Fail
    ) -> tuple[str | None, tuple[tuple[str, str, Shape, tuple[tuple[str, int], ...]], ...]]:
        """The mask after a merge or attention, and the op that makes it, as Keras 3.15 does
        (measured): MultiHeadAttention keeps the query's, Attention converts the query's,
        Add, Average and Multiply of two masked tensors take their logical or, Concatenate
        builds one from ops of its own (derived: refused where a layer is given it). Every
        op Keras makes is counted, so later ops get Keras's names."""
        query, masks = reads[0].mask, [t.mask for t in reads]
        if layer.cls == "MultiHeadAttention" or not any(masks):
            return (query if layer.cls == "MultiHeadAttention" else None), ()
        if layer.cls in ("Attention", "AdditiveAttention"):
            if query is None:
                return None, ()
            name = self.op("convert_to_tensor")
            if query == _DERIVED:
                return _DERIVED, ()
            return name, ((name, "ConvertToTensor", shape[:-1], ((query, 0),)),)
        if layer.cls == "Concatenate":
            for mask in masks:
                for prefix in (
                    ("expand_dims", "zeros_like", "logical_or") if mask else ("ones_like",)
                ):
                    self.op(prefix)
            self.op("concatenate")
            self.op("any")
            return _DERIVED, ()
        if layer.cls == "Dot" or not all(masks) or len(masks) != 2:
            raise fail(
                "reads tensors that carry padding masks, a combination whose mask ops were "
                "not measured",
                "expected mask_zero: false, or masks on both of two tensors of an Add, "
                "Average or Multiply (not drawn yet)",
            )
        name = self.op("logical_or")
        if _DERIVED in masks:
            return _DERIVED, ()
        pair = tuple((cast(str, m), 0) for m in masks)
        return name, ((name, "LogicalOr", shape[:-1], pair),)

    def _check_states(
        self, layer: LayerSpec, shaped: ShapedLayer, states: tuple[Tensor, ...]
    ) -> None:
        rnn = layer.inner or layer
        per_direction = ("h", "c") if rnn.cls == "LSTM" else ("h",)
        names = [
            f"{d}_{s}" if layer.inner else s
            for d in (("forward", "backward") if layer.inner else ("",))
            for s in per_direction
        ]
        at = layer.path + (layer.cls, "initial_state")
        if len(states) != len(names):
            raise self.spec.error(
                at,
                f"{layer.cls} {layer.name!r} takes {len(names)} initial state"
                f"{'s' if len(names) > 1 else ''} ({', '.join(names)}), but initial_state "
                f"lists {len(states)}",
                f"expected {len(names)}: "
                + (
                    "an LSTM starts from h and c"
                    if rnn.cls == "LSTM"
                    else f"a {rnn.cls} starts from h"
                )
                + (", for each direction" if layer.inner else ""),
            )
        units = rnn.args["units"]
        for i, (state, name) in enumerate(zip(states, names, strict=True)):
            if len(state.shape) != 2 or state.shape[1] != units:
                raise self.spec.error(
                    at + (i,),
                    f"initial state {name} of {layer.cls} {layer.name!r} is "
                    f"{state.source}, {format_shape(state.shape)}",
                    f"expected (batch, units) = (None, {units})",
                )


def _shape_layer(
    spec: Spec, layer: LayerSpec, shape: Shape, dtype: str, source: str, convention: str
) -> ShapedLayer:
    where = f"{layer.cls} {layer.name!r}"
    if layer.cls == "Embedding":
        if len(shape) != 2 or not dtype.startswith("int"):
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

    def known_features(expected: str) -> int:
        """The input's last dimension, which sizes the weights: known, or a located error."""
        if shape[-1] is None:
            raise spec.error(
                layer.path,
                f"{where} needs a known last dimension, but {source} gives {format_shape(shape)}",
                expected,
            )
        return shape[-1]

    if layer.cls == "Dense":
        units = layer.args["units"]
        in_dim = known_features("expected an Embedding or a recurrent layer before it")
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
            if not source.startswith("the input")
            else "give the input a feature axis, [timesteps, features], or put an Embedding first"
        )
        raise spec.error(
            layer.path,
            f"{where} needs a 3-D input (batch, timesteps, features), "
            f"but {source} {'gives' if source.startswith('the input') else 'returns'} "
            f"{format_shape(shape)}",
            fix,
        )
    rnn = layer.inner or layer
    units = rnn.args["units"]
    in_dim = known_features("give every input its feature size")  # a merge of open features
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
    states = (shape[0], units)  # each direction's h (and c), after the output
    per_direction = 2 if rnn.cls == "LSTM" else 1
    return ShapedLayer(
        layer,
        shape,
        out_shape,
        dtype,
        weights,
        tuple(step),
        recurrence=recurrence,
        state_outputs=(states,) * (per_direction * len(directions))
        if rnn.args["return_state"]
        else (),
    )


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
