"""The gallery as a lecture: one Beamer deck (`make slides` -> output/slides.pdf) that walks
the seed's story, the unrolled figures as step-by-step builds.

Every figure is the TikZ backend's file, `\\input` into a frame, so the deck's text is the
deck's font and its math real math; the builds are that file's Beamer overlays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderError
from ..render.tikz import SEARCHABLE_MATH, typeset
from ..specification.validate import load


@dataclass(frozen=True)
class Slide:
    title: str
    figures: tuple[tuple[str, str], ...]  # (spec stem, view name), side by side
    note: str = ""
    build: bool = False  # the unrolled views step through time


STORY = (
    Slide(
        "The two pictures everyone copies",
        (("seed_output_head", "folded"), ("seed_output_head", "folded-nohead")),
        "With the output head $o$, $V$, and without: not the same picture.",
    ),
    Slide(
        "Unrolled, with the output head",
        (("seed_output_head", "unrolled"),),
        "One step at a time: the recurrent weight $U$ carries $h_{t-1}$ into step $t$.",
        build=True,
    ),
    Slide(
        "Unrolled, without it: what numpy and Keras compute",
        (("seed_output_head", "unrolled-nohead"),),
        build=True,
    ),
    Slide(
        "The numpy loop, drawn to scale",
        (("seed_numpy_rnn", "numpy"),),
        "np.stack gives (100, 64); np.concatenate would give (6400,).",
    ),
    Slide("The loop is the unrolled picture", (("seed_numpy_rnn", "equivalence"),)),
    Slide(
        "The numbers Keras prints",
        (("seed_embedding_simplernn", "stack"), ("seed_sentiment", "stack")),
        "SimpleRNN(32) on 32 features: $32 \\times (32 + 32 + 1) = 2{,}080$ parameters.",
    ),
    Slide("LSTM: inside one step", (("lstm", "cell"),)),
    Slide("LSTM, unrolled", (("lstm", "unrolled"),), build=True),
    Slide("GRU: inside one step", (("gru", "cell"),)),
    Slide("Bidirectional", (("bidirectional", "unrolled"),), build=True),
    Slide("Seq2seq: an encoder, then a decoder", (("lstm_autoencoder", "unrolled"),), build=True),
)
TEXT_W, TEXT_H = 0.95, 0.72  # the share of the slide's text area a figure may take
_BOX = re.compile(rb"\\useasboundingbox \(0,0\) rectangle \(([\d.]+),([\d.]+)\);")


def deck_tex(folder: Path) -> tuple[str, dict[str, bytes]]:
    """The deck's source and the figure files it inputs, from the specs in `folder`."""
    from ..pipeline import render_figures

    files: dict[str, bytes] = {}
    frames = []
    for slide in STORY:
        cells = []
        for stem, view in slide.figures:
            path = folder / f"{stem}.yaml"
            if not path.exists():
                raise RenderError(f"the deck needs {path}, which is not there")
            options = {
                "backends": ("tikz",),
                "formats": ("tex",),
                "frames": slide.build,
                "target": "slide",
            }
            (figure,) = [
                f for f in render_figures(load(str(path)), options, (view,)) if f.view.name == view
            ]
            name = f"{stem}-{view}.tex"
            files[name] = figure.data
            cells.append(_fit(name, figure.data, len(slide.figures)))
        body = r"\hfill".join(cells)
        note = f"\n\n\\vfill{{\\small {slide.note}}}" if slide.note else ""
        frames.append(f"\\begin{{frame}}{{{slide.title}}}\n\\centering{body}{note}\n\\end{{frame}}")
    preamble = [
        r"\documentclass[aspectratio=169]{beamer}",
        r"\usepackage{fontspec}",
        r"\directlua{luaotfload.add_fallback('rnnfallback', {'NanumGothic:mode=node;'})}",
        r"\setsansfont{DejaVu Sans}[RawFeature={fallback=rnnfallback}]",
        *SEARCHABLE_MATH,
        r"\usepackage{tikz}",
        r"\usetikzlibrary{arrows.meta}",
        r"\pdfvariable suppressoptionalinfo 1023",
        r"\title{RNNs and their terms, drawn}",
        r"\subtitle{Every shape computed, every figure from a spec}",
        r"\date{}",
    ]
    source = "\n".join(
        [*preamble, r"\begin{document}", r"\frame{\titlepage}", *frames, r"\end{document}"]
    )
    return source + "\n", files


def _fit(name: str, data: bytes, count: int) -> str:
    """An \\input scaled to fit its share of the slide, whichever side limits it."""
    found = _BOX.search(data)
    width, height = (float(v) for v in found.groups()) if found else (1.0, 1.0)
    share = TEXT_W / count
    # Beamer 16:9's text area is about 398 x 230 pt
    by_width = width / height > (share * 398) / (TEXT_H * 230)
    size = f"{{{share:.2f}\\textwidth}}{{!}}" if by_width else f"{{!}}{{{TEXT_H}\\textheight}}"
    return f"\\resizebox{size}{{\\input{{{name}}}}}"


def deck_pdf(folder: Path) -> bytes:
    """The deck typeset by lualatex, as deterministic as every figure."""
    source, files = deck_tex(folder)
    return typeset(source, "the slides", files)
