"""`make measure`: every committed SVG in output/ measured in headless Chromium, all inlined in
one page at min(natural width, 720 px): smallest text (CSS px), the same fitted into a slide's
1200 x 600 figure area, aspect ratio, overlapping text runs of a line, text outside the figure,
collapsible spaces, page-wide styles, shared ids.

Usage: python bench/measure_figures.py [FOLDER]   (default: output/)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import figure_page as fp  # noqa: E402
from browser import chromium  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "output"
    files = sorted(folder.rglob("*.svg"))
    if not files:
        sys.exit(f"{folder}: no SVG figures to measure; expected a folder `make diagrams` wrote")
    figures = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in files}
    with chromium() as browser, tempfile.TemporaryDirectory() as tmp:
        figs = fp.measure(browser, figures, Path(tmp))
    shared = fp.shared_ids(figs)
    print(
        f"{'figure':58} {'min px':>6} {'slide':>6} {'script':>6} {'aspect':>6} {'ovl':>4} {'ink':>4} "
        f"{'out':>4} "
        f"{'spc':>4} {'css':>4}"
    )
    for fig in figs:
        print(
            f"{fig['name']:58} {fp.smallest_text_px(fig):6.1f} "
            + "{:6.1f} {:6.1f} ".format(*fp.slide_base_and_script_px(fig))
            + f"{fp.aspect(fig):6.2f} "
            f"{len(fp.same_line_overlaps(fig)):4} {len(fp.ink_clashes(fig)):4} {len(fp.outside(fig)):4} "
            f"{len(fp.collapsible(fig)):4} {len(fp.page_wide_styles(fig)):4}"
        )
    # the 720 px column's bar is the column target's; a slide figure is named <view>.slide.*
    column = [f for f in figs if ".slide." not in f["name"]] or figs
    below9 = [f for f in column if fp.smallest_text_px(f) < 9]
    wide = [f for f in column if not 0.4 <= fp.aspect(f) <= 2.5]
    print(f"figures: {len(figs)} ({len(column)} for a column)")
    print(
        f"column figures' smallest text px (min): "
        f"{min(fp.smallest_text_px(f) for f in column):.1f}; figures under 9 px: {len(below9)}"
    )
    for target in ("column", "slide"):
        for backend in ("graphviz", "matplotlib"):
            chosen = [
                f
                for f in figs
                if (".slide." in f["name"]) == (target == "slide") and f".{backend}." in f["name"]
            ]
            if chosen:
                _slide_summary(f"{target} target, {backend}", chosen)
    print(
        f"widest column aspect: {max(fp.aspect(f) for f in column):.2f}; "
        f"figures outside 0.4..2.5: {len(wide)}"
    )
    print(
        f"overlapping run pairs: {sum(len(fp.same_line_overlaps(f)) for f in figs)} "
        f"in {sum(1 for f in figs if fp.same_line_overlaps(f))} figures"
    )
    print(
        "  the same with the browser's whole boxes (getBBox: spaces, ink overflow): "
        f"{sum(len(fp.same_line_overlaps(f, key='bbox')) for f in figs)}"
    )
    print(
        f"glyphs touching (ink overlapping > 0.5 px) across runs or lines: "
        f"{sum(len(fp.ink_clashes(f)) for f in figs)} in {sum(1 for f in figs if fp.ink_clashes(f))} figures"
    )
    print(f"text runs outside their figure: {sum(len(fp.outside(f)) for f in figs)}")
    print(
        f"collapsible-space runs: {sum(len(fp.collapsible(f)) for f in figs)} "
        f"in {sum(1 for f in figs if fp.collapsible(f))} figures"
    )
    print(f"page-wide style rules: {sum(len(fp.page_wide_styles(f)) for f in figs)}")
    print(f"ids shared between figures: {len(shared)}")


def _slide_summary(what: str, figs: list[dict]) -> None:
    """The smallest text of these figures fitted into a slide's 1200 x 600 px (issue 19): of
    every run; of the text but its scripts (a slide's bar, 18 px: every run but the scripts,
    which a slide sets at 10/14 of the text); of the scripts (their bar, 70 % of it)."""
    every = sorted(fp.smallest_text_px(f) * fp.slide_fit(f) for f in figs)
    measured = [fp.slide_base_and_script_px(f) for f in figs]
    text = sorted(base for base, _ in measured)
    scripts = sorted(script for _, script in measured)
    aspects = [fp.aspect(f) for f in figs]
    print(
        f"{what}: {len(figs)} figures on a slide (1200 x 600 px): smallest text median "
        f"{every[len(every) // 2]:.1f} px, lowest {every[0]:.1f}; text but scripts median "
        f"{text[len(text) // 2]:.1f} px, lowest {text[0]:.1f}, under 18 px: "
        f"{sum(p < 18 for p in text)}, under 14: {sum(p < 14 for p in text)}, under 12: "
        f"{sum(p < 12 for p in text)}; scripts lowest {scripts[0]:.1f} px, under 12.6: "
        f"{sum(p < 12.6 for p in scripts)}; aspect {min(aspects):.2f}..{max(aspects):.2f}, "
        f"outside 1.5..2.2: {sum(not 1.5 <= a <= 2.2 for a in aspects)}"
    )


if __name__ == "__main__":
    main()
