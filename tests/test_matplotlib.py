"""The matplotlib backend: Korean text, math pieces, themes, determinism, layout without overlaps."""

import re
import warnings
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from rnndiagrams import load, shape_model, style
from rnndiagrams.cli import main
from rnndiagrams.render import geometry, layout, mpl_draw
from rnndiagrams.scene import Run, plain_text
from rnndiagrams.shapes.shaped import format_shape
from rnndiagrams.style import THEMES
from rnndiagrams.views import build_scene

SENTIMENT = ROOT / "specs" / "seed_sentiment.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def _render(spec, tmp_path, *args):
    assert main(["render", str(spec), "-o", str(tmp_path), "--backend", "matplotlib", *args]) == 0
    return tmp_path / spec.stem if hasattr(spec, "stem") else tmp_path


def test_korean_title_has_no_missing_glyphs(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _render(SENTIMENT, tmp_path, "--format", "png", "--format", "svg", "--format", "pdf")
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert missing == []
    assert "감성" in load(str(SENTIMENT)).title


def test_hangul_never_goes_into_mathtext():
    text, math = layout.run_text(Run("감성 분류"))
    assert "$" not in text and not math
    text, math = layout.run_text(Run("h", sub="t-1", italic=True))
    assert text == "$h$" and math  # the subscript is a piece of its own
    text, _ = layout.run_text(Run("W", sup="←", italic=True))
    assert text == "$W$"  # the superscript is a raised piece of its own


def test_superscripts_are_raised_plain_text():
    measure = layout.Measure(THEMES["light"])
    ((pieces, _, _),) = measure.block(
        ((Run("h", sub="t", sup="(12)", italic=True),),), 14, "#000"
    ).lines
    assert [p.text for p in pieces] == ["$h$", "$t$", "(12)"]
    assert pieces[2].rise > 0 and pieces[2].size < pieces[0].size
    assert pieces[1].rise < 0 and pieces[1].size >= style.SMALL_SIZE  # a lowered subscript
    # each script starts past the glyph before it, slanted ones reaching beyond their advance
    assert pieces[0].width < pieces[1].dx and pieces[1].dx + pieces[1].width < pieces[2].dx


def test_svg_has_one_title_a_viewbox_and_no_date(tmp_path):
    folder = _render(SENTIMENT, tmp_path, "--view", "unrolled")
    data = (folder / "unrolled.matplotlib.svg").read_bytes()
    root = ET.fromstring(data)
    assert root.get("viewBox")
    titles = [t.text for t in root.findall(f"{SVG}title")]
    assert len(titles) == 1 and titles[0].startswith(f"{load(str(SENTIMENT)).title}: unrolled")
    assert b"<dc:date>" not in data and b"Matplotlib v" not in data
    assert root.find(f".//{SVG}text") is None  # text as paths by default


def test_editable_text_keeps_text_elements(write_spec, tmp_path):
    path = write_spec(
        "title: 감성\nmodel:\n  input: {shape: [3, 2]}\n  layers: [{GRU: {units: 2}}]\n"
        "views: [folded]\nrender: {text: editable, backends: [matplotlib]}\n"
    )
    assert main(["render", str(path), "-o", str(tmp_path)]) == 0
    root = ET.fromstring((tmp_path / "spec" / "folded.matplotlib.svg").read_bytes())
    assert any(t.text and "감성" in t.text for t in root.iter(f"{SVG}text"))


def test_dpi_scales_png(tmp_path):
    sizes = []
    for dpi in ("72", "144"):
        out = tmp_path / dpi
        _render(SENTIMENT, out, "--view", "stack", "--format", "png", "--dpi", dpi)
        data = (out / "seed_sentiment" / "stack.matplotlib.png").read_bytes()
        sizes.append(int.from_bytes(data[16:20], "big"))  # IHDR width
    assert abs(sizes[1] - 2 * sizes[0]) <= 2


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_themes_are_applied(theme, tmp_path):
    folder = _render(SENTIMENT, tmp_path, "--view", "unrolled", "--theme", theme)
    data = (folder / "unrolled.matplotlib.svg").read_text()
    colours = {c.upper() for c in re.findall(r"#[0-9a-fA-F]{6}", data)}
    assert THEMES[theme].background.upper() in colours
    if theme == "print":
        assert all(c[1:3] == c[3:5] == c[5:7] for c in colours), colours  # greys only


def _drawing(path, view_name, **options):
    spec = load(str(path))
    view = next(v for v in spec.views if v.name == view_name)
    scene = build_scene(shape_model(spec), view)
    with layout.measuring(False, scene.name):
        drawing = mpl_draw._Drawing(scene, THEMES["light"])
        drawing.save("svg", 72)
    return scene, drawing


@pytest.mark.parametrize("layers,steps", [(1, 2), (3, 5), (5, 1000)])
def test_no_overlaps_at_any_depth_or_length(layers, steps, write_spec):
    body = "".join(
        f"    - LSTM: {{units: {4 + i}, return_sequences: true}}\n" for i in range(layers)
    )
    path = write_spec(
        f"model:\n  input: {{shape: [{steps}, 3]}}\n  layers:\n{body}    - Dense: {{units: 2}}\n"
        "views: [unrolled, folded]\n"
    )
    for view in ("unrolled", "folded"):
        _, d = _drawing(path, view)
        boxes = list(d.boxes.values())
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not geometry.overlap(a, b)
        for label in d.placed:
            assert not any(geometry.overlap(label, box) for box in boxes)
        for i, a in enumerate(d.placed):
            assert not any(geometry.overlap(a, b) for b in d.placed[i + 1 :])


def test_cell_views_label_each_gate_with_engine_shapes(write_spec):
    cases = {
        "LSTM: {units: 6}": 4,
        "GRU: {units: 6}": 3,
        "GRU: {units: 6, reset_after: false}": 3,
        "SimpleRNN: {units: 6}": 1,
    }
    for layer, gates in cases.items():
        path = write_spec(
            f"model:\n  input: {{shape: [4, 5]}}\n  layers: [{{{layer}}}]\nviews: [cell]\n"
        )
        spec = load(str(path))
        model = shape_model(spec)
        scene = build_scene(model, spec.views[0])
        text = " ".join(plain_text(n.label) for n in scene.nodes)
        W = next(w for w in model.layers[0].weights if w.key == "W")
        block = format_shape(W.gate_shape("seed"))
        assert W.gate_shape("seed") == (6, 5)
        assert text.count(block) == gates if gates > 1 else block in text
        if "reset_after: false" in layer:
            assert (
                "reset before U" in text
                and sum(n.label == ((Run("⊙"),),) for n in scene.nodes) == 3
            )
        elif "GRU" in layer:
            assert "reset after U" in text and format_shape((2, 6)) in text


def test_numpy_view_boxes_are_to_scale():
    spec = load(str(ROOT / "specs" / "seed_numpy_rnn.yaml"))
    view = next(v for v in spec.views if v.kind == "numpy")
    model = shape_model(spec)
    scene = build_scene(model, view)
    boxes = {
        plain_text(n.label).split(" ")[0].split("\n")[0]: n.extent for n in scene.nodes if n.extent
    }
    W = next(w for w in model.layers[0].weights if w.key == "W")
    U = next(w for w in model.layers[0].weights if w.key == "U")
    w_w, w_h = boxes["W"]
    u_w, u_h = boxes["U"]
    assert w_h / w_w == pytest.approx(W.shape[0] / W.shape[1])
    assert u_h / w_h == pytest.approx(U.shape[0] / W.shape[0])
    out_w, out_h = boxes["outputs"]
    assert out_h / out_w == pytest.approx(spec.input_shape[0] / model.layers[0].recurrence.units)


def test_layout_work_grows_linearly_with_depth(write_spec, monkeypatch):
    """Counted, not timed: the geometric tests layout makes for 2n layers are about twice
    those for n (the old all-pairs layout made four times as many)."""
    calls = {"n": 0}
    contains, overlap = geometry.Box.contains, geometry.overlap

    def counting_contains(self, *args, **kwargs):
        calls["n"] += 1
        return contains(self, *args, **kwargs)

    def counting_overlap(a, b):
        calls["n"] += 1
        return overlap(a, b)

    monkeypatch.setattr(geometry.Box, "contains", counting_contains)
    monkeypatch.setattr(layout, "overlap", counting_overlap)
    work = []
    for layers in (20, 40):
        body = "".join(
            "    - SimpleRNN: {units: 4, return_sequences: true}\n" for _ in range(layers)
        )
        path = write_spec(
            f"model:\n  input: {{shape: [9, 3]}}\n  layers:\n{body}views: [unrolled]\n",
            f"deep{layers}.yaml",
        )
        spec = load(str(path))
        scene = build_scene(shape_model(spec), spec.views[0])
        calls["n"] = 0
        with layout.measuring(False, scene.name):
            layout.Layout(scene, THEMES["light"])
        work.append(calls["n"])
    assert work[0] > 0 and work[1] / work[0] < 2.5, work


def test_threads_drawing_at_once_give_the_bytes_one_thread_gives(monkeypatch):
    """Each drawing empties and reuses a figure; `watch` draws each spec in a thread of its
    own, so each thread has its own figure, and specs drawn at once come out as drawn alone."""
    from concurrent.futures import ThreadPoolExecutor

    from rnndiagrams.pipeline import render_figures

    specs = [load(str(ROOT / "specs" / f"{n}.yaml")) for n in ("lstm", "gru", "stacked", "gru")]
    only = {"backends": ("matplotlib",), "formats": ("svg",)}
    monkeypatch.setenv("RNNDIAGRAMS_NO_CACHE", "1")  # drawn, not read from the figure cache

    def draw(spec):
        return [f.data for f in render_figures(spec, only)]

    alone = [draw(s) for s in specs]
    with ThreadPoolExecutor(len(specs)) as pool:
        for _ in range(3):
            assert list(pool.map(draw, specs)) == alone
