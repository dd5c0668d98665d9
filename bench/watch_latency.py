"""`make bench-watch`: how long after a save the live preview shows the new figures.

Runs `rnndiagrams watch` on a spec, opens it in headless Chromium, saves the spec N times
(changing its units) and times each save until the page shows the new version with every
image loaded. Prints every run and the median. The time includes the file poll (<= 20 ms),
the render, the server-sent event, the page's fetch and the images' load.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
N = 10

from browser import chromium  # noqa: E402
from watching import PAGE_STATE, save, watching  # noqa: E402

from rnndiagrams.pages.content import spec_content  # noqa: E402


def main() -> None:
    seed = (ROOT / "specs" / "seed_sentiment.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder, chromium() as browser:
        spec = Path(folder) / "seed_sentiment.yaml"
        save(spec, seed)
        with watching(spec) as (url, _):
            browser.get(url)
            times = []
            for run in range(N):
                before = browser.execute_script(PAGE_STATE)["version"]
                units = 33 + run
                written = save(spec, seed.replace("units: 32", f"units: {units}"))
                while True:
                    state = browser.execute_script(PAGE_STATE)
                    shown = f"(None, {units})" in state["text"] and not state["error"]
                    if state["version"] != before and state["loaded"] and shown:
                        break
                    time.sleep(0.005)
                times.append(time.perf_counter() - written)
                print(f"save {run + 1}: {times[-1] * 1000:.0f} ms")
    renders = []
    for _ in range(N):
        start = time.perf_counter()
        spec_content(ROOT / "specs" / "seed_sentiment.yaml")
        renders.append(time.perf_counter() - start)
    print(f"in-process render of the same spec (its part of the above): median "
          f"{statistics.median(renders) * 1000:.0f} ms")  # fmt: skip
    print(f"watch re-render after save, {spec.name} (3 views): median of {N} "
          f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
          f"max {max(times) * 1000:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
