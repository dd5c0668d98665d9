"""The spec vocabulary as data: layer classes, their Keras arguments, types and defaults.

Validation, the JSON Schema and "did you mean" hints are all generated from these tables,
so a new argument is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
NOTATIONS = ("seed", "goodfellow", "keras", "pytorch")
CONVENTIONS = ("keras", "pytorch")
DTYPES = ("float16", "float32", "float64", "int32", "int64")


INT64_MAX = 2**63 - 1
MAX_NAME_CHARS = 200  # a layer name; Keras sets no limit, but a figure must hold it
MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class Arg:
    kind: (
        str  # posint | bool | choice | rate | number | nonneg | positive | name | file_name | layer
    )
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] = ()  # allowed values; for kind "layer", the classes it may wrap
    nullable: bool = False  # null allowed (Keras `activation=None` means linear)
    maximum: int = INT64_MAX  # sizes beyond int64 exist in no framework


_NAME = Arg("name")  # a layer name: what Keras accepts on every backend (no '/' or '.')
_FILE_NAME = Arg("file_name")  # a view name, which names a file
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
# Wrappers: the argument `layer:` holds a layer of these classes.
WRAPPERS = ("Bidirectional", "TimeDistributed")

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
    "LayerNormalization": "layer_normalization",
    "BatchNormalization": "batch_normalization",
}

TOP_LEVEL = ("title", "framework", "model", "notation", "convention", "views", "render")
MODEL_KEYS = ("input", "layers")
INPUT_KEYS = ("shape", "dtype")

# Views a spec may ask for, and their options (validated like layer arguments).
HEAD_MODES = ("auto", "show", "hide")
LEGEND_MODES = ("short", "full", "none")
_LAYER_REF = Arg("layer_ref")
_STEPS = Arg("steps")
_HEAD = Arg("choice", "auto", choices=HEAD_MODES)
VIEWS: dict[str, dict[str, Arg]] = {
    "stack": {"name": _FILE_NAME},
    "folded": {"layer": _LAYER_REF, "head": _HEAD, "name": _FILE_NAME},
    "unrolled": {"layer": _LAYER_REF, "steps": _STEPS, "head": _HEAD, "name": _FILE_NAME},
    "equivalence": {"layer": _LAYER_REF, "steps": _STEPS, "head": _HEAD, "name": _FILE_NAME},
    "cell": {"layer": _LAYER_REF, "name": _FILE_NAME},
    "numpy": {"layer": _LAYER_REF, "steps": _STEPS, "name": _FILE_NAME},
}
DEFAULT_VIEWS = ("stack", "folded", "unrolled")

BACKENDS = ("graphviz", "matplotlib")
FORMATS = ("svg", "png", "pdf")
THEMES = ("light", "dark", "print")
RENDER: dict[str, Arg] = {
    "formats": Arg("choices", ("svg",), choices=FORMATS),
    "backends": Arg("choices", ("graphviz",), choices=BACKENDS),
    "theme": Arg("choice", "light", choices=THEMES),
    "dpi": Arg("posint", 144, maximum=1200),  # PNG resolution (slides: 200-300)
    "text": Arg(
        "choice", "paths", choices=("paths", "editable")
    ),  # SVG text as outlines, or <text>
    # the header under the title: one or two lines that say what the figure shows, every
    # weight and gate block too, or nothing
    "legend": Arg("choice", "short", choices=LEGEND_MODES),
}
