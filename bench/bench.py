"""`make bench`: side-by-side timings in one run, reported as ratios (medians of N runs).

1. One figure from a fresh process (issue 21's table): `rnndiagrams render` of the seed
   sentiment spec to SVG with each backend, against the floor (raw `dot -Tsvg` on the same DOT
   sources plus Python start-up), `import yaml` (the one library a Graphviz render imports),
   and the peers (Keras `plot_model`, torchview `draw_graph`) when their venv exists
   (BENCH_PEERS_PYTHON, default .venv-peers; never installed into the project's venv).
   Renders run with RNNDIAGRAMS_NO_CACHE=1: the work itself, not the figure cache (timed on its own row).
   Like the font subsets, the parsed spec comes from its cache; a row parses it each time.
2. Import time of each command (`-X importtime`, the sum of every module's own time).
3. The gallery: `make diagrams`' work (column and slide figures, the page) from a clean
   output/ and an empty cache, and a no-op `make diagrams`.
4. One `dot` per figure against one `dot` for a batch of figures (the price of determinism).
5. The unrolled view at T=4 and at T=1,000,000 (fresh-process render, and scene+DOT in-process).
6. Depth: 50, 100, 200 and 500 stacked layers (stack, folded and unrolled views), one fresh
   render per backend each: the curve should be linear; 500 layers in matplotlib at most 5x
   Graphviz.
7. `watch`'s save-to-page latency in headless Chromium, when the test extra and Chromium are
   installed (bench/watch_latency.py).

`--before DIR`: a checkout of an earlier commit (e.g. `git archive f373959 | tar -x -C DIR`),
timed in the same run, interleaved with this one, for a before/after table, run by
`--before-python` (default: this interpreter; a commit older than the Graphviz runner needs the
`graphviz` package beside it). Its gallery row draws the before tree's own specs as its Makefile
did, and this tree draws the same specs too: the same work, side by side. Wall times on a
shared machine are noisy: every row also gives the CPU time of its processes.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
N = 15
SEED = ROOT / "specs" / "seed_sentiment.yaml"
WORK = {**os.environ, "RNNDIAGRAMS_NO_CACHE": "1"}  # draw every figure
PYTHON = {ROOT: sys.executable}  # the interpreter of each tree timed (--before-python)
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
UNROLLED = """title: bench
model:
  input: {{shape: [null, 32]}}
  layers:
    - SimpleRNN: {{units: 64, return_sequences: true}}
    - Dense: {{units: 10}}
views: [{{unrolled: {{steps: {steps}}}}}]
"""
DEPTHS = (50, 100, 200, 500)
MPL_IMPORT = (
    "import matplotlib.figure, matplotlib.backends.backend_svg, matplotlib.backends.backend_agg"
)
# one backend's drawing of a spec's figures in a process that has already imported it: what a
# notebook, `watch` or a `-j` worker pays per figure (prints wall and CPU seconds)
DRAW_ONLY = """
import resource, sys, time
from rnndiagrams import load
from rnndiagrams.pipeline import render_figures
from rnndiagrams.render.backends import BACKENDS, command_line
command_line()
spec, backend = load(sys.argv[1]), sys.argv[2]
BACKENDS[backend].load()
def cpu():
    used = map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return sum(r.ru_utime + r.ru_stime for r in used)
wall, used = time.perf_counter(), cpu()
render_figures(spec, {"backends": (backend,), "formats": ("svg",)})
print(time.perf_counter() - wall, cpu() - used)
"""
PEERS = {  # the seed model, drawn by each peer with its shapes
    "Keras plot_model(show_shapes=True)": """
import keras
m = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(10000, 32),
                      keras.layers.SimpleRNN(32), keras.layers.Dense(1, activation="sigmoid")])
keras.utils.plot_model(m, to_file="{out}/keras.png", show_shapes=True)
""",
    "torchview draw_graph": """
import torch
from torchview import draw_graph
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb, self.rnn = torch.nn.Embedding(10000, 32), torch.nn.RNN(32, 32, batch_first=True)
        self.out = torch.nn.Linear(32, 1)
    def forward(self, x):
        return torch.sigmoid(self.out(self.rnn(self.emb(x))[1][-1]))
draw_graph(Net(), input_size=(1, 8), dtypes=[torch.long], save_graph=True,
           filename="torchview", directory="{out}")
""",
}


def deep_spec(layers: int) -> str:
    body = "".join("    - SimpleRNN: {units: 8, return_sequences: true}\n" for _ in range(layers))
    return (
        f"title: {layers} layers\nmodel:\n  input: {{shape: [null, 4]}}\n  layers:\n{body}"
        "views: [stack, folded, unrolled]\n"
    )


def run(*args: str, stdin: bytes | None = None, cwd: Path = ROOT, env: dict | None = None) -> None:
    subprocess.run(args, input=stdin, check=True, capture_output=True, cwd=cwd, env=env or WORK)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall time and the CPU time of the child processes fn ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(fns: dict[str, Callable[[], object]], n: int = N) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each function, the runs interleaved (a, b, c, a, b, c, ...) so a
    busy moment on a shared machine hits every contender alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(n):
        for name, fn in fns.items():
            times[name].append(timed(fn))
    return {
        name: (statistics.median(w for w, _ in ts), statistics.median(c for _, c in ts))
        for name, ts in times.items()
    }


def row(name: str, t: tuple[float, float], note: str = "") -> None:
    print(f"  {name:<44} {t[0] * 1000:9.1f} ms wall {t[1] * 1000:9.1f} ms CPU  {note}")


def trees(before: Path | None) -> dict[str, Path]:
    return {"": ROOT, **({"before: ": before} if before else {})}


def rnndiagrams(tree: Path) -> list[str]:
    """The command that runs `tree`'s rnndiagrams (from its folder: `-m` imports it from there)."""
    return [PYTHON.get(tree, sys.executable), "-m", "rnndiagrams"]


def one_figure(out: str, before: Path | None) -> None:
    from rnndiagrams import load
    from rnndiagrams.pipeline import scenes
    from rnndiagrams.render.dot_source import dot_source
    from rnndiagrams.style import THEMES

    sources = [dot_source(scene, THEMES["light"]).encode() for _, scene in scenes(load(str(SEED)))]
    render = [*rnndiagrams(ROOT), "render", str(SEED), "-o", out]
    fns: dict[str, Callable[[], object]] = {
        "python -c pass": lambda: run(sys.executable, "-c", "pass"),
        f"raw dot -Tsvg x{len(sources)}": lambda: [run("dot", "-Tsvg", stdin=s) for s in sources],
        'python -c "import yaml"': lambda: run(sys.executable, "-c", "import yaml"),
        # what the matplotlib backend imports before drawing anything: its floor
        "python -c <matplotlib's figure, SVG, Agg>": lambda: run(sys.executable, "-c", MPL_IMPORT),
        "figure cache hit (graphviz)": lambda: run(
            *render, "--backend", "graphviz", env=dict(os.environ)
        ),
    }
    for label, tree in trees(before).items():
        for backend in ("graphviz", "matplotlib"):
            fns[f"{label}render --backend {backend}"] = lambda b=backend, t=tree: run(
                *rnndiagrams(t), *render[3:], "--backend", b, cwd=t
            )
    # the render above reads its spec from the parsed-spec cache; this one parses it (PyYAML),
    # with the font caches kept
    parsed = Path(out) / "parsed"
    for kept in ("fonts", "fontconfig"):
        if (USER_CACHE / "rnndiagrams" / kept).is_dir():
            shutil.copytree(USER_CACHE / "rnndiagrams" / kept, parsed / "rnndiagrams" / kept)

    def cold_spec() -> None:
        shutil.rmtree(parsed / "rnndiagrams" / "specs", ignore_errors=True)
        run(*render, "--backend", "graphviz", env={**WORK, "XDG_CACHE_HOME": str(parsed)})

    fns["render --backend graphviz, spec parsed (no cache)"] = cold_spec
    peers = Path(os.environ.get("BENCH_PEERS_PYTHON", ROOT / ".venv-peers" / "bin" / "python"))
    for name, code in PEERS.items() if peers.exists() else ():
        fns[name] = lambda c=code: run(str(peers), "-c", c.format(out=out))
    run(
        *render, "--backend", "graphviz", env=dict(os.environ)
    )  # fills the figure cache for its row
    t = medians(fns)
    print(f"One figure: seed sentiment spec, {len(sources)} views -> SVG, fresh processes, "
          f"median of {N} (renders draw every figure: RNNDIAGRAMS_NO_CACHE=1)")  # fmt: skip
    for name, value in t.items():
        row(name, value)
    if not peers.exists():
        print(f"  peers: no venv at {peers} (BENCH_PEERS_PYTHON); not timed")
    for label in trees(before):
        gv, mpl = t[f"{label}render --backend graphviz"], t[f"{label}render --backend matplotlib"]
        floor = [
            a + b
            for a, b in zip(t["python -c pass"], t[f"raw dot -Tsvg x{len(sources)}"], strict=True)
        ]
        print(f"  {label}graphviz / (start-up + dot) = {gv[0] / floor[0]:.2f} wall, "
              f"{gv[1] / floor[1]:.2f} CPU (target <= 1.7)")  # fmt: skip
        print(f"  {label}matplotlib / graphviz = {mpl[0] / gv[0]:.2f} wall, "
              f"{mpl[1] / gv[1]:.2f} CPU (target <= 2)")  # fmt: skip
        mpl_import = t["python -c <matplotlib's figure, SVG, Agg>"]
        print(f"  {label}matplotlib's import alone / graphviz = {mpl_import[0] / gv[0]:.2f} wall, "
              f"{mpl_import[1] / gv[1]:.2f} CPU")  # fmt: skip
        for name in PEERS if peers.exists() else ():
            print(f"  {label}{name} / graphviz = {t[name][0] / gv[0]:.1f}x wall (target >= 20)")
    drawing_only()


def drawing_only() -> None:
    """matplotlib over Graphviz once each has imported what it draws with: the cost of the
    drawing itself (medians of N, interleaved, each in a fresh process)."""
    times: dict[str, list[tuple[float, float]]] = {"graphviz": [], "matplotlib": []}
    for _ in range(N):
        for backend, ts in times.items():
            out = subprocess.run(
                [sys.executable, "-c", DRAW_ONLY, str(SEED), backend],
                check=True, capture_output=True, text=True, env=WORK,
            ).stdout.split()  # fmt: skip
            ts.append((float(out[0]), float(out[1])))
    med = {b: tuple(statistics.median(v[i] for v in ts) for i in (0, 1)) for b, ts in times.items()}
    gv, mpl = med["graphviz"], med["matplotlib"]
    print(f"  drawing alone, imports done (a notebook, watch, a -j worker): graphviz "
          f"{gv[0] * 1000:.1f} ms, matplotlib {mpl[0] * 1000:.1f} ms wall; matplotlib / graphviz "
          f"= {mpl[0] / gv[0]:.2f} wall, {mpl[1] / gv[1]:.2f} CPU")  # fmt: skip


def import_times(out: str, before: Path | None) -> None:
    """Each command's imports, from `-X importtime` (the sum of every module's own time)."""
    commands = {
        "render --backend graphviz": ["render", str(SEED), "-o", out, "--backend", "graphviz"],
        "render --backend matplotlib": ["render", str(SEED), "-o", out, "--backend", "matplotlib"],
        "summary": ["summary", str(SEED)],
        "check": ["check", str(SEED)],
        "schema": ["schema"],
    }
    print("Import time of each command (median of 5, interleaved, -X importtime)")
    for name, argv in commands.items():
        totals: dict[str, list[int]] = {label: [] for label in trees(before)}
        for _ in range(5):
            for label, tree in trees(before).items():
                python, *command = rnndiagrams(tree)
                err = subprocess.run(
                    [python, "-X", "importtime", *command, *argv],
                    capture_output=True, text=True, cwd=tree, env=WORK, check=True,
                ).stderr  # fmt: skip
                own = [line.split("|")[0][12:] for line in err.splitlines()
                       if line.startswith("import time:")]  # fmt: skip
                totals[label].append(sum(int(us) for us in own if us.strip().isdigit()))
        cells = [f"{label or 'now: '}{statistics.median(us) / 1000:7.1f} ms" for label, us in
                 totals.items()]  # fmt: skip
        print(f"  {name:<30} " + "   ".join(cells))


def gallery(before: Path | None) -> None:
    """`make diagrams`' work from a clean output/ and an empty figure cache (font subsets and
    matplotlib's font list kept), then the no-op `make diagrams`. With a before tree, this tree
    also draws the before tree's specs (their column figures and the page): the same work."""
    specs = sorted((ROOT / "specs").glob("*.yaml"))
    fns: dict[str, Callable[[], object]] = {
        "make diagrams, clean output/, cold": partial(cold, ROOT, specs, ("column", "slide"))
    }
    if before:
        theirs = sorted(before.glob("specs/*.yaml"))
        same = [ROOT / "specs" / p.name for p in theirs if (ROOT / "specs" / p.name).exists()]
        fns[f"the before tree's {len(same)} specs, column"] = partial(cold, ROOT, same, ("column",))
        fns["before: make diagrams, clean output/, cold"] = partial(cold, before, theirs, ())
    t = medians(fns, n=3)
    print(f"Gallery: {len(specs)} specs, every figure (column and slide) and output/index.html"
          " (median of 3; before: one process per spec, then the page, as its Makefile ran)")  # fmt: skip
    for name, value in t.items():
        row(name, value)
    if before:
        then = t["before: make diagrams, clean output/, cold"]
        for name in list(t)[:2]:
            print(f"  {name} / before = {t[name][0] / then[0]:.3f} wall, "
                  f"{t[name][1] / then[1]:.3f} CPU (target <= 1/8 = 0.125)")  # fmt: skip
    run("make", "--no-print-directory", "diagrams", env=dict(os.environ))
    noop = medians({"make diagrams (no-op)": lambda: run("make", "diagrams", env=dict(os.environ))})
    row("make diagrams (no-op)", noop["make diagrams (no-op)"], "(target < 100 ms)")


def cold(tree: Path, specs: list[Path], targets: tuple[str, ...]) -> None:
    """Every figure of `specs` and the gallery page, from an empty output/ and figure cache.
    This tree runs what the Makefile runs (one process, a worker per core, `targets`); a
    before tree, one process per spec, then `gallery` (which drew every figure again)."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        for kept in ("matplotlib", "rnndiagrams/fonts"):
            if (USER_CACHE / kept).is_dir():
                shutil.copytree(USER_CACHE / kept, cache / kept)
        env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
        render = [*rnndiagrams(tree), "render", "-o", tmp]
        page = f"{tmp}/index.html"
        if tree == ROOT:
            jobs = str(os.cpu_count() or 1)
            both = [arg for target in targets for arg in ("--target", target)]
            run(*render, "-j", jobs, *both, "--gallery", page, *map(str, specs), env=env)
            return
        for spec in specs:
            run(*render, str(spec), cwd=tree, env=env)
        run(*rnndiagrams(tree), "gallery", "specs", "-o", page, cwd=tree, env=env)


def batch_vs_each(out: str) -> None:
    from rnndiagrams import load
    from rnndiagrams.pipeline import scenes
    from rnndiagrams.render.dot_source import dot_source
    from rnndiagrams.style import THEMES

    numpy_sources = [
        dot_source(scene, THEMES["light"]).encode()
        for _, scene in scenes(load(str(ROOT / "specs" / "seed_numpy_rnn.yaml")))
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        t = medians(
            {
                "one dot for the batch": lambda: run(
                    "dot", "-Tsvg", stdin=b"\n".join(numpy_sources)
                ),
                "one dot per figure (what render does)": lambda: list(
                    pool.map(lambda s: run("dot", "-Tsvg", stdin=s), numpy_sources)
                ),
            }
        )
    print(f"seed_numpy_rnn, {len(numpy_sources)} views -> SVG with raw dot (median of {N})")
    for name, value in t.items():
        row(name, value)


def unrolled(out: str) -> None:
    from rnndiagrams import load
    from rnndiagrams.pipeline import scenes
    from rnndiagrams.render.dot_source import dot_source
    from rnndiagrams.style import THEMES

    render = [sys.executable, "-m", "rnndiagrams", "render", "-o", out, "--format", "svg"]
    print("unrolled view, T=4 vs T=1,000,000")
    jobs: dict[str, Callable[[], object]] = {}
    for steps in (4, 1_000_000):
        spec_path = Path(out) / f"unrolled_{steps}.yaml"
        spec_path.write_text(UNROLLED.format(steps=steps))
        spec = load(str(spec_path))
        jobs[f"scene{steps}"] = lambda spec=spec: [
            dot_source(s, THEMES["light"]) for _, s in scenes(spec)
        ]
        jobs[f"fresh{steps}"] = lambda p=spec_path: run(*render, str(p), "--backend", "graphviz")
    t = {name: wall for name, (wall, _) in medians(jobs).items()}
    for steps in (4, 1_000_000):
        print(
            f"  T={steps:<9,} scene+DOT {t[f'scene{steps}'] * 1000:7.2f} ms   "
            f"fresh render {t[f'fresh{steps}'] * 1000:7.1f} ms"
        )
    a, b, c, d = t["scene4"], t["fresh4"], t["scene1000000"], t["fresh1000000"]
    print(f"  ratio T=1e6 / T=4: scene+DOT {c / a:.2f}, fresh render {d / b:.2f}  (target ~1.0)")


def depth(out: str, before: Path | None) -> None:
    render = ["render", "-o", out, "--format", "svg"]
    print("stacked layers, 3 views -> SVG (one fresh render each; CPU time is what a shared")
    print("machine cannot inflate)")
    for layers in DEPTHS:
        spec_path = Path(out) / f"deep_{layers}.yaml"
        spec_path.write_text(deep_spec(layers))
        for label, tree in trees(before).items() if layers == DEPTHS[-1] else {"": ROOT}.items():
            cpu = {}
            cells = []
            for backend in ("graphviz", "matplotlib"):
                wall, cpu[backend] = timed(
                    lambda b=backend, p=spec_path, t=tree: run(
                        *rnndiagrams(t), *render, str(p), "--backend", b, cwd=t
                    )
                )
                cells.append(f"{backend} {wall:6.2f} s wall {cpu[backend]:6.2f} s CPU")
            ratio = cpu["matplotlib"] / cpu["graphviz"]
            print(
                f"  {label}{layers:4} layers  " + "   ".join(cells) + f"   mpl/gv {ratio:.2f} CPU"
            )
    print("  (target at 500 layers: matplotlib <= 5x graphviz)")


def watch_latency() -> None:
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        from browser import chromium_missing

        missing = chromium_missing()
        import selenium  # noqa: F401
    except ImportError:
        missing = "the test extra is not installed (make setup-test)"
    print("watch: save-to-page latency in headless Chromium (target < 300 ms)")
    if missing:
        print(f"  not timed: {missing}")
        return
    # no figure cache: the edits are the same in every run, so a cache would answer them
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "watch_latency.py")], env=WORK)
    if done.returncode:  # the saves are printed as they come; a failure ends the row only
        print(f"  watch_latency.py exited with {done.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of an earlier commit to compare")
    parser.add_argument("--before-python", help="the interpreter that runs --before")
    args = parser.parse_args()
    before = args.before.resolve() if args.before else None
    if before:
        PYTHON[before] = args.before_python or sys.executable
    out = tempfile.mkdtemp()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    one_figure(out, before)
    import_times(out, before)
    gallery(before)
    batch_vs_each(out)
    unrolled(out)
    depth(out, before)
    watch_latency()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
