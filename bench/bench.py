"""`make bench`: side-by-side timings in one run, reported as ratios (medians of N runs).

1. A fresh-process `rnndiagrams render` of the seed sentiment spec to SVG, against the floor:
   raw `dot -Tsvg` on the same DOT sources, plus Python start-up.
2. The unrolled view at T=4 and at T=1,000,000 (fresh-process render, and scene+DOT in-process).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
N = 9
SEED = ROOT / "specs" / "seed_sentiment.yaml"
UNROLLED = """title: bench
model:
  input: {{shape: [null, 32]}}
  layers:
    - SimpleRNN: {{units: 64, return_sequences: true}}
    - Dense: {{units: 10}}
views: [{{unrolled: {{steps: {steps}}}}}]
"""


def median_time(fn, n: int = N) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(*args: str, stdin: bytes | None = None) -> None:
    subprocess.run(args, input=stdin, check=True, capture_output=True)


def main() -> None:
    from rnndiagrams import load
    from rnndiagrams.render.dot_source import dot_source
    from rnndiagrams.render.pipeline import scenes
    from rnndiagrams.style import THEMES

    out = tempfile.mkdtemp()
    sources = [dot_source(scene, THEMES["light"]).encode() for _, scene in scenes(load(str(SEED)))]
    render = [sys.executable, "-m", "rnndiagrams", "render", "-o", out, "--format", "svg"]
    ours = median_time(lambda: run(*render, str(SEED), "--backend", "graphviz"))
    mpl = median_time(lambda: run(*render, str(SEED), "--backend", "matplotlib"), n=3)
    startup = median_time(lambda: run(sys.executable, "-c", "pass"))
    floor = median_time(lambda: [run("dot", "-Tsvg", stdin=s) for s in sources])
    print(f"seed sentiment spec, {len(sources)} views -> SVG (median of {N}, fresh processes)")
    print(f"  rnndiagrams render      {ours * 1000:8.1f} ms")
    print(f"  dot -Tsvg x{len(sources)} (floor)    {floor * 1000:8.1f} ms")
    print(f"  python start-up         {startup * 1000:8.1f} ms")
    print(f"  ratio render / (floor + start-up) = {ours / (floor + startup):.2f}  (target < 1.5)")
    print(f"  matplotlib backend, same views {mpl * 1000:8.1f} ms  (median of 3)")

    print("unrolled view, T=4 vs T=1,000,000")
    results = {}
    for steps in (4, 1_000_000):
        spec_path = Path(out) / f"unrolled_{steps}.yaml"
        spec_path.write_text(UNROLLED.format(steps=steps))
        spec = load(str(spec_path))
        inproc = median_time(lambda: [dot_source(s, THEMES["light"]) for _, s in scenes(spec)], n=N * 5)
        fresh = median_time(lambda: run(*render, str(spec_path), "--backend", "graphviz"))
        results[steps] = (inproc, fresh)
        print(f"  T={steps:<9,} scene+DOT {inproc * 1000:7.2f} ms   fresh render {fresh * 1000:7.1f} ms")
    (a, b), (c, d) = results[4], results[1_000_000]
    print(f"  ratio T=1e6 / T=4: scene+DOT {c / a:.2f}, fresh render {d / b:.2f}  (target ~1.0)")


if __name__ == "__main__":
    main()
