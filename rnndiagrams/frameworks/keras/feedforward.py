"""Keras's shape and weight rules for the layers around the recurrent ones: noise and masking,
convolution and pooling over time, global pooling, reshaping, normalisation, TimeDistributed.

Each rule returns the output shape and the weights (math orientation, see weights.py); the
engine wraps them into a ShapedLayer. Shapes follow `compute_output_shape` of Keras 3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ...shapes.weights import Weight
from ...specification.model import LayerSpec

Shape = tuple[int | None, ...]
Fail = Callable[[str, str], Exception]  # (problem, expected) -> a located SpecError

# Layers that pass their input through unchanged (any rank).
IDENTITY = ("Masking", "Dropout", "GaussianNoise", "Activation")
# Layers that need (batch, timesteps, channels).
SEQUENCE_ONLY = (
    "SpatialDropout1D",
    "Conv1D",
    "MaxPooling1D",
    "AveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalAveragePooling1D",
)


def conv_length(length: int | None, window: int, strides: int, padding: str) -> int | None:
    """Steps left after sliding a window (already dilated) over `length` steps."""
    if length is None:
        return None
    if padding == "valid":
        return (length - window) // strides + 1 if length >= window else 0
    return -(-length // strides)  # same, causal: ceil(length / strides)


def shape_feedforward(
    layer: LayerSpec, shape: Shape, convention: str, fail: Fail
) -> tuple[Shape, tuple[Weight, ...]]:
    """Output shape and weights of one non-recurrent layer other than Embedding and Dense.

    `fail(problem, expected)` makes the located error; "{got}" in a problem stands for
    what the previous layer gives, e.g. "'lstm' gives (None, 32)".
    """
    cls, a = layer.cls, layer.args
    if cls in SEQUENCE_ONLY and len(shape) != 3:
        raise fail(
            "needs a sequence (batch, timesteps, channels), but {got}",
            "expected it after an Embedding, a Conv1D or a recurrent layer with "
            "return_sequences: true",
        )
    if cls in IDENTITY or cls == "SpatialDropout1D":
        return shape, ()
    if cls == "Conv1D":
        return _conv1d(a, shape, fail)
    if cls in ("MaxPooling1D", "AveragePooling1D"):
        strides = a["strides"] or a["pool_size"]
        steps = conv_length(shape[1], a["pool_size"], strides, a["padding"])
        _check_steps(steps, shape, f"pool_size {a['pool_size']}", fail)
        return (shape[0], steps, shape[2]), ()
    if cls in ("GlobalMaxPooling1D", "GlobalAveragePooling1D"):
        return (shape[0], shape[2]), ()
    if cls == "Flatten":
        if len(shape) < 2 or None in shape[1:]:
            raise fail(
                "needs every dimension but the batch known, but {got}",
                "expected a fixed number of timesteps in input.shape, or a global pooling "
                "layer instead of Flatten",
            )
        size = 1
        for d in shape[1:]:
            size *= cast(int, d)  # None is not in shape[1:], checked above
        return (shape[0], size), ()
    if cls == "RepeatVector":
        if len(shape) != 2:
            raise fail(
                "needs one vector per sample (batch, features), but {got}",
                "expected it after a recurrent layer with return_sequences: false",
            )
        return (shape[0], a["n"], shape[1]), ()
    if cls == "TimeDistributed":
        return _time_distributed(layer, shape, fail)
    if cls in ("LayerNormalization", "BatchNormalization"):
        return shape, _normalisation(cls, a, _last_dim(shape, fail), convention)
    raise AssertionError(f"no shape rule for {cls}")


def _conv1d(a: dict[str, Any], shape: Shape, fail: Fail) -> tuple[Shape, tuple[Weight, ...]]:
    if a["strides"] > 1 and a["dilation_rate"] > 1:
        raise fail(
            f"has strides {a['strides']} and dilation_rate {a['dilation_rate']} above 1",
            "expected strides: 1 or dilation_rate: 1 (Keras refuses both above 1)",
        )
    window = a["dilation_rate"] * (a["kernel_size"] - 1) + 1
    steps = conv_length(shape[1], window, a["strides"], a["padding"])
    _check_steps(steps, shape, f"kernel_size {a['kernel_size']}", fail)
    channels = _last_dim(shape, fail)
    weights = [Weight("K", "kernel", (a["filters"], channels, a["kernel_size"]))]
    if a["use_bias"]:
        weights.append(Weight("b", "bias", (a["filters"],)))
    return (shape[0], steps, a["filters"]), tuple(weights)


def _time_distributed(
    layer: LayerSpec, shape: Shape, fail: Fail
) -> tuple[Shape, tuple[Weight, ...]]:
    if len(shape) < 3:
        raise fail(
            "needs a sequence (batch, timesteps, ...), but {got}",
            "expected it after a layer that returns a sequence (return_sequences: true)",
        )
    dense = layer.wrapped
    assert dense is not None
    units = dense.args["units"]
    weights = [Weight("V", "head", (units, _last_dim(shape, fail)))]
    if dense.args["use_bias"]:
        weights.append(Weight("c", "bias", (units,)))
    return shape[:-1] + (units,), tuple(weights)


def _normalisation(
    cls: str, a: dict[str, Any], channels: int, convention: str
) -> tuple[Weight, ...]:
    weights = []
    if a["scale"]:
        weights.append(Weight("gamma", "scale", (channels,)))
    if a["center"]:
        weights.append(Weight("beta", "shift", (channels,)))
    # Moving statistics: Keras variables (non-trainable); PyTorch buffers, not parameters().
    if cls == "BatchNormalization" and convention == "keras":
        weights += [
            Weight("mean", "statistic", (channels,), trainable=False),
            Weight("var", "statistic", (channels,), trainable=False),
        ]
    return tuple(weights)


def _last_dim(shape: Shape, fail: Fail) -> int:
    if len(shape) < 2 or shape[-1] is None:
        raise fail(
            "needs a known last dimension, but {got}",
            "expected an Embedding or a layer with features before it",
        )
    return shape[-1]


def _check_steps(steps: int | None, shape: Shape, window: str, fail: Fail) -> None:
    if steps is not None and steps < 1:
        raise fail(
            f"leaves no timesteps: {window} does not fit in the steps: {{got}}",
            "expected a window no longer than the sequence, or padding: same",
        )
