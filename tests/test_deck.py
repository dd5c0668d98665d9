"""The gallery's deck (`make slides`): it compiles, it is current, every slide is there and
every unrolled figure in it is a build."""

import re
import subprocess

import pytest
from conftest import ROOT

from rnndiagrams import load
from rnndiagrams.pages.deck import STORY, deck_pdf, deck_tex
from rnndiagrams.pipeline import scenes
from rnndiagrams.render import frames

SPECS = ROOT / "specs"


def test_every_figure_of_the_story_is_a_gallery_view():
    for slide in STORY:
        for stem, view in slide.figures:
            assert view in {v.name for v in load(str(SPECS / f"{stem}.yaml")).views}, (stem, view)


def test_builds_are_overlays_and_the_rest_whole_figures():
    _, files = deck_tex(SPECS)
    for slide in STORY:
        for stem, view in slide.figures:
            overlaid = rb"\visible<" in files[f"{stem}-{view}.tex"]
            assert overlaid == (slide.build and view.startswith("unrolled")), (stem, view)


@pytest.mark.needs_tex
def test_the_committed_deck_is_current_and_has_every_slide():
    pdf = deck_pdf(SPECS)
    assert pdf == (ROOT / "output" / "slides.pdf").read_bytes(), "run `make slides`"
    pages = 1  # the title
    for slide in STORY:
        (stem, view), *_ = slide.figures
        # the deck draws the slide figures (an encoder's decoder beside it: its own steps)
        drawn = scenes(load(str(SPECS / f"{stem}.yaml")), "slide")
        scene = dict((v.name, s) for v, s in drawn)[view]
        pages += len(frames.builds(scene)) if slide.build else 1
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    assert re.search(rb"Pages:\s+(\d+)", info.stdout).group(1) == str(pages).encode()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    for slide in STORY:
        assert slide.title.encode() in text.stdout
