"""Turn a located YAML document into a Spec, rejecting anything Keras would not build."""

from __future__ import annotations

from typing import Any

from ..frameworks import NAMES, framework
from . import catalog
from .checks import (
    check_choice,
    check_keys,
    check_posint,
    describe,
)
from .model import Spec
from .options import views_and_render
from .yamldoc import Doc, read_doc


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
    title = data.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > catalog.MAX_TITLE_CHARS):
        raise doc.error(
            ("title",),
            f"title is {describe(title)}",
            f"expected text of at most {catalog.MAX_TITLE_CHARS} characters",
        )
    model = data["model"]
    if not isinstance(model, dict):
        raise doc.error(
            ("model",),
            f"model is {describe(model)}",
            "expected a mapping with `input:` and `layers:`",
        )
    check_keys(
        doc, ("model",), model, catalog.MODEL_KEYS, required=("input", "layers"), what="model key"
    )
    name = check_choice(doc, ("framework",), data.get("framework", NAMES[0]), NAMES, "framework")
    dialect = framework(name)
    shape, dtype = _input(doc, model["input"])
    layers = dialect.layers(doc, model["layers"])
    conventions = dialect.CONVENTIONS
    views, render = views_and_render(doc, data, layers)
    return Spec(
        doc=doc,
        title=title,
        input_shape=shape,
        input_dtype=dtype,
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
    )


def _input(doc: Doc, value: Any) -> tuple[tuple[int | None, ...], str]:
    path = ("model", "input")
    if not isinstance(value, dict):
        raise doc.error(
            path, f"input is {describe(value)}", "expected a mapping like {shape: [100, 32]}"
        )
    check_keys(doc, path, value, catalog.INPUT_KEYS, required=("shape",), what="input key")
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
