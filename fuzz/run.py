"""`make fuzz`: run `rnndiagrams check` on N mutated specs and count what must never happen.

Each spec runs in a process of its own, forked from one that has imported the package (so
it runs as `main()` runs for a user, and its peak memory is its own), with a time limit.
A case fails when:
- it escapes `main()` as an exception (a traceback for the user);
- it exits 1 without exactly one line `PATH:LINE:COL: ...` on stderr;
- its error sits at 1:1 although nothing stands there and the problem is not about the
  whole file (a fallback location);
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
from fuzz.mutations import base_specs, big_model, mutate  # noqa: E402 (after the path is set)
from rnndiagrams import pipeline  # noqa: E402, F401 (imported once, before the forks)
from rnndiagrams.cli import main as cli_main  # noqa: E402 (imported once, before the forks)
from rnndiagrams.frameworks.keras import run  # noqa: E402, F401 (imported once, before the forks)

TIME_LIMIT_S = 20
MEMORY_LIMIT_KB = 1024 * 1024
# Problems that are about the whole file, so 1:1 is their right place.
WHOLE_FILE = re.compile(r"file is|the file is empty|spec is .* characters|not a regular file")


def case_bytes(seed: int) -> bytes:
    rng = random.Random(seed)
    if rng.random() < 0.1:
        return big_model(rng)
    return mutate(rng.choice(_BASES), rng)


_BASES = base_specs()


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def run_case(seed: int) -> dict:
    """Run `check` on one mutated spec; classify the outcome."""
    data = case_bytes(seed)
    with tempfile.TemporaryDirectory(prefix="rnndiagrams-fuzz-") as tmp:
        path = os.path.join(tmp, "spec.yaml")
        with open(path, "wb") as f:
            f.write(data)
        out, err = io.StringIO(), io.StringIO()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(TIME_LIMIT_S)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_main(["check", path])
            verdict = _judge(code, path, err.getvalue(), data)
        except _Timeout:
            verdict = "hang"
        except BaseException:
            verdict = "traceback: " + traceback.format_exc().strip().splitlines()[-1][:200]
        finally:
            signal.alarm(0)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if rss_kb > MEMORY_LIMIT_KB and not verdict.startswith("memory"):
        verdict = f"memory: {rss_kb // 1024} MB"
    return {"seed": seed, "verdict": verdict, "stderr": err.getvalue()[:300], "rss_kb": rss_kb}


def _judge(code: int, path: str, stderr: str, data: bytes) -> str:
    if code == 0:
        return "ok"
    lines = stderr.splitlines()
    if code != 1 or len(lines) != 1:
        return f"multi-line or odd exit ({code}, {len(lines)} lines)"
    m = re.match(re.escape(path) + r":(\d+):(\d+): (.+)", lines[0])
    if not m:
        return "unlocated"
    something_at_1_1 = data[:1] not in (b"", b" ", b"\t", b"\n", b"\r", b"#")
    if (m[1], m[2]) == ("1", "1") and not something_at_1_1 and not WHOLE_FILE.search(m[3]):
        return "misplaced (1:1)"
    return "located"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="number of specs")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--report", help="write every failing case to this JSON file")
    args = parser.parse_args()
    seeds = range(args.seed, args.seed + args.n)
    counts: Counter[str] = Counter()
    failures = []
    peak_kb = 0
    with Pool(2, maxtasksperchild=1) as pool:
        for result in pool.imap_unordered(run_case, seeds):
            peak_kb = max(peak_kb, result["rss_kb"])
            kind = result["verdict"].split(":")[0]
            counts[kind] += 1
            if kind not in ("ok", "located"):
                failures.append(result)
    print(
        f"{args.n} specs (seeds {args.seed}..{args.seed + args.n - 1}), peak {peak_kb // 1024} MB:"
    )
    for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {n:6d}  {kind}")
    for f in failures[:20]:
        print(f"  seed {f['seed']}: {f['verdict']} {f['stderr']!r}")
    if args.report:
        Path(args.report).write_text(json.dumps(failures, indent=1, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
