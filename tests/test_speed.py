"""Work a render does not repeat (issue 21): a figure is drawn once per content."""

from pathlib import Path

import pytest

from rnndiagrams import load
from rnndiagrams.pipeline import render_figures
from rnndiagrams.render import cache
from rnndiagrams.render.backends import Backend

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "specs" / "seed_sentiment.yaml"
SVG = {"backends": ("graphviz",), "formats": ("svg",)}


@pytest.fixture
def drawn(tmp_path, monkeypatch) -> list[str]:
    """The names of the scenes the backends draw, with the figure cache on, in a folder of
    the test's own."""
    monkeypatch.delenv("RNNDIAGRAMS_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    names: list[str] = []
    real = Backend.draw

    def draw(self, scenes, fmt, options):
        names.extend(s.name for s in scenes)
        return real(self, scenes, fmt, options)

    monkeypatch.setattr(Backend, "draw", draw)
    return names


@pytest.mark.needs_dot
def test_a_figure_is_drawn_once_per_content(drawn, monkeypatch):
    spec = load(str(SEED))
    first = render_figures(spec, SVG)
    assert len(drawn) == len(spec.views)
    assert [f.data for f in render_figures(spec, SVG)] == [f.data for f in first]
    assert len(drawn) == len(spec.views)  # every figure from the cache, byte for byte
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")  # what a tool reads is part of the key
    monkeypatch.setattr(cache, "environment", cache.environment.__wrapped__)
    render_figures(spec, SVG)
    assert len(drawn) == 2 * len(spec.views)


@pytest.mark.needs_dot
def test_an_edit_redraws_only_the_views_it_changes(drawn, tmp_path):
    spec_path = tmp_path / "seed.yaml"
    views = "views: [stack, {{unrolled: {{steps: {}}}}}]\n"
    spec_path.write_text(SEED.read_text() + views.format(4))
    render_figures(load(str(spec_path)), SVG)
    assert len(drawn) == 2
    spec_path.write_text(SEED.read_text() + views.format(5))
    render_figures(load(str(spec_path)), SVG)
    assert drawn[2:] == [drawn[1].replace("4 steps", "5 steps")]  # not the stack view
