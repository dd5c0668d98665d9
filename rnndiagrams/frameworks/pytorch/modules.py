"""A PyTorch model as PyTorch lists it: `named_parameters()` (in the order modules are
registered, submodules under their parent, a tied weight once), the modules in the order
`forward` calls them (a loop's body once per step), and what `forward` returns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...shapes.shaped import Shape, ShapedLayer, ShapedModel
from ...specification.graph import order
from ...specification.model import LayerSpec
from .catalog import MODULES, STATISTICS


def modules(model: ShapedModel) -> list[ShapedLayer]:
    """Every module (not a function, not a second call), in spec order."""
    return [m for m in model.layers if m.cls in MODULES and m.spec.calls is None]


def registration_order(names: list[str]) -> list[str]:
    """Attribute paths in the order `named_modules()` walks them when each is registered
    at its first appearance: `a.x, b.y, a.z` -> `a.x, a.z, b.y` (a's children together)."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})
    wanted = set(names)

    def walk(node: dict, prefix: str) -> Iterator[str]:  # type: ignore[type-arg]
        for part, children in node.items():
            path = prefix + part
            if path in wanted:
                yield path
            yield from walk(children, path + ".")

    return list(walk(tree, ""))


def named_parameters(model: ShapedModel) -> list[tuple[str, tuple[int, ...]]]:
    """`[(name, shape)]` as `model.named_parameters()` gives them."""
    by_name = {m.name: m for m in modules(model)}
    return [
        (f"{name}.{w.name('pytorch')}", w.shape)
        for name in registration_order(list(by_name))
        for w in by_name[name].weights
    ]


def named_buffers(model: ShapedModel) -> list[tuple[str, tuple[int, ...]]]:
    """`[(name, shape)]` as `model.named_buffers()` gives them: BatchNorm1d's running
    statistics (not parameters, not counted; in the state_dict)."""
    by_name = {m.name: m.spec for m in modules(model)}
    return [
        (f"{name}.{buffer}", () if buffer == "num_batches_tracked" else (a["num_features"],))
        for name in registration_order(list(by_name))
        if by_name[name].cls == "BatchNorm1d" and (a := by_name[name].args)["track_running_stats"]
        for buffer in STATISTICS
    ]


def _calls(layer: LayerSpec) -> list[str]:
    """The modules one layer's call runs: itself, the module it calls again, or (the
    tutorial's attention) its submodules."""
    if layer.cls == "BahdanauAttention":
        return [f"{layer.name}.{part}" for part in ("Wa", "Ua", "Va")]
    if layer.cls not in MODULES:
        return []
    return [layer.calls or layer.name]


def call_order(model: ShapedModel, steps: Mapping[str, int]) -> list[str]:
    """Each module call of one forward(), a loop's body repeated for each of its `steps`
    (by loop name; its length when the spec leaves it open)."""
    spec = model.spec
    ordered = order(spec.doc, spec.layers) if spec.graph else spec.layers
    out: list[str] = []
    for layer in ordered:
        if layer.cls == "loop":
            body = [m for m in ordered if m.loop == layer.name]
            out += [name for _ in range(steps[layer.name]) for m in body for name in _calls(m)]
        elif layer.loop is None:
            out += _calls(layer)
    return out


def loop_steps(model: ShapedModel) -> dict[str, int | None]:
    """How many steps each loop runs, by loop name: its `over`'s length and the future
    steps (None: an open length)."""
    return {layer.name: layer.loop_steps for layer in model.layers if layer.cls == "loop"}


def output_shapes(model: ShapedModel) -> list[Shape]:
    """What forward() returns: the last layer's output, or each of `outputs:`."""
    if not model.spec.graph:
        return [model.layers[-1].output_shape]
    return [model.layer(ref.source).outputs[ref.output] for ref in model.spec.outputs]
