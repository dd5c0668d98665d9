"""`framework: pytorch` layers: `torch.nn` modules checked as their constructors check them.

Sizes that depend on the previous module (`input_size`, `in_features`) are checked by the
shape engine, which knows what each module gives; here are the checks PyTorch makes when a
module is built (`proj_size < hidden_size`, a valid `padding_idx`), plus one of ours: every
RNN module shares one `batch_first`, since the model's tensor layout follows it.
"""

from __future__ import annotations

import keyword
import math
from typing import Any

from ...specification.catalog import MAX_NAME_CHARS, Arg
from ...specification.checks import (
    check_arg,
    check_choice,
    check_table,
    describe,
    did_you_mean,
    unique_names,
)
from ...specification.graph import PREVIOUS
from ...specification.model import LayerSpec, Ref
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
}
_KERAS_CLASSES = {
    "Dense": "Linear",
    "SimpleRNN": "RNN",
    "Bidirectional": "`bidirectional: true` on the RNN module",
    "LayerNormalization": "LayerNorm",
}


_STATEFUL = (*tc.CELLS, *tc.STEP_CELLS)


def torch_layers(doc: Doc, value: Any) -> tuple[LayerSpec, ...]:
    """The modules in spec order; a loop as its step (`NAME_t`, x[:, t]), its body, then
    itself (the body's outputs of every step, joined)."""
    path = ("model", "layers")
    if not isinstance(value, list) or not value:
        raise doc.error(
            path,
            f"layers is {describe(value)}",
            "expected a non-empty list like [{LSTM: {input_size: 32, hidden_size: 64}}]",
        )
    counters: dict[str, int] = {}
    layers: list[LayerSpec] = []
    for i, item in enumerate(value):
        layers += _item(doc, path + (i,), item, counters, layers, None)
    _names(doc, layers)
    _one_batch_first(doc, tuple(layers))
    return tuple(layers)


def _item(
    doc: Doc,
    path: Path,
    item: Any,
    counters: dict[str, int],
    done: list[LayerSpec],
    loop: str | None,
) -> list[LayerSpec]:
    if isinstance(item, dict) and "loop" in item and len(item) == 1:
        if loop is not None:
            raise doc.error(
                path + ("loop",),
                f"a loop inside loop {loop!r}",
                "expected the layers of one loop (loops do not nest here)",
                key=True,
            )
        return _loop(doc, path, item["loop"], counters, done)
    if isinstance(item, dict) and "call" in item and len(item) == 1:
        return [_call(doc, path + ("call",), item["call"], done, loop)]
    return [_module(doc, path, item, counters, loop)]


def auto_name(cls: str, counters: dict[str, int]) -> str:
    prefix = tc.AUTO_NAME[cls]
    n = counters.get(prefix, 0)
    counters[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def _refs(given: Any, path: Path, suffix: str = "") -> tuple[Ref, ...] | None:
    return (
        None
        if given is None
        else tuple(Ref(r + suffix, 0, path + (i,)) for i, r in enumerate(given))
    )


def _loop(
    doc: Doc, path: Path, given: Any, counters: dict[str, int], done: list[LayerSpec]
) -> list[LayerSpec]:
    apath = path + ("loop",)
    args = check_table(
        doc,
        apath,
        given,
        tc.LOOP_ARGS,
        "loop is",
        "expected a mapping like {over: x, layers: [...]}",
        lambda key: (
            f"a loop has no key {key!r}{did_you_mean(key, tc.LOOP_ARGS)}",
            f"expected loop keys: {', '.join(tc.LOOP_ARGS)}",
        ),
        lambda key: (f"the loop has no {key!r}", f"expected `{key}:`"),
        lambda where, key, arg, value: (
            value if key == "layers" else _check(doc, where, key, arg, value)
        ),
    )
    name = args.pop("name") or auto_name("loop", counters)
    body_given = args.pop("layers")
    if not isinstance(body_given, list) or not body_given:
        raise doc.error(
            apath + ("layers",),
            f"the loop's layers are {describe(body_given)}",
            "expected a non-empty list of the modules run at every step",
        )
    if args["future"] and args["feedback"] is None:
        raise doc.error(
            apath + ("future",),
            f"future is {args['future']}, but the loop names no feedback",
            "expected `feedback:` naming the layer whose output each future step reads",
        )
    if args["feedback"] is not None and not args["future"]:
        raise doc.error(
            apath + ("feedback",),
            "feedback is given, but no future steps read it",
            "expected `future:` with the number of steps after the sequence",
        )
    feedback = _refs(args["feedback"] and [args["feedback"]], apath + ("feedback",), PREVIOUS)
    step = LayerSpec(
        cls="step",
        name=f"{name}_t",
        args={k: args[k] for k in ("over", "dim", "keepdim", "future", "feedback")},
        path=path,
        reads=(Ref(args["over"], 0, apath + ("over",)),) + (feedback or ()),
        loop=name,
    )
    body = [step]
    for i, item in enumerate(body_given):
        body += _item(doc, apath + ("layers", i), item, counters, done + body, name)
    collect = _refs(args["collect"] and [args["collect"]], apath + ("collect",))
    joined = LayerSpec(
        cls="loop",
        name=name,
        args={"join": args["join"], "dim": args["dim"], "step": step.name},
        path=path,
        reads=collect,
    )
    return body + [joined]


def _call(doc: Doc, path: Path, given: Any, done: list[LayerSpec], loop: str | None) -> LayerSpec:
    args = check_table(
        doc,
        path,
        given,
        tc.CALL,
        "call is",
        "expected a mapping like {module: drop, inputs: [rnn]}",
        lambda key: (
            f"a call has no key {key!r}{did_you_mean(key, tc.CALL)}",
            f"expected call keys: {', '.join(tc.CALL)}",
        ),
        lambda key: ("the call names no module", "expected `module:` naming a module above"),
        lambda where, key, arg, value: _check(doc, where, key, arg, value),
    )
    modules = {m.name: m for m in done if m.cls in tc.MODULES and m.calls is None}
    target = modules.get(args["module"])
    if target is None:
        raise doc.error(
            path + ("module",),
            f"no module {args['module']!r} above to call again"
            f"{did_you_mean(args['module'], modules)}",
            f"expected one of {', '.join(map(repr, modules)) or 'the modules above it'}",
        )
    calls = 1 + sum(1 for m in done if m.calls == target.name)
    return target._replace(
        name=args["name"] or f"{target.name}_call{calls + 1}",
        path=path[:-1],
        reads=_refs(args["inputs"], path + ("inputs",)),
        initial_state=(),
        loop=loop,
        calls=target.name,
    )


def _module(
    doc: Doc, path: Path, item: Any, counters: dict[str, int], loop: str | None
) -> LayerSpec:
    classes = [k for k in item if k not in tc.LAYER_KEYS] if isinstance(item, dict) else []
    if len(classes) != 1:
        raise doc.error(
            path,
            f"a layer is {describe(item)}" + (f" with {len(classes)} classes" if classes else ""),
            "expected one torch.nn class -> its arguments, like {LSTM: {input_size: 32, "
            "hidden_size: 64}}, and optionally `take: last` beside an RNN module; or "
            "`loop:`, `call:`",
        )
    (cls,) = classes
    known = (*tc.MODULES, *tc.FUNCTIONS)
    if cls not in known:
        hint = (
            f" (PyTorch's name is {_KERAS_CLASSES[cls]})"
            if cls in _KERAS_CLASSES
            else did_you_mean(cls, known)
        )
        raise doc.error(
            path + (cls,),
            f"unknown torch.nn module {cls!r}{hint}",
            f"expected one of {', '.join(known)}, or loop, call",
            key=True,
        )
    if cls in tc.STEP_CELLS and loop is None:
        raise doc.error(
            path + (cls,),
            f"{cls} runs one step, outside a loop",
            "expected it in the `layers:` of a `loop:` (or RNN, LSTM, GRU for a sequence)",
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
    name = args.pop("name") or auto_name(cls, counters)
    reads = _refs(args.pop("inputs"), path + (cls, "inputs"))
    states = _refs(args.pop("initial_state", None), path + (cls, "initial_state"))
    return LayerSpec(
        cls=cls,
        name=name,
        args=args,
        path=path,
        take=take,
        runs=tc.CELLS.get(cls) or tc.STEP_CELLS.get(cls),
        reads=reads,
        initial_state=states or (),
        loop=loop,
    )


def _names(doc: Doc, layers: list[LayerSpec]) -> None:
    """Names unique; a module's name not also the path of another module's submodule
    (`encoder` and `encoder.rnn` cannot both be modules); a tied weight's module exists."""
    unique_names(doc, layers, "one attribute per module")
    modules = {m.name: m for m in layers if m.cls in tc.MODULES and m.calls is None}
    for name, module in modules.items():
        parts = name.split(".")
        for k in range(1, len(parts)):
            if ".".join(parts[:k]) in modules:
                raise doc.error(
                    module.path + (module.cls, "name"),
                    f"{name!r} is a submodule path of module {'.'.join(parts[:k])!r}",
                    "expected module names none of which is a prefix path of another",
                )
        tied = module.args.get("tie_weight")
        if tied is not None and (tied not in modules or tied == name):
            raise doc.error(
                module.path + (module.cls, "tie_weight"),
                f"tie_weight names {tied!r}, no other module{did_you_mean(tied, modules)}",
                "expected the name of the Embedding or Linear whose weight it shares",
            )


def _args(doc: Doc, apath: Path, cls: str, given: Any) -> dict[str, Any]:
    given = {} if given is None else given
    table = {
        **tc.MODULES.get(cls, tc.FUNCTIONS.get(cls, {})),
        **{k: v for k, v in tc.CALL_ARGS.items() if k != "initial_state" or cls in _STATEFUL},
        **(tc.TIE if cls == "Linear" else {}),
    }

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
    if value is None and arg.nullable:
        return None
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
    if arg.kind == "name":  # an attribute path: encoder.rnn
        parts = value.split(".") if isinstance(value, str) and len(value) <= MAX_NAME_CHARS else []
        if not parts or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
            raise doc.error(
                path,
                f"{key} is {describe(value)}",
                "expected a Python attribute name, or a dotted path of them (encoder.rnn)",
            )
        return value
    if arg.kind == "ref":
        return check_arg(doc, path, key, Arg("refs"), [value])[0]
    if arg.kind == "dims":
        ok = isinstance(value, list) and all(
            isinstance(d, int) and not isinstance(d, bool) for d in value
        )
        if not ok or sorted(value) != list(range(len(value))):
            raise doc.error(
                path, f"{key} is {describe(value)}", "expected a permutation like [1, 0, 2]"
            )
        return tuple(value)
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
