"""`make bench-watch`: how long after a save the live preview shows the new figures.

Runs `rnndiagrams watch` on a spec, opens it in headless Chromium, saves the spec N times
(changing its units) and times each save until the page shows the new version with every
image loaded, as the page itself times it. Prints every run and the median. The time includes
the file poll (<= 20 ms), the render (every save drawn: the figure cache is off), the
server-sent event, the page's fetch and the images' load.
"""

from __future__ import annotations

import os
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

from rnndiagrams.pages.content import text_content  # noqa: E402

# Run in the page: the time (Date.now()) it first shows the save, its new version's figures all
# loaded; checked every 2 ms by the page itself, so the bench's WebDriver calls, each a round
# trip through chromedriver on the same cores, neither delay nor quantise what is measured.
SHOWN = """
const [text, before] = arguments;
window.shownAt = null;
const check = () => {
  const imgs = [...document.images], content = document.getElementById("content");
  if (document.body.dataset.version !== before && !document.querySelector("pre.error")
      && content.innerText.includes(text) && imgs.every(i => i.complete && i.naturalWidth > 0)) {
    window.shownAt = Date.now();
  } else {
    setTimeout(check, 2);
  }
};
check();
"""


def main() -> None:
    # every save drawn, as a new edit is, not answered by the figure cache (its units repeat
    # from run to run); the watch process inherits this
    os.environ["RNNDIAGRAMS_NO_CACHE"] = "1"
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
                browser.execute_script(SHOWN, f"(None, {units})", before)
                save(spec, seed.replace("units: 32", f"units: {units}"))
                written = time.time()  # the clock the page's Date.now() reads
                while (shown := browser.execute_script("return window.shownAt")) is None:
                    time.sleep(0.02)  # the page times itself: these calls take no part
                times.append(shown / 1000 - written)
                print(f"save {run + 1}: {times[-1] * 1000:.0f} ms")
    renders = []
    for run in range(N):
        start = time.perf_counter()
        text_content(seed.replace("units: 32", f"units: {50 + run}"), spec.name)
        renders.append(time.perf_counter() - start)
    print(f"in-process render of the same spec (its part of the above): median "
          f"{statistics.median(renders) * 1000:.0f} ms")  # fmt: skip
    print(f"watch re-render after save, {spec.name} (3 views): median of {N} "
          f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
          f"max {max(times) * 1000:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
