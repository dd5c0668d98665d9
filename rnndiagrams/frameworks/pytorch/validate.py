"""`framework: pytorch` layers: `torch.nn` modules checked as their constructors check them.

Sizes that depend on the previous module (`input_size`, `in_features`) are checked by the
shape engine, which knows what each module gives; here are the checks PyTorch makes when a
module is built (`proj_size < hidden_size`, a valid `padding_idx`), plus one of ours: every
RNN module shares one `batch_first`, since the model's tensor layout follows it.
"""

from __future__ import annotations

import math
from typing import Any

from ...specification.catalog import Arg
from ...specification.checks import (
    check_arg,
    check_choice,
    check_table,
    describe,
    did_you_mean,
)
from ...specification.model import LayerSpec
from ...specification.yamldoc import Doc, Path
from . import catalog as tc

# Keras words a Keras user reaches for first, and PyTorch's for the same thing.
_KERAS_ARGS = {
    "units": "hidden_size (RNN modules) or out_features (Linear)",
    "return_sequences": "`take: output` beside the module (or `take: last`)",
    "input_dim": "num_embeddings",
    "output_dim": "embedding_dim",
    "use_bias": "bias",
    "rate": "p",
    "activation": "nonlinearity (RNN only)",
    "name": "nothing: modules are named after their class (lstm, lstm_1, ...)",
}
_KERAS_CLASSES = {
    "Dense": "Linear",
    "SimpleRNN": "RNN",
    "Bidirectional": "`bidirectional: true` on the RNN module",
    "LayerNormalization": "LayerNorm",
}


def torch_layers(doc: Doc, value: Any) -> tuple[LayerSpec, ...]:
    path = ("model", "layers")
    if not isinstance(value, list) or not value:
        raise doc.error(
            path,
            f"layers is {describe(value)}",
            "expected a non-empty list like [{LSTM: {input_size: 32, hidden_size: 64}}]",
        )
    counters: dict[str, int] = {}
    layers = tuple(_module(doc, path + (i,), item, counters) for i, item in enumerate(value))
    _one_batch_first(doc, layers)
    return layers


def _module(doc: Doc, path: Path, item: Any, counters: dict[str, int]) -> LayerSpec:
    classes = [k for k in item if k not in tc.LAYER_KEYS] if isinstance(item, dict) else []
    if len(classes) != 1:
        raise doc.error(
            path,
            f"a layer is {describe(item)}" + (f" with {len(classes)} classes" if classes else ""),
            "expected one torch.nn class -> its arguments, like {LSTM: {input_size: 32, "
            "hidden_size: 64}}, and optionally `take: last` beside an RNN module",
        )
    (cls,) = classes
    if cls not in tc.MODULES:
        hint = (
            f" (PyTorch's name is {_KERAS_CLASSES[cls]})"
            if cls in _KERAS_CLASSES
            else did_you_mean(cls, tc.MODULES)
        )
        raise doc.error(
            path + (cls,),
            f"unknown torch.nn module {cls!r}{hint}",
            f"expected one of {', '.join(tc.MODULES)}",
            key=True,
        )
    take = None
    if "take" in item:
        if cls not in tc.CELLS:
            raise doc.error(
                path + ("take",),
                f"take is given on {cls}",
                "expected `take:` only beside RNN, LSTM or GRU",
                key=True,
            )
        take = check_choice(doc, path + ("take",), item["take"], tc.TAKE, "take")
    elif cls in tc.CELLS:
        take = "output"
    args = _args(doc, path + (cls,), cls, item[cls])
    prefix = tc.AUTO_NAME[cls]
    n = counters.get(prefix, 0)
    counters[prefix] = n + 1
    name = prefix if n == 0 else f"{prefix}_{n}"
    return LayerSpec(
        cls=cls,
        name=name,
        args=args,
        path=path,
        take=take,
        runs=tc.CELLS.get(cls),
    )


def _args(doc: Doc, apath: Path, cls: str, given: Any) -> dict[str, Any]:
    given = {} if given is None else given
    table = tc.MODULES[cls]

    def unknown(key: str) -> tuple[str, str]:
        owners = [c for c, t in tc.MODULES.items() if key in t and c != cls]
        if owners:
            hint = f" (it is an argument of {' and '.join(owners)})"
        elif key in _KERAS_ARGS:
            hint = f" (PyTorch's word is {_KERAS_ARGS[key]})"
        else:
            hint = did_you_mean(key, table)
        return (
            f"nn.{cls} has no argument {key!r}{hint}",
            f"expected {cls} arguments: {', '.join(table)}",
        )

    args = check_table(
        doc,
        apath,
        given,
        table,
        f"the arguments of {cls} are",
        "expected a mapping",
        unknown,
        lambda key: (
            f"{cls} is missing its required argument {key!r}",
            f"expected `{key}:` (nn.{cls} has no default for it)",
        ),
        lambda where, key, arg, value: _check(doc, where, key, arg, value),
    )
    _constructor_checks(doc, apath, cls, args, given)
    return args


def _check(doc: Doc, path: Path, key: str, arg: Arg, value: Any) -> Any:
    """The argument kinds PyTorch has and Keras specs do not; the rest as for Keras."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if arg.kind == "prob":
        if not number or not 0 <= value <= 1:
            shown = value if number else describe(value)
            raise doc.error(path, f"{key} is {shown}", "expected a number from 0 to 1")
        return float(value)
    if arg.kind == "posfloat":
        if not number or not 0 < value < math.inf:
            raise doc.error(path, f"{key} is {describe(value)}", "expected a positive number")
        return float(value)
    if arg.kind in ("index", "count"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok or (value is None and arg.kind == "index")
        if not ok or (arg.kind == "count" and value < 0):
            expected = (
                "an integer or null" if arg.kind == "index" else "0 (none) or a positive integer"
            )
            raise doc.error(path, f"{key} is {describe(value)}", f"expected {expected}")
        return value
    return check_arg(doc, path, key, arg, value)


def _constructor_checks(
    doc: Doc, apath: Path, cls: str, args: dict[str, Any], given: dict[str, Any]
) -> None:
    """What the nn constructors raise on, raised here with the spec's line."""
    if cls == "LSTM" and args["proj_size"] >= args["hidden_size"]:
        raise doc.error(
            apath + ("proj_size",),
            f"proj_size is {args['proj_size']}, not smaller than hidden_size "
            f"{args['hidden_size']} (nn.LSTM refuses it)",
            f"expected 0 (no projection) up to {args['hidden_size'] - 1}",
        )
    if cls == "Embedding" and args["padding_idx"] is not None:
        n = args["num_embeddings"]
        if not -n <= args["padding_idx"] < n:
            raise doc.error(
                apath + ("padding_idx",),
                f"padding_idx is {args['padding_idx']}, outside the {n} embeddings",
                f"expected an index from {-n} to {n - 1}, or null",
            )


def _one_batch_first(doc: Doc, layers: tuple[LayerSpec, ...]) -> None:
    first = None
    for layer in layers:
        if layer.cls not in tc.CELLS:
            continue
        if first is None:
            first = layer
        elif layer.args["batch_first"] != first.args["batch_first"]:
            raise doc.error(
                layer.path + (layer.cls, "batch_first"),
                f"{layer.name} has batch_first: {str(layer.args['batch_first']).lower()}, but "
                f"{first.name} has {str(first.args['batch_first']).lower()}",
                "expected one batch_first for every RNN module (the model's tensor layout "
                "follows it)",
            )
