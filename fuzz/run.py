"""`make fuzz`: run `rnndiagrams check` on N mutated specs, and `rnndiagrams import` on N mutated
files of each kind it reads (.keras zips, to_json() files, print(model) texts), and count what
must never happen.

Each case runs in a process of its own, forked from one that has imported the package (so
it runs as `main()` runs for a user, and its peak memory is its own), with a time limit.
A case fails when:
- it escapes `main()` as an exception (a traceback for the user);
- it exits 1 without exactly one line `PATH:LINE:COL: ...` on stderr (an import's error may
  sit in a member, `PATH!config.json:LINE:COL`);
- a spec's error sits at 1:1 although nothing stands there and the problem is not about the
  whole file (a fallback location);
- an import that fails leaves its output file behind (half-written);
- it runs past the time limit, or the worker's resident memory passes 1 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import resource
import signal
import sys
import tempfile
import traceback
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzz.importers import (  # noqa: E402 (after the path is set)
    json_bases,
    keras_bases,
    mutate_json,
    mutate_keras,
    mutate_print,
    print_bases,
)
from fuzz.mutations import base_specs, big_model, mutate  # noqa: E402
from rnndiagrams import pipeline  # noqa: E402, F401 (imported once, before the forks)
from rnndiagrams.cli import main as cli_main  # noqa: E402 (imported once, before the forks)
from rnndiagrams.frameworks.keras import importer, run  # noqa: E402, F401 (likewise)
from rnndiagrams.frameworks.pytorch import importer as torch_importer  # noqa: E402, F401
from rnndiagrams.report import summary  # noqa: E402, F401 (likewise)

TIME_LIMIT_S = {"spec": 20, "keras": 10, "json": 10, "print": 10}
MEMORY_LIMIT_KB = 1024 * 1024
ADDRESS_SPACE = 4 << 30  # a run-away case fails with MemoryError here, not on the machine
# Problems that are about the whole file, so 1:1 is their right place.
WHOLE_FILE = re.compile(r"file is|the file is empty|spec is .* characters|not a regular file")


def case_bytes(seed: int, kind: str = "spec") -> bytes:
    """The file of case `seed` of `kind`: a spec, a .keras zip, a to_json() file or a
    print(model) text."""
    rng = random.Random(seed)
    if kind == "keras":
        return mutate_keras(rng.choice(keras_bases()), rng)
    if kind == "json":
        return mutate_json(rng.choice(json_bases()), rng)
    if kind == "print":
        return mutate_print(rng.choice(print_bases()), rng)
    if rng.random() < 0.1:
        return big_model(rng)
    return mutate(rng.choice(_BASES), rng)


_BASES = base_specs()
KINDS = {"spec": "spec.yaml", "keras": "model.keras", "json": "model.json", "print": "model.txt"}


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def run_case(task: tuple[str, int]) -> dict:
    """Run `check` on one mutated spec, or `import` on one mutated model file; classify the
    outcome."""
    kind, seed = task
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    data = case_bytes(seed, kind)
    with tempfile.TemporaryDirectory(prefix="rnndiagrams-fuzz-") as tmp:
        path = os.path.join(tmp, KINDS[kind])
        written = os.path.join(tmp, "imported.yaml")
        with open(path, "wb") as f:
            f.write(data)
        out, err = io.StringIO(), io.StringIO()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(TIME_LIMIT_S[kind])
        argv = ["check", path] if kind == "spec" else ["import", path, "-o", written]
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_main(argv)
            verdict = _judge(code, path, err.getvalue(), data, kind)
            if code != 0 and os.path.exists(written):
                verdict = "half-written"
        except _Timeout:
            verdict = "hang"
        except MemoryError:
            verdict = "memory: MemoryError"
        except BaseException:
            verdict = "traceback: " + traceback.format_exc().strip().splitlines()[-1][:200]
        finally:
            signal.alarm(0)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if rss_kb > MEMORY_LIMIT_KB and not verdict.startswith("memory"):
        verdict = f"memory: {rss_kb // 1024} MB"
    return {
        "kind": kind,
        "seed": seed,
        "verdict": verdict,
        "stderr": err.getvalue()[:300],
        "rss_kb": rss_kb,
    }


def _judge(code: int, path: str, stderr: str, data: bytes, kind: str = "spec") -> str:
    if code == 0:
        return "ok"
    lines = stderr.splitlines()
    if code != 1 or len(lines) != 1:
        return f"multi-line or odd exit ({code}, {len(lines)} lines)"
    member = r"(?:![^:]+)?" if kind == "keras" else ""
    m = re.match(re.escape(path) + member + r":(\d+):(\d+): (.+)", lines[0])
    if not m:
        return "unlocated"
    if kind != "spec":
        return "located"
    something_at_1_1 = data[:1] not in (b"", b" ", b"\t", b"\n", b"\r", b"#")
    if (m[1], m[2]) == ("1", "1") and not something_at_1_1 and not WHOLE_FILE.search(m[3]):
        return "misplaced (1:1)"
    return "located"


# The table's columns, and the verdicts (by their first words) that each counts.
COLUMNS = {
    "ok": ("ok",),
    "located": ("located",),
    "tracebacks": ("traceback",),
    "misplaced/multi-line": ("misplaced", "multi-line", "unlocated", "half-written"),
    "hangs": ("hang",),
    "over 1 GB": ("memory",),
}


def column(verdict: str) -> str:
    return next(c for c, starts in COLUMNS.items() if verdict.startswith(starts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="number of cases of each kind")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="only these input kinds (default: all)"
    )
    parser.add_argument("--report", help="write every failing case to this JSON file")
    args = parser.parse_args()
    kinds = args.kind or list(KINDS)
    seeds = range(args.seed, args.seed + args.n)
    counts = {kind: Counter[str]() for kind in kinds}
    peaks = dict.fromkeys(kinds, 0)
    failures = []
    tasks = [(kind, seed) for kind in kinds for seed in seeds]
    with Pool(2, maxtasksperchild=1) as pool:
        for result in pool.imap_unordered(run_case, tasks):
            kind = result["kind"]
            peaks[kind] = max(peaks[kind], result["rss_kb"])
            counts[kind][column(result["verdict"])] += 1
            if column(result["verdict"]) not in ("ok", "located"):
                failures.append(result)
    print(f"seeds {args.seed}..{args.seed + args.n - 1} of each kind")
    print("| input | cases | " + " | ".join(COLUMNS) + " | peak MB |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    for kind in kinds:
        cells = " | ".join(str(counts[kind][c]) for c in COLUMNS)
        print(f"| {kind} | {args.n} | {cells} | {peaks[kind] // 1024} |")
    for f in failures[:30]:
        print(f"  {f['kind']} seed {f['seed']}: {f['verdict']} {f['stderr']!r}")
    if args.report:
        Path(args.report).write_text(json.dumps(failures, indent=1, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
