"""`verify` for a PyTorch graph: every module runs in numpy on the tensors it reads, states
are handed over as `(h, c)`, a loop runs its body once per step (the fed-back output after
the sequence, each cell and RNN module from its own state of the step before), a module
called again reuses its weights and a tied Linear its module's. Each output is compared
with the computed shape."""

from __future__ import annotations

from typing import cast

import numpy as np

from ...shapes.execution import BATCH, FREE_STEPS, expect
from ...shapes.shaped import ShapedModel
from ...shapes.weights import Weight
from ...specification.graph import order
from ...specification.model import LayerSpec, Ref
from .catalog import STEP_CELLS
from .graph_shapes import STATEFUL, state_index
from .run import cell_step, run_module, run_rnn, softmax


def verify_torch_graph(model: ShapedModel, seed: int = 0) -> None:
    GraphRun(model, np.random.default_rng(seed)).run()


class GraphRun:
    """One run: random weights of the computed shapes in `arrays` (by layer; a test may put
    a real module's in before `run`), every tensor in `values` after it."""

    def __init__(self, model: ShapedModel, rng: np.random.Generator) -> None:
        self.model = model
        self.rng = rng
        self.shaped = {layer.name: layer for layer in model.layers}
        self.arrays: dict[str, dict[Weight, np.ndarray]] = {}
        for layer in model.layers:
            self.arrays[layer.name] = {w: rng.standard_normal(w.shape) * 0.3 for w in layer.weights}
        self.values: dict[tuple[str, int], np.ndarray] = {}
        self.states: dict[str, tuple[np.ndarray, ...]] = {}  # a body's module: its state

    def run(self) -> None:
        spec = self.model.spec
        vocab = min(
            (m.args["num_embeddings"] for m in spec.layers if m.cls == "Embedding"), default=2
        )
        batch = 1 if self.model.time_axis == 0 else 0
        for given in spec.inputs:
            dims = (given.shape[0], None, *given.shape[1:]) if batch else (None, *given.shape)
            shape = tuple(
                BATCH if k == batch else FREE_STEPS if d is None else d for k, d in enumerate(dims)
            )
            self.values[given.name, 0] = (
                self.rng.integers(0, vocab, size=shape)
                if given.dtype.startswith("int")
                else self.rng.standard_normal(shape)
            )
        ordered = order(spec.doc, spec.layers)
        for layer in ordered:
            if layer.cls == "loop":
                self._loop(layer, [m for m in ordered if m.loop == layer.name])
            elif layer.loop is None:
                self._layer(layer)

    def _read(self, ref: Ref, loop_start: dict[str, tuple[np.ndarray, ...]]) -> np.ndarray:
        if not ref.previous:
            return self.values[ref.source, ref.output]
        source = self.shaped[ref.source].spec
        return loop_start[ref.source][cast(int, state_index(source, ref.output))]

    def _weights(self, layer: LayerSpec) -> dict[Weight, np.ndarray]:
        """Its own weights, a called module's, and a tied Linear's weight from its module."""
        arrays = dict(self.arrays[layer.calls or layer.name])
        tied = layer.args.get("tie_weight") if layer.cls == "Linear" else None
        if tied is not None:
            theirs = next(iter(self.arrays[tied].values()))  # an Embedding's or Linear's weight
            arrays[Weight("V", "head", theirs.shape)] = theirs
        return arrays

    def _layer(
        self, layer: LayerSpec, starts: dict[str, tuple[np.ndarray, ...]] | None = None
    ) -> None:
        starts = starts or {}
        shaped = self.shaped[layer.name]
        xs = [self._read(r, starts) for r in layer.reads or ()]
        arrays = self._weights(layer)
        outputs: tuple[np.ndarray, ...]
        if layer.cls in ("cat", "stack"):
            join = np.concatenate if layer.cls == "cat" else np.stack
            outputs = (join(xs, axis=layer.args["dim"]),)
        elif layer.cls in ("add", "mul"):
            outputs = (xs[0] + xs[1] if layer.cls == "add" else xs[0] * xs[1],)
        elif layer.cls == "bmm":
            outputs = (xs[0] @ xs[1],)
        elif layer.cls == "permute":
            outputs = (np.transpose(xs[0], layer.args["dims"]),)
        elif layer.cls == "BahdanauAttention":
            outputs = _attention(arrays, xs[0], xs[1])
        elif layer.cls in STATEFUL:
            start = (
                self.states[layer.name]
                if layer.loop is not None and layer.name in self.states
                else tuple(self.values[r.source, r.output] for r in layer.initial_state)
            )
            if layer.cls in STEP_CELLS:  # one step
                h = start[0] if start else np.zeros((xs[0].shape[0], layer.args["hidden_size"]))
                c = (start[1] if start else np.zeros_like(h)) if layer.cell == "LSTM" else None
                h, c = cell_step(self.model, shaped, arrays, xs[0], h, c)
                outputs = (h,) if c is None else (h, c)
                state = outputs
            else:
                out, state = run_rnn(self.model, shaped, arrays, xs[0], start)
                outputs = (out, *state)
            self.states[layer.name] = state
        else:
            outputs = (run_module(self.model, shaped, arrays, xs[0]),)
        for k, (y, shape) in enumerate(zip(outputs, shaped.outputs, strict=True)):
            expect(self.model, shaped, f"output {k}", y.shape, shape)
            self.values[layer.name, k] = y

    def _loop(self, loop: LayerSpec, body: list[LayerSpec]) -> None:
        step, *layers = body
        a = step.args
        reads = step.reads or ()
        over = self.values[reads[0].source, reads[0].output]
        length = over.shape[a["dim"]]
        for layer in layers:  # each starts from its initial state, or zeros
            self.states.pop(layer.name, None)
        kept = []
        for t in range(length + a["future"]):
            if t < length:
                index = slice(t, t + 1) if a["keepdim"] else t
                value = over[(slice(None),) * a["dim"] + (index,)]
            else:
                value = self.values[reads[1].source, reads[1].output]
            self.values[step.name, 0] = value
            expect(
                self.model,
                self.shaped[step.name],
                "step",
                value.shape,
                self.shaped[step.name].output_shape,
            )
            starts = {}
            for layer in layers:
                if layer.cls in STATEFUL:
                    starts[layer.name] = self.states.get(layer.name) or tuple(
                        self.values[r.source, r.output] for r in layer.initial_state
                    )
            for layer in layers:
                self._layer(layer, starts)
            collected = (loop.reads or ())[0]
            kept.append(self.values[collected.source, collected.output])
        join = np.stack if loop.args["join"] == "stack" else np.concatenate
        y = join(kept, axis=loop.args["dim"])
        expect(
            self.model,
            self.shaped[loop.name],
            "output",
            y.shape,
            self.shaped[loop.name].output_shape,
        )
        self.values[loop.name, 0] = y


def _attention(
    arrays: dict[Weight, np.ndarray], query: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`Va(tanh(Wa(query) + Ua(keys)))`, softmax over the keys' steps, `bmm(weights, keys)`."""

    def linear(owner: str, x: np.ndarray) -> np.ndarray:
        held = {w.key: a for w, a in arrays.items() if w.owner == owner}
        return cast(np.ndarray, x @ held["V"].T + held["c"])

    scores = linear("Va", np.tanh(linear("Wa", query) + linear("Ua", keys)))  # (b, s, 1)
    weights = softmax(np.swapaxes(scores, 1, 2), -1)  # (b, 1, s)
    return weights @ keys, weights
