"""The browser harness itself: a committed figure loads in Chromium and its text is measurable."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.needs_browser
def test_chromium_measures_an_inlined_svg(browser, tmp_path):
    svg = (ROOT / "output" / "seed_sentiment" / "stack.graphviz.svg").read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(f"<!doctype html><meta charset=utf-8><body>{svg}</body>", encoding="utf-8")
    browser.get(page.as_uri())
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('svg text')].map(t => t.getBBox().width)"
    )
    assert len(boxes) > 3
    assert all(w > 0 for w in boxes)
