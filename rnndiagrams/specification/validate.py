"""Turn a located YAML document into a Spec, rejecting anything Keras would not build."""

from __future__ import annotations

from typing import Any

from ..frameworks import NAMES, framework
from . import catalog
from .catalog import Arg
from .checks import (
    check_arg,
    check_choice,
    check_keys,
    check_name,
    check_posint,
    describe,
)
from .graph import resolve
from .model import InputSpec, Ref, Spec
from .options import views_and_render
from .yamldoc import Doc, Path, read_doc


def load(path: str) -> Spec:
    """Read, parse and validate one spec file."""
    return validate(read_doc(path))


def validate(doc: Doc) -> Spec:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error(
            (), f"the document is {describe(data)}", "expected a mapping with a `model:` key"
        )
    check_keys(doc, (), data, catalog.TOP_LEVEL, required=("model",), what="top-level key")
    for key in ("title", "subtitle"):
        text = data.get(key)
        if text is not None and (not isinstance(text, str) or len(text) > catalog.MAX_TITLE_CHARS):
            raise doc.error(
                (key,),
                f"{key} is {describe(text)}",
                f"expected text of at most {catalog.MAX_TITLE_CHARS} characters",
            )
    model = data["model"]
    if not isinstance(model, dict):
        raise doc.error(
            ("model",),
            f"model is {describe(model)}",
            "expected a mapping with `input:` and `layers:`",
        )
    check_keys(doc, ("model",), model, catalog.MODEL_KEYS, required=("layers",), what="model key")
    name = check_choice(doc, ("framework",), data.get("framework", NAMES[0]), NAMES, "framework")
    dialect = framework(name)
    inputs = _inputs(doc, model)
    layers = dialect.layers(doc, model["layers"])
    graph = "inputs" in model or "outputs" in model or "name" in model.get("input", {})
    graph = graph or any(layer.reads is not None or layer.initial_state for layer in layers)
    outputs: tuple[Ref, ...] = ()
    if "outputs" in model:
        given = check_arg(doc, ("model", "outputs"), "outputs", Arg("refs"), model["outputs"])
        outputs = tuple(Ref(r, 0, ("model", "outputs", i)) for i, r in enumerate(given))
    if graph:
        layers, outputs = resolve(doc, inputs, layers, outputs)
    conventions = dialect.CONVENTIONS
    views, render = views_and_render(doc, data, layers, graph)
    return Spec(
        doc=doc,
        title=data.get("title"),
        subtitle=data.get("subtitle"),
        input_shape=inputs[0].shape,
        input_dtype=inputs[0].dtype,
        layers=layers,
        notation=check_choice(
            doc,
            ("notation",),
            data.get("notation", dialect.NOTATION),
            catalog.NOTATIONS,
            "notation",
        ),
        convention=check_choice(
            doc, ("convention",), data.get("convention", conventions[0]), conventions, "convention"
        ),
        views=views,
        render=render,
        framework=name,
        conventions=conventions,
        inputs=inputs,
        graph=graph,
        outputs=outputs,
    )


def _inputs(doc: Doc, model: dict[str, Any]) -> tuple[InputSpec, ...]:
    """`input:` (a chain's one input, `input` unless named) or `inputs:` (a graph's, by name)."""
    if ("input" in model) == ("inputs" in model):
        raise doc.error(
            ("model",),
            "model has both `input:` and `inputs:`" if "input" in model else "model has no input",
            "expected `input: {shape: [...]}`, or named `inputs: {tokens: {shape: [...]}}`",
        )
    if "input" in model:
        given = model["input"]
        name = given.get("name", "input") if isinstance(given, dict) else "input"
        path: Path = ("model", "input")
        if name != "input":
            name = check_name(doc, path + ("name",), name)
        return (InputSpec(name, *_input(doc, path, given, catalog.INPUT_KEYS), path),)
    value = model["inputs"]
    if not isinstance(value, dict) or not value:
        raise doc.error(
            ("model", "inputs"),
            f"inputs is {describe(value)}",
            "expected a mapping of named inputs like {tokens: {shape: [null], dtype: int32}}",
        )
    out = []
    for key, given in value.items():
        path = ("model", "inputs", key)
        name = check_name(doc, path, key)
        out.append(InputSpec(name, *_input(doc, path, given, catalog.INPUT_KEYS[:2]), path))
    return tuple(out)


def _input(
    doc: Doc, path: Path, value: Any, keys: tuple[str, ...]
) -> tuple[tuple[int | None, ...], str]:
    if not isinstance(value, dict):
        raise doc.error(
            path, f"input is {describe(value)}", "expected a mapping like {shape: [100, 32]}"
        )
    check_keys(doc, path, value, keys, required=("shape",), what="input key")
    shape = value["shape"]
    expected = "expected [timesteps] of token ids or [timesteps, features]; null = any length"
    if not isinstance(shape, list) or len(shape) not in (1, 2):
        raise doc.error(path + ("shape",), f"input shape is {describe(shape)}", expected)
    for i, dim in enumerate(shape):
        if dim is not None:
            check_posint(doc, path + ("shape", i), dim, "a dimension")
    if len(shape) == 2 and shape[1] is None:
        raise doc.error(
            path + ("shape", 1),
            "the feature dimension is null",
            "expected a known number of features (only timesteps may be null)",
        )
    dtype = check_choice(
        doc, path + ("dtype",), value.get("dtype", "float32"), catalog.DTYPES, "dtype"
    )
    return tuple(shape), dtype
