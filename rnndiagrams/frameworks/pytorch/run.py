"""`verify` for PyTorch specs: the modules run in numpy with PyTorch's own equations.

Gate order i, f, g, o (LSTM) and r, z, n (GRU, with `r * (W_hn h + b_hn)`), the projection
`h = W_hr (o * tanh(c))`, every layer of every direction, in the model's real layout. Besides
every shape, it checks the identities the figures draw: `h_n[layer * D + direction]` is that
direction's final state, so the forward half of `out[:, -1]` is `h_n` of the last forward
layer and the backward half of `out[:, 0]` is `h_n` of the last backward one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ...errors import SpecError
from ...shapes.execution import BATCH, FREE_STEPS, expect
from ...shapes.shaped import Shape, ShapedLayer, ShapedModel
from ...shapes.weights import Weight


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return cast(np.ndarray, 1 / (1 + np.exp(-x)))


def softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(dim, keepdims=True))
    return cast(np.ndarray, e / e.sum(dim, keepdims=True))


ACTIVATIONS: dict[str, Callable[[np.ndarray, Any], np.ndarray]] = {
    "ReLU": lambda x, _: np.maximum(x, 0),
    "Tanh": lambda x, _: np.tanh(x),
    "Sigmoid": lambda x, _: _sigmoid(x),
    "Softmax": softmax,
    "LogSoftmax": lambda x, dim: np.log(softmax(x, dim)),
}


def verify_torch(model: ShapedModel, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(BATCH if d is None else d for d in model.input_shape)
    if model.time_axis == 0 and model.input_shape[0] is None:
        shape = (FREE_STEPS,) + shape[1:]
    if model.spec.input_dtype.startswith("int"):
        x = rng.integers(0, model.layers[0].spec.args.get("num_embeddings", 2), size=shape)
    else:
        x = rng.standard_normal(shape)
    for layer in model.layers:
        arrays = {w: rng.standard_normal(w.shape) * 0.3 for w in layer.weights}
        x = run_module(model, layer, arrays, x)
        expect(model, layer, "output", x.shape, layer.output_shape)


def _get(
    arrays: dict[Weight, np.ndarray], key: str, direction: str | None = None, k: int = 0
) -> np.ndarray | None:
    for w, a in arrays.items():
        if w.key == key and w.direction == direction and w.layer == k:
            return a
    return None


def run_module(
    model: ShapedModel, layer: ShapedLayer, arrays: dict[Weight, np.ndarray], x: np.ndarray
) -> np.ndarray:
    cls, a = layer.cls, layer.spec.args
    if cls == "Embedding":
        return cast(np.ndarray, cast(np.ndarray, _get(arrays, "E"))[x])
    if cls in ("Dropout", "Dropout1d", "Dropout2d", "Identity"):
        return x  # eval mode; training only scales kept values
    if cls == "Flatten":
        return x.reshape(_flat_shape(x.shape, a["start_dim"], a["end_dim"]))
    if cls == "BatchNorm1d":
        return _batch_norm(arrays, x, a)
    if cls in ACTIVATIONS:
        return ACTIVATIONS[cls](x, a.get("dim"))
    if cls in ("Linear", "LazyLinear"):
        c = _get(arrays, "c")
        return cast(np.ndarray, x @ cast(np.ndarray, _get(arrays, "V")).T + (0 if c is None else c))
    if cls == "LayerNorm":
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        y = (x - mean) / np.sqrt(var + a["eps"])
        gamma, beta = _get(arrays, "gamma"), _get(arrays, "beta")
        return cast(np.ndarray, y * (1 if gamma is None else gamma) + (0 if beta is None else beta))
    return _rnn_module(model, layer, arrays, x)


def _flat_shape(shape: tuple[int, ...], start: int, end: int) -> tuple[int, ...]:
    start, end = start % len(shape), end % len(shape)
    return shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :]


def _batch_norm(arrays: dict[Weight, np.ndarray], x: np.ndarray, a: dict[str, Any]) -> np.ndarray:
    """Eval mode, over the channels at dim 1: a fresh module's running statistics (mean 0,
    variance 1), or without them the batch's own (per channel, over N and L)."""
    axes = (0,) if x.ndim == 2 else (0, 2)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if a["track_running_stats"]:
        mean, var = np.zeros(shape), np.ones(shape)
    else:
        mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + a["eps"])
    gamma, beta = _get(arrays, "gamma"), _get(arrays, "beta")
    if gamma is not None:
        y = y * gamma.reshape(shape)
    if beta is not None:
        y = y + beta.reshape(shape)
    return cast(np.ndarray, y)


def _rnn_module(
    model: ShapedModel, layer: ShapedLayer, arrays: dict[Weight, np.ndarray], x: np.ndarray
) -> np.ndarray:
    return run_rnn(model, layer, arrays, x, ())[0]


def run_rnn(
    model: ShapedModel,
    layer: ShapedLayer,
    arrays: dict[Weight, np.ndarray],
    x: np.ndarray,
    start: tuple[np.ndarray, ...],
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """The module's output (after `take`) and its final states (h_n[, c_n]), from the
    initial states `start` ((h_0[, c_0]), each (num_layers * D, batch, size); () for zeros)."""
    a = layer.spec.args
    seq_first = model.time_axis == 0
    seq = np.swapaxes(x, 0, 1) if seq_first else x  # (batch, L, features) inside
    directions = ("forward", "backward") if a["bidirectional"] else (None,)
    h_n, c_n = [], []
    for k in range(a["num_layers"]):
        expect(
            model,
            layer,
            f"x_t of layer {k}",
            seq.shape[2:],
            layer.step_tensor("x_t", None, k).shape,
        )
        outs = []
        for j, d in enumerate(directions):
            given = tuple(s[k * len(directions) + j] for s in start)
            out, h, c = _direction(model, layer, arrays, seq, d, k, given)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        seq = np.concatenate(outs, axis=-1)  # the next layer reads both directions
        if len(directions) == 2:
            expect(model, layer, "y_t", seq.shape[2:], layer.step_tensor("y_t", None, k).shape)
    finals = np.stack(h_n)
    expect(model, layer, "h_n", finals.shape, cast(Shape, layer.h_n))  # set on every RNN module
    states = (finals,)
    if layer.c_n is not None:
        states += (np.stack(cast(list[np.ndarray], c_n)),)
        expect(model, layer, "c_n", states[1].shape, layer.c_n)
    width = finals.shape[-1]
    _identity(model, layer, finals[-len(directions)], seq[:, -1, :width], "out[:, -1]")
    if len(directions) == 2:
        _identity(model, layer, finals[-1], seq[:, 0, width:], "out[:, 0]")
    full = np.swapaxes(seq, 0, 1) if seq_first else seq
    expect(model, layer, "sequence_output", full.shape, cast(Shape, layer.sequence_output))
    return (seq[:, -1] if layer.spec.take == "last" else full), states


def _direction(
    model: ShapedModel,
    layer: ShapedLayer,
    arrays: dict[Weight, np.ndarray],
    seq: np.ndarray,
    d: str | None,
    k: int,
    start: tuple[np.ndarray, ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    U = cast(np.ndarray, _get(arrays, "U", d, k))
    h = start[0] if start else np.zeros((seq.shape[0], U.shape[1]))
    c = (
        (start[1] if start else np.zeros((seq.shape[0], U.shape[0] // 4)))
        if layer.cell == "LSTM"
        else None
    )
    steps = range(seq.shape[1] - 1, -1, -1) if d == "backward" else range(seq.shape[1])
    outs: list[np.ndarray | None] = [None] * seq.shape[1]
    for t in steps:
        h, c = cell_step(model, layer, arrays, seq[:, t], h, c, d, k)
        outs[t] = h
    return np.stack(cast(list[np.ndarray], outs), axis=1), h, c  # every step filled


def cell_step(
    model: ShapedModel,
    layer: ShapedLayer,
    arrays: dict[Weight, np.ndarray],
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray | None,
    d: str | None = None,
    k: int = 0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """One step of a cell (of one layer and direction of a module): the new h and c."""
    cell = layer.cell
    W, U = cast(np.ndarray, _get(arrays, "W", d, k)), cast(np.ndarray, _get(arrays, "U", d, k))
    zero = np.zeros(W.shape[0])
    b_W, b_U = (
        zero if b is None else b for b in (_get(arrays, "b_W", d, k), _get(arrays, "b_U", d, k))
    )
    gi, gh = x @ W.T + b_W, h @ U.T + b_U
    if cell == "SimpleRNN":
        relu = layer.spec.args.get("nonlinearity") == "relu"
        h = np.maximum(gi + gh, 0) if relu else np.tanh(gi + gh)
    elif cell == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        expect(model, layer, "c_t", c.shape[1:], layer.step_tensor("c_t", d, k).shape)
        h = _sigmoid(o) * np.tanh(c)
        W_hr = _get(arrays, "W_hr", d, k)
        if W_hr is not None:
            h = h @ W_hr.T
    else:  # GRU: r, z, n
        i_r, i_z, i_n = np.split(gi, 3, axis=-1)
        h_r, h_z, h_n = np.split(gh, 3, axis=-1)
        r, z = _sigmoid(i_r + h_r), _sigmoid(i_z + h_z)
        n = np.tanh(i_n + r * h_n)
        h = (1 - z) * n + z * h
    expect(model, layer, "h_t", h.shape[1:], layer.step_tensor("h_t", d, k).shape)
    return h, c


def _identity(
    model: ShapedModel, layer: ShapedLayer, final: np.ndarray, part: np.ndarray, what: str
) -> None:
    if not np.allclose(final, part):
        raise SpecError(
            model.spec.doc.at(layer.spec.path),
            f"verify: {layer.name}: h_n does not equal its half of {what}",
            "expected PyTorch's equations to hold (a bug: please report)",
        )
