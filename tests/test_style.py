"""Themes as data: every text colour reaches WCAG AA (4.5:1) against what it is drawn on."""

import pytest

from rnndiagrams.style import THEMES


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", THEMES)
def test_all_text_reaches_wcag_aa(name):
    theme = THEMES[name]
    pairs = [("title and legend", theme.text, theme.background)]
    pairs += [("shapes", theme.muted, theme.background)]
    pairs += [(f"{role} edge label", c, theme.background) for role, c in theme.edge_text.items()]
    for role, (fill, _) in theme.roles.items():  # node labels, solid and faded, on their fill
        pairs += [(f"{role} label", theme.text, fill), (f"{role} shape", theme.muted, fill)]
    low = [(what, round(contrast(a, b), 2)) for what, a, b in pairs if contrast(a, b) < 4.5]
    assert not low, low
    assert set(theme.edge_text) == set(theme.edges)
