"""PyTorch modules as the recurrent views draw them: one grid row per layer and direction.

An `nn.LSTM(num_layers=k, bidirectional=True)` is one module but k stacked layers, each with
two directions, the next layer reading both: exactly the grid the views already draw for
stacked (Bidirectional) layers. So a PyTorch model is unstacked into one drawn layer per
module layer, with that layer's weights (`weight_ih_l1`...), step tensors and, on the last,
the module's `h_n`/`c_n`; Dropout and LayerNorm keep shapes and are left out of the grid;
the grid ends where a module joins the steps (Flatten of a sequence).
The stack view draws the modules themselves.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from ...shapes import ShapedLayer, ShapedModel
from ...shapes.shaped import Recurrence, Shape
from ...specification.model import LayerSpec, Ref, ViewSpec
from .catalog import module_call


class _Part(NamedTuple):
    """Where a drawn layer comes from: its module and which of the module's num_layers."""

    module: LayerSpec
    layer: int = 0
    # modules the grid leaves out (Dropout, LayerNorm keep shapes) applied to this input:
    # (name, constructor call and parameters)
    before: tuple[tuple[str, str], ...] = ()


def call_text(part: _Part) -> str:
    """`LSTM(32, 64, num_layers=2)`, and for one of its layers `... layer 1 of 2`."""
    module = part.module
    text = module_call(module)
    layers = module.args.get("num_layers", 1)
    if layers > 1:
        text += f" layer {part.layer} of {layers}"
        if part.layer and module.args["dropout"]:
            text += f", dropout {module.args['dropout']} on its input"
    return text


def _notes(part: _Part) -> tuple[str, ...]:
    """`after layer_norm`, `dropout 0.2`: what reaches this drawn layer's input unseen in the
    grid, modules left out of it or a module's dropout between its layers."""
    notes = [f"after {name}" for name, _ in part.before]
    if part.layer and part.module.args["dropout"]:
        notes.append(f"dropout {part.module.args['dropout']}")
    return tuple(notes)


def _drawn(layer: ShapedLayer, spec: LayerSpec, part: _Part, **changes: Any) -> ShapedLayer:
    """The layer as a drawn one: its spec, its module, its notes and the modules left out."""
    return layer._replace(
        spec=spec,
        part_of=part.module.name,
        notes=_notes(part),
        left_out=tuple(f"{n}: {call}" for n, call in part.before),
        **changes,
    )


def _finals(module: LayerSpec, index: int) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """`h_n[3]`, `c_n[3]`: where each direction of the module's layer `index` leaves its final
    states (h_n's index is layer * D + direction)."""
    directions = ("forward", "backward") if module.args["bidirectional"] else (None,)
    out = []
    for d in directions:
        i = index * len(directions) + (d == "backward")
        out.append((d, (f"h_n[{i}]",) + ((f"c_n[{i}]",) if module.cls == "LSTM" else ())))
    return tuple(out)


def drawable(model: ShapedModel, view: ViewSpec) -> tuple[ShapedModel, ViewSpec]:
    """The model unstacked for the recurrent views; a view's `layer:` keeps that module only."""
    if model.spec.graph:
        return _graph_drawable(model), view
    name = view.options.get("layer")
    layers = list(model.layers)
    if name is not None:
        start = next(i for i, m in enumerate(layers) if m.name == name)
        end = next((i for i in range(start + 1, len(layers)) if layers[i].cell), len(layers))
        before = layers[start - 1 : start] if start and layers[start - 1].cls == "Embedding" else []
        layers = before + layers[start:end]
        view = view._replace(options={**view.options, "layer": None})
    drawn: list[ShapedLayer] = []
    skipped: list[
        tuple[str, str]
    ] = []  # Dropout and LayerNorm keep shapes: the next drawn layer says so
    for m in layers:
        if m.cell:
            drawn += _unstack(m, tuple(skipped))
        elif m.cls in ("Embedding", "Linear", "LazyLinear"):
            drawn.append(_plain(m, tuple(skipped)))
        elif len(m.input_shape) == 3 and not m.per_step:
            break  # it joins the steps (nn.Flatten): no step of the grid reads what follows
        else:
            params = f" ({m.params:,} params)" if m.params else ""
            skipped.append((m.name, module_call(m.spec) + params))
            continue
        skipped = []
    return model._replace(layers=tuple(drawn), unstack=None), view  # drawn once


def _graph_drawable(model: ShapedModel) -> ShapedModel:
    """A graph with each stacked module (`num_layers: k`) as k layers, the next reading the
    one before, and every other module as it is: what read the module reads its last layer,
    and a module started from another's states (`initial_state: [encoder.1]`) starts each
    layer from that module's same layer, as `h_n` hands them over layer by layer."""
    split = {m.name: _unstack(m, ()) for m in model.layers if m.cell and _stacked(m.spec) > 1}

    def ref(r: Ref, layer: int = -1) -> Ref:
        if r.source not in split:
            return r
        drawn = split[r.source]
        at = layer if r.output and 0 <= layer < len(drawn) else len(drawn) - 1
        return r._replace(source=drawn[at].name)

    def rewired(m: ShapedLayer, drawn: ShapedLayer, n: int) -> ShapedLayer:
        """`drawn` (layer `n` of module `m`, or `m` itself) reading what it reads in the graph."""
        reads = None if m.spec.reads is None else tuple(ref(r) for r in m.spec.reads)
        if n:
            reads = (Ref(split[m.name][n - 1].name, 0, m.spec.path),)
        states = tuple(ref(r, n) for r in m.spec.initial_state)
        spec = drawn.spec._replace(reads=reads, initial_state=states)
        return drawn._replace(spec=spec, reads=tuple(r.source for r in reads or ()))

    layers = [
        rewired(m, drawn, n) for m in model.layers for n, drawn in enumerate(split.get(m.name, [m]))
    ]
    spec = model.spec._replace(
        layers=tuple(x.spec for x in layers),
        outputs=tuple(  # a returned state (h_n) is every layer's final one
            ref(r, n)
            for r in model.spec.outputs
            for n in (range(len(split[r.source])) if r.output and r.source in split else [-1])
        ),
    )
    return model._replace(spec=spec, layers=tuple(layers), unstack=None)


def _stacked(spec: LayerSpec) -> int:
    return int(spec.args.get("num_layers", 1))


def _plain(m: ShapedLayer, before: tuple[tuple[str, str], ...]) -> ShapedLayer:
    spec = LayerSpec(cls=m.cls, name=m.name, args=m.spec.args, path=m.spec.path)
    return _drawn(m, spec, _Part(m.spec, before=before))


def _unstack(m: ShapedLayer, before: tuple[tuple[str, str], ...]) -> list[ShapedLayer]:
    a, k = m.spec.args, m.spec.args["num_layers"]
    out = []
    for n in range(k):
        last = n == k - 1
        rnn = LayerSpec(
            cls=m.cls,
            runs=m.spec.runs,
            name=m.name if k == 1 else f"{m.name}.l{n}",
            args=a,
            path=m.spec.path,
            take=m.spec.take if last else "output",
        )
        part = _Part(m.spec, n, before if n == 0 else ())
        width = m.step_tensor("y_t", None, n).shape if a["bidirectional"] else None
        x_dim = m.step_tensor("x_t", None, n).shape
        out_dim = width or m.step_tensor("h_t", None, n).shape
        sequence = _with_features(cast(Shape, m.sequence_output), out_dim[0])
        shaped = ShapedLayer(
            rnn,
            m.input_shape if n == 0 else _with_features(cast(Shape, m.sequence_output), x_dim[0]),
            m.output_shape if last else sequence,
            "float32",
            tuple(w for w in m.weights if w.layer == n),
            tuple(t._replace(layer=0) for t in m.step if t.layer == n),
            sequence_output=sequence,
            h_n=m.h_n if last else None,
            c_n=m.c_n if last else None,
        )
        recurrence = cast(Recurrence, m.recurrence)._replace(
            sequence=not last or m.spec.take != "last",
            finals=_finals(m.spec, n),
            layers=1,
        )
        reads = m.reads if n == 0 else (f"{m.name}.l{n - 1}",)
        changes = {
            "recurrence": recurrence,
            "call": call_text(part),
            "reads": reads,
            "role": m.role,
        }
        out.append(_drawn(shaped, rnn, part, **changes))
    return out


def _with_features(shape: Shape, features: int) -> Shape:
    return shape[:-1] + (features,)
