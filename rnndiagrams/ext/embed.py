"""What the Sphinx directive and the Markdown fence share: a spec (a file, or YAML written in
the page) rendered to SVG once per content, and the HTML that shows it inline.

The SVG goes into the page itself, so its text is the page's text (searchable, selectable);
its ids are prefixed per figure so two figures on one page never share one, and the
package's SVGs carry no script. Every piece of text written into the HTML goes through
`html.escape`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .. import __version__, figure
from ..errors import SpecError
from ..render.svg_clean import scope_ids

_WIDTH = re.compile(r"\d+(\.\d+)?(%|px|em|rem|pt|cm|mm|in)?")
_STRING_PLACE = re.compile(r"<string>:(\d+):(\d+)")  # a place in inline YAML
_ARGUMENT = re.compile(r"figure\(\w+=.*\)")  # figure(view=...): an option of the page's
_PROLOG = re.compile(rb"(\s*(<\?.*?\?>|<!DOCTYPE[^>]*>|<!--.*?-->))*\s*", re.S)  # before <svg


def css_width(text: str) -> str:
    """A figure width as CSS: `80%`, `400px`, `30em`; a bare number is pixels."""
    text = text.strip()
    if not _WIDTH.fullmatch(text):
        raise ValueError(f"width {text!r}: expected a number with %, px, em, rem, pt, cm, mm or in")
    return text + "px" if text[-1].isdigit() else text


@dataclass(frozen=True)
class Diagram:
    """One figure asked for by a page: a spec file or inline YAML, and how to draw it."""

    spec: Path | str  # a Path is a spec file; a str is the YAML text itself
    page: str  # the page that asks for it
    line: int  # the line of the directive or fence
    view: str | None = None
    backend: str | None = None
    caption: str | None = None
    width: str | None = None  # checked by css_width
    yaml_line: int | None = None  # the page's line before inline YAML's first (default: line)

    def key(self) -> str:
        """The content hash: the same spec text, options and package version draw the same SVG."""
        text = self.spec.read_bytes() if isinstance(self.spec, Path) else self.spec.encode()
        parts = (__version__, str(self.spec) if isinstance(self.spec, Path) else "", self.view,
                 self.backend)  # fmt: skip
        h = hashlib.sha256(text)
        for part in parts:
            h.update(b"\0" + (part or "").encode())
        return h.hexdigest()[:20]

    def svg(self, cache: Path) -> bytes:
        """The figure's SVG, from `cache` when this content was drawn before.

        A spec error is a SpecError: located in the spec file, or (inline YAML) in the page."""
        try:
            key = self.key()
        except OSError as e:
            raise SpecError(
                f"{self.page}:{self.line}", f"cannot read {self.spec} ({e.strerror or e})"
            ) from None
        cached = cache / f"{key}.svg"
        if cached.is_file():
            return cached.read_bytes()
        try:
            fig = figure(self.spec, self.view, backend=self.backend, formats=["svg"])
            fig.save(cached)
        except SpecError as e:
            raise self._in_page(e) from None
        return cached.read_bytes()

    def _in_page(self, error: SpecError) -> SpecError:
        """An error in inline YAML (`<string>:3:5`) moved to its line in the page; an error in
        an option (`figure(view=...)`) to the directive's or fence's line."""
        m = _STRING_PLACE.fullmatch(error.where)
        if m and isinstance(self.spec, str):
            line = (self.line if self.yaml_line is None else self.yaml_line) + int(m.group(1))
            return SpecError(f"{self.page}:{line}:{m.group(2)}", error.problem, error.expected)
        if _ARGUMENT.fullmatch(error.where):
            return SpecError(f"{self.page}:{self.line}", error.problem, error.expected)
        return error

    def html(self, cache: Path, id_prefix: str) -> str:
        """The <figure> with the SVG inline, ids prefixed with `id_prefix`."""
        try:
            width = f"width:{css_width(self.width)};" if self.width else ""
        except ValueError as e:
            raise SpecError(f"{self.page}:{self.line}", str(e)) from None
        data = self.svg(cache)
        prolog = _PROLOG.match(data)  # the XML declaration, doctype and comment: not for HTML
        svg = scope_ids(data[prolog.end() if prolog else 0 :], id_prefix).decode("utf-8")
        style = f"max-width:100%;{width}height:auto"
        svg = svg.replace("<svg", f'<svg style="{escape(style)}" role="img"', 1)
        caption = f"<figcaption>{escape(self.caption)}</figcaption>" if self.caption else ""
        return f'<figure class="rnndiagram">\n{svg}\n{caption}</figure>\n'
