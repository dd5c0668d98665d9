"""A MkDocs plugin: `plugins: [rnndiagrams]` in mkdocs.yml (with `search` or any other plugin
listed too, as MkDocs drops its default plugins once the list is given).

It adds the `rnndiagram` fence of `rnndiagrams.ext.markdown` and tells it which page it is
converting, so spec paths are relative to the page (`/specs/x.yaml`: to docs_dir), as in
Sphinx, and a warning names the page's file and line. Options: `cache_dir` (default
`.cache/rnndiagrams`, beside mkdocs.yml)."""

from __future__ import annotations

from pathlib import Path

from ..extras import require
from .markdown import RnnDiagramExtension

require("mkdocs", "mkdocs", "rnndiagrams.ext.mkdocs")

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page


class _Options(base.Config):  # type: ignore[no-untyped-call]  # MkDocs' untyped __init_subclass__
    cache_dir = c.Type(str, default=".cache/rnndiagrams")


class RnnDiagramsPlugin(BasePlugin[_Options]):  # type: ignore[no-untyped-call]  # as above
    def __init__(self) -> None:
        self.extension = RnnDiagramExtension()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        here = Path(config.config_file_path or ".").parent
        self.extension.setConfig("base_dir", config.docs_dir)
        self.extension.setConfig("cache_dir", str(here / self.config.cache_dir))
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]  # MkDocs types it as names; Markdown takes instances
        return config

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """The page that MkDocs converts next (it converts one at a time, right after this)."""
        self.extension.page = Path(page.file.abs_src_path or page.file.src_path)
        return None
