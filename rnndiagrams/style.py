"""Themes as data: colours by role, and fonts, shared by every renderer so a figure looks
the same from either backend.

Palette: Okabe & Ito's colour-blind-safe set, one hue per role (input, state, output, weight).
"""

from __future__ import annotations

from typing import NamedTuple

FONT = (
    "DejaVu Sans"  # Latin, Greek, arrows; Hangul falls back to NanumGothic (both from `make setup`)
)
FONT_FALLBACKS = (
    "NanumGothic",
    "Nanum Gothic",
    "Noto Sans CJK KR",
    "Apple SD Gothic Neo",
    "Malgun Gothic",
)
FONT_SIZE = 14
SMALL_SIZE = 10
LEGEND_SIZE = 12  # its mathtext subscripts (70 %) still read at 9 px in a 720 px column


class Sizes(NamedTuple):
    """A target's type, in points: what a figure is laid out for (a page's column, a slide)."""

    text: float  # node labels, group titles, the title
    small: float  # secondary text: shapes, counts
    legend: float  # the header under the title
    edge: float  # edge labels
    sub: float  # the smallest subscript (a superscript is 70 % of its run, mathtext's ratio)
    row_gap: float = 46.0  # between the rows of a grid (vertical edges carry their labels beside)
    title: bool = True  # the figure draws its title (a slide's is in the slide's title band)
    line: float = 1.28  # line height, in font sizes
    # room under a line whose descenders (`_`, `g`) would touch the next line's ascenders, in
    # points: a slide's next line is as large as the text, not small, and needs more
    descender: float = 2.0


# A slide is read from across a room: its text (labels, shapes, edge labels, legend) is one
# size, its scripts 10/14 of it (~70 %, as typeset math sets them), so a figure fitted into a
# slide's 1200 x 600 px keeps its text >= 18 px and its scripts at that ratio; its rows are
# closer, and its title is the slide's.
TARGETS = {
    "column": Sizes(FONT_SIZE, SMALL_SIZE, LEGEND_SIZE, SMALL_SIZE + 2, SMALL_SIZE),
    "slide": Sizes(14.0, 14.0, 14.0, 14.0, SMALL_SIZE, row_gap=30.0, title=False, descender=3.0),
}
# a target's canvas, width / height: a slide's 1200 x 600 px area asks 1.5-2.2; aimed a little
# inside, so a canvas rounded to whole points stays within
ASPECT = {"slide": (1.52, 2.18)}

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}


class Theme(NamedTuple):
    """The colours of a figure: background, text, and each role's fill and stroke."""

    background: str
    text: str
    muted: str
    frame: str
    roles: dict[str, tuple[str, str]]  # role -> (fill, stroke)
    edges: dict[str, str]  # edge role -> colour of the line
    edge_text: dict[str, str]  # edge role -> colour of its label: WCAG AA, 4.5:1 on background


def _roles(
    fills: dict[str, str], strokes: dict[str, str], blank: str
) -> dict[str, tuple[str, str]]:
    roles = {role: (fills[role], strokes[role]) for role in fills}
    roles.update({"operator": (blank, blank), "ellipsis": (blank, blank), "exit": (blank, blank)})
    return roles


_STROKES = {
    "input": OKABE_ITO["blue"],
    "state": OKABE_ITO["orange"],
    "output": OKABE_ITO["green"],
    "cell": "#333333",
    "layer": "#555555",
    "merge": OKABE_ITO["purple"],
    "weight": OKABE_ITO["purple"],
    "gate": OKABE_ITO["vermillion"],
    "op": "#333333",
}
_EDGES = {
    "input": OKABE_ITO["blue"],
    "recurrent": OKABE_ITO["vermillion"],
    "head": OKABE_ITO["green"],
    "output": OKABE_ITO["green"],  # what the model returns, leaving the figure
    "merge": OKABE_ITO["purple"],
    "flow": "#333333",
}
# Okabe-Ito hues are made for lines (3:1 is enough there); labels in them need darker shades on
# white and a lighter one on the dark background to reach 4.5:1 (tests/test_style.py)
_LIGHT_TEXT = {
    **_EDGES,
    "recurrent": "#B34F00",
    "head": "#007A5A",
    "output": "#007A5A",
    "merge": "#A5507F",
}

THEMES: dict[str, Theme] = {
    "light": Theme(
        background="#FFFFFF",
        text="#1A1A1A",
        muted="#666666",
        frame="#888888",
        roles=_roles(
            {
                "input": "#DCEBF7",
                "state": "#FBE8C8",
                "output": "#D3EFE6",
                "cell": "#FFFFFF",
                "layer": "#F3F3F3",
                "merge": "#F6E0EC",
                "weight": "#EFE3F7",
                "gate": "#FBE0D0",
                "op": "#FFFFFF",
            },
            _STROKES,
            "#FFFFFF",
        ),
        edges=_EDGES,
        edge_text=_LIGHT_TEXT,
    ),
    "dark": Theme(
        background="#1E1E1E",
        text="#EEEEEE",
        muted="#AAAAAA",
        frame="#777777",
        roles=_roles(
            {
                "input": "#15344D",
                "state": "#4A3510",
                "output": "#0F3D31",
                "cell": "#2A2A2A",
                "layer": "#2F2F2F",
                "merge": "#44263A",
                "weight": "#3A2C47",
                "gate": "#4D2611",
                "op": "#2A2A2A",
            },
            {
                **_STROKES,
                "input": OKABE_ITO["sky"],
                "cell": "#CCCCCC",
                "layer": "#BBBBBB",
                "op": "#CCCCCC",
            },
            "#1E1E1E",
        ),
        edges={**_EDGES, "input": OKABE_ITO["sky"], "flow": "#CCCCCC"},
        edge_text={**_EDGES, "input": OKABE_ITO["sky"], "flow": "#CCCCCC", "recurrent": "#F07B2A"},
    ),
    "print": Theme(
        background="#FFFFFF",
        text="#000000",
        muted="#444444",
        frame="#000000",
        roles=_roles({r: "#FFFFFF" for r in _STROKES}, {r: "#000000" for r in _STROKES}, "#FFFFFF"),
        edges={r: "#000000" for r in _EDGES},
        edge_text={r: "#000000" for r in _EDGES},
    ),
}
