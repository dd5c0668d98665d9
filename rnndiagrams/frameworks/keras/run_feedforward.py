"""numpy forward passes of the non-recurrent layers of feedforward.py, for `verify`.

Training-time layers (Dropout, SpatialDropout1D, GaussianNoise) run in training mode, so
their noise or mask has to fit the tensor it is applied to. Windows (Conv1D, pooling) are
sliced step by step from the padded input, so a wrong length cannot go unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ...shapes.shaped import ShapedModel
from .feedforward import conv_length

Math = Callable[[str], "np.ndarray | None"]  # weight key -> array in math orientation


def free_steps(model: ShapedModel, at_least: int) -> int:
    """Timesteps to run where the spec says null: enough that every window still fits."""
    steps = at_least
    while not _fits(model, steps):
        steps += 1
    return steps


def _fits(model: ShapedModel, steps: int) -> bool:
    length: int | None = steps
    for layer in model.layers:
        a = layer.spec.args
        if layer.cls == "Conv1D":
            window = a["dilation_rate"] * (a["kernel_size"] - 1) + 1
            length = conv_length(length, window, a["strides"], a["padding"])
        elif layer.cls in ("MaxPooling1D", "AveragePooling1D"):
            size = a["pool_size"]
            length = conv_length(length, size, a["strides"] or size, a["padding"])
        if length is not None and length < 1:
            return False
    return True


def run_feedforward(
    cls: str,
    a: dict[str, Any],
    x: np.ndarray,
    math: Math,
    act: Callable[[str | None], Callable[[np.ndarray], np.ndarray]],
    rng: np.random.Generator,
) -> np.ndarray:
    """One layer's output for input `x` (batch first); `math(key)` gives its weights."""
    if cls == "Masking":
        return cast(np.ndarray, x * np.any(x != a["mask_value"], axis=-1, keepdims=True))
    if cls == "Dropout":
        return cast(np.ndarray, x * (rng.random(x.shape) >= a["rate"]) / (1 - a["rate"]))
    if cls == "SpatialDropout1D":  # one draw per (sample, channel), shared by every step
        keep = rng.random((x.shape[0], 1, x.shape[2])) >= a["rate"]
        return cast(np.ndarray, x * keep / (1 - a["rate"]))
    if cls == "GaussianNoise":
        return cast(np.ndarray, x + rng.standard_normal(x.shape) * a["stddev"])
    if cls == "Activation":
        return act(a["activation"])(x)
    if cls == "Conv1D":
        kernel, bias = cast(np.ndarray, math("K")), math("b")  # (filters, channels, kernel_size)
        windows = _windows(x, a["kernel_size"], a["strides"], a["padding"], a["dilation_rate"], 0)
        y = np.einsum("btkc,fck->btf", windows, kernel) + (0 if bias is None else bias)
        return act(a["activation"])(y)
    if cls in ("MaxPooling1D", "AveragePooling1D"):
        size = a["pool_size"]
        fill = -np.inf if cls == "MaxPooling1D" else np.nan
        windows = _windows(x, size, a["strides"] or size, a["padding"], 1, fill)
        return cast(
            np.ndarray,
            np.nanmax(windows, axis=2) if cls == "MaxPooling1D" else np.nanmean(windows, axis=2),
        )
    if cls == "GlobalMaxPooling1D":
        return cast(np.ndarray, x.max(axis=1))
    if cls == "GlobalAveragePooling1D":
        return cast(np.ndarray, x.mean(axis=1))
    if cls == "Flatten":
        return x.reshape(x.shape[0], -1)
    if cls == "RepeatVector":
        return np.repeat(x[:, None, :], a["n"], axis=1)
    if cls == "TimeDistributed":
        bias = math("c")
        return act(a["activation"])(
            x @ cast(np.ndarray, math("V")).T + (0 if bias is None else bias)
        )
    if cls in ("LayerNormalization", "BatchNormalization"):
        if cls == "LayerNormalization":
            mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
        elif math("mean") is None:  # PyTorch convention: buffers, not parameters; fresh values
            mean, var = np.zeros(x.shape[-1]), np.ones(x.shape[-1])
        else:  # inference: the moving statistics (a variance is positive)
            mean, var = math("mean"), np.abs(cast(np.ndarray, math("var")))
        y = (x - mean) / np.sqrt(var + a["epsilon"])
        gamma, beta = math("gamma"), math("beta")
        return cast(np.ndarray, y * (1 if gamma is None else gamma) + (0 if beta is None else beta))
    raise AssertionError(f"no forward pass for {cls}")


def _windows(
    x: np.ndarray, size: int, strides: int, padding: str, dilation: int, fill: float
) -> np.ndarray:
    """(batch, out_steps, size, channels): the input steps each output step sees. The number
    of windows is counted on the padded input, not taken from the engine's formula."""
    span = dilation * (size - 1) + 1
    steps = x.shape[1]
    if padding == "causal":
        left, right = span - 1, 0
    elif padding == "same":  # as many outputs as ceil(steps / strides), padding split evenly
        total = max((-(-steps // strides) - 1) * strides + span - steps, 0)
        left, right = total // 2, total - total // 2
    else:
        left = right = 0
    padded = np.pad(x, ((0, 0), (left, right), (0, 0)), constant_values=fill)
    starts = np.arange(0, padded.shape[1] - span + 1, strides)
    index = starts[:, None] + np.arange(size)[None, :] * dilation
    return padded[:, index]
