"""`make determinism`: render seed_numpy_rnn's equivalence view with Graphviz N times
(default 1,000) and count distinct SVGs; also every view together, N / 10 times.

Usage: python bench/determinism.py [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnndiagrams import load  # noqa: E402
from rnndiagrams.pipeline import render_figures  # noqa: E402

GRAPHVIZ_SVG = {"backends": ("graphviz",), "formats": ("svg",)}


def distinct(n: int, views: tuple[str, ...]) -> tuple[int, float]:
    spec = load(str(ROOT / "specs" / "seed_numpy_rnn.yaml"))
    seen = set()
    start = time.perf_counter()
    for _ in range(n):
        seen.add(tuple(f.data for f in render_figures(spec, GRAPHVIZ_SVG, views)))
    return len(seen), time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    count, seconds = distinct(n, ("equivalence",))
    print(f"equivalence.graphviz.svg: {count} distinct output(s) in {n} renders ({seconds:.1f} s)")
    count, seconds = distinct(max(1, n // 10), ())
    print(
        f"all 6 views together: {count} distinct output set(s) in {max(1, n // 10)} renders ({seconds:.1f} s)"
    )
    if count != 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
