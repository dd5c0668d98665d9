"""DOT source of every committed spec and view, compared with golden files.

After an intended change: `make golden` (pytest --update-golden), then review the diff.
"""

import pytest
from conftest import ROOT

from rnndiagrams import load
from rnndiagrams.pipeline import scenes
from rnndiagrams.render.dot_source import dot_source
from rnndiagrams.style import THEMES

GOLDEN = ROOT / "tests" / "golden"
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
CASES = [(spec, view) for spec in SPECS for view in load(str(spec)).views]


@pytest.mark.parametrize("spec,view", CASES, ids=[f"{s.stem}-{v.name}" for s, v in CASES])
def test_dot_source_matches_golden(spec, view, request):
    scene = dict((v.name, s) for v, s in scenes(load(str(spec))))[view.name]
    source = dot_source(scene, THEMES[load(str(spec)).render["theme"]])
    path = GOLDEN / spec.stem / f"{view.name}.gv"
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run `make golden`"
    assert source == path.read_text(encoding="utf-8"), (
        f"{path} differs; run `make golden` if intended"
    )


def test_no_orphan_golden_files():
    expected = {GOLDEN / s.stem / f"{v.name}.gv" for s, v in CASES}
    assert set(GOLDEN.rglob("*.gv")) <= expected
