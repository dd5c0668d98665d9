"""A real package: the wheel `python -m build` makes holds the schema, the starters, py.typed
and the extensions, and installed alone into a fresh venv it renders a spec.

No network: the wheel is built without isolation (setuptools from this venv), and the fresh
venv gets the runtime dependencies by a path to this venv's site-packages, never rnndiagrams."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

import rnndiagrams
from rnndiagrams.specification.starters import starter_names


def run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")  # a copy, so the build leaves the checkout as it was
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "rnndiagrams", src / "rnndiagrams", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = src / "dist"
    # as a user runs it: an sdist, then the wheel built from that sdist
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ".", cwd=src)
    (built,) = dist.glob("*.whl")
    assert [p.name for p in dist.glob("*.tar.gz")] == [
        f"rnndiagrams-{rnndiagrams.__version__}.tar.gz"
    ]
    return built


def test_the_wheel_holds_the_data_and_one_version(wheel):
    assert wheel.name == f"rnndiagrams-{rnndiagrams.__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "rnndiagrams/py.typed",
        "rnndiagrams/data/spec.schema.json",
        "rnndiagrams/__main__.py",
        "rnndiagrams/ext/sphinx.py",
        "rnndiagrams/ext/markdown.py",
        "rnndiagrams/ext/mkdocs.py",
        *(f"rnndiagrams/data/starters/{name}.yaml" for name in starter_names()),
    }
    assert expected <= names
    assert not [
        n for n in names if n.startswith(("tests/", "specs/", "bench/")) or "__pycache__" in n
    ]
    metadata = zipfile.ZipFile(wheel).read(
        f"rnndiagrams-{rnndiagrams.__version__}.dist-info/METADATA"
    )
    text = metadata.decode()
    assert f"\nVersion: {rnndiagrams.__version__}\n" in text
    for extra in ("sphinx", "mkdocs", "notebook", "frameworks", "test"):
        assert f"\nProvides-Extra: {extra}\n" in text
    entry_points = zipfile.ZipFile(wheel).read(
        f"rnndiagrams-{rnndiagrams.__version__}.dist-info/entry_points.txt"
    )
    assert (
        "[mkdocs.plugins]\nrnndiagrams = rnndiagrams.ext.mkdocs:RnnDiagramsPlugin"
        in entry_points.decode()
    )


@pytest.mark.needs_dot
def test_the_wheel_installed_in_a_fresh_venv_renders_a_spec(wheel, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).strip()
    )
    (site / "runtime-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")  # numpy, yaml, ...
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel,
        cwd=tmp_path)  # fmt: skip
    where = run(python, "-c", "import rnndiagrams; print(rnndiagrams.__file__)", cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(site), "rnndiagrams comes from the wheel"
    assert (
        run(python, "-m", "rnndiagrams", "--version", cwd=tmp_path)
        == f"rnndiagrams {rnndiagrams.__version__}\n"
    )
    run(venv / "bin" / "rnndiagrams", "new", "mine", "--from", "lstm", cwd=tmp_path)
    assert (tmp_path / "rnndiagrams.schema.json").read_bytes() == (
        ROOT / "rnndiagrams/data/spec.schema.json"
    ).read_bytes()
    run(venv / "bin" / "rnndiagrams", "render", "mine.yaml", "-o", "out", cwd=tmp_path)
    svgs = sorted((tmp_path / "out" / "mine").glob("*.svg"))
    assert svgs, "figures written"
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert text.count("<svg") == 1 and "</svg>" in text


def make_plan(target: str, tmp_path: Path) -> str:
    """What `make TARGET` would run from scratch (a new .venv elsewhere), without running it."""
    venv = tmp_path / "venv"
    return run("make", "-n", "-B", target, f"VENV={venv}", cwd=ROOT)


def test_make_diagrams_installs_only_what_rendering_needs(tmp_path):
    plan = make_plan("diagrams", tmp_path)
    installs = [line for line in plan.splitlines() if "pip install" in line]
    assert [line.split()[-1] for line in installs] == ["."], installs
    setup = "\n".join(
        line for line in plan.splitlines() if "pip install" in line or "apt-get" in line
    )
    assert "apt-get install -y -qq --no-install-recommends graphviz " in setup
    for heavy in ("chromium", "firefox", "[test]", "torch", "keras"):
        assert heavy not in setup


def test_make_test_adds_the_test_extra_and_the_browsers(tmp_path):
    plan = make_plan("test", tmp_path)
    assert "-e '.[test]'" in plan
    assert "chromium chromium-driver firefox-esr" in plan
