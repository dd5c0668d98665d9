"""Keras layers of a spec: each class and its arguments checked as Keras would build them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...specification.catalog import Arg
from ...specification.checks import (
    check_arg,
    check_name,
    check_table,
    describe,
    did_you_mean,
    unique_names,
)
from ...specification.model import LayerSpec, Ref
from ...specification.yamldoc import Doc, Path
from .. import elsewhere
from . import catalog


def keras_layers(doc: Doc, value: Any) -> tuple[LayerSpec, ...]:
    path = ("model", "layers")
    if not isinstance(value, list) or not value:
        raise doc.error(
            path,
            f"layers is {describe(value)}",
            "expected a non-empty list like [{SimpleRNN: {units: 32}}]",
        )
    counters: dict[str, int] = {}
    layers = tuple(
        _layer(doc, path + (i,), item, counters, catalog.LAYERS) for i, item in enumerate(value)
    )
    unique_names(doc, layers, "Keras refuses duplicates")
    return layers


def _layer(
    doc: Doc, path: Path, item: Any, counters: dict[str, int], allowed: Iterable[str]
) -> LayerSpec:
    allowed = tuple(allowed)
    if not isinstance(item, dict) or len(item) != 1:
        raise doc.error(
            path,
            f"a layer is {describe(item)}",
            "expected a one-key mapping, Keras class -> arguments, like {LSTM: {units: 32}}",
        )
    ((cls, args),) = item.items()
    if cls not in allowed:
        if cls in catalog.LAYERS:
            wrapper = path[-2] if len(path) > 1 else "this wrapper"
            what = "a recurrent layer" if allowed == catalog.RECURRENT else " or ".join(allowed)
            raise doc.error(
                path + (cls,),
                f"{wrapper} can only wrap {what}, not {cls}",
                f"expected one of {', '.join(allowed)}",
                key=True,
            )
        raise doc.error(
            path + (cls,),
            f"unknown layer class {cls!r}{did_you_mean(cls, allowed)}",
            f"expected one of {', '.join(allowed)}" + elsewhere(cls, "keras"),
            key=True,
        )
    args = {} if args is None else args
    apath = path + (cls,)
    top = len(path) == 3  # a layer of `model.layers`, not one inside a wrapper
    table = {**catalog.LAYERS[cls], **(catalog.call_args(cls) if top else {})}

    def value(where: Path, key: str, arg: Arg, given: Any) -> Any:
        if arg.kind == "layer":
            return _layer(doc, where, given, counters, arg.choices)
        return given if key == "name" else check_arg(doc, where, key, arg, given)  # name: below

    full = check_table(
        doc,
        apath,
        args,
        table,
        f"the arguments of {cls} are",
        "expected a mapping of Keras arguments",
        lambda key: (_unknown_arg(cls, key), f"expected {cls} arguments: {', '.join(table)}"),
        lambda key: (
            f"{cls} is missing its required argument {key!r}",
            f"expected e.g. {{{cls}: {{{key}: 32}}}}"
            if table[key].kind == "posint"
            else f"expected `{key}:`",
        ),
        value,
    )
    full.pop("name")
    inner = full.pop("layer", None)
    reads, states = (
        tuple(Ref(r, 0, apath + (key, i)) for i, r in enumerate(full.pop(key, None) or ()))
        for key in ("inputs", "initial_state")
    )
    if "name" in args:
        name = check_name(doc, apath + ("name",), args["name"])
    else:
        prefix = catalog.AUTO_NAME[cls]
        n = counters.get(prefix, 0)
        counters[prefix] = n + 1
        name = prefix if n == 0 else f"{prefix}_{n}"
    if cls == "TimeDistributed":
        return LayerSpec(
            cls=cls, name=name, args=full, path=path, wrapped=inner, reads=reads or None
        )
    if inner is not None and inner.args["go_backwards"]:
        raise doc.error(
            inner.path + (inner.cls, "go_backwards"),
            f"Bidirectional cannot wrap a layer with go_backwards: true ({inner.name!r})",
            "expected go_backwards: false inside Bidirectional (it runs a backward copy itself)",
        )
    runs = cls if cls in catalog.RECURRENT else None
    return LayerSpec(
        cls=cls,
        name=name,
        args=full,
        path=path,
        inner=inner,
        runs=runs,
        reads=reads or None,
        initial_state=states,
    )


def _unknown_arg(cls: str, key: str) -> str:
    owners = [c for c, table in catalog.LAYERS.items() if key in table and c != cls]
    if owners:
        return f"{key!r} is an argument of {' and '.join(owners)}, not of {cls}"
    return f"unknown {cls} argument {key!r}{did_you_mean(key, catalog.LAYERS[cls])}"
