"""`rnndiagrams import FILE.py:NAME`: a live model from the user's own Python file.

Running the file runs the user's code (and imports the framework it imports): this is the
only path of the tool that does. NAME is a model class built with no arguments, a model
instance, or a function of no arguments that returns one. Every failure is one line located
in the user's file: a missing file or NAME, and an exception raised while the file runs or
NAME is built, at the deepest line of that file in the traceback.
"""

from __future__ import annotations

import os
import re
import runpy
import sys
import traceback
from typing import Any

from .errors import SpecError
from .frameworks import Framework, owner
from .specification.checks import did_you_mean

TARGET = re.compile(r"(?P<path>.+\.py):(?P<name>[A-Za-z_]\w*)")
EXPECTED = "expected a keras.Model or nn.Module: a class, an instance or a zero-argument factory"


def is_target(text: str) -> bool:
    """Whether a command-line model argument names a Python file's object (`net.py:Model`)."""
    return TARGET.fullmatch(text) is not None


def load_target(text: str) -> tuple[object, Framework]:
    """The live model `FILE.py:NAME` names, built, and the framework it belongs to."""
    match = TARGET.fullmatch(text)
    assert match is not None
    path, name = match["path"], match["name"]
    if not os.path.isfile(path):
        raise SpecError(path, "no such file", "expected FILE.py:NAME naming a Python file")
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)  # the file's own imports of its neighbours
    try:
        namespace = _run(
            path, "running the file", lambda: runpy.run_path(path, run_name="__rnndiagrams__")
        )
        if name not in namespace:
            names = [k for k in namespace if not k.startswith("_")]
            raise SpecError(
                f"{path}:1:1", f"no {name!r} in the file{did_you_mean(name, names)}", EXPECTED
            )
        found = namespace[name]
        if owner(found) is None:
            found = _run(path, f"building {name}()", _builder(path, name, found))
    finally:
        sys.path.remove(folder)
    framework = owner(found)
    if framework is None:
        raise SpecError(f"{path}:{name}", f"{name} gives a {type(found).__name__}", EXPECTED)
    return found, framework


def _builder(path: str, name: str, found: Any) -> Any:
    if not callable(found):
        raise SpecError(f"{path}:{name}", f"{name} is a {type(found).__name__}", EXPECTED)
    return found


def _run(path: str, what: str, call: Any) -> Any:
    """`call()`, its exception turned into one line at the deepest frame in `path`."""
    try:
        return call()
    except SpecError:
        raise
    except BaseException as e:  # the user's code may raise anything, SystemExit included
        if isinstance(e, KeyboardInterrupt):
            raise
        frames = [f for f in traceback.extract_tb(e.__traceback__) if _same(f.filename, path)]
        where = f"{path}:{frames[-1].lineno}" if frames else path
        if isinstance(e, SyntaxError) and _same(e.filename or "", path):
            where = f"{path}:{e.lineno}:{e.offset or 1}"
        message = (str(e).strip().splitlines() or [""])[0][:200]
        raise SpecError(
            where, f"{what} raised {type(e).__name__}{': ' + message if message else ''}", EXPECTED
        ) from None


def _same(a: str, b: str) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)
