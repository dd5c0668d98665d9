"""The slide target (issue 19): `render: {target: slide}`, `--target slide`, figure(target=...).
Each view laid out for 16:9 with one type size, measured where it is shown: fitted into a
1280 x 720 slide's 1200 x 600 area in headless Chromium, as the column bar is measured."""

from __future__ import annotations

import math
import re

import figure_page as fp
import pytest
from conftest import ROOT

from rnndiagrams import figure, load, style
from rnndiagrams.cli import main
from rnndiagrams.errors import SpecError
from rnndiagrams.pipeline import render_figures, scenes, write_figures
from rnndiagrams.render import graphviz_run, layout, slide_text
from rnndiagrams.render.dot_source import PAD, dot_source
from rnndiagrams.render.geometry import Box, on_arc, overlap
from rnndiagrams.render.layout import SCRIPT
from rnndiagrams.scene import Scene, left_loops, plain_text
from rnndiagrams.specification import catalog

SEED = ROOT / "specs" / "seed_sentiment.yaml"
SLIDE_BAR = 18.0  # px, the smallest text once fitted into the slide's 1200 x 600 area
# its sub- and superscripts at typeset math's ratio of it (LaTeX's \scriptstyle, mathtext's):
# a script is read with its symbol, at 12.6 px as 18 pt slide text's scripts are in any deck
SCRIPT_BAR = SLIDE_BAR * SCRIPT
ASPECT_BAR = (1.5, 2.2)
# Figures not yet at the bar (deep or bidirectional grids taller than a slide holds at 18 px;
# graphs whose edges into the next band take the width): the list may only shrink; a figure
# leaving it must be taken off.
UNDER_BAR = {
    "torch_lstm_tagger/unrolled",
    "torch_seq2seq_attention/stack",
}


def test_every_target_of_the_spec_format_has_its_type():
    assert tuple(style.TARGETS) == catalog.TARGETS
    assert set(style.ASPECT) <= set(catalog.TARGETS)


def test_the_column_is_the_default_and_its_figures_are_the_committed_bytes():
    spec = load(str(SEED))
    assert spec.render["target"] == "column"
    for fig in render_figures(spec):
        path = ROOT / "output" / spec.stem / f"{fig.view.name}.{fig.backend}.svg"
        assert fig.data == path.read_bytes(), path


def test_a_slide_figure_is_written_beside_the_column_one_and_neither_is_stale(tmp_path):
    spec = load(str(SEED))
    column = write_figures(spec, render_figures(spec), tmp_path)
    slide = write_figures(spec, render_figures(spec, {"target": "slide"}), tmp_path)
    write_figures(spec, render_figures(spec), tmp_path)  # a column render keeps the slide's
    names = sorted(p.name for p in (tmp_path / spec.stem).iterdir())
    assert [p.name for p, _ in slide] == [
        p.name.replace(".graphviz", ".slide.graphviz").replace(".matplotlib", ".slide.matplotlib")
        for p, _ in column
    ]
    assert names == sorted(p.name for p, _ in column + slide)


def test_a_slide_svg_s_frame_is_the_one_dot_draws_with_its_pad():
    """A slide SVG is padded out to 16:9 by rewriting the frame of dot's first drawing: the
    bytes of a second run of dot with that `pad`, as a PNG's and a PDF's are."""
    chosen = [
        scene
        for name in ("gru", "lstm", "attention_bahdanau")
        for _, scene in scenes(load(str(ROOT / "specs" / f"{name}.yaml")), "slide")
    ]
    theme, options = style.THEMES["light"], {"theme": "light", "dpi": 96, "target": "slide"}
    first = graphviz_run.run_dot((dot_source(s, theme, "slide") for s in chosen), "svg", 96)
    pads = [graphviz_run._pad(svg, style.ASPECT["slide"]) for svg in first]
    assert any(x > PAD for x, _ in pads) and any(y > PAD for _, y in pads)  # across and down
    for fmt in ("svg", "png", "pdf"):
        padded = (f"{x:.3f},{y:.3f}" for x, y in pads)
        sources = (
            dot_source(s, theme, "slide", pad) for s, pad in zip(chosen, padded, strict=True)
        )
        assert graphviz_run.draw_scenes(chosen, fmt, options) == graphviz_run.run_dot(
            sources, fmt, 96
        )


def test_a_slide_figure_sets_its_text_in_one_size_and_leaves_its_title_to_the_slide():
    spec = load(str(SEED))
    drawn = {
        target: [f for f in render_figures(spec, {"target": target}) if f.view.name == "stack"]
        for target in ("column", "slide")
    }
    column, slide = (drawn[t][0].data.decode() for t in ("column", "slide"))
    assert _sizes(slide) == {14.0}
    assert len(_sizes(column)) > 1
    assert column.count("감성") > slide.count("감성") == 2  # the <title> and its comment


def test_a_slide_sets_scripts_smaller_than_their_symbol_as_typeset_math_does():
    """x_{T-1} must not read as "x T - 1": its scripts at 10/14 of the text (pango sets them
    a whole point), every other run at the text's size; the browser bar measures the two
    apart (figure_page.SCRIPT_SPLIT lies between)."""
    spec = load(str(ROOT / "specs" / "stacked.yaml"))
    slide = next(
        f.data.decode()
        for f in render_figures(spec, {"target": "slide", "backends": ("graphviz",)})
        if f.view.name == "unrolled"
    )
    assert _sizes(slide) == {14.0, 10.0}
    assert SCRIPT < 10.0 / 14.0 < fp.SCRIPT_SPLIT
    assert re.search(r'font-size="10.00"[^>]*>\(1\)</text>', slide)  # h_0^(1)'s superscript


def _sizes(svg: str) -> set[float]:
    """The font sizes of an SVG's visible text (not dot's hair-space struts between lines)."""
    runs = re.findall(r'<text [^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    return {float(size) for size, text in runs if text.strip()}


def test_a_tall_graph_is_set_in_bands_side_by_side_its_edges_down_the_ranks():
    """residual_rnn's six rows of layers in two columns of three, every node and edge kept;
    dot lays an edge into the next band out from that band's top down (drawn back), so it
    decides the ranks as the rows do, instead of being left out of them."""
    spec = load(str(ROOT / "specs" / "residual_rnn.yaml"))
    column, slide = (
        next(s for v, s in scenes(spec, target) if v.kind == "stack")
        for target in ("column", "slide")
    )
    assert {n.id for n in slide.nodes} == {n.id for n in column.nodes}
    assert slide.edges == column.edges
    rows = {
        target: 1 + max(n.pos[1] for n in s.nodes) for target, s in (("c", column), ("s", slide))
    }
    assert rows == {"c": 6, "s": 3}
    up = [e for e in slide.edges if _pos(slide, e.dst)[1] < _pos(slide, e.src)[1]]
    assert len(up) == 2  # lstm_1 and lstm_2 into the residual Add, atop the second band
    source = dot_source(slide, style.THEMES["light"], "slide")
    assert source.count("dir=back") == len(up) and "constraint=false" not in source


def test_a_shorter_last_band_ends_level_with_the_first_beside_what_it_reads():
    """attention_luong's seven rows in bands of four and three: the second (context, its
    concatenation, next_token) ends level with the first, so the attention stands a row
    below the inputs, beside the encoder it reads, and no edge into it climbs three rows."""
    spec = load(str(ROOT / "specs" / "attention_luong.yaml"))
    slide = next(s for v, s in scenes(spec, "slide") if v.kind == "stack")
    rows = {n: _pos(slide, n)[1] for n in ("encoder", "decoder", "context", "next_token")}
    assert rows == {"encoder": 2, "decoder": 3, "context": 1, "next_token": 3}
    assert 1 + max(n.pos[1] for n in slide.nodes) == 4


def test_a_slide_graph_s_matplotlib_columns_hold_only_the_labels_reaching_past_them():
    """A label beside an edge along a column (torch_seq2seq_stacked's `(None, None, 256)`
    into encoder.rnn) needs room only past the column's half; a label across columns, the
    room between its ends: the gaps are narrower than the label, no label covers a box, and
    the figure reaches 18 px on a slide (17.3 before)."""
    spec = load(str(ROOT / "specs" / "torch_seq2seq_stacked.yaml"))
    scene = next(s for v, s in scenes(spec, "slide") if v.kind == "stack")
    with layout.measuring(False, scene.name):
        placed = layout.Layout(scene, style.THEMES["light"], "slide")
    box = placed.boxes
    label = next(
        placed.label_at[i]
        for i, e in enumerate(scene.edges)
        if (e.src, e.dst) == ("encoder.embedding", "encoder.rnn")
    )
    gap = box["decoder.embedding"].x - box["decoder.embedding"].w / 2
    gap -= box["encoder.rnn"].x + box["encoder.rnn"].w / 2
    assert gap < label.w
    assert not [(i, n) for i, r in placed.label_at.items() for n, b in box.items() if overlap(r, b)]
    assert 14 * min(1200 / placed.width, 600 / placed.height) >= SLIDE_BAR


def test_a_loop_s_rows_are_cut_into_bands_inside_its_frame():
    """A loop's frame is one rectangle: only its rows are cut into bands side by side, level
    with each other, and no node outside the loop lands inside the frame's cells; what the
    loop returns (torch_cell_loop's `steps`) stands beside its last band, level with the
    loop's last layer, when that is nearer twice as wide as tall (the bands then run down and
    back up, a ring), what it reads (`wave`) above the first."""
    for stem, rows in (("torch_cell_loop", {"c": 7, "s": 4}), ("torch_seq2seq_attention", None)):
        spec = load(str(ROOT / "specs" / f"{stem}.yaml"))
        column, slide = (
            next(s for v, s in scenes(spec, target) if v.kind == "stack")
            for target in ("column", "slide")
        )
        assert slide.edges == column.edges and slide.groups == column.groups
        (frame,) = slide.groups
        inside = [n.pos for n in slide.nodes if n.id in frame.nodes]
        columns = {x for x, _ in inside}
        top, bottom = min(y for _, y in inside), max(y for _, y in inside)
        assert len(columns) > len({n.pos[0] for n in column.nodes if n.id in frame.nodes})
        assert not [
            n.id
            for n in slide.nodes
            if n.id not in frame.nodes
            and min(columns) <= n.pos[0] <= max(columns)
            and top <= n.pos[1] <= bottom
        ]
        depth = {t: 1 + max(n.pos[1] for n in s.nodes) for t, s in (("c", column), ("s", slide))}
        assert depth["s"] < depth["c"]
        if rows is not None:  # the loop's two bands, down then back up: a ring, no diagonal
            assert depth == rows
            ring = [e for e in slide.edges if {e.src, e.dst} <= set(frame.nodes)]
            assert len(ring) == 4 and all(
                _pos(slide, e.src)[0] == _pos(slide, e.dst)[0]
                or _pos(slide, e.src)[1] == _pos(slide, e.dst)[1]
                for e in ring
            )
            assert _pos(slide, "steps")[1] == _pos(slide, "linear")[1] > _pos(slide, "wave")[1]
            assert _pos(slide, "steps")[0] > max(columns)


def test_a_slide_s_layer_boxes_name_the_convention_once_and_share_a_line_of_final_states():
    """The convention is the total's (`total: 14,018,416 params (PyTorch)`), not every box's;
    h_n and c_n of one shape are one line; a column keeps both, and the numbers are equal."""
    spec = load(str(ROOT / "specs" / "torch_seq2seq_stacked.yaml"))
    text = {}
    for target in ("column", "slide"):
        scene = next(s for v, s in scenes(spec, target) if v.kind == "stack")
        node = next(n for n in scene.nodes if n.id == "encoder.rnn")
        text[target] = ["".join(r.text for r in line) for line in node.label]
    assert "3,678,208 params (PyTorch)" in text["column"] and "3,678,208 params" in text["slide"]
    assert [t for t in text["column"] if t.startswith(("h_n", "c_n"))] == [
        "h_n (2, None, 512)",
        "c_n (2, None, 512)",
    ]
    assert [t for t in text["slide"] if "_n" in t] == ["h_n, c_n (2, None, 512)"]
    assert not [t for t in text["slide"] if "PyTorch" in t]


def test_a_slide_s_layer_boxes_leave_out_a_count_of_zero_only():
    """A slide is short of height: a layer without parameters (a Dropout, a cat) takes no
    `0 params` line; a column's box keeps it, and a layer with parameters keeps its count."""
    spec = load(str(ROOT / "specs" / "torch_seq2seq_attention.yaml"))
    text = {}
    for target in ("column", "slide"):
        scene = next(s for v, s in scenes(spec, target) if v.kind == "stack")
        text[target] = {n.id: plain_text(n.label) for n in scene.nodes}
    assert "0 params (PyTorch)" in text["column"]["decoder.dropout"]
    assert "params" not in text["slide"]["decoder.dropout"]
    assert "33,153 params" in text["slide"]["decoder.attention"]


def test_a_slide_cell_s_weight_box_keeps_its_shape_under_a_long_name():
    """PyTorch's projection (`weight_hr_l0`, `(32, 128)`) stands beside h_t and c_t: on a
    slide its shape stays under its name, as narrow as they are, while h_t, c_t and a gate's
    symbol share a line with their shapes."""
    spec = load(str(ROOT / "specs" / "torch_lstm_projections.yaml"))
    lines = {}
    for target in ("column", "slide"):
        scene = next(s for v, s in scenes(spec, target) if v.kind == "cell")
        lines[target] = {
            n.id: ["".join(r.text for r in line) for line in n.label] for n in scene.nodes
        }
    assert lines["slide"]["proj"] == lines["column"]["proj"] == ["weight_hr_l0", "(32, 128)"]
    assert len(lines["column"]["h"]) == len(lines["column"]["c"]) == 2
    assert len(lines["slide"]["h"]) == len(lines["slide"]["c"]) == 1
    assert len(lines["slide"]["f"]) < len(lines["column"]["f"])


def _pos(scene: Scene, node_id: str) -> tuple[int, int]:
    return next(n.pos for n in scene.nodes if n.id == node_id)


def test_target_is_checked_like_every_render_option(write_spec, capsys):
    path = write_spec(
        "model:\n  input: {shape: [null, 8]}\n  layers:\n    - LSTM: {units: 4}\n"
        "render: {target: slid}\n"
    )
    with pytest.raises(SpecError) as error:
        load(str(path))
    message = str(error.value)
    assert message.count("\n") == 0 and ":5:" in message and "did you mean 'slide'" in message
    with pytest.raises(SpecError) as error:
        figure(str(SEED), "stack", target="wide")
    assert "figure(target=...)" in str(error.value)


def test_cli_and_api_draw_the_same_slide_figure(tmp_path):
    out = tmp_path / "stack.svg"
    assert (
        main(
            [
                "render",
                str(SEED),
                "--view",
                "stack",
                "--target",
                "slide",
                "--backend",
                "graphviz",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    api = figure(str(SEED), "stack", target="slide").svg
    assert out.read_text("utf-8") == api


def test_tikz_draws_the_matplotlib_layout_at_the_slide_type():
    """TikZ shares matplotlib's layout: the same canvas, its small text at the slide's size."""
    spec = load(str(SEED))
    options = {"target": "slide", "backends": ("tikz", "matplotlib"), "formats": ("tex", "svg")}
    figs = {(f.view.name, f.backend): f.data for f in render_figures(spec, options)}
    tex = figs[("unrolled", "tikz")].decode()
    box = re.search(r"\\useasboundingbox \(0,0\) rectangle \(([\d.]+),([\d.]+)\)", tex)
    assert box is not None
    width, height = (float(v) for v in box.groups())
    svg = figs[("unrolled", "matplotlib")].decode()
    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert view is not None
    assert (width, height) == pytest.approx(tuple(float(v) for v in view.groups()), abs=0.01)
    assert ASPECT_BAR[0] <= width / height <= ASPECT_BAR[1]
    assert r"\fontsize{14bp}" in tex and "{16bp}" not in tex
    assert r"$h_{0}$" in tex  # scripts at LaTeX's script size, as the layout set them


@pytest.fixture(scope="module")
def drawn() -> dict[str, bytes]:
    """Every view of every gallery spec, column and slide, in both SVG backends."""
    figures = {}
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = load(str(path))
        for target in ("column", "slide"):
            for fig in render_figures(spec, {"target": target}):
                figures[f"{spec.stem}/{fig.view.name}.{target}.{fig.backend}"] = fig.data
    return figures


@pytest.fixture(scope="module")
def measured(browser, tmp_path_factory, drawn):
    """The figures measured in Chromium, by name."""
    figures = {name: data.decode("utf-8") for name, data in drawn.items()}
    return {f["name"]: f for f in fp.measure(browser, figures, tmp_path_factory.mktemp("s"))}


@pytest.mark.needs_browser
@pytest.mark.needs_dot
def test_every_slide_figure_fits_the_slide_s_aspect(measured):
    off = {
        n: round(fp.aspect(f), 3)
        for n, f in measured.items()
        if ".slide." in n and not ASPECT_BAR[0] <= fp.aspect(f) <= ASPECT_BAR[1]
    }
    assert not off


@pytest.mark.needs_browser
@pytest.mark.needs_dot
def test_slide_text_is_never_smaller_than_the_column_figure_s_on_a_slide(measured):
    """Text but scripts (a column's smallest is its 10 pt shapes and scripts alike, a slide's
    its 10/14 scripts: those the bar measures)."""
    worse = {
        n: (round(fp.slide_base_and_script_px(f)[0], 1), round(base, 1))
        for n, f in measured.items()
        if ".slide." in n
        and fp.slide_base_and_script_px(f)[0]
        < (base := fp.slide_base_and_script_px(measured[n.replace(".slide.", ".column.")])[0])
    }
    assert not worse


@pytest.mark.needs_browser
@pytest.mark.needs_dot
def test_slide_text_reaches_18_px_its_scripts_their_ratio_but_for_the_figures_listed(measured):
    under: dict[str, list[str]] = {}
    for n, f in measured.items():
        base, script = fp.slide_base_and_script_px(f)
        if ".slide." in n and (base < SLIDE_BAR or script < SCRIPT_BAR):
            under.setdefault(n.split(".")[0], []).append(f"{base:.1f}/{script:.1f}")
    assert set(under) <= UNDER_BAR, {k: v for k, v in under.items() if k not in UNDER_BAR}
    assert set(under) >= UNDER_BAR, f"at the bar now, take off UNDER_BAR: {UNDER_BAR - set(under)}"


SLIDE_TEXT_TOLERANCE = 0.01  # px: the browser's text px against the size read off the bytes


@pytest.mark.needs_browser
@pytest.mark.needs_dot
def test_a_slide_figure_s_text_px_read_off_its_bytes_is_the_browser_s(measured, drawn):
    """What `render` notes a slide by (render/slide_text.py, no browser) is what Chromium
    measures of it fitted into the slide's area, figure by figure."""
    assert (slide_text.AREA, slide_text.BAR) == (fp.SLIDE_AREA, SLIDE_BAR)
    read = {n: slide_text.slide_text_px(drawn[n], "svg", 144) for n in measured if ".slide." in n}
    apart = {
        n: (round(fp.slide_base_and_script_px(measured[n])[0], 3), px)
        for n, px in read.items()
        if px is None
        or abs(fp.slide_base_and_script_px(measured[n])[0] - px) > SLIDE_TEXT_TOLERANCE
    }
    assert not apart


@pytest.mark.needs_dot
def test_render_notes_the_slide_figures_under_the_bar_and_no_other(drawn):
    """Each backend's slide figures that `render` notes as too small are UNDER_BAR's."""
    for backend in ("graphviz", "matplotlib"):
        noted = {
            n.split(".")[0]
            for n, data in drawn.items()
            if n.endswith(f".slide.{backend}") and slide_text.slide_note(n, data, "svg", 144)
        }
        assert noted == UNDER_BAR, backend


@pytest.mark.needs_dot
def test_a_slide_figure_s_text_px_is_read_alike_off_every_format():
    """A PNG's pixels at its dpi (96, its fewest pixels), a PDF's page (lualatex's in a
    compressed object stream, where TikZ writes PDF), TikZ's canvas: each the size its SVG
    gives (Graphviz's PDF page too: no margin of white that its SVG lacks)."""
    spec = load(str(SEED))
    backends, formats = ("graphviz", "matplotlib", "tikz"), ("svg", "png", "pdf", "tex")
    options = {"target": "slide", "backends": backends, "formats": formats, "dpi": 96}
    px = {
        (f.view.name, f.backend, f.fmt): slide_text.slide_text_px(f.data, f.fmt, 96)
        for f in render_figures(spec, options)
    }
    for (view, backend, fmt), value in px.items():
        assert value is not None
        svg = px[view, "matplotlib" if backend == "tikz" else backend, "svg"]
        assert svg is not None
        # a PNG is a whole number of pixels, a PDF's page of points: 0.4 % is one of 250
        assert value == pytest.approx(svg, rel=0.004), (view, backend, fmt)


@pytest.mark.needs_browser
@pytest.mark.needs_dot
def test_no_text_of_a_slide_figure_overlaps_or_leaves_it(measured):
    slides = [f for n, f in measured.items() if ".slide." in n]
    assert not {f["name"]: c for f in slides if (c := fp.ink_clashes(f) + fp.same_line_overlaps(f))}
    assert not {f["name"]: o for f in slides if (o := fp.outside(f))}


# Slide figures with an edge label a line runs through (Graphviz, measured in the browser; the
# matplotlib layout, which TikZ draws, from its own routes): the lists may only shrink.
ON_A_LINE = {
    "graphviz": set(),
    "matplotlib": set(),
}


@pytest.mark.needs_browser
@pytest.mark.needs_dot
def test_no_line_of_a_graphviz_slide_figure_runs_through_an_edge_label(measured):
    """A chain's edge into its next line (seed_sentiment's `(None, 1)`) kept its label as an
    xlabel, which dot set on that slanted line; every stack's labels now stand clear."""
    found = {
        n.split(".")[0]
        for n, f in measured.items()
        if n.endswith(".slide.graphviz") and fp.labels_on_lines(f)
    }
    assert found <= ON_A_LINE["graphviz"], found - ON_A_LINE["graphviz"]
    assert found == ON_A_LINE["graphviz"], f"take off ON_A_LINE: {ON_A_LINE['graphviz'] - found}"
    column = measured["seed_sentiment/stack.column.graphviz"]
    assert column["lines"] and not fp.labels_on_lines(column)


def test_no_route_of_a_matplotlib_slide_figure_runs_through_an_edge_label():
    """A label as large as the text beside a shallow line, or between lines, that one ran
    through (encoder_decoder stack's `(None, None, 64)`, crossed by the state's curve) stands
    above or below the line. Through: deeper into the label than a quarter of its height, as
    the browser measures Graphviz's (a line passing a label may cut its rectangle's corner)."""
    found = set()
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for view, scene in scenes(load(str(path)), "slide"):
            with layout.measuring(False, scene.name):
                placed = layout.Layout(scene, style.THEMES["light"], "slide")
            points = [
                layout.on_arc(*route, k / 100)
                for route in placed.routes
                if route is not None
                for k in range(1, 100)
            ]
            if any(_depth(rect, points) > rect.h / 4 for rect in placed.label_at.values()):
                found.add(f"{path.stem}/{view.name}")
    assert found <= ON_A_LINE["matplotlib"], found - ON_A_LINE["matplotlib"]
    assert found == ON_A_LINE["matplotlib"], f"take off: {ON_A_LINE['matplotlib'] - found}"


def _depth(rect: Box, points: list[tuple[float, float]]) -> float:
    """How far the deepest of `points` lies inside `rect` (negative: none inside)."""
    left, right, bottom, top = (
        rect.x - rect.w / 2,
        rect.x + rect.w / 2,
        rect.y - rect.h / 2,
        rect.y + rect.h / 2,
    )
    return max((min(x - left, right - x, y - bottom, top - y) for x, y in points), default=-1.0)


def test_a_slide_line_under_an_underscore_keeps_clear_of_it():
    """Graphviz: `source_tokens` over `(None, None) int32`, both 14 pt on a slide: the next
    line's ascenders (a parenthesis reaches 0.76 em) stand 2 pt clear of the underscore (its
    foot 0.24 em under the baseline); dot advanced the line by 15.6 pt, touching (Firefox)."""
    spec = load(str(ROOT / "specs" / "encoder_decoder.yaml"))
    svg = next(
        f.data.decode()
        for f in render_figures(spec, {"target": "slide", "backends": ("graphviz",)})
        if f.view.name == "stack"
    )
    node = svg[svg.index("<title>source_tokens</title>") :]
    baselines = [float(y) for y in re.findall(r'<text [^>]*y="([-\d.]+)"', node)[:3]]
    assert baselines[1] == baselines[2]  # the strut, then the line itself
    assert baselines[1] - baselines[0] >= (0.24 + 0.76) * 14 + 2


def test_a_tall_grid_runs_what_follows_its_last_step_beside_it_on_a_slide():
    """imdb_bilstm's pooling, Dropout and Dense, three rows up its last column in a column
    figure, run down one column right of the last step's concat on a slide, from its row,
    with a step column fewer, and the output leaves Dense sideways; a short grid
    (seed_sentiment: one Dense) keeps its column of rows."""
    rows = {}
    for stem in ("imdb_bilstm", "seed_sentiment"):
        spec = load(str(ROOT / "specs" / f"{stem}.yaml"))
        for target in ("column", "slide"):
            scene = next(s for v, s in scenes(spec, target) if v.name == "unrolled")
            rows[stem, target] = 1 + max(n.pos[1] for n in scene.nodes)
            steps = {n.pos[0] for n in scene.nodes if n.pos[1] == 0}  # the inputs' row
            chain = [n for n in scene.nodes if n.pos[0] > max(steps)]
            if (stem, target) == ("imdb_bilstm", "slide"):
                assert len(steps) == 3 and {n.role for n in chain} == {"merge", "output", "exit"}
                boxes = [n for n in chain if n.role != "exit"]
                assert len({n.pos[0] for n in boxes}) == 1
                top = rows[stem, target] - 1  # the concat's row
                assert sorted(n.pos[1] for n in boxes) == list(range(top - 2, top + 1))
                (exit_node,) = (n for n in chain if n.role == "exit")
                assert exit_node.pos == (boxes[-1].pos[0] + 1, boxes[-1].pos[1])
            else:
                assert len(steps) == 4 and not chain
    # and the row the output would leave up by
    assert rows["imdb_bilstm", "column"] - rows["imdb_bilstm", "slide"] == 4
    assert rows["seed_sentiment", "column"] == rows["seed_sentiment", "slide"]


def test_a_grid_twice_as_tall_as_wide_stands_as_two_panels_on_a_slide():
    """torch_lstm_tagger (two bidirectional layers): ten rows by four step columns in a column
    figure; on a slide, two panels of three step columns (0, ..., T-1), the second layer's
    right of the first's on a copy of its output row: no edge runs between the panels, and
    each panel names both directions' recurrent weights in its first gap and, short of width
    too, sets its final states one a line."""
    spec = load(str(ROOT / "specs" / "torch_lstm_tagger.yaml"))
    column, slide = (
        next(s for v, s in scenes(spec, target) if v.name == "unrolled")
        for target in ("column", "slide")
    )
    size = {
        t: (1 + max(n.pos[0] for n in s.nodes), 1 + max(n.pos[1] for n in s.nodes))
        for t, s in (("c", column), ("s", slide))
    }
    assert size == {"c": (4, 10), "s": (6, 6)}
    at = {n.id: n.pos for n in slide.nodes}
    assert all((at[e.src][0] < 3) == (at[e.dst][0] < 3) for e in slide.edges)
    top = max(p[1] for n, p in at.items() if p[0] < 3)
    labels = {p: plain_text(n.label) for n in slide.nodes for p in [n.pos]}
    assert [labels[c, top] for c in range(3)] == [labels[c + 3, 0] for c in range(3)]
    assert labels[0, top].startswith("y_0^{(1)}")
    named = [
        min(at[e.src][0], at[e.dst][0]) for e in slide.edges if e.role == "recurrent" and e.label
    ]
    assert sorted(named) == [0, 0, 3, 3]
    finals = [line for t in labels.values() for line in t.split("\n") if "_n[" in line]
    assert sorted(finals)[:2] == ["= h_n[0],", "= h_n[1],"] and len(finals) == 8


def test_curves_bulging_into_one_gap_from_both_its_sides_keep_apart():
    """The tagger's slide: the last step of the first panel curves right past its forward
    cell, the first step of the second curves left past its own; laid out at first, the
    two crossed in the gap between the panels, which is set wider until they stand GAP_X
    apart."""
    spec = load(str(ROOT / "specs" / "torch_lstm_tagger.yaml"))
    scene = next(s for v, s in scenes(spec, "slide") if v.name == "unrolled")
    with layout.measuring(False, scene.name):
        placed = layout.Layout(scene, style.THEMES["light"], "slide")
        assert placed._crowded() == {}
        placed._place({})
        assert set(placed._crowded()) == {2}  # the gap between the panels


def test_a_window_layer_on_a_slide_sets_t_s_change_beside_its_call_and_the_shape_under_it():
    """conv_lstm_forecaster's Conv1D and MaxPooling1D: four lines each in a column figure
    (call, window, T, shape), two on a slide, whose height is what it is short of."""
    spec = load(str(ROOT / "specs" / "conv_lstm_forecaster.yaml"))
    boxes = {}
    for target in ("column", "slide"):
        scene = next(s for v, s in scenes(spec, target) if v.name == "unrolled")
        boxes[target] = [
            ["".join(r.text for r in line) for line in n.label]
            for n in scene.nodes
            if n.role == "layer"
        ]
    assert [len(label) for label in boxes["column"]] == [4, 4]
    assert boxes["slide"] == [
        [
            "Conv1D(32, 3, padding=causal, activation=relu) T: 48 → 48",
            "window of 3 steps, stride 1, causal; (None, 48, 32)",
        ],
        ["MaxPooling1D() T: 48 → 24", "window of 2 steps, stride 2, valid; (None, 24, 32)"],
    ]


def test_an_encoder_s_decoder_stands_right_of_it_on_its_rows_on_a_slide():
    """lstm_autoencoder: the decoder above the encoder in a column figure (six rows), right of
    it on a slide (four), each grid a step column fewer (0, ..., 29); every node and edge is
    kept, and the encoder's last state still feeds each drawn copy of the RepeatVector."""
    spec = load(str(ROOT / "specs" / "lstm_autoencoder.yaml"))
    column, slide = (
        next(s for v, s in scenes(spec, target) if v.name == "unrolled")
        for target in ("column", "slide")
    )
    rows = {t: 1 + max(n.pos[1] for n in s.nodes) for t, s in (("c", column), ("s", slide))}
    assert rows == {"c": 6, "s": 4}
    encoder = [n for n in slide.nodes if not n.id.startswith("d")]
    decoder = [n for n in slide.nodes if n.id.startswith("d")]
    assert max(n.pos[0] for n in encoder) < min(n.pos[0] for n in decoder)
    assert len({n.pos[0] for n in encoder}) == len({n.pos[0] for n in decoder}) == 3
    assert {n.pos[1] for n in decoder} == set(range(4))
    copies = [n.id for n in decoder if n.pos[1] == 0 and n.role == "input"]
    fed = {e.dst for e in slide.edges if e.role == "flow" and e.dst in copies}
    assert len(copies) == 2 and fed == set(copies)
    # no two steps side by side: each grid's U is named on its first edge into `...`
    named = [e.label[0][0].text for e in slide.edges if e.role == "recurrent" and e.label]
    assert named == ["U", "U"]


def test_a_slide_lstm_cell_s_inputs_stand_under_its_widest_gate():
    """The candidate's box (`c̃_t = tanh(…)`) is the widest of an LSTM's four gates: on a
    slide, short of width, the inputs stand under it, and its column is no wider for them
    (torch_lstm_projections: 17.8 px in matplotlib under the input gate); a column keeps them
    under the input gate."""
    spec = load(str(ROOT / "specs" / "torch_lstm_projections.yaml"))
    at = {}
    for target in ("column", "slide"):
        scene = next(s for v, s in scenes(spec, target) if v.kind == "cell")
        pos = {n.id: n.pos for n in scene.nodes}
        at[target] = next(g for g in "fgio" if pos[g][0] == pos["inputs"][0])
    assert at == {"column": "i", "slide": "g"}
    slide = layout.Layout(
        next(s for v, s in scenes(spec, "slide") if v.kind == "cell"),
        style.THEMES["light"],
        "slide",
    )
    assert slide.boxes["inputs"].w <= slide.boxes["g"].w


def test_a_slide_s_graphviz_columns_are_closer_as_its_rows_are():
    """dot's nodesep on a slide is a time axis's beside another (0.25 in), not a column's
    0.35 in; a layer graph's, whose edge labels are nodes of the ranks between, padded on
    their own, closer still (0.1 in), its ranks too (0.3 in, not 0.45): attention_luong's
    stack reaches 18 px (14.8 before, with its last band ending level with the first). A
    graph through time, its weights one a line in the gaps beside their columns, packs both
    closer (0.2 in, 0.25 in): attention_luong's unrolled view reaches 18 px (17.9 before)."""
    spec = load(str(ROOT / "specs" / "attention_luong.yaml"))
    source = {
        (target, view.kind): dot_source(scene, style.THEMES["light"], target)
        for target in ("column", "slide")
        for view, scene in scenes(spec, target)
    }
    assert (
        "nodesep=0.35" in source["column", "stack"] and "ranksep=0.45" in source["column", "stack"]
    )
    assert "nodesep=0.1 " in source["slide", "stack"] and "ranksep=0.3" in source["slide", "stack"]
    assert (
        "nodesep=0.2 " in source["slide", "unrolled"]
        and "ranksep=0.25" in source["slide", "unrolled"]
    )


def test_a_folded_pair_on_a_slide_sets_its_merge_between_its_cells_the_forward_loop_outside():
    """Short of height, a folded bidirectional layer's merge stands in its two cells' row
    (two rows fewer for the tagger's two layers, which reach 18 px so), and the forward cell's
    loop, which would cross its edge into the merge, runs out of its left side, where the
    slide's layouts draw it; in a column the merge keeps its own row and every loop its right."""
    spec = load(str(ROOT / "specs" / "torch_lstm_tagger.yaml"))
    for target in ("column", "slide"):
        scene = next(s for v, s in scenes(spec, target) if v.kind == "folded")
        at = {n.id: n.pos for n in scene.nodes}
        merges = [n.id for n in scene.nodes if n.role == "merge"]
        cells = {e.src for e in scene.edges if e.role == "merge"}
        assert len(merges) == 2 and len(cells) == 4
        same = {at[c][1] for c in cells} == {at[m][1] for m in merges}
        forward = {c for c in cells if at[c][0] == 0}
        assert same == (target == "slide")
        assert left_loops(scene) == (forward if target == "slide" else frozenset())
        if target == "slide":
            lay = layout.Layout(scene, style.THEMES["light"], "slide")
            for c in cells:
                loop = lay.loop_points(c)
                side = -1 if c in forward else 1
                assert all(
                    side * (x - lay.boxes[c].x) >= lay.boxes[c].w / 2 - 1e-6 for x, _ in loop
                )
            assert (
                dot_source(scene, style.THEMES["light"], "slide").count("headport=w tailport=w")
                == 2
            )


def test_a_slide_layer_graph_s_handed_over_state_label_stands_nearer_its_own_line():
    """matplotlib: the seq2seq decoder's `h (1, None, 128)` (the encoder's state handed over)
    stood against decode_t's vertical edge, nearer it than its own dashed line, reading as
    its; now every line of an edge meeting its own at no node is LABEL_OFF farther off."""
    spec = load(str(ROOT / "specs" / "torch_seq2seq_attention.yaml"))
    scene = next(s for v, s in scenes(spec, "slide") if v.kind == "stack")
    placed = layout.Layout(scene, style.THEMES["light"], "slide")
    index = next(
        i for i, e in enumerate(scene.edges) if (e.src, e.dst) == ("encoder.gru", "decoder.gru")
    )
    rect = placed.label_at[index]

    def gap(i: int) -> float:
        route = placed.routes[i]
        assert route is not None
        points = [on_arc(*route, k / 200) for k in range(201)]
        return min(
            math.hypot(max(abs(x - rect.x) - rect.w / 2, 0), max(abs(y - rect.y) - rect.h / 2, 0))
            for x, y in points
        )

    ends = {"encoder.gru", "decoder.gru"}
    strangers = [i for i, e in enumerate(scene.edges) if not ends & {e.src, e.dst}]
    assert min(gap(i) for i in strangers) > gap(index) + layout.LABEL_OFF
