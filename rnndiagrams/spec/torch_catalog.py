"""The PyTorch dialect's vocabulary as data: `torch.nn` modules, their arguments and defaults.

Names and defaults are PyTorch's own (`nn.LSTM(input_size, hidden_size, num_layers=1, ...)`),
so a spec reads like the constructor calls it stands for. `take` is ours: what `forward`
passes on from an RNN module, its whole output or `out[:, -1]`.
"""

from __future__ import annotations

from .catalog import Arg

FRAMEWORKS = ("keras", "pytorch")
TAKE = ("output", "last")
NONLINEARITIES = ("tanh", "relu")

_POS = Arg("posint", required=True)
_BOOL_F = Arg("bool", False)
_BOOL_T = Arg("bool", True)
_PROB_0 = Arg("prob", 0.0)

_RNN = {
    "input_size": _POS,
    "hidden_size": _POS,
    "num_layers": Arg("posint", 1),
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
