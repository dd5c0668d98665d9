"""The shaped model: every layer with its shapes, weights and per-step tensors, in either
dialect. Data only: the rules that compute it are each framework's.

Counts are sums of weight sizes, never formulas of their own, so the weights listed on a
figure and the totals printed by `summary` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..specification.graph import order, sources
from ..specification.model import LayerSpec, Ref, Spec, ViewSpec
from .weights import Weight

Shape = tuple[int | None, ...]  # Keras notation: None for batch and unknown lengths

GATE_COUNT = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


class StepTensor(NamedTuple):
    """A tensor of one time step of a recurrent layer (x_t, h_t, c_t...)."""

    symbol: str  # x_t, h_t, c_t, y_t, o_t
    shape: tuple[int, ...]
    meaning: str
    direction: str | None = None
    layer: int = 0  # which layer of a PyTorch RNN module with num_layers > 1


# What a layer does to a sequence, which decides where a time grid draws it; each framework's
# catalogue gives every class one.
ROLES = {
    "embedding": "token ids to vectors, drawn below the steps",
    "recurrent": "a recurrence over the steps, a row per direction",
    "head": "weights V on each step's vector, or once on a vector (Dense)",
    "step-head": "weights V on each step's vector, sequences only (TimeDistributed)",
    "step": "each vector alone, no weights across steps: per step, or once on a vector",
    "step-only": "each step alone, sequences only (SpatialDropout1D, Masking)",
    "window": "reads several steps, so T changes: drawn once, below the steps",
    "pooling": "every step into one vector: many-to-one",
    "repeat": "one vector copied to every step of what follows",
    "merge": "several tensors into one, step by step (a graph's concatenations, sums)",
    "attention": "a context per step of its query, from every step of its value",
}


class Recurrence(NamedTuple):
    """A recurrent layer as a figure draws it, in no framework's vocabulary: its framework's
    shape rules fill it in, so views never read a framework's arguments."""

    cell: str  # SimpleRNN | LSTM | GRU
    units: int
    directions: tuple[str | None, ...]  # (None,), or ("forward", "backward")
    sequence: bool  # returns every step's output (else one vector)
    returns: str  # what the layer returns or passes on, in its framework's words
    one_direction: str  # the call of one direction's layer, as its framework writes it: `LSTM(16)`
    activation: str | None  # of the state (SimpleRNN) or the candidate; None: linear
    gate_activation: str | None = None  # of the gates (LSTM, GRU)
    reset_after: bool = False  # GRU: r applied after U h + b (Keras 3, PyTorch), not before
    layers: int = 1  # stacked layers it runs (PyTorch's num_layers), each in every direction
    backwards: bool = False  # a one-direction layer run from the last step to the first
    merge: str | None = None  # how two directions' outputs are combined (concat, sum...)
    # one vector out of two directions: both halves from the last position (PyTorch's
    # out[:, -1]), rather than each direction's final state (Keras)
    last_position: bool = False
    # (direction, where its final states sit among the states returned: `h_n[3]`, `c_n[3]`)
    finals: tuple[tuple[str | None, tuple[str, ...]], ...] = ()


class ShapedLayer(NamedTuple):
    """A layer with the shapes the engine computed: input, output, weights, steps."""

    spec: LayerSpec
    input_shape: Shape
    output_shape: Shape
    input_dtype: str
    weights: tuple[Weight, ...]
    step: tuple[StepTensor, ...] = ()  # per-step tensors (recurrent layers, per-step Dense)
    # PyTorch RNN modules: the full output sequence and the final states, PyTorch's layout
    sequence_output: Shape | None = None
    h_n: Shape | None = None
    c_n: Shape | None = None
    recurrence: Recurrence | None = None  # set on recurrent layers
    role: str = ""  # where a figure puts it: one of ROLES
    about: str = (
        ""  # what a figure says of it beside its call: `window of 3 steps, stride 1, causal`
    )
    mask: str | None = None  # the steps it masks, in words (a mask starts here)
    keeps_mask: bool = False  # passes a mask on to the layer after it
    call: str = ""  # the call as its framework writes it: `LSTM(64)`, `Linear(in_features=...)`
    # the tensors it reads, by the name of the layer that made each ("input": the model's)
    reads: tuple[str, ...] = ()
    # a time grid draws some layers one layer at a time (a PyTorch module with num_layers):
    # the layer this one is part of, what reaches its input unseen (`dropout 0.2`), and
    # the layers before it that the grid leaves out, with their calls
    part_of: str | None = None
    notes: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    # a graph's layer: the outputs after the first (the states of return_state), and every
    # tensor its call takes as its framework lists them, (layer or op, output index)
    state_outputs: tuple[Shape, ...] = ()
    inbound: tuple[tuple[str, int], ...] = ()
    # the ops that make its padding mask, as a summary lists them: (name, class, output
    # shape, what each reads), e.g. Keras's not_equal of mask_zero
    mask_ops: tuple[tuple[str, str, Shape, tuple[tuple[str, int], ...]], ...] = ()
    # a loop (the layer that joins its body's outputs): how many steps the body runs
    # (None: as many as an open length)
    loop_steps: int | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def cls(self) -> str:
        return self.spec.cls

    @property
    def cell(self) -> str | None:
        return self.spec.cell

    @property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def non_trainable(self) -> int:
        return sum(w.size for w in self.weights if not w.trainable)

    @property
    def per_step(self) -> bool:
        """True when the layer emits one vector per time step (a sequence)."""
        return len(self.output_shape) == 3

    @property
    def outputs(self) -> tuple[Shape, ...]:
        """Every tensor it returns: the output, then any states."""
        return (self.output_shape,) + self.state_outputs

    def shape_note(self) -> str:
        """`Novel(): shape unchanged`: what its call and shapes say, for a text that has no
        sentence of its own for its class yet."""
        same = self.input_shape == self.output_shape
        return (
            f"{self.call}: shape {'unchanged' if same else '-> ' + format_shape(self.output_shape)}"
        )

    def step_tensor(self, symbol: str, direction: str | None = None, layer: int = 0) -> StepTensor:
        for t in self.step:
            if t.symbol == symbol and t.direction == direction and t.layer == layer:
                return t
        raise KeyError(symbol)


class ShapedModel(NamedTuple):
    """A spec's model shaped under one convention: every layer's shapes and weights."""

    spec: Spec
    convention: str
    input_shape: Shape
    layers: tuple[ShapedLayer, ...]
    time_axis: int = 1  # 0 in PyTorch's sequence-first layout (batch_first: false)
    # its framework's recurrent classes, for a message: "RNN, LSTM or GRU"
    recurrent_classes: str = ""
    # the model as the time views draw it, when that differs from its layers (its framework's)
    unstack: Callable[[ShapedModel, ViewSpec], tuple[ShapedModel, ViewSpec]] | None = None

    @property
    def steps(self) -> int | None:
        """The input's number of time steps (None: any length)."""
        return self.input_shape[self.time_axis]

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(layer.non_trainable for layer in self.layers)

    def layer(self, name: str) -> ShapedLayer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)


# (layer, input shape, input dtype, where the input comes from in words) -> the shaped layer
LayerRule = Callable[[LayerSpec, Shape, str, str], ShapedLayer]


def chain(
    spec: Spec, shape: Shape, rule: LayerRule, facts: Callable[[LayerSpec], dict[str, Any]]
) -> tuple[ShapedLayer, ...]:
    """Each layer's rule applied to what the layer before it gives (the input's dtype first,
    float32 after), in either dialect; `facts` gives the neutral fields a figure reads (call,
    role, about, mask, keeps_mask) from the framework's catalogue."""
    dtype, source, reads = spec.input_dtype, "the input", "input"
    out = []
    for layer in spec.layers:
        shaped = rule(layer, shape, dtype, source)
        out.append(shaped._replace(reads=(reads,), **facts(layer)))
        shape, dtype, source, reads = shaped.output_shape, "float32", repr(layer.name), layer.name
    return tuple(out)


class Tensor(NamedTuple):
    """One tensor of a graph, as a layer that reads it sees it."""

    shape: Shape
    dtype: str
    key: tuple[str, int]  # the layer or input that makes it, and which of its outputs
    source: str  # the same in words: "the input 'tokens'", "'encoder' output 1"
    mask: str | None = None  # the op whose padding mask travels with it (Keras mask_zero)


# (layer, the tensors it reads, its initial states) -> the shaped layer and its outputs
GraphRule = Callable[
    [LayerSpec, tuple[Tensor, ...], tuple[Tensor, ...]], tuple[ShapedLayer, tuple[Tensor, ...]]
]


def graph(
    spec: Spec,
    rule: GraphRule,
    facts: Callable[[LayerSpec], dict[str, Any]],
    layout: Callable[[tuple[int | None, ...]], Shape] = lambda dims: (None, *dims),
) -> tuple[ShapedLayer, ...]:
    """Each layer's rule applied to the tensors it reads in this step (what it reads from
    the step before is the rule's), every layer after those it reads; the layers come back
    in spec order, with `facts` as `chain` gives them. A reference to an output a layer does
    not have is a located error. `layout` puts the batch axis into an input's shape."""
    tensors = {
        (i.name, 0): Tensor(layout(i.shape), i.dtype, (i.name, 0), f"the input {i.name!r}")
        for i in spec.inputs
    }

    def tensor(ref: Ref) -> Tensor:
        if (ref.source, ref.output) in tensors:
            return tensors[ref.source, ref.output]
        count = sum(1 for key in tensors if key[0] == ref.source)
        raise spec.error(
            ref.path,
            f"{ref.source!r} has {count} output{'s' if count > 1 else ''}, so it has no "
            f"output {ref.output}",
            f"expected {ref.source + '.0'!r} to {ref.source + f'.{count - 1}'!r}"
            if count > 1
            else "expected `return_state: true` on it for its states (name.1, name.2...)",
        )

    shaped = {}
    for layer in order(spec.doc, spec.layers):
        reads = tuple(tensor(r) for r in layer.reads or () if not r.previous)
        result, outputs = rule(layer, reads, tuple(map(tensor, layer.initial_state)))
        for k, out in enumerate(outputs):
            tensors[layer.name, k] = out
        shaped[layer.name] = result._replace(
            reads=tuple(dict.fromkeys(r.source for r in sources(layer))),
            **facts(layer),
        )
    for ref in spec.outputs:
        tensor(ref)  # an output the layer has
    return tuple(shaped[layer.name] for layer in spec.layers)


def format_shape(shape: tuple[int | str | None, ...]) -> str:
    """Keras's way of printing a shape: (None, 100, 32), (64,); a symbolic length ("T") too."""
    parts = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
