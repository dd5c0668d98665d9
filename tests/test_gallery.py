"""The committed gallery page in real headless Chromium, at a 720 px column and a phone width."""

import re
from pathlib import Path

import pytest
from conftest import ROOT

from rnndiagrams import load, shape_model

PAGE = ROOT / "output" / "index.html"
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


@pytest.fixture
def browser(browser):
    """The session's Chromium, given back without this module's viewport and colour scheme."""
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def _open(browser, width: int, scheme: str = "light") -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(PAGE.as_uri())


@pytest.mark.needs_browser
@pytest.mark.parametrize("width", [720, 390])
def test_every_figure_loads_without_errors_or_horizontal_overflow(browser, width):
    _open(browser, width)
    assert browser.execute_script("return window.innerWidth") == width
    images = browser.execute_script(
        "return [...document.images].map(i => [i.complete, i.naturalWidth, i.getBoundingClientRect().right])"
    )
    expected = sum(len(s.views) * len(s.render["backends"]) for s in map(load, map(str, SPECS)))
    assert len(images) == expected
    broken = [i for i, (done, natural, _) in enumerate(images) if not done or natural == 0]
    assert not broken, f"broken images: {broken}"
    assert all(right <= width for _, _, right in images)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than a {width} px window"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


@pytest.mark.needs_browser
def test_each_spec_has_its_title_source_tables_and_figures(browser):
    _open(browser, 720)
    for path in SPECS:
        spec = load(str(path))
        section = browser.execute_script(
            "const s = document.getElementById(arguments[0]); return s && "
            "[s.querySelector('h2').textContent, s.querySelector('pre').textContent, "
            "s.querySelectorAll('table').length, s.querySelectorAll('img').length, s.innerText]",
            path.stem,
        )
        assert section, f"no section for {path.name}"
        title, source, tables, images, text = section
        assert title == spec.display_name
        assert source == path.read_text(encoding="utf-8")
        assert tables == len(spec.conventions)  # a PyTorch spec has no Keras count
        assert images == len(spec.views) * len(spec.render["backends"])
        for convention in spec.conventions:
            assert f"Total params: {shape_model(spec, convention).total_params:,}" in text


@pytest.mark.needs_browser
def test_light_and_dark_follow_the_reader(browser):
    colours = {}
    for scheme in ("light", "dark"):
        _open(browser, 720, scheme)
        colours[scheme] = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor"
        )

    def brightness(rgb: str) -> int:
        return sum(int(v) for v in rgb[rgb.index("(") + 1 : -1].split(",")[:3])

    assert brightness(colours["light"]) > 600 and brightness(colours["dark"]) < 150


def test_the_gallery_is_one_file():
    text = PAGE.read_text(encoding="utf-8")
    sources = re.findall(r'\bsrc="([^"]*)"', text)
    assert sources and all(src.startswith("data:image/svg+xml;base64,") for src in sources)
    assert "<link" not in text and "@import" not in text
    links = re.findall(r'\bhref="([^"]*)"', text)
    assert links and all(href.startswith("#") for href in links)


def test_readme_links_the_gallery():
    assert "(output/index.html)" in Path(ROOT / "README.md").read_text(encoding="utf-8")


def test_a_folder_without_specs_is_one_line_and_writes_nothing(tmp_path, capsys):
    from rnndiagrams.cli import main

    target = tmp_path / "index.html"
    assert main(["gallery", str(tmp_path), "-o", str(target)]) == 1
    assert (
        capsys.readouterr().err
        == f"{tmp_path}:1:1: no *.yaml spec in this folder; expected specs\n"
    )
    assert not target.exists()


def test_a_broken_spec_stops_the_gallery_with_its_located_error(write_spec, tmp_path, capsys):
    from rnndiagrams.cli import main

    spec = write_spec("model:\n  input: {shape: [null, 8]}\n  layers: [{GRU: {unit: 4}}]\n")
    target = tmp_path / "index.html"
    assert main(["gallery", str(spec), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{spec}:3:")
    assert "unknown GRU argument 'unit'" in err and err.count("\n") == 1
    assert not target.exists()
