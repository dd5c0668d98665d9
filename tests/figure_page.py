"""Figures measured where they are read: every SVG inlined together in one page of a real
browser, each at min(natural width, 720 px) as in a blog column, its text measured there.

Shared by the browser tests and bench/measure_figures.py, so the numbers a report quotes are
the numbers the tests assert on."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

COLUMN_PX = 720
LINE_SLACK_PX = 0.5  # a line may graze a text's ink box by this much (antialiasing)
_PROLOG = re.compile(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)

# Per figure: text runs (page px boxes, font px, collapsed characters), style rules, ids.
# Text drawn as outlines (matplotlib's `text: paths`) is measured by its glyph groups: matplotlib
# scales glyphs by font size / 100, so the group's screen scale x 100 is the font in px.
_MEASURE_JS = r"""
const out = [];
for (const fig of document.querySelectorAll('section.fig')) {
  const svg = fig.querySelector('svg');
  const natural = svg.width.baseVal.value, vb = svg.viewBox.baseVal;
  const w = Math.min(natural, %(column)d);
  svg.style.width = w + 'px';
  svg.style.height = (w * vb.height / vb.width) + 'px';
  out.push({svg, fig, natural});
}
const results = [];
const ctx = document.createElement('canvas').getContext('2d');
for (const {svg, fig, natural} of out) {
  const frame = svg.getBoundingClientRect();
  const runs = [];
  const box = r => ({left: r.left - frame.left, right: r.right - frame.left,
                     top: r.top - frame.top, bottom: r.bottom - frame.top});
  // The run's layout box: the cells of its visible characters, where the font placed them
  // (a browser's getBBox adds ink overflow and antialiasing, about 1 px, around italics).
  // Character indices count per leaf (a <text> without children, or a <tspan>), as rendered:
  // a collapsed space is no character.
  const leaves = t => t.children.length ? [...t.querySelectorAll('tspan')].filter(s => !s.children.length) : [t];
  const rendered = leaf => {
    const raw = leaf.textContent, n = leaf.getNumberOfChars();
    return raw.length === n ? raw : raw.replace(/[\t\n]/g, ' ').trim().replace(/ +/g, ' ');
  };
  const cells = t => {
    const pts = [];
    for (const leaf of leaves(t)) {
      const m = leaf.getScreenCTM(), text = rendered(leaf);
      for (let i = 0; i < leaf.getNumberOfChars(); i++) {
        if (/\s/.test(text[i] || ' ')) continue;
        const r = leaf.getExtentOfChar(i);
        for (const [x, y] of [[r.x, r.y], [r.x + r.width, r.y + r.height]])
          pts.push(new DOMPoint(x, y).matrixTransform(m));
      }
    }
    if (!pts.length) return null;
    const xs = pts.map(p => p.x), ys = pts.map(p => p.y);
    return {left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys)};
  };
  const collapses = t => leaves(t).some(leaf => {
    const ws = getComputedStyle(leaf).whiteSpace;
    return !/^pre|break-spaces/.test(ws) && /^[ \t\n]|[ \t\n]$|[ \t\n]{2}/.test(leaf.textContent);
  });
  // The run's ink: the glyphs' drawn extent, from the browser's own font (canvas metrics),
  // placed at the run's baseline; horizontally scaled like the run (textLength).
  const ink = t => {
    const pts = [];
    for (const leaf of leaves(t)) {
      const text = leaf.textContent;
      if (!leaf.getNumberOfChars() || !/\S/.test(text.replace(/\u00a0/g, ' '))) continue;
      const cs = getComputedStyle(leaf);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const mt = ctx.measureText(text), p0 = leaf.getStartPositionOfChar(0);
      const k = leaf.getComputedTextLength() / (mt.width || 1);
      const m = leaf.getScreenCTM();
      for (const [x, y] of [[p0.x - k * mt.actualBoundingBoxLeft, p0.y - mt.actualBoundingBoxAscent],
                            [p0.x + k * mt.actualBoundingBoxRight, p0.y + mt.actualBoundingBoxDescent]])
        pts.push(new DOMPoint(x, y).matrixTransform(m));
    }
    if (!pts.length) return null;
    const xs = pts.map(p => p.x), ys = pts.map(p => p.y);
    return {left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys)};
  };
  const scaleOf = el => { const m = el.getScreenCTM(); return Math.hypot(m.a, m.b); };
  // The edge a text run labels, if any: Graphviz groups an edge's line, arrowhead and label
  // in one <g class="edge">; matplotlib tags them `rnnedge<i>-line` and `rnnedge<i>-label-<k>`.
  const edgeOf = el => {
    const g = el.closest('g.edge');
    if (g) return g.id;
    const m = /^(.*-rnnedge\d+)-label-\d+$/.exec((el.closest('g[id*="-rnnedge"]') || {}).id || '');
    return m ? m[1] : null;
  };
  const edges = [...svg.querySelectorAll('g.edge')].map(g => ({
      key: g.id, name: (g.querySelector('title') || g).textContent.trim(),
      shapes: [...g.querySelectorAll('path, polygon')]}))
    .concat([...svg.querySelectorAll('g[id$="-line"]')]
      .filter(g => /-rnnedge\d+-line$/.test(g.id))
      .map(g => ({key: g.id.replace(/-line$/, ''), name: g.id.replace(/^.*-(rnnedge\d+)-line$/, '$1'),
                  shapes: [...g.querySelectorAll('path')]})));
  // Each edge's drawn lines (shaft, arrowhead outline) sampled about every page px; `lines`:
  // the points of Graphviz's shafts (the <path> of a g.edge)
  const lines = [];
  for (const e of edges) {
    e.points = [];
    for (const s of e.shapes) {
      const m = s.getScreenCTM(), len = s.getTotalLength();
      const step = 1 / Math.max(Math.hypot(m.a, m.b), 1e-6);
      const shaft = s.tagName === 'path' && s.parentNode.matches('g.edge');
      for (let d = 0; d <= len; d += step) {
        const p = s.getPointAtLength(d).matrixTransform(m);
        e.points.push([p.x - frame.left, p.y - frame.top]);
        if (shaft) lines.push([p.x - frame.left, p.y - frame.top]);
      }
    }
  }
  for (const t of svg.querySelectorAll('text')) {  // tspans are measured with their <text>
    if (!t.textContent.length) continue;
    const collapsible = collapses(t);
    const px = Math.min(...leaves(t).map(l => parseFloat(getComputedStyle(l).fontSize) * scaleOf(l)));
    runs.push({text: leaves(t).map(l => l.textContent).join(''), px,
               box: (c => c && box(c))(cells(t)), ink: (c => c && box(c))(ink(t)), bbox: box(t.getBoundingClientRect()),
               collapsible, chars: t.getNumberOfChars(), edge: edgeOf(t)});
  }
  const glyphs = 'g[id*="text_"] > g[transform*="scale"], g[id*="-rnnedge"] > g[transform*="scale"]';
  for (const g of svg.querySelectorAll(glyphs)) {
    const comment = [...g.parentNode.childNodes].find(n => n.nodeType === 8);
    const r = box(g.getBoundingClientRect());
    runs.push({text: comment ? comment.data.trim() : '', px: scaleOf(g) * 100,
               box: r, ink: r, bbox: r, collapsible: false, chars: -1, edge: edgeOf(g)});
  }
  // lines through text: an edge's sampled points inside the ink of a run (`own`: its label)
  const crossings = [];
  for (const r of runs) {
    if (!r.ink) continue;
    for (const e of edges) {
      const inside = e.points.filter(([x, y]) => x > r.ink.left + %(slack)s && x < r.ink.right - %(slack)s
                                              && y > r.ink.top + %(slack)s && y < r.ink.bottom - %(slack)s);
      if (inside.length) crossings.push({edge: e.name, text: r.text, points: inside.length,
                                         own: e.key === r.edge});
    }
  }
  // Graphviz's frames (a drawn cluster's outline), page px boxes
  const frames = [...svg.querySelectorAll('g.cluster > path, g.cluster > polygon')]
    .map(s => box(s.getBoundingClientRect()));
  const styles = [];
  for (const s of svg.querySelectorAll('style')) {
    for (const rule of s.sheet.cssRules) {
      if (!rule.selectorText) continue;
      const outside = [...document.querySelectorAll(rule.selectorText)].filter(e => !svg.contains(e)).length;
      const anchored = svg.id && rule.selectorText.split(',').every(
        part => part.trim().startsWith('#' + svg.id));
      styles.push({selector: rule.selectorText, outside, anchored: !!anchored});
    }
  }
  // references (href, xlink:href, url(#...)) that do not land on an element of this figure
  const broken = [];
  for (const el of svg.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const m = /^#(.+)$/.exec(attr.value) || /url\(#([^)]+)\)/.exec(attr.value);
      if (!m || !(attr.name.endsWith('href') || attr.value.includes('url('))) continue;
      const target = document.getElementById(m[1]);
      if (!target || !svg.contains(target)) broken.push(attr.value);
    }
  }
  results.push({name: fig.dataset.name, broken, crossings, edges: edges.length, natural,
                width: frame.width, height: frame.height, runs, lines, frames, styles,
                ids: [...svg.querySelectorAll('[id]')].map(e => e.id).concat(svg.id ? [svg.id] : [])});
}
return results;
"""


def _inline(svg: str) -> str:
    """The SVG without its prolog (XML declaration, doctype, comments before the root); the
    comments inside stay: matplotlib's name the text its glyph outlines draw."""
    start = svg.find("<svg")
    return _PROLOG.sub("", svg[:start]) + svg[start:]


def page_html(figures: dict[str, str]) -> str:
    """One page holding every figure inline, as a blog post with several figures would."""
    parts = [
        f'<section class="fig" data-name="{name}">{_inline(svg)}</section>'
        for name, svg in figures.items()
    ]
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>figures</title></head>"
        "<body style='margin:8px'>" + "\n".join(parts) + "</body></html>"
    )


def measure(browser, figures: dict[str, str], tmp: Path) -> list[dict]:
    """Load the figures together in one page of `browser` and measure each."""
    page = tmp / "figures.html"
    page.write_text(page_html(figures), encoding="utf-8")
    browser.get(page.as_uri())
    return browser.execute_script(_MEASURE_JS % {"column": COLUMN_PX, "slack": LINE_SLACK_PX})


def same_line_overlaps(
    fig: dict, tolerance: float = 0.5, key: str = "box"
) -> list[tuple[str, str, float]]:
    """Pairs of text runs on one line (their boxes share at least half the smaller height)
    whose boxes overlap horizontally by more than `tolerance` px. `box` is the cells of the
    visible characters (none for a run of spaces); `bbox` the browser's whole box (spaces, ink
    overflow, antialiasing)."""
    found = []
    runs = [r for r in fig["runs"] if r[key]]
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            ab, bb = a[key], b[key]
            dx = min(ab["right"], bb["right"]) - max(ab["left"], bb["left"])
            dy = min(ab["bottom"], bb["bottom"]) - max(ab["top"], bb["top"])
            short = min(ab["bottom"] - ab["top"], bb["bottom"] - bb["top"])
            if dx > tolerance and dy >= 0.5 * short > 0:
                found.append((a["text"], b["text"], round(dx, 2)))
    return found


def ink_clashes(fig: dict, tolerance: float = 0.5) -> list[tuple[str, str, float]]:
    """Pairs of runs whose ink (the glyphs' drawn extent, as rectangles) overlaps by more than
    `tolerance` px both ways: a sub/superscript touching its neighbour, or a line the next."""
    found = []
    runs = [r for r in fig["runs"] if r.get("ink")]
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            ab, bb = a["ink"], b["ink"]
            dx = min(ab["right"], bb["right"]) - max(ab["left"], bb["left"])
            dy = min(ab["bottom"], bb["bottom"]) - max(ab["top"], bb["top"])
            if dx > tolerance and dy > tolerance:
                found.append((a["text"], b["text"], round(min(dx, dy), 2)))
    return found


def lines_through_text(fig: dict) -> list[tuple[str, str]]:
    """(edge, text) pairs: an edge's line or arrowhead running through the ink of a text run
    that is not that edge's own label (a curve through a shape, a line across a weight)."""
    return sorted({(c["edge"], c["text"]) for c in fig["crossings"] if not c["own"]})


def lines_through_own_label(fig: dict) -> list[tuple[str, str]]:
    """(edge, text) pairs: an edge's line running through the ink of its own label (a label
    set on its line instead of beside it)."""
    return sorted({(c["edge"], c["text"]) for c in fig["crossings"] if c["own"]})


def labels_on_lines(fig: dict, depth: float = 0.25) -> list[str]:
    """Text runs a line of the figure (Graphviz's edges: `lines`) runs through: deeper into
    the run's ink box than `depth` of its height (a slanted line passing a label cuts the
    corner of its box, clear of its glyphs, a px or two in)."""
    found = []
    for r in fig["runs"]:
        ink = r.get("ink")
        if not ink:
            continue
        inside = (
            min(x - ink["left"], ink["right"] - x, y - ink["top"], ink["bottom"] - y)
            for x, y in fig["lines"]
        )
        if max(inside, default=0.0) > depth * (ink["bottom"] - ink["top"]):
            found.append(r["text"])
    return found


def labels_on_frames(fig: dict, gap: float = 1.0) -> list[str]:
    """Edge labels whose ink reaches within `gap` px of a frame's side (a loop's dashed
    frame cutting the `(` of a shape)."""
    found = []
    for r in fig["runs"]:
        ink = r.get("ink")
        if not ink or not r.get("edge"):
            continue
        for f in fig.get("frames", []):
            across = ink["left"] - gap < f["right"] and ink["right"] + gap > f["left"]
            down = ink["top"] - gap < f["bottom"] and ink["bottom"] + gap > f["top"]
            inside = (
                ink["left"] - gap > f["left"]
                and ink["right"] + gap < f["right"]
                and ink["top"] - gap > f["top"]
                and ink["bottom"] + gap < f["bottom"]
            )
            if across and down and not inside:
                found.append(r["text"])
    return found


def outside(fig: dict, tolerance: float = 0.5) -> list[str]:
    """Text runs whose box reaches beyond the figure's own box."""
    w, h = fig["width"], fig["height"]
    return [
        r["text"]
        for r in fig["runs"]
        if r["bbox"]["left"] < -tolerance
        or r["bbox"]["top"] < -tolerance
        or r["bbox"]["right"] > w + tolerance
        or r["bbox"]["bottom"] > h + tolerance
    ]


def page_wide_styles(fig: dict) -> list[str]:
    """Style rules that match, or could match, elements outside their own figure."""
    return [s["selector"] for s in fig["styles"] if s["outside"] or not s["anchored"]]


def broken_refs(fig: dict) -> list[str]:
    """References (`href`, `url(#...)`) that do not resolve to an element of the same figure."""
    return fig["broken"]


def collapsible(fig: dict) -> list[str]:
    """Text runs whose spaces a browser collapses (leading, trailing or doubled ASCII spaces)."""
    return [r["text"] for r in fig["runs"] if r["collapsible"]]


def shared_ids(figs: list[dict]) -> dict[str, list[str]]:
    """Ids that occur in more than one figure (or twice in one), with the figures holding them."""
    count = Counter(i for fig in figs for i in fig["ids"])
    holders: dict[str, list[str]] = {}
    for fig in figs:
        for i in fig["ids"]:
            if count[i] > 1:
                holders.setdefault(i, []).append(fig["name"])
    return holders


def smallest_text_px(fig: dict) -> float:
    return min((r["px"] for r in fig["runs"]), default=float("inf"))


def aspect(fig: dict) -> float:
    return fig["width"] / fig["height"]


SLIDE_AREA = (1200, 600)  # a 1280 x 720 slide less its title band (issue 19)
# A slide sets its text in one size and its sub- and superscripts at 10/14 of it: a run set
# under SCRIPT_SPLIT of its figure's largest text is a script (tests/test_slide.py checks that
# a slide figure has those two sizes only).
SCRIPT_SPLIT = 0.85


def slide_fit(fig: dict) -> float:
    """The scale that fits the figure into a slide's figure area, whichever side limits it."""
    return min(SLIDE_AREA[0] / fig["width"], SLIDE_AREA[1] / fig["height"])


def slide_base_and_script_px(fig: dict) -> tuple[float, float]:
    """The smallest text that is not a script, and the smallest script (inf: none), once the
    figure is fitted into a slide's figure area (text scales with the figure). Runs of spaces
    (dot's struts holding lines apart, in a larger font) are no text; glyphs drawn as paths
    (chars -1) are."""
    sizes = [r["px"] for r in fig["runs"] if r["chars"] < 0 or r["text"].strip()]
    split = SCRIPT_SPLIT * max(sizes, default=0.0)
    base = min((px for px in sizes if px >= split), default=float("inf"))
    script = min((px for px in sizes if px < split), default=float("inf"))
    return base * slide_fit(fig), script * slide_fit(fig)
