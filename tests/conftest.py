import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium, chromium_missing

ROOT = Path(__file__).resolve().parents[1]
# The oracle files are facts from real Keras and PyTorch runs, copied byte for byte from the
# workspace's shared/oracle/ so that a clone tests on its own.
ORACLE_DIR = ROOT / "tests" / "oracle"
SHARED_ORACLE = Path(os.environ.get("RNNDIAGRAMS_SHARED", ROOT.parent / "shared")) / "oracle"
# Tests draw every figure (a figure from the cache would hide what they test); the cache's own
# tests turn it back on with a cache folder of their own.
os.environ["RNNDIAGRAMS_NO_CACHE"] = "1"


def pytest_runtest_setup(item):
    if item.get_closest_marker("needs_dot") and shutil.which("dot") is None:
        pytest.fail("the Graphviz `dot` executable is not installed (run `make setup`)")
    if item.get_closest_marker("needs_browser") and (why := chromium_missing()):
        pytest.fail(why)
    if item.get_closest_marker("needs_tex") and not (
        shutil.which("lualatex") and shutil.which("pdftotext")
    ):
        pytest.fail("lualatex or pdftotext is not installed (run `make setup-test`)")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session's browser tests."""
    with chromium() as driver:
        yield driver


ORACLE = ORACLE_DIR / "cases.json"


def oracle_cases() -> list:
    """The captured Keras/PyTorch cases of the Keras vocabulary."""
    return json.loads(ORACLE.read_text())["cases"]


def keras_cases_v2() -> list:
    """The 60 Keras models of the wider vocabulary (issue 9), from cases-v2.json."""
    cases = json.loads((ORACLE_DIR / "cases-v2.json").read_text())["cases"]
    return [c for c in cases if c["framework"] == "keras"]


@pytest.fixture
def write_spec(tmp_path):
    """Write YAML text to a file and return its path (specs are tested as users write them)."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def check_is_one_located_line(text: str, token: str, message: str, write_spec, capsys) -> None:
    """`check` of the spec `text` fails with one line that stands at `token` (its first
    occurrence) and starts with `message`; never a traceback."""
    from rnndiagrams.cli import main

    at = text.index(token)
    where = f"{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"
    spec = write_spec(text)
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"{spec}:{where}: {message}"), err


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current code"
    )


def run_without_hanging(argv: list[str], stdin=None) -> tuple[int, str, str]:
    """`python -m rnndiagrams ARGV` in a process of its own, for inputs that could block it
    (a FIFO, a pipe on stdin): a hang fails the test after 60 s instead of holding it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnndiagrams", *argv],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return proc.returncode, out, err


def deep_bidirectional(layers: int) -> dict:
    """A user's model with `layers` bidirectional LSTMs: more than one slide holds at 18 px in
    every view but the cell (one cell, any model's)."""
    lstm = {"Bidirectional": {"layer": {"LSTM": {"units": 64, "return_sequences": True}}}}
    return {
        "title": f"{layers} bidirectional LSTM layers",
        "model": {
            "input": {"shape": [None, 32]},
            "layers": [lstm] * layers + [{"Dense": {"units": 5}}],
        },
        "render": {"backends": ["graphviz", "matplotlib"]},
    }
