"""`make legibility`: how each figure reads where it is pasted, computed from its SVG.

For every spec in specs/ and both backends (matplotlib with editable text, so its text can be
read), the figure is shown at min(natural width, 720 px), as in a blog column; reported: the
smallest text in CSS px there and the aspect ratio (width / height). Target: >= 9 px, 0.4-2.5.
A geometry estimate from the SVG's own numbers; the browser harness measures the real thing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLUMN = 720.0  # CSS px
PX_PER_PT = 96 / 72

_LENGTH = re.compile(r"([\d.]+)(pt|px)?")
_SIZE = re.compile(r'font-size(?:="|:\s*)([\d.]+)')


def _length(value: str) -> float:
    number, unit = _LENGTH.match(value).groups()
    return float(number) * (PX_PER_PT if unit == "pt" else 1.0)


def measure(svg: str) -> tuple[float, float, float]:
    """(smallest text px at the column, aspect ratio, width in CSS px) of one SVG."""
    head = re.search(r"<svg[^>]*>", svg).group(0)
    width = _length(re.search(r'width="([^"]+)"', head).group(1))
    height = _length(re.search(r'height="([^"]+)"', head).group(1))
    view_w = float(re.search(r'viewBox="([^"]+)"', head).group(1).split()[2])
    sizes = [float(size) for size in _SIZE.findall(svg)]
    shown = min(width, COLUMN)
    smallest = min(sizes) * shown / view_w if sizes else float("nan")
    return smallest, width / height, width


def main() -> None:
    from rnndiagrams import load
    from rnndiagrams.render.pipeline import render_figures

    rows = []
    for spec_path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = load(str(spec_path))
        for fig in render_figures(spec, {"formats": ("svg",), "text": "editable"}):
            if fig.backend not in spec.render["backends"]:
                continue
            smallest, aspect, width = measure(fig.data.decode())
            rows.append((f"{spec.stem}/{fig.view.name}.{fig.backend}", smallest, aspect, width))
    bad = 0
    for name, smallest, aspect, width in rows:
        ok = smallest >= 9 and 0.4 <= aspect <= 2.5
        bad += not ok
        print(
            f"{'  ' if ok else '! '}{name:48} {smallest:5.1f} px  aspect {aspect:4.2f}  {width:6.0f} px"
        )
    print(
        f"{len(rows)} figures, {bad} outside target; smallest text "
        f"{min(r[1] for r in rows):.1f} px, aspect {min(r[2] for r in rows):.2f}-{max(r[2] for r in rows):.2f}"
    )


if __name__ == "__main__":
    main()
