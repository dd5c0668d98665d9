"""Scenes: what each view draws, with labels taken from the shape engine (no `dot` needed)."""

import pytest
from conftest import ROOT

from rnndiagrams import load, shape_model
from rnndiagrams.cli import main
from rnndiagrams.scene import plain_text
from rnndiagrams.shapes.shaped import format_shape
from rnndiagrams.views import build_scene

HEAD = ROOT / "specs" / "seed_output_head.yaml"
SENTIMENT = ROOT / "specs" / "seed_sentiment.yaml"


def _scene(path, name, convention=None, legend="short"):
    spec = load(str(path))
    spec = spec._replace(render={**spec.render, "legend": legend})
    view = next(v for v in spec.views if v.name == name)
    return build_scene(shape_model(spec, convention), view), shape_model(spec, convention)


def _spec_text(
    views,
    layers="    - SimpleRNN: {units: 8, return_sequences: true}\n    - Dense: {units: 3}\n",
    shape="[null, 5]",
    extra="",
):
    return f"model:\n  input: {{shape: {shape}}}\n  layers:\n{layers}views: {views}\n{extra}"


def _texts(scene, role=None):
    return [plain_text(n.label) for n in scene.nodes if role is None or n.role == role]


def test_unrolled_cost_does_not_grow_with_t(write_spec):
    four = load(str(write_spec(_spec_text("[{unrolled: {steps: 4}}]"), "a.yaml")))
    five = load(str(write_spec(_spec_text("[{unrolled: {steps: 5}}]"), "b.yaml")))
    huge = load(str(write_spec(_spec_text("[{unrolled: {steps: 1000000}}]"), "c.yaml")))
    a, b, c = (build_scene(shape_model(s), s.views[0]) for s in (four, five, huge))
    assert "…" not in _texts(a) and "x_3" in " ".join(_texts(a))
    assert len(b.nodes) == len(c.nodes) and len(b.edges) == len(c.edges)
    assert "x_{999999}" in " ".join(_texts(c)) and "x_0" in " ".join(_texts(c)) and "…" in _texts(c)
    assert "x_4" in " ".join(_texts(b))


def test_unknown_length_is_symbolic(write_spec):
    spec = load(str(write_spec(_spec_text("[unrolled]"))))
    texts = " ".join(_texts(build_scene(shape_model(spec), spec.views[0])))
    assert "h_{T-1}" in texts and "x_0" in texts


def test_head_show_and_hide_are_the_two_seed_pictures():
    with_head, model = _scene(HEAD, "unrolled")
    without, _ = _scene(HEAD, "unrolled-nohead")
    dense = model.layer("dense")
    o_shape = format_shape(dense.step_tensor("o_t").shape)
    outputs = _texts(with_head, "output")
    assert outputs and all(t.startswith("o_") and o_shape in t for t in outputs)
    assert not _texts(without, "output")
    assert {e.role for e in with_head.edges} >= {"input", "recurrent", "head"}
    assert "head" not in {e.role for e in without.edges}
    # the state nodes are identical in both: the left picture contains the right one
    assert _texts(with_head, "state") == _texts(without, "state")


def test_state_labels_carry_engine_shapes():
    scene, model = _scene(HEAD, "unrolled", legend="full")
    rnn = model.layer("simple_rnn")
    h, x = format_shape(rnn.step_tensor("h_t").shape), format_shape(rnn.step_tensor("x_t").shape)
    assert all(h in t for t in _texts(scene, "state"))
    assert all(x in t for t in _texts(scene, "input"))
    legend = plain_text(scene.legend)
    for w in rnn.weights:
        assert f"{w.name('seed')} {format_shape(w.shape_in('seed'))}" in legend


@pytest.mark.parametrize("path", [HEAD, SENTIMENT, ROOT / "specs" / "lstm.yaml"])
def test_legend_is_short_full_or_none(path):
    spec = load(str(path))
    for view in spec.views:
        short, _ = _scene(path, view.name)
        full, _ = _scene(path, view.name, legend="full")
        none, _ = _scene(path, view.name, legend="none")
        assert 1 <= len(short.legend) <= 2 and none.legend == ()
        assert len(full.legend) >= len(short.legend)


def test_titles_say_which_figure_without_repeating():
    for view in load(str(HEAD)).views:
        scene, _ = _scene(HEAD, view.name)
        hidden = view.options.get("head") == "hide"
        assert scene.name.endswith("output head not drawn") == hidden, scene.name
    for path in (ROOT / "specs").glob("*.yaml"):
        for view in load(str(path)).views:
            title = _scene(path, view.name)[0].name
            what = title.rpartition(": ")[2].lower().replace("(", " ").replace(")", " ").split()
            assert len(set(what)) == len(what) and "seed" not in title.lower(), title


def test_many_to_one_feeds_only_the_last_state():
    scene, model = _scene(SENTIMENT, "unrolled")
    dense = next(n for n in scene.nodes if n.role == "output")
    into_dense = [e for e in scene.edges if e.dst == dense.id]
    assert len(into_dense) == 1
    states = [n for n in scene.nodes if n.role == "state"]
    last = max(states, key=lambda n: n.pos[0])
    assert into_dense[0].src == last.id
    assert [n.emphasis for n in states if n is not last] == ["faded"] * (len(states) - 1)
    assert format_shape((model.layer("dense").spec.args["units"],)) in plain_text(dense.label)


def test_return_sequences_true_returns_every_state():
    scene, _ = _scene(HEAD, "unrolled-nohead")
    assert {n.emphasis for n in scene.nodes if n.role == "state"} == {"solid"}


def test_folded_has_a_self_loop_labelled_with_the_recurrent_weight():
    scene, model = _scene(HEAD, "folded")
    loops = [e for e in scene.edges if e.src == e.dst]
    u = next(w for w in model.layer("simple_rnn").weights if w.key == "U")
    assert [plain_text(e.label) for e in loops] == [f"U {format_shape(u.shape_in('seed'))}"]


@pytest.mark.parametrize(
    "notation,input_name,recurrent_name",
    [
        ("seed", "W", "U"),
        ("goodfellow", "U", "W"),
        ("keras", "kernel", "recurrent_kernel"),
        ("pytorch", "weight_ih_l0", "weight_hh_l0"),
    ],
)
def test_notation_changes_every_weight_label(notation, input_name, recurrent_name, write_spec):
    spec = load(str(write_spec(_spec_text("[folded]", extra=f"notation: {notation}\n"))))
    scene = build_scene(shape_model(spec), spec.views[0])
    labels = {e.role: plain_text(e.label).replace("\n", " ").split(" ")[0] for e in scene.edges}
    assert labels["input"] == input_name and labels["recurrent"] == recurrent_name


def test_bidirectional_runs_two_directions_and_merges(write_spec):
    spec = load(
        str(
            write_spec(
                _spec_text(
                    "[{unrolled: {steps: 3}}]",
                    layers="    - Bidirectional: {layer: {GRU: {units: 4, return_sequences: true}}, merge_mode: sum}\n",
                )
            )
        )
    )
    model = shape_model(spec)
    scene = build_scene(model, spec.views[0])
    recurrent = [e for e in scene.edges if e.role == "recurrent"]
    assert sum(e.backward for e in recurrent) == sum(not e.backward for e in recurrent) == 2
    merged = _texts(scene, "merge")
    width = format_shape(model.layers[0].step_tensor("y_t").shape)
    assert len(merged) == 3 and all(width in t and "sum" in t for t in merged)


def test_stacked_layers_form_a_grid(write_spec):
    layers = "".join(f"    - LSTM: {{units: {u}, return_sequences: true}}\n" for u in (8, 6, 4))
    spec = load(str(write_spec(_spec_text("[{unrolled: {steps: 2}}]", layers=layers))))
    scene = build_scene(shape_model(spec), spec.views[0])
    rows = {n.pos[1] for n in scene.nodes if n.role == "state"}
    assert len(rows) == 3 and len(_texts(scene, "state")) == 6
    assert any("h_0^{(3)}" in t and "(4,)" in t for t in _texts(scene, "state"))


def test_stack_view_shows_shapes_and_params():
    scene, model = _scene(SENTIMENT, "stack")
    edge_labels = [plain_text(e.label) for e in scene.edges]
    assert edge_labels == [format_shape(model.input_shape)] + [
        format_shape(layer.output_shape) for layer in model.layers
    ]
    for layer in model.layers:
        assert any(layer.name in t and f"{layer.params:,} params" in t for t in _texts(scene))


VIEW_ERRORS = {
    "unknown_view": ("[unroled]", 6, 9, "unknown view 'unroled' (did you mean 'unrolled'?)"),
    "bad_steps": ("[{unrolled: {steps: 0}}]", 6, 28, "steps is 0"),
    "bad_layer": (
        "[{folded: {layer: dense}}]",
        6,
        26,
        "expected the name of a recurrent layer: simple_rnn",
    ),
    "bad_head": ("[{folded: {head: maybe}}]", 6, 25, "head is the string 'maybe'"),
    "unknown_option": ("[{folded: {stepz: 3}}]", 6, 19, "unknown folded option 'stepz'"),
    "same_name_twice": ("[folded, folded]", 6, 17, "two views would both write 'folded'"),
}


@pytest.mark.parametrize("name", VIEW_ERRORS)
def test_bad_view_options_are_located(name, write_spec, capsys):
    views, line, col, message = VIEW_ERRORS[name]
    path = write_spec(_spec_text(views))
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:{line}:{col}: ") and message in err and err.count("\n") == 1, err


def test_head_show_without_a_head_is_located(write_spec, capsys):
    path = write_spec(_spec_text("[{unrolled: {head: show}}]", layers="    - GRU: {units: 3}\n"))
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:5:27: head: show, but no Dense layer follows 'gru'"), err


def test_render_options_are_validated(write_spec, capsys):
    path = write_spec(_spec_text("[stack]", extra="render: {formats: [svg, jpg]}\n"))
    assert main(["check", str(path)]) == 1
    assert f"{path}:7:25: format is the string 'jpg'" in capsys.readouterr().err


def test_every_view_kind_has_a_builder():
    from rnndiagrams.specification.catalog import VIEWS
    from rnndiagrams.views import _BUILDERS

    assert set(_BUILDERS) == set(VIEWS)


def test_returned_outputs_leave_the_figure():
    per_step, _ = _scene(HEAD, "unrolled-nohead")
    last_only, _ = _scene(SENTIMENT, "unrolled")
    for scene, expected in ((per_step, "state"), (last_only, "output")):
        nodes = {n.id: n for n in scene.nodes}
        sources = [nodes[e.src] for e in scene.edges if nodes[e.dst].role == "exit"]
        assert sources and {n.role for n in sources} == {expected}
        assert all(n.emphasis == "solid" for n in sources)
    steps = {n.pos[0] for n in per_step.nodes if n.role == "state"}
    assert len([e for e in per_step.edges if e.role == "output"]) == len(steps)
    assert len([e for e in last_only.edges if e.role == "output"]) == 1
    assert "dashed" in plain_text(last_only.legend) and "dashed" not in plain_text(per_step.legend)


def test_bidirectional_folded_is_one_row_with_two_loops(write_spec):
    layers = "    - Bidirectional: {layer: {LSTM: {units: 4}}, merge_mode: concat}\n"
    spec = load(str(write_spec(_spec_text("[folded, {unrolled: {steps: 3}}]", layers=layers))))
    model = shape_model(spec)
    folded, unrolled = (build_scene(model, view) for view in spec.views)
    states = [n for n in folded.nodes if n.role == "state"]
    assert len(states) == 2 and len({n.pos[1] for n in states}) == 1  # side by side
    loops = {e.src: plain_text(e.label) for e in folded.edges if e.src == e.dst}
    assert sorted(loops) == sorted(n.id for n in states)
    assert sum("h_{t+1}" in t for t in loops.values()) == 1
    assert sum("h_{t-1}" in t for t in loops.values()) == 1
    # many-to-one: only the forward row's last state and the backward row's first are returned
    solid = [n for n in unrolled.nodes if n.role == "state" and n.emphasis == "solid"]
    assert sorted(n.pos[0] for n in solid) == [0, 2]


def test_equivalence_keeps_a_bidirectional_cell_apart_from_the_unrolled_grid(write_spec):
    layers = "    - Bidirectional: {layer: {GRU: {units: 4}}, merge_mode: concat}\n"
    spec = load(str(write_spec(_spec_text("[{equivalence: {steps: 3}}]", layers=layers))))
    scene = build_scene(shape_model(spec), spec.views[0])
    positions = [n.pos for n in scene.nodes]
    assert len(positions) == len(set(positions))
    folded = {n.pos[0] for n in scene.nodes if n.id.startswith("f_")}
    unrolled = {n.pos[0] for n in scene.nodes if n.id.startswith("u_")}
    assert max(folded) < [n.pos[0] for n in scene.nodes if n.id == "equals"][0] < min(unrolled)


def test_deep_equivalence_is_drawn_compact(write_spec):
    one = "    - SimpleRNN: {units: 8, return_sequences: true}\n"
    shallow, deep = (
        load(
            str(write_spec(_spec_text("[{equivalence: {steps: 9}}]", layers=one * k), f"{k}.yaml"))
        )
        for k in (1, 2)
    )
    for spec, columns, shapes in ((shallow, 4, True), (deep, 3, False)):
        scene = build_scene(shape_model(spec), spec.views[0])
        steps = {n.pos[0] for n in scene.nodes if n.id.startswith("u_") and n.role == "input"}
        assert len(steps) == columns - 1  # the `…` column holds no input
        loops = [plain_text(e.label) for e in scene.edges if e.src == e.dst]
        assert all(("(8, 8)" in t) == shapes for t in loops), loops
