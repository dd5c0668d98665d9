"""Views: a shaped model plus a view spec in, a backend-neutral Scene out. No drawing here."""
from __future__ import annotations

from ..scene import Scene
from ..shapes import ShapedModel
from ..spec.model import ViewSpec
from . import cell, equivalence, numpy_loop, stack, timegrid


def build_scene(model: ShapedModel, view: ViewSpec) -> Scene:
    if view.kind == "stack":
        return stack.build(model, view)
    if view.kind == "folded":
        return timegrid.build(model, view, folded=True)
    if view.kind == "unrolled":
        return timegrid.build(model, view, folded=False)
    if view.kind == "equivalence":
        return equivalence.build(model, view)
    if view.kind == "cell":
        return cell.build(model, view)
    if view.kind == "numpy":
        return numpy_loop.build(model, view)
    raise AssertionError(f"no builder for view {view.kind!r}")
