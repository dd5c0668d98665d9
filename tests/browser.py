"""Real headless Chromium for tests: figures are read in browsers, so they are measured there.

Debian's `chromium` and `chromium-driver` (installed by `make setup-test`, which `make test`
runs) driven by Selenium; the flags keep Chromium off the network this machine does not have."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def chromium_missing() -> str | None:
    """Why a browser test cannot run here, or None."""
    for exe in ("chromium", "chromedriver"):
        if shutil.which(exe) is None:
            return f"`{exe}` is not installed (run `make setup-test`)"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator:
    """A headless Chromium session with its own empty profile, closed on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="rnndiagrams-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console, for tests
        for flag in (
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(
            options=options, service=Service(executable_path=shutil.which("chromedriver"))
        )
        try:
            yield driver
        finally:
            driver.quit()


def firefox_screenshot(url: str, png: Path, width: int = 1280, height: int = 900) -> None:
    """A Firefox ESR screenshot of a page, to look at (Firefox renders SVG text differently)."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="rnndiagrams-firefox-") as profile:
        subprocess.run(
            ["firefox-esr", "--headless", "--no-remote", "--profile", profile,
             f"--window-size={width},{height}", "--screenshot", str(png), url],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
