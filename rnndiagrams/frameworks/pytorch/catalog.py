"""The PyTorch dialect's vocabulary as data: `torch.nn` modules, their arguments and defaults.

Names and defaults are PyTorch's own (`nn.LSTM(input_size, hidden_size, num_layers=1, ...)`),
so a spec reads like the constructor calls it stands for. `take` is ours: what `forward`
passes on from an RNN module, its whole output or `out[:, -1]`.
"""

from __future__ import annotations

import keyword
from typing import Any

from ...specification.catalog import Arg
from ...specification.model import LayerSpec, Spec

TAKE = ("output", "last")
NONLINEARITIES = ("tanh", "relu")

_POS = Arg("posint", required=True)
_BOOL_F = Arg("bool", False)
_BOOL_T = Arg("bool", True)
_PROB_0 = Arg("prob", 0.0)

_RNN = {
    "input_size": _POS,
    "hidden_size": _POS,
    "num_layers": Arg("posint", 1, maximum=1_000),  # each layer is shaped, counted and drawn
    "bias": _BOOL_T,
    "batch_first": _BOOL_F,
    "dropout": _PROB_0,
    "bidirectional": _BOOL_F,
}

MODULES: dict[str, dict[str, Arg]] = {
    "Embedding": {
        "num_embeddings": _POS,
        "embedding_dim": _POS,
        "padding_idx": Arg("index"),
    },
    "RNN": {**_RNN, "nonlinearity": Arg("choice", "tanh", choices=NONLINEARITIES)},
    "LSTM": {**_RNN, "proj_size": Arg("count", 0)},
    "GRU": dict(_RNN),
    "Linear": {"in_features": _POS, "out_features": _POS, "bias": _BOOL_T},
    "Dropout": {"p": Arg("prob", 0.5)},
    "LayerNorm": {
        "normalized_shape": Arg("posint", required=True),
        "eps": Arg("posfloat", 1e-5),
        "elementwise_affine": _BOOL_T,
        "bias": _BOOL_T,
    },
}

_RNN_POSITIONAL = (
    "input_size hidden_size num_layers bias batch_first dropout bidirectional proj_size"
)
# Every parameter PyTorch 2.13 takes by position, in order (nn.RNN takes nonlinearity fourth),
# so `LSTM(32, 64, 2)` means num_layers=2 as it does to PyTorch; and how many of them
# print(model) writes by position (the rest as key=value).
POSITIONAL = {
    "Embedding": ("num_embeddings embedding_dim padding_idx max_norm norm_type "
                  "scale_grad_by_freq sparse _weight _freeze device dtype", 2),
    "RNN": (_RNN_POSITIONAL.replace("num_layers", "num_layers nonlinearity") + " device dtype", 2),
    "LSTM": (_RNN_POSITIONAL + " device dtype", 2),
    "GRU": (_RNN_POSITIONAL + " device dtype", 2),
    "Linear": ("in_features out_features bias device dtype", 2),
    "Dropout": ("p inplace", 1),
    "LayerNorm": ("normalized_shape eps elementwise_affine bias device dtype", 1),
}  # fmt: skip

# Where each module sits in a figure (shapes/shaped.py's ROLES say what each role means).
ROLES = {
    "Embedding": "embedding",
    "RNN": "recurrent",
    "LSTM": "recurrent",
    "GRU": "recurrent",
    "Linear": "head",
    "Dropout": "step",
    "LayerNorm": "step",
}

# The recurrent cell each RNN module runs, under the Keras name the views and verify use.
CELLS = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}

# Attribute names of the generated nn.Module (`self.lstm`, `self.lstm_1`, ...).
AUTO_NAME = {
    "Embedding": "embedding",
    "RNN": "rnn",
    "LSTM": "lstm",
    "GRU": "gru",
    "Linear": "linear",
    "Dropout": "dropout",
    "LayerNorm": "layer_norm",
}

LAYER_KEYS = ("take",)  # keys of a layer item beside its class


def class_name(spec: Spec) -> str:
    """The nn.Module subclass a spec stands for: its file name in CamelCase (`TorchLstmTagger`),
    ASCII letters and digits only, so any file name gives a valid Python class name."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in spec.stem).split()
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name[:1].isalpha() and not keyword.iskeyword(name) else "Model" + name


# RNNBase.extra_repr's order of the arguments it prints when they differ from the default
REPR_ORDER = ("proj_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")


def facts(layer: LayerSpec) -> dict[str, Any]:
    """What a figure reads of a module: its call as `print(model)` shows it, and its role."""
    return {"call": module_call(layer), "role": ROLES[layer.cls]}


def module_call(layer: LayerSpec) -> str:
    """The module as `print(model)` shows it: `LSTM(32, 64, num_layers=2, bidirectional=True)`,
    `Linear(in_features=32, out_features=1, bias=True)`. One addition: an RNN's
    `nonlinearity='relu'`, which PyTorch's repr leaves out but a figure must not."""
    a, cls = layer.args, layer.cls
    if cls == "Embedding":
        pad = "" if a["padding_idx"] is None else f", padding_idx={a['padding_idx']}"
        return f"Embedding({a['num_embeddings']}, {a['embedding_dim']}{pad})"
    if cls == "Linear":
        return f"Linear(in_features={a['in_features']}, out_features={a['out_features']}, bias={a['bias']})"
    if cls == "Dropout":
        return f"Dropout(p={a['p']}, inplace=False)"
    if cls == "LayerNorm":
        affine = a["elementwise_affine"]
        return (
            f"LayerNorm(({a['normalized_shape']},), eps={a['eps']}, "
            f"elementwise_affine={affine}, bias={affine and a['bias']})"
        )
    table = MODULES[cls]
    if cls not in CELLS:  # a module with no repr of its own here yet: every argument
        return f"{cls}({', '.join(f'{k}={a[k]}' for k in table)})"
    parts = [str(a["input_size"]), str(a["hidden_size"])]
    if a.get("nonlinearity", "tanh") != "tanh":
        parts.append(f"nonlinearity={a['nonlinearity']!r}")
    parts += [f"{k}={a[k]}" for k in REPR_ORDER if k in table and a[k] != table[k].default]
    return f"{cls}({', '.join(parts)})"
