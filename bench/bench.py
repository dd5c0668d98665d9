"""`make bench`: side-by-side timings in one run, reported as ratios (medians of N runs).

1. A fresh-process `rnndiagrams render` of the seed sentiment spec to SVG, against the floor:
   raw `dot -Tsvg` on the same DOT sources, plus Python start-up.
2. One `dot` per figure against one `dot` for a batch of figures (the price of determinism).
3. The unrolled view at T=4 and at T=1,000,000 (fresh-process render, and scene+DOT in-process).
4. Depth: 50, 100, 200 and 500 stacked layers (stack, folded and unrolled views), one fresh
   render per backend each: the curve should be linear (target: 200 layers under 10 s).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
N = 15
SEED = ROOT / "specs" / "seed_sentiment.yaml"
UNROLLED = """title: bench
model:
  input: {{shape: [null, 32]}}
  layers:
    - SimpleRNN: {{units: 64, return_sequences: true}}
    - Dense: {{units: 10}}
views: [{{unrolled: {{steps: {steps}}}}}]
"""
DEPTHS = (50, 100, 200, 500)


def deep_spec(layers: int) -> str:
    body = "".join("    - SimpleRNN: {units: 8, return_sequences: true}\n" for _ in range(layers))
    return (
        f"title: {layers} layers\nmodel:\n  input: {{shape: [null, 4]}}\n  layers:\n{body}"
        "views: [stack, folded, unrolled]\n"
    )


def median_times(fns: dict, n: int = N) -> dict:
    """Median wall time of each function, the runs interleaved (a, b, c, a, b, c, ...) so a
    busy moment on a shared machine hits every contender alike."""
    times: dict = {name: [] for name in fns}
    for _ in range(n):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def run(*args: str, stdin: bytes | None = None) -> None:
    subprocess.run(args, input=stdin, check=True, capture_output=True)


def main() -> None:
    from rnndiagrams import load
    from rnndiagrams.pipeline import scenes
    from rnndiagrams.render.dot_source import dot_source
    from rnndiagrams.style import THEMES

    out = tempfile.mkdtemp()
    sources = [dot_source(scene, THEMES["light"]).encode() for _, scene in scenes(load(str(SEED)))]
    render = [sys.executable, "-m", "rnndiagrams", "render", "-o", out, "--format", "svg"]
    t = median_times(
        {
            "ours": lambda: run(*render, str(SEED), "--backend", "graphviz"),
            "floor": lambda: [run("dot", "-Tsvg", stdin=s) for s in sources],
            "startup": lambda: run(sys.executable, "-c", "pass"),
        }
    )
    ours, floor, startup = t["ours"], t["floor"], t["startup"]
    mpl = median_times({"mpl": lambda: run(*render, str(SEED), "--backend", "matplotlib")}, n=3)[
        "mpl"
    ]
    print(f"seed sentiment spec, {len(sources)} views -> SVG (median of {N}, fresh processes)")
    print(f"  rnndiagrams render      {ours * 1000:8.1f} ms")
    print(f"  dot -Tsvg x{len(sources)} (floor)    {floor * 1000:8.1f} ms")
    print(f"  python start-up         {startup * 1000:8.1f} ms")
    print(f"  ratio render / (floor + start-up) = {ours / (floor + startup):.2f}  (target < 1.5)")
    print(f"  matplotlib backend, same views {mpl * 1000:8.1f} ms  (median of 3)")

    # One `dot` per figure (stable) against one `dot` for the whole batch (1 render in 30 varied).
    numpy_sources = [
        dot_source(scene, THEMES["light"]).encode()
        for _, scene in scenes(load(str(ROOT / "specs" / "seed_numpy_rnn.yaml")))
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        t = median_times(
            {
                "batch": lambda: run("dot", "-Tsvg", stdin=b"\n".join(numpy_sources)),
                "each": lambda: list(
                    pool.map(lambda s: run("dot", "-Tsvg", stdin=s), numpy_sources)
                ),
            }
        )
    print(f"seed_numpy_rnn, {len(numpy_sources)} views -> SVG with raw dot (median of {N})")
    print(f"  one dot for the batch   {t['batch'] * 1000:8.1f} ms")
    print(f"  one dot per figure (x4) {t['each'] * 1000:8.1f} ms  (what render does)")
    print(f"  cost of one dot per figure: {t['each'] / t['batch']:.2f}x")

    print("unrolled view, T=4 vs T=1,000,000")
    jobs = {}
    for steps in (4, 1_000_000):
        spec_path = Path(out) / f"unrolled_{steps}.yaml"
        spec_path.write_text(UNROLLED.format(steps=steps))
        spec = load(str(spec_path))
        jobs[f"scene{steps}"] = lambda spec=spec: [
            dot_source(s, THEMES["light"]) for _, s in scenes(spec)
        ]
        jobs[f"fresh{steps}"] = lambda p=spec_path: run(*render, str(p), "--backend", "graphviz")
    t = median_times(jobs)
    for steps in (4, 1_000_000):
        print(
            f"  T={steps:<9,} scene+DOT {t[f'scene{steps}'] * 1000:7.2f} ms   "
            f"fresh render {t[f'fresh{steps}'] * 1000:7.1f} ms"
        )
    a, b, c, d = t["scene4"], t["fresh4"], t["scene1000000"], t["fresh1000000"]
    print(f"  ratio T=1e6 / T=4: scene+DOT {c / a:.2f}, fresh render {d / b:.2f}  (target ~1.0)")

    print("stacked layers, 3 views -> SVG (one fresh render each; CPU time is what a shared")
    print("machine cannot inflate)")
    for layers in DEPTHS:
        spec_path = Path(out) / f"deep_{layers}.yaml"
        spec_path.write_text(deep_spec(layers))
        cells = []
        for backend in ("graphviz", "matplotlib"):
            wall, cpu = timed(lambda b=backend, p=spec_path: run(*render, str(p), "--backend", b))
            cells.append(f"{backend} {wall:6.2f} s wall {cpu:6.2f} s CPU")
        print(f"  {layers:4} layers  " + "   ".join(cells))


def timed(fn) -> tuple[float, float]:
    """Wall time and the CPU time of the child processes fn ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
