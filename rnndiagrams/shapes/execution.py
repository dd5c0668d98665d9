"""What every numpy run shares, whichever framework's equations it runs: the batch, the
length of a free time axis, and the check of an executed shape against the computed one."""

from __future__ import annotations

from ..errors import SpecError
from .shaped import ShapedLayer, ShapedModel, format_shape

BATCH = 2
FREE_STEPS = 3  # timesteps used where the spec says null (any length)


def expect(
    model: ShapedModel,
    layer: ShapedLayer,
    what: str,
    actual: tuple[int, ...],
    computed: tuple[int | None, ...],
) -> None:
    ok = len(actual) == len(computed) and all(
        c is None or a == c for a, c in zip(actual, computed, strict=True)
    )
    if not ok:
        raise SpecError(
            model.spec.doc.at(layer.spec.path),
            f"verify: {layer.name} {what} is {actual} when executed, but the engine computed "
            f"{format_shape(computed)}",
            "expected the shape engine and numpy to agree (a bug: please report)",
        )
