"""The Keras vocabulary as data: layer classes, their Keras arguments, types and defaults.

Validation, the JSON Schema and "did you mean" hints are all generated from these tables,
so a new argument is one line here.
"""

from __future__ import annotations

from typing import Any

from ...specification.catalog import Arg
from ...specification.model import LayerSpec

ACTIVATIONS = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "swish",
    "silu",
    "gelu",
    "hard_sigmoid",
    "exponential",
    "relu6",
    "leaky_relu",
)
RECURRENT = ("SimpleRNN", "LSTM", "GRU")
PADDINGS = ("valid", "same", "causal")  # Conv1D; pooling takes the first two
MERGE_MODES = ("concat", "sum", "mul", "ave")

_NAME = Arg("name")  # a layer name: what Keras accepts on every backend (no '/' or '.')
_UNITS = Arg("posint", required=True)
_BOOL_F = Arg("bool", False)
_BOOL_T = Arg("bool", True)
_RATE = Arg("rate", 0.0)
_RATE_REQ = Arg("rate", required=True)
_EPSILON = Arg("positive", 0.001)


def _act(default: str | None) -> Arg:
    return Arg("choice", default, choices=ACTIVATIONS, nullable=True)


_RNN_COMMON = {
    "units": _UNITS,
    "activation": _act("tanh"),
    "use_bias": _BOOL_T,
    "return_sequences": _BOOL_F,
    "return_state": _BOOL_F,
    "go_backwards": _BOOL_F,
    "dropout": _RATE,
    "recurrent_dropout": _RATE,
    "unroll": _BOOL_F,
    "name": _NAME,
}


def _pooling(pool_size: Arg) -> dict[str, Arg]:
    return {
        "pool_size": pool_size,
        "strides": Arg("posint", None, nullable=True),  # null: pool_size
        "padding": Arg("choice", "valid", choices=PADDINGS[:2]),
        "name": _NAME,
    }


LAYERS: dict[str, dict[str, Arg]] = {
    "Embedding": {
        "input_dim": Arg("posint", required=True),
        "output_dim": Arg("posint", required=True),
        "mask_zero": _BOOL_F,
        "name": _NAME,
    },
    "SimpleRNN": dict(_RNN_COMMON),
    "LSTM": {**_RNN_COMMON, "recurrent_activation": _act("sigmoid"), "unit_forget_bias": _BOOL_T},
    "GRU": {**_RNN_COMMON, "recurrent_activation": _act("sigmoid"), "reset_after": _BOOL_T},
    "Bidirectional": {
        "layer": Arg("layer", required=True, choices=RECURRENT),
        "merge_mode": Arg("choice", "concat", choices=MERGE_MODES),
        "name": _NAME,
    },
    "Dense": {
        "units": _UNITS,
        "activation": _act(None),
        "use_bias": _BOOL_T,
        "name": _NAME,
    },
    "TimeDistributed": {"layer": Arg("layer", required=True, choices=("Dense",)), "name": _NAME},
    "Masking": {"mask_value": Arg("number", 0.0), "name": _NAME},
    "Dropout": {"rate": _RATE_REQ, "name": _NAME},
    "SpatialDropout1D": {"rate": _RATE_REQ, "name": _NAME},
    "GaussianNoise": {"stddev": Arg("nonneg", required=True), "name": _NAME},
    "Activation": {
        "activation": Arg("choice", required=True, choices=ACTIVATIONS),
        "name": _NAME,
    },
    "Conv1D": {
        "filters": _UNITS,
        "kernel_size": Arg("posint", required=True),
        "strides": Arg("posint", 1),
        "padding": Arg("choice", "valid", choices=PADDINGS),
        "dilation_rate": Arg("posint", 1),
        "activation": _act(None),
        "use_bias": _BOOL_T,
        "name": _NAME,
    },
    "MaxPooling1D": _pooling(Arg("posint", 2)),
    "AveragePooling1D": _pooling(Arg("posint", required=True)),  # Keras 3 gives it no default
    "GlobalMaxPooling1D": {"name": _NAME},
    "GlobalAveragePooling1D": {"name": _NAME},
    "Flatten": {"name": _NAME},
    "RepeatVector": {"n": Arg("posint", required=True), "name": _NAME},
    # merges and attention: layers that read several tensors (a graph's `inputs:`)
    "Concatenate": {"axis": Arg("axis", -1), "name": _NAME},
    "Add": {"name": _NAME},
    "Average": {"name": _NAME},
    "Multiply": {"name": _NAME},
    "Dot": {"axes": Arg("axes", required=True), "normalize": _BOOL_F, "name": _NAME},
    "Attention": {
        "use_scale": _BOOL_F,
        "score_mode": Arg("choice", "dot", choices=("dot", "concat")),
        "dropout": _RATE,
        "name": _NAME,
    },
    "AdditiveAttention": {"use_scale": _BOOL_T, "dropout": _RATE, "name": _NAME},
    "MultiHeadAttention": {
        "num_heads": Arg("posint", required=True),
        "key_dim": Arg("posint", required=True),
        "value_dim": Arg("posint", None, nullable=True),  # null: key_dim
        "dropout": _RATE,
        "use_bias": _BOOL_T,
        "output_shape": Arg("posint", None, nullable=True),  # null: the query's features
        "name": _NAME,
    },
    "LayerNormalization": {
        "epsilon": _EPSILON,
        "center": _BOOL_T,
        "scale": _BOOL_T,
        "name": _NAME,
    },
    "BatchNormalization": {
        "momentum": Arg("rate", 0.99),
        "epsilon": _EPSILON,
        "center": _BOOL_T,
        "scale": _BOOL_T,
        "name": _NAME,
    },
}
# What a layer of a graph says about its call rather than its construction: the tensors it
# reads, and a recurrent layer's starting states (Keras's `initial_state=`).
CALL_ARGS = {"inputs": Arg("refs"), "initial_state": Arg("refs")}


def call_args(cls: str) -> dict[str, Arg]:
    """The call arguments a layer of class `cls` takes in a graph spec."""
    return CALL_ARGS if cls in (*RECURRENT, "Bidirectional") else {"inputs": CALL_ARGS["inputs"]}


MERGES = ("Concatenate", "Add", "Average", "Multiply", "Dot")
ATTENTION = ("Attention", "AdditiveAttention", "MultiHeadAttention")
# Where each class sits in a figure (shapes/shaped.py's ROLES say what each role means).
ROLES = {
    "Embedding": "embedding",
    "SimpleRNN": "recurrent",
    "LSTM": "recurrent",
    "GRU": "recurrent",
    "Bidirectional": "recurrent",
    "Dense": "head",
    "TimeDistributed": "step-head",
    "Masking": "step-only",
    "Dropout": "step",
    "SpatialDropout1D": "step-only",
    "GaussianNoise": "step",
    "Activation": "step",
    "Conv1D": "window",
    "MaxPooling1D": "window",
    "AveragePooling1D": "window",
    "GlobalMaxPooling1D": "pooling",
    "GlobalAveragePooling1D": "pooling",
    "Flatten": "pooling",
    "RepeatVector": "repeat",
    "Concatenate": "merge",
    "Add": "merge",
    "Average": "merge",
    "Multiply": "merge",
    "Dot": "merge",
    "Attention": "attention",
    "AdditiveAttention": "attention",
    "MultiHeadAttention": "attention",
    "LayerNormalization": "step",
    "BatchNormalization": "step",
}
# Keras's automatic name prefix for each class (`keras.src.utils.naming.to_snake_case`).
AUTO_NAME = {
    "Embedding": "embedding",
    "SimpleRNN": "simple_rnn",
    "LSTM": "lstm",
    "GRU": "gru",
    "Bidirectional": "bidirectional",
    "Dense": "dense",
    "TimeDistributed": "time_distributed",
    "Masking": "masking",
    "Dropout": "dropout",
    "SpatialDropout1D": "spatial_dropout1d",
    "GaussianNoise": "gaussian_noise",
    "Activation": "activation",
    "Conv1D": "conv1d",
    "MaxPooling1D": "max_pooling1d",
    "AveragePooling1D": "average_pooling1d",
    "GlobalMaxPooling1D": "global_max_pooling1d",
    "GlobalAveragePooling1D": "global_average_pooling1d",
    "Flatten": "flatten",
    "RepeatVector": "repeat_vector",
    "Concatenate": "concatenate",
    "Add": "add",
    "Average": "average",
    "Multiply": "multiply",
    "Dot": "dot",
    "Attention": "attention",
    "AdditiveAttention": "additive_attention",
    "MultiHeadAttention": "multi_head_attention",
    "LayerNormalization": "layer_normalization",
    "BatchNormalization": "batch_normalization",
}


# Layers that pass a Keras mask on to the next layer (windows and pooling drop it).
KEEP_MASK = (
    "Dropout",
    "SpatialDropout1D",
    "GaussianNoise",
    "Activation",
    "LayerNormalization",
    "BatchNormalization",
    "Dense",
    "TimeDistributed",
)
_POOLING = {
    "GlobalMaxPooling1D": "max over all steps",
    "GlobalAveragePooling1D": "mean over all steps",
    "Flatten": "all steps side by side",
}


def facts(spec: LayerSpec) -> dict[str, Any]:
    """What a figure reads of a layer, in no framework's vocabulary: its call, its role,
    what to say of it beside the call, and the steps it masks."""
    a = spec.args
    about = _POOLING.get(spec.cls, "")
    if ROLES[spec.cls] == "window":
        size = a.get("kernel_size", a.get("pool_size"))
        about = f"window of {size} steps, stride {a['strides'] or size}, {a['padding']}"
    mask = None
    if spec.cls == "Masking":
        mask = f"a step whose features all equal {a['mask_value']}"
    elif a.get("mask_zero"):
        mask = "a step whose token id is 0 (mask_zero: padding)"
    return {
        "call": keras_call(spec),
        "role": ROLES[spec.cls],
        "about": about,
        "mask": mask,
        "keeps_mask": spec.cls in KEEP_MASK,
    }


def keras_call(spec: LayerSpec) -> str:
    """`SimpleRNN(64)`, `Bidirectional(LSTM(16), concat)`, `Dense(1, sigmoid)`: the Keras call,
    required arguments by value, then those that differ from the default."""
    if spec.cls == "Embedding":
        mask = ", mask_zero" if spec.args["mask_zero"] else ""
        return f"Embedding({spec.args['input_dim']}, {spec.args['output_dim']}{mask})"
    if spec.inner is not None:
        return f"Bidirectional({spec.inner.cls}({spec.inner.args['units']}), {spec.args['merge_mode']})"
    if spec.wrapped is not None:
        return f"TimeDistributed({keras_call(spec.wrapped)})"
    if spec.cls == "Dense" or spec.cls in RECURRENT:
        act = spec.args.get("activation")
        extra = f", {act}" if spec.cls == "Dense" and act not in (None, "linear") else ""
        return f"{spec.cls}({spec.args['units']}{extra})"
    # the other layers: required arguments by value, then those that differ from the default
    table = LAYERS[spec.cls]
    parts = [str(spec.args[k]) for k, arg in table.items() if arg.required]
    parts += [
        f"{k}={spec.args[k]}"
        for k, arg in table.items()
        if not arg.required and k != "name" and spec.args[k] != arg.default
    ]
    return f"{spec.cls}({', '.join(parts)})"
