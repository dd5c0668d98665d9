"""Verify within a budget: a model too big to execute is executed as a faithful reduced copy.

`verify` allocates every weight and runs every time step, so a valid spec with a billion
units or steps would take gigabytes or minutes. Beyond the budget, every size above a limit
is mapped to a small one, keeping equal sizes equal and larger sizes larger (so the same
layer kinds, wiring and shape rules apply), and that copy runs instead; the caller is told.
"""

from __future__ import annotations

from math import prod
from typing import TypeGuard, cast

from ..errors import SpecError
from ..frameworks import framework
from ..specification.model import LayerSpec, Spec
from . import shape_model
from .shaped import Shape, ShapedModel

ARRAY_BUDGET = 32_000_000  # float64 elements alive at once: 256 MB
STEP_BUDGET = 20_000  # recurrent steps run in Python, over all layers and directions
LIMITS = (256, 32, 4)  # sizes above the limit are scaled down, the largest limit that fits


def cost(model: ShapedModel) -> tuple[int, int]:
    """(array elements, recurrent steps) that `verify` would need for this model."""
    from .execution import BATCH, FREE_STEPS

    def size(shape: Shape) -> int:
        return prod(FREE_STEPS if d is None else d for d in shape[1:]) * BATCH

    elements = sum(size((None, *i.shape)) for i in model.spec.inputs) or size(model.input_shape)
    steps = 0
    loops = {  # a loop's body runs once per step, in Python
        layer.name: FREE_STEPS if layer.loop_steps is None else layer.loop_steps
        for layer in model.layers
        if any(other.spec.loop == layer.name for other in model.layers)
    }
    for layer in model.layers:
        repeat = loops.get(layer.spec.loop or "", 1)
        elements += sum(w.size for w in layer.weights) + 2 * size(layer.output_shape)
        steps += repeat if layer.spec.loop else 0
        if layer.recurrence is not None:
            length = layer.input_shape[model.time_axis]
            rec = layer.recurrence  # a pass per stacked layer and direction
            runs = len(rec.directions) * rec.layers
            steps += (FREE_STEPS if length is None else length) * runs * repeat
            elements += size(layer.input_shape[:2] + (rec.units,)) * 2
    return elements, steps


def fits(model: ShapedModel) -> bool:
    elements, steps = cost(model)
    return elements <= ARRAY_BUDGET and steps <= STEP_BUDGET


def reduced(spec: Spec, limit: int) -> Spec:
    """The spec with every integer size above `limit` replaced by limit+1, limit+2, ... in
    the order of the original sizes."""
    sizes = sorted({v for v in _ints(spec) if v > limit})
    mapping = {v: limit + 1 + i for i, v in enumerate(sizes)}

    def small(value: object) -> object:
        return mapping.get(value, value) if _is_size(value) else value

    def layer(spec_layer: LayerSpec) -> LayerSpec:
        return spec_layer._replace(
            args={k: small(v) for k, v in spec_layer.args.items()},
            inner=None if spec_layer.inner is None else layer(spec_layer.inner),
            wrapped=None if spec_layer.wrapped is None else layer(spec_layer.wrapped),
        )

    def shape(dims: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return cast(tuple[int | None, ...], tuple(small(d) for d in dims))

    return spec._replace(
        input_shape=shape(spec.input_shape),
        inputs=tuple(i._replace(shape=shape(i.shape)) for i in spec.inputs),
        layers=tuple(layer(x) for x in spec.layers),
    )


def _is_size(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(spec: Spec) -> list[int]:
    values = [d for i in spec.inputs for d in i.shape if _is_size(d)]
    values += [d for d in spec.input_shape if _is_size(d)]
    stack = list(spec.layers)
    while stack:
        layer = stack.pop()
        values += [v for v in layer.args.values() if _is_size(v)]
        stack += [x for x in (layer.inner, layer.wrapped) if x is not None]
    return values


def verify_within_budget(model: ShapedModel, seed: int = 0) -> str | None:
    """Run `verify` on the model, or on its largest reduced copy that fits the budget.
    Returns None when the model itself ran, else one line saying what ran instead."""
    run = framework(model.spec.framework).run_numpy

    if fits(model):
        run(model, seed)
        return None
    for limit in LIMITS:
        try:
            small = shape_model(reduced(model.spec, limit), model.convention)
        except SpecError:
            continue  # order kept is not always enough (a stride or a window); try the next
        if fits(small):
            run(small, seed)
            return (
                f"too big to run as is: verified on a copy with every size over {limit} scaled down"
            )
    return "too big to run as is, and no reduced copy fits: shapes computed but not executed"
