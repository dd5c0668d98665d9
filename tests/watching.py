"""Run `rnndiagrams watch` as a user does (a process on a free port) for tests and the bench."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SPEC = """\
title: watched
model:
  input: {{shape: [null, 8]}}
  layers:
    - SimpleRNN: {{units: {units}}}
views: [stack, unrolled]
"""


@contextmanager
def watching(*specs: Path, timeout: float = 60) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The preview's URL and process; stopped with SIGINT (Ctrl-C) on exit."""
    # Started as a terminal starts it, with Ctrl-C's SIGINT at its default: a background job of a
    # script (`make test &`) inherits SIGINT ignored, and Python then keeps ignoring it.
    # -X faulthandler: a process that does not stop is aborted with every thread's stack shown.
    command = ["env", "--default-signal=INT", sys.executable, "-X", "faulthandler"]
    command += ["-m", "rnndiagrams", "watch"]
    command += [*map(str, specs), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("rnndiagrams watch: http://127.0.0.1:"):
            process.kill()
            raise AssertionError(f"watch did not start: {line!r} {process.communicate()[1]!r}")
        yield line.split()[2], process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)
                stacks = process.communicate(timeout=30)[1]
                raise AssertionError(f"watch did not stop on Ctrl-C:\n{stacks}") from None


def save(path: Path, text: str) -> float:
    """Write a spec as an editor does; returns when (perf_counter) it was written."""
    path.write_text(text, encoding="utf-8")
    return time.perf_counter()


PAGE_STATE = """
const imgs = [...document.images];
const error = document.querySelector("pre.error");
return {version: document.body.dataset.version, text: document.getElementById("content").innerText,
        srcs: imgs.map(i => i.getAttribute("src")), loaded: imgs.every(i => i.complete && i.naturalWidth > 0),
        error: error ? error.textContent : null};
"""
