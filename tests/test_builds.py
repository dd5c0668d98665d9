"""Step-by-step builds of the time-grid views (`--frames`): one figure per step on one canvas,
and an animated SVG that steps through time with CSS alone, read in real Chromium at its
final state and under prefers-reduced-motion."""

import re
import subprocess

import figure_page as fp
import pytest
from conftest import ROOT

from rnndiagrams import load, style
from rnndiagrams.cli import main
from rnndiagrams.pipeline import render_figures, scenes
from rnndiagrams.render import frames
from rnndiagrams.render.layout import Layout

NUMPY = ROOT / "specs" / "seed_numpy_rnn.yaml"
GALLERY = sorted((ROOT / "specs").glob("*.yaml"))


def _unrolled(path=NUMPY):
    return dict((v.name, s) for v, s in scenes(load(str(path))))["unrolled"]


def test_builds_add_one_time_step_each_with_its_recurrent_edge():
    scene = _unrolled()
    steps = frames.builds(scene)
    assert [b.column for b in steps] == sorted({n.pos[0] for n in scene.nodes})
    for before, after in zip(steps, steps[1:], strict=False):  # each with the next
        assert before.nodes < after.nodes and before.edges < after.edges
    assert {n.id for n in scene.nodes if n.pos[0] == 0} == steps[0].nodes  # step 0 alone
    recurrent = {i for i, e in enumerate(scene.edges) if e.role == "recurrent"}
    assert not recurrent & steps[0].edges and recurrent <= steps[-1].edges


def test_a_build_of_a_grid_in_two_panels_adds_each_step_to_both():
    """A slide's tall grid stands as two panels (Scene.panel): frame k shows steps 0..k of
    both layers, its band behind the step in each panel, not one panel after the other."""
    spec = load(str(ROOT / "specs" / "torch_lstm_tagger.yaml"))
    scene = next(s for v, s in scenes(spec, "slide") if v.name == "unrolled")
    assert scene.panel
    steps = frames.builds(scene)
    assert len(steps) == scene.panel
    for build in steps:
        shown = {n.pos[0] for n in scene.nodes if n.id in build.nodes}
        assert shown == {c + p for c in range(build.column + 1) for p in (0, scene.panel)}
    layout = Layout(scene, style.THEMES["light"], "slide")
    bands = frames.highlight(layout, 0)
    assert len(bands) == 2 and bands[0].x + bands[0].w / 2 < bands[1].x - bands[1].w / 2


def test_frames_need_a_backend_that_draws_builds(tmp_path, capsys):
    assert (
        main(["render", str(NUMPY), "--frames", "--backend", "graphviz", "-o", str(tmp_path)]) == 1
    )
    assert capsys.readouterr().err == (
        "rnndiagrams: frames (step-by-step builds) are drawn by the matplotlib and tikz backends\n"
    )


def test_one_figure_per_step_on_one_canvas_and_stale_with_their_view(tmp_path):
    args = ["render", str(NUMPY), "--frames", "--backend", "matplotlib", "-o", str(tmp_path)]
    assert main(args) == 0
    folder = tmp_path / NUMPY.stem
    count = len(frames.builds(_unrolled()))
    steps = [folder / f"unrolled-step{k}.matplotlib.svg" for k in range(count)]
    sizes = {re.search(rb'viewBox="([^"]*)"', p.read_bytes()).group(1) for p in steps}
    whole = re.search(rb'viewBox="([^"]*)"', (folder / "unrolled.matplotlib.svg").read_bytes())
    assert sizes == {whole.group(1)}  # slides do not jump
    assert not (folder / "folded-step0.matplotlib.svg").exists()  # not a time grid
    # a render without frames keeps them (they belong to their view)
    assert main(["render", str(NUMPY), "--backend", "matplotlib", "-o", str(tmp_path)]) == 0
    assert all(p.exists() for p in steps)


def test_builds_are_deterministic():
    overrides = {"backends": ("matplotlib",), "formats": ("svg", "png"), "frames": True}
    first = [f.data for f in render_figures(load(str(NUMPY)), overrides, ("unrolled",))]
    assert [f.data for f in render_figures(load(str(NUMPY)), overrides, ("unrolled",))] == first


@pytest.mark.needs_tex
def test_each_tikz_frame_holds_its_steps_and_no_later_one():
    overrides = {"backends": ("tikz",), "formats": ("pdf",), "frames": True}
    figures = render_figures(load(str(NUMPY)), overrides, ("unrolled",))
    texts = {}
    for f in figures:
        out = subprocess.run(["pdftotext", "-", "-"], input=f.data, capture_output=True, check=True)
        texts[f.view.name] = re.sub(r"\s+", "", out.stdout.decode("utf-8"))
    assert "h0" in texts["unrolled-step0"] and "h1" not in texts["unrolled-step0"]
    assert "h1" in texts["unrolled-step1"] and "h99" not in texts["unrolled-step2"]
    assert "h99" in texts["unrolled-step3"] and "h99" in texts["unrolled"]


def _animated(tmp_path) -> dict[str, str]:
    """The animated SVG of every time-grid view of the gallery, text editable (measurable)."""
    overrides = {"backends": ("matplotlib",), "formats": ("svg",), "frames": True}
    out = {}
    for path in GALLERY:
        spec = load(str(path))
        views = tuple(v.name for v in spec.views if v.kind == "unrolled")
        if views:
            spec.render["text"] = "editable"
            for f in render_figures(spec, overrides, views):
                if "-step" not in f.view.name:
                    out[f"{spec.stem}/{f.view.name}.animated.svg"] = f.data.decode("utf-8")
    return out


STATE_JS = """
const [at, reduce] = arguments;
for (const a of document.getAnimations()) a.currentTime = at(a);
return [...document.querySelectorAll('[class^="rnnb"], [class^="rnnh"]')].map(
  e => [e.getAttribute('class'), getComputedStyle(e).opacity, e.getAnimations().length]);
"""


def _opacities(browser, when: str):
    """(class, opacity, animations) of every build element, with every animation at `when`:
    a JS expression of the animation `a` (its time in ms)."""
    js = STATE_JS.replace("a.currentTime = at(a)", f"a.currentTime = {when}").replace(
        "const [at, reduce] = arguments;", ""
    )
    return browser.execute_script(js)


@pytest.mark.needs_browser
def test_animated_svgs_read_like_every_figure_and_end_on_the_whole(browser, tmp_path):
    figures = _animated(tmp_path)
    assert len(figures) >= 10
    measured = fp.measure(browser, figures, tmp_path)
    for check in (fp.outside, fp.same_line_overlaps, fp.page_wide_styles, fp.broken_refs):
        assert not {f["name"]: found for f in measured if (found := check(f))}
    assert not fp.shared_ids(measured)
    assert min(fp.smallest_text_px(f) for f in measured) >= 9
    assert all(0.4 <= fp.aspect(f) <= 2.5 for f in measured)
    # every build element of 25 figures restyled at once outlasts WebDriver's 30 s script
    # timeout on a loaded machine (about 22 s on an idle one)
    browser.set_script_timeout(180)
    # just before a cycle ends every step shows and no step is highlighted
    end = _opacities(browser, "a.effect.getComputedTiming().duration - 1")
    assert end and all(float(o) == (1.0 if c.startswith("rnnb") else 0.0) for c, o, _ in end)
    # in the first step's time, only step 0 shows, highlighted
    start = _opacities(browser, "1")
    assert {c for c, o, _ in start if float(o) > 0} == {"rnnb0", "rnnh0"}


@pytest.mark.needs_browser
def test_reduced_motion_shows_the_whole_figure_still(browser, tmp_path):
    figures = dict(list(_animated(tmp_path).items())[:3])
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    try:
        fp.measure(browser, figures, tmp_path)
        state = _opacities(browser, "0")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert state and all(n == 0 for _, _, n in state)  # nothing moves
    assert all(float(o) == (1.0 if c.startswith("rnnb") else 0.0) for c, o, _ in state)


def test_the_api_gives_a_build_view_as_its_whole_build():
    import rnndiagrams as rd

    text = NUMPY.read_text(encoding="utf-8").replace("render: {", "render: {frames: true, ")
    assert "frames: true" in text
    assert "@keyframes" in rd.figure(text, "unrolled", backend="matplotlib").svg
