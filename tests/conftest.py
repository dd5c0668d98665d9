import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RNNDIAGRAMS_SHARED", ROOT.parent / "shared"))


def pytest_runtest_setup(item):
    if item.get_closest_marker("needs_dot") and shutil.which("dot") is None:
        pytest.fail("the Graphviz `dot` executable is not installed (run `make setup`)")


ORACLE = SHARED / "oracle" / "cases.json"


def oracle_cases() -> list:
    """The captured Keras/PyTorch cases; empty when the file is missing (test_oracle_is_present fails then)."""
    return json.loads(ORACLE.read_text())["cases"] if ORACLE.exists() else []


@pytest.fixture
def write_spec(tmp_path):
    """Write YAML text to a file and return its path (specs are tested as users write them)."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current code"
    )
