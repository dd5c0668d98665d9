"""A graph spec's wiring: which tensor each layer reads, checked before any shape is computed.

A reference names a model input or a layer (its main output), or one output of a layer that
returns several: `encoder.1` is the encoder's second output (its first state with
`return_state`). A name that exists as written wins, so a layer called `block.1` is still
reachable; `block.1.0` then names its main output explicitly.
"""

from __future__ import annotations

import re

from .checks import did_you_mean
from .model import InputSpec, LayerSpec, Ref
from .yamldoc import Doc

_INDEXED = re.compile(r"(.+)\.(0|[1-9][0-9]{0,2})")
REFERENCE = "a layer or input name, or name.N for its N-th output (name.1: its first state)"
PREVIOUS = "@t-1"  # inside a loop: the value from the step before


def resolve(
    doc: Doc,
    inputs: tuple[InputSpec, ...],
    layers: tuple[LayerSpec, ...],
    outputs: tuple[Ref, ...] = (),
) -> tuple[tuple[LayerSpec, ...], tuple[Ref, ...]]:
    """Every layer with its `reads` filled in (the layer before it when the spec says
    nothing) and its references resolved, and the model's outputs (the last layer's unless
    named); a located error for an unknown reference, a cycle, or a layer or input that
    nothing reads and that is no output."""
    names = [i.name for i in inputs] + [layer.name for layer in layers]
    for layer in layers:
        if layer.name in names[: len(inputs)]:
            raise doc.error(
                layer.path,
                f"layer {layer.name!r} has the name of a model input",
                "expected names unique across inputs and layers (Keras refuses duplicates)",
            )
    out = []
    for i, layer in enumerate(layers):
        if layer.reads is None:
            if i == 0 and len(inputs) > 1:
                raise doc.error(
                    layer.path,
                    f"the first layer {layer.name!r} does not say which input it reads",
                    f"expected `inputs: [...]` naming one of its {len(inputs)} inputs: "
                    + ", ".join(repr(i.name) for i in inputs),
                )
            source = inputs[0].name if i == 0 else layers[i - 1].name
            reads: tuple[Ref, ...] = (Ref(source, 0, layer.path),)
        else:
            reads = tuple(_resolve(doc, r, names, layer.loop) for r in layer.reads)
        states = tuple(_resolve(doc, r, names) for r in layer.initial_state)
        out.append(layer._replace(reads=reads, initial_state=states))
    resolved = tuple(out)
    order(doc, resolved)  # refuses a cycle
    named = tuple(_resolve(doc, r, names) for r in outputs)
    _everything_read(doc, inputs, resolved, named)
    return resolved, named or (Ref(resolved[-1].name, 0, resolved[-1].path),)


def _resolve(doc: Doc, ref: Ref, names: list[str], loop: str | None = None) -> Ref:
    if ref.source.endswith(PREVIOUS) and ref.source not in names:
        if loop is None:
            raise doc.error(
                ref.path,
                f"{ref.source!r} reads a step before, outside a loop",
                f"expected {PREVIOUS} only in the layers of a loop",
            )
        base = Ref(ref.source[: -len(PREVIOUS)], ref.output, ref.path)
        return (_resolve(doc, base, names))._replace(previous=True)
    if ref.source in names:
        return ref
    indexed = _INDEXED.fullmatch(ref.source)
    if indexed and indexed[1] in names:
        return Ref(indexed[1], int(indexed[2]), ref.path)
    raise doc.error(
        ref.path,
        f"unknown reference {ref.source!r}{did_you_mean(ref.source, names)}",
        f"expected {REFERENCE}; names here: {', '.join(map(repr, names))}",
    )


def sources(layer: LayerSpec) -> tuple[Ref, ...]:
    """Every tensor the layer reads in this step: its inputs, then its initial states (not
    what it reads from the step before)."""
    return tuple(r for r in (layer.reads or ()) + layer.initial_state if not r.previous)


def order(doc: Doc, layers: tuple[LayerSpec, ...]) -> tuple[LayerSpec, ...]:
    """The layers so that each comes after every layer it reads (spec order where free);
    a located error at the reference that closes a cycle."""
    by_name = {layer.name: layer for layer in layers}
    done: dict[str, bool] = {}  # name -> finished (False: on the current path)
    out: list[LayerSpec] = []

    def visit(layer: LayerSpec, path: list[str]) -> None:
        done[layer.name] = False
        for ref in sources(layer):
            if ref.source not in by_name:
                continue  # a model input
            if done.get(ref.source) is False:
                problem = f"layer {layer.name!r} reads its own output"
                if ref.source != layer.name:
                    loop = path[path.index(ref.source) :] + [layer.name, ref.source]
                    problem = f"a cycle: {' -> '.join(map(repr, reversed(loop)))}"
                raise doc.error(
                    ref.path,
                    problem,
                    "expected each layer to read only inputs and layers it does not feed",
                )
            if ref.source not in done:
                visit(by_name[ref.source], path + [layer.name])
        done[layer.name] = True
        out.append(layer)

    for layer in layers:
        if layer.name not in done:
            visit(layer, [])
    return tuple(out)


def _everything_read(
    doc: Doc, inputs: tuple[InputSpec, ...], layers: tuple[LayerSpec, ...], outputs: tuple[Ref, ...]
) -> None:
    read = {ref.source for layer in layers for ref in sources(layer)}
    returned = {ref.source for ref in outputs}
    for model_input in inputs:
        if model_input.name not in read | returned:
            raise doc.error(
                model_input.path,
                f"input {model_input.name!r} is read by no layer",
                f"expected a layer with `inputs: [...]` naming {model_input.name!r}",
            )
    if outputs:  # named outputs: every layer is read or returned
        for layer in layers:
            if layer.name not in read | returned:
                raise doc.error(
                    layer.path,
                    f"the output of layer {layer.name!r} is read by no layer and is no output",
                    "expected a layer to read it, or its name in `outputs:`",
                )
        return
    *inner, last = layers
    if last.name in read:
        reader = next(
            layer.name for layer in layers if any(r.source == last.name for r in sources(layer))
        )
        raise doc.error(
            last.path,
            f"the last layer {last.name!r} is the model's output, but {reader!r} reads it",
            "expected the output layer last in `layers:`, or `outputs:` naming the outputs",
        )
    for layer in inner:
        if layer.name not in read:
            raise doc.error(
                layer.path,
                f"the output of layer {layer.name!r} is read by no layer",
                f"expected a later layer to read it (only the last layer, {last.name!r}, "
                "is the model's output unless `outputs:` names others)",
            )
