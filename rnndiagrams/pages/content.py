"""One spec as a page section: its title, source, summary tables in its conventions and
every figure (each view with each backend of its `render:`), rendered in memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from . import markup

if TYPE_CHECKING:
    from ..pipeline import Figure
    from ..specification.model import Spec


@dataclass(frozen=True)
class SpecContent:
    title: str
    source: str
    tables: tuple[str, ...]  # summary HTML, one per convention
    figures: tuple[tuple[str, bytes], ...]  # ("unrolled.graphviz.svg", svg bytes)


def spec_content(path: str | Path, backends: tuple[str, ...] = ()) -> SpecContent:
    """Load, shape and draw a spec; raises SpecError (located) when it is broken."""
    from ..specification.yamldoc import read_spec_text

    return text_content(read_spec_text(path), str(path), backends)


def text_content(text: str, name: str, backends: tuple[str, ...] = ()) -> SpecContent:
    """The content of one version of a spec: title, source, tables and figures all come from
    `text`, so a save during the render cannot mix two versions."""
    from ..pipeline import render_figures
    from ..specification.validate import validate
    from ..specification.yamldoc import parse_doc

    spec = validate(parse_doc(text, name))
    return drawn_content(
        spec, text, render_figures(spec, {"formats": ("svg",), "backends": backends})
    )


def drawn_content(spec: Spec, text: str, figures: list[Figure]) -> SpecContent:
    """The content of a spec (read from `text`) whose figures are drawn: its SVG ones."""
    from ..render.files import figure_path
    from ..report.summary import summary_html
    from ..shapes import shape_model

    return SpecContent(
        title=spec.display_name,
        source=text,
        tables=tuple(summary_html(shape_model(spec, c)) for c in spec.conventions),
        figures=tuple(
            (figure_path(Path(), "", f.view.name, f.backend, "svg").name, f.data)
            for f in figures
            if f.fmt == "svg"
        ),
    )


def section(
    anchor: str,
    label: str,
    content: SpecContent | None,
    src: Callable[[str, bytes], str],
    error: str | None = None,
) -> str:
    """The HTML of one spec: `src(name, svg)` gives each figure's image address; `error`, the
    located message of a broken spec, stands above its last good content (None if never good)."""
    title = content.title if content else label
    parts = [
        f'<section id="{escape(anchor)}">',
        f'<h2><a href="#{escape(anchor)}">{escape(title)}</a></h2>',
        f'<p class="file">{escape(label)}</p>',
    ]
    if error:
        parts.append(markup.error_block(error))
        if content:
            parts.append('<p class="file">Below: the last version that rendered.</p>')
    if content:
        parts.append(markup.source_block(content.source))
        parts.append(markup.tables(content.tables))
        parts += [
            markup.figure_tag(src(name, svg), name, f"{content.title}: {name.split('.')[0]}")
            for name, svg in content.figures
        ]
    parts.append("</section>")
    return "\n".join(parts)
