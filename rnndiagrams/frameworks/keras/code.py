"""`code`: the Keras 3 code that builds a spec's model, bound to a top-level `model`.

Arguments are written when the spec's value differs from Keras's default (the catalogue's),
and every layer gets its spec name, so `model.summary()` of the code prints the same names,
shapes and counts as `rnndiagrams summary`.
"""

from __future__ import annotations

from typing import Any

from ...quoting import comment, python_str
from ...specification.graph import order
from ...specification.model import LayerSpec, Ref, Spec
from .catalog import ATTENTION, LAYERS, MERGES


def keras_code(spec: Spec) -> str:
    if spec.graph:
        return _functional(spec)
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


def _functional(spec: Spec) -> str:
    """A graph as a Functional model: one variable per input and per layer output (x3[1] is
    the third layer's second output, a state), layers called in an order Keras can run."""
    lines = [
        comment(f"Keras 3 code for {spec.stem} (written by `rnndiagrams code`)"),
        "import keras",
        "from keras import layers",
        "",
    ]
    names: dict[str, str] = {}
    for i, given in enumerate(spec.inputs):
        names[given.name] = f"i{i}"
        lines.append(
            f"i{i} = keras.Input(shape={tuple(given.shape)!r}, dtype={given.dtype!r}, "
            f"name={python_str(given.name)})"
        )
    several = {layer.name for layer in spec.layers if _returns_states(layer)}
    position = {layer.name: i for i, layer in enumerate(spec.layers)}

    def tensor(ref: Ref) -> str:
        return names[ref.source] + (f"[{ref.output}]" if ref.source in several else "")

    for layer in order(spec.doc, spec.layers):
        names[layer.name] = f"x{position[layer.name]}"

        reads = [tensor(r) for r in layer.reads or ()]
        call = f"[{', '.join(reads)}]" if layer.cls in MERGES + ATTENTION else reads[0]
        if layer.cls == "MultiHeadAttention":  # called as mha(query, value, key)
            call = ", ".join(reads)
        if layer.initial_state:
            call += f", initial_state=[{', '.join(map(tensor, layer.initial_state))}]"
        lines.append(f"{names[layer.name]} = {layer_call(layer)}({call})")
    inputs = ", ".join(names[i.name] for i in spec.inputs)
    outputs = [tensor(ref) for ref in spec.outputs]
    returned = outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"
    lines.append(
        f"model = keras.Model(inputs=[{inputs}], outputs={returned}, "
        f"name={python_str(model_name(spec))})"
    )
    return "\n".join(lines) + "\n"


def model_name(spec: Spec) -> str:
    """The title (else the file name) as a Keras model name: Keras refuses '/' on every
    backend and the torch backend '.', in a model's name as in a layer's."""
    return spec.display_name.replace("/", "_").replace(".", "_")


def _returns_states(layer: LayerSpec) -> bool:
    return bool((layer.inner or layer).args.get("return_state"))


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
