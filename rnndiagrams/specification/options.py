"""The `views:` and `render:` sections: which figures to draw and how to write them."""

from __future__ import annotations

from typing import Any, cast

from . import catalog
from .checks import check_arg, check_table, describe, did_you_mean, unknown_key
from .model import LayerSpec, ViewSpec
from .yamldoc import Doc, Path


def views_and_render(
    doc: Doc, data: dict[str, Any], layers: tuple[LayerSpec, ...], graph: bool = False
) -> tuple[tuple[ViewSpec, ...], dict[str, Any]]:
    # without a recurrent layer (a Conv1D classifier, say) only the layer stack can be drawn,
    # and so far for a loop over steps; a graph is drawn as its layer graph and unrolled; the
    # other views draw a chain
    recurrent, looped = any(x.cell for x in layers), any(x.loop for x in layers)
    default = (
        ("stack",)
        if not recurrent or looped
        else catalog.GRAPH_VIEWS
        if graph
        else catalog.DEFAULT_VIEWS
    )
    views = _views(doc, data.get("views", list(default)), layers)
    for view in views:
        _fits(doc, view, graph, recurrent, looped)
    return views, _render(doc, data.get("render", {}))


def _fits(doc: Doc, view: ViewSpec, graph: bool, recurrent: bool, looped: bool) -> None:
    """A located error for a view or option this kind of model has not (a graph's views
    through time are the unrolled one so far, and not yet for a loop over steps; `feed` is
    a graph's)."""
    if looped and view.kind == "unrolled":
        raise doc.error(
            view.path,
            "the unrolled view does not draw a loop over steps (`loop:`) yet",
            "expected the stack view, which draws the loop framed with its step-before edges",
        )
    if graph and view.kind not in catalog.GRAPH_VIEWS:
        raise doc.error(
            view.path,
            f"the {view.kind} view draws a chain of layers, and this model is a graph",
            f"expected one of {', '.join(catalog.GRAPH_VIEWS)}, which draw a graph",
        )
    if graph and view.kind == "unrolled" and not recurrent:
        raise doc.error(
            view.path,
            "the unrolled view needs a recurrent layer, and this graph has none",
            "expected the stack view",
        )
    for key, default in catalog.CHAIN_ONLY.items():
        given = view.options.get(key, default)
        if view.kind == "unrolled" and (key == "feed") != graph and given != default:
            kind = "a chain" if graph else "a graph (named inputs)"
            raise doc.error(
                view.path + (key,),
                f"the {key} option is drawn for {kind} only",
                f"expected no {key} option on this model's unrolled view",
                key=True,
            )


def _views(doc: Doc, value: Any, layers: tuple[LayerSpec, ...]) -> tuple[ViewSpec, ...]:
    path = ("views",)
    if not isinstance(value, list) or not value:
        raise doc.error(
            path,
            f"views is {describe(value)}",
            "expected a list like [stack, folded, {unrolled: {steps: 4}}]",
        )
    views: list[ViewSpec]
    names: dict[str, int]
    given: dict[str, Any]
    views, names = [], {}
    for i, item in enumerate(value):
        vpath = path + (i,)
        if isinstance(item, str):
            kind, given = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            ((kind, given),) = item.items()
            given = {} if given is None else given
        else:
            raise doc.error(
                vpath, f"a view is {describe(item)}", "expected a view name or {view: {options}}"
            )
        if kind not in catalog.VIEWS:
            raise doc.error(
                vpath + ((kind,) if isinstance(item, dict) else ()),
                f"unknown view {kind!r}{did_you_mean(kind, catalog.VIEWS)}",
                f"expected one of {', '.join(catalog.VIEWS)}",
                key=isinstance(item, dict),
            )
        opath = vpath + (kind,) if isinstance(item, dict) else vpath
        table = catalog.VIEWS[kind]
        options = check_table(
            doc,
            opath,
            given,
            table,
            f"the options of {kind} are",
            "expected a mapping of options",
            unknown_key(f"{kind} option", table),
            check=lambda where, key, arg, value: (
                _layer_ref(doc, where, value, layers)
                if arg.kind == "layer_ref"
                else check_arg(doc, where, key, arg, value)
            ),
        )
        name = options.pop("name") or kind
        if name in names:
            raise doc.error(
                vpath,
                f"two views would both write {name!r} (the first is view {names[name] + 1})",
                "expected a distinct `name:` option on one of them",
            )
        names[name] = i
        views.append(ViewSpec(kind=kind, name=name, options=options, path=opath))
    return tuple(views)


def _layer_ref(doc: Doc, path: Path, value: Any, layers: tuple[LayerSpec, ...]) -> str | None:
    recurrent = [layer.name for layer in layers if layer.cell]
    if value is None:
        return None  # every recurrent layer
    if value not in recurrent:
        raise doc.error(
            path,
            f"layer is {describe(value)}{did_you_mean(str(value), recurrent)}",
            f"expected the name of a recurrent layer: {', '.join(recurrent) or 'none in this model'}",
        )
    return cast(str, value)


def _render(doc: Doc, value: Any) -> dict[str, Any]:
    return check_table(
        doc,
        ("render",),
        value,
        catalog.RENDER,
        "render is",
        "expected a mapping like {formats: [svg, png]}",
        unknown_key("render option", catalog.RENDER),
    )
