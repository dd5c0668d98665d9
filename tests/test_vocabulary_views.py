"""Every view of every Keras oracle model builds and renders in both backends; the layers
around the recurrent ones are drawn as what they are (issue 9)."""

import re

import pytest
import yaml
from conftest import keras_cases_v2

from rnndiagrams import load, shape_model
from rnndiagrams.errors import SpecError
from rnndiagrams.render.backends import BACKENDS
from rnndiagrams.scene import plain_text
from rnndiagrams.shapes.shaped import format_shape
from rnndiagrams.specification.catalog import VIEWS
from rnndiagrams.views import build_scene

CASES = keras_cases_v2()
OPTIONS = {"theme": "light", "dpi": 72, "text": "paths"}


def _model(case, tmp_path, views=tuple(VIEWS)):
    data = {"model": {k: case[k] for k in ("input", "layers")}, "views": list(views)}
    path = tmp_path / f"{case['name']}.yaml"
    path.write_text(yaml.safe_dump(data))
    spec = load(str(path))
    return spec, shape_model(spec)


def _scenes(case, tmp_path):
    """Every view's scene; the numpy view refuses (located) what is not the seed's SimpleRNN."""
    spec, model = _model(case, tmp_path)
    scenes = {}
    for view in spec.views:
        try:
            scenes[view.kind] = build_scene(model, view)
        except SpecError as e:
            assert view.kind == "numpy" and "draws the seed's SimpleRNN loop" in e.problem, e
    return model, scenes


def _texts(scene):
    return [plain_text(n.label) for n in scene.nodes]


@pytest.fixture(scope="module")
def all_scenes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cases")
    return {c["name"]: _scenes(c, tmp) for c in CASES}


def test_every_view_of_every_case_renders_with_graphviz(all_scenes):
    scenes = [s for _, views in all_scenes.values() for s in views.values()]
    assert len(scenes) >= 5 * len(CASES)
    svgs = BACKENDS["graphviz"].draw(scenes, "svg", OPTIONS)
    assert len(svgs) == len(scenes) and all(b"<svg" in svg for svg in svgs)


def _cover(all_scenes):
    """Few cases that together hold every layer class (greedy set cover): matplotlib takes
    about a second a figure, too slow for all 60 cases."""
    chosen, seen = [], set()
    classes = {name: {x.cls for x in model.layers} for name, (model, _) in all_scenes.items()}
    while True:
        name = max(sorted(classes), key=lambda n: len(classes[n] - seen))
        if not classes[name] - seen:
            return chosen
        chosen.append(name)
        seen |= classes[name]


def test_layer_views_of_every_layer_class_render_with_matplotlib(all_scenes):
    """The stack and unrolled views draw the layers around the recurrent ones (the folded
    view is the unrolled one with one column; cell and numpy draw only the recurrent cell)."""
    chosen = _cover(all_scenes)
    classes = {x.cls for name in chosen for x in all_scenes[name][0].layers}
    assert classes == {x.cls for model, _ in all_scenes.values() for x in model.layers}
    scenes = [all_scenes[name][1][kind] for name in chosen for kind in ("stack", "unrolled")]
    svgs = BACKENDS["matplotlib"].draw(scenes, "svg", OPTIONS)
    assert all(svg.startswith(b"<?xml") and b"<svg" in svg for svg in svgs)


def test_stack_view_shows_every_layer_with_its_numbers(all_scenes):
    for model, scenes in all_scenes.values():
        texts = _texts(scenes["stack"])
        for layer in model.layers:
            node = next(t for t in texts if t.startswith(layer.name + "\n"))
            assert f"{layer.params:,} params" in node
        edges = [plain_text(e.label) for e in scenes["stack"].edges]
        assert edges[1:] == [format_shape(x.output_shape) for x in model.layers]


def test_windows_show_t_before_and_after(all_scenes):
    drawn = 0
    for model, scenes in all_scenes.values():
        texts = " ".join(_texts(scenes["unrolled"]))
        for layer in model.layers[: next(i for i, x in enumerate(model.layers) if x.cell)]:
            if layer.cls in ("Conv1D", "MaxPooling1D", "AveragePooling1D"):
                t_in, t_out = (
                    format_shape(s[1:2])[1:-2] for s in (layer.input_shape, layer.output_shape)
                )
                assert f"T: {t_in} → {t_out}" in texts
                drawn += 1
    assert drawn >= 5


def test_global_pooling_is_fed_by_every_step(all_scenes):
    drawn = 0
    for _, scenes in all_scenes.values():
        scene = scenes["unrolled"]
        for node in scene.nodes:
            text = plain_text(node.label)
            if re.search(r"^((max|mean) over all steps|all steps side by side)\n", text):
                sources = [e.src for e in scene.edges if e.dst == node.id]
                columns = {next(n.pos[0] for n in scene.nodes if n.id == s) for s in sources}
                drawn_columns = {n.pos[0] for n in scene.nodes if n.role != "ellipsis"}
                assert len(columns) == len(sources) > 1 and columns <= drawn_columns
                drawn += 1
    assert drawn >= 8


def test_per_step_layers_are_drawn_at_each_step(all_scenes):
    model, scenes = all_scenes["keras_001"]
    texts = _texts(scenes["unrolled"])
    dropout = model.layer("dropout")
    assert sum(t.startswith("Dropout(") for t in texts) == 3  # steps 0, 1 and T-1 of (0, 1, …, T-1)
    assert dropout.per_step


def test_repeat_vector_draws_encoder_and_decoder(all_scenes):
    drawn = 0
    for model, scenes in all_scenes.values():
        if not any(x.cls == "RepeatVector" for x in model.layers):
            continue
        scene = scenes["unrolled"]
        copies = [n for n in scene.nodes if "a copy (RepeatVector)" in plain_text(n.label)]
        (source,) = {e.src for e in scene.edges if e.dst in {c.id for c in copies}}
        n = next(x for x in model.layers if x.cls == "RepeatVector").spec.args["n"]
        assert len(copies) == (n if n <= 4 else 3)  # steps 0, 1, …, n-1
        assert not source.startswith("d") and all(c.id.startswith("d") for c in copies)
        drawn += 1
    assert drawn >= 3


def test_masks_are_explained_where_they_reach_a_recurrent_layer(all_scenes):
    marked = 0
    for model, scenes in all_scenes.values():
        legend = " ".join(plain_text((line,)) for line in scenes["unrolled"].legend)
        classes = [x.cls for x in model.layers]
        first = next(i for i, x in enumerate(model.layers) if x.cell)
        before = model.layers[:first]
        masking = any(x.cls == "Masking" or x.spec.args.get("mask_zero") for x in before)
        windowed = any(c in classes[:first] for c in ("Conv1D", "MaxPooling1D", "AveragePooling1D"))
        assert ("mask (" in legend) == (masking and not windowed), model.spec.source
        marked += "mask (" in legend
    assert marked >= 5


def test_stack_view_tells_non_trainable_weights(all_scenes):
    shown = 0
    for model, scenes in all_scenes.values():
        texts = _texts(scenes["stack"])
        for layer in model.layers:
            node = next(t for t in texts if t.startswith(layer.name + "\n"))
            assert (f"{layer.non_trainable:,} non-trainable" in node) == bool(layer.non_trainable)
            shown += bool(layer.non_trainable)
    assert shown >= 5


def test_decoder_copies_what_a_backward_encoder_returns(write_spec):
    spec = load(
        str(
            write_spec(
                "model:\n  input: {shape: [12, 3]}\n  layers:\n"
                "    - GRU: {units: 8, go_backwards: true}\n    - RepeatVector: {n: 6}\n"
                "    - Dropout: {rate: 0.1}\n    - GRU: {units: 8, return_sequences: true}\n"
                "views: [unrolled]\n"
            )
        )
    )
    scene = build_scene(shape_model(spec), spec.views[0])
    nodes = {n.id: n for n in scene.nodes}
    copies = [n.id for n in scene.nodes if "a copy (RepeatVector)" in plain_text(n.label)]
    (source,) = {e.src for e in scene.edges if e.dst in copies}
    assert plain_text(nodes[source].label).startswith("h_0^{(1)}")  # the last step it ran
    assert len(copies) == 3  # x_0, x_1 and x_5 of the 6 decoder steps; the `…` between


def test_equivalence_keeps_folded_equals_unrolled_apart(all_scenes):
    for _, scenes in all_scenes.values():
        scene = scenes["equivalence"]
        cols = {
            prefix: {n.pos[0] for n in scene.nodes if n.id.startswith(prefix)}
            for prefix in ("f_", "u_", "equals")
        }
        (equals,) = cols["equals"]
        assert max(cols["f_"]) < equals < min(cols["u_"])


def test_a_model_without_recurrent_layer_gets_the_stack_view_only(write_spec):
    spec = load(
        str(
            write_spec(
                "model:\n  input: {shape: [null], dtype: int32}\n  layers:\n"
                "    - Embedding: {input_dim: 100, output_dim: 8}\n"
                "    - Conv1D: {filters: 4, kernel_size: 3}\n    - GlobalMaxPooling1D: {}\n"
                "    - Dense: {units: 1, activation: sigmoid}\n"
            )
        )
    )
    assert [v.kind for v in spec.views] == ["stack"]
    texts = _texts(build_scene(shape_model(spec), spec.views[0]))
    assert any(t.startswith("conv1d\n") for t in texts)
