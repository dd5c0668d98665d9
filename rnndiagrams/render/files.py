"""Where figures go and how they get there: one naming scheme, atomic writes."""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import RenderError
from ..specification.catalog import BACKENDS, FORMATS, TARGETS


def figure_path(
    out_dir: Path, spec_stem: str, view: str, backend: str, fmt: str, target: str = "column"
) -> Path:
    """output/<spec>/<view>.<backend>.<format>, e.g. output/seed_sentiment/unrolled.graphviz.svg;
    a slide's figure beside it: unrolled.slide.graphviz.svg."""
    return out_dir / spec_stem / f"{targeted(view, target)}.{backend}.{fmt}"


def targeted(view: str, target: str) -> str:
    """A view's name as its figure's file and ids carry it: `<view>.<target>` but for the
    column, the default."""
    return view if target == "column" else f"{view}.{target}"


TEMP_PREFIX = ".rnndiagrams-tmp."


def atomic_write(path: Path, data: bytes) -> bool:
    """Write one file atomically (see `write_together`). Returns False (and leaves the file
    untouched) when the content is already there."""
    return write_together([(path, data)])[0]


def write_together(files: list[tuple[Path, bytes]]) -> list[bool]:
    """Replace files all together or not at all: every new content goes to a temporary file
    beside its target first, and only when all are written are they renamed into place.
    A failure (a full disk) removes the temporary files, leaves every target as it was, and
    names the path it failed on. Returns, per file, whether its content changed.

    Only a regular file is ever read or replaced: a FIFO would block, a device (a link to
    /dev/zero) would stream without end. Temporary files carry the writer's pid, so the next
    render of the folder can remove those of a killed writer (`remove_stale_temps`)."""
    changed = [_differs(path, data) for path, data in files]
    temps: list[tuple[str, Path]] = []
    try:
        for (path, data), change in zip(files, changed, strict=True):
            if change:
                temps.append((_write_temp(path, data), path))
        for tmp, path in temps:
            _os_step(os.replace, tmp, path, at=path)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    return changed


def _differs(path: Path, data: bytes) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return True
    except OSError as e:
        raise RenderError(f"cannot write {path}: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise RenderError(f"{path} exists and is not a regular file; expected a file or a new name")
    return not (st.st_size == len(data) and _os_step(path.read_bytes, at=path) == data)


_SERIAL = itertools.count()  # temporary names unique within the process (its pid: across)


def _create_temp(path: Path) -> tuple[int, str]:
    """A new file beside `path`, named for this process, created exclusively (never an
    existing file, nor a link planted under the name): what tempfile.mkstemp does, without
    importing tempfile and random on every render."""
    while True:
        tmp = str(path.parent / f"{TEMP_PREFIX}{os.getpid()}.{next(_SERIAL)}.{path.name}")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            return os.open(tmp, flags, 0o644), tmp
        except FileExistsError:  # left by an earlier process that had this pid
            continue


def _write_temp(path: Path, data: bytes) -> str:
    _os_step(path.parent.mkdir, parents=True, exist_ok=True, at=path)
    fd, tmp = _os_step(_create_temp, path, at=path)
    try:
        with os.fdopen(fd, "wb") as f:  # a full disk may fail the write or the close
            f.write(data)
        os.chmod(tmp, 0o644)  # the umask may have narrowed it; a web server must read figures
    except BaseException as e:
        os.unlink(tmp)
        if isinstance(e, OSError):
            raise RenderError(f"cannot write {path}: {e.strerror or e}") from None
        raise
    return tmp


T = TypeVar("T")


def _os_step(step: Callable[..., T], *args: Any, at: Path, **kwargs: Any) -> T:
    """Run one file-system step; an OSError (a full disk, a read-only folder) becomes a
    RenderError naming the file it was for."""
    try:
        return step(*args, **kwargs)
    except OSError as e:
        raise RenderError(f"cannot write {at}: {e.strerror or e}") from None


def remove_stale_temps(folder: Path) -> None:
    """Remove temporary files left in `folder` by writers that no longer run (a SIGKILL
    leaves them: no handler runs)."""
    if not folder.is_dir():
        return
    for tmp in folder.glob(TEMP_PREFIX + "*"):
        pid = tmp.name[len(TEMP_PREFIX) :].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            tmp.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


STEP = "-step"  # <view>-step<k>: frame k of a view's step-by-step build


def stale_figures(folder: Path, views: set[str]) -> list[Path]:
    """Figures in a spec's folder whose view the spec no longer has (a frame of a build
    belongs to its view, and so does a figure for another target: `<view>.slide`)."""
    if not folder.is_dir():
        return []
    stale = []
    for path in sorted(folder.iterdir()):
        parts = path.name.rsplit(".", 2)
        base, _, target = parts[0].rpartition(".")
        names = {parts[0], base} if target in TARGETS else {parts[0]}
        if (
            len(parts) == 3
            and parts[1] in BACKENDS
            and parts[2] in FORMATS
            and not any(n in views or n.rpartition(STEP)[0] in views for n in names)
        ):
            stale.append(path)
    return stale
