"""Folded `=` unrolled, side by side: the classic textbook figure, from the same section."""

from __future__ import annotations

from ..scene import Group, Node, Scene, words
from ..shapes import ShapedModel
from ..specification.model import ViewSpec
from . import timegrid
from .grid import two_way
from .section import figure_name, select


def _prefixed(scene: Scene, prefix: str, shift: int) -> Scene:
    nodes = tuple(
        n._replace(id=prefix + n.id, pos=(n.pos[0] + shift, n.pos[1])) for n in scene.nodes
    )
    edges = tuple(e._replace(src=prefix + e.src, dst=prefix + e.dst) for e in scene.edges)
    return scene._replace(nodes=nodes, edges=edges)


def build(model: ShapedModel, view: ViewSpec) -> Scene:
    section = select(model, view)
    # side by side, a deep or bidirectional pair would be too wide for a page: drawn compact
    compact = len(section.recurrent) > 1 or any(two_way(r) for r in section.recurrent)
    folded = _prefixed(timegrid.build(model, view, True, compact), "f_", 0)
    # one column; three for a bidirectional cell; more for an encoder and its decoder
    width = max(n.pos[0] for n in folded.nodes) + 1
    unrolled = _prefixed(timegrid.build(model, view, False, compact), "u_", width + 1)
    # "=" sits in the first recurrent row, between the folded cell and the first unrolled step
    row = min(n.pos[1] for n in folded.nodes if n.role == "state")
    equals = Node("equals", ((words("="),),), "operator", "plain", (width, row))
    name = figure_name(model, "folded = unrolled", section.head_hidden)
    groups = (
        Group("folded", ((words("folded"),),), tuple(n.id for n in folded.nodes)),
        Group("equals", (), ("equals",)),
        Group("unrolled", ((words("unrolled"),),), tuple(n.id for n in unrolled.nodes)),
    )
    return Scene(
        name=name,
        legend=unrolled.legend,
        flow="up",
        nodes=folded.nodes + (equals,) + unrolled.nodes,
        edges=folded.edges + unrolled.edges,
        groups=groups,
    )
