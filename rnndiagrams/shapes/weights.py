"""Weights, and what each notation calls them and how it lays them out.

A Weight stores one orientation, the math one (rows = outputs, as in the seed's
`W @ x_t`); Keras stores matrices transposed (`x @ kernel`), which `shape_in` applies.
"""

from __future__ import annotations

from typing import NamedTuple

# key -> name under each notation (see DESIGN.md's notation table)
NAMES: dict[str, dict[str, str]] = {
    "W": {"seed": "W", "goodfellow": "U", "keras": "kernel", "pytorch": "weight_ih_l0"},
    "U": {"seed": "U", "goodfellow": "W", "keras": "recurrent_kernel", "pytorch": "weight_hh_l0"},
    "b": {"seed": "b", "goodfellow": "b", "keras": "bias", "pytorch": "bias"},
    "b_W": {"seed": "b_W", "goodfellow": "b_U", "keras": "input_bias", "pytorch": "bias_ih_l0"},
    "b_U": {"seed": "b_U", "goodfellow": "b_W", "keras": "recurrent_bias", "pytorch": "bias_hh_l0"},
    "V": {"seed": "V", "goodfellow": "V", "keras": "kernel", "pytorch": "weight"},
    "c": {"seed": "c", "goodfellow": "c", "keras": "bias", "pytorch": "bias"},
    "E": {"seed": "E", "goodfellow": "E", "keras": "embeddings", "pytorch": "weight"},
    "K": {"seed": "K", "goodfellow": "K", "keras": "kernel", "pytorch": "weight"},
    "gamma": {"seed": "γ", "goodfellow": "γ", "keras": "gamma", "pytorch": "weight"},
    "beta": {"seed": "β", "goodfellow": "β", "keras": "beta", "pytorch": "bias"},
    "mean": {"seed": "μ", "goodfellow": "μ", "keras": "moving_mean", "pytorch": "running_mean"},
    "var": {"seed": "σ²", "goodfellow": "σ²", "keras": "moving_variance", "pytorch": "running_var"},
    # attention's learned scales: a scalar on the scores (Attention), one per feature
    # (AdditiveAttention), and the scalar of Attention's concat scores
    "scale": {"seed": "s", "goodfellow": "s", "keras": "scale", "pytorch": "scale"},
    "concat_score_weight": {
        "seed": "w_c",
        "goodfellow": "w_c",
        "keras": "concat_score_weight",
        "pytorch": "concat_score_weight",
    },
    # MultiHeadAttention's projections, kept in Keras's layout (in, heads, size) in every
    # notation: query, key and value into each head, the heads back out
    **{
        f"{part}{bias}": {
            "seed": f"{'b' if bias else 'W'}_{part[0] if part != 'attention_output' else 'o'}",
            "goodfellow": f"{'b' if bias else 'W'}_{part[0] if part != 'attention_output' else 'o'}",
            "keras": f"{part}/{'bias' if bias else 'kernel'}",
            "pytorch": f"{part}/{'bias' if bias else 'kernel'}",
        }
        for part in ("query", "key", "value", "attention_output")
        for bias in ("", "_bias")
    },
    # PyTorch-only weights: LSTM projection h = W_hr (o * tanh(c)); (LayerNorm's scale and shift: gamma, beta above)
    "W_hr": {
        "seed": "W_hr",
        "goodfellow": "W_hr",
        "keras": "projection",
        "pytorch": "weight_hr_l0",
    },
}
# Keras stores these reversed: matrices as (in, out), a Conv1D kernel as (k, in, filters)
# where PyTorch and the math orientation have (filters, in, k).
_KERAS_TRANSPOSED = {"W", "U", "V", "K"}

# Stacking order of the gate blocks inside a fused matrix, per framework.
GATES = {
    "keras": {"LSTM": ("i", "f", "c", "o"), "GRU": ("z", "r", "h")},
    "pytorch": {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n")},
}


class Weight(NamedTuple):
    """One weight of a layer: its role and its shape as the math writes it."""

    key: str  # notation-independent identity: W, U, b, b_W, b_U, V, c, E, K, gamma, beta...
    role: str  # input | recurrent | bias | head | embedding | kernel | scale | shift | statistic
    shape: tuple[int, ...]  # math orientation
    direction: str | None = None  # forward | backward inside a Bidirectional
    gates: tuple[str, ...] = ()  # gate blocks stacked along the first axis
    layer: int = 0  # which layer of a PyTorch RNN module with num_layers > 1
    trainable: bool = True  # False for BatchNormalization's moving statistics
    layered: bool = True  # PyTorch names it per layer (`weight_ih_l0`): a module's, not a cell's
    owner: str = ""  # the submodule that holds it, in a module made of several (`Wa`)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def name(self, notation: str) -> str:
        base = NAMES[self.key][notation]
        if notation == "pytorch" and base.endswith("_l0"):
            base = f"{base[:-1]}{self.layer}" if self.layered else base[:-3]
            base = base + "_reverse" if self.direction == "backward" else base
        return f"{self.owner}.{base}" if self.owner and notation == "pytorch" else base

    def names_direction(self, notation: str) -> bool:
        """Whether its name in this notation says its direction (`_reverse`): no arrow then."""
        return notation == "pytorch"

    def gate_shape(self, notation: str) -> tuple[int, ...]:
        """The shape of one gate's block of this fused weight (the whole shape without gates)."""
        shape = list(self.shape_in(notation))
        if self.gates:
            # gates stack along the output axis: rows in math layout, columns in Keras's kernels
            # and in Keras's (2, 3 x units) GRU bias
            transposed = notation == "keras" and self.key in _KERAS_TRANSPOSED
            axis = 1 if transposed or (self.key not in _KERAS_TRANSPOSED and len(shape) == 2) else 0
            shape[axis] //= len(self.gates)
        return tuple(shape)

    def shape_in(self, notation: str) -> tuple[int, ...]:
        if notation == "keras" and self.key in _KERAS_TRANSPOSED:
            return tuple(reversed(self.shape))
        return self.shape
