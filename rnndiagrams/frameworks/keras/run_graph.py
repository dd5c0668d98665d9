"""Proof by execution for a graph: every layer runs in numpy on the arrays it reads (its
initial states too), so a merge, an attention or a state handover of the wrong shape fails
here before any figure is drawn."""

from __future__ import annotations

from typing import cast

import numpy as np

from ...errors import SpecError
from ...shapes.execution import BATCH, FREE_STEPS, expect
from ...shapes.shaped import ShapedLayer, ShapedModel
from ...shapes.weights import Weight
from ...specification.graph import order
from .catalog import ATTENTION, MERGES
from .run import math_weight, run_layer
from .run_feedforward import free_steps


def verify_graph(model: ShapedModel, seed: int = 0) -> None:
    """Raise a SpecError at the first layer whose executed shapes differ from the computed
    ones."""
    rng = np.random.default_rng(seed)
    free = free_steps(model, FREE_STEPS)
    values: dict[tuple[str, int], np.ndarray] = {}
    # open lengths (null) run as the one fixed length of the other inputs, if there is one:
    # a merge of an open sequence with a fixed one needs equal lengths at run time
    fixed = {
        d for i in model.spec.inputs for d in i.shape[:1] if d is not None and len(i.shape) > 1
    }
    free = fixed.pop() if len(fixed) == 1 else free
    for given in model.spec.inputs:
        size = (BATCH,) + tuple(free if d is None else d for d in given.shape)
        if given.dtype.startswith("int"):
            # token ids every Embedding that reads them can look up
            dims = [
                layer.args["input_dim"]
                for layer in model.spec.layers
                if layer.cls == "Embedding"
                and any(r.source == given.name for r in layer.reads or ())
            ]
            values[given.name, 0] = rng.integers(0, min(dims, default=2), size=size)
        else:
            values[given.name, 0] = rng.standard_normal(size)
    shaped = {layer.name: layer for layer in model.layers}
    for spec_layer in order(model.spec.doc, model.spec.layers):
        layer = shaped[spec_layer.name]
        arrays = {w: rng.standard_normal(w.shape_in(model.convention)) * 0.1 for w in layer.weights}
        xs = [values[r.source, r.output] for r in spec_layer.reads or ()]
        final: list[np.ndarray] = []
        if layer.cls in MERGES + ATTENTION:
            try:
                y = _merge(model, layer, arrays, xs)
            except ValueError:
                raise SpecError(
                    model.spec.doc.at(layer.spec.path),
                    f"verify: {layer.name} cannot run on {', '.join(str(x.shape) for x in xs)} "
                    f"(open lengths run as {free})",
                    "expected tensors whose open (null) lengths can be equal at run time",
                ) from None
        else:
            starts = [values[r.source, r.output] for r in spec_layer.initial_state]
            y = run_layer(model, layer, arrays, xs[0], rng, starts, final)
        expect(model, layer, "output", y.shape, layer.output_shape)
        values[layer.name, 0] = y
        for k, shape in enumerate(layer.state_outputs, start=1):
            expect(model, layer, f"state {k}", final[k - 1].shape, shape)
            values[layer.name, k] = final[k - 1]


def _merge(
    model: ShapedModel, layer: ShapedLayer, arrays: dict[Weight, np.ndarray], xs: list[np.ndarray]
) -> np.ndarray:
    """Keras's merges and attentions, in numpy."""
    a = layer.spec.args
    if layer.cls == "Concatenate":
        return np.concatenate(xs, axis=a["axis"])
    if layer.cls in ("Add", "Average", "Multiply"):
        rank = max(x.ndim for x in xs)  # Keras expands a lower rank at axis 1, then broadcasts
        xs = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]
        out = xs[0]
        for x in xs[1:]:
            out = out * x if layer.cls == "Multiply" else out + x
        return out / len(xs) if layer.cls == "Average" else out
    if layer.cls == "Dot":
        first, second = xs
        axes = a["axes"] if isinstance(a["axes"], tuple) else (a["axes"],) * 2
        pair = [axis % x.ndim for axis, x in zip(axes, xs, strict=True)]
        out = np.stack(
            [
                np.tensordot(p, q, axes=(pair[0] - 1, pair[1] - 1))
                for p, q in zip(first, second, strict=True)
            ]
        )
        return out.reshape(-1, 1) if out.ndim == 1 else out
    query, value = xs[0], xs[1]
    key = xs[2] if len(xs) == 3 else value
    if layer.cls == "MultiHeadAttention":
        return _multi_head(model, arrays, query, value, key)
    scale = math_weight(model, arrays, "scale")
    if layer.cls == "AdditiveAttention":
        terms = np.tanh(query[:, :, None, :] + key[:, None, :, :])
        scores = (terms * (1.0 if scale is None else scale)).sum(-1)
    elif a["score_mode"] == "concat":
        weight = cast(np.ndarray, math_weight(model, arrays, "concat_score_weight"))
        terms = np.tanh(
            (1.0 if scale is None else scale) * (query[:, :, None, :] + key[:, None, :, :])
        )
        scores = weight * terms.sum(-1)
    else:
        scores = (1.0 if scale is None else scale) * (query @ key.transpose(0, 2, 1))
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return cast(np.ndarray, weights @ value)


def _multi_head(
    model: ShapedModel,
    arrays: dict[Weight, np.ndarray],
    query: np.ndarray,
    value: np.ndarray,
    key: np.ndarray,
) -> np.ndarray:
    """Keras's MultiHeadAttention: per-head projections, scaled dot-product attention over
    the key steps, the heads projected back out."""

    def project(x: np.ndarray, part: str) -> np.ndarray:
        kernel = cast(np.ndarray, math_weight(model, arrays, part))
        bias = math_weight(model, arrays, f"{part}_bias")
        return cast(np.ndarray, np.einsum("btd,dhk->bthk", x, kernel)) + (
            0 if bias is None else bias
        )

    q, k, v = project(query, "query"), project(key, "key"), project(value, "value")
    scores = np.einsum("bthk,bshk->bhts", q, k) / np.sqrt(q.shape[-1])
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    heads = np.einsum("bhts,bshv->bthv", weights, v)
    bias = math_weight(model, arrays, "attention_output_bias")
    kernel = cast(np.ndarray, math_weight(model, arrays, "attention_output"))
    return cast(
        np.ndarray, np.einsum("bthv,hvo->bto", heads, kernel) + (0 if bias is None else bias)
    )
