"""The TikZ backend: real LaTeX math, every special character escaped, Korean through a CJK
font, deterministic PDFs, and every gallery figure typeset by a real lualatex."""

import re
import subprocess
import unicodedata

import pytest
from conftest import ROOT

from rnndiagrams import load, style
from rnndiagrams.cli import main
from rnndiagrams.errors import RenderError
from rnndiagrams.pipeline import render_figures, scenes
from rnndiagrams.quoting import latex_text
from rnndiagrams.render import frames, tikz
from rnndiagrams.scene import Edge, Node, Run, Scene, sym, words

SPECIALS = "# $ % & ~ _ ^ \\ { } ' ` -- < > \""  # the ten, and what ligatures change
GALLERY = sorted((ROOT / "specs").glob("*.yaml"))
OPTIONS = {"theme": "light", "dpi": 144, "text": "paths", "legend": "short"}


def _text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, spaces and line breaks dropped."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return _squeeze(out.stdout.decode("utf-8"))


def _squeeze(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace(". . .", "...")
    return re.sub(r"\s+", "", text)


def _lualatex(folder, name: str) -> None:
    """Compile folder/name.tex; a failure names TeX's first error."""
    done = subprocess.run(
        ["lualatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=folder,
        capture_output=True,
        timeout=600,
    )
    log = folder / f"{name}.log"
    assert done.returncode == 0, tikz.tex_error(log.read_text("utf-8", "replace"))


def _scene(title: str, label: str) -> Scene:
    return Scene(
        name=title,
        legend=((words(label),),),
        flow="up",
        nodes=(
            Node("a", ((sym("h", "t", "(2)"),), (words(label, small=True),)), "state"),
            Node("b", ((sym("c̃", "t"), words(" ⊙ "), sym("W", "hh")),), "input", pos=(0, 1)),
        ),
        edges=(Edge("b", "a", ((words(label),),), "input"),),
    )


def test_latex_text_escapes_all_ten_specials_and_breaks_ligatures():
    assert latex_text(SPECIALS) == (
        r"\# \$ \% \& \textasciitilde{} \_ \textasciicircum{} \textbackslash{} \{ \}"
        r" \textquotesingle{} \textasciigrave{} -\kern0pt -\kern0pt  \textless{} \textgreater{}"
        r" \textquotedbl{}"
    )
    assert latex_text("a\nb\u202e") == r"a\textbackslash{}x0ab\textbackslash{}u202e"


def test_labels_are_latex_math():
    assert tikz.run_tex(sym("h", "t", "(2)")) == "$h_{t}^{(2)}$"
    assert tikz.run_tex(sym("W", "hh")) == "$W_{hh}$"
    assert tikz.run_tex(sym("c̃", "t")) == r"$\tilde{c}_{t}$"
    assert tikz.run_tex(sym("h", "0", "(1)→")) == r"$h_{0}^{(1)\rightarrow}$"
    assert tikz.run_tex(words(" ⊙ ")) == r" \ensuremath{\odot} "
    assert tikz.run_tex(words("(32,)", small=True)) == r"\rnnsmall{(32,)}"
    assert tikz.run_tex(words(" (32,)", small=True)) == r" \rnnsmall{(32,)}"  # \color eats it
    assert tikz.run_tex(Run("#", sub="_", italic=True)) == r"$\mbox{\#}_{\mbox{\_}}$"


@pytest.mark.needs_tex
def test_specials_and_korean_come_out_of_the_pdf_as_written():
    label = f"{SPECIALS} 감성 분류"
    (pdf,) = tikz.draw_scenes([_scene(f"title {SPECIALS} 한국어", label)], "pdf", OPTIONS)
    text = _text(pdf)
    assert _squeeze(f"title {SPECIALS} 한국어") in text
    assert text.count(_squeeze(label)) == 3  # legend, node and edge label


@pytest.mark.needs_tex
def test_pdf_bytes_repeat_and_carry_no_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    scene = _scene("repeat", "x")
    first = tikz.draw_scenes([scene], "pdf", OPTIONS)
    assert tikz.draw_scenes([scene], "pdf", OPTIONS) == first
    assert b"CreationDate" not in first[0] and b"Producer" not in first[0]


@pytest.mark.filterwarnings("ignore:Glyph")  # matplotlib's measure lacks the font too
def test_korean_without_a_cjk_font_is_one_line(monkeypatch):
    monkeypatch.setattr(style, "FONT_FALLBACKS", ("No Such Font",))
    with pytest.raises(RenderError) as caught:
        tikz.draw_scenes([_scene("감성", "x")], "tex", OPTIONS)
    assert "\n" not in str(caught.value) and "CJK font" in str(caught.value)


def test_tex_error_is_the_first_error_and_its_line():
    log = "noise\n! Undefined control sequence.\nl.12 \\foo\n! Emergency stop.\n"
    assert tikz.tex_error(log) == "Undefined control sequence. (l.12)"


def test_colours_are_provided_by_role(tmp_path):
    path = next(p for p in GALLERY if "unrolled" in {v.name for v in load(str(p)).views})
    assert (
        main(["render", str(path), "--backend", "tikz", "--format", "tex", "-o", str(tmp_path)])
        == 0
    )
    tex = (tmp_path / path.stem / "unrolled.tikz.tex").read_text()
    assert r"\providecolor{rnnstatefill}{HTML}{FBE8C8}" in tex
    assert r"\providecolor{rnnedgerecurrent}{HTML}{D55E00}" in tex
    assert "#" not in tex.split(r"\begin{tikzpicture}")[1]  # colours by name only


@pytest.mark.needs_tex
def test_every_gallery_figure_inputs_into_one_document_and_keeps_its_labels(tmp_path):
    """Every figure of every gallery spec, \\input into one document: it compiles, and each
    page's text holds every label's words and symbols."""
    figures = []
    for path in GALLERY:
        spec = load(str(path))
        for view, scene in scenes(spec):
            (data,) = tikz.draw_scenes([scene], "tex", OPTIONS)
            name = f"{spec.stem}-{view.name}.tex"
            (tmp_path / name).write_bytes(data)
            figures.append((name, scene))
    body = "\n".join(rf"\input{{{name}}}\clearpage" for name, _ in figures)
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\\usepackage{fontspec}\n"
        "\\directlua{luaotfload.add_fallback('k', {'NanumGothic:mode=node;'})}\n"
        "\\setmainfont{Latin Modern Roman}[RawFeature={fallback=k}]\n"
        + "\n".join(tikz.SEARCHABLE_MATH)
        + "\\usepackage{tikz}\\usetikzlibrary{arrows.meta}\n"
        "\\usepackage[paperwidth=40in,paperheight=40in,margin=0pt]{geometry}\n"
        f"\\begin{{document}}\n{body}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    _lualatex(tmp_path, "paper")
    pdf = (tmp_path / "paper.pdf").read_bytes()
    for page, (name, scene) in enumerate(figures, start=1):
        out = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        )
        text = _squeeze(out.stdout.decode("utf-8"))
        labels = [scene.title, scene.legend, *(n.label for n in scene.nodes)]
        labels += [e.label for e in scene.edges]
        for label in labels:
            for line in label:
                for run in line:
                    base = unicodedata.normalize("NFD", run.text)
                    base = "".join(c for c in base if not unicodedata.combining(c))
                    assert _squeeze(base) in text, (name, run.text)


NUMPY = ROOT / "specs" / "seed_numpy_rnn.yaml"


@pytest.mark.needs_tex
def test_frames_are_beamer_overlays_one_slide_a_step(tmp_path):
    args = ["render", str(NUMPY), "--frames", "--backend", "tikz", "--format", "tex"]
    assert main([*args, "-o", str(tmp_path)]) == 0
    folder = tmp_path / NUMPY.stem
    unrolled = (folder / "unrolled.tikz.tex").read_text()
    assert r"\visible<1->{" in unrolled and r"\only<4>{" in unrolled
    assert r"\visible<" not in (folder / "folded.tikz.tex").read_text()  # not a time grid
    (tmp_path / "deck.tex").write_text(
        "\\documentclass[aspectratio=169]{beamer}\\usepackage{fontspec}\n"
        "\\usepackage{tikz}\\usetikzlibrary{arrows.meta}\n\\begin{document}\n"
        "\\begin{frame}{Unrolled}\\centering\n"
        f"\\resizebox{{!}}{{0.8\\textheight}}{{\\input{{{folder / 'unrolled.tikz.tex'}}}}}\n"
        "\\end{frame}\n\\end{document}\n"
    )
    _lualatex(tmp_path, "deck")
    info = subprocess.run(["pdfinfo", "deck.pdf"], cwd=tmp_path, capture_output=True, text=True)
    scene = dict((v.name, s) for v, s in scenes(load(str(NUMPY))))["unrolled"]
    assert f"Pages:           {len(frames.builds(scene))}" in info.stdout
    # outside Beamer the same file is the whole figure: one page with every label
    overrides = {"backends": ("tikz",), "formats": ("pdf",), "frames": True}
    figures = render_figures(load(str(NUMPY)), overrides, ("unrolled",))
    (pdf,) = [f.data for f in figures if f.view.name == "unrolled"]
    assert "h99" in _text(pdf)
