"""Views: a shaped model plus a view spec in, a backend-neutral Scene out. No drawing here."""

from __future__ import annotations

from importlib import import_module
from typing import Any, cast

from ..scene import Scene
from ..shapes import ShapedModel
from ..specification.model import ViewSpec

# view kind -> (module, extra arguments of its build); modules load only when a spec uses them
_BUILDERS: dict[str, tuple[str, dict[str, Any]]] = {
    "stack": ("stack", {}),
    "folded": ("timegrid", {"folded": True}),
    "unrolled": ("timegrid", {"folded": False}),
    "equivalence": ("equivalence", {}),
    "cell": ("cell", {}),
    "numpy": ("numpy_loop", {}),
}


def build_scene(model: ShapedModel, view: ViewSpec) -> Scene:
    module, kwargs = _BUILDERS[view.kind]
    if model.spec.graph and view.kind == "unrolled":
        module, kwargs = "graphtime", {}  # the only view through time a graph has so far
    if model.unstack is not None and view.kind != "stack":
        model, view = model.unstack(model, view)
    return cast(Scene, import_module(f"{__name__}.{module}").build(model, view, **kwargs))
