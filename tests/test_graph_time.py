"""Graph specs through time (issue 17): the unrolled view of an encoder-decoder, attention,
conditioning, residual adds, teacher forcing and free running; and the layout fixes that
came with them (edges meeting one side of a node, labels clear of lines, Graphviz labels of
converging edges)."""

import json
import math
import re
import subprocess

import pytest
from conftest import ROOT

from rnndiagrams import load, shape_model
from rnndiagrams.cli import main
from rnndiagrams.frameworks.keras.importer import import_keras
from rnndiagrams.pipeline import scenes
from rnndiagrams.render import layout
from rnndiagrams.render.dot_source import dot_source
from rnndiagrams.scene import Edge, Node, Run, Scene, plain_text
from rnndiagrams.shapes.shaped import format_shape
from rnndiagrams.style import THEMES
from rnndiagrams.views import build_scene

SPECS = ROOT / "specs"


def _scene(name: str, view: str = "unrolled", target: str = "column"):
    spec = load(str(SPECS / f"{name}.yaml"))
    return dict((v.name, s) for v, s in scenes(spec, target))[view], shape_model(spec)


def _by_text(scene, text: str):
    """The nodes whose label reads `text` (TeX-style, as plain_text writes it)."""
    return [n for n in scene.nodes if plain_text(n.label).startswith(text)]


def test_the_encoders_last_step_hands_its_state_to_the_decoders_first():
    scene, model = _scene("encoder_decoder")
    nodes = {n.id: n for n in scene.nodes}
    (last,) = _by_text(scene, "h_{S-1}^{(1)}")
    (first,) = _by_text(scene, "h_0^{(2)}")
    (handover,) = [e for e in scene.edges if (e.src, e.dst) == (last.id, first.id)]
    assert plain_text(handover.label) == "h_0\nc_0" and handover.role == "recurrent"
    # one time axis: the encoder's steps, then the decoder's, the state on one row
    assert last.pos[1] == first.pos[1] and first.pos[0] == last.pos[0] + 1
    encoder_steps = [n for n in scene.nodes if n.pos[1] == last.pos[1] and n.pos[0] <= last.pos[0]]
    assert [n.role for n in encoder_steps] == ["state", "ellipsis", "state"]
    # the encoder returns no sequence: its states before the last are computed, not returned
    assert encoder_steps[0].emphasis == "faded" and last.emphasis == "solid"
    # every shape is the shape engine's
    h = format_shape(model.layer("decoder").step_tensor("h_t").shape)
    assert h in plain_text(first.label) and "c_0" in plain_text(first.label)
    assert format_shape(model.layer("encoder").step_tensor("c_t").shape) in plain_text(last.label)
    exits = {n.id for n in scene.nodes if n.role == "exit"}
    fed = {nodes[e.src].pos[0] for e in scene.edges if e.dst in exits}
    assert fed == {first.pos[0], first.pos[0] + 2}  # the decoder's steps, not the encoder's


@pytest.mark.parametrize("name", ["attention_luong", "attention_bahdanau"])
def test_attention_is_a_context_per_decoder_step_from_every_encoder_state(name):
    scene, model = _scene(name)
    contexts = _by_text(scene, "a_")
    assert [plain_text(n.label).split("\n")[0] for n in contexts] == ["a_0", "a_{T-1}"]
    encoder = model.layer("encoder")
    steps = encoder.output_shape[1]
    named = [e for e in scene.edges if e.dst == contexts[0].id and e.label]
    assert sorted(plain_text(e.label) for e in named) == ["α_{0,0}", f"α_{{0,{steps - 1}}}"]
    states = {e.src for e in named}  # the first and last drawn encoder steps
    nodes = {n.id: n for n in scene.nodes}
    assert {nodes[i].pos[0] for i in states} == {0, contexts[0].pos[0] - 1}
    into_last = [e for e in scene.edges if e.dst == contexts[1].id and e.src in states]
    assert len(into_last) == 2 and not any(e.label for e in into_last)
    legend = " ".join(plain_text((line,)) for line in scene.legend)
    assert f"over the {encoder.output_shape[1]} steps" in legend


def test_captioning_conditions_h0_and_c0_on_the_image_vector():
    scene, _ = _scene("captioning_conditioned")
    (first,) = _by_text(scene, "h_0^{(1)}")
    into = {plain_text(e.label): e for e in scene.edges if e.dst == first.id and e.label}
    assert set(into) >= {"h_0", "c_0"}
    nodes = {n.id: n for n in scene.nodes}
    assert plain_text(nodes[into["h_0"].src].label).startswith("init_h")
    assert plain_text(nodes[into["c_0"].src].label).startswith("init_c")
    # the vectors stand left of the steps
    assert all(nodes[into[k].src].pos[0] < first.pos[0] for k in ("h_0", "c_0"))


def test_a_context_vector_reaches_every_step():
    scene, _ = _scene("context_every_step")
    (context,) = _by_text(scene, "context")
    steps = [n for n in scene.nodes if plain_text(n.label).startswith("Concatenate()")]
    assert len(steps) == 3  # 0, 1, ..., 49 with the ellipsis between
    assert {e.dst for e in scene.edges if e.src == context.id} == {n.id for n in steps}


def test_a_residual_add_reads_both_layers_at_each_step():
    scene, _ = _scene("residual_rnn")
    nodes = {n.id: n for n in scene.nodes}
    adds = [n for n in scene.nodes if plain_text(n.label).startswith("Add()")]
    assert len(adds) == 3
    for add in adds:
        sources = [nodes[e.src] for e in scene.edges if e.dst == add.id]
        assert [plain_text(n.label).split("\n")[0][-5:] for n in sources] == ["{(1)}", "{(2)}"]
        assert {n.pos[0] for n in sources} == {add.pos[0]}


def test_teacher_forcing_and_free_running_are_two_figures_of_one_spec():
    teacher, _ = _scene("teacher_forcing", "teacher-forcing")
    free, _ = _scene("teacher_forcing", "free-running")
    assert teacher.name.endswith("teacher forcing") and free.name.endswith("free running")
    for scene, source in ((teacher, "ground truth"), (free, "sampled from o_0")):
        inputs = [n for n in scene.nodes if n.pos[1] == 0 and n.role != "ellipsis"]
        assert plain_text(inputs[0].label) == "start\ntoken"
        assert plain_text(inputs[1].label) == f"y_0\n{source}"
    # free running: each step's input is the output of the step before
    nodes = {n.id: n for n in free.nodes}
    fed = [e for e in free.edges if nodes[e.dst].pos[1] == 0 and nodes[e.src].pos[1] > 0]
    assert [(nodes[e.src].pos[0], nodes[e.dst].pos[0]) for e in fed] == [(0, 1), (2, 3)]
    assert all(e.backward and e.style == "dashed" for e in fed)
    assert not [e for e in teacher.edges if nodes[e.dst].pos[1] == 0 and e.src in nodes]


def test_free_running_names_the_recurrent_weight_in_a_gap_no_feedback_edge_crosses():
    """o_0 -> y_0 runs down through the gap between steps 0 and 1 (and `...` -> y_{T-2} through
    the last): U is named on the edge h_1 -> `...` instead, so no feedback edge crosses its
    name (teacher forcing, with no such edges, names it between steps 0 and 1)."""
    for view, gap in (("free-running", 1), ("teacher-forcing", 0)):
        scene, _ = _scene("teacher_forcing", view)
        nodes = {n.id: n for n in scene.nodes}
        named = [e for e in scene.edges if e.role == "recurrent" and e.label]
        assert [min(nodes[e.src].pos[0], nodes[e.dst].pos[0]) for e in named] == [gap]
        assert plain_text(named[0].label).startswith("U^{(1)}")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "model:\n  input: {shape: [5, 3]}\n  layers:\n    - GRU: {units: 4}\n"
            "views: [{unrolled: {feed: free}}]\n",
            ":5:21: the feed option is drawn for a graph (named inputs) only",
        ),
        (
            "model:\n  input: {shape: [5, 3], name: x}\n  layers:\n"
            "    - GRU: {units: 4}\n    - Dense: {units: 2}\n"
            "views: [{unrolled: {feed: teacher}}]\n",
            ":6:27: feed: teacher needs the model's output and an input on one time axis",
        ),
        (
            "model:\n  input: {shape: [5, 3], name: x}\n  layers:\n"
            "    - GRU: {units: 4, return_sequences: true}\n"
            "views: [{unrolled: {head: hide}}]\n",
            ":5:21: the head option is drawn for a chain only",
        ),
        (
            "model:\n  input: {shape: [5, 3], name: x}\n  layers:\n"
            "    - GRU: {units: 4, return_sequences: true}\n"
            "views: [folded]\n",
            ":5:9: the folded view draws a chain of layers, and this model is a graph",
        ),
    ],
)
def test_a_view_option_a_model_lacks_is_one_located_line(spec, message, write_spec, capsys):
    path = write_spec(spec)
    assert main(["render", str(path), "-o", str(path.parent / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"{path}{message}"), err


def test_every_keras_graph_of_the_oracle_unrolls(tmp_path):
    """The 28 Functional models, imported, all draw through time (not only the gallery's)."""
    from rnndiagrams.frameworks.keras.importer import import_keras

    for model in sorted((ROOT / "tests" / "oracle" / "graphs" / "keras").glob("*.json")):
        text, _, _ = import_keras(str(model))
        path = tmp_path / f"{model.stem}.yaml"
        path.write_text(text + "views: [unrolled]\n", encoding="utf-8")
        spec = load(str(path))
        scene = build_scene(shape_model(spec), spec.views[0])
        ids = [n.id for n in scene.nodes]
        assert len(ids) == len(set(ids)) and len({n.pos for n in scene.nodes}) == len(ids)
        assert all(e.src in ids and e.dst in ids for e in scene.edges)
        assert any(n.role == "exit" for n in scene.nodes), model.stem


def test_edges_meeting_one_side_of_a_node_do_not_share_an_end():
    """The DAG's skip edge (decoder -> concatenation, curving past the context) and the
    straight one from the context ended on one point, arrowhead over arrowhead."""
    for name in ("attention_luong", "attention_bahdanau", "residual_rnn", "encoder_decoder"):
        for view in ("stack", "unrolled"):
            scene, _ = _scene(name, view)
            with layout.measuring(False, scene.name):
                placed = layout.Layout(scene, THEMES["light"])
            ends = [r[1] for r in placed.routes if r is not None]
            assert len(set(ends)) == len(ends), (name, view)


def test_labels_stay_clear_of_every_line():
    for name in ("attention_luong", "captioning_conditioned", "encoder_decoder"):
        scene, _ = _scene(name, "stack")
        with layout.measuring(False, scene.name):
            placed = layout.Layout(scene, THEMES["light"])
        for i, rect in placed.label_at.items():
            for j, route in enumerate(placed.routes):
                if route is None or j == i:
                    continue
                points = [layout.on_arc(*route, k / 50) for k in range(1, 50)]
                assert not any(rect.contains(x, y, pad=0) for x, y in points), (name, i, j)


def test_a_label_leaves_room_on_its_right_for_text_a_browser_sets_wider(tmp_path):
    """A browser draws editable text up to 5 % wider than matplotlib's hinted measure, and
    rightwards (a label's lines are set from its left): a residual graph's skip label
    `(None, 20, 8)`, placed left of the straight edge beside it, touched that edge."""
    (model,) = (ROOT / "tests" / "oracle" / "graphs" / "keras").glob("*027_residual.json")
    text, _, _ = import_keras(str(model))
    path = tmp_path / "residual.yaml"
    path.write_text(text + "views: [stack]\n", encoding="utf-8")
    (scene,) = [s for _, s in scenes(load(str(path)))]
    with layout.measuring(True, scene.name):
        placed = layout.Layout(scene, THEMES["light"])
    for i, rect in placed.label_at.items():
        right = rect.x + rect.w / 2 + rect.w * layout.TEXT_SLACK
        inked = layout.Box(
            (rect.x - rect.w / 2 + right) / 2, rect.y, right - rect.x + rect.w / 2, rect.h
        )
        for j, route in enumerate(placed.routes):
            if route is not None and j != i:
                points = [layout.on_arc(*route, k / 50) for k in range(1, 50)]
                assert not any(inked.contains(x, y, pad=0) for x, y in points), (i, j)


def test_graphviz_sets_converging_labels_a_line_apart():
    """Two labelled edges into one node from other columns: their labels stand in one rank,
    so each gets a blank line above or below and they no longer read as one line."""
    scene, _ = _scene("captioning_conditioned", "stack")
    source = dot_source(scene, THEMES["light"])
    into = [line for line in source.splitlines() if "-> caption_rnn [label=" in line]
    assert len(into) == 3  # word_embedding's, init_h's, init_c's
    # which line of its label holds the text: a different one for each
    at = [next(k for k, part in enumerate(line.split("<BR/>")) if "(None" in part) for line in into]
    assert sorted(at) == [0, 1, 2]


def test_attention_weights_are_read_beside_their_own_arrowheads():
    """Graphviz set each alpha midway, where a passing curve could seem to own it
    (attention_bahdanau: alpha_{0,39} lay on the curve into a_{T-1}); a head label stays
    beside the arrowhead of its own edge."""
    for name in ("attention_luong", "attention_bahdanau"):
        scene, _ = _scene(name)
        weights = [e for e in scene.edges if e.label and plain_text(e.label).startswith("α")]
        assert len(weights) == 2 and all(e.at_head for e in weights), name
        dot = dot_source(scene, THEMES["light"])
        assert dot.count("headlabel=<&#160;<I>α") == 2
        assert not re.search("(?<!head)label=<&#160;<I>α", dot)


def _laid_out(scene, target: str = "column") -> dict:
    """The scene as dot lays it out (`-Tjson`): its objects by name, each edge's curve
    points (every piece of a Bezier path) and its text runs as boxes (left, right, low, high)."""
    out = subprocess.run(
        ["dot", "-Tjson"],
        input=dot_source(scene, THEMES["light"], target).encode(),
        capture_output=True,
    )
    drawn = json.loads(out.stdout)
    names = {o["_gvid"]: o["name"] for o in drawn["objects"]}
    edges = []
    for edge in drawn.get("edges", []):
        curves = [op["points"] for op in edge.get("_draw_", []) if op["op"] == "b"]
        runs, size = [], 0.0
        for op in edge.get("_ldraw_", []) + edge.get("_tldraw_", []) + edge.get("_hldraw_", []):
            if op["op"] == "F":
                size = op["size"]
            elif op["op"] == "T" and op["text"].strip():
                (x, y), w = op["pt"], op["width"]
                left = {"l": x, "c": x - w / 2, "r": x - w}[op["align"]]
                runs.append((left, left + w, y - 0.2 * size, y + 0.7 * size))
        edges.append((names[edge["tail"]], names[edge["head"]], curves, runs))
    return {"objects": {o["name"]: o for o in drawn["objects"]}, "edges": edges}


def _on_curve(points: list[list[float]], t: float) -> tuple[float, float]:
    """The point at `t` on a cubic Bezier segment."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
    return (a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)


@pytest.mark.needs_dot
@pytest.mark.parametrize(
    "name", ["bidirectional", "attention_bahdanau", "residual_rnn", "torch_lstm_tagger"]
)
def test_an_edge_past_a_node_crosses_the_rows_edges_clear_of_their_labels(name):
    """dot took the curve from x_t into the backward row round either side of the forward
    node, through that row's `U` label, and the curve from h_t-> to y_t through the backward
    row's: an edge past a node keeps to one side, through a lane beside the node it passes,
    which that row's edge runs through too, its label beyond. The pieces meet upright."""
    scene, _ = _scene(name)
    drawn = _laid_out(scene)
    lanes = {n: o for n, o in drawn["objects"].items() if n.startswith("lane_")}
    assert lanes
    for lane, obj in lanes.items():
        x, y = (float(v) for v in obj["pos"].split(","))
        pieces = [
            curves[0][:2] if tail == lane else curves[-1][::-1][:2]
            for tail, head, curves, _ in drawn["edges"]
            if lane in (tail, head) and curves
        ]
        assert len(pieces) == 4, lane  # the curve and the row's edge, each in and out
        for (end_x, end_y), (next_x, next_y) in pieces:
            assert abs(end_x - x) <= 1.01 and abs(end_y - y) <= 1.01, lane
            assert abs(next_x - end_x) < 0.01 or abs(next_y - end_y) < 0.01, lane
    runs = [(tail, head, run) for tail, head, _, rs in drawn["edges"] for run in rs]
    for tail, head, curves, _ in drawn["edges"]:
        points = [
            _on_curve(curve[k : k + 4], t / 20)
            for curve in curves
            for k in range(0, len(curve) - 3, 3)
            for t in range(21)
        ]
        for other_tail, other_head, (left, right, low, high) in runs:
            if (other_tail, other_head) != (tail, head):
                assert not [p for p in points if left < p[0] < right and low < p[1] < high], (
                    tail,
                    head,
                    other_tail,
                    other_head,
                )


@pytest.mark.needs_dot
@pytest.mark.parametrize("target", ["column", "slide"])
def test_each_label_of_edges_rising_into_one_node_stands_nearest_its_own_line(target):
    """captioning's h_0 and c_0 edges rise from init_h and init_c (side by side on a slide)
    into the first step; dot sets each label right of its line, and the h_0 label, set a line
    lower than the c_0 label, stood beside the c_0 line. The leftmost line's is set highest."""
    scene, _ = _scene("captioning_conditioned", "unrolled", target)
    column = {n.id: n.pos[0] for n in scene.nodes}
    init = {n.id for n in scene.nodes if plain_text(n.label).startswith("init")}
    (first,) = {e.dst for e in scene.edges if e.src in init}
    into = [
        (tail, curves, runs)
        for tail, head, curves, runs in _laid_out(scene, target)["edges"]
        if head == first and column[tail] != column[first]
    ]
    assert {tail for tail, _, _ in into} == init
    lines = {
        tail: [
            _on_curve(curve[k : k + 4], t / 20)
            for curve in curves
            for k in range(0, len(curve) - 3, 3)
            for t in range(21)
        ]
        for tail, curves, _ in into
    }
    for tail, _, runs in into:
        left, right = min(r[0] for r in runs), max(r[1] for r in runs)
        low, high = min(r[2] for r in runs), max(r[3] for r in runs)
        gap = {
            other: min(
                math.hypot(max(left - x, 0.0, x - right), max(low - y, 0.0, y - high))
                for x, y in points
            )
            for other, points in lines.items()
        }
        assert min(gap, key=gap.__getitem__) == tail, (target, gap)


def test_a_lane_is_named_apart_from_every_node():
    """A lane's point is a node of the DOT source: a layer of that name (a user may call a
    layer anything) keeps its own node."""
    run = (Run("x"),)
    nodes = (
        Node("a", (run,), "input", pos=(0, 0)),
        Node("lane_2_1", (run,), "state", pos=(0, 1)),
        Node("next", (run,), "state", pos=(1, 1)),
        Node("c", (run,), "output", pos=(0, 2)),
    )
    edges = (
        Edge("a", "lane_2_1"),
        Edge("lane_2_1", "next", label=((Run("U"),),)),
        Edge("a", "c"),
        Edge("lane_2_1", "c"),
    )
    source = dot_source(Scene("lanes", (), "up", nodes, edges), THEMES["light"])
    assert "\ta -> lane_2_1_ [" in source and "\tlane_2_1_ -> c [" in source
    assert "\tlane_2_1 -> lane_2_1_ [" in source  # the row's edge, through the lane
    assert "\tlane_2_1_ -> next [label=<&#160;U>" in source  # its label beyond it


def _torch_graph(name: str):
    """A PyTorch graph case of the oracle (tests/torch_graphs) with its default views."""
    spec = load(str(ROOT / "tests" / "torch_graphs" / f"{name}.yaml"))
    return spec, shape_model(spec)


TORCH_GRAPHS = sorted(p.stem for p in (ROOT / "tests" / "torch_graphs").glob("*.yaml"))


@pytest.mark.parametrize("name", TORCH_GRAPHS)
def test_every_torch_graph_draws_its_default_views(name):
    """Without `views:`, a graph with a loop over steps is drawn as its stack, any other also
    unrolled; every scene's edges join its own nodes."""
    spec, model = _torch_graph(name)
    looped = any(layer.loop for layer in spec.layers)
    kinds = [v.kind for v in spec.views]
    assert kinds == ["stack"] if looped else "unrolled" in kinds
    for _, scene in scenes(spec):
        ids = {n.id for n in scene.nodes}
        assert len(ids) == len(scene.nodes) and all({e.src, e.dst} <= ids for e in scene.edges)


def test_a_stacked_module_hands_its_states_over_layer_by_layer():
    """An encoder LSTM(num_layers=k) starting a decoder LSTM(num_layers=k): k rows each, and
    layer n's final step starts the decoder's layer n, on its row (h_n[n], c_n[n])."""
    name = next(n for n in TORCH_GRAPHS if "seq2seq" in n and _layers(n) > 1)
    spec, model = _torch_graph(name)
    k = _layers(name)
    scene = dict((v.name, s) for v, s in scenes(spec))["unrolled"]
    nodes = {n.id: n for n in scene.nodes}
    handed = [e for e in scene.edges if plain_text(e.label) == "h_0\nc_0"]
    assert len(handed) == k
    assert all(nodes[e.src].pos[1] == nodes[e.dst].pos[1] for e in handed)
    assert len({nodes[e.src].pos[1] for e in handed}) == k
    from rnndiagrams.frameworks.pytorch.modules import named_parameters

    recurrent = {n.rpartition(".")[2] for n, _ in named_parameters(model) if "weight_hh" in n}
    assert len(recurrent) == k  # each layer's own recurrent weight names its row
    assert all(any(w in plain_text(e.label) for e in scene.edges) for w in recurrent)


def test_a_stacked_modules_rows_leave_their_names_to_the_key():
    """The key under the title names each row's layer (`h^(2) encoder.rnn.l1`), so a stacked
    module's final boxes say only where h_n and c_n hold their states, one a line under c
    and its shape (not `= h_n[1], c_n[1] of encoder.rnn` beside `c (512,)`), and a framework's
    weight names carry no `^(k)` (their `_l1` and their row say it): narrow columns."""
    scene, _ = _scene("torch_seq2seq_stacked")
    key = plain_text((scene.legend[-1],))
    assert "h^{(2)} encoder.rnn.l1" in key and "h^{(4)} decoder.rnn.l1" in key
    finals = [plain_text(n.label) for n in scene.nodes if "h_n[" in plain_text(n.label)]
    assert sorted(f.partition("\n= ")[2] for f in finals) == [
        f"h_n[{i}],\nc_n[{i}]" for i in (0, 0, 1, 1)
    ]
    assert all(f.split("\n")[2].startswith("c_") and f.split("\n")[3] == "(512,)" for f in finals)
    weights = [r for e in scene.edges for line in e.label for r in line if "weight_" in r.text]
    assert len(weights) == 8 and not any(r.sup for r in weights)


def test_a_returned_state_leaves_from_each_layers_final_step():
    """A word language model returns (output, h_n): h_n leaves the figure from the last step
    of each of its k layers, not from every step."""
    name = next(n for n in TORCH_GRAPHS if "wordlm" in n and _layers(n) > 1)
    spec, _ = _torch_graph(name)
    scene = dict((v.name, s) for v, s in scenes(spec))["unrolled"]
    nodes = {n.id: n for n in scene.nodes}
    exits = {n.id for n in scene.nodes if n.role == "exit"}
    from_states = [
        nodes[e.src] for e in scene.edges if e.dst in exits and nodes[e.src].role == "state"
    ]
    last = max(n.pos[0] for n in scene.nodes if n.role == "state")
    assert len(from_states) == _layers(name) and all(n.pos[0] == last for n in from_states)


def _layers(name: str) -> int:
    spec = load(str(ROOT / "tests" / "torch_graphs" / f"{name}.yaml"))
    return max((int(x.args.get("num_layers", 1)) for x in spec.layers if x.cell), default=1)


def test_self_attention_feeds_every_step_from_every_step(write_spec):
    """MultiHeadAttention reading one sequence as query and value: each drawn step's context
    reads every drawn step, its own included, by one edge each (not one step to one step)."""
    path = write_spec(
        "model:\n  inputs:\n    tokens: {shape: [40], dtype: int32}\n  layers:\n"
        "    - Embedding: {input_dim: 500, output_dim: 8, inputs: [tokens]}\n"
        "    - LSTM: {units: 8, return_sequences: true, name: lstm}\n"
        "    - MultiHeadAttention: {num_heads: 2, key_dim: 4, name: mha, inputs: [lstm, lstm]}\n"
        "    - GlobalAveragePooling1D: {}\n"
        "views: [unrolled]\n"
    )
    spec = load(str(path))
    ((_, scene),) = scenes(spec)
    contexts = [n for n in scene.nodes if plain_text(n.label).startswith("a_")]
    states = [n for n in scene.nodes if n.role == "state"]
    assert len(contexts) == len(states) > 1
    pairs = [(e.src, e.dst) for e in scene.edges if e.dst in {n.id for n in contexts}]
    assert sorted(pairs) == sorted((h.id, a.id) for h in states for a in contexts)
    assert "α_{t,s}-weighted sum over the 40 steps of s" in plain_text(scene.legend)


@pytest.mark.parametrize("name", ["encoder_decoder", "attention_luong", "attention_bahdanau"])
def test_the_decoders_steps_have_their_own_symbols(name):
    """Goodfellow fig. 10.12, d2l: the decoder reads y (embedded as e), not the encoder's w, x."""
    scene, _ = _scene(name)
    symbol = {n.id: plain_text(n.label).split("_")[0] for n in scene.nodes if n.role == "input"}
    (handover_or_first,) = _by_text(scene, "h_0^{(2)}")
    encoder = {
        s
        for n in scene.nodes
        if n.id in symbol and n.pos[0] < handover_or_first.pos[0]
        for s in symbol[n.id]
    }
    decoder = {
        s
        for n in scene.nodes
        if n.id in symbol and n.pos[0] >= handover_or_first.pos[0]
        for s in symbol[n.id]
    }
    assert encoder == {"w", "x"} and decoder == {"y", "e"}


@pytest.mark.parametrize("name", ["captioning_conditioned", "encoder_decoder"])
def test_no_symbol_names_two_weights(name):
    """captioning_conditioned's V named the init Dense layers' kernels and the output's; the
    two embeddings of a seq2seq shared E: each weight now has a symbol of its own."""
    scene, _ = _scene(name)
    named: dict[str, set[str]] = {}
    for edge in scene.edges:
        runs = [r for line in edge.label for r in line]
        shapes = [r.text.strip() for r in runs if r.small and r.text.strip().startswith("(")]
        if runs and runs[0].italic and shapes:  # a weight: its symbol, then its shape
            named.setdefault(plain_text(((runs[0],),)), set()).add(shapes[0])
    assert named and all(len(shapes) == 1 for shapes in named.values()), named


BIDIRECTIONAL_DECODER = """model:
  inputs:
    vec: {shape: [32]}
    seq: {shape: [10, 8]}
  layers:
    - Dense: {units: 16, name: h_f, inputs: [vec]}
    - Dense: {units: 16, name: c_f, inputs: [vec]}
    - Dense: {units: 16, name: h_b, inputs: [vec]}
    - Dense: {units: 16, name: c_b, inputs: [vec]}
    - Bidirectional: {layer: {LSTM: {units: 16, return_sequences: true}}, name: rnn,
                      inputs: [seq], initial_state: [h_f, c_f, h_b, c_b]}
views: [unrolled]
"""


def test_a_bidirectional_layers_initial_states_start_both_its_rows(tmp_path):
    """The second half of `initial_state` starts the backward row at its first step, the
    last one (it went to the forward row's first step with the first half)."""
    path = tmp_path / "bidirectional_decoder.yaml"
    path.write_text(BIDIRECTIONAL_DECODER, encoding="utf-8")
    ((_, scene),) = scenes(load(str(path)))
    nodes = {n.id: n for n in scene.nodes}
    makers = {"h_f", "c_f", "h_b", "c_b"}  # the Dense layers that make the states
    name = {nid: plain_text(n.label).split("\n")[0] for nid, n in nodes.items()}
    into = {name[e.src]: name[e.dst] for e in scene.edges if name[e.src] in makers}
    assert into == {
        "h_f": "h_0^{(1)→}",
        "c_f": "h_0^{(1)→}",
        "h_b": "h_9^{(1)←}",
        "c_b": "h_9^{(1)←}",
    }, into
