"""One real run of a module, read where torch.fx cannot trace it (Python loops over steps).

Forward hooks on every unit (a `torch.nn` leaf module, an RNN module, or a module of the
dialect's vocabulary such as the tutorial's `BahdanauAttention`) and a TorchFunctionMode
outside them record every call and every tensor function (`torch.cat`, `permute`,
indexing) in order. Each tensor a call reads is followed by identity to the output it is.
Then the calls are folded: a run of steps that repeat the same calls is one `loop:` whose
body is the first step, checked against every other step; an input indexed at step t
(`x[:, t]`, `x[:, t:t+1]`) is what the loop goes `over`, a value from the step before is
`name@t-1`, a module's own state from the step before is its recurrence, and
`torch.stack`/`torch.cat` of one body output per step is the loop's `join`.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import torch
from torch import nn
from torch.overrides import TorchFunctionMode


class Unread(Exception):
    """What the import cannot say of forward yet, in words."""


class Event(NamedTuple):
    name: str  # the module's path, or the function's name (cat, permute, getitem...)
    module: nn.Module | None  # None: a function
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    out: Any


# tensor functions that make zeros: a state that starts at zero, not a value read
_ZEROS = ("new_zeros", "zeros", "zeros_like")
_FUNCTIONS = {"cat", "stack", "add", "__add__", "mul", "__mul__", "bmm", "permute", "__getitem__"}


class _Record(TorchFunctionMode):
    """Tensor functions called outside every unit, in order."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__()
        self.events = events
        self.depth = 0  # units entered and not left

    def __torch_function__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if self.depth == 0 and any(isinstance(t, torch.Tensor) for t in flat(out)):
            name = getattr(func, "__name__", str(func))
            self.events.append(Event(name, None, args, kwargs, out))
        return out


def record(
    model: nn.Module, units: dict[str, nn.Module], examples: list[torch.Tensor]
) -> tuple[list[Event], Any]:
    """The events of one run of forward, and what it returned."""
    events: list[Event] = []
    mode = _Record(events)

    def enter(module: nn.Module, args: Any) -> None:
        mode.depth += 1

    def leave(module: nn.Module, args: Any, kwargs: Any, out: Any, path: str = "") -> None:
        mode.depth -= 1
        if mode.depth == 0:
            events.append(Event(path, module, tuple(args), dict(kwargs), out))

    handles = []
    for path, module in units.items():
        handles.append(module.register_forward_pre_hook(enter))
        handles.append(
            module.register_forward_hook(
                lambda m, a, k, o, path=path: leave(m, a, k, o, path), with_kwargs=True
            )
        )
    try:
        with mode:
            returned = model(*examples)
    finally:
        for handle in handles:
            handle.remove()
    return events, returned


def flat(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in flat(item)]
    return [value]


def units(model: nn.Module, vocabulary: Any) -> dict[str, nn.Module]:
    """The modules a run is read in: torch.nn leaves and RNN modules, and the modules
    `vocabulary(module)` names; not what is inside them."""
    found: dict[str, nn.Module] = {}

    def walk(prefix: str, module: nn.Module) -> None:
        for name, child in module.named_children():
            path = f"{prefix}{name}"
            if not list(child.children()) or isinstance(child, nn.RNNBase) or vocabulary(child):
                found[path] = child
            else:
                walk(path + ".", child)

    walk("", model)
    return found


class Steps(NamedTuple):
    """Where the calls repeat: `before` events, then `repeats` steps of `size` events each."""

    before: int
    size: int
    repeats: int


def steps(events: list[Event]) -> Steps | None:
    """The longest run of repeated steps (at least two), the earliest first. Reading an
    input at step t is no call, so steps past the input (reading feedback) repeat too."""
    names = [e.name for e in events]
    best: Steps | None = None
    for before in range(len(names)):
        for size in range(1, (len(names) - before) // 2 + 1):
            body = names[before : before + size]
            count = 1
            while names[before + count * size : before + (count + 1) * size] == body:
                count += 1
            if count > 1 and (best is None or count * size > best.repeats * best.size):
                best = Steps(before, size, count)
    return best


def is_zeros(event: Event) -> bool:
    return event.module is None and event.name in _ZEROS


def is_known(event: Event) -> bool:
    return event.module is not None or event.name in _FUNCTIONS or event.name in _ZEROS


def attention_size(module: nn.Module) -> int | None:
    """H when `module` is the seq2seq tutorial's BahdanauAttention (the dialect's word for
    it): children Wa, Ua (Linear H -> H) and Va (Linear H -> 1), nothing else. What it
    computes is checked on the values of the run (`same_as_attention`)."""
    children = {
        name: (c.in_features, c.out_features)
        for name, c in module.named_children()
        if type(c) is nn.Linear
    }
    if set(children) != {"Wa", "Ua", "Va"} or len(list(module.children())) != 3:
        return None
    size = children["Wa"][0]
    return size if children == {"Wa": (size, size), "Ua": (size, size), "Va": (size, 1)} else None


def same_as_attention(event: Event) -> bool:
    """Whether the call returned `bmm(softmax(Va(tanh(Wa(q) + Ua(k)))), k)` and the weights."""
    m = event.module
    if m is None or len(event.args) != 2 or event.kwargs or not isinstance(event.out, tuple):
        return False
    query, keys = event.args
    wa, ua, va = (cast(nn.Module, getattr(m, name)) for name in ("Wa", "Ua", "Va"))
    scores = va(torch.tanh(wa(query) + ua(keys))).squeeze(2).unsqueeze(1)
    weights = torch.softmax(scores, dim=-1)
    context = torch.bmm(weights, keys)
    return len(event.out) == 2 and all(
        a.shape == b.shape and torch.allclose(a, b)
        for a, b in zip(event.out, (context, weights), strict=True)
    )


class Source(NamedTuple):
    """Where a tensor came from: an input, zeros, an input's step, or a call's output."""

    kind: str  # input | zeros | step | call
    origin: int  # the input's index, or the call's (in `calls`)
    part: int = 0  # which of the call's flattened outputs; for a step, t
    keepdim: bool = False  # a step read as x[:, t:t+1]; for a call, its output's last step


class Fold:
    """The events of a run as spec layers: calls before a loop, the loop, calls after it."""

    LOOP = "steps"

    def __init__(
        self, events: list[Event], examples: list[torch.Tensor], names: list[str], layer_of: Any
    ) -> None:
        self.names = names
        self.inputs = examples
        self.layer_of = layer_of  # (path, module) -> a spec item
        self.sources: dict[int, Source] = {
            id(x): Source("input", i) for i, x in enumerate(examples)
        }
        self.calls: list[Event] = []
        self.reads: list[tuple[list[Source], list[Source]]] = []  # per call: data, states
        for event in events:
            if not is_known(event):
                raise Unread(f"applies {event.name}, which the import does not read")
            made = self._index(event) if event.name == "__getitem__" else None
            if event.module and attention_size(event.module) and not same_as_attention(event):
                raise Unread(f"calls {event.name}, which does not compute BahdanauAttention")
            if is_zeros(event):
                made = Source("zeros", -1)
            if made is None:  # what it reads, before its outputs are known (Dropout in eval
                # mode returns its very input)
                reads, states = self._reads(event)
                self.reads.append(
                    ([self.source(t) for t in reads], [self.source(t) for t in states])
                )
                made = Source("call", len(self.calls))
                self.calls.append(event)
            for part, tensor in enumerate(flat(event.out)):
                self.sources[id(tensor)] = made._replace(part=part) if made.kind == "call" else made
        self.layers: list[dict[str, Any]] = []
        self.ref: dict[int, str] = {}  # call index -> the spec name of its output
        self.counts: dict[str, int] = {}

    def _index(self, event: Event) -> Source | None:
        """An input indexed at one step along axis 1 (x[:, t] or x[:, t:t+1]), or an RNN
        module's output at its last step (`take: last`); None: another index."""
        tensor, index = event.args
        source = self.sources.get(id(tensor))
        module = self.calls[source.origin].module if source and source.kind == "call" else None
        if isinstance(module, nn.RNNBase) and source and source.part == 0:
            last = (slice(None), -1) if module.batch_first else -1
            return source._replace(keepdim=True) if index == last else None
        if (
            source is None
            or source.kind != "input"
            or not isinstance(index, tuple)
            or len(index) != 2
        ):
            return None
        whole, at = index
        if whole != slice(None):
            return None
        if isinstance(at, int):
            return Source("step", source.origin, at)
        if (
            isinstance(at, slice)
            and at.step is None
            and isinstance(at.start, int)
            and at.stop == at.start + 1
        ):
            return Source("step", source.origin, at.start, keepdim=True)
        return None

    def source(self, tensor: Any) -> Source:
        if not isinstance(tensor, torch.Tensor) or id(tensor) not in self.sources:
            raise Unread(f"reads a value no module or input made ({type(tensor).__name__})")
        return self.sources[id(tensor)]

    def flow(self, returned: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """The layers, and what forward returns by spec references."""
        if not self.calls:
            raise Unread("calls no module")
        found = steps(self.calls)
        before = found.before if found else len(self.calls)
        # the first layer names what it reads unless the model has one input
        previous = self._calls(range(before), self.names[0] if len(self.names) == 1 else None)
        if found is None:
            return self.layers, self._returned(returned, previous)
        first, size, count = found.before, found.size, found.repeats
        loop = self._loop(first, size, count)
        after = first + size * count
        self.layers.append({"loop": loop})
        joined = self.calls[after] if after < len(self.calls) else None
        if joined is None or joined.name not in ("cat", "stack"):
            raise Unread("returns something other than torch.stack or torch.cat of the steps")
        collected = self.reads[after][0]
        position = {s.origin - first - i * size for i, s in enumerate(collected)}
        dim = joined.kwargs.get("dim", joined.args[1] if len(joined.args) > 1 else 0)
        if len(collected) != count or len(position) != 1 or dim != 1:
            raise Unread(f"joins {len(collected)} values of {count} steps at dim {dim}")
        (at,) = position
        loop["join"] = joined.name
        if at != size - 1:
            loop["collect"] = self.ref[first + at]
        self.ref[after] = self.LOOP
        loop["layers"] = loop.pop("layers")
        rest = self._calls(range(after + 1, len(self.calls)), self.LOOP)
        return self.layers, self._returned(returned, rest)

    def _returned(self, returned: Any, last: str | None) -> list[str]:
        refs = [self._name(self.source(t), None) for t in flat(returned)]
        return [] if refs == [last] else refs

    def _name(self, source: Source, step: int | None, start: int = 0, size: int = 0) -> str:
        """The spec reference of a source read at `step` of a loop whose first step's calls
        begin at `start` (step None: outside a loop)."""
        if source.kind == "input":
            return self.names[source.origin]
        if source.kind == "step":
            if step is None or source.part != step:
                raise Unread(f"reads {self.names[source.origin]} at step {source.part} elsewhere")
            return f"{self.LOOP}_t"
        if source.kind == "zeros":
            raise Unread("reads zeros other than as a starting state")
        index = source.origin
        if self._last(index) != source.keepdim:
            raise Unread(f"reads both {self.calls[index].name}'s output and its last step")
        if step is not None and index >= start:
            offset = index - start - step * size
            if not -size <= offset < size:
                raise Unread("reads a value from more than one step before")
            index = start + offset % size
            name = self.ref[index] + (f".{source.part}" if source.part else "")
            return name + ("@t-1" if offset < 0 else "")
        return self.ref[index] + (f".{source.part}" if source.part else "")

    def _calls(self, indices: range, previous: str | None) -> str | None:
        """Each call outside a loop as a layer that names what it reads (when not the
        layer before) and the state it starts from."""
        for index in indices:
            event = self.calls[index]
            reads, state = self.reads[index]
            data = [self._name(src, None) for src in reads]
            given: dict[str, Any] = {"inputs": data} if data != [previous] else {}
            if state and not all(s.kind == "zeros" for s in state):
                given["initial_state"] = [self._name(s, None) for s in state]
            previous = self._named(index, event)
            self.layers.append(self._item(index, previous, given))
        return previous

    def _loop(self, first: int, size: int, count: int) -> dict[str, Any]:
        """The repeated steps as one loop: step 1's reads are the body's (a value from the
        step before is name@t-1), step 0 gives each state its start, every other step
        must read what step 1 reads (past the input, the fed-back output instead)."""
        for j in range(size):
            self._named(first + j, self.calls[first + j])
        reads = [self._step_reads(first, size, s) for s in range(count)]
        loop: dict[str, Any] = {}
        over = {(src.origin, src.keepdim) for step in reads for src in step[2]}
        if len(over) != 1:
            raise Unread("loops over no input, or over several")
        ((index, keepdim),) = over
        loop["over"] = self.names[index]
        if keepdim:
            loop["keepdim"] = True
        length = sum(1 for step in reads if step[2])
        steps_in = self.inputs[index].shape[1]
        if length != steps_in:
            raise Unread(f"loops over {length} of the {steps_in} steps of {self.names[index]}")
        canonical = reads[1][0]
        for s, (data, _, _) in enumerate(reads[2:], start=2):
            if s >= length:  # past the input: the first call reads the step before's output
                fed = data[0][0] if data[0] else ""
                back = fed.removesuffix("@t-1")
                if fed == back or loop.setdefault("feedback", back) != back:
                    raise Unread(f"reads no output of the step before at step {s}")
                data = [[f"{self.LOOP}_t", *data[0][1:]], *data[1:]]
            if data != canonical:
                raise Unread(f"step {s} reads other values than step 1")
        if count > length:
            loop["future"] = count - length
        starts = reads[0][1]  # each call's starting state at step 0
        for j, (zero, one) in enumerate(zip(reads[0][0], canonical, strict=True)):
            for a, b in zip(zero, one, strict=True):
                back = b.removesuffix("@t-1")
                if a != b and not (back != b and self._start(back, first, size, starts) == a):
                    raise Unread(f"{self.ref[first + j]} reads {a} at step 0, {b} after")
        loop["name"] = self.LOOP
        outer, self.layers = self.layers, []
        previous = f"{self.LOOP}_t"
        for j in range(size):
            given: dict[str, Any] = {"inputs": canonical[j]} if canonical[j] != [previous] else {}
            if starts[j]:
                given["initial_state"] = starts[j]
            previous = self.ref[first + j]
            self.layers.append(self._item(first + j, previous, given))
        loop["layers"], self.layers = self.layers, outer
        return loop

    def _start(self, ref: str, first: int, size: int, starts: list[list[str]]) -> str | None:
        """What a body call's state (`decoder.1`) is at step 0: the state it starts from."""
        for j in range(size):
            name = self.ref[first + j]
            if ref == name or ref.startswith(name + "."):
                part = int(ref[len(name) + 1 :] or 0) if ref != name else 0
                parts = _state_parts(self.calls[first + j].module)
                if part in parts and len(starts[j]) == len(parts):
                    return starts[j][parts.index(part)]
        return None

    def _step_reads(
        self, first: int, size: int, s: int
    ) -> tuple[list[list[str]], list[list[str]], list[Source]]:
        """Step s's reads per call, each call's starting state (at step 0; after it, each
        must be its own state of the step before), and the input steps it read."""
        data, starts, stepped = [], [], []
        for j in range(size):
            index = first + s * size + j
            event = self.calls[index]
            sources, state = self.reads[index]
            stepped += [src for src in sources if src.kind == "step"]
            data.append([self._name(src, s, first, size) for src in sources])
            if s == 0:
                zeros = all(x.kind == "zeros" for x in state)
                starts.append([] if zeros else [self._name(x, None) for x in state])
            elif state and state != [
                Source("call", index - size, p) for p in _state_parts(event.module)
            ]:
                raise Unread(f"{event.name} starts step {s} from a state other than its own")
        return data, starts, stepped

    def _reads(self, event: Event) -> tuple[list[Any], list[Any]]:
        """The tensors a call reads, and the state it starts from (RNN modules and cells)."""
        if event.kwargs and event.module is not None:
            raise Unread(f"calls {event.name} with keywords {', '.join(event.kwargs)}")
        if event.module is not None and isinstance(event.module, (nn.RNNBase, nn.RNNCellBase)):
            return [event.args[0]], [t for t in flat(event.args[1:]) if t is not None]
        if event.module is not None:
            return list(event.args), []
        if event.name in ("cat", "stack"):
            return flat(event.args[0]), []
        return [a for a in event.args if isinstance(a, torch.Tensor)], []

    def _named(self, index: int, event: Event) -> str:
        """The spec name of a call's output: the module's path (`drop_call2` when it is
        called again), or a fresh name for a function."""
        if event.module is None:
            name = self._fresh(name_of(event))
        else:
            called = self.counts.get(event.name, 0)
            self.counts[event.name] = called + 1
            name = f"{event.name}_call{called + 1}" if called else event.name
        self.ref[index] = name
        return name

    def _item(self, index: int, name: str, given: dict[str, Any]) -> dict[str, Any]:
        event = self.calls[index]
        if event.module is None:
            return {name_of(event): {**function_args(event), "name": name, **given}}
        if name != event.name:
            return {"call": {"module": event.name, "name": name, **given}}
        item: dict[str, Any] = self.layer_of(event.name, event.module)
        next(iter(item.values())).update(given)
        if self._last(index):
            item["take"] = "last"
        return item

    def _last(self, index: int) -> bool:
        """Whether a call's output is read at its last step only (`take: last`)."""
        return any(
            s.kind == "call" and s.origin == index and s.keepdim for s in self.sources.values()
        )

    def _fresh(self, base: str) -> str:
        used = set(self.ref.values()) | set(self.names)
        count = 1
        name = base
        while name in used:
            count += 1
            name = f"{base}_{count}"
        return name


def _state_parts(module: nn.Module | None) -> list[int]:
    """Which of a call's flattened outputs are the state it carries to the next step."""
    if isinstance(module, nn.LSTM):
        return [1, 2]
    if isinstance(module, nn.RNNBase):
        return [1]
    return [0, 1] if isinstance(module, nn.LSTMCell) else [0]


_NAMES = {"__add__": "add", "__mul__": "mul", "__getitem__": "getitem"}


def name_of(event: Event) -> str:
    """The dialect's word for a function call: cat, stack, add, mul, bmm, permute."""
    return _NAMES.get(event.name, event.name)


def function_args(event: Event) -> dict[str, Any]:
    """A function's arguments in the dialect: cat and stack's dim, permute's dims."""
    name = name_of(event)
    if name in ("cat", "stack"):
        return {"dim": event.kwargs.get("dim", event.args[1] if len(event.args) > 1 else 0)}
    if name == "permute":
        dims = event.args[1:] if len(event.args) > 2 else event.args[1]
        return {"dims": list(dims)}
    tensors = [a for a in event.args if isinstance(a, torch.Tensor)]
    if name in ("add", "mul", "bmm") and not event.kwargs and len(tensors) == len(event.args) == 2:
        return {}
    raise Unread(f"applies {event.name} with {event.args[1:]!r}, which the import does not read")
