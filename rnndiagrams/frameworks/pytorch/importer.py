"""`rnndiagrams import` of `print(model)` text: PyTorch's module repr into a spec.

The repr lists modules in registration order with their constructor arguments, and nothing
else: not `forward`'s order, not what forward keeps of an RNN's output, not an RNN's
`nonlinearity`, not the input's length. The spec assumes registration order, `take: output`
and tanh, and the notice says so. The spec written is validated and shaped before it is
printed, so an import never hands over a spec that `check` would refuse.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from ...errors import SpecError
from ...quoting import yaml_dump
from ...shapes import shape_model
from ...specification.validate import validate
from ...specification.writing import spec_text
from ...specification.yamldoc import parse_doc
from . import catalog as tc

_LEAF = re.compile(
    r"^(?P<indent>\s*)(?:\((?P<name>[^)]*)\):\s*)?(?P<cls>[A-Za-z_]\w*)\((?P<args>.*)\)\s*$"
)
_OPEN = re.compile(r"^\s*(?:\([^)]*\):\s*)?[A-Za-z_]\w*\($")
# repr arguments with no effect on shapes or parameters
_IGNORED = {"inplace": False, "device": None, "dtype": None, "proj_size": 0}
# a LazyLinear before its first call prints in_features=0: not known yet, read from its input
_UNSET = {"LazyLinear": {"in_features": 0}}
MAX_ARGS_CHARS = 500  # print(model) writes under 200; ast's parser needs memory per nesting level

NOTICE = (
    "modules in registration order (print(model) does not record forward's order), "
    "RNN modules with take: output and an RNN's nonlinearity tanh (the repr records neither)"
)


def import_print(text: str, name: str, steps: int | None = None) -> tuple[str, str]:
    """The spec's YAML text and the notice for the user; errors are located in `name`."""
    layers, places = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip() == ")" or _OPEN.match(line):
            continue
        match = _LEAF.match(line)
        if match is None:
            raise SpecError(
                f"{name}:{number}:1",
                f"cannot read {_shown(line.strip())}",
                "expected the text of print(model): lines like `(lstm): LSTM(32, 64)`",
            )
        layers.append(_module(match, name, number))
        places.append(f"{name}:{number}:{match.start('cls') + 1}")
    if not layers:
        raise SpecError(f"{name}:1:1", "no modules found", "expected the text of print(model)")
    first_cls = next(iter(layers[0]))
    if first_cls == "Embedding":
        model_input: dict[str, Any] = {"shape": [steps], "dtype": "int64"}
    else:
        # Dropout keeps the features: the first module with a size tells them, and where
        # they are: last, or at dim 1 for BatchNorm1d's (N, C) and (N, C, L)
        sizes = [
            (key, args[key])
            for layer in layers
            for args in layer.values()
            for key in ("input_size", "in_features", "normalized_shape", "num_features")
            if args.get(key) is not None
        ]
        if not sizes:
            raise SpecError(
                f"{name}:1:1",
                "no module tells the input's features",
                "expected an Embedding, RNN, LSTM, GRU, Linear, LayerNorm or BatchNorm1d",
            )
        key, features = sizes[0]
        channels_first = [features] if steps is None else [features, steps]
        model_input = {"shape": channels_first if key == "num_features" else [steps, features]}
    text_out = spec_yaml(
        f"imported from {name}: {NOTICE}", {}, {"input": model_input, "layers": layers}
    )
    try:
        shape_model(validate(parse_doc(text_out, f"{name} (imported)")))
    except SpecError as e:  # located at the module's line in the text, not in the YAML
        index = int(e.where.rsplit(":", 2)[1]) - _FIRST_LAYER_LINE
        raise SpecError(
            places[min(max(index, 0), len(places) - 1)], e.problem, e.expected
        ) from None
    return text_out, NOTICE


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 80 else f"{text[:80]!r}... ({len(text):,} characters)"


def _module(match: re.Match[str], name: str, number: int) -> dict[str, dict[str, Any]]:
    cls = match["cls"]
    col = match.start("cls") + 1
    if cls not in tc.MODULES:
        raise SpecError(
            f"{name}:{number}:{col}",
            f"nn.{cls} is not in the PyTorch dialect",
            f"expected one of {', '.join(tc.MODULES)}",
        )
    where = f"{name}:{number}:{match.start('args') + 1}"
    if len(match["args"]) > MAX_ARGS_CHARS:
        raise SpecError(
            where,
            f"the arguments of {cls} are {len(match['args']):,} characters",
            f"expected at most {MAX_ARGS_CHARS}, as print(model) writes them",
        )
    positional, keywords = _arguments(match["args"], cls, where)
    names, shown = tc.POSITIONAL[cls][0].split(), tc.POSITIONAL[cls][1]
    if len(positional) > len(names):
        raise SpecError(
            where,
            f"{cls} is given {len(positional)} positional arguments",
            f"expected at most {len(names)}, as PyTorch takes them ({', '.join(names)})",
        )
    args: dict[str | None, Any] = dict(zip(names, positional, strict=False))
    for key, value in keywords.items():
        if key in args:
            raise SpecError(where, f"{cls} is given {key} twice", "expected each argument once")
        args[key] = value
    if isinstance(args.get("normalized_shape"), tuple):
        shape = args["normalized_shape"]
        if len(shape) != 1:
            raise SpecError(
                f"{name}:{number}:{col}",
                f"LayerNorm normalizes over {len(shape)} dimensions {shape}",
                "expected one (the features)",
            )
        args["normalized_shape"] = shape[0]
    table = tc.MODULES[cls]
    out = {}
    ignored = {**_IGNORED, **_UNSET.get(cls, {})}
    for key, value in args.items():
        if key in ignored and value == ignored[key]:
            continue
        if key not in table:
            raise SpecError(
                f"{name}:{number}:{col}",
                f"{cls} argument {key}={value!r} is not in the PyTorch dialect",
                f"expected {', '.join(table)}",
            )
        if table[key].required or key in names[:shown] or value != table[key].default:
            out[key] = value
    return {cls: out}


def _arguments(text: str, cls: str, where: str) -> tuple[list[Any], dict[str | None, Any]]:
    """The positional and keyword values of an argument list, each a number, boolean, string,
    None or tuple of them (what print(model) writes); anything else is refused."""
    refused = SpecError(
        where,
        f"cannot read the arguments of {cls}: {_shown(text)}",
        "expected numbers, booleans and strings, as print(model) writes them",
    )
    try:
        with warnings.catch_warnings():  # `0.inplace` would print a SyntaxWarning of its own
            warnings.simplefilter("ignore")
            call = ast.parse(f"f({text})", mode="eval").body
        assert isinstance(call, ast.Call)
        positional = [ast.literal_eval(a) for a in call.args]
        keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (SyntaxError, ValueError, AssertionError, RecursionError, MemoryError):
        raise refused from None
    for value in [*positional, *keywords.values()]:
        items = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, (bool, int, float, str, type(None))) for v in items):
            raise refused
    return positional, keywords


_FIRST_LAYER_LINE = 6  # in the YAML spec_yaml writes with no titles


def spec_yaml(note: str, titles: dict[str, str], model: dict[str, Any]) -> str:
    """A PyTorch spec as people write it: the note as a comment, its title and subtitle,
    one input and one module per line."""
    head = {**titles, "framework": "pytorch"}
    return spec_text(note, head, model, _items(model["layers"], "    "))


def _items(layers: list[dict[str, Any]], indent: str) -> list[str]:
    """One module per line; a loop's settings and its body's modules each on their own."""
    lines = []
    for layer in layers:
        if "loop" not in layer:
            lines.append(f"{indent}- {yaml_dump(layer, flow=True)}")
            continue
        lines.append(f"{indent}- loop:")
        body = dict(layer["loop"])
        inner = body.pop("layers")
        lines += [f"{indent}    {yaml_dump({k: v}, flow=True)[1:-1]}" for k, v in body.items()]
        lines += [f"{indent}    layers:", *_items(inner, indent + "      ")]
    return lines
