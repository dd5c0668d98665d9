"""JSON Schema of Keras layers, generated from the Keras catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...specification.catalog import Arg
from . import catalog


def keras_defs(arg_schema: Callable[[Arg], dict[str, Any]]) -> tuple[dict[str, Any], Any]:
    """One $def per layer class ({Class: {arguments}}), one for a wrapped recurrent layer,
    and what one item of `model.layers` is."""

    def arg(a: Arg) -> dict[str, Any]:
        if a.kind == "layer" and a.choices == catalog.RECURRENT:
            return {"$ref": "#/$defs/recurrent_layer"}
        return arg_schema(a)

    defs = {
        cls: _layer_schema(cls, {**table, **catalog.call_args(cls)}, arg)
        for cls, table in catalog.LAYERS.items()
    }
    defs["recurrent_layer"] = {"oneOf": [{"$ref": f"#/$defs/{cls}"} for cls in catalog.RECURRENT]}
    return defs, {"oneOf": [{"$ref": f"#/$defs/{cls}"} for cls in catalog.LAYERS]}


def _layer_schema(
    cls: str, table: dict[str, Arg], arg: Callable[[Arg], dict[str, Any]]
) -> dict[str, Any]:
    args = {
        "type": "object",
        "properties": {key: arg(a) for key, a in table.items()},
        "required": [key for key, a in table.items() if a.required],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {cls: args},
        "required": [cls],
        "additionalProperties": False,
    }
