"""Folded and unrolled views: one section's rows, or an encoder's and its decoder's."""

from __future__ import annotations

from ..scene import Scene
from ..shapes import ShapedModel
from ..specification.model import ViewSpec
from . import seq2seq, steplayers
from .grid import MAX_COLUMNS, columns
from .rows import Rows, section_legend
from .section import figure_name, select


def build(
    model: ShapedModel,
    view: ViewSpec,
    folded: bool,
    compact: bool = False,
    target: str = "column",
) -> Scene:
    """`compact` (for a figure that sets this one beside another): weight names without their
    shapes, and three step columns instead of four. On a slide (`target`), short of height,
    an unrolled grid taller than wide runs what follows its last step alone down a column
    right of it (Grid.beside; folded, the loop's label stands there; an encoder's runs into
    its decoder); one at least twice as tall as wide stands as two panels (Grid.panels)."""
    section = select(model, view)
    decoder = seq2seq.decoder_start(model, view, section)
    slide = target != "column"
    if folded:
        cols: list[str | None] = ["t"]
        what = "folded in time"
    else:
        steps = view.options.get("steps")
        steps = steps if steps is not None else section.rows[0].input_shape[model.time_axis]
        # on a slide an encoder and its decoder stand side by side, a step column fewer each
        cols = columns(steps, MAX_COLUMNS - compact - (slide and decoder is not None))
        what = f"unrolled over {'T' if steps is None else f'{steps:,}'} steps"
    shapes = folded and not compact
    grid = Rows(model, section, cols, folded, shapes, slide=slide)
    if decoder is not None:
        return seq2seq.build(model, view, grid, decoder)
    grid.build()

    def rebuilt(cols: list[str | None], beside: bool, panels: bool = False) -> Rows:
        """The grid again with these columns; with no pair of steps drawn, the recurrent
        weight named on the first edge into `...`. As two panels side by side (`panels`,
        Grid.panels), short of width too: both directions' weights named in a panel's first
        gap (Grid.one_gap), its final states one a line (Grid.narrow)."""
        again = Rows(model, section, cols, folded, shapes, beside=beside, slide=slide)
        again.name_elided = None in cols[:2]
        again.one_gap = again.narrow = panels
        again.build()
        if panels:
            again.panels()
        return again

    if slide and not folded and grid.tall():
        # the chain takes the width a step column had: one fewer
        grid = rebuilt(columns(steps, len(cols) - 1) if len(cols) > 3 else cols, True)
    if slide and not folded and grid.deep():
        # three step columns a panel (0, ..., T-1)
        grid = rebuilt(columns(steps, 3), grid.beside, panels=True)
    faded = any(n.emphasis == "faded" for n in grid.nodes)
    return Scene(
        name=figure_name(model, what, section.head_hidden),
        legend=section_legend(model, section, faded) + steplayers.mask_lines(section),
        flow="up",
        nodes=tuple(grid.nodes),
        edges=tuple(grid.edges),
        short=slide,
        panel=grid.panel,
    )
