"""The encoder-decoder picture (Karpathy's "many to many, unaligned"): when a RepeatVector
follows a many-to-one section, the decoder after it is drawn above the encoder, each of its
n steps fed a copy of the encoder's last output.

Two time grids, built by timegrid's own builder, one above the other (side by side, they
would be twice a column's width): the decoder's node ids get a prefix, its rows start above
the encoder's output. A slide is short of height and not of width: there the decoder stands
right of the encoder, on its rows, each grid with a step column fewer.
"""

from __future__ import annotations

from typing import cast

from ..scene import Edge, Line, Scene, words
from ..shapes import ShapedLayer, ShapedModel
from ..shapes.shaped import format_shape
from ..specification.model import ViewSpec
from . import labels, steplayers
from .grid import MAX_COLUMNS, columns
from .rows import Rows, section_legend
from .section import PER_STEP, Section, figure_name, section_at


def decoder_start(model: ShapedModel, view: ViewSpec, section: Section) -> int | None:
    """Index of the decoder's first recurrent layer, when `section` ends in a RepeatVector."""
    if view.options.get("layer") is not None:
        return None  # one named layer: no composition
    drawn = section.tail or ((section.pooling,) if section.pooling else section.rows)
    after = model.layers.index(drawn[-1]) + 1
    layers = model.layers
    if after + 1 < len(layers) and layers[after].role == "repeat":
        for i in range(after + 1, len(layers)):
            if layers[i].cell:
                return i
            if layers[i].role not in PER_STEP:  # e.g. a Conv1D: no longer one step per copy
                return None
    return None


def build(model: ShapedModel, view: ViewSpec, encoder: Rows, start: int) -> Scene:
    repeat = next(x for x in reversed(model.layers[:start]) if x.role == "repeat")
    section = section_at(model, view, start)
    steps = view.options.get("steps")
    aside = encoder.slide and not encoder.folded  # a slide: the decoder right of the encoder
    most = MAX_COLUMNS - aside
    cols = ["t"] if encoder.folded else columns(steps or repeat.output_shape[1], most)
    decoder = Rows(model, section, cast(list[str | None], cols), encoder.folded)
    decoder.first = len(encoder.section.recurrent)
    encoder.many = decoder.many = True
    encoder.named = decoder.named = False  # two modules' weight names repeat `_l0`
    if aside:  # with no pair of steps drawn, U named on the first edge into `...`
        encoder.name_elided, decoder.name_elided = (None in g.cols[:2] for g in (encoder, decoder))
    encoder.build()
    decoder.build()
    # the encoder's output goes on to the RepeatVector, not out of the figure
    exits = {n.id for n in encoder.nodes if n.role == "exit"}
    encoder.nodes = [n for n in encoder.nodes if n.id not in exits]
    encoder.edges = [e for e in encoder.edges if e.dst not in exits]
    top = max(n.pos[1] for n in encoder.nodes)
    returned = [n for n in encoder.nodes if n.pos[1] == top and n.emphasis == "solid"]
    source = [n for n in returned if n.role != "ellipsis"][-1]  # what the encoder returns
    # the decoder above the encoder: a column's width, not two; on a slide, short of height,
    # right of it on its rows
    shift = (1 + max(n.pos[0] for n in encoder.nodes), 0) if aside else (0, top + 1)
    nodes = list(encoder.nodes)
    for n in decoder.nodes:
        label = n.label
        # the decoder's x_t: the repeated vector, said on every step; beside the encoder (a
        # slide, whose width its steps' columns take) by the legend's RepeatVector line alone
        if n.pos[1] == 0 and n.role == "input" and not aside:
            label = n.label + ((words("a copy (RepeatVector)", small=True),),)
        pos = (n.pos[0] + shift[0], n.pos[1] + shift[1])
        nodes.append(n._replace(id="d" + n.id, label=label, pos=pos))
    edges = list(encoder.edges)
    edges += [e._replace(src="d" + e.src, dst="d" + e.dst) for e in decoder.edges]
    for n in decoder.nodes:
        if n.pos[1] == 0 and n.role == "input":
            edges.append(Edge(source.id, "d" + n.id, (), "flow"))
    count = len(encoder.section.recurrent)
    faded = [any(n.emphasis == "faded" for n in grid.nodes) for grid in (encoder, decoder)]
    legend = (
        section_legend(model, encoder.section, faded[0], first=0, many=True)
        + steplayers.mask_lines(encoder.section)
        + (_repeat_line(repeat),)
        + section_legend(model, section, faded[1] and not faded[0], first=count, many=True)
    )
    steps = "folded in time" if encoder.folded else f"{repeat.output_shape[1]:,} decoder steps"
    return Scene(
        name=figure_name(model, f"encoder and decoder, {steps}", section.head_hidden),
        legend=legend,
        flow="up",
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


def _repeat_line(repeat: ShapedLayer) -> Line:
    n, shape = repeat.output_shape[1], format_shape(repeat.input_shape)
    return (
        words(f"{repeat.name}: {labels.layer_call(repeat)} copies {shape} to each of {n} steps"),
    )
