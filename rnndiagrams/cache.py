"""A disk cache of bytes addressed by the hash of everything they are made from.

Figures, font subsets and parsed specs are deterministic functions of their inputs, so a file
named by the hash of those inputs can stand in for the work. A figure's inputs are its scene,
backend, format and options, the package's code (every file's content), and the environment
the tools read: installed Python packages, the `dot` binary and system packages, font and
fontconfig folders, matplotlib's and fontconfig's configuration. Each is hashed by content or
by (modification time, size), so any change to one is a new key and a new drawing: the cache
never answers with bytes the inputs would no longer give. RNNDIAGRAMS_NO_CACHE=1 turns the
figure cache off (to time the work itself, or to test it).

Each folder of the cache is bounded (`BOUNDS`: files and bytes). A read touches its file, so
file times say when each was last used. When a process first stores into a folder that was
last pruned over PRUNE_EVERY seconds ago, the least recently used files past either bound go
(a scan of thousands of files is not repeated by every render). No figure's bytes depend on
what the cache holds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
# Variables a tool reads that can change the bytes (PATH: which `dot`; the date of a PDF).
_VARIABLES = (
    "PATH",
    "SOURCE_DATE_EPOCH",
    "MPLCONFIGDIR",
    "MATPLOTLIBRC",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
)


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rnndiagrams"


def digest(parts: Iterable[object]) -> str:
    # imported here: loading OpenSSL is 3 ms, and a render without the figure cache needs it
    # only for the fonts, after its `dot` runs have started
    import hashlib

    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8") + b"\0")
    return h.hexdigest()


# folder of the cache -> (most files, most bytes) it keeps
BOUNDS = {
    "figures": (5_000, 256 << 20),
    "fonts": (2_000, 32 << 20),
    "fontconfig": (200, 16 << 20),
    "specs": (2_000, 32 << 20),  # parsed specs (specification/yamldoc.py)
}
PRUNE_EVERY = 3600  # seconds
_pruned: set[Path] = set()  # the folders this process has looked at


def read(path: Path | None) -> bytes | None:
    """The cached bytes, or None (no entry, no cache, or what no store writes: not a regular
    file, or more than its folder keeps). A hit makes the file the most recently used."""
    with contextlib.suppress(OSError):
        if path is None or not path.is_file():  # a FIFO would block the open, a device not end
            return None
        limit = _most_bytes(path)
        with path.open("rb") as file:
            data = file.read(limit + 1)
        if len(data) > limit:
            return None
        with contextlib.suppress(OSError):  # a read-only cache still answers
            os.utime(path)
        return data
    return None


def _most_bytes(path: Path) -> int:
    """The bytes the cache's folder holding `path` keeps at most (else the most any keeps)."""
    try:
        folder = path.relative_to(cache_dir()).parts[0]
    except ValueError:
        folder = ""
    return BOUNDS[folder][1] if folder in BOUNDS else max(b for _, b in BOUNDS.values())


def store(path: Path | None, data: bytes) -> bytes:
    """Keep `data` at `path` for the next process, atomically (readers see all or nothing);
    nothing is kept where the cache folder is not writable."""
    with contextlib.suppress(OSError):
        if path:
            _prune_once(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
    return data


def _prune_once(path: Path) -> None:
    """Prune the cache folder `path` is stored into, at most once per process and once per
    PRUNE_EVERY seconds (its `.pruned` file's time says when it last was)."""
    root = cache_dir()
    if not path.is_relative_to(root) or len(path.relative_to(root).parts) < 2:
        return
    folder = root / path.relative_to(root).parts[0]
    if folder.name not in BOUNDS or folder in _pruned:
        return
    _pruned.add(folder)
    marker = folder / ".pruned"
    try:
        if time.time() - marker.stat().st_mtime < PRUNE_EVERY:
            return
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    marker.touch()
    prune(folder, *BOUNDS[folder.name])


def prune(folder: Path, most_files: int, most_bytes: int) -> None:
    """Remove the least recently used files of `folder` (its subfolders included) past
    `most_files` files or `most_bytes` bytes. A file another process removes first is
    simply gone; temporary files being written are left alone."""
    found = []  # (last use, path, size), for every cached file
    for where, _, names in os.walk(folder):
        for name in names:
            if not name.startswith("."):
                with contextlib.suppress(OSError):
                    st = os.stat(os.path.join(where, name))
                    found.append((st.st_mtime_ns, os.path.join(where, name), st.st_size))
    kept = total = 0
    for _, file, size in sorted(found, reverse=True):  # newest first; ties by name
        kept, total = kept + 1, total + size
        if kept > most_files or total > most_bytes:
            with contextlib.suppress(OSError):
                os.unlink(file)


def cached(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes at `path`, else `make()`'s, stored there."""
    data = read(path)
    return store(path, make()) if data is None else data


@cache
def code_hash() -> str:
    """Every file of the package by content: an edit anywhere is a new key."""
    files = sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".json", ".yaml"))
    return digest((p.relative_to(PACKAGE).as_posix(), p.read_bytes()) for p in files)


def stamp(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path), st.st_mtime_ns, st.st_size


def _folders(root: Path) -> list[tuple[str, int, int] | None]:
    """A folder tree's folders: adding, removing or replacing a file changes its folder's time."""
    if not root.is_dir():
        return []
    return [stamp(Path(d)) for d, _, _ in sorted(os.walk(root))]


@cache
def environment() -> str:
    """What the tools read besides their arguments, by (modification time, size)."""
    home = Path.home()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    dot = shutil.which("dot")
    stamps: list[Any] = [sys.version, [os.environ.get(v) for v in _VARIABLES]]
    stamps += [stamp(Path(p)) for p in sys.path if p]  # an install or removal changes its folder
    stamps += [stamp(Path(os.path.realpath(dot))) if dot else None]
    stamps += [stamp(Path("/var/lib/dpkg/status")), stamp(Path("matplotlibrc"))]
    rc_files = [
        config / "matplotlib",
        os.environ.get("MPLCONFIGDIR"),
        os.environ.get("MATPLOTLIBRC"),
    ]
    for rc in (Path(p) for p in rc_files if p):
        stamps += [stamp(rc), stamp(rc / "matplotlibrc")]
    for root in ("/etc/fonts", "/usr/share/fonts", "/usr/local/share/fonts"):
        stamps += _folders(Path(root))
    for root in (config / "fontconfig", data / "fonts", home / ".fonts"):
        stamps += _folders(root)
    return digest(stamps)


def figure_file(scene: object, backend: str, fmt: str, options: dict[str, Any]) -> Path | None:
    """Where the figure of these inputs is cached; None when the figure cache is off."""
    if os.environ.get("RNNDIAGRAMS_NO_CACHE"):
        return None
    drawn_with = sorted((k, v) for k, v in options.items() if k not in ("backends", "formats"))
    key = digest((code_hash(), environment(), backend, fmt, drawn_with, scene))
    return cache_dir() / "figures" / key[:2] / f"{key}.{fmt}"
