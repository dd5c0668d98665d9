"""The notebook API in-process: sources, the render pipeline's bytes, per-display ids, errors."""

import re
import subprocess
import sys
import warnings

import pytest
from conftest import ROOT, deep_bidirectional

import rnndiagrams as rd
from rnndiagrams.render.svg_clean import scope_ids

pytestmark = pytest.mark.needs_dot
SENTIMENT = ROOT / "specs" / "seed_sentiment.yaml"
LSTM_TEXT = "model: {input: {shape: [null, 8]}, layers: [{LSTM: {units: 16}}]}"
LSTM_DICT = {"model": {"input": {"shape": [None, 8]}, "layers": [{"LSTM": {"units": 16}}]}}


def test_importing_the_package_does_not_load_the_api_or_drawing_libraries():
    heavy = ("rnndiagrams.api", "matplotlib", "graphviz")
    code = f"import sys, rnndiagrams; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_figure_is_the_bytes_render_writes():
    """The committed output/ is what `rnndiagrams render` wrote (a test keeps it current)."""
    spec = rd.load(str(SENTIMENT))
    assert len(spec.render["backends"]) == 2
    for backend in spec.render["backends"]:
        for view in spec.views:
            fig = rd.figure(str(SENTIMENT), view=view.name, backend=backend)
            committed = ROOT / "output" / spec.stem / f"{view.name}.{backend}.svg"
            assert fig.data("svg") == committed.read_bytes()


def test_path_text_and_dict_give_the_same_figure():
    from_text = rd.figure(LSTM_TEXT, view="cell", backend="matplotlib")
    from_dict = rd.figure(LSTM_DICT, view="cell", backend="matplotlib")
    assert from_text.svg == from_dict.svg


def test_view_options_and_render_options_are_the_clis():
    four = rd.figure(str(SENTIMENT), view="unrolled", steps=4)
    two = rd.figure(str(SENTIMENT), view="unrolled", steps=2)
    assert four.view.options["steps"] == 4 and two.view.options["steps"] == 2
    assert four.svg != two.svg
    dark = rd.figure(str(SENTIMENT), view="stack", theme="dark")
    assert (
        dark.render["theme"] == "dark" and dark.svg != rd.figure(str(SENTIMENT), view="stack").svg
    )
    png = rd.figure(str(SENTIMENT), view="stack", dpi=72).png()
    assert png.startswith(b"\x89PNG")
    assert len(rd.figure(str(SENTIMENT), view="stack").png(dpi=200)) > len(png)


def test_a_slide_figure_too_small_to_read_warns_once_a_format_and_a_small_one_not():
    """Issue 19, as `render` notes it: one line naming the figure, its format and its px."""
    deep = rd.figure(deep_bidirectional(6), view="unrolled", target="slide")
    with pytest.warns(UserWarning) as caught:
        svg = deep.svg
        assert deep.svg == svg  # drawn once, said once
        deep.png()
    notes = [str(w.message) for w in caught]
    assert len(notes) == 2 and all("\n" not in n for n in notes)
    assert notes[0].startswith(f"{deep.spec.stem}/unrolled (graphviz, svg): note: text ")
    assert notes[1].startswith(f"{deep.spec.stem}/unrolled (graphviz, png): note: text ")
    assert "px on a 1280x720 slide, under the 18 px slides need" in notes[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rd.figure(str(SENTIMENT), view="unrolled", target="slide").svg


def test_two_displays_of_the_same_figure_share_no_id():
    fig = rd.figure(LSTM_TEXT, view="cell", backend="matplotlib")
    first, second = fig._repr_svg_(), fig._repr_svg_()
    ids = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in (first, second)]
    assert ids[0] and not ids[0] & ids[1]
    for svg, own in zip((first, second), ids, strict=True):
        refs = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
        assert refs and refs <= own  # every reference still resolves inside its own copy


def test_scope_ids_renames_definitions_references_and_style_rules_twice_over():
    svg = b'<svg><style>#a text{fill:#fff}</style><path id="a"/><use href="#a" clip-path="url(#a)"/></svg>'
    once = scope_ids(svg, "p")
    assert once == (
        b'<svg id="p"><style>#p-a text{fill:#fff}</style><path id="p-a"/>'
        b'<use href="#p-a" clip-path="url(#p-a)"/></svg>'
    )
    assert scope_ids(once, "q") == (
        b'<svg id="q-p"><style>#q-p-a text{fill:#fff}</style><path id="q-p-a"/>'
        b'<use href="#q-p-a" clip-path="url(#q-p-a)"/></svg>'
    )


def test_mimebundle_holds_the_formats_asked_for():
    svg_only = rd.figure(LSTM_TEXT, view="folded")._repr_mimebundle_()
    assert set(svg_only) == {"text/plain", "image/svg+xml"}
    both = rd.figure(LSTM_TEXT, view="folded", formats=["svg", "png"])
    bundle = both._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/svg+xml", "image/png"}
    assert bundle["image/png"].startswith(b"\x89PNG")
    assert rd.figure(LSTM_TEXT)._repr_png_() is None


def test_save_writes_the_format_of_the_suffix(tmp_path):
    fig = rd.figure(LSTM_TEXT, view="folded")
    assert fig.save(tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "f.svg").exists() is False
    fig.save(tmp_path / "f.svg")
    assert (tmp_path / "f.svg").read_bytes() == fig.data("svg")
    with pytest.raises(rd.SpecError, match=r"unknown file type '\.gif'"):
        fig.save(tmp_path / "f.gif")
    assert not (tmp_path / "f.gif").exists()


def test_an_error_in_yaml_text_is_located_in_that_text():
    text = "model:\n  input: {shape: [null, 8]}\n  layers: [{LSTM: {unit: 16}}]\n"
    col = text.splitlines()[2].index("unit") + 1
    with pytest.raises(rd.SpecError) as caught:
        rd.figure(text)
    assert str(caught.value).startswith(f"<string>:3:{col}: unknown LSTM argument 'unit'")
    assert "did you mean 'units'?" in str(caught.value)


def test_an_error_in_a_dict_names_its_key_path():
    bad = {"model": {"input": {"shape": [None, 8]}, "layers": [{"LSTM": {"units": 0}}]}}
    with pytest.raises(
        rd.SpecError,
        match=r"^<dict>\['model'\]\['layers'\]\[0\]\['LSTM'\]\['units'\]: units is 0; expected a positive integer",
    ):
        rd.figure(bad)


def test_a_dict_may_hold_numpy_numbers_but_not_objects():
    import numpy as np

    units = {
        "model": {
            "input": {"shape": [None, np.int64(8)]},
            "layers": [{"LSTM": {"units": np.int32(16)}}],
        }
    }
    assert rd.figure(units, view="cell").svg == rd.figure(LSTM_DICT, view="cell").svg
    odd = {"model": {"input": {"shape": [None, 8]}, "layers": [{"LSTM": {"units": {16}}}]}}
    with pytest.raises(
        rd.SpecError,
        match=r"^<dict>\['model'\]\['layers'\]\[0\]\['LSTM'\]\['units'\]: a value of type set",
    ):
        rd.figure(odd)
    with pytest.raises(rd.SpecError, match=r"^<dict>\['model'\]: key 1 is not a string"):
        rd.figure({"model": {1: 2}})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"view": "unroled"}, r"^figure\(view='unroled'\): .* \(did you mean 'unrolled'\?\)"),
        ({"view": "unrolled", "steps": "4"}, r"^figure\(steps=\.\.\.\): steps is the string '4'"),
        ({"view": "stack", "head": "hide"}, r"^figure\(head=\.\.\.\): unknown stack option 'head'"),
        ({"backend": "drawio"}, r"^figure\(backend=\.\.\.\): backend is the string 'drawio'"),
        ({"theme": "drak"}, r"^figure\(theme=\.\.\.\): .*did you mean 'dark'"),
    ],
)
def test_bad_arguments_are_one_located_spec_error(kwargs, message):
    with pytest.raises(rd.SpecError, match=message):
        rd.figure(str(SENTIMENT), **kwargs)


def test_a_view_kind_the_spec_does_not_list_is_drawn_with_defaults():
    fig = rd.figure(str(SENTIMENT), view="cell", backend="matplotlib")
    assert fig.view.kind == "cell" and "<svg" in fig.svg


def test_summary_is_text_and_html_with_the_engines_totals():
    from rnndiagrams import load, shape_model

    for convention in ("keras", "pytorch"):
        total = shape_model(load(str(SENTIMENT)), convention).total_params
        table = rd.summary(str(SENTIMENT), convention)
        assert f"Total params: {total:,} (" in str(table)
        html = table._repr_html_()
        assert html.startswith("<table") and f"Total params: {total:,} (" in html
        assert "<td>simple_rnn (SimpleRNN)</td>" in html
    with pytest.raises(rd.SpecError, match="did you mean 'keras'"):
        rd.summary(str(SENTIMENT), "kerass")
