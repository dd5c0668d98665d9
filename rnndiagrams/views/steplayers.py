"""The layers around the recurrent ones, in the time grid of the folded and unrolled views.

Per-step layers (Dropout, normalisation, Masking...) get a node at every step; layers that
slide a window over steps (Conv1D, pooling) are drawn once, below the steps they produce,
with T before and after; global pooling and Flatten are one node fed by every step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scene import Edge, Label, Line, words
from ..shapes import ShapedLayer
from ..shapes.shaped import Shape, format_shape
from . import labels
from .grid import Grid

if TYPE_CHECKING:
    from .section import Section


def layer_label(layer: ShapedLayer, shape: Shape | None, *notes: str) -> Label:
    """`Dropout(0.5)` over its output shape (one step's, or the whole tensor's)."""
    lines: list[Line] = [(words(labels.layer_call(layer)),)]
    lines += [(words(note, small=True),) for note in notes]
    if shape is not None:
        lines.append((words(format_shape(shape), small=True),))
    return tuple(lines)


def per_step(grid: Grid, layer: ShapedLayer, prev: list[str]) -> list[str]:
    """One node per step: the layer applied to that step's vector alone; on a slide, short of
    height, its call and shape on one line."""
    call = words(labels.layer_call(layer), small=True)
    shape = format_shape(layer.output_shape[-1:])
    label: Label = (
        ((call, words(f" {shape}", small=True)),)
        if grid.slide
        else ((call,), (words(shape, small=True),))
    )
    ids = grid.row(lambda c, sub: (label, "layer", "solid"))
    grid.connect(prev, ids, lambda c: (), "flow")
    return ids


def windows(grid: Grid) -> str | None:
    """The input and the layers that change T, bottom up in one column; returns the top node."""
    chain = grid.section.windows
    if not chain:
        return None
    col = len(grid.cols) // 2
    model = grid.model
    top = grid.single(
        (
            (words("input"),),
            (words(f"{format_shape(model.input_shape)} {model.spec.input_dtype}", small=True),),
        ),
        "input",
        col,
    )
    for layer in chain:
        change = f"T: {_steps(layer.input_shape[1])} → {_steps(layer.output_shape[1])}"
        if layer.role != "window":
            label = layer_label(layer, layer.output_shape)
        elif grid.slide:  # short of height: T's change beside the call, the shape under it
            label = (
                (words(labels.layer_call(layer)), words(f" {change}", small=True)),
                (words(f"{layer.about}; {format_shape(layer.output_shape)}", small=True),),
            )
        else:
            label = layer_label(layer, layer.output_shape, layer.about, change)
        nid = grid.single(label, "layer", col)
        grid.edges.append(Edge(top, nid, (), "flow"))
        top = nid
    return top


def fan_out(grid: Grid, src: str, dst: list[str]) -> None:
    """Every step's x_t is one row of the tensor `src` produced."""
    grid.connect([src] * len(dst), dst, lambda c: (), "input")


def pooled(grid: Grid, layer: ShapedLayer, prev: list[str]) -> list[str]:
    """Global pooling or Flatten: one node fed by every step's output (many-to-one)."""
    label = ((words(layer.about),),) + layer_label(layer, layer.output_shape[1:])
    nid = grid.single(label, "merge", len(grid.cols) - 1, prev[-1])
    for c, src in enumerate(prev):
        if grid.cols[c] is not None:
            grid.edges.append(Edge(src, nid, (), "merge"))
    return [nid] * len(grid.cols)


def _steps(t: int | None) -> str:
    return "None" if t is None else str(t)


def mask_lines(section: Section) -> tuple[Line, ...]:
    """What a mask does to the steps, when one reaches the first recurrent layer."""
    if section.windows:
        return ()
    source = None
    for layer in ((section.embedding,) if section.embedding else ()) + section.front:
        if layer.mask:
            source = layer
        elif source is not None and not layer.keeps_mask:
            source = None
    if source is None:
        return ()
    what = f"mask ({source.name}): {source.mask} is skipped; the recurrent layers carry h over it"
    return ((words(what),),)
