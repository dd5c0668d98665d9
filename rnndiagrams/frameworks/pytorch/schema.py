"""JSON Schema of `framework: pytorch` layers, generated from the PyTorch catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...specification.catalog import MAX_NAME_CHARS, Arg
from . import catalog as tc

PREFIX = "torch."  # $defs names: torch.LSTM beside Keras's LSTM
_STATES = (*tc.CELLS, *tc.STEP_CELLS)  # modules that take initial states


_PATH = "^[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)*$"


def _arg(arg: Arg, keras_arg_schema: Callable[[Arg], dict[str, Any]]) -> dict[str, Any]:
    extra: dict[str, dict[str, Any]] = {
        "prob": {"type": "number", "minimum": 0, "maximum": 1},
        "posfloat": {"type": "number", "exclusiveMinimum": 0},
        "index": {"type": ["integer", "null"]},
        "count": {"type": "integer", "minimum": 0},
        "name": {
            "type": "string",
            "pattern": _PATH,
            "maxLength": MAX_NAME_CHARS,
            "description": "an attribute path: encoder.rnn",
        },
        "ref": {"type": "string", "minLength": 1},
        "dims": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1},
        "layers": {"type": "array", "minItems": 1, "items": {"$ref": f"#/$defs/{PREFIX}layer"}},
    }
    if arg.kind not in extra:
        return keras_arg_schema(arg)
    schema = dict(extra[arg.kind])
    if arg.nullable and arg.kind != "index":
        schema["type"] = [schema["type"], "null"]
    if arg.default is not None:
        schema["default"] = arg.default
    return schema


def torch_defs(keras_arg_schema: Callable[[Arg], dict[str, Any]]) -> tuple[dict[str, Any], Any]:
    """One $def per module ({Class: {arguments}}, and `take` beside the RNN modules), and
    what one item of `model.layers` is."""
    defs = {}

    def table_schema(table: dict[str, Arg]) -> dict[str, Any]:
        return {
            "type": ["object", "null"],
            "properties": {key: _arg(arg, keras_arg_schema) for key, arg in table.items()},
            "required": [key for key, arg in table.items() if arg.required],
            "additionalProperties": False,
        }

    items = {
        **{
            cls: {
                **table,
                **{k: v for k, v in tc.CALL_ARGS.items() if k != "initial_state" or cls in _STATES},
                **(tc.TIE if cls == "Linear" else {}),
            }
            for cls, table in {**tc.MODULES, **tc.FUNCTIONS}.items()
        },
        "loop": tc.LOOP_ARGS,
        "call": tc.CALL,
    }
    for cls, table in items.items():
        properties: dict[str, Any] = {cls: table_schema(table)}
        if cls in tc.CELLS:
            properties["take"] = {"enum": list(tc.TAKE), "default": "output"}
        defs[PREFIX + cls] = {
            "type": "object",
            "properties": properties,
            "required": [cls],
            "additionalProperties": False,
        }
    layer: dict[str, Any] = {"oneOf": [{"$ref": f"#/$defs/{PREFIX}{cls}"} for cls in items]}
    defs[PREFIX + "layer"] = layer
    return defs, layer
