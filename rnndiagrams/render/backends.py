"""The backends a Scene can be drawn with: one module each, and a row here that says which
formats it writes. A backend's module loads (and imports its library) only when used.

A backend module has `draw_scenes(scenes, fmt, options) -> [bytes per scene]`, where options
is the spec's resolved `render:` mapping (theme, dpi, text). It takes a batch so a backend
can share work across figures (one `dot` process for all SVGs). A backend that draws builds
gets `frames: true` for a time-grid view: with `build: k` frame k alone, without it the whole
build (Beamer overlays, an animated SVG)."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from importlib import import_module
from shutil import which
from typing import Any, NamedTuple, cast

from ..scene import Scene


class Backend(NamedTuple):
    """A backend's row: its module, the formats it writes and how it draws."""

    module: str  # the module under render/ whose draw_scenes draws
    formats: tuple[str, ...]  # the formats it writes
    builds: bool = False  # draws step-by-step builds (options `frames`, `build`)
    # draws in processes of its own: its figures are made in a thread, beside another backend's
    aside: bool = False
    measures: bool = False  # lays out with layout.py, so imports matplotlib

    def load(self) -> Any:
        """The backend's module, imported on first use (workers forked later share it)."""
        if self.measures and _command_line:
            _without_set_docstrings()
        return import_module(f"{__package__}.{self.module}")

    def draw(self, scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
        with _MATPLOTLIB if self.measures else nullcontext():
            return cast(list[bytes], self.load().draw_scenes(scenes, fmt, options))


# matplotlib is not thread-safe, nor are the parses and the renderer layout.py shares across
# figures: one thread of a process draws with them at a time (watch renders each changed spec
# in a thread of its own)
_MATPLOTLIB = threading.Lock()


_command_line = False  # this process is the `rnndiagrams` command's own


def command_line() -> None:
    """Say that this process is the `rnndiagrams` command's, where nobody reads matplotlib's
    docstrings (a notebook's user might: a library leaves them be)."""
    global _command_line
    _command_line = True


def _without_set_docstrings() -> None:
    """matplotlib writes, for each Artist class it defines, a docstring and signature for its
    `set` listing every property, found by inspecting every setter's docstring: 840M of the
    2,360M instructions of importing matplotlib's figure and SVG and Agg backends (80 ms).
    Skipped for the classes defined from here on; `set` itself works as before, only `help`
    shows less. Another matplotlib without this hook imports as it is."""
    from matplotlib.artist import Artist

    if hasattr(Artist, "_update_set_signature_and_docstring"):
        skip: Any = classmethod(lambda cls: None)
        Artist._update_set_signature_and_docstring = skip


BACKENDS = {
    "graphviz": Backend("graphviz_run", ("svg", "png", "pdf"), aside=True),
    "matplotlib": Backend("mpl_draw", ("svg", "png", "pdf"), builds=True, measures=True),
    "scene": Backend("scene_json", ("json",)),
    # PDF is lualatex's: declared only where it is installed
    "tikz": Backend(
        "tikz", ("tex", "pdf") if which("lualatex") else ("tex",), builds=True, measures=True
    ),
}
