"""The picture model every view produces and every renderer consumes.

Backend-neutral on purpose: no Graphviz or matplotlib terms. Text is split into runs so a
renderer can set `h` italic with a `t-1` subscript in whatever way its medium allows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    text: str
    sub: str = ""
    sup: str = ""
    italic: bool = False  # a math symbol (x, h, W ...), set in italics
    small: bool = False  # secondary text: shapes, counts


Line = tuple[Run, ...]
Label = tuple[Line, ...]


def sym(name: str, sub: str = "", sup: str = "") -> Run:
    """A math symbol such as h_{t-1}."""
    return Run(name, sub=sub, sup=sup, italic=True)


def words(text: str, small: bool = False) -> Run:
    return Run(text, small=small)


def plain_text(label: Label) -> str:
    """The label as one string, sub/superscripts written TeX-style (for titles and tests)."""

    def run(r: Run) -> str:
        out = r.text
        if r.sub:
            out += f"_{{{r.sub}}}" if len(r.sub) > 1 else f"_{r.sub}"
        if r.sup:
            out += f"^{{{r.sup}}}"
        return out

    return "\n".join("".join(run(r) for r in line) for line in label)


@dataclass(frozen=True)
class Node:
    id: str
    label: Label
    role: str  # input | state | output | cell | layer | merge | ellipsis | operator
    shape: str = "box"  # box | round | circle | plain
    pos: tuple[int, int] = (
        0,
        0,
    )  # grid cell (column, row): row 0 is where data enters, columns read left to right
    emphasis: str = "solid"  # solid | faded (computed but not returned)
    extent: tuple[float, float] | None = None  # drawn to scale: box width, height in points


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: Label = ()
    role: str = "flow"  # input | recurrent | head | flow | merge
    style: str = "solid"  # solid | dashed
    backward: bool = (
        False  # runs right to left (backward in time): laid out left to right, arrow reversed
    )


@dataclass(frozen=True)
class Group:
    """Nodes drawn together; with a label they get a frame, without one they only stay together."""

    id: str
    label: Label
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class Scene:
    name: str  # the figure's title: drawn on top, and the SVG <title>
    legend: tuple[Line, ...]
    flow: str  # up | down | right: the direction data moves
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()

    @property
    def title(self) -> Label:
        return ((Run(self.name),),)
