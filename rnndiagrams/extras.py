"""Optional paths and the extra that installs each: `pip install rnndiagrams` is what rendering
needs; a path that needs more says so in one line, naming the package and the extra."""

from __future__ import annotations

import importlib.util


def require(package: str, extra: str, what: str) -> None:
    """Raise ImportError, in one line, when `package` is not installed for `what`."""
    if importlib.util.find_spec(package) is None:
        raise ImportError(
            f"{what} needs the package {package!r}, which is not installed: "
            f"pip install 'rnndiagrams[{extra}]'"
        )
