"""A Python-Markdown extension, for MkDocs and anything else built on Python-Markdown.

In mkdocs.yml:

    markdown_extensions:
      - rnndiagrams.ext.markdown:
          base_dir: docs        # spec paths are relative to it (default: the current folder)

Then, in a page, a fence holding a spec path or the spec itself, with options after the name:

    ```rnndiagram view=unrolled caption="An LSTM, unrolled" width=80%
    specs/lstm.yaml
    ```

Figures are drawn at build time and cached by content hash in `cache_dir`. A bad spec is a
warning (MkDocs counts it, and `mkdocs build --strict` fails on it) naming the spec's file and
line, or, for a spec written in the page, its line in the page; the page builds without it."""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..extras import require
from .embed import Diagram

require("markdown", "mkdocs", "rnndiagrams.ext.markdown")

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# MkDocs shows, counts and (with --strict) fails on warnings of loggers under "mkdocs".
logger = logging.getLogger("mkdocs.plugins.rnndiagrams")

# Every fenced block is matched, so a rnndiagram fence shown inside a longer fence stays text.
FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
NAME = re.compile(r"[ \t]*rnndiagram\b")
OPTIONS = ("view", "backend", "caption", "width")
UNKNOWN_PAGE = "<page>"  # Python-Markdown alone does not say which file it converts


class RnnDiagramPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, page: Path | None, base_dir: Path, cache_dir: Path) -> None:
        """Spec paths are relative to the page's folder when the page is known (MkDocs plugin),
        else to `base_dir`; a path starting with `/` is always relative to `base_dir`."""
        super().__init__(md)
        self.page = str(page) if page else UNKNOWN_PAGE
        self.folder = page.parent if page else base_dir
        self.base_dir = base_dir
        self.cache_dir = cache_dir

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        serial = 0

        def replace(m: re.Match[str]) -> str:
            nonlocal serial
            if not NAME.match(m.group("info")):
                return m.group(0)  # another language's fence, for fenced_code
            serial += 1
            line = text.count("\n", 0, m.start()) + 1
            try:
                diagram = self._diagram(m, line)
                html = diagram.html(self.cache_dir, f"rnd{serial}")
            except SpecError as e:
                logger.warning("rnndiagram: %s", e)
                return ""
            return self.md.htmlStash.store(html)

        return FENCE.sub(replace, text).split("\n")

    def _diagram(self, m: re.Match[str], line: int) -> Diagram:
        where = f"{self.page}:{line}"
        try:
            words = shlex.split(NAME.sub("", m.group("info"), count=1))
        except ValueError as e:
            raise SpecError(where, f"fence options: {e}") from None
        options: dict[str, str] = {}
        for word in words:
            name, eq, value = word.partition("=")
            if name not in OPTIONS or not eq:
                raise SpecError(
                    where,
                    f"fence option {word!r}",
                    f"expected name=value with a name of {', '.join(OPTIONS)}",
                )
            options[name] = value
        body = m.group("body")
        lines = body.strip().splitlines()
        if not lines:
            raise SpecError(where, "empty fence", "expected a spec path or the spec's YAML")
        spec: Path | str = body
        if len(lines) == 1 and lines[0].endswith((".yaml", ".yml")):
            path = lines[0].strip()
            spec = self.base_dir / path[1:] if path.startswith("/") else self.folder / path
        view, backend, caption, width = (options.get(name) for name in OPTIONS)
        return Diagram(spec, self.page, line, view, backend, caption, width)


class RnnDiagramExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "base_dir": [".", "the folder spec paths are relative to"],
            "cache_dir": [".cache/rnndiagrams", "where drawn figures are kept, by content hash"],
        }
        self.page: Path | None = None  # the file being converted, when the caller says (MkDocs)
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        base_dir, cache_dir = Path(self.getConfig("base_dir")), Path(self.getConfig("cache_dir"))
        processor = RnnDiagramPreprocessor(md, self.page, base_dir, cache_dir)
        md.preprocessors.register(
            processor, "rnndiagram", 28
        )  # after normalize_whitespace (30), before fenced_code (25)


def makeExtension(**kwargs: Any) -> RnnDiagramExtension:  # noqa: N802 (Python-Markdown's name)
    return RnnDiagramExtension(**kwargs)
