"""Spec -> shaped model -> scenes -> bytes -> files.

Every figure of a spec is rendered in memory before the first file is written, so a bad
view option or a failing tool leaves output/ as it was. The numpy proof runs in `check`
(and in `make test` for every committed spec), not here: it would double render's start-up.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from .cache import figure_file, read, store
from .errors import RenderError
from .render.backends import BACKENDS
from .render.background import Background
from .render.files import (
    STEP,
    figure_path,
    remove_stale_temps,
    stale_figures,
    targeted,
    write_together,
)
from .render.svg_clean import clean_svg, figure_prefix
from .scene import Scene
from .shapes import shape_model
from .specification.catalog import TIME_GRID_VIEWS
from .specification.model import Spec, ViewSpec
from .views import build_scene


class Figure(NamedTuple):
    """One drawn figure: a view's bytes in one backend and format."""

    view: ViewSpec
    backend: str
    fmt: str
    data: bytes
    target: str = "column"


def scenes(spec: Spec, target: str = "column") -> list[tuple[ViewSpec, Scene]]:
    """Build (and so validate) every view's scene, laid out for `target` (column, slide)."""
    model = shape_model(spec)
    return [(view, build_scene(model, view, target)) for view in spec.views]


def render_figures(
    spec: Spec, overrides: dict[str, Any] | None = None, views: tuple[str, ...] = ()
) -> list[Figure]:
    """Draw every (view, backend, format) of the spec's `render:`, with `overrides` from the
    command line."""
    options = {**spec.render, **{k: v for k, v in (overrides or {}).items() if v}}
    chosen = [(v, s) for v, s in scenes(spec, options["target"]) if not views or v.name in views]
    if options.get("frames") and not any(BACKENDS[b].builds for b in options["backends"]):
        builders = " and ".join(name for name, b in BACKENDS.items() if b.builds)
        raise RenderError(f"frames (step-by-step builds) are drawn by the {builders} backends")
    jobs = [(b, fmt) for b in options["backends"] for fmt in _formats(b, options)]
    # a backend that waits on processes of its own (`dot`) draws in a thread meanwhile
    aside = {
        job: Background(partial(_figures, spec, *job, options, chosen))
        for job in jobs
        if BACKENDS[job[0]].aside
    }
    here = {job: _figures(spec, *job, options, chosen) for job in jobs if job not in aside}
    return [f for job in jobs for f in (aside[job].result() if job in aside else here[job])]


def _figures(
    spec: Spec,
    backend: str,
    fmt: str,
    options: dict[str, Any],
    chosen: list[tuple[ViewSpec, Scene]],
) -> list[Figure]:
    """The figures of one backend and format: every chosen view, and each build's steps."""
    target = options["target"]
    datas = _draw(backend, fmt, options, chosen)
    drawn = [(view, data) for (view, _), data in zip(chosen, datas, strict=True)]
    return [
        Figure(
            view,
            backend,
            fmt,
            data
            if fmt != "svg"
            else clean_svg(data, figure_prefix(spec.stem, targeted(view.name, target), backend)),
            target,
        )
        for view, data in drawn + _steps(backend, fmt, options, chosen)
    ]


def _builds(backend: str, view: ViewSpec, options: dict[str, Any]) -> bool:
    """Whether this backend draws this view as a build: frames asked, its columns time."""
    return bool(options.get("frames")) and BACKENDS[backend].builds and view.kind in TIME_GRID_VIEWS


def _draw(
    backend: str, fmt: str, options: dict[str, Any], chosen: list[tuple[ViewSpec, Scene]]
) -> list[bytes]:
    """Every scene drawn, in one batch per kind: step-by-step builds (asked for, of a view
    whose columns are time) and whole figures."""
    builds = [_builds(backend, view, options) for view, _ in chosen]
    datas = [b""] * len(chosen)
    for build in sorted(set(builds)):
        where = [i for i, b in enumerate(builds) if b == build]
        drawn = _cached_draw(
            [chosen[i][1] for i in where], backend, fmt, {**options, "frames": build}
        )
        for i, data in zip(where, drawn, strict=True):
            datas[i] = data
    return datas


def _steps(
    backend: str, fmt: str, options: dict[str, Any], chosen: list[tuple[ViewSpec, Scene]]
) -> list[tuple[ViewSpec, bytes]]:
    """One figure per time step of each time-grid view, when frames are asked: its view
    named `<view>-step<k>`."""
    built = [(view, scene) for view, scene in chosen if _builds(backend, view, options)]
    if not built:
        return []
    from .render.frames import builds  # only a build needs its steps

    out = []
    for view, scene in built:
        for k in range(len(builds(scene))):
            (data,) = _cached_draw([scene], backend, fmt, {**options, "frames": True, "build": k})
            out.append((view._replace(name=f"{view.name}{STEP}{k}"), data))
    return out


def _cached_draw(
    scenes: list[Scene], backend: str, fmt: str, options: dict[str, Any]
) -> list[bytes]:
    """Each scene's figure, from the content-addressed cache when these very inputs were drawn
    before (by `render`, the gallery or `watch`); the others drawn in one batch and stored."""
    files = [figure_file(scene, backend, fmt, options) for scene in scenes]
    datas = [read(file) for file in files]
    missing = [i for i, data in enumerate(datas) if data is None]
    if missing:
        drawn = BACKENDS[backend].draw([scenes[i] for i in missing], fmt, options)
        for i, data in zip(missing, drawn, strict=True):
            datas[i] = store(files[i], data)
    return [data for data in datas if data is not None]


def _formats(backend: str, options: dict[str, Any]) -> list[str]:
    """The asked formats this backend writes; none of them, or one that no asked backend
    writes, is a RenderError (`--backend scene` writes json only)."""
    written = {f for b in options["backends"] for f in BACKENDS[b].formats}
    lost = [f for f in options["formats"] if f not in written]
    mine = [f for f in options["formats"] if f in BACKENDS[backend].formats]
    if lost or not mine:
        what = ", ".join(lost or options["formats"])
        raise RenderError(
            f"the {' and '.join(options['backends'])} backend{'s' if len(options['backends']) > 1 else ''} "
            f"cannot write {what}: {backend} writes {', '.join(BACKENDS[backend].formats)}"
        )
    return mine


def write_figures(spec: Spec, figures: list[Figure], out_dir: Path) -> list[tuple[Path, bool]]:
    """Write a spec's figures all together or not at all, then drop figures of views the
    spec no longer has. Returns (path, changed)."""
    stem = spec.stem
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(
            f"-o {out_dir} is not a folder; expected a folder or a .svg/.png/.pdf file"
        )
    remove_stale_temps(out_dir / stem)
    paths = [figure_path(out_dir, stem, f.view.name, f.backend, f.fmt, f.target) for f in figures]
    changed = write_together([(path, f.data) for path, f in zip(paths, figures, strict=True)])
    for path in stale_figures(out_dir / stem, {v.name for v in spec.views}):
        path.unlink()
    return list(zip(paths, changed, strict=True))
