"""Shapes of a PyTorch graph: modules reading named tensors, `(out, (h, c))` handed over as
initial states, cells and loops over time steps, the functions of a forward() (torch.cat,
+, *, bmm, permute) and the tutorial's BahdanauAttention; every size PyTorch checks at run
time is checked here first, at the spec's line.

A loop's body is shaped once, for one step: its step is `over` without the time axis (or
with it at length 1, `keepdim`), its joined output has the steps back. A cell or RNN module
in a body starts each step from its own state of the step before; `name.K@t-1` reads that
state, which at step 0 is the module's initial state.
"""

from __future__ import annotations

from ...errors import SpecError
from ...shapes.shaped import LayerRule, Shape, ShapedLayer, Tensor, format_shape
from ...shapes.weights import Weight
from ...specification.model import LayerSpec, Ref, Spec
from .catalog import CELLS, FUNCTIONS, STEP_CELLS

STATEFUL = (*CELLS, *STEP_CELLS)


def state_count(layer: LayerSpec) -> int:
    """How many state tensors it takes and returns: (h, c) for LSTMs, h for the others."""
    return 2 if layer.cell == "LSTM" else 1


def state_index(layer: LayerSpec, index: int) -> int | None:
    """Which of its states output `index` is (0: h, 1: c), None for no state: a module
    returns (output, h_n[, c_n]), a cell h (LSTMCell: h, c)."""
    first = 1 if layer.cls in CELLS else 0
    k = index - first
    return k if 0 <= k < state_count(layer) else None


class TorchGraph:
    """PyTorch's rules for one layer of a graph; `module` shapes what a chain would."""

    def __init__(self, spec: Spec, batch_first: bool, module: LayerRule) -> None:
        self.spec = spec
        self.batch_first = batch_first
        self.module = module
        self.by_name = {layer.name: layer for layer in spec.layers}
        self.outputs: dict[str, tuple[Tensor, ...]] = {}
        self.steps: dict[str, int | None] = {}  # how many times each loop runs (None: open)

    def fail(self, layer: LayerSpec, problem: str, expected: str) -> SpecError:
        return self.spec.error(layer.path, f"{layer.cls} {layer.name!r} {problem}", expected)

    def layer(
        self, layer: LayerSpec, given: tuple[Tensor, ...], states: tuple[Tensor, ...]
    ) -> tuple[ShapedLayer, tuple[Tensor, ...]]:
        for ref in (layer.reads or ()) + layer.initial_state:
            self._in_scope(layer, ref)
        pending = iter(given)
        reads = tuple(
            self._previous(layer, ref) if ref.previous else next(pending)
            for ref in layer.reads or ()
        )
        if layer.cls == "step":
            shaped, shapes = self._step(layer, reads)
        elif layer.cls == "loop":
            shaped, shapes = self._joined(layer, reads)
        elif layer.cls in FUNCTIONS:
            shape = self._function(layer, tuple(t.shape for t in reads))
            shaped, shapes = ShapedLayer(layer, reads[0].shape, shape, "float32", ()), (shape,)
        elif layer.cls == "BahdanauAttention":
            shaped, shapes = self._attention(layer, reads)
        else:
            if len(reads) != 1:
                raise self.fail(layer, f"reads {len(reads)} tensors", "expected one in `inputs:`")
            (read,) = reads
            shaped = self.module(layer, read.shape, read.dtype, read.source)
            shapes = shaped.outputs
            if layer.cls in STATEFUL:
                shaped, shapes = self._stateful(layer, shaped, states)
        dtype = shaped.input_dtype if layer.cls == "step" else "float32"
        out = tuple(
            Tensor(s, dtype, (layer.name, k), f"{layer.name!r} output {k}")
            for k, s in enumerate(shapes)
        )
        self.outputs[layer.name] = out
        return shaped, out

    def _in_scope(self, layer: LayerSpec, ref: Ref) -> None:
        """A layer of a loop's body is read only in that body (and by its loop, the joined
        output); what the body reads from the step before is one of its own layers."""
        source = self.by_name.get(ref.source)
        inside = source.loop if source is not None else None
        if inside is not None and inside != layer.loop and layer.name != inside:
            raise self.spec.error(
                ref.path,
                f"{ref.source!r} is a layer of loop {inside!r}, read from outside it",
                f"expected {inside!r} (the loop's outputs of every step, joined)",
            )
        if ref.previous and inside != layer.loop:
            raise self.spec.error(
                ref.path,
                f"{ref.source!r} is no layer of loop {layer.loop!r}, so it has no step before",
                "expected name@t-1 of a layer in the same loop",
            )

    def _previous(self, layer: LayerSpec, ref: Ref) -> Tensor:
        """The value from the step before: the step's feedback (read from step T on), or a
        state of a cell or RNN module of the body, the one the step starts from."""
        source = self.by_name[ref.source]
        if layer.cls == "step":  # the feedback is checked against the step by the loop
            return Tensor((), "float32", (ref.source, ref.output), f"{ref.source!r}@t-1")
        k = state_index(source, ref.output) if source.cls in STATEFUL else None
        if k is None or k >= len(source.initial_state):
            raise self.spec.error(
                ref.path,
                f"{ref.source}.{ref.output}@t-1 is no state that {ref.source!r} starts a step "
                "from with an initial_state",
                f"expected a state output of a cell or RNN module with `initial_state:` "
                f"({ref.source}.1 for an RNN module's h_n, {ref.source}.0 for a cell's h)",
            )
        start = source.initial_state[k]
        if (start.source, start.output) not in {t.key for ts in self.outputs.values() for t in ts}:
            raise self.spec.error(
                ref.path,
                f"{ref.source!r}'s initial state {start.source!r} is computed after this read",
                "expected the initial state made before the loop",
            )
        shape = self.outputs[start.source][start.output].shape
        return Tensor(shape, "float32", (ref.source, ref.output), f"{ref.source!r} at t-1")

    def _step(
        self, layer: LayerSpec, reads: tuple[Tensor, ...]
    ) -> tuple[ShapedLayer, tuple[Shape, ...]]:
        over, dim = reads[0], layer.args["dim"]
        if dim >= len(over.shape):
            raise self.fail(
                layer,
                f"steps over axis {dim} of {over.source}, which is {format_shape(over.shape)}",
                f"expected dim: from 1 to {len(over.shape) - 1}",
            )
        shape = over.shape[:dim] + ((1,) if layer.args["keepdim"] else ()) + over.shape[dim + 1 :]
        length = over.shape[dim]
        self.steps[str(layer.loop)] = None if length is None else length + layer.args["future"]
        return ShapedLayer(layer, over.shape, shape, over.dtype, ()), (shape,)

    def _joined(
        self, layer: LayerSpec, reads: tuple[Tensor, ...]
    ) -> tuple[ShapedLayer, tuple[Shape, ...]]:
        step = self.by_name[layer.args["step"]]
        (collected,) = reads
        over = self.outputs[step.name][0]
        if step.args["feedback"] is not None:
            fed = (step.reads or ())[1]
            back = self.outputs[fed.source][fed.output]
            if back.shape != over.shape or back.dtype != over.dtype:
                raise self.spec.error(
                    step.path + ("loop", "feedback"),
                    f"the feedback {back.source} is {format_shape(back.shape)} {back.dtype}, "
                    f"but each step reads {format_shape(over.shape)} {over.dtype}",
                    "expected the feedback the shape and dtype of a step of `over`",
                )
        steps = self.steps[layer.name]
        dim, shape = layer.args["dim"], collected.shape
        if layer.args["join"] == "stack":
            if dim > len(shape):
                raise self.fail(layer, f"stacks at dim {dim} of {format_shape(shape)}", "")
            out = shape[:dim] + (steps,) + shape[dim:]
        else:
            if dim >= len(shape):
                raise self.fail(
                    layer,
                    f"concatenates {format_shape(shape)} at dim {dim}",
                    f"expected dim below {len(shape)}",
                )
            size = shape[dim]
            joined = None if steps is None or size is None else steps * size
            out = shape[:dim] + (joined,) + shape[dim + 1 :]
        a = step.args
        length = f"every step of {a['over']}" if steps is None else f"{steps - a['future']}"
        about = f"loop {layer.name}: " + (
            f"{length} + {a['future']} steps" if a["future"] else f"{length} steps"
        )
        shaped = ShapedLayer(layer, shape, out, "float32", (), about=about, loop_steps=steps)
        return shaped, (out,)

    def _stateful(
        self, layer: LayerSpec, shaped: ShapedLayer, states: tuple[Tensor, ...]
    ) -> tuple[ShapedLayer, tuple[Shape, ...]]:
        """A cell's or RNN module's outputs, and its initial states checked against them."""
        if layer.cls in STEP_CELLS:
            h = shaped.output_shape
            outputs: tuple[Shape, ...] = (h, h) if layer.cell == "LSTM" else (h,)
            finals = outputs
        else:
            finals = tuple(s for s in (shaped.h_n, shaped.c_n) if s is not None)
            outputs = (shaped.output_shape, *finals)
        if states:
            names = ("h_0", "c_0")[: state_count(layer)]
            if len(states) != len(names):
                raise self.spec.error(
                    layer.path + (layer.cls, "initial_state"),
                    f"{layer.cls} {layer.name!r} starts from {len(names)} state"
                    f"{'s' if len(names) > 1 else ''} ({', '.join(names)}), but "
                    f"initial_state lists {len(states)}",
                    f"expected {len(names)} reference{'s' if len(names) > 1 else ''}",
                )
            for name, state, final in zip(names, states, finals, strict=True):
                if state.shape != final:
                    raise self.spec.error(
                        layer.path + (layer.cls, "initial_state"),
                        f"{name} of {layer.cls} {layer.name!r} is {format_shape(final)}, but "
                        f"{state.source} is {format_shape(state.shape)}",
                        f"expected a state of shape {format_shape(final)}",
                    )
        return shaped._replace(state_outputs=outputs[1:]), outputs

    def _attention(
        self, layer: LayerSpec, reads: tuple[Tensor, ...]
    ) -> tuple[ShapedLayer, tuple[Shape, ...]]:
        """`Va(tanh(Wa(query) + Ua(keys)))` over the keys' steps, softmax, `bmm(weights, keys)`."""
        size = layer.args["hidden_size"]
        if len(reads) != 2:
            raise self.fail(
                layer, f"reads {len(reads)} tensors", "expected `inputs: [query, keys]`"
            )
        query, keys = reads
        for t in reads:
            if len(t.shape) != 3 or t.shape[-1] != size:
                raise self.fail(
                    layer,
                    f"reads {t.source}, {format_shape(t.shape)}",
                    f"expected (batch, steps, {size}) (hidden_size {size})",
                )
        if query.shape[1] not in (1, keys.shape[1]):
            raise self.fail(
                layer,
                f"adds a query of {query.shape[1]} steps to keys of {keys.shape[1]}",
                "expected one query step, (batch, 1, hidden_size)",
            )
        weights = tuple(
            w
            for owner, out in (("Wa", size), ("Ua", size), ("Va", 1))
            for w in (
                Weight("V", "head", (out, size), owner=owner),
                Weight("c", "bias", (out,), owner=owner),
            )
        )
        context, alpha = (None, 1, size), (None, 1, keys.shape[1])
        shaped = ShapedLayer(
            layer, query.shape, context, "float32", weights, state_outputs=(alpha,)
        )
        return shaped, (context, alpha)

    def _function(self, layer: LayerSpec, shapes: tuple[Shape, ...]) -> Shape:
        cls, a = layer.cls, layer.args
        shown = ", ".join(map(format_shape, shapes))
        if cls == "permute":
            (shape,) = self._count(layer, shapes, 1)
            if len(a["dims"]) != len(shape):
                raise self.fail(
                    layer,
                    f"permutes {len(a['dims'])} dims of {shown}",
                    f"expected dims of the {len(shape)} axes",
                )
            return tuple(shape[d] for d in a["dims"])
        if cls == "bmm":
            first, second = self._count(layer, shapes, 2)
            if len(first) != 3 or len(second) != 3 or first[2] != second[1]:
                raise self.fail(
                    layer, f"multiplies {shown}", "expected (b, n, m) and (b, m, p) (torch.bmm)"
                )
            return (first[0], first[1], second[2])
        if cls in ("add", "mul"):
            return self._broadcast(layer, self._count(layer, shapes, 2), shown)
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise self.fail(layer, f"joins {shown}", "expected tensors of one rank")
        dim = a["dim"] % (rank + 1 if cls == "stack" else rank)
        if cls == "stack":
            if len(set(shapes)) != 1:
                raise self.fail(layer, f"stacks {shown}", "expected tensors of one shape")
            return shapes[0][:dim] + (len(shapes),) + shapes[0][dim:]
        rest = {s[:dim] + s[dim + 1 :] for s in shapes}
        if len(rest) != 1:
            raise self.fail(
                layer,
                f"concatenates {shown} at dim {a['dim']}",
                f"expected equal sizes on every axis but {a['dim']}",
            )
        sizes = [s[dim] for s in shapes]
        total = None if None in sizes else sum(d for d in sizes if d is not None)
        return shapes[0][:dim] + (total,) + shapes[0][dim + 1 :]

    def _count(self, layer: LayerSpec, shapes: tuple[Shape, ...], n: int) -> tuple[Shape, ...]:
        if len(shapes) != n:
            raise self.fail(
                layer, f"reads {len(shapes)} tensors", f"expected {n} in `inputs: [...]`"
            )
        return shapes

    def _broadcast(self, layer: LayerSpec, shapes: tuple[Shape, ...], shown: str) -> Shape:
        """PyTorch's broadcasting: axes from the last, each equal or 1."""
        rank = max(map(len, shapes))
        padded = [(1,) * (rank - len(s)) + s for s in shapes]
        out: list[int | None] = []
        for sizes in zip(*padded, strict=True):
            kept = {d for d in sizes if d != 1}
            if len(kept) > 1:
                raise self.fail(
                    layer,
                    f"{'adds' if layer.cls == 'add' else 'multiplies'} {shown}",
                    "expected shapes that broadcast (each axis equal, or 1)",
                )
            out.append(kept.pop() if kept else 1)
        return tuple(out)
