"""The backends a Scene can be drawn with: one module each, and a row here that says which
formats it writes. A backend's module loads (and imports its library) only when used.

A backend module has `draw_scenes(scenes, fmt, options) -> [bytes per scene]`, where options
is the spec's resolved `render:` mapping (theme, dpi, text). It takes a batch so a backend
can share work across figures (one `dot` process for all SVGs). A backend that draws builds
gets `frames: true` for a time-grid view: with `build: k` frame k alone, without it the whole
build (Beamer overlays, an animated SVG)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from shutil import which
from typing import Any, cast

from ..scene import Scene


@dataclass(frozen=True)
class Backend:
    module: str  # the module under render/ whose draw_scenes draws
    formats: tuple[str, ...]  # the formats it writes
    builds: bool = False  # draws step-by-step builds (options `frames`, `build`)
    # draws in processes of its own: its figures are made in a thread, beside another backend's
    aside: bool = False

    def load(self) -> Any:
        """The backend's module, imported on first use (workers forked later share it)."""
        return import_module(f"{__package__}.{self.module}")

    def draw(self, scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
        return cast(list[bytes], self.load().draw_scenes(scenes, fmt, options))


BACKENDS = {
    "graphviz": Backend("graphviz_run", ("svg", "png", "pdf"), aside=True),
    "matplotlib": Backend("mpl_draw", ("svg", "png", "pdf"), builds=True),
    "scene": Backend("scene_json", ("json",)),
    # PDF is lualatex's: declared only where it is installed
    "tikz": Backend("tikz", ("tex", "pdf") if which("lualatex") else ("tex",), builds=True),
}
