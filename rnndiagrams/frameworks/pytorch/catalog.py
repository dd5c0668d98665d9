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
_DIM = Arg("axis", required=True)
_CELL = {"input_size": _POS, "hidden_size": _POS, "bias": _BOOL_T}

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
    "Dropout1d": {"p": Arg("prob", 0.5)},
    "Dropout2d": {"p": Arg("prob", 0.5)},
    # in_features is read from the input, as PyTorch infers it at the first call
    "LazyLinear": {"out_features": _POS, "bias": _BOOL_T},
    "Flatten": {"start_dim": Arg("axis", 1), "end_dim": Arg("axis", -1)},
    # (N, C) or (N, C, L): normalizes each of C channels; its running statistics are buffers
    "BatchNorm1d": {
        "num_features": _POS,
        "eps": Arg("posfloat", 1e-5),
        "momentum": Arg("prob", 0.1, nullable=True),  # None: a cumulative average
        "affine": _BOOL_T,
        "track_running_stats": _BOOL_T,
        "bias": _BOOL_T,  # keyword-only; with affine
    },
    "LayerNorm": {
        "normalized_shape": Arg("posint", required=True),
        "eps": Arg("posfloat", 1e-5),
        "elementwise_affine": _BOOL_T,
        "bias": _BOOL_T,
    },
    # cells: one step, (batch, features) in, h out (LSTMCell: h and c)
    "RNNCell": {**_CELL, "nonlinearity": Arg("choice", "tanh", choices=NONLINEARITIES)},
    "LSTMCell": dict(_CELL),
    "GRUCell": dict(_CELL),
    # parameter-free modules
    "Identity": {},
    "ReLU": {},
    "Tanh": {},
    "Sigmoid": {},
    "Softmax": {"dim": _DIM},
    "LogSoftmax": {"dim": _DIM},
    # PyTorch's seq2seq tutorial's attention: submodules Wa, Ua, Va (nn.Linear)
    "BahdanauAttention": {"hidden_size": _POS},
}

# modules that keep the shape and have no parameters
PARAMETER_FREE = (
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Identity",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
)
# Buffers a module registers (not parameters; in its state_dict): running statistics
STATISTICS = ("running_mean", "running_var", "num_batches_tracked")

# the input ranks (batch included) PyTorch 2.13 runs, fewest and most (Dropout2d warns on
# all but 4D, and refuses only 1D)
RANKS = {"Dropout1d": (2, 3), "Dropout2d": (2, 8), "BatchNorm1d": (2, 3)}

# Functions of tensors in a forward(): no parameters, not modules (not in the call order)
FUNCTIONS: dict[str, dict[str, Arg]] = {
    "cat": {"dim": Arg("axis", 0)},
    "stack": {"dim": Arg("axis", 0)},
    "add": {},
    "mul": {},
    "bmm": {},
    "permute": {"dims": Arg("dims", required=True)},
}
# What a graph's layer takes beside its arguments: its name (an attribute path), what it
# reads, and for cells and RNN modules its initial state; a Linear may share a weight
CALL_ARGS = {"name": Arg("name"), "inputs": Arg("refs"), "initial_state": Arg("refs")}
TIE = {"tie_weight": Arg("name")}
# a loop in the model's layers: its step (`x[:, t]`) and itself (every step's output, joined)
LOOP_PARTS = ("step", "loop")
# `loop:` (ours): a body of layers run once per time step, as a hand-written for loop
LOOP_ARGS = {
    "layers": Arg("layers", required=True),
    "over": Arg("ref", required=True),
    "dim": Arg("posint", 1, maximum=8),
    "keepdim": _BOOL_F,
    "future": Arg("count", 0),
    "feedback": Arg("ref"),
    "join": Arg("choice", "stack", choices=("stack", "cat")),
    "collect": Arg("ref"),
    "name": Arg("name"),
}
# `call:` (ours): a module called again
CALL = {"module": Arg("name", required=True), "name": Arg("name"), "inputs": Arg("refs")}

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
    "Dropout1d": ("p inplace", 1),
    "Dropout2d": ("p inplace", 1),
    "LazyLinear": ("out_features bias device dtype", 0),
    "Flatten": ("start_dim end_dim", 0),
    "BatchNorm1d": ("num_features eps momentum affine track_running_stats device dtype", 1),
    "LayerNorm": ("normalized_shape eps elementwise_affine bias device dtype", 1),
    "RNNCell": ("input_size hidden_size bias nonlinearity device dtype", 2),
    "LSTMCell": ("input_size hidden_size bias device dtype", 2),
    "GRUCell": ("input_size hidden_size bias device dtype", 2),
    "Identity": ("", 0),
    "ReLU": ("inplace", 0),
    "Tanh": ("", 0),
    "Sigmoid": ("", 0),
    "Softmax": ("dim", 0),
    "LogSoftmax": ("dim", 0),
}  # fmt: skip

# Where each module sits in a figure (shapes/shaped.py's ROLES say what each role means).
ROLES = {
    "Embedding": "embedding",
    "RNN": "recurrent",
    "LSTM": "recurrent",
    "GRU": "recurrent",
    "Linear": "head",
    "Dropout": "step",
    "Dropout1d": "step",
    "Dropout2d": "step",
    "LazyLinear": "head",
    "Flatten": "step",
    "BatchNorm1d": "step",
    "LayerNorm": "step",
    "RNNCell": "recurrent",
    "LSTMCell": "recurrent",
    "GRUCell": "recurrent",
    "Identity": "step",
    "ReLU": "step",
    "Tanh": "step",
    "Sigmoid": "step",
    "Softmax": "step",
    "LogSoftmax": "step",
    "BahdanauAttention": "merge",
    **dict.fromkeys(("cat", "stack", "add", "mul", "bmm"), "merge"),
    "permute": "step",
    "step": "step",  # a loop's x[:, t]
    "loop": "merge",  # a loop's outputs of every step, joined
}

# The recurrent cell each RNN module runs, under the Keras name the views and verify use.
CELLS = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}
# One step of it, as a module of its own
STEP_CELLS = {"RNNCell": "SimpleRNN", "LSTMCell": "LSTM", "GRUCell": "GRU"}

# Attribute names of the generated nn.Module (`self.lstm`, `self.lstm_1`, ...).
AUTO_NAME = {
    "Embedding": "embedding",
    "RNN": "rnn",
    "LSTM": "lstm",
    "GRU": "gru",
    "Linear": "linear",
    "Dropout": "dropout",
    "Dropout1d": "dropout1d",
    "Dropout2d": "dropout2d",
    "LazyLinear": "linear",
    "Flatten": "flatten",
    "BatchNorm1d": "batch_norm",
    "LayerNorm": "layer_norm",
    "RNNCell": "rnn_cell",
    "LSTMCell": "lstm_cell",
    "GRUCell": "gru_cell",
    "Identity": "identity",
    "ReLU": "relu",
    "Tanh": "tanh",
    "Sigmoid": "sigmoid",
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
    "BahdanauAttention": "attention",
    **{f: f for f in FUNCTIONS},
    "loop": "loop",
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
    if cls in ("Dropout", "Dropout1d", "Dropout2d"):
        return f"{cls}(p={a['p']}, inplace=False)"
    if cls == "BatchNorm1d":
        return (
            f"BatchNorm1d({a['num_features']}, eps={a['eps']}, momentum={a['momentum']}, "
            f"affine={a['affine']}, bias={a['affine'] and a['bias']}, "
            f"track_running_stats={a['track_running_stats']})"
        )
    if cls == "LayerNorm":
        affine = a["elementwise_affine"]
        return (
            f"LayerNorm(({a['normalized_shape']},), eps={a['eps']}, "
            f"elementwise_affine={affine}, bias={affine and a['bias']})"
        )
    if cls == "permute":  # a tensor's method
        return f".permute({', '.join(map(str, a['dims']))})"
    if cls in FUNCTIONS:
        return f"torch.{cls}({', '.join(f'{k}={v}' for k, v in a.items())})"
    if cls == "step":
        index = "t:t+1" if a["keepdim"] else "t"
        then = f"; {a['future']} more: {a['feedback']} at t-1" if a["future"] else ""
        return f"{a['over']}[{':, ' * a['dim']}{index}]{then}"
    if cls == "loop":
        return f"torch.{a['join']}(outputs, {a['dim']})"
    if cls == "BahdanauAttention":
        return f"BahdanauAttention({a['hidden_size']})"
    table = MODULES[cls]
    if cls not in CELLS and cls not in STEP_CELLS:  # no repr of its own here: every argument
        return f"{cls}({', '.join(f'{k}={a[k]}' for k in table)})"
    parts = [str(a["input_size"]), str(a["hidden_size"])]
    if a.get("nonlinearity", "tanh") != "tanh":
        parts.append(f"nonlinearity={a['nonlinearity']!r}")
    parts += [f"{k}={a[k]}" for k in REPR_ORDER if k in table and a[k] != table[k].default]
    return f"{cls}({', '.join(parts)})"
