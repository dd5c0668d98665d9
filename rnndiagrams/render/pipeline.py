"""Spec -> shaped and verified model -> scenes -> bytes -> files.

Every figure of a spec is rendered in memory before the first file is written, so a bad
view option or a failing tool leaves output/ as it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..shapes import shape_model
from ..spec.model import Spec, ViewSpec
from ..views import build_scene
from .backends import BACKENDS
from .files import atomic_write, figure_path, stale_figures


@dataclass(frozen=True)
class Figure:
    view: ViewSpec
    backend: str
    fmt: str
    data: bytes


def scenes(spec: Spec) -> list:
    """Build (and so validate) every view's scene, from a model the numpy pass has verified."""
    from ..shapes.verify import verify
    model = shape_model(spec)
    verify(model)
    return [(view, build_scene(model, view)) for view in spec.views]


def render_figures(spec: Spec, backends: tuple[str, ...], formats: tuple[str, ...],
                   views: tuple[str, ...] = ()) -> list[Figure]:
    chosen = [(v, s) for v, s in scenes(spec) if not views or v.name in views]
    return [Figure(view, backend, fmt, BACKENDS[backend](scene, fmt))
            for view, scene in chosen for backend in backends for fmt in formats]


def write_figures(spec: Spec, figures: list[Figure], out_dir: Path) -> list[tuple[Path, bool]]:
    """Write figures; drop figures of views the spec no longer has. Returns (path, changed)."""
    stem = Path(spec.source).stem
    written = []
    for fig in figures:
        path = figure_path(out_dir, stem, fig.view.name, fig.backend, fig.fmt)
        written.append((path, atomic_write(path, fig.data)))
    for path in stale_figures(out_dir / stem, {v.name for v in spec.views}):
        path.unlink()
    return written
