"""Views: a shaped model plus a view spec in, a backend-neutral Scene out. No drawing here."""

from __future__ import annotations

from importlib import import_module
from typing import Any, cast

from ..scene import Scene
from ..shapes import ShapedModel
from ..specification.model import ViewSpec
from .labels import joined

# view kind -> (module, extra arguments of its build); modules load only when a spec uses them
_BUILDERS: dict[str, tuple[str, dict[str, Any]]] = {
    "stack": ("stack", {}),
    "folded": ("timegrid", {"folded": True}),
    "unrolled": ("timegrid", {"folded": False}),
    "equivalence": ("equivalence", {}),
    "cell": ("cell", {}),
    "numpy": ("numpy_loop", {}),
}


# For a target other than a page's column (a slide, short of height): the views laid out
# anew take `target`; in those whose boxes hold a symbol or weight over its shape, the two
# share a line (labels.joined; the cell and a graph's figure through time join their own).
_TARGETED = ("stack", "cell", "timegrid", "graphtime")
_JOINED = ("timegrid", "equivalence")


def build_scene(model: ShapedModel, view: ViewSpec, target: str = "column") -> Scene:
    module, kwargs = _BUILDERS[view.kind]
    if model.spec.graph and view.kind == "unrolled":
        module, kwargs = "graphtime", {}  # the only view through time a graph has so far
    if model.unstack is not None and view.kind != "stack":
        model, view = model.unstack(model, view)
    if module in _TARGETED:
        kwargs = {**kwargs, "target": target}
    scene = cast(Scene, import_module(f"{__name__}.{module}").build(model, view, **kwargs))
    if target == "column" or module not in _JOINED:
        return scene
    nodes = tuple(n._replace(label=joined(n.label)) for n in scene.nodes)
    return scene._replace(nodes=nodes)
