"""`code`: the Keras 3 code that builds a spec's model, bound to a top-level `model`.

Arguments are written when the spec's value differs from Keras's default (the catalogue's),
and every layer gets its spec name, so `model.summary()` of the code prints the same names,
shapes and counts as `rnndiagrams summary`.
"""

from __future__ import annotations

from typing import Any

from ..quoting import comment, python_str
from ..spec.catalog import LAYERS
from ..spec.model import LayerSpec, Spec


def keras_code(spec: Spec) -> str:
    shape = tuple(spec.input_shape)
    lines = [
        comment(f"Keras 3 code for {spec.stem} (written by `rnndiagrams code`)"),
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape={shape!r}, dtype={spec.input_dtype!r}),",
    ]
    lines += [f"        {layer_call(layer)}," for layer in spec.layers]
    lines += ["    ],", f"    name={python_str(model_name(spec))},", ")"]
    return "\n".join(lines) + "\n"


def model_name(spec: Spec) -> str:
    """The title (else the file name) as a Keras model name: Keras refuses '/' on every
    backend and the torch backend '.', in a model's name as in a layer's."""
    return spec.display_name.replace("/", "_").replace(".", "_")


def layer_call(layer: LayerSpec) -> str:
    """`layers.LSTM(units=32, return_sequences=True, name='lstm')`, wrappers nested."""
    args: list[str] = []
    for key, arg in LAYERS[layer.cls].items():
        if key == "name":
            continue
        if arg.kind == "layer":
            wrapped = layer.inner or layer.wrapped
            assert wrapped is not None
            args.append(f"{key}={layer_call(wrapped)}")
            continue
        value: Any = layer.args[key]
        if arg.required or value != arg.default:
            args.append(f"{key}={value!r}")
    args.append(f"name={python_str(layer.name)}")
    return f"layers.{layer.cls}({', '.join(args)})"
