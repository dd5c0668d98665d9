"""The backends a Scene can be drawn with; each imports its library only when used.

A backend is `draw(scene, fmt, options) -> bytes`, where options is the spec's resolved
`render:` mapping (theme, dpi, text)."""
from __future__ import annotations

from typing import Any, Callable

from ..scene import Scene
from ..style import THEMES


def _graphviz(scene: Scene, fmt: str, options: dict[str, Any]) -> bytes:
    from .dot_source import dot_source
    from .graphviz_run import run_dot
    return run_dot(dot_source(scene, THEMES[options["theme"]]), fmt, options["dpi"])


def _matplotlib(scene: Scene, fmt: str, options: dict[str, Any]) -> bytes:
    from .mpl_draw import draw
    return draw(scene, fmt, THEMES[options["theme"]], options["dpi"], options["text"] == "editable")


BACKENDS: dict[str, Callable[[Scene, str, dict[str, Any]], bytes]] = {
    "graphviz": _graphviz,
    "matplotlib": _matplotlib,
}
