"""The backends a Scene can be drawn with; each imports its library only when used.

A backend is `draw(scenes, fmt, options) -> [bytes per scene]`, where options is the spec's
resolved `render:` mapping (theme, dpi, text). It takes a batch so a backend can share work
across figures (one `dot` process for all SVGs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..scene import Scene
from ..style import THEMES


def _graphviz(scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
    from .dot_source import dot_source
    from .graphviz_run import run_dot

    return run_dot(
        [dot_source(scene, THEMES[options["theme"]]) for scene in scenes], fmt, options["dpi"]
    )


def _matplotlib(scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
    from .mpl_draw import draw

    return [
        draw(scene, fmt, THEMES[options["theme"]], options["dpi"], options["text"] == "editable")
        for scene in scenes
    ]


BACKENDS: dict[str, Callable[[list[Scene], str, dict[str, Any]], list[bytes]]] = {
    "graphviz": _graphviz,
    "matplotlib": _matplotlib,
}
