"""Colours and fonts by role, shared by every renderer so figures match across backends.

Palette: Okabe & Ito's colour-blind-safe set, one hue per role.
"""
from __future__ import annotations

FONT = "DejaVu Sans"          # Latin, Greek, arrows; Hangul falls back to NanumGothic (both from `make setup`)
FONT_FALLBACKS = ("NanumGothic", "Nanum Gothic", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic")
FONT_SIZE = 14
SMALL_SIZE = 10

# role -> (fill, stroke)
ROLE_COLORS: dict[str, tuple[str, str]] = {
    "input": ("#DCEBF7", "#0072B2"),
    "state": ("#FBE8C8", "#E69F00"),
    "output": ("#D3EFE6", "#009E73"),
    "cell": ("#FFFFFF", "#333333"),
    "layer": ("#F3F3F3", "#555555"),
    "merge": ("#F6E0EC", "#CC79A7"),
    "operator": ("#FFFFFF", "#FFFFFF"),
    "ellipsis": ("#FFFFFF", "#FFFFFF"),
}
EDGE_COLORS: dict[str, str] = {
    "input": "#0072B2",
    "recurrent": "#D55E00",
    "head": "#009E73",
    "merge": "#CC79A7",
    "flow": "#333333",
}
TEXT = "#1A1A1A"
MUTED = "#666666"
BACKGROUND = "#FFFFFF"
