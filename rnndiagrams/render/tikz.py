"""The TikZ backend: matplotlib's layout (`layout.py`) written as a `tikzpicture`, so a figure
typesets in the paper's own fonts, every label real LaTeX math.

One `.tex` file serves twice: `\\input` into a document (which loads `tikz` and the
`arrows.meta` library) it is the picture alone; compiled by itself it is a document one page
the figure's size. Colours are `\\providecolor`s named by role (`rnnstatefill`, `rnnedgerecurrent`
...), so a paper that defines them first restyles every figure in one place. PDF comes from
`lualatex`, run in a temporary folder with every date and id fixed, so its bytes repeat.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import style
from ..errors import RenderError
from ..quoting import latex_text
from ..scene import Label, Run, Scene
from . import frames
from .geometry import Box, Point, Route
from .layout import MARGIN, Layout, measuring
from .reproducible import source_date

# Unicode the views write that LaTeX sets as math (Latin Modern has no glyph for most)
_MATH = {
    "σ": r"\sigma",
    "⊙": r"\odot",
    "→": r"\rightarrow",
    "←": r"\leftarrow",
    "⇒": r"\Rightarrow",
    "−": "-",
    "…": r"\dots",
    "×": r"\times",
    "·": r"\cdot",
}
_TILDE = re.compile("(.)\u0303")  # a letter with a combining tilde: h̃, c̃
_SAFE_MATH = re.compile(r"[A-Za-z0-9()+\-=,.' ]")
LUALATEX = "lualatex"
TIMEOUT = 120  # seconds for one figure; lualatex on a deep stack takes a few


def draw_scenes(scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
    """A `.tex` file per scene, or the PDF lualatex makes of it."""
    theme = style.THEMES[options["theme"]]
    documents = []
    for scene in scenes:
        with measuring(False, scene.name):
            layout = Layout(scene, theme, options.get("target", "column"))
        picture = Picture(layout)
        if not options.get("frames"):
            documents.append(document(picture, picture.lines()))
        elif options.get("build") is None:
            documents.append(overlays(layout))
        else:
            documents.append(one_step(layout, options["build"]))
    if fmt == "tex":
        return [d.encode("utf-8") for d in documents]
    return [typeset(d, scene.name) for d, scene in zip(documents, scenes, strict=True)]


def _n(value: float) -> str:
    """A coordinate in bp, to a hundredth: enough for print, and stable across platforms."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _math(text: str) -> str:
    """Math-mode LaTeX for a symbol or a script: known Unicode as TeX commands, a combining
    tilde as \\tilde, anything else outside letters and digits as escaped text in an \\mbox."""
    text = _TILDE.sub(lambda m: "\0" + m.group(1), text)  # \0 marks "tilde on the next"
    out, tilde = [], False
    for ch in text:
        if ch == "\0":
            tilde = True
            continue
        piece = (
            _MATH[ch]
            if ch in _MATH
            else ch
            if _SAFE_MATH.fullmatch(ch)
            else rf"\mbox{{{latex_text(ch)}}}"
        )
        out.append(rf"\tilde{{{piece}}}" if tilde else piece)
        tilde = False
    return "".join(out)


def run_tex(run: Run) -> str:
    """One run of a label: a symbol as math with its scripts, words as quoted text (Unicode
    math signs in them as math), shapes and counts small and muted."""
    if run.italic or run.sub or run.sup:
        base = _math(run.text)
        if run.italic and len(run.text) > 1 and run.text.isascii() and run.text.isalpha():
            base = rf"\mathit{{{base}}}"  # a multi-letter name, not a product of letters
        elif not run.italic and base:
            base = rf"\mathrm{{{base}}}"
        sub = f"_{{{_math(run.sub)}}}" if run.sub else ""
        sup = f"^{{{_math(run.sup)}}}" if run.sup else ""
        tex = f"${base}{sub}{sup}$"
    else:
        tex = "".join(
            rf"\ensuremath{{{_MATH[c]}}}" if c in _MATH else latex_text(c) for c in run.text
        )
        tex = tex.replace("  ", r"\ \ ")  # runs of spaces are kept, as the layout measured them
    if not run.small:
        return tex
    # a leading space stays outside: \color (in \rnnsmall) ignores the spaces after it
    inner = tex.lstrip(" ")
    return " " * (len(tex) - len(inner)) + rf"\rnnsmall{{{inner}}}"


def label_tex(label: Label) -> str:
    """A label's lines, joined by TikZ's line break."""
    return r"\\".join("".join(run_tex(run) for run in line) or "{}" for line in label)


def needs_cjk(scene: Scene) -> bool:
    """Whether any text holds wide (CJK, Hangul) characters, which Latin Modern has not."""
    return bool(_wide(scene))


def _wide(scene: Scene) -> str:
    """The scene's wide characters, each once, in order."""
    chars = {c for text in _scene_text(scene) for c in text}
    return "".join(sorted(c for c in chars if unicodedata.east_asian_width(c) in "WF"))


def _scene_text(scene: Scene) -> Iterable[str]:
    labels = [scene.title, scene.legend, *(n.label for n in scene.nodes)]
    labels += [e.label for e in scene.edges] + [g.label for g in scene.groups]
    for label in labels:
        for line in label:
            for run in line:
                yield run.text + run.sub + run.sup


def _color_name(kind: str, role: str) -> str:
    return f"rnn{role}{kind}"


class Picture:
    """A layout as TikZ commands: the colours it uses, then the picture."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.colors: dict[str, str] = {}  # name -> #RRGGBB, in first use order

    def color(self, name: str, value: str) -> str:
        self.colors.setdefault(name, value.lstrip("#").upper())
        return name

    def node_text(
        self, label: Label, x: float, y: float, size: float, colour: str, corner: bool = False
    ) -> str:
        """A label as one TikZ node at x, y (its centre, or with `corner` its top left), in
        the font size and line height the layout measured, in the colour named."""
        opts = [rf"font=\rnnfont{{{_n(size)}}}", f"text={colour}", "inner sep=0pt"]
        opts += ["anchor=north west", "align=left"] if corner else ["align=center"]
        text = label_tex(label)
        return rf"\node[{', '.join(opts)}] at ({_n(x)},{_n(y)}) {{{text}}};"

    def lines(self) -> list[str]:
        """The whole figure: background, header, frames, nodes, edges, labels."""
        return self.ground() + self.node_shapes() + self.edges() + self.node_labels()

    def ground(self) -> list[str]:
        """What every build of the figure shows: its canvas, title, legend and frames."""
        lay, theme = self.layout, self.layout.theme
        text = self.color("rnntext", theme.text)
        out = [
            rf"\useasboundingbox (0,0) rectangle ({_n(lay.width)},{_n(lay.height)});",
            rf"\fill[{self.color('rnnbackground', theme.background)}] (0,0) rectangle "
            f"({_n(lay.width)},{_n(lay.height)});",
        ]
        top = lay.height - MARGIN
        title = self.node_text(lay.title, MARGIN, top, lay.sizes.text, text, corner=True)
        out.append(title.replace(r"font=\rnnfont", r"font=\bfseries\rnnfont"))
        out.append(
            self.node_text(
                lay.scene.legend,
                MARGIN,
                top - lay.header.height,
                lay.sizes.legend,
                text,
                corner=True,
            )
        )
        labelled = [g for g in lay.scene.groups if g.label]
        for frame, group in zip(lay.frames, labelled, strict=True):
            out.append(
                rf"\draw[{self.color('rnnframe', theme.frame)}, dashed, line width=1bp, "
                rf"rounded corners=10bp] {_rect(frame)};"
            )
            out.append(
                self.node_text(
                    group.label,
                    frame.x - frame.w / 2 + 8,
                    frame.y + frame.h / 2 - 3,
                    lay.sizes.text,
                    text,
                    corner=True,
                )
            )
        return out

    def node_shapes(self, only: Iterable[str] | None = None) -> list[str]:
        lay, out = self.layout, []
        chosen = set(only) if only is not None else None
        for node in lay.scene.nodes:
            if node.shape in ("exit", "plain") or (chosen is not None and node.id not in chosen):
                continue
            box = lay.boxes[node.id]
            fill, stroke = lay.theme.roles[node.role]
            opts = [
                f"fill={self.color(_color_name('fill', node.role), fill)}",
                f"draw={self.color(_color_name('line', node.role), stroke)}",
                "line width=1.3bp",
            ]
            if node.emphasis == "faded":
                opts.append("dashed")
            if node.shape == "circle":
                out.append(
                    rf"\draw[{', '.join(opts)}] ({_n(box.x)},{_n(box.y)}) circle[radius={_n(box.w / 2)}];"
                )
                continue
            if node.shape == "round":
                opts.append("rounded corners=7bp")
            out.append(rf"\draw[{', '.join(opts)}] {_rect(box)};")
        return out

    def node_labels(self, only: Iterable[str] | None = None) -> list[str]:
        lay, out = self.layout, []
        chosen = set(only) if only is not None else None
        for node in lay.scene.nodes:
            if node.shape == "exit" or (chosen is not None and node.id not in chosen):
                continue
            box, block = lay.boxes[node.id], lay.blocks[node.id]
            y = box.y - box.h / 2 - 3 - block.height / 2 if node.extent else box.y
            colour = (
                self.color("rnntext", lay.theme.text)
                if node.emphasis == "solid"
                else self.color("rnnmuted", lay.theme.muted)
            )
            out.append(self.node_text(node.label, box.x, y, lay.sizes.text, colour))
        return out

    def edges(self, only: Iterable[int] | None = None) -> list[str]:
        lay, out = self.layout, []
        chosen = set(only) if only is not None else None
        for i, (edge, route) in enumerate(zip(lay.scene.edges, lay.routes, strict=True)):
            if chosen is not None and i not in chosen:
                continue
            opts = [
                self.color(f"rnnedge{edge.role}", lay.theme.edges[edge.role]),
                "line width=1.2bp",
                "-{Latex[length=6bp,width=6bp]}",
            ]
            if edge.style == "dashed":
                opts.append("dashed")
            path = _path(lay.loop_points(edge.src) if route is None else route)
            out.append(rf"\draw[{', '.join(opts)}] {path};")
            if i in lay.label_at:
                rect = lay.label_at[i]
                colour = self.color(f"rnnlabel{edge.role}", lay.theme.edge_text[edge.role])
                out.append(self.node_text(edge.label, rect.x, rect.y, lay.sizes.edge, colour))
        return out

    def highlight(self, column: int) -> str:
        """The bands behind a time step (one a panel), in the frame colour, faint."""
        frame = self.color("rnnframe", self.layout.theme.frame)
        return " ".join(
            rf"\fill[{frame}, opacity=0.15, rounded corners=8bp] {_rect(band)};"
            for band in frames.highlight(self.layout, column)
        )

    def preamble(self) -> list[str]:
        return [
            rf"\providecolor{{{name}}}{{HTML}}{{{value}}}" for name, value in self.colors.items()
        ]


def _rect(box: Box) -> str:
    return (
        f"({_n(box.x - box.w / 2)},{_n(box.y - box.h / 2)}) rectangle "
        f"({_n(box.x + box.w / 2)},{_n(box.y + box.h / 2)})"
    )


def _path(route: Route | list[Point]) -> str:
    """An edge's path: a self-loop's cubic (Layout.loop_points), or matplotlib's arc3
    quadratic (control point bulging `rad` x chord from the midpoint) as the cubic TikZ draws."""
    if isinstance(route, list):
        points = route
    else:
        (x0, y0), (x1, y1), rad = route
        if not rad:
            return f"({_n(x0)},{_n(y0)}) -- ({_n(x1)},{_n(y1)})"
        cx, cy = (x0 + x1) / 2 + rad * (y1 - y0), (y0 + y1) / 2 - rad * (x1 - x0)
        points = [
            (x0, y0),
            (x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0)),
            (x1 + 2 / 3 * (cx - x1), y1 + 2 / 3 * (cy - y1)),
            (x1, y1),
        ]
    (a, b, c, d) = (f"({_n(x)},{_n(y)})" for x, y in points)
    return f"{a} .. controls {b} and {c} .. {d}"


def helpers(sizes: style.Sizes) -> list[str]:
    r"""\providecommand: a document may set its own sizes before \input (the first figure's
    target sets them for a document's later ones)."""
    return [
        r"\providecommand\rnnfont[1]{\fontsize{#1bp}{"
        + str(sizes.line)
        + r"\dimexpr#1bp\relax}\selectfont}",
        r"\providecommand\rnnsmall[1]{{\fontsize{"
        + _n(sizes.small)
        + "bp}{"
        + _n(sizes.small * sizes.line)
        + r"bp}\selectfont\color{rnnmuted}#1}}",
    ]


SEARCHABLE_MATH = [  # a Unicode name for every glyph of TeX's math fonts: searchable PDFs
    r"\protected\def\pdfglyphtounicode{\pdfextension glyphtounicode}",
    r"\input glyphtounicode",
    r"\pdfvariable gentounicode=1",
]


BEAMER_FALLBACK = [  # outside Beamer a build shows the whole figure, with no highlight
    r"\ifdefined\visible\else\long\def\visible<#1>#2{#2}\fi",
    r"\ifdefined\only\else\long\def\only<#1>#2{}\fi",
]


def overlays(layout: Layout) -> str:
    """The figure as a Beamer build: slide k adds grid column k (a time step) with the edges
    into it, the step highlighted on its own slide (`\\only<k>`), the earlier ones staying
    (`\\visible<k->`): the canvas is the whole figure's on every slide."""
    picture = Picture(layout)
    lines = picture.ground()
    for k, (build, nodes, edges) in enumerate(frames.added(layout.scene), start=1):
        lines.append(rf"\only<{k}>{{{picture.highlight(build.column)}}}")
        lines.append(rf"\visible<{k}->{{")
        lines += picture.node_shapes(nodes) + picture.edges(edges) + picture.node_labels(nodes)
        lines.append("}")
    return document(picture, lines, BEAMER_FALLBACK)


def one_step(layout: Layout, k: int) -> str:
    """Frame k of the build as a figure of its own: steps 0..k on the whole figure's canvas,
    step k highlighted."""
    picture = Picture(layout)
    build = frames.builds(layout.scene)[k]
    lines = picture.ground() + [picture.highlight(build.column)]
    lines += picture.node_shapes(build.nodes) + picture.edges(build.edges)
    lines += picture.node_labels(build.nodes)
    return document(picture, lines)


def document(picture: Picture, lines: list[str], extra: list[str] | None = None) -> str:
    """The picture, wrapped so the same file is a document when compiled alone: inside a
    document (LaTeX's `\\@nodocument` is `\\relax` once it has begun) the preamble is skipped."""
    layout = picture.layout
    picture.color("rnnmuted", layout.theme.muted)  # \rnnsmall's colour, always defined
    scene = layout.scene
    fallback = _cjk_font(scene) if needs_cjk(scene) else None
    title = "".join(f"{b:02X}" for b in scene.name.encode("utf-16-be"))
    head = [
        "% " + latex_text(scene.name).replace("\n", " "),
        "% Drawn by rnndiagrams. \\input it into a document that loads tikz and",
        "% \\usetikzlibrary{arrows.meta}, or compile it alone with lualatex.",
        "% Colours are \\providecolor: \\definecolor one before \\input to restyle.",
        r"\expandafter\ifx\csname @nodocument\endcsname\relax\else",
        r"\documentclass{article}",
        r"\usepackage{fontspec}",
        *(
            [
                rf"\directlua{{luaotfload.add_fallback('rnnfallback', {{'{fallback}:mode=node;'}})}}",
                r"\setmainfont{Latin Modern Roman}[RawFeature={fallback=rnnfallback}]",
            ]
            if fallback
            else []
        ),
        r"\usepackage{tikz}",
        r"\usetikzlibrary{arrows.meta}",
        rf"\usepackage[paperwidth={_n(layout.width)}bp,paperheight={_n(layout.height)}bp,margin=0pt]{{geometry}}",
        r"\pagestyle{empty}",
        *SEARCHABLE_MATH,
        r"\pdfvariable suppressoptionalinfo 1023",  # no dates, producer or random id
        rf"\pdfextension info {{/Title <FEFF{title}>}}",
        r"\def\rnndiagramsalone{\end{document}}",
        r"\begin{document}\noindent",
        r"\fi",
        *helpers(layout.sizes),
        *(extra or []),
        *picture.preamble(),
        r"\begin{tikzpicture}[x=1bp, y=1bp]",
        *lines,
        r"\end{tikzpicture}",
        r"\csname rnndiagramsalone\endcsname",
    ]
    # every line ends in %: an end of line in a paragraph is a space, which would shift the
    # picture right in the document it is \input into
    return "".join(line + ("\n" if line.startswith("%") else "%\n") for line in head)


def _cjk_font(scene: Scene) -> str:
    """The first installed font of style's fallbacks, for wide characters; none is one line."""
    if shutil.which("fc-list"):
        found = subprocess.run(
            ["fc-list", ":lang=ko", "family"], capture_output=True, text=True
        ).stdout
        families = {f.strip() for line in found.splitlines() for f in line.split(",")}
        for family in style.FONT_FALLBACKS:
            if family in families:
                return family
    raise RenderError(
        f"{scene.name!r} has labels in {_wide(scene)[:8]!r}, which need a CJK font for LaTeX; "
        f"install one of {', '.join(style.FONT_FALLBACKS[:2])} (Debian: fonts-nanum)"
    )


def typeset(tex: str, name: str, files: dict[str, bytes] | None = None) -> bytes:
    """The PDF lualatex makes of a document (and the `files` it inputs), in a temporary
    folder: SOURCE_DATE_EPOCH (else the epoch) as its one date, so the same document gives
    the same bytes."""
    when = source_date()
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": str(int(when.timestamp()) if when else 0),
        "FORCE_SOURCE_DATE": "1",
    }
    with tempfile.TemporaryDirectory(prefix="rnndiagrams-tex-") as tmp:
        for file, data in (files or {}).items():  # what the document \inputs
            (Path(tmp) / file).write_bytes(data)
        source = Path(tmp) / "figure.tex"
        source.write_text(tex, encoding="utf-8")
        try:
            done = subprocess.run(
                [
                    LUALATEX,
                    "-interaction=nonstopmode",
                    "-halt-on-error",
                    "-no-shell-escape",
                    source.name,
                ],
                cwd=tmp,
                env=env,
                capture_output=True,
                timeout=TIMEOUT,
            )
        except FileNotFoundError:
            raise RenderError(
                f"cannot typeset {name!r}: {LUALATEX} is not installed (Debian: texlive-luatex)"
            ) from None
        except subprocess.TimeoutExpired:
            raise RenderError(f"{LUALATEX} took over {TIMEOUT} s on {name!r}") from None
        pdf = source.with_suffix(".pdf")
        if done.returncode or not pdf.exists():
            log = source.with_suffix(".log")
            text = (
                log.read_text("utf-8", "replace")
                if log.exists()
                else done.stdout.decode("utf-8", "replace")
            )
            raise RenderError(f"{LUALATEX} could not typeset {name!r}: {tex_error(text)}")
        return pdf.read_bytes()


def tex_error(log: str) -> str:
    """The first error of a TeX log as one line: its `! message` and the `l.NN` it was on."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            where = next(
                (x.split(" ", 1)[0] for x in lines[i + 1 : i + 12] if x.startswith("l.")), ""
            )
            return f"{line[1:].strip()}{f' ({where})' if where else ''}"
    return "no error message in its log"
