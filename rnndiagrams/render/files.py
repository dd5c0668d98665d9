"""Where figures go and how they get there: one naming scheme, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..spec.catalog import BACKENDS, FORMATS


def figure_path(out_dir: Path, spec_stem: str, view: str, backend: str, fmt: str) -> Path:
    """output/<spec>/<view>.<backend>.<format>, e.g. output/seed_sentiment/unrolled.graphviz.svg."""
    return out_dir / spec_stem / f"{view}.{backend}.{fmt}"


def atomic_write(path: Path, data: bytes) -> bool:
    """Write via a temporary file and rename: readers see the old file or the new, never half.
    Returns False (and leaves the file untouched) when the content is already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide figures from a web server
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
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
