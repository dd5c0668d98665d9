"""The layer graph, like Keras plot_model(show_shapes=True), plus parameters and units."""

from __future__ import annotations

from ..scene import Edge, Node, Scene, words
from ..shapes import ShapedModel
from ..shapes.shaped import format_shape
from ..specification.model import ViewSpec
from . import labels
from .section import figure_name, header


def build(model: ShapedModel, view: ViewSpec) -> Scene:
    spec = model.spec
    nodes = [
        Node(
            "input",
            (
                (words("input"),),
                (words(f"{format_shape(model.input_shape)} {spec.input_dtype}", small=True),),
            ),
            "input",
            "round",
            (0, 0),
        )
    ]
    edges = []
    for i, layer in enumerate(model.layers, start=1):
        role = (
            "state"
            if layer.cell
            else "output"
            if layer.role in ("head", "step-head")
            else "input"
            if layer.role == "embedding"
            else "layer"  # the layers around them: noise, windows, pooling, normalisation
        )
        label = (
            (words(f"{layer.name}"),),
            (words(labels.layer_call(layer), small=True),),
            (words(labels.params(layer, model.convention), small=True),),
        ) + tuple(
            (words(f"{final} {format_shape(shape)}", small=True),)
            for final, shape in (("h_n", layer.h_n), ("c_n", layer.c_n))
            if shape is not None
        )
        nodes.append(Node(f"layer{i}", label, role, "box", (0, i)))
        edges.append(
            Edge(
                nodes[-2].id, nodes[-1].id, ((words(format_shape(layer.input_shape), small=True),),)
            )
        )
    nodes.append(
        Node("output", ((words("output"),),), "output", "round", (0, len(model.layers) + 1))
    )
    edges.append(
        Edge(
            nodes[-2].id,
            "output",
            ((words(format_shape(model.layers[-1].output_shape), small=True),),),
        )
    )
    total = ((words(f"total: {labels.count(model.total_params, model.convention)}"),),)
    return Scene(
        name=figure_name(model, "layers and shapes"),
        legend=header(model, total, total),
        flow="down",
        nodes=tuple(nodes),
        edges=tuple(edges),
    )
