"""The JSON Schema of the spec format, generated from the catalogue so the two cannot drift.

A copy ships as `rnndiagrams/data/spec.schema.json` for editors
(`# yaml-language-server: $schema=...`); a test keeps it equal to this output.
"""

from __future__ import annotations

import json
from typing import Any

from ..frameworks import NAMES, framework
from . import catalog
from .catalog import MAX_NAME_CHARS, Arg

SCHEMA_ID = "https://rnndiagrams.invalid/spec.schema.json"


_NUMBER_BOUNDS = {"number": {}, "nonneg": {"minimum": 0}, "positive": {"exclusiveMinimum": 0}}


def arg_schema(arg: Arg) -> dict[str, Any]:
    if arg.kind == "posint" and arg.nullable:
        return {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": arg.maximum,
            "default": arg.default,
        }
    if arg.kind == "posint":
        return {"type": "integer", "minimum": 1, "maximum": arg.maximum}
    if arg.kind in _NUMBER_BOUNDS:
        schema: dict[str, Any] = {"type": "number", **_NUMBER_BOUNDS[arg.kind]}
        return schema if arg.default is None else {**schema, "default": arg.default}
    if arg.kind == "bool":
        return {"type": "boolean", "default": arg.default}
    if arg.kind == "rate":
        return {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": arg.default}
    if arg.kind == "name":
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME_CHARS,
            "pattern": "^[^/.]*$",
        }
    if arg.kind == "file_name":
        return {
            "type": "string",
            "maxLength": MAX_NAME_CHARS,
            "pattern": "^[A-Za-z0-9_-][A-Za-z0-9_.-]*$",
        }
    if arg.kind == "layer":
        return {"oneOf": [{"$ref": f"#/$defs/{cls}"} for cls in arg.choices]}
    if arg.kind == "layer_ref":
        return {
            "type": "string",
            "description": "name of one recurrent layer (default: all of them)",
        }
    if arg.kind in ("axis", "axes"):
        axis = {"type": "integer", "minimum": -8, "maximum": 8}
        if arg.kind == "axis":
            return {**axis, "default": arg.default}
        return {"oneOf": [axis, {"type": "array", "items": axis, "minItems": 2, "maxItems": 2}]}
    if arg.kind == "refs":
        return {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1},
            "description": "tensors read: a layer or input name, or name.N for its N-th output",
        }
    if arg.kind == "steps":
        return {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "timesteps drawn (null: symbolic T)",
        }
    if arg.kind == "choices":
        return {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(arg.choices)},
            "default": list(arg.default),
        }
    schema = {"enum": list(arg.choices) + ([None] if arg.nullable else [])}
    if arg.default is not None:
        schema["default"] = arg.default
    return schema


def _options_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """JSON Schema fragments for `views:` and `render:` ."""
    view_items: list[dict[str, Any]] = [{"enum": list(catalog.VIEWS)}]
    for kind, table in catalog.VIEWS.items():
        props = {key: arg_schema(arg) for key, arg in table.items()}
        view_items.append(
            {
                "type": "object",
                "additionalProperties": False,
                "required": [kind],
                "properties": {
                    kind: {
                        "type": ["object", "null"],
                        "additionalProperties": False,
                        "properties": props,
                    }
                },
            }
        )
    views = {"type": "array", "minItems": 1, "items": {"anyOf": view_items}}
    render = {
        "type": "object",
        "additionalProperties": False,
        "properties": {key: arg_schema(arg) for key, arg in catalog.RENDER.items()},
    }
    return views, render


def _layers_by_framework(items: dict[str, Any]) -> dict[str, Any]:
    """`model.layers` items in the vocabulary of the spec's `framework:` (the first one's
    when it names none), as nested if/then/else."""

    def layers(item: Any) -> dict[str, Any]:
        return {"properties": {"model": {"properties": {"layers": {"items": item}}}}}

    schema = layers(items[NAMES[0]])
    for name in reversed(NAMES[1:]):
        schema = {
            "if": {"required": ["framework"], "properties": {"framework": {"const": name}}},
            "then": layers(items[name]),
            "else": schema,
        }
    return schema


def _input_schema(named: bool) -> dict[str, Any]:
    """One model input; `input:` may carry a name (which makes the model a graph)."""
    properties: dict[str, Any] = {
        "shape": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {"type": ["integer", "null"], "minimum": 1},
        },
        "dtype": {"enum": list(catalog.DTYPES), "default": "float32"},
    }
    if named:
        properties["name"] = arg_schema(Arg("name"))
    return {
        "type": "object",
        "required": ["shape"],
        "additionalProperties": False,
        "properties": properties,
    }


def build_schema() -> dict[str, Any]:
    views, render = _options_schema()
    defs, items = {}, {}
    for name in NAMES:
        framework_defs, items[name] = framework(name).schema_defs(arg_schema)
        defs.update(framework_defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rnndiagrams spec",
        "type": "object",
        "required": ["model"],
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": catalog.MAX_TITLE_CHARS},
            "subtitle": {"type": "string", "maxLength": catalog.MAX_TITLE_CHARS},
            "framework": {"enum": list(NAMES), "default": NAMES[0]},
            "notation": {"enum": list(catalog.NOTATIONS), "default": "seed"},
            "convention": {"enum": list(catalog.CONVENTIONS), "default": "keras"},
            "model": {
                "type": "object",
                "required": ["layers"],
                "oneOf": [{"required": ["input"]}, {"required": ["inputs"]}],
                "additionalProperties": False,
                "properties": {
                    "input": _input_schema(named=True),
                    "inputs": {
                        "type": "object",
                        "minProperties": 1,
                        "description": "a graph's named inputs, name -> {shape, dtype}",
                        "additionalProperties": _input_schema(named=False),
                    },
                    "layers": {"type": "array", "minItems": 1},
                    "outputs": {
                        **arg_schema(Arg("refs")),
                        "description": "a graph's outputs (default: the last layer's)",
                    },
                },
            },
            "views": views,
            "render": render,
        },
        "allOf": [_layers_by_framework(items)],
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
