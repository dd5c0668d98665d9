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
from typing import Any

import yaml

from ...errors import SpecError
from ...shapes import shape_model
from ...specification.validate import validate
from ...specification.yamldoc import parse_doc
from . import catalog as tc

_LEAF = re.compile(
    r"^(?P<indent>\s*)(?:\((?P<name>[^)]*)\):\s*)?(?P<cls>[A-Za-z_]\w*)\((?P<args>.*)\)\s*$"
)
_OPEN = re.compile(r"^\s*(?:\([^)]*\):\s*)?[A-Za-z_]\w*\($")
_IGNORED = {"inplace": False}  # repr arguments with no effect on shapes or parameters

NOTICE = (
    "modules in registration order (print(model) does not record forward's order), "
    "RNN modules with take: output and an RNN's nonlinearity tanh (the repr records neither)"
)


def import_print(text: str, name: str, steps: int | None = None) -> tuple[str, str]:
    """The spec's YAML text and the notice for the user; errors are located in `name`."""
    layers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip() == ")" or _OPEN.match(line):
            continue
        match = _LEAF.match(line)
        if match is None:
            raise SpecError(
                f"{name}:{number}:1",
                f"cannot read {line.strip()!r}",
                "expected the text of print(model): lines like `(lstm): LSTM(32, 64)`",
            )
        layers.append(_module(match, name, number))
    if not layers:
        raise SpecError(f"{name}:1:1", "no modules found", "expected the text of print(model)")
    first_cls = next(iter(layers[0]))
    if first_cls == "Embedding":
        model_input: dict[str, Any] = {"shape": [steps], "dtype": "int64"}
    else:
        # Dropout keeps the features: the first module with a size tells them
        sizes = [
            args.get(key)
            for layer in layers
            for args in layer.values()
            for key in ("input_size", "in_features", "normalized_shape")
        ]
        features = next((size for size in sizes if size is not None), None)
        if features is None:
            raise SpecError(
                f"{name}:1:1",
                "no module tells the input's features",
                "expected an Embedding, RNN, LSTM, GRU, Linear or LayerNorm",
            )
        model_input = {"shape": [steps, features]}
    text_out = _yaml(name, model_input, layers)
    shape_model(validate(parse_doc(text_out, f"{name} (imported)")))
    return text_out, NOTICE


def _module(match: re.Match[str], name: str, number: int) -> dict[str, dict[str, Any]]:
    cls = match["cls"]
    col = match.start("cls") + 1
    if cls not in tc.MODULES:
        raise SpecError(
            f"{name}:{number}:{col}",
            f"nn.{cls} is not in the PyTorch dialect",
            f"expected one of {', '.join(tc.MODULES)}",
        )
    try:
        call = ast.parse(f"f({match['args']})", mode="eval").body
        assert isinstance(call, ast.Call)
        positional = [ast.literal_eval(a) for a in call.args]
        keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (SyntaxError, ValueError, AssertionError):
        raise SpecError(
            f"{name}:{number}:{col}",
            f"cannot read the arguments of {cls}: {match['args']!r}",
            "expected numbers, booleans and strings, as print(model) writes them",
        ) from None
    args: dict[str | None, Any] = dict(zip(tc.POSITIONAL[cls], positional, strict=False))
    args.update(keywords)
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
    for key, value in args.items():
        if key in _IGNORED and value == _IGNORED[key]:
            continue
        if key not in table:
            raise SpecError(
                f"{name}:{number}:{col}",
                f"{cls} argument {key}={value!r} is not in the PyTorch dialect",
                f"expected {', '.join(table)}",
            )
        if table[key].required or key in tc.POSITIONAL[cls] or value != table[key].default:
            out[key] = value
    return {cls: out}


def _yaml(name: str, model_input: dict[str, Any], layers: list[dict[str, Any]]) -> str:
    def flow(value: Any) -> str:
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1000).strip()

    lines = [
        f"# imported from {name}: {NOTICE}",
        "framework: pytorch",
        "model:",
        f"  input: {flow(model_input)}",
        "  layers:",
    ]
    lines += [f"    - {flow(layer)}" for layer in layers]
    return "\n".join(lines) + "\n"
