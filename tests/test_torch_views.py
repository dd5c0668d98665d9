"""Every view of every PyTorch oracle case builds and renders in both backends, and the
figures say what PyTorch does: k layers of one module, both directions, h_n/c_n, proj_size."""

import os

import pytest
import yaml
from test_torch_oracle import CASES

from rnndiagrams import load, shape_model
from rnndiagrams.frameworks.pytorch.catalog import module_call
from rnndiagrams.render.backends import BACKENDS
from rnndiagrams.scene import plain_text
from rnndiagrams.views import build_scene

VIEWS = ("stack", "folded", "unrolled", "equivalence", "cell")


def _spec(case, tmp_path, views=VIEWS):
    numpy = ["numpy"] if _first_rnn_is_plain(case) else []
    path = tmp_path / f"{case['name']}.yaml"
    model = {"input": case["input"], "layers": case["layers"]}
    path.write_text(
        yaml.safe_dump(
            {
                "framework": "pytorch",
                "model": model,
                "views": list(views) + numpy,
                "render": {"legend": "full"},  # every weight and module named
            }
        )
    )
    return load(str(path))


def _first_rnn_is_plain(case) -> bool:
    """The numpy view draws the seed's loop: a one-direction RNN module."""
    for item in case["layers"]:
        for cls, args in item.items():
            if cls in ("RNN", "LSTM", "GRU"):
                return cls == "RNN" and not args.get("bidirectional", False)
    return False


def _texts(scene) -> str:
    parts = [plain_text(label) for label in [scene.legend] + [n.label for n in scene.nodes]]
    parts += [plain_text(e.label) for e in scene.edges]
    return "\n".join(parts)


# matplotlib takes about a second a figure here (mathtext), so `make test` draws every case
# with Graphviz and, with matplotlib, one case per feature; RNNDIAGRAMS_ALL_FIGURES=1 draws all.
FEATURES = (
    "torch_017",  # 3 layers, bidirectional LSTM with proj_size, take: last
    "torch_026",  # batch_first: false, bidirectional
    "torch_018",  # LayerNorm between a bidirectional GRU and a 2-layer RNN
    "torch_013",  # Embedding, plain RNN (numpy view), take: last
    "torch_005",  # Dropout, 3-layer bidirectional RNN, GRU take: last
)
MPL_CASES = [c for c in CASES if os.environ.get("RNNDIAGRAMS_ALL_FIGURES") or c["name"] in FEATURES]


def _svgs(backend: str, cases: list, tmp_path) -> list[bytes]:
    scenes = []
    for case in cases:
        spec = _spec(case, tmp_path)
        model = shape_model(spec)
        scenes += [build_scene(model, view) for view in spec.views]
    datas = BACKENDS[backend].draw(scenes, "svg", {"theme": "light", "dpi": 72, "text": "paths"})
    assert len(datas) == len(scenes) > len(cases) * len(VIEWS) - 1
    return datas


@pytest.mark.needs_dot
def test_every_view_of_every_case_renders_with_graphviz(tmp_path):
    for data in _svgs("graphviz", CASES, tmp_path):
        assert b"<svg" in data and b"</svg>" in data


@pytest.mark.parametrize("case", MPL_CASES, ids=[c["name"] for c in MPL_CASES])
def test_every_view_renders_with_matplotlib(case, tmp_path):
    for data in _svgs("matplotlib", [case], tmp_path):
        assert b"<svg" in data and b"</svg>" in data


def test_unrolled_grid_has_a_row_per_layer_and_direction_and_names_them(tmp_path):
    case = next(c for c in CASES if c["name"] == "torch_017")  # 3 layers, bidirectional, proj
    spec = _spec(case, tmp_path, ("unrolled",))
    model = shape_model(spec)
    lstm = model.layers[1]
    scene = build_scene(model, spec.views[0])
    text = _texts(scene)
    k = lstm.spec.args["num_layers"]
    for w in lstm.weights:
        assert w.name("pytorch") in text  # weight_ih_l2_reverse, weight_hr_l1, ...
    state_rows = {n.pos[1] for n in scene.nodes if n.role == "state"}
    assert len(state_rows) == 2 * k  # one row per layer and direction
    assert f"h_n {tuple(lstm.h_n)}".replace("None", "None") in text.replace("(", "(")
    assert "c_n" in text
    dropout = lstm.spec.args["dropout"]  # between layers: on each upper layer's input edges
    inputs = [
        e for e in scene.edges if e.role == "input" and f"dropout {dropout}" in plain_text(e.label)
    ]
    assert len(inputs) == 2 * (k - 1)  # two directions of each layer above the first, at t = 0
    # each final state is marked where it is made: index layer * 2 + direction
    for i in range(2 * k):
        assert f"h_n[{i}], c_n[{i}]" in text
    # take: last on a bidirectional module: both halves come from the last column
    assert "backward direction's FIRST step" in text


def test_cell_view_draws_the_projection(tmp_path):
    case = next(c for c in CASES if c["name"] == "torch_034")  # LSTM hidden 16, proj 8
    spec = _spec(case, tmp_path, ("cell",))
    model = shape_model(spec)
    scene = build_scene(model, spec.views[0])
    lstm = model.layers[1]
    proj = next(w for w in lstm.weights if w.key == "W_hr" and w.layer == 0)
    text = _texts(scene)
    hidden, size = lstm.spec.args["hidden_size"], lstm.spec.args["proj_size"]
    assert f"weight_hr_l0 {tuple(proj.shape)}" in text.replace("  ", " ")
    h = next(n for n in scene.nodes if n.id == "h")
    c = next(n for n in scene.nodes if n.id == "c")
    assert f"({size},)" in plain_text(h.label) and f"({hidden},)" in plain_text(c.label)
    assert any(e.src == "proj" and e.dst == "h" for e in scene.edges)
    assert "= W_hr (o_t ⊙ tanh(c_t))" in plain_text(scene.legend).replace("_{", "_").replace(
        "}", ""
    )


def test_sequence_first_layout_still_unrolls_its_steps(tmp_path):
    case = next(c for c in CASES if c["name"] == "torch_026")  # batch_first: false, L = 50
    spec = _spec(case, tmp_path, ("unrolled",))
    model = shape_model(spec)
    assert model.steps == case["input"]["shape"][0]
    scene = build_scene(model, spec.views[0])
    last = str(model.steps - 1)
    assert any(last in plain_text(n.label) for n in scene.nodes if n.role == "state")


def test_a_views_layer_option_draws_that_module_only(tmp_path):
    case = next(c for c in CASES if c["name"] == "torch_019")  # two 4-layer bidirectional LSTMs
    path = tmp_path / "two.yaml"
    model = {"input": case["input"], "layers": case["layers"]}
    views = [{"unrolled": {"layer": "lstm_1"}}, {"cell": {"layer": "lstm_1"}}]
    render = {"legend": "full"}
    path.write_text(
        yaml.safe_dump({"framework": "pytorch", "model": model, "views": views, "render": render})
    )
    spec = load(str(path))
    model = shape_model(spec)
    unrolled, cell = (build_scene(model, view) for view in spec.views)
    text = _texts(unrolled)
    k = model.layer("lstm_1").spec.args["num_layers"]
    assert all(f"lstm_1.l{n}:" in text for n in range(k)) and "lstm.l0:" not in text
    assert len({n.pos[1] for n in unrolled.nodes if n.role == "state"}) == 2 * k
    assert "(lstm_1.l0)" in cell.name


def test_final_states_name_their_module_when_several_are_drawn(tmp_path):
    case = next(c for c in CASES if c["name"] == "torch_003")  # RNN(num_layers=4), then GRU
    spec = _spec(case, tmp_path, ("unrolled",))
    text = _texts(build_scene(shape_model(spec), spec.views[0]))
    assert "= h_n[3] of rnn" in text and "= h_n[0] of gru" in text


@pytest.mark.parametrize(
    ("name", "module"), [("torch_018", "layer_norm"), ("torch_009", "dropout")]
)
def test_modules_left_out_of_the_grid_are_named_where_they_act(name, module, tmp_path):
    case = next(c for c in CASES if c["name"] == name)
    spec = _spec(case, tmp_path, ("unrolled",))
    model = shape_model(spec)
    scene = build_scene(model, spec.views[0])
    notes = [e for e in scene.edges if f"after {module}" in plain_text(e.label).split("\n")]
    assert len(notes) == 1  # on the first step's edge into the next drawn layer
    assert f"after {module}: {module_call(model.layer(module).spec)}" in plain_text(scene.legend)
