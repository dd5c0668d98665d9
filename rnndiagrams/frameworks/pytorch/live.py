"""A live `nn.Module` into a spec: the structure comes from running it, not from its text.

torch.fx first: `forward` traced symbolically, with every `torch.nn` module (the RNN
modules among them) as a leaf, gives the data flow exactly: which output each call reads,
`out, _ = rnn(x)`, `out[:, -1]`. Python control flow that depends on the inputs (a loop
over time steps, `if t < x.size(1)`) defeats tracing; then one real run with forward hooks
on every leaf module records the calls in first-call order, and each call's input is
followed by identity to the output it is (or, after an RNN, compared with `out[:, -1]`).
The notice says which was used and why. Names are the modules' dotted paths.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
from torch import fx, nn

from ...errors import SpecError
from ...shapes import ShapedModel, shape_model
from ...shapes.shaped import format_shape
from ...specification.validate import validate
from ...specification.yamldoc import parse_doc
from .. import Input
from . import catalog as tc
from .importer import spec_yaml


class Call(NamedTuple):
    path: str  # the module's dotted path in the model (`encoder.rnn`)
    module: nn.Module
    take: str  # what the next call reads of an RNN module's output: output | last


class _NotAChain(Exception):
    """What makes forward more than a chain of calls, in words."""


def import_module(
    model: nn.Module, inputs: Sequence[Input], source: str
) -> tuple[str, ShapedModel, str]:
    """Spec YAML text for `model` run on example inputs of these shapes and dtypes, its shaped
    model, and the notice of how the structure was read."""
    if not inputs:
        raise SpecError(
            source,
            "no example input for a PyTorch module",
            "expected --input SHAPE[:DTYPE] (batch first), one per argument of forward",
        )
    examples = [torch.zeros(shape, dtype=getattr(torch, dtype)) for shape, dtype in inputs]
    model.eval()
    try:
        graph: fx.Graph | None = fx.symbolic_trace(model).graph
        how, why = "torch.fx", ""
    except Exception as e:  # fx refuses control flow that depends on the inputs
        graph = None
        how = "forward hooks on one run (torch.fx could not trace forward)"
        why = f": {_first_line(e)}"
    with torch.no_grad():
        try:
            seen, outputs = _hooked(model, examples)
        except Exception as e:  # the user's forward refused these inputs
            raise SpecError(
                source,
                f"forward raised {type(e).__name__}: {_first_line(e)}",
                "expected inputs of the shapes and dtypes forward takes",
            ) from None
    try:
        calls = (
            _traced(graph, model, len(examples))
            if graph is not None
            else _chain(seen, examples[0], outputs)
        )
        text = _spec_text(model, calls, inputs, source, how, why)
    except _NotAChain as e:
        raise SpecError(
            source, f"forward is not a chain of modules: {e}", "expected a chain so far"
        ) from None
    shaped = shape_model(validate(parse_doc(text, type(model).__name__)))
    _check(shaped, model, outputs, source)
    return text, shaped, f"structure from {how}{why}; modules in forward's order"


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


def _traced(graph: fx.Graph, model: nn.Module, count: int) -> list[Call]:
    """The chain of calls in fx's graph of forward; _NotAChain when it is something else."""
    modules = dict(model.named_modules())
    calls: list[Call] = []
    values: dict[fx.Node, tuple[int, str]] = {}  # node -> (call index, out | tuple | last)
    inputs = [n for n in graph.nodes if n.op == "placeholder"][:count]
    for index, node in enumerate(inputs):
        values[node] = (-1 - index, "out")
    for node in graph.nodes:
        if node.op == "call_module":
            reads = [values.get(a) for a in node.args if isinstance(a, fx.Node)]
            take = _reads_previous(reads, calls, str(node.target))
            if calls:
                calls[-1] = calls[-1]._replace(take=take)
            values[node] = (len(calls), "tuple" if _is_rnn(modules[node.target]) else "out")
            calls.append(Call(str(node.target), modules[node.target], "output"))
        elif node.op == "call_function" and node.target is operator.getitem:
            source, index = node.args
            read = values.get(source) if isinstance(source, fx.Node) else None
            if read is None:
                continue  # an index into something no module made
            values[node] = (read[0], _indexed(read[1], index, calls[read[0]].module))
        elif node.op == "output":
            returned = node.args[0]
            if (
                not isinstance(returned, fx.Node)
                or values.get(returned, (None,))[0] != len(calls) - 1
            ):
                raise _NotAChain("it returns more than the last module's output")
    return calls


def _indexed(part: str, index: Any, module: nn.Module) -> str:
    """What `value[index]` is: an RNN's (out, h) tuple at 0 is its output sequence, and
    out[:, -1] (out[-1] when the sequence comes first) its last step."""
    if part == "tuple" and index == 0:
        return "sequence"
    if part == "sequence" and index == _last_step(module):
        return "last"
    return f"{part}[{index!r}]"


def _last_step(rnn: nn.Module) -> Any:
    return (slice(None), -1) if rnn.batch_first else -1


def _reads_previous(reads: list[tuple[int, str] | None], calls: list[Call], path: str) -> str:
    """What a call reads of the call before it (output | last), which must be all it reads."""
    before = f"the output of {calls[-1].path}" if calls else "the first input"
    read = reads[0] if len(reads) == 1 else None
    if read is None or read[0] != (len(calls) - 1 if calls else -1):
        raise _NotAChain(f"{path} does not read {before} alone")
    if read[1] in ("out", "sequence"):
        return "output"
    if read[1] == "last" and calls:
        return "last"
    raise _NotAChain(f"{path} reads {read[1]} of {before}")


def _hooked(model: nn.Module, examples: list[torch.Tensor]) -> tuple[list[Any], Any]:
    """One real run with forward hooks on every leaf module: (path, module, args, output) of
    each call in order, and what forward returned."""
    seen: list[tuple[str, nn.Module, Any, Any]] = []
    handles = [
        module.register_forward_hook(
            lambda m, args, out, path=path: seen.append((path, m, args, out))
        )
        for path, module in model.named_modules()
        if path and (not list(module.children()) or _is_rnn(module))
    ]
    try:
        returned = model(*examples)
    finally:
        for handle in handles:
            handle.remove()
    return seen, returned


def _chain(seen: list[Any], previous: Any, returned: Any) -> list[Call]:
    """The chain of calls hooks saw, each reading the output before it; _NotAChain else."""
    calls: list[Call] = []
    for path, module, args, out in seen:
        if any(c.path == path for c in calls):
            raise _NotAChain(f"{path} is called more than once")
        given = args[0] if args else None
        take = _which(previous, given, calls[-1].module if calls else None)
        if take is None:
            before = f"the output of {calls[-1].path}" if calls else "the first input"
            raise _NotAChain(f"{path} does not read {before}")
        if calls:
            calls[-1] = calls[-1]._replace(take=take)
        calls.append(Call(path, module, "output"))
        previous = out
    if returned is not previous:
        raise _NotAChain("it returns more than the last module's output")
    return calls


def _which(previous: Any, given: Any, module: nn.Module | None) -> str | None:
    """How `given` was taken from the previous call's output: output | last | None (not)."""
    out = previous[0] if isinstance(previous, tuple) else previous
    if given is out:
        return "output"
    if module is not None and _is_rnn(module) and isinstance(given, torch.Tensor):
        last = out[_last_step(module)]  # the RNN's last step, compared by value
        if given.shape == last.shape and torch.equal(given, last):
            return "last"
    return None


def _is_rnn(module: nn.Module) -> bool:
    return isinstance(module, nn.RNNBase)


def _spec_text(
    model: nn.Module, calls: list[Call], inputs: Sequence[Input], source: str, how: str, why: str
) -> str:
    layers = [_layer(call) for call in calls]
    rnn = next((c.module for c in calls if _is_rnn(c.module)), None)
    batch_first = bool(getattr(rnn, "batch_first", True))
    shape, dtype = inputs[0]
    dims = list(shape[1:]) if batch_first else [shape[0], *shape[2:]]
    model_input: dict[str, Any] = {"shape": dims}
    if dtype != "float32":
        model_input["dtype"] = dtype
    titles = {"title": type(model).__name__, "subtitle": f"structure from {how}"}
    return spec_yaml(
        f"imported from {source}: structure from {how}{why}", titles, model_input, layers
    )


def _layer(call: Call) -> dict[str, Any]:
    cls = type(call.module).__name__
    if cls not in tc.MODULES or not isinstance(call.module, getattr(nn, cls)):
        raise _NotAChain(f"{call.path} is {cls}, which is not in the PyTorch dialect")
    args: dict[str, Any] = {}
    for key, arg in tc.MODULES[cls].items():
        value = getattr(call.module, key)
        if key == "bias" and not isinstance(value, bool):
            value = value is not None  # Linear and LayerNorm hold the bias itself
        if isinstance(value, tuple) and len(value) == 1:
            value = value[0]  # LayerNorm's normalized_shape
        if arg.required or value != arg.default:
            args[key] = value
    layer: dict[str, Any] = {cls: args}
    if call.take != "output":
        layer["take"] = call.take
    return layer


def _check(shaped: ShapedModel, model: nn.Module, outputs: Any, source: str) -> None:
    """The spec must count what the module holds and give what it returned."""
    held = sum(p.numel() for p in model.parameters())  # a tied weight once
    if shaped.total_params != held:
        raise SpecError(
            source,
            f"the spec counts {shaped.total_params:,} parameters, the module holds {held:,}",
            "expected each module's parameters its own (no weights shared with another)",
        )
    ours, real = shaped.layers[-1].output_shape, tuple(outputs.shape)
    if len(ours) != len(real) or any(o not in (None, r) for o, r in zip(ours, real, strict=True)):
        raise SpecError(
            source,
            f"the spec gives {format_shape(ours)}, forward returned {real}",
            "expected the shapes PyTorch computes (please report this model)",
        )
