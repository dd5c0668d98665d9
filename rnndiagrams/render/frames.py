"""Step-by-step builds of a time grid: what each frame of a lecture's build shows.

A time-grid view (unrolled) places step t in grid column t (of each panel, when a slide's
grid stands as two: Scene.panel), so frame k holds the nodes of steps 0..k and the edges
between them, the recurrent edge into step k among them. Every frame is painted on the full
figure's layout, so the canvas never changes size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scene import Node, Scene
from .geometry import Box

if TYPE_CHECKING:
    from .layout import Layout

PAD = 6.0  # points between a step's nodes and its highlight


@dataclass(frozen=True)
class Build:
    column: int  # the step this frame adds (highlighted)
    nodes: frozenset[str]  # every node shown so far
    edges: frozenset[int]  # indices of every edge shown so far


def step(scene: Scene, node: Node) -> int:
    """The time step a node belongs to: its column, in whichever panel it stands."""
    return node.pos[0] % scene.panel if scene.panel else node.pos[0]


def builds(scene: Scene) -> list[Build]:
    """One build per step, each holding every earlier one."""
    columns = sorted({step(scene, n) for n in scene.nodes})
    out = []
    for column in columns:
        nodes = frozenset(n.id for n in scene.nodes if step(scene, n) <= column)
        edges = frozenset(i for i, e in enumerate(scene.edges) if e.src in nodes and e.dst in nodes)
        out.append(Build(column, nodes, edges))
    return out


def added(scene: Scene) -> list[tuple[Build, frozenset[str], frozenset[int]]]:
    """Each build with the nodes and edges it adds to the one before."""
    out, nodes, edges = [], frozenset[str](), frozenset[int]()
    for build in builds(scene):
        out.append((build, build.nodes - nodes, build.edges - edges))
        nodes, edges = build.nodes, build.edges
    return out


def highlight(layout: Layout, column: int) -> list[Box]:
    """The bands behind one time step's nodes (one a panel), a little wider than they are."""
    scene = layout.scene
    out = []
    for col in sorted({n.pos[0] for n in scene.nodes if step(scene, n) == column}):
        boxes = [layout.boxes[n.id] for n in scene.nodes if n.pos[0] == col]
        left = min(b.x - b.w / 2 for b in boxes) - PAD
        right = max(b.x + b.w / 2 for b in boxes) + PAD
        bottom = min(b.y - b.h / 2 for b in boxes) - PAD
        top = max(b.y + b.h / 2 for b in boxes) + PAD
        out.append(Box((left + right) / 2, (bottom + top) / 2, right - left, top - bottom))
    return out


STEP_SECONDS = 1.2  # how long an animated build shows each step
HOLD_STEPS = 2  # the whole figure stays this many steps before the build starts again
ROOT_ID = "rnnbuild"  # the animated SVG's root id, anchoring its style rules (scoped later)


def animation_css(count: int) -> str:
    """CSS that steps an SVG through `count` builds: elements of class `rnnbK` appear at step
    K, `rnnhK` (step K's highlight) shows during step K only; the whole figure is held, then
    the build starts again. Keyframe names carry the count, so two figures on one page that
    share a name share its meaning. Under prefers-reduced-motion nothing moves: every step
    shows, no highlight."""
    cycle = count + HOLD_STEPS
    rules, still = [], []
    for k in range(count):
        start, end = 100 * k / cycle, 100 * (k + 1) / cycle
        name = f"rnnd-{k}-of-{count}"
        timing = f"{cycle * STEP_SECONDS:.1f}s step-end infinite"
        rules.append(f"#{ROOT_ID} .rnnh{k}{{opacity:0;animation:{name}h {timing}}}")
        rules.append(
            f"@keyframes {name}h{{0%{{opacity:0}}{start:.2f}%{{opacity:1}}{end:.2f}%{{opacity:0}}}}"
        )
        still.append(f"#{ROOT_ID} .rnnh{k}")
        if k:
            rules.append(f"#{ROOT_ID} .rnnb{k}{{animation:{name}b {timing}}}")
            rules.append(f"@keyframes {name}b{{0%{{opacity:0}}{start:.2f}%{{opacity:1}}}}")
            still.append(f"#{ROOT_ID} .rnnb{k}")
    rules.append(f"@media (prefers-reduced-motion: reduce){{{','.join(still)}{{animation:none}}}}")
    return "\n".join(rules)


def classify(svg: bytes, count: int) -> bytes:
    """Give the animated SVG its root id, its style and each build's class: matplotlib writes
    an artist with gid `rnnbK-N` (or `rnnhK`) as `<g id="...">`."""
    svg = re.sub(rb'<g id="(rnn[bh]\d+)([-0-9]*)">', rb'<g id="\1\2" class="\1">', svg)
    style = f"<style>\n{animation_css(count)}\n</style>\n".encode()
    return re.sub(
        rb"(<svg\b)([^>]*>\n?)", rb'\1 id="' + ROOT_ID.encode() + rb'"\2' + style, svg, count=1
    )
