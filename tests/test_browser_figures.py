"""Figures as readers get them: every committed SVG (both backends) and the figures of a few
random valid specs (matplotlib with editable text, so its text is measurable), all inlined
together in one page of headless Chromium at min(natural width, 720 px)."""

from __future__ import annotations

import random

import figure_page as fp
import pytest
from conftest import ROOT

from rnndiagrams import load
from rnndiagrams.frameworks.keras.importer import import_keras
from rnndiagrams.pipeline import render_figures

pytestmark = [pytest.mark.needs_browser, pytest.mark.needs_dot]


def random_spec(rng: random.Random) -> str:
    """A valid spec drawn at random: an optional Embedding, 1-3 recurrent layers (maybe
    bidirectional), an optional Dense head; both backends, a random theme."""
    layers = []
    if rng.random() < 0.5:
        layers.append(
            f"Embedding: {{input_dim: {rng.randint(2, 50000)}, output_dim: {rng.randint(1, 300)}}}"
        )
        shape = "[null], dtype: int32"
    else:
        shape = f"[{rng.choice(['null', rng.randint(1, 500)])}, {rng.randint(1, 300)}]"
    depth = rng.randint(1, 3)
    for i in range(depth):
        kind = rng.choice(["SimpleRNN", "LSTM", "GRU"])
        seq = "true" if i < depth - 1 or rng.random() < 0.5 else "false"
        layer = f"{kind}: {{units: {rng.randint(1, 512)}, return_sequences: {seq}}}"
        if rng.random() < 0.25:
            layer = f"Bidirectional: {{layer: {{{layer}}}}}"
        layers.append(layer)
    if rng.random() < 0.6:
        layers.append(f"Dense: {{units: {rng.randint(1, 100)}, activation: softmax}}")
    body = "\n".join(f"    - {layer}" for layer in layers)
    theme = rng.choice(["light", "dark", "print"])
    return (
        f"title: random model {rng.randint(0, 999)} (무작위)\nmodel:\n  input: {{shape: {shape}}}\n"
        f"  layers:\n{body}\nviews: [stack, folded, unrolled, cell]\n"
        f"render: {{backends: [graphviz, matplotlib], text: editable, theme: {theme}}}\n"
    )


def _committed() -> dict[str, str]:
    out = ROOT / "output"
    return {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in sorted(out.rglob("*.svg"))}


def _graphs(tmp) -> list:
    """The 28 Keras graphs of the oracle, imported, as layer DAGs in both backends."""
    paths = []
    for model in sorted((ROOT / "tests" / "oracle" / "graphs" / "keras").glob("*.json")):
        path = tmp / f"{model.stem}.yaml"
        text, _, _ = import_keras(str(model))
        views = "views: [stack]\nrender: {backends: [graphviz, matplotlib], text: editable}\n"
        path.write_text(text + views, encoding="utf-8")
        paths.append(path)
    return paths


def _generated(tmp) -> dict[str, str]:
    figures = {}
    for seed in (1, 2, 3):
        path = tmp / f"random{seed}.yaml"
        path.write_text(random_spec(random.Random(seed)), encoding="utf-8")
        for fig in render_figures(load(str(path))):
            figures[f"random{seed}/{fig.view.name}.{fig.backend}.svg"] = fig.data.decode("utf-8")
    for path in _graphs(tmp):
        for fig in render_figures(load(str(path))):
            figures[f"{path.stem}/{fig.view.name}.{fig.backend}.svg"] = fig.data.decode("utf-8")
    return figures


@pytest.fixture(scope="module")
def measured(browser, tmp_path_factory):
    """Committed and generated figures, measured together in one page."""
    tmp = tmp_path_factory.mktemp("figures")
    figures = {**_committed(), **_generated(tmp)}
    return fp.measure(browser, figures, tmp)


def _offenders(measured, check) -> dict:
    return {fig["name"]: found for fig in measured if (found := check(fig))}


def test_the_page_holds_every_committed_and_generated_figure(measured):
    names = {fig["name"] for fig in measured}
    assert set(_committed()) <= names
    assert any(n.startswith("random") and n.endswith(".matplotlib.svg") for n in names)
    assert sum(n.startswith("graph_keras_") for n in names) == 2 * 28
    editable = [f for f in measured if f["name"].startswith("random") and "matplotlib" in f["name"]]
    assert all(any(r["chars"] > 0 for r in f["runs"]) for f in editable), (
        "matplotlib text not editable"
    )


def test_every_text_box_lies_inside_its_figure(measured):
    assert not _offenders(measured, fp.outside)


def test_no_two_text_runs_of_a_line_overlap(measured):
    assert not _offenders(measured, fp.same_line_overlaps)


def test_no_glyphs_touch_across_runs_or_lines(measured):
    """Sub/superscripts clear of their neighbours and of the lines above and below."""
    assert not _offenders(measured, fp.ink_clashes)


# Slide figures whose lines still run through a text (spec/view.slide.backend): the slide
# target's layout is laid out apart from the column's, and this list may only shrink.
# context_every_step's context to its last step clears x_0's corner by a curve through the `…`
# of the inputs' row (with the `…` counted as a box, the first bend clear of both sank far below
# the figure's rows).
LINES_THROUGH_TEXT_ON_SLIDES = {"context_every_step/unrolled.slide.matplotlib.svg"}


def test_no_line_runs_through_a_text_it_does_not_label(measured):
    """An edge's line or arrowhead never crosses the ink of a text run other than its own
    label (a skip curve through a weight's shape, a feedback edge across `U (384, 128)`)."""
    found = _offenders(measured, fp.lines_through_text)
    column = {n: f for n, f in found.items() if ".slide." not in n}
    assert not column, "\n".join(f"{n}: {f}" for n, f in column.items())
    slides = {n for n in found if ".slide." in n}
    assert slides <= LINES_THROUGH_TEXT_ON_SLIDES, slides - LINES_THROUGH_TEXT_ON_SLIDES
    assert slides == LINES_THROUGH_TEXT_ON_SLIDES, (
        f"no longer crossed, take off: {LINES_THROUGH_TEXT_ON_SLIDES - slides}"
    )


# Slide figures where an edge's line still runs through its own label (spec/view.slide.backend):
# attention's weights at a context's head in packed rows (Graphviz). May only shrink.
OWN_LABEL_CROSSED_ON_SLIDES: set[str] = {
    "attention_bahdanau/unrolled.slide.graphviz",
    "attention_luong/unrolled.slide.graphviz",
}


def test_no_line_runs_through_its_own_label(measured):
    """An edge's line never crosses the ink of its own label (`α_{0,39}` at the head of the
    line from y_39, `(128,)` on its slanted edge): the label reads as struck through. Column
    figures, committed and generated, none; slide figures only those listed."""
    found = {n.removesuffix(".svg") for n in _offenders(measured, fp.lines_through_own_label)}
    column = {n for n in found if ".slide." not in n}
    assert not column, column
    slides = found - column
    assert slides <= OWN_LABEL_CROSSED_ON_SLIDES, slides - OWN_LABEL_CROSSED_ON_SLIDES
    assert slides == OWN_LABEL_CROSSED_ON_SLIDES, (
        f"no longer crossed, take off: {OWN_LABEL_CROSSED_ON_SLIDES - slides}"
    )


# Graphviz figures whose edge labels still touch a frame: the slide's packed loop. The list
# may only shrink.
LABEL_ON_FRAME: set[str] = {
    "torch_seq2seq_attention/stack.slide.graphviz",
}


def test_no_edge_label_touches_a_frame(measured):
    """An edge's label stands clear of a frame (Graphviz's cluster: a loop's, a panel's),
    inside or outside it: dot keeps no label out of a frame its edge has an end in. The
    figures listed only."""
    found = {n.removesuffix(".svg") for n in _offenders(measured, fp.labels_on_frames)}
    assert found == LABEL_ON_FRAME, (found - LABEL_ON_FRAME, LABEL_ON_FRAME - found)


def test_every_edge_is_measured(measured):
    """Both backends' edges are found (Graphviz's `g.edge`, matplotlib's `rnnedge<i>-line`),
    so the line check above reads every figure with edges (the numpy view draws none)."""
    assert not [f["name"] for f in measured if not f["edges"] and "/numpy." not in f["name"]]


def test_no_text_run_has_spaces_a_browser_collapses(measured):
    assert not _offenders(measured, fp.collapsible)


def test_no_style_reaches_outside_its_figure(measured):
    assert not _offenders(measured, fp.page_wide_styles)


def test_no_id_is_shared_by_two_figures(measured):
    assert not fp.shared_ids(measured)


def test_every_reference_resolves_inside_its_figure(measured):
    """Prefixed ids kept their references: glyphs, clip paths and links still land."""
    assert not _offenders(measured, fp.broken_refs)
    figures = _committed().values()
    assert any("url(#" in s for s in figures) and any('href="#' in s for s in figures)


def test_embedded_fonts_load_in_the_browser(browser, measured):
    """The Graphviz figures' text is drawn with the faces it was measured with."""
    status = browser.execute_script("return [...document.fonts].map(f => f.status)")
    assert status and set(status) == {"loaded"}


# Sizes for a 720 px column (issue 8); figures laid out for a slide (`<view>.slide.<backend>`)
# have the slide's bar instead (test_slide.py).
def _column(measured) -> list:
    return [f for f in measured if ".slide." not in f["name"]]


def test_smallest_text_is_at_least_9_px_in_a_720_px_column(measured):
    assert not _offenders(
        _column(measured),
        lambda f: fp.smallest_text_px(f) < 9 and round(fp.smallest_text_px(f), 1),
    )


def test_aspect_ratio_is_between_0_4_and_2_5(measured):
    assert not _offenders(
        _column(measured), lambda f: not 0.4 <= fp.aspect(f) <= 2.5 and round(fp.aspect(f), 2)
    )
