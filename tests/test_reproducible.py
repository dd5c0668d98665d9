"""Same input, same bytes: whatever the clock, time zone, locale or run (issue 7)."""

from __future__ import annotations

import copy
import gc
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import ROOT
from PIL import Image

from rnndiagrams import load
from rnndiagrams.pipeline import render_figures

pytestmark = pytest.mark.needs_dot
NUMPY_RNN = ROOT / "specs" / "seed_numpy_rnn.yaml"
SENTIMENT = ROOT / "specs" / "seed_sentiment.yaml"


def test_graphviz_svgs_are_identical_across_50_renders():
    """All six views drawn together, 50 times: one `dot` rendering the batch differed in
    about 1 render of 30 (`make determinism` runs 1,000)."""
    spec = load(str(NUMPY_RNN))
    overrides = {"backends": ("graphviz",), "formats": ("svg",)}
    first = [f.data for f in render_figures(spec, overrides)]
    for _ in range(49):
        assert [f.data for f in render_figures(spec, overrides)] == first


def _pdfs(tmp_path, name: str, **env: str) -> dict[str, bytes]:
    out = tmp_path / name
    subprocess.run(
        [sys.executable, "-m", "rnndiagrams", "render", str(SENTIMENT), "-o", str(out),
         "--view", "stack", "--format", "pdf", "--backend", "graphviz", "--backend", "matplotlib"],
        check=True, capture_output=True, env={**os.environ, **env},
    )  # fmt: skip
    return {p.name: p.read_bytes() for p in sorted((out / "seed_sentiment").glob("*.pdf"))}


def test_pdfs_do_not_depend_on_time_zone_or_locale(tmp_path):
    env = {k: "" for k in ("SOURCE_DATE_EPOCH",)}
    utc = _pdfs(tmp_path, "utc", TZ="UTC", LC_ALL="C", **env)
    kolkata = _pdfs(tmp_path, "kolkata", TZ="Asia/Kolkata", LC_ALL="C.UTF-8", **env)
    assert len(utc) == 2 and utc == kolkata


def test_pdfs_carry_source_date_epoch(tmp_path):
    pdfs = _pdfs(tmp_path, "sde", TZ="Asia/Kolkata", SOURCE_DATE_EPOCH="86400")
    for name, pdf in pdfs.items():
        assert b"/CreationDate (D:19700102000000Z)" in pdf, name


def test_graphviz_png_has_no_partly_transparent_pixel():
    spec = load(str(SENTIMENT))
    (fig,) = render_figures(spec, {"backends": ("graphviz",), "formats": ("png",)}, ("stack",))
    with Image.open(io.BytesIO(fig.data)) as image:
        alpha = image.getchannel("A") if "A" in image.getbands() else None
        assert alpha is None or alpha.getextrema() == (255, 255)
        assert image.size[0] > 100


def test_font_cache_gives_the_bytes_a_fresh_subset_gives(tmp_path, monkeypatch):
    """Embedded font subsets are cached between renders; cold or warm, the same figure. A
    cold one leaves no font file open: fontTools' fonts, left to the collector, warned
    "unclosed file" in whatever code ran next (a user's `pytest.warns` caught 11)."""
    from rnndiagrams.render import svg_fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = load(str(SENTIMENT))
    overrides = {"backends": ("graphviz",), "formats": ("svg",)}
    svg_fonts._woff.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cold = [f.data for f in render_figures(spec, overrides, ("folded",))]
        gc.collect()
    assert not [str(w.message) for w in caught if w.category is ResourceWarning]
    assert list((tmp_path / "cache" / "rnndiagrams" / "fonts").glob("*.woff"))
    svg_fonts._woff.cache_clear()
    warm = [f.data for f in render_figures(spec, overrides, ("folded",))]
    assert cold == warm and b"@font-face" in cold[0]


def test_matplotlib_figures_do_not_depend_on_its_font_list_cache(tmp_path):
    """matplotlib picks a font by name from a font list it caches (MPLCONFIGDIR). Whether that
    list names the system's DejaVu Sans (fonts-dejavu-core, other glyph ids) before matplotlib's
    own, or leaves its own out, the figure keeps the committed bytes."""
    import matplotlib
    from matplotlib import font_manager

    own = Path(matplotlib.get_data_path(), "fonts", "ttf")
    manager = font_manager.fontManager
    system = [f for f in manager.ttflist if "DejaVu" in f.name and Path(f.fname).parent != own]
    if not system:
        pytest.skip("no system DejaVu font to compete with matplotlib's own")
    rest = [f for f in manager.ttflist if "DejaVu" not in f.name]
    listed = copy.copy(manager)
    listed.ttflist = system + rest
    config = tmp_path / "mplconfig"
    config.mkdir()
    font_manager.json_dump(listed, config / f"fontlist-v{manager._version}.json")
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "rnndiagrams", "render", str(ROOT / "specs" / "bidirectional.yaml"),
         "-o", str(out), "--view", "folded", "--backend", "matplotlib"],
        check=True, capture_output=True, env={**os.environ, "MPLCONFIGDIR": str(config)},
    )  # fmt: skip
    committed = ROOT / "output" / "bidirectional" / "folded.matplotlib.svg"
    assert (out / "bidirectional" / "folded.matplotlib.svg").read_bytes() == committed.read_bytes()
