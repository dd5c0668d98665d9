"""The notebook API in a real Jupyter kernel (ipykernel, run by nbclient), as a user's notebook
runs it: what reaches the notebook is the kernel's display data, not our method's return value."""

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

pytestmark = pytest.mark.needs_dot
BROKEN = "model:\n  input: {shape: [null, 8]}\n  layers: [{LSTM: {unit: 16}}]\n"

CELLS = [
    "import rnndiagrams as rd",
    'rd.figure("specs/seed_sentiment.yaml", view="unrolled")',
    'rd.figure("model: {input: {shape: [null, 8]}, layers: [{LSTM: {units: 16}}]}", view="cell",'
    ' backend="matplotlib", formats=["svg", "png"])',
    'fig = rd.figure({"model": {"input": {"shape": [None, 8]}, "layers": [{"GRU": {"units": 4}}]}})\n'
    "display(fig, fig)",
    'rd.summary("specs/seed_sentiment.yaml")',
    f"rd.figure({BROKEN!r})",
]


@pytest.fixture(scope="module")
def outputs():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()
    return [cell.outputs for cell in notebook.cells]


def test_a_figure_displays_as_svg(outputs):
    (out,) = outputs[1]
    assert out.output_type == "execute_result"
    assert "<svg" in out.data["image/svg+xml"]
    assert "image/png" not in out.data  # PNG only when asked: it costs a second render


def test_png_is_displayed_when_asked(outputs):
    (out,) = outputs[2]
    assert "<svg" in out.data["image/svg+xml"]
    assert out.data["image/png"]  # base64 in the notebook file


def test_one_figure_displayed_twice_has_distinct_ids(outputs):
    import re

    first, second = (o.data["image/svg+xml"] for o in outputs[3])
    ids = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in (first, second)]
    assert ids[0] and not ids[0] & ids[1]


def test_summary_displays_as_an_html_table(outputs):
    from rnndiagrams import load, shape_model

    (out,) = outputs[4]
    total = shape_model(load(str(ROOT / "specs" / "seed_sentiment.yaml"))).total_params
    assert out.data["text/html"].startswith("<table")
    assert f"Total params: {total:,} (" in out.data["text/html"]
    assert f"Total params: {total:,} (" in out.data["text/plain"]


def test_a_broken_spec_shows_the_located_error(outputs):
    (out,) = outputs[5]
    col = BROKEN.splitlines()[2].index("unit") + 1
    assert out.output_type == "error" and out.ename == "SpecError"
    assert out.evalue.startswith(f"<string>:3:{col}: unknown LSTM argument 'unit'")


@pytest.mark.needs_browser
def test_figures_shown_together_resolve_their_references_inside_themselves(
    outputs, browser, tmp_path
):
    """As a notebook front end inlines them: every #reference lands in its own figure."""
    svgs = [o.data["image/svg+xml"] for cell in outputs[1:4] for o in cell]
    page = tmp_path / "notebook.html"
    page.write_text("<!doctype html><meta charset=utf-8>" + "".join(svgs), encoding="utf-8")
    browser.get(page.as_uri())
    report = browser.execute_script(
        """
        const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
        const stray = [];
        document.querySelectorAll('body > svg').forEach((svg, n) => {
          svg.querySelectorAll('[href], [*|href], [clip-path]').forEach(e => {
            for (const v of [e.getAttribute('href'), e.getAttribute('xlink:href'),
                             e.getAttribute('clip-path')]) {
              const m = (v || '').match(/^#(.+)$|^url\\(#([^)]+)\\)$/);
              const target = m && document.getElementById(m[1] || m[2]);
              if (m && !(target && svg.contains(target))) stray.push([n, v]);
            }
          });
        });
        return {svgs: document.querySelectorAll('body > svg').length, ids: ids.length,
                unique: new Set(ids).size, stray: stray.slice(0, 5)};
        """
    )
    assert report["svgs"] == len(svgs) == 4
    assert report["ids"] == report["unique"]
    assert report["stray"] == []
