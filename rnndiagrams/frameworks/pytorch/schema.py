"""JSON Schema of `framework: pytorch` layers, generated from the PyTorch catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...specification.catalog import Arg
from . import catalog as tc

PREFIX = "torch."  # $defs names: torch.LSTM beside Keras's LSTM


def _arg(arg: Arg, keras_arg_schema: Callable[[Arg], dict[str, Any]]) -> dict[str, Any]:
    extra: dict[str, dict[str, Any]] = {
        "prob": {"type": "number", "minimum": 0, "maximum": 1},
        "posfloat": {"type": "number", "exclusiveMinimum": 0},
        "index": {"type": ["integer", "null"]},
        "count": {"type": "integer", "minimum": 0},
    }
    if arg.kind not in extra:
        return keras_arg_schema(arg)
    schema = dict(extra[arg.kind])
    if arg.default is not None:
        schema["default"] = arg.default
    return schema


def torch_defs(keras_arg_schema: Callable[[Arg], dict[str, Any]]) -> tuple[dict[str, Any], Any]:
    """One $def per module ({Class: {arguments}}, and `take` beside the RNN modules), and
    what one item of `model.layers` is."""
    defs = {}
    for cls, table in tc.MODULES.items():
        properties: dict[str, Any] = {
            cls: {
                "type": ["object", "null"],
                "properties": {key: _arg(arg, keras_arg_schema) for key, arg in table.items()},
                "required": [key for key, arg in table.items() if arg.required],
                "additionalProperties": False,
            }
        }
        if cls in tc.CELLS:
            properties["take"] = {"enum": list(tc.TAKE), "default": "output"}
        defs[PREFIX + cls] = {
            "type": "object",
            "properties": properties,
            "required": [cls],
            "additionalProperties": False,
        }
    return defs, {"oneOf": [{"$ref": f"#/$defs/{PREFIX}{cls}"} for cls in tc.MODULES]}
