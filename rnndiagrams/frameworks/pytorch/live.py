"""A live `nn.Module` into a spec: the structure comes from running it, not from its text.

torch.fx first: `forward` traced symbolically, with every `torch.nn` module (the RNN
modules among them) as a leaf, gives the data flow exactly: which output each call reads,
`out, (h, c) = rnn(x)`, `out[:, -1]`, a module called again, what forward returns. Python
control flow that depends on the inputs (a loop over time steps, `if t < x.size(1)`)
defeats tracing; then one real run is recorded (`trace.py`) and its repeated steps folded
into a loop. The subtitle says which was used, the spec's first line why. Names are the
modules' dotted paths; the spec's count and output shapes are checked against the module.
"""

from __future__ import annotations

import inspect
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
from . import trace
from .importer import spec_yaml
from .modules import output_shapes
from .trace import Unread


class Call(NamedTuple):
    path: str  # the module's dotted path in the model (`encoder.rnn`)
    module: nn.Module
    take: str = "output"  # what the next call reads of an RNN module's output: output | last


class Flow(NamedTuple):
    """What forward does, as a spec says it: the inputs' names, the layers (each a spec
    item, in call order), and what forward returns (empty: the last layer's output)."""

    inputs: list[str]
    layers: list[dict[str, Any]]
    outputs: list[str]


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
    examples = _examples(inputs)
    model.eval()
    owners = _owners(model)
    with torch.no_grad():
        try:
            events, outputs = trace.record(model, trace.units(model, _vocabulary), examples)
        except Exception as e:  # the user's forward refused these inputs
            raise SpecError(
                source,
                f"forward raised {type(e).__name__}: {_first_line(e)}",
                "expected inputs of the shapes and dtypes forward takes",
            ) from None
    how = "torch.fx"
    try:
        flow = _Walk(model, owners).flow(fx.symbolic_trace(model).graph, len(examples))
        why = ""
    except Exception as e:  # control flow on the inputs, or a function fx's graph holds
        how = "the calls of one run (torch.fx could not read forward)"
        why = f": its graph {e}" if isinstance(e, Unread) else f": {_first_line(e)}"
        names = list(inspect.signature(model.forward).parameters)[: len(examples)]
        try:
            fold = trace.Fold(events, examples, names, lambda p, m: _layer(Call(p, m), owners))
            flow = Flow(names, *fold.flow(outputs))
        except Unread as unread:
            raise SpecError(
                source,
                f"forward {unread} (read from {how}{why})",
                "expected torch.nn modules, the functions cat, stack, add, mul, bmm and "
                "permute, and loops over the steps of an input",
            ) from None
    text = _spec_text(model, flow, inputs, f"imported from {source}: structure from {how}{why}")
    try:
        shaped = shape_model(validate(parse_doc(text, type(model).__name__)))
    except SpecError as e:  # what forward does, said in words the dialect refuses
        raise SpecError(source, f"the spec read from forward: {e.problem}", e.expected) from None
    _check(shaped, model, outputs, source)
    return text, shaped, f"structure from {how}{why}; modules in forward's order"


def _examples(inputs: Sequence[Input]) -> list[torch.Tensor]:
    """Example inputs: token ids 0 (valid for any Embedding), features drawn from a fixed
    seed, so that a step read from an input or an output is told apart by its values."""
    generator = torch.Generator().manual_seed(0)
    return [
        torch.zeros(shape, dtype=getattr(torch, dtype))
        if dtype.startswith("int")
        else torch.randn(shape, generator=generator, dtype=getattr(torch, dtype))
        for shape, dtype in inputs
    ]


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


Value = Any  # what a node of fx's graph holds: a spec reference (str) or a tuple of values


class _Walk:
    """fx's graph of forward, node by node, into spec layers that name what they read."""

    def __init__(self, model: nn.Module, owners: dict[int, str]) -> None:
        self.modules = dict(model.named_modules())
        self.owners = owners
        self.layers: list[dict[str, Any]] = []
        self.items: dict[str, dict[str, Any]] = {}  # a module's name -> its layer item
        self.values: dict[fx.Node, Value] = {}
        self.previous: str | None = None  # what a layer reads when it names nothing
        self.calls: dict[str, int] = {}  # module path -> its calls so far

    def flow(self, graph: fx.Graph, count: int) -> Flow:
        inputs: list[str] = []
        outputs: list[str] = []
        for node in graph.nodes:
            if node.op == "placeholder":
                if len(inputs) < count:  # the rest are forward's defaults (`future=0`)
                    inputs.append(str(node.target))
                    self.values[node] = str(node.target)
            elif node.op == "call_module":
                self._module(node, inputs)
            elif node.op == "call_function" and node.target is operator.getitem:
                self._index(node)
            elif node.op == "output":
                outputs = _flat(self._read(node.args[0]))
            else:
                raise Unread(f"applies {node.op} {_op_name(node)}, which the import does not read")
        if not self.layers:
            raise Unread("calls no module")
        return Flow(inputs, self.layers, [] if outputs == [self.previous] else outputs)

    def _read(self, arg: Any) -> Value:
        if isinstance(arg, fx.Node):
            if arg not in self.values:
                raise Unread(f"reads {arg.name}, which no module made")
            return self.values[arg]
        if isinstance(arg, (tuple, list)):
            return tuple(self._read(a) for a in arg)
        raise Unread(f"passes {arg!r} to a module")

    def _module(self, node: fx.Node, inputs: list[str]) -> None:
        path = str(node.target)
        module = self.modules[path]
        if node.kwargs:
            raise Unread(f"calls {path} with keywords {', '.join(node.kwargs)}")
        reads = [self._read(a) for a in node.args]
        data, states = reads[:1], _flat(tuple(reads[1:]))
        if not data or not isinstance(data[0], str):
            raise Unread(f"calls {path} with no tensor")
        called = self.calls.get(path, 0)
        self.calls[path] = called + 1
        name = path if not called else f"{path}_call{called + 1}"
        default = [self.previous] if self.previous else inputs[:1]
        given: dict[str, Any] = {}
        if data != default or (self.previous is None and len(inputs) > 1):
            given["inputs"] = data
        if states:
            given["initial_state"] = states
        if called:
            item: dict[str, Any] = {"call": {"module": path, "name": name, **given}}
        else:
            item = _layer(Call(path, module, "output"), self.owners)
            next(iter(item.values())).update(given)
            self.items[name] = item
        self.layers.append(item)
        self.previous = name
        self.values[node] = _returns(name, module)

    def _index(self, node: fx.Node) -> None:
        source, index = node.args
        value = self._read(source)
        if isinstance(value, tuple) and isinstance(index, int):
            self.values[node] = value[index]
            return
        item = self.items.get(value) if isinstance(value, str) else None
        module = self.modules.get(value) if item is not None else None
        if (
            item is not None
            and module is not None
            and _is_rnn(module)
            and index == _last_step(module)
        ):
            if not isinstance(source, fx.Node) or len(source.users) != 1:
                raise Unread(f"reads both {value}'s output and its last step")
            item["take"] = "last"
            self.values[node] = value
            return
        raise Unread(f"indexes {value} with {index!r}, which the import does not read")


def _op_name(node: fx.Node) -> str:
    return str(getattr(node.target, "__name__", node.target))


def _flat(value: Value) -> list[str]:
    return [r for v in value for r in _flat(v)] if isinstance(value, tuple) else [value]


def _returns(name: str, module: nn.Module) -> Value:
    """An RNN module's (output, h_n) or (output, (h_n, c_n)), by the dialect's references;
    an LSTMCell's (h, c); any other module's one output."""
    if isinstance(module, nn.LSTM):
        return (name, (f"{name}.1", f"{name}.2"))
    if _is_rnn(module):
        return (name, f"{name}.1")
    if isinstance(module, nn.LSTMCell):
        return (name, f"{name}.1")
    return name


def _owners(model: nn.Module) -> dict[int, str]:
    """Each parameter's first owner (by id): the module that registered it first."""
    owners: dict[int, str] = {}
    for path, module in model.named_modules(remove_duplicate=False):
        for p in module.parameters(recurse=False):
            owners.setdefault(id(p), path)
    return owners


def _last_step(rnn: nn.Module) -> Any:
    return (slice(None), -1) if rnn.batch_first else -1


def _is_rnn(module: nn.Module) -> bool:
    return isinstance(module, nn.RNNBase)


def _spec_text(model: nn.Module, flow: Flow, inputs: Sequence[Input], note: str) -> str:
    """The spec: one input as `input:`, several by forward's argument names."""
    rnn = next((m for m in model.modules() if _is_rnn(m)), None)
    batch_first = bool(getattr(rnn, "batch_first", True))
    given = {}
    for name, (shape, dtype) in zip(flow.inputs, inputs, strict=False):
        dims = list(shape[1:]) if batch_first else [shape[0], *shape[2:]]
        given[name] = {"shape": dims} | ({"dtype": dtype} if dtype != "float32" else {})
    named = len(given) > 1 or any(_mentions(layer, name) for layer in flow.layers for name in given)
    spec: dict[str, Any] = {"inputs": given} if named else {"input": next(iter(given.values()))}
    spec["layers"] = flow.layers
    if flow.outputs:
        spec["outputs"] = flow.outputs
    how = note.split(": structure from ", 1)[1].split(": ", 1)[0]
    titles = {"title": type(model).__name__, "subtitle": f"structure from {how}"}
    return spec_yaml(note, titles, spec)


def _mentions(item: Any, name: str) -> bool:
    """Whether a layer item reads `name` (in its `inputs:`, or a loop's `over:`)."""
    if isinstance(item, dict):
        return (
            name in item.get("inputs", ())
            or item.get("over") == name
            or any(_mentions(v, name) for v in item.values())
        )
    return isinstance(item, list) and any(_mentions(v, name) for v in item)


def _vocabulary(module: nn.Module) -> bool:
    """Whether a module outside torch.nn is a word of the dialect (read as one call)."""
    return trace.attention_size(module) is not None


def _layer(call: Call, owners: dict[int, str]) -> dict[str, Any]:
    """The module as a spec item, named by its path; a weight another module registered
    first is tied to it."""
    if not all(part.isidentifier() for part in call.path.split(".")):
        raise Unread(
            f"calls {call.path}, a name the spec cannot give (nn.Sequential numbers its "
            "modules; an attribute per module names them)"
        )
    size = trace.attention_size(call.module)
    if size is not None:
        return {"BahdanauAttention": {"hidden_size": size, "name": call.path}}
    cls = type(call.module).__name__
    if cls not in tc.MODULES or not isinstance(call.module, getattr(nn, cls, ())):
        raise Unread(f"calls {call.path}, a {cls}, which is not in the PyTorch dialect")
    args: dict[str, Any] = {}
    for key, arg in tc.MODULES[cls].items():
        value = getattr(call.module, key)
        if key == "bias" and not isinstance(value, bool):
            value = value is not None  # Linear and LayerNorm hold the bias itself
        if isinstance(value, tuple) and len(value) == 1:
            value = value[0]  # LayerNorm's normalized_shape
        if arg.required or value != arg.default:
            args[key] = value
    args["name"] = call.path  # parameters named as named_parameters() names them
    weight = getattr(call.module, "weight", None)
    owner = owners.get(id(weight), call.path) if isinstance(weight, nn.Parameter) else call.path
    if owner != call.path:
        args["tie_weight"] = owner
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
            "expected what the module holds (please report this model)",
        )
    real = [tuple(t.shape) for t in _tensors(outputs)]
    ours = [tuple(s) for s in output_shapes(shaped)]
    if len(ours) != len(real) or not all(
        len(o) == len(r) and all(a in (None, b) for a, b in zip(o, r, strict=True))
        for o, r in zip(ours, real, strict=True)
    ):
        raise SpecError(
            source,
            f"the spec gives {', '.join(map(format_shape, ours))}, forward returned "
            f"{', '.join(map(str, real))}",
            "expected the shapes PyTorch computes (please report this model)",
        )


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return [value]
