"""`rnndiagrams code SPEC` for a PyTorch graph: the nn.Module whose `named_parameters()`
and `state_dict()` keys are the spec's (submodules as `nn.Module()` containers, registered
in the order of their first appearance), whose forward reads named tensors, hands states
over as `(h, c)`, runs loops over time steps with the fed-back output, calls a module
again and ties weights. Each line carries the shape the engine computed.
"""

from __future__ import annotations

import keyword

from ...shapes import ShapedModel
from ...shapes.shaped import format_shape
from ...specification.graph import order
from ...specification.model import LayerSpec, Ref
from .catalog import FUNCTIONS, STEP_CELLS, module_call
from .code import module_text
from .graph_shapes import STATEFUL, state_count, state_index
from .modules import modules, registration_order

_ATTENTION = '''class BahdanauAttention(nn.Module):
    """PyTorch's seq2seq tutorial's additive attention."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys))).squeeze(2).unsqueeze(1)
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, keys), weights
'''


class _Names:
    """Python variable names for tensors, unique, from the spec's names."""

    def __init__(self) -> None:
        self.taken: set[str] = {"self", "torch", "nn", "outputs", "t"}
        self.given: dict[tuple[str, str], str] = {}

    def __call__(self, name: str, kind: str = "") -> str:
        if (name, kind) not in self.given:
            text = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
            text = text if text.isidentifier() and text.isascii() else f"v_{text}"
            text = f"{text}_{kind}" if kind else text
            while text in self.taken or keyword.iskeyword(text):
                text += "_"
            self.taken.add(text)
            self.given[name, kind] = text
        return self.given[name, kind]


def torch_graph_code(model: ShapedModel) -> str:
    spec = model.spec
    writer = _Writer(model)
    by_name = {m.name: m for m in modules(model)}
    init, registered = [], set()
    for name in registration_order(list(by_name)):
        parts = name.split(".")
        for k in range(1, len(parts)):
            container = ".".join(parts[:k])
            if container not in registered:
                registered.add(container)
                init.append(f"        self.{container} = nn.Module()")
        prefix = "" if by_name[name].cls == "BahdanauAttention" else "nn."
        init.append(f"        self.{name} = {prefix}{module_call(by_name[name].spec)}")
    for m in by_name.values():
        if (tied := m.spec.args.get("tie_weight")) is not None:
            init.append(f"        self.{m.name}.weight = self.{tied}.weight  # tied: counted once")
    forward: list[str] = []
    for layer in writer.ordered:
        if layer.cls == "loop":
            forward += writer.loop(layer)
        elif layer.loop is None:  # a body's layers are written by its loop
            forward += writer.call(layer, "        ")
    params = ", ".join(f"{writer.var(i.name)}: torch.Tensor" for i in spec.inputs)
    outputs = ", ".join(writer.tensor(ref) for ref in spec.outputs)
    attention = any(m.cls == "BahdanauAttention" for m in by_name.values())
    return module_text(
        spec,
        f"Parameters: {model.total_params:,}.",
        init,
        f"{params})",
        forward,
        outputs,
        (_ATTENTION,) if attention else (),
    )


class _Writer:
    """forward()'s lines, one or two per layer, a loop as a `for` over its steps."""

    def __init__(self, model: ShapedModel) -> None:
        self.model = model
        self.var = _Names()
        self.shaped = {layer.name: layer for layer in model.layers}
        self.ordered = order(model.spec.doc, model.spec.layers)

    def tensor(self, ref: Ref) -> str:
        """The variable of a tensor; of a state from the step before, its copy."""
        kind = f"prev{ref.output}" if ref.previous else str(ref.output) if ref.output else ""
        return self.var(ref.source, kind)

    @staticmethod
    def state(given: list[str]) -> str:
        """A module's state argument: h, or (h, c)."""
        return given[0] if len(given) == 1 else f"({', '.join(given)})"

    def call(self, layer: LayerSpec, indent: str) -> list[str]:
        """One layer's line(s) of forward()."""
        shaped = self.shaped[layer.name]
        reads = [self.tensor(r) for r in layer.reads or ()]
        out = self.var(layer.name)
        shape = f"  # {format_shape(shaped.output_shape)}"
        a = layer.args
        if layer.cls in FUNCTIONS:
            joined = ", ".join(reads)
            expression = {
                "cat": f"torch.cat([{joined}], dim={a.get('dim')})",
                "stack": f"torch.stack([{joined}], dim={a.get('dim')})",
                "add": " + ".join(reads),
                "mul": " * ".join(reads),
                "bmm": f"torch.bmm({joined})",
                "permute": f"{reads[0]}.permute({', '.join(map(str, a.get('dims', ())))})",
            }[layer.cls]
            return [f"{indent}{out} = {expression}{shape}"]
        module = f"self.{layer.calls or layer.name}"
        if layer.cls == "BahdanauAttention":
            weights = self.var(layer.name, "1")
            return [f"{indent}{out}, {weights} = {module}({', '.join(reads)}){shape}"]
        if layer.cls not in STATEFUL:
            return [f"{indent}{out} = {module}({reads[0]}){shape}"]
        carried = self.var(layer.name, "state")
        states = [self.tensor(r) for r in layer.initial_state]
        start = carried if layer.loop is not None else self.state(states) if states else ""
        call = f"{module}({', '.join([reads[0]] + ([start] if start else []))})"
        finals = [self.var(layer.name, str(k)) for k in range(1, state_count(layer) + 1)]
        if layer.cls in STEP_CELLS:  # h, or h and c; the state is both
            names = [out] + finals[1:]
            lines = [f"{indent}{', '.join(names)} = {call}{shape}"]
            state = self.state(names)
        else:
            state = self.state(finals)
            sequence = format_shape(shaped.sequence_output or shaped.output_shape)
            lines = [f"{indent}{out}, {state} = {call}  # {sequence}"]
            if layer.take == "last":
                index = "[:, -1]" if self.model.time_axis == 1 else "[-1]"
                lines.append(f"{indent}{out} = {out}{index}{shape}")
        if layer.loop is not None:
            lines.append(f"{indent}{carried} = {state}")
        return lines

    def loop(self, loop: LayerSpec) -> list[str]:
        """`for t in range(...)`: the step (or the fed-back output), the states the step
        starts from, the body, each step's output kept and joined."""
        step, *body = (m for m in self.ordered if m.loop == loop.name)
        a, reads = step.args, step.reads or ()
        over = self.tensor(reads[0])
        length = f"{over}.size({a['dim']})"
        lines = ["        outputs = []"]
        for layer in body:
            if layer.cls in STATEFUL:
                given = [self.tensor(r) for r in layer.initial_state]
                start = self.state(given) if given else "None"
                lines.append(f"        {self.var(layer.name, 'state')} = {start}")
        future = f" + {a['future']}" if a["future"] else ""
        lines.append(f"        for t in range({length}{future}):")
        value = f"{over}[{':, ' * a['dim']}{'t:t + 1' if a['keepdim'] else 't'}]"
        if a["future"]:  # the feedback: that layer's output of the step before
            value += f" if t < {length} else {self.tensor(reads[1]._replace(previous=False))}"
        step_shape = format_shape(self.shaped[step.name].output_shape)
        lines.append(f"            {self.var(step.name)} = {value}  # {step_shape}")
        for layer in body:
            for ref in (r for r in layer.reads or () if r.previous):
                source = next(m for m in body if m.name == ref.source)
                held = self.var(source.name, "state")
                k = state_index(source, ref.output)
                lines.append(
                    f"            {self.tensor(ref)} = "
                    + (f"{held}[{k}]" if state_count(source) == 2 else held)
                )
        for layer in body:
            lines += self.call(layer, "            ")
        joined = format_shape(self.shaped[loop.name].output_shape)
        return lines + [
            f"            outputs.append({self.tensor((loop.reads or ())[0])})",
            f"        {self.var(loop.name)} = torch.{loop.args['join']}(outputs, "
            f"{loop.args['dim']})  # {joined}",
        ]
