"""No edge of a gallery figure runs through a box, nor back through one of its ends
(matplotlib's layout, which TikZ shares): a curve along a column leaves on the side it bulges
to."""

import functools
import itertools
import math
import re
import statistics
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from rnndiagrams import load
from rnndiagrams.pipeline import render_figures, scenes
from rnndiagrams.render import layout
from rnndiagrams.scene import Scene, sides_past_nodes
from rnndiagrams.style import THEMES

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")

# Figures whose curves still cross a box (spec:view), a target's: the lists may only shrink.
# Every bend tried crosses a box: attention_luong's straight line h_39 -> a_T-1 cuts h_0^(2)'s
# corner; torch_seq2seq_attention's decoder.dropout -> input_gru runs through decoder.gru.
CROSSING = {
    "column": {"attention_luong:unrolled"},
    "slide": {"torch_seq2seq_attention:stack"},
}
# Figures with an edge label within layout.LINE_CLEAR of another edge's line
# (spec:view:target), where no spot and no wider gap clears it: the list may only shrink.
# attention_luong's alpha_0,39 among the attention lines converging on a_0 and a_T-1.
GRAZING = {"attention_luong:unrolled:slide"}
# Figures with an edge label within layout.BOX_CLEAR of a box (spec:view:target): the list may
# only shrink. A box's clearance is what a label's spot weighs last.
NEAR_BOX = {
    "attention_luong:stack:slide",
    "conv_lstm_forecaster:stack:slide",
    "seed_sentiment:stack:slide",
    "stacked:stack:slide",
}


def _exactly_listed(found: dict[str, object], listed: set[str]) -> None:
    """The figures found are the ones listed: none new (with what was found), none cleared."""
    assert found.keys() <= listed, {k: v for k, v in found.items() if k not in listed}
    assert found.keys() == listed, f"no longer found, take off the list: {listed - found.keys()}"


def _crossings(scene, target: str) -> set[tuple[str, str, str]]:
    with layout.measuring(False, scene.name):
        placed = layout.Layout(scene, THEMES["light"], target)
    nodes = {n.id: n for n in scene.nodes}
    crossed = set()
    for edge, route in zip(scene.edges, placed.routes, strict=True):
        # a point or two apart: a curve that cuts a box's corner between coarser samples too
        n = (
            50
            if route is None
            else max(50, int(math.dist(route[0], route[1]) * (1 + abs(route[2]))))
        )
        for k in range(1, n) if route is not None else ():
            x, y = layout.on_arc(*route, k / n)
            for nid, box in placed.boxes.items():
                # its own ends too: a curve that turns back through the box it leaves (a
                # cell's inputs to a gate two columns away, through `x_t`); an operator's
                # inputs meet at its centre
                own = nid in (edge.src, edge.dst)
                if nodes[nid].role == "ellipsis" or (own and nodes[nid].shape == "circle"):
                    continue
                if nodes[nid].shape != "exit" and box.contains(x, y, pad=-2.0 if own else -1.0):
                    crossed.add((edge.src, edge.dst, nid))
    return crossed


@pytest.mark.parametrize("target", ["column", "slide"])
def test_no_edge_runs_through_a_box(target):
    """Each target's figures as drawn: its own scenes (a column's scene laid out for a slide
    crossed where no drawn figure does), sampled a point or two apart (a curve that cut a
    cell's candidate box's corner slipped between 50 samples: torch_lstm_tagger's cell)."""
    found = set()
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for view, scene in scenes(load(str(path)), target):
            if _crossings(scene, target):
                found.add(f"{path.stem}:{view.name}")
    _exactly_listed(dict.fromkeys(found), CROSSING[target])


def _gap(rect, p) -> float:
    return math.hypot(
        max(abs(p[0] - rect.x) - rect.w / 2, 0.0), max(abs(p[1] - rect.y) - rect.h / 2, 0.0)
    )


@functools.cache
def _every_layout() -> list[tuple[str, Scene, layout.Layout]]:
    """Every gallery spec's every view laid out for both targets, once for the tests below."""
    placed = []
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for target in ("column", "slide"):
            for view, scene in scenes(load(str(path)), target):
                with layout.measuring(False, scene.name):
                    placed.append(
                        (
                            f"{path.stem}:{view.name}:{target}",
                            scene,
                            layout.Layout(scene, THEMES["light"], target),
                        )
                    )
    return placed


def test_edge_labels_keep_clear_of_other_edges_lines():
    """A label within a couple of points of another edge's line read as struck through, or
    as that edge's (review: shapes like `(None, None, 32)` on an arrowhead, U beside a
    bidirectional grid's curve; 19 labels of 14 figures under 4 pt): each keeps
    LINE_CLEAR off every other line, sampled a point apart, but the figures listed."""
    assert layout.LINE_CLEAR >= 4.0
    found: dict[str, list[tuple[str, float]]] = {}
    for key, scene, placed in _every_layout():
        lines = [
            (k, [layout.on_arc(*r, t / n) for t in range(n + 1)])
            for k, r in enumerate(placed.routes)
            if r is not None
            for n in (max(50, int(math.dist(r[0], r[1]) * (1 + abs(r[2])))),)
        ]
        for i, rect in placed.label_at.items():
            near = min(_gap(rect, p) for k, ps in lines if k != i for p in ps)
            if near < layout.LINE_CLEAR:
                edge = scene.edges[i]
                found.setdefault(key, []).append((f"{edge.src}->{edge.dst}", near))
    _exactly_listed(found, GRAZING)


def test_edge_labels_keep_clear_of_boxes():
    """A label touching a box read as the box's text (`(None, 100, 64)` against simple_rnn
    on the numpy stack's slide; 8 labels of 8 figures under 2 pt): each keeps BOX_CLEAR off
    every box, but the figures listed: there every spot clear of the boxes covers, or comes
    near, what a label's spot weighs first (another line within LINE_CLEAR)."""
    assert layout.BOX_CLEAR >= 2.0
    found: dict[str, list[tuple[str, str]]] = {}
    for key, scene, placed in _every_layout():
        for i, rect in placed.label_at.items():
            for nid, box in placed.boxes.items():
                gap = max(
                    abs(rect.x - box.x) - (rect.w + box.w) / 2,
                    abs(rect.y - box.y) - (rect.h + box.h) / 2,
                )
                if gap < layout.BOX_CLEAR:
                    edge = scene.edges[i]
                    found.setdefault(key, []).append((f"{edge.src}->{edge.dst}", nid))
    _exactly_listed(found, NEAR_BOX)


def test_a_curve_along_a_column_leaves_on_the_side_it_bulges_to():
    """residual_rnn's skip edge h_t^(1) -> Add left h^(1)'s top centre, under h^(2), and cut
    that box's corner (Firefox review); it now leaves toward its bulge."""
    (scene,) = [
        s
        for v, s in scenes(load(str(ROOT / "specs" / "residual_rnn.yaml")))
        if v.kind == "unrolled"
    ]
    with layout.measuring(False, scene.name):
        placed = layout.Layout(scene, THEMES["light"])
    curved = [
        (edge, route)
        for edge, route in zip(scene.edges, placed.routes, strict=True)
        if route is not None
        and route[2]
        and abs(placed.boxes[edge.src].x - placed.boxes[edge.dst].x) < 1
    ]
    assert curved
    for edge, (start, _, _) in curved:
        assert abs(start[0] - placed.boxes[edge.src].x) > 1, edge


def test_an_edge_back_against_the_flow_ends_clear_of_the_other_edges_ends():
    """The step-before edge of torch_seq2seq_attention's loop left decoder.gru from where
    input_gru's arrowhead lands, the cell loop's landed where steps_t's edge leaves, and the
    free-running feedback left o_0 where V's arrowhead lands (review): each now ends aside."""
    close = []
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for view, scene in scenes(load(str(path))):
            with layout.measuring(False, scene.name):
                placed = layout.Layout(scene, THEMES["light"])
            ends: dict[str, list[tuple[int, tuple[float, float]]]] = {}
            for i, (edge, route) in enumerate(zip(scene.edges, placed.routes, strict=True)):
                if route is not None:
                    ends.setdefault(edge.src, []).append((i, route[0]))
                    ends.setdefault(edge.dst, []).append((i, route[1]))
            for i, edge in enumerate(scene.edges):
                for nid in (edge.src, edge.dst) if edge.backward else ():
                    mine = [p for j, p in ends.get(nid, ()) if j == i]
                    others = [p for j, p in ends.get(nid, ()) if j != i]
                    if any(math.dist(a, b) < layout.SPREAD - 0.5 for a in mine for b in others):
                        close.append(f"{path.stem}:{view.name}:{edge.src}->{edge.dst}")
    assert any(
        e.backward
        for p in ("torch_cell_loop", "teacher_forcing")
        for _, s in scenes(load(str(ROOT / "specs" / f"{p}.yaml")))
        for e in s.edges
    )
    assert not close, close


def test_arrowheads_either_side_of_a_corner_stand_apart():
    """captioning_conditioned's h and c arrows met at caption_rnn's corner, one on its side,
    one on its top (review): the one on the top now moves in along it."""
    close = []
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for view, scene in scenes(load(str(path))):
            with layout.measuring(False, scene.name):
                placed = layout.Layout(scene, THEMES["light"])
            heads: dict[str, list[tuple[float, float]]] = {}
            for edge, route in zip(scene.edges, placed.routes, strict=True):
                if route is not None:
                    heads.setdefault(edge.dst, []).append(route[1])
            circles = {n.id for n in scene.nodes if n.shape == "circle"}  # meet at the centre
            for nid, points in heads.items():
                box = placed.boxes[nid]
                if nid in circles:
                    continue
                for i, a in enumerate(points):
                    for b in points[i + 1 :]:
                        apart = layout._side(box, a) != layout._side(box, b)
                        if apart and math.dist(a, b) < layout.SPREAD - 0.5:
                            close.append(f"{path.stem}:{view.name}:{nid}")
    assert not close, close


def _cut(p, q, r, s) -> bool:
    """Whether segment p-q crosses segment r-s (each strictly between the other's ends)."""

    def turn(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return turn(r, s, p) * turn(r, s, q) < 0 and turn(p, q, r) * turn(p, q, s) < 0


def _curves_crossed(scene, target: str) -> set[tuple[str, str, str]]:
    """Each edge along a column past a node (`sides_past_nodes`) whose curve crosses another
    curve along its column, or that bulges to the other side of its column than the layout
    gives it (the scene's, or the other where that crowds fewer labels). A curve across
    columns may cut every way up a column: attention_luong's h_0 -> a_T-1 arcs over a_0,
    between h_0^(2) and its Concatenate."""
    with layout.measuring(False, scene.name):
        placed = layout.Layout(scene, THEMES["light"], target)
    found = set()
    column = {n.id: n.pos[0] for n in scene.nodes}
    pieces = {
        i: list(itertools.pairwise(layout.on_arc(*r, k / 40) for k in range(41)))
        for i, (e, r) in enumerate(zip(scene.edges, placed.routes, strict=True))
        if r is not None and r[2] and column[e.src] == column[e.dst]
    }
    assert placed.past.keys() == sides_past_nodes(scene).keys()
    for i, side in placed.past.items():
        (start, end, _), edge = placed.routes[i], scene.edges[i]
        bulge = layout.on_arc(*placed.routes[i], 0.5)[0] - (start[0] + end[0]) / 2
        if bulge * side <= 0:
            found.add((edge.src, edge.dst, "side"))
        for j, others in pieces.items():
            if j != i and any(_cut(*a, *b) for a in pieces[i] for b in others):
                found.add((edge.src, edge.dst, f"{scene.edges[j].src}->{scene.edges[j].dst}"))
    return found


@pytest.mark.parametrize("target", ["column", "slide"])
def test_curves_past_a_node_keep_their_side_and_cross_no_curve(target):
    """A bidirectional grid's two edges past a node (x_t into the backward row, h_t-> into
    y_t) both bulged right and crossed (imdb_bilstm, torch_lstm_tagger, attention_bahdanau,
    bidirectional's last column): each now keeps the side of its column the scene gives it,
    as Graphviz's do, or the other where fewer labels then stand beside it (a pair that
    meets trades sides), so no two curves along a column cross."""
    found, sided = {}, set()
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for view, scene in scenes(load(str(path)), target):
            if -1 in sides_past_nodes(scene).values():
                sided.add(path.stem)
            if crossed := _curves_crossed(scene, target):
                found[f"{path.stem}:{view.name}"] = crossed
    assert {"imdb_bilstm", "torch_lstm_tagger", "attention_bahdanau"} <= sided
    assert not found, found


@pytest.mark.parametrize("target", ["column", "slide"])
def test_every_arrow_ends_on_the_side_of_its_box(target):
    """Heads spread along one side stay on it: residual_rnn's slide stack had lstm_2's arrow
    into `residual` shifted past the box's corner, pointing at empty space (Firefox review)."""
    off = set()
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        for view, scene in scenes(load(str(path)), target):
            with layout.measuring(False, scene.name):
                placed = layout.Layout(scene, THEMES["light"], target)
            nodes = {n.id: n for n in scene.nodes}
            for edge, route in zip(scene.edges, placed.routes, strict=True):
                if route is None or nodes[edge.dst].shape in ("circle", "exit"):
                    continue
                box, (x, y) = placed.boxes[edge.dst], route[1]
                if abs(x - box.x) > box.w / 2 + 0.5 or abs(y - box.y) > box.h / 2 + 0.5:
                    off.add(f"{path.stem}:{view.name}:{edge.src}->{edge.dst}")
    assert not off


# Graphviz figures with an edge leaving a box at another's arrowhead (spec/view.target): the
# list may only shrink. A folded slide's backward state: its merge edge leaves its side 3 pt
# from where dot brings the input's arrow in.
LEAVING_AT_A_HEAD = {"torch_lstm_tagger/folded.slide"}


def _tails_at_heads(svg: bytes, near: float = 4.0) -> list[tuple[str, str]]:
    """(edge, edge) pairs of a Graphviz SVG whose first's line leaves from within `near` pt
    of the second's arrow tip: a line's end with no arrowhead of its own is its tail; an
    arrowhead's tip is its point farthest from the line's end it caps."""
    tails, tips = [], []
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "edge":
            continue
        name = group.findtext(f"{SVG}title", "")
        ends = []
        for path in group.iter(f"{SVG}path"):
            xy = [float(v) for v in NUMBER.findall(path.get("d", ""))]
            ends += [(xy[0], xy[1]), (xy[-2], xy[-1])]
        capped = set()
        for head in group.iter(f"{SVG}polygon"):
            xy = [float(v) for v in NUMBER.findall(head.get("points", ""))]
            corners = list(zip(xy[::2], xy[1::2], strict=True))
            middle = (
                statistics.fmean(x for x, _ in corners),
                statistics.fmean(y for _, y in corners),
            )
            end = min(ends, key=lambda p: math.dist(p, middle))
            capped.add(end)
            tips.append((name, max(corners, key=lambda p: math.dist(p, end))))
        tails += [(name, p) for p in ends if p not in capped]
    return [(a, b) for a, t in tails for b, tip in tips if a != b and math.dist(t, tip) < near]


@pytest.mark.needs_dot
def test_no_graphviz_edge_leaves_a_box_where_another_s_arrowhead_enters_it():
    """A bidirectional grid's forward state left its merge's edge out of the side its
    recurrent arrow enters, at that arrowhead: the pink line read as an arrow into the box
    (imdb_bilstm's h_199->, torch_lstm_tagger's, bidirectional's; Chromium and Firefox
    review). It now leaves from that side's corner toward its head."""
    found = {}
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = load(str(path))
        for target in ("column", "slide"):
            options = {"target": target, "backends": ["graphviz"], "formats": ["svg"]}
            for fig in render_figures(spec, options):
                if pairs := _tails_at_heads(fig.data):
                    found[f"{path.stem}/{fig.view.name}{'.slide' * (target == 'slide')}"] = pairs
    assert found.keys() <= LEAVING_AT_A_HEAD, found
    assert found.keys() == LEAVING_AT_A_HEAD, "no longer leaving at a head, take off the list"
