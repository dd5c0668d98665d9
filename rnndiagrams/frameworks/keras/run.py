"""Proof by execution: run the model in numpy with weights of exactly the computed shapes.

A wrong shape anywhere makes a matmul fail or an output disagree with the engine; either
way `verify` raises, so no figure is drawn from a shape that was not executed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np

from ...shapes.execution import BATCH, FREE_STEPS, expect
from ...shapes.shaped import ShapedLayer, ShapedModel
from ...shapes.weights import Weight


def _act(name: str | None) -> Callable[[np.ndarray], np.ndarray]:
    table: dict[str | None, Callable[[np.ndarray], np.ndarray]] = {
        None: lambda x: x,
        "linear": lambda x: x,
        "relu": lambda x: np.maximum(x, 0),
        "relu6": lambda x: np.clip(x, 0, 6),
        "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
        "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
        "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
        "tanh": np.tanh,
        "softsign": lambda x: x / (1 + np.abs(x)),
        "softplus": lambda x: np.log1p(np.exp(x)),
        "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
        "selu": lambda x: 1.0507 * np.where(x > 0, x, 1.67326 * np.expm1(x)),
        "swish": lambda x: x / (1 + np.exp(-x)),
        "silu": lambda x: x / (1 + np.exp(-x)),
        "gelu": lambda x: 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x**3))),
        "exponential": np.exp,
        "softmax": lambda x: (
            np.exp(x - x.max(-1, keepdims=True))
            / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)
        ),
    }
    return table[name]


def verify_keras(model: ShapedModel, seed: int = 0) -> None:
    """Raise a SpecError at the first layer whose executed shapes differ from the computed ones."""
    rng = np.random.default_rng(seed)
    from .run_feedforward import free_steps

    free = free_steps(model, FREE_STEPS)
    steps = tuple(free if d is None else d for d in model.input_shape[1:2])
    if model.spec.input_dtype.startswith("int"):
        first = model.layers[0].spec.args
        x = rng.integers(
            0,
            first.get("input_dim", 2),
            size=(BATCH,) + steps + tuple(cast(tuple[int, ...], model.input_shape[2:])),
        )
    else:
        x = rng.standard_normal(
            (BATCH,) + steps + tuple(cast(tuple[int, ...], model.input_shape[2:]))
        )
    for layer in model.layers:
        arrays = {w: rng.standard_normal(w.shape_in(model.convention)) * 0.1 for w in layer.weights}
        x = run_layer(model, layer, arrays, x, rng)
        expect(model, layer, "output", x.shape, layer.output_shape)


def math_weight(
    model: ShapedModel, arrays: dict[Weight, np.ndarray], key: str, direction: str | None = None
) -> np.ndarray | None:
    """The weight in math orientation (rows = outputs), whatever the convention stores."""
    for w, a in arrays.items():
        if w.key == key and w.direction == direction:
            return a.T if w.shape_in(model.convention) != w.shape else a
    return None


def run_layer(
    model: ShapedModel,
    layer: ShapedLayer,
    arrays: dict[Weight, np.ndarray],
    x: np.ndarray,
    rng: np.random.Generator,
    start: list[np.ndarray] | None = None,
    final: list[np.ndarray] | None = None,
) -> np.ndarray:
    """One layer's output for input `x`; a recurrent layer starts from the states in
    `start` (zeros when None) and appends its final states to `final` (h, then c)."""
    if layer.cell is None and layer.cls not in ("Embedding", "Dense"):
        from .run_feedforward import run_feedforward

        args = (layer.spec.wrapped or layer.spec).args
        return run_feedforward(
            layer.cls, args, x, lambda key: math_weight(model, arrays, key), _act, rng
        )
    if layer.cls == "Embedding":
        return cast(np.ndarray, cast(np.ndarray, math_weight(model, arrays, "E"))[x])
    if layer.cls == "Dense":
        c = math_weight(model, arrays, "c")
        y = x @ cast(np.ndarray, math_weight(model, arrays, "V")).T + (0 if c is None else c)
        if layer.step:
            expect(model, layer, "o_t", y[:, 0].shape[1:], layer.step_tensor("o_t").shape)
        return _act(layer.spec.args["activation"])(y)
    per_direction = 2 if (layer.spec.inner or layer.spec).cls == "LSTM" else 1
    starts = start or []
    if layer.spec.inner is None:
        return _run_rnn(
            model, layer, arrays, x, None, layer.spec.args["go_backwards"], starts, final
        )
    rnn_args = layer.spec.inner.args
    fwd = _run_rnn(
        model, layer, arrays, x, "forward", rnn_args["go_backwards"], starts[:per_direction], final
    )
    bwd = _run_rnn(
        model,
        layer,
        arrays,
        x,
        "backward",
        not rnn_args["go_backwards"],
        starts[per_direction:],
        final,
    )
    if rnn_args["return_sequences"]:
        bwd = bwd[:, ::-1]  # Keras re-aligns the backward sequence with the forward one
    merged = cast(
        dict[str, Callable[[], np.ndarray]],
        {
            "concat": lambda: np.concatenate([fwd, bwd], axis=-1),
            "sum": lambda: fwd + bwd,
            "mul": lambda: fwd * bwd,
            "ave": lambda: (fwd + bwd) / 2,
        },
    )[layer.spec.args["merge_mode"]]()
    expect(model, layer, "y_t", merged.shape[-1:], layer.step_tensor("y_t").shape)
    return merged


def _run_rnn(
    model: ShapedModel,
    layer: ShapedLayer,
    arrays: dict[Weight, np.ndarray],
    x: np.ndarray,
    direction: str | None,
    backwards: bool,
    start: list[np.ndarray] | None = None,
    final: list[np.ndarray] | None = None,
) -> np.ndarray:
    rnn = layer.spec.inner or layer.spec
    args, units = rnn.args, rnn.args["units"]
    W, U = (
        cast(np.ndarray, math_weight(model, arrays, "W", direction)),
        cast(np.ndarray, math_weight(model, arrays, "U", direction)),
    )
    b, b_W, b_U = (math_weight(model, arrays, k, direction) for k in ("b", "b_W", "b_U"))
    if b is not None and b.ndim == 2:  # Keras GRU reset_after: rows are input and recurrent bias
        b_W, b_U, b = b[0], b[1], None
    if b is not None:
        b_W = b
    zero = np.zeros(W.shape[0])
    b_W = zero if b_W is None else b_W
    b_U = zero if b_U is None else b_U
    act = _act(args["activation"])
    gate = _act(args.get("recurrent_activation"))
    zeros = np.zeros((x.shape[0], units))
    h, c = ([*(start or []), zeros, zeros])[:2]
    outputs = []
    order = range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])
    for t in order:
        x_t = x[:, t]
        expect(model, layer, "x_t", x_t.shape[1:], layer.step_tensor("x_t").shape)
        xw = x_t @ W.T + b_W
        if rnn.cls == "SimpleRNN":
            h = act(xw + h @ U.T + b_U)
        elif rnn.cls == "LSTM":
            i, f, g, o = np.split(xw + h @ U.T + b_U, 4, axis=-1)
            c = gate(f) * c + gate(i) * act(g)
            h = gate(o) * act(c)
            expect(model, layer, "c_t", c.shape[1:], layer.step_tensor("c_t", direction).shape)
        else:  # GRU, Keras gate order z, r, h
            x_z, x_r, x_h = np.split(xw, 3, axis=-1)
            U_z, U_r, U_h = np.split(U, 3, axis=0)
            bu_z, bu_r, bu_h = np.split(b_U, 3)
            z = gate(x_z + h @ U_z.T + bu_z)
            r = gate(x_r + h @ U_r.T + bu_r)
            if args["reset_after"]:  # noqa: SIM108 (the two GRU variants read as two equations)
                cand = act(x_h + r * (h @ U_h.T + bu_h))
            else:
                cand = act(x_h + (r * h) @ U_h.T + bu_h)
            h = z * h + (1 - z) * cand
        expect(model, layer, "h_t", h.shape[1:], layer.step_tensor("h_t", direction).shape)
        outputs.append(h)
    if final is not None:
        final += [h, c] if rnn.cls == "LSTM" else [h]
    if not args["return_sequences"]:
        return h
    return np.stack(outputs, axis=1)  # np.stack, not the seed's np.concatenate: (batch, T, units)
