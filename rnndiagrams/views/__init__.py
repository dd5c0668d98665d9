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


# views laid out anew for a target other than a page's column (a slide): they take `target`
_TARGETED = ("stack", "timegrid", "equivalence")


def build_scene(model: ShapedModel, view: ViewSpec, target: str = "column") -> Scene:
    module, kwargs = _BUILDERS[view.kind]
    if model.unstack is not None and view.kind != "stack":
        model, view = model.unstack(model, view)
    if module in _TARGETED:
        kwargs = {**kwargs, "target": target}
    return cast(Scene, import_module(f"{__name__}.{module}").build(model, view, **kwargs))
