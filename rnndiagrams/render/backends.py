"""The backends a Scene can be drawn with; each imports its library only when used."""
from __future__ import annotations

from typing import Callable

from ..scene import Scene


def _graphviz(scene: Scene, fmt: str) -> bytes:
    from .dot_source import dot_source
    from .graphviz_run import run_dot
    return run_dot(dot_source(scene), fmt)


BACKENDS: dict[str, Callable[[Scene, str], bytes]] = {"graphviz": _graphviz}
