"""Where figures go and how they get there: one naming scheme, atomic writes."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import RenderError
from ..specification.catalog import BACKENDS, FORMATS


def figure_path(out_dir: Path, spec_stem: str, view: str, backend: str, fmt: str) -> Path:
    """output/<spec>/<view>.<backend>.<format>, e.g. output/seed_sentiment/unrolled.graphviz.svg."""
    return out_dir / spec_stem / f"{view}.{backend}.{fmt}"


TEMP_PREFIX = ".rnndiagrams-tmp."


def atomic_write(path: Path, data: bytes) -> bool:
    """Write via a temporary file and rename: readers see the old file or the new, never half.
    Returns False (and leaves the file untouched) when the content is already there.

    Only a regular file is ever read or replaced: a FIFO would block, a device (a link to
    /dev/zero) would stream without end. Temporary files carry the writer's pid, so the next
    render of the folder can remove those of a killed writer (`remove_stale_temps`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise RenderError(
                f"{path} exists and is not a regular file; expected a file or a new name"
            )
        if st.st_size == len(data) and path.read_bytes() == data:
            return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide figures from a web server
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


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


def stale_figures(folder: Path, views: set[str]) -> list[Path]:
    """Figures in a spec's folder whose view the spec no longer has."""
    if not folder.is_dir():
        return []
    stale = []
    for path in sorted(folder.iterdir()):
        parts = path.name.rsplit(".", 2)
        if (
            len(parts) == 3
            and parts[1] in BACKENDS
            and parts[2] in FORMATS
            and parts[0] not in views
        ):
            stale.append(path)
    return stale
