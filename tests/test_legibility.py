"""Every committed spec's figures read in a 720 px blog column: smallest text >= 9 CSS px and
aspect ratio 0.4-2.5, computed from the SVGs' own sizes (bench/legibility.py's measure)."""

import sys

import pytest
from conftest import ROOT

from rnndiagrams import load
from rnndiagrams.render.pipeline import render_figures

sys.path.insert(0, str(ROOT / "bench"))
from legibility import measure  # noqa: E402

SPECS = sorted((ROOT / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_figures_read_in_a_column(path):
    spec = load(str(path))
    for fig in render_figures(spec, {"formats": ("svg",), "text": "editable"}):
        smallest, aspect, _ = measure(fig.data.decode())
        name = f"{fig.view.name}.{fig.backend}"
        assert smallest >= 9, f"{name}: smallest text {smallest:.1f} px at 720 px"
        assert 0.4 <= aspect <= 2.5, f"{name}: aspect {aspect:.2f}"


def test_measure_sees_small_text():
    svg = '<svg width="1440pt" height="400pt" viewBox="0 0 1440 400"><text font-size="10">a</text></svg>'
    smallest, aspect, width = measure(svg)
    assert smallest == pytest.approx(5.0) and aspect == pytest.approx(3.6) and width == 1920
