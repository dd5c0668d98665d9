"""A Sphinx extension: `extensions = ["rnndiagrams.ext.sphinx"]` in conf.py, then

    .. rnndiagram:: specs/lstm.yaml
       :view: unrolled
       :backend: graphviz
       :caption: An LSTM unrolled over four steps
       :width: 80%

or, in MyST Markdown (and so Jupyter Book), the same directive in a fence:
```{rnndiagram} specs/lstm.yaml
:view: unrolled
```

The path is relative to the document (or to the source folder when it starts with `/`); the
directive's content, when it has no argument, is the spec itself. Figures are drawn while the
document is read and cached by content hash under the doctree folder, so a rebuild draws only
what changed. A bad spec is a warning at the directive's file and line, and the page builds
without the figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import SpecError
from ..extras import require
from .embed import Diagram

require("sphinx", "sphinx", "rnndiagrams.ext.sphinx")

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.states import RSTState
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

logger = logging.getLogger(__name__)


class rnndiagram(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """A drawn figure: its HTML, ready to write."""


class RnnDiagram(SphinxDirective):
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {  # noqa: RUF012 (docutils reads it from the class)
        "view": directives.unchanged_required,
        "backend": directives.unchanged_required,
        "caption": directives.unchanged,
        "width": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        source, line = self.get_source_info()
        if self.arguments and self.content:
            return self._warn("a spec path and inline YAML; expected one of the two", line)
        if self.arguments:
            rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
            self.env.note_dependency(rel)  # the page is read again when its spec changes
            spec: Path | str = Path(path)
        elif self.content:
            spec = "\n".join(self.content) + "\n"
        else:
            return self._warn("no spec; expected a spec path or inline YAML", line)
        diagram = Diagram(
            spec, source, line, self.options.get("view"), self.options.get("backend"),
            self.options.get("caption"), self.options.get("width"),
            yaml_line=self._content_offset(),
        )  # fmt: skip
        serial = self.env.new_serialno("rnndiagram")
        try:
            html = diagram.html(Path(self.env.doctreedir) / "rnndiagrams", f"rnd{serial}")
        except SpecError as e:
            if not e.where.startswith(f"{source}:"):  # located in the spec file
                return self._warn(str(e), line)
            line = int(e.where[len(source) + 1 :].split(":")[0])  # a line of this page
            return self._warn(str(e)[len(e.where) + 2 :], line)
        return [rnndiagram("", html=html)]

    def _content_offset(self) -> int:
        """The page's line before the content's first: docutils counts content_offset from the
        top of the page, MyST from the directive's line."""
        is_rst = isinstance(self.state, RSTState)
        return self.content_offset if is_rst else self.lineno + self.content_offset

    def _warn(self, message: str, line: int) -> list[nodes.Node]:
        logger.warning(message, location=(self.env.docname, line), type="rnndiagram")
        return []


def _visit_html(translator: SphinxTranslator, node: rnndiagram) -> None:
    translator.body.append(node["html"])  # type: ignore[attr-defined]  # HTML translators have body
    raise nodes.SkipNode


def _skip(translator: SphinxTranslator, node: rnndiagram) -> None:
    logger.warning("rnndiagram figures are drawn in HTML output only", location=node)
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        rnndiagram,
        html=(_visit_html, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_directive("rnndiagram", RnnDiagram)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
