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

_POOL_SYMBOL = {"GlobalMaxPooling1D": "max", "GlobalAveragePooling1D": "mean"}
# Layers that pass a Keras mask on to the next layer (windows and pooling drop it).
_KEEP_MASK = (
    "Dropout",
    "SpatialDropout1D",
    "GaussianNoise",
    "Activation",
    "LayerNormalization",
    "BatchNormalization",
    "Dense",
    "TimeDistributed",
)


def layer_label(layer: ShapedLayer, shape: Shape | None, *notes: str) -> Label:
    """`Dropout(0.5)` over its output shape (one step's, or the whole tensor's)."""
    lines: list[Line] = [(words(labels.layer_call(layer)),)]
    lines += [(words(note, small=True),) for note in notes]
    if shape is not None:
        lines.append((words(format_shape(shape), small=True),))
    return tuple(lines)


def per_step(grid: Grid, layer: ShapedLayer, prev: list[str]) -> list[str]:
    """One node per step: the layer applied to that step's vector alone."""
    label = (
        (words(labels.layer_call(layer), small=True),),
        (words(format_shape(layer.output_shape[-1:]), small=True),),
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
        notes = ()
        if layer.role == "window":
            a = layer.spec.args
            size = a.get("kernel_size", a.get("pool_size"))
            stride = a["strides"] or size
            notes = (
                f"window of {size} steps, stride {stride}, {a['padding']}",
                f"T: {_steps(layer.input_shape[1])} → {_steps(layer.output_shape[1])}",
            )
        nid = grid.single(layer_label(layer, layer.output_shape, *notes), "layer", col)
        grid.edges.append(Edge(top, nid, (), "flow"))
        top = nid
    return top


def fan_out(grid: Grid, src: str, dst: list[str]) -> None:
    """Every step's x_t is one row of the tensor `src` produced."""
    grid.connect([src] * len(dst), dst, lambda c: (), "input")


def pooled(grid: Grid, layer: ShapedLayer, prev: list[str]) -> list[str]:
    """Global pooling or Flatten: one node fed by every step's output (many-to-one)."""
    how = _POOL_SYMBOL.get(layer.cls)
    first = f"{how} over all steps" if how else "all steps side by side"
    label = ((words(first),),) + layer_label(layer, layer.output_shape[1:])
    nid = grid.single(label, "merge", len(grid.cols) - 1)
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
        if layer.cls == "Masking" or layer.spec.args.get("mask_zero"):
            source = layer
        elif source is not None and layer.cls not in _KEEP_MASK:
            source = None
    if source is None:
        return ()
    what = (
        "a step whose token id is 0 (mask_zero: padding)"
        if source.cls == "Embedding"
        else f"a step whose features all equal {source.spec.args['mask_value']}"
    )
    return (
        (words(f"mask ({source.name}): {what} is skipped; the recurrent layers carry h over it"),),
    )
