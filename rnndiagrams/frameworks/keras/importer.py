"""`import`: a saved Keras 3 model (a `.keras` zip or `model.to_json()`) -> spec YAML text.

Only the architecture is read (config.json), with the standard library: Keras need not be
installed. Every Keras config key that would change shapes or weights beyond what the
catalogue can say is either translated or refused, so an imported spec never draws a model
that differs from the saved one.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from ...errors import SpecError
from ...inputs import open_regular, read_bytes, read_zip_member
from ...printable import printable
from ...quoting import yaml_dump
from ...shapes import ShapedModel, shape_model
from ...specification.catalog import DTYPES, MAX_NAME_CHARS, MAX_TITLE_CHARS
from ...specification.validate import validate
from ...specification.writing import spec_text
from ...specification.yamldoc import MAX_BYTES, MAX_NUMBER_CHARS, parse_doc
from . import catalog

# Config values outside the catalogue that must hold, or the spec would draw another model.
_REQUIRED: dict[str, Any] = {
    "stateful": False,
    "time_major": False,
    "data_format": "channels_last",
    "groups": 1,
    "keepdims": False,
    "rms_scaling": False,
    "renorm": False,
    "noise_shape": None,
    "lora_rank": None,
    "quantization_config": None,
    "trainable": True,  # a frozen layer's weights would count as non-trainable
    "backward_layer": None,  # Bidirectional: checked against its forward layer instead
    "use_gate": False,  # MultiHeadAttention's gated variant (more weights)
    "sliding_window": None,
}
# The ops Keras saves for padding masks (mask_zero, Masking, merged and attended masks)
_MASK_OPS = ("NotEqual", "Any", "LogicalOr", "ConvertToTensor")
_AXIS_LAST = (-1, [-1])  # normalisation over the feature axis, the only one the spec draws
_SUPPORTED = ", ".join(catalog.LAYERS)


EXPECTED = "expected a Keras 3 .keras file or the JSON of model.to_json()"
MAX_CONFIG_BYTES = 10 * MAX_BYTES  # a real config is kilobytes; the spec it gives, at most 1 MB
MAX_CONFIG_DEPTH = 50  # a real config nests about 8 levels; the YAML dumper recurses per level
MAX_CONFIG_TEXT = 1_000  # characters in one string: a name or title is at most 300
# JSON strings (escapes included), brackets, and runs of digits too long for a number
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|\d{' + str(MAX_NUMBER_CHARS + 1) + ",}")


def read_config(path: str) -> tuple[dict[str, Any], str, str]:
    """The model config, its JSON text and the name errors should carry (file or zip member).
    Read through `inputs`: regular files only, bounded, zip members inflated as bounded streams."""
    with open_regular(path, EXPECTED) as f:
        head = f.read(4)
    where = path
    if head == b"PK\x03\x04":
        where = f"{path}!config.json"
        raw = read_zip_member(
            path, "config.json", MAX_CONFIG_BYTES, "expected a Keras model config"
        )
        if raw is None:
            raise SpecError(
                f"{path}:1:1",
                "a zip without config.json",
                "expected a Keras 3 .keras file (model.save('model.keras'))",
            )
    else:
        raw = read_bytes(path, MAX_CONFIG_BYTES, EXPECTED)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{where}:1:1", "neither a zip nor UTF-8 JSON", EXPECTED) from None
    return parse_config(text, where), text, where


def parse_config(text: str, where: str) -> dict[str, Any]:
    """The model config in `text` (the JSON of `model.to_json()`), bounded and checked to be
    a Sequential or Functional model's; errors are located in `where`."""
    _check_bounds(text, where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(
            f"{where}:{e.lineno}:{e.colno}", f"not valid JSON ({e.msg})", EXPECTED
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("class_name") not in ("Sequential", "Functional", "Model")
        or not isinstance(data.get("config"), dict)
        or not isinstance(data["config"].get("layers"), list)
    ):
        raise SpecError(
            f"{where}:1:1",
            "JSON that is not a Keras model config",
            "expected class_name Sequential or Functional with config.layers "
            "(the JSON of model.to_json())",
        )
    return data


def _check_bounds(text: str, where: str) -> None:
    """Refuse, at its line:col, JSON nested deeper than MAX_CONFIG_DEPTH, a string longer than
    MAX_CONFIG_TEXT or a number longer than MAX_NUMBER_CHARS digits: before json.loads, whose
    int() stops at 4,300 digits, and before the YAML dumper, which recurses per level."""
    depth = 0
    for m in _TOKEN.finditer(text):
        token = m[0]
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
        if depth > MAX_CONFIG_DEPTH:
            problem, expected = "nesting too deep", f"at most {MAX_CONFIG_DEPTH} levels"
        elif token[0] == '"' and len(token) > MAX_CONFIG_TEXT + 2:
            problem = f"a string of {len(token) - 2:,} characters"
            expected = f"at most {MAX_CONFIG_TEXT:,} (a layer name at most {MAX_NAME_CHARS})"
        elif token[0].isdigit():
            problem = f"a number of {len(token):,} digits"
            expected = f"at most {MAX_NUMBER_CHARS}"
        else:
            continue
        raise SpecError(f"{where}:{_line_col(text, m.start())}", problem, f"expected {expected}")


def _line_col(text: str, at: int) -> str:
    line, line_start = text.count("\n", 0, at) + 1, text.rfind("\n", 0, at) + 1
    return f"{line}:{at - line_start + 1}"


# The names Keras gives a model that was given none: `sequential`, `functional_1`, `model_2`
_DEFAULT_NAME = re.compile(r"(sequential|functional|model)(_\d+)?")


class _Importer:
    def __init__(self, text: str, where: str, stem: str, stem_is: str) -> None:
        self.text, self.where, self.stem, self.stem_is = text, where, stem, stem_is
        self.masks_read: dict[str, list[str]] = {}  # layer -> the mask ops its call was given
        self.notices: list[str] = []  # what the spec assumed beyond the file, for the user

    def titles(self, config: dict[str, Any]) -> dict[str, str]:
        """The model's own name as the title, unless Keras chose it (`sequential`): then the
        file's stem (`stem_is` says what it is). The subtitle says which."""
        name = config.get("name")
        if isinstance(name, str) and name and not _DEFAULT_NAME.fullmatch(name):
            return {"title": name, "subtitle": "titled with the model's name"}
        default = f" ({name!r} is Keras's default)" if isinstance(name, str) and name else ""
        stem = printable(self.stem)[:MAX_TITLE_CHARS]
        return {"title": stem, "subtitle": f"titled with {self.stem_is}{default}"}

    def error(self, name: str | None, problem: str, expected: str) -> SpecError:
        """A SpecError at the line:col of the layer's `"name": ...` in the JSON text."""
        found = self.text.find(json.dumps({"name": name})[1:-1]) if name else -1
        return SpecError(f"{self.where}:{_line_col(self.text, max(found, 0))}", problem, expected)

    def config(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A layer's `config`, refused unless it is an object (a string or none at all would
        otherwise import as a layer of defaults)."""
        config = entry.get("config")
        if not isinstance(config, dict):
            raise self.error(
                None,
                f"layer {entry.get('class_name')!r} has config {json.dumps(config)[:60]}",
                "expected an object of the layer's settings",
            )
        return config

    def model(self, data: dict[str, Any]) -> dict[str, Any]:
        config = data["config"]
        entries = [e for e in config["layers"] if isinstance(e, dict)]
        if len(entries) != len(config["layers"]):
            raise self.error(None, "a layer entry that is not an object", "expected layer configs")
        if data["class_name"] != "Sequential":
            return self._graph(entries, config)
        shape, dtype = self._input(entries, config)
        layers = []
        for entry in entries:
            if entry.get("class_name") == "InputLayer":
                continue
            layers.append(self.layer(entry, tuple(catalog.LAYERS)))
        if layers and "Embedding" in layers[0] and dtype.startswith("float"):
            # a Sequential built by fit() records its input as float32; Embedding casts to int
            self.notices.append(
                f"the input is recorded as {dtype}; Embedding reads it as int32 token ids"
            )
            dtype = "int32"
        spec: dict[str, Any] = self.titles(config)
        input_spec: dict[str, Any] = {"shape": shape}
        if dtype != "float32":
            input_spec["dtype"] = dtype
        spec["model"] = {"input": input_spec, "layers": layers}
        return spec

    def _input(
        self, entries: list[dict[str, Any]], config: dict[str, Any]
    ) -> tuple[list[Any], str]:
        """A Sequential model's input: its InputLayer's, else its build_input_shape."""
        first = entries[0] if entries else {}
        if first.get("class_name") == "InputLayer":
            return self._input_layer(first)
        return self._input_layer({"config": {"batch_shape": config.get("build_input_shape")}})

    def _graph(self, entries: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
        """A Functional model: named inputs, and each layer with the tensors it reads where
        they are not the layer before it. The ops Keras saves for padding masks (_MASK_OPS:
        NotEqual from Embedding(mask_zero=True), Any from Masking, LogicalOr and
        ConvertToTensor after merges and attention) are left out: the spec's engine makes
        them again, and they must come out with the same names."""
        inputs: dict[str, Any] = {}
        for entry in entries:
            if entry.get("class_name") == "InputLayer":
                shape, dtype = self._input_layer(entry)
                inputs[_name(entry)] = {"shape": shape} | (
                    {"dtype": dtype} if dtype != "float32" else {}
                )
        order = _history(config.get("input_layers", []))  # the model's inputs, in call order
        if sorted(order) != sorted(inputs):
            raise self.error(
                None,
                f"the model's inputs are {order}, its input layers {list(inputs)}",
                "expected every input layer to be a model input",
            )
        inputs = {name: inputs[name] for name in order}
        masks = {_name(e) for e in entries if e.get("class_name") in _MASK_OPS}
        layers: list[dict[str, Any]] = []
        previous: str | None = None
        for entry in entries:
            name = _name(entry)
            if name in masks or name in inputs:
                continue
            layer = self.layer(entry, tuple(catalog.LAYERS))
            reads, states = self._call(entry, masks)
            ((cls, args),) = layer.items()
            default = [previous] if previous else list(inputs)[:1]
            if reads != default or (previous is None and len(inputs) > 1):
                args["inputs"] = reads
            if states:
                args["initial_state"] = states
            layers.append(layer)
            previous = name
        outputs = [self._reference(str(previous), t, masks) for t in _tensors(config)]
        spec: dict[str, Any] = self.titles(config)
        spec["model"] = {"inputs": inputs, "layers": layers}
        if outputs != [previous]:  # other than the last layer's output
            spec["model"]["outputs"] = outputs
        return spec

    def _input_layer(self, entry: dict[str, Any]) -> tuple[list[Any], str]:
        c = self.config(entry)
        name = entry.get("name", c.get("name"))
        shape, dtype = c.get("batch_shape", c.get("batch_input_shape")), c.get("dtype", "float32")
        if isinstance(dtype, dict):  # a DTypePolicy
            policy = dtype.get("config")
            dtype = policy.get("name", "float32") if isinstance(policy, dict) else policy
        if not isinstance(shape, list) or len(shape) not in (2, 3):
            raise self.error(
                name,
                f"input {name!r} has shape {shape!r}" if name else f"the input shape is {shape!r}",
                "expected (batch, timesteps) token ids, (batch, features) or "
                "(batch, timesteps, features)",
            )
        if dtype not in DTYPES:
            raise self.error(name, f"the input dtype is {dtype!r}", f"expected one of {DTYPES}")
        return list(shape[1:]), dtype

    def _call(self, entry: dict[str, Any], masks: set[str]) -> tuple[list[str], list[str]]:
        """The tensors one layer's call reads, as spec references, and its initial states."""
        name = _name(entry)
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], dict):
            raise self.error(
                name,
                f"layer {name!r} is called {len(nodes) if isinstance(nodes, list) else 0} "
                "times, so the Functional model shares it",
                "expected each layer called once (shared layers are not drawn yet)",
            )
        args, kwargs = nodes[0].get("args", []), nodes[0].get("kwargs", {})
        if entry.get("class_name") == "MultiHeadAttention" and isinstance(args, list):
            args = [args]  # mha(query, value, key): its tensors are separate arguments
        if not isinstance(args, list) or len(args) != 1 or not isinstance(kwargs, dict):
            raise self.error(
                name,
                f"layer {name!r} is called with {len(args)} arguments",
                "expected one (a tensor or a list of them)",
            )
        for key, value in kwargs.items():
            if key not in ("training", "mask", "initial_state") and value not in (None, False):
                raise self.error(
                    name,
                    f"layer {name!r} is called with {key}={json.dumps(value)[:60]}",
                    "expected only its tensors, initial_state and mask",
                )
        first = args[0] if isinstance(args[0], list) else [args[0]]
        reads = [self._reference(name, t, masks) for t in first]
        states = [self._reference(name, t, masks) for t in kwargs.get("initial_state") or []]
        if masks:  # a file with mask ops (a real save; hand-made configs may leave them out)
            self.masks_read[name] = _mask_sources(kwargs.get("mask"))
        return reads, states

    def _reference(self, name: str, tensor: Any, masks: set[str]) -> str:
        config = tensor.get("config") if isinstance(tensor, dict) else None
        history = config.get("keras_history") if isinstance(config, dict) else None
        if not (isinstance(history, list) and len(history) == 3 and isinstance(history[0], str)):
            raise self.error(
                name,
                f"layer {name!r} reads something other than a tensor",
                "expected Keras tensors",
            )
        source, node, index = history
        if node != 0 or not isinstance(index, int) or source in masks:
            raise self.error(
                name,
                f"layer {name!r} reads {source!r}[{node}][{index}]",
                "expected the output of a layer called once (masks only as masks)",
            )
        return source if index == 0 else f"{source}.{index}"

    def layer(self, entry: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
        cls = entry.get("class_name")
        config = self.config(entry)
        name = config.get("name")
        module = entry.get("module") or "keras.layers"
        if entry.get("registered_name") or not str(module).startswith("keras"):
            raise self.error(
                name,
                f"layer {name!r} is a custom layer ({entry.get('registered_name') or cls})",
                f"expected Keras layers only: {_SUPPORTED}",
            )
        if cls not in allowed:
            where = "" if allowed == tuple(catalog.LAYERS) else " inside a wrapper"
            raise self.error(
                name,
                f"layer {name!r} is {cls}, which rnndiagrams does not support{where}",
                f"expected one of {', '.join(allowed)}",
            )
        for key, value in config.items():
            if key == "axis" and key not in catalog.LAYERS.get(str(cls), {}):  # normalisation
                required = value if value in _AXIS_LAST else -1
            elif key == "attention_axes":  # over the steps, the only axis of a sequence
                required = value if value in (None, [1]) else None
            elif key in _REQUIRED and not (key == "backward_layer" and cls == "Bidirectional"):
                required = _REQUIRED[key]
            else:
                continue  # catalogue arguments are checked by the spec's own validation
            if value != required:
                raise self.error(
                    name,
                    f"layer {name!r} ({cls}) has {key}={json.dumps(value)}",
                    f"expected {key}={json.dumps(required)} (the only value rnndiagrams draws)",
                )
        args: dict[str, Any] = {}
        for key, arg in catalog.LAYERS[cls].items():
            if key == "name":
                continue
            if arg.kind == "layer":
                args[key] = self._wrapped(cls, config, arg.choices)
                continue
            value = _plain(config.get(key, arg.default))
            pool_size = _plain(config.get("pool_size"))
            if key == "strides" and cls.endswith("Pooling1D") and value == pool_size:
                value = None  # Keras stores strides = pool_size; the spec's default says so
            if key == "activation" and value == "linear" and arg.default is None:
                value = None
            if value != arg.default or arg.required:
                args[key] = value
        if isinstance(name, str):
            args["name"] = name
        return {cls: args}

    def _wrapped(
        self, cls: str, config: dict[str, Any], choices: tuple[str, ...]
    ) -> dict[str, Any]:
        inner = config.get("layer")
        if not isinstance(inner, dict):
            raise self.error(config.get("name"), f"{cls} without a layer", "expected `layer`")
        layer = self.layer(inner, choices)
        if cls != "Bidirectional":
            return layer
        ((rnn, args),) = layer.items()
        # Keras names the copies forward_<name> and backward_<name>: the spec holds <name>
        if str(args.get("name", "")).startswith("forward_"):
            args["name"] = args["name"][len("forward_") :]
        backward = config.get("backward_layer")
        if isinstance(backward, dict):
            b, forward = self.config(backward), self.config(inner)
            mirror = backward.get("class_name") == rnn and all(
                b.get(k) == forward.get(k)
                for k in ("units", "return_sequences", "activation", "use_bias")
            )
            if not mirror:
                raise self.error(
                    config.get("name"),
                    f"Bidirectional {config.get('name')!r} has its own backward_layer",
                    "expected the default backward layer (a mirrored copy of `layer`)",
                )
        return layer


def _mask_sources(given: Any) -> list[str]:
    """The ops whose masks a call was given (its `mask=` tensor, or a list of them)."""
    return [
        str(t["config"]["keras_history"][0])
        for t in (given if isinstance(given, list) else [given])
        if isinstance(t, dict)
        and isinstance(t.get("config"), dict)
        and isinstance(t["config"].get("keras_history"), list)
        and t["config"]["keras_history"]
    ]


def _tensors(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The model's outputs, [layer, node, tensor] each, as the tensors a call node holds."""
    found = config.get("output_layers", [])
    if isinstance(found, list) and len(found) == 3 and isinstance(found[0], str):
        found = [found]  # one output is saved without the outer list
    if not isinstance(found, list):
        return []
    return [{"config": {"keras_history": item}} for item in found]


def _name(entry: dict[str, Any]) -> str:
    config = entry.get("config")
    return str(entry.get("name", config.get("name") if isinstance(config, dict) else None))


def _history(nodes: Any) -> list[str]:
    """Names of the layers whose outputs a serialized node list refers to (keras_history)."""
    names: list[str] = []
    if isinstance(nodes, dict):
        history = nodes.get("keras_history")
        if isinstance(history, list) and history:
            names.append(str(history[0]))
        for value in nodes.values():
            names += _history(value)
    elif isinstance(nodes, list):
        if len(nodes) == 3 and isinstance(nodes[0], str) and isinstance(nodes[1], int):
            return [nodes[0]]  # [layer_name, node_index, tensor_index]
        for value in nodes:
            names += _history(value)
    return names


def _plain(value: Any) -> Any:
    """Keras stores Conv1D/pooling sizes as one-element lists: (3,) -> 3."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def import_keras(path: str) -> tuple[str, ShapedModel, str | None]:
    """Spec YAML text for the Keras model saved at `path`, its shaped model, and a line
    about what was assumed (None: nothing): the text loads as any spec would. A SpecError,
    located at the layer in the model file, otherwise."""
    data, text, where = read_config(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    return import_config(data, text, where, (stem, "the file's name"), os.path.basename(path))


def import_live(
    model: Any, source: str, stem: tuple[str, str]
) -> tuple[str, ShapedModel, str | None]:
    """The same for a live `keras.Model`, read through its `to_json()`: the checks of a
    saved file apply. `source` names it in errors; `stem` (a name, and what it is) titles
    it when Keras named the model."""
    try:
        text = model.to_json()
    except Exception as e:  # a subclassed model without get_config, an unbuilt model
        raise SpecError(
            source,
            f"Keras cannot write this model's config ({type(e).__name__}: {e})",
            "expected a Sequential or Functional keras.Model",
        ) from None
    where = f"{source} (its to_json())"
    return import_config(parse_config(text, where), text, where, stem, source)


def import_config(
    data: dict[str, Any], text: str, where: str, stem: tuple[str, str], source: str
) -> tuple[str, ShapedModel, str | None]:
    importer = _Importer(text, where, *stem)
    spec = importer.model(data)
    yaml_text = to_yaml(spec, source)
    try:
        model = shape_model(validate(parse_doc(yaml_text, "<imported>")))
    except SpecError as e:
        line = int(e.where.rsplit(":", 2)[1])
        index = line - yaml_text.splitlines().index("  layers:") - 2
        layers = spec["model"]["layers"]
        name = None
        if 0 <= index < len(layers):
            ((_, args),) = layers[index].items()
            name = args.get("name")
        raise importer.error(name, e.problem, e.expected or "") from None
    made = {i.name for i in model.spec.inputs} | {layer.name for layer in model.layers}
    for layer in model.layers:  # the masks the engine passes must be the ones Keras saved
        ours = [source for source, _ in layer.inbound if source not in made]
        if layer.name in importer.masks_read and ours != importer.masks_read[layer.name]:
            raise importer.error(
                layer.name,
                f"layer {layer.name!r} is given the mask {importer.masks_read[layer.name]} "
                f"in the file, which rnndiagrams would name {ours}",
                "expected masked Embeddings in the order Keras created them (not drawn yet)",
            )
    return yaml_text, model, "; ".join(importer.notices) or None


def to_yaml(spec: dict[str, Any], source: str) -> str:
    """Specs as people write them: one input and one layer per line, in flow style."""
    model = spec["model"]
    layers = [
        f"    - {cls}: {_flow(args)}" for layer in model["layers"] for cls, args in layer.items()
    ]
    head = {key: spec[key] for key in ("title", "subtitle")}
    return spec_text(f"imported from {source} by `rnndiagrams import`", head, model, layers)


def _flow(value: dict[str, Any]) -> str:
    return yaml_dump(value, flow=True)
