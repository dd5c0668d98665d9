"""The notebook API: figure and summary objects that display themselves in Jupyter.

    import rnndiagrams as rd
    fig = rd.figure("specs/seed_sentiment.yaml", view="unrolled", steps=4)
    fig                      # SVG (and PNG when formats asks for it) in the notebook
    fig.save("unrolled.svg"); fig.svg; fig.png(dpi=200)
    rd.summary("specs/seed_sentiment.yaml")

A figure is drawn by the same pipeline as `rnndiagrams render`, in memory, once per format.
Every user mistake, in the spec or in the arguments, is a SpecError with a located message.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import SpecError
from .frameworks import Input, owner
from .render.files import atomic_write
from .render.svg_clean import scope_ids
from .specification import catalog
from .specification.catalog import DTYPES
from .specification.checks import did_you_mean
from .specification.model import Spec, ViewSpec
from .specification.options import views_and_render
from .specification.sources import SpecSource, spec_from
from .specification.validate import validate
from .specification.yamldoc import Doc, parse_doc

MIME = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
# an example input of a live model: a shape, or a shape and its dtype
InputSize = Sequence[int] | tuple[Sequence[int], str]
_DISPLAYS = itertools.count(1)  # each displayed copy of a figure gets its own id prefix


class Figure:
    """One view of one spec, drawn by one backend; rendered lazily, each format once."""

    def __init__(self, spec: Spec, view: ViewSpec, render: dict[str, Any]) -> None:
        self.spec = spec
        self.view = view
        self.render = render  # the resolved `render:` options; backends holds one backend
        self._data: dict[tuple[str, int], bytes] = {}

    @property
    def backend(self) -> str:
        return str(self.render["backends"][0])

    def data(self, fmt: str, dpi: int | None = None) -> bytes:
        """The figure as svg, png or pdf bytes, exactly as `rnndiagrams render` writes them."""
        from .pipeline import render_figures

        if fmt not in MIME:
            raise SpecError(
                f"figure format {fmt!r}", "unknown format", f"expected one of {', '.join(MIME)}"
            )
        key = (fmt, dpi or self.render["dpi"])
        if key not in self._data:
            overrides = {"formats": (fmt,), "dpi": key[1]}
            figures = render_figures(self.spec, {**self.render, **overrides})
            # with `frames`, the view's own figure is its whole build; its steps come after
            (figure,) = [f for f in figures if f.view.name == self.view.name]
            self._data[key] = figure.data
            self._note_slide(fmt, key[1])
        return self._data[key]

    def _note_slide(self, fmt: str, dpi: int) -> None:
        """Warn, once a format, when a slide figure's text will be too small to read off the
        slide, as `rnndiagrams render` notes it."""
        from .render.slide_text import slide_note

        if self.render["target"] == "slide":
            where = f"{self.spec.stem}/{self.view.name} ({self.backend}, {fmt})"
            note = slide_note(where, self._data[fmt, dpi], fmt, dpi)
            if note:
                warnings.warn(note, stacklevel=3)

    @property
    def svg(self) -> str:
        return self.data("svg").decode("utf-8")

    def png(self, dpi: int | None = None) -> bytes:
        return self.data("png", dpi)

    def pdf(self) -> bytes:
        return self.data("pdf")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the figure atomically; the format comes from the file's suffix."""
        target = Path(path)
        fmt = target.suffix.lstrip(".").lower()
        if fmt not in MIME:
            raise SpecError(
                str(target), f"unknown file type {target.suffix!r}", "expected .svg, .png or .pdf"
            )
        atomic_write(target, self.data(fmt))
        return target

    def _repr_svg_(self) -> str | None:
        if "svg" not in self.render["formats"]:
            return None
        return scope_ids(self.svg.encode(), f"rd{next(_DISPLAYS)}").decode()

    def _repr_png_(self) -> bytes | None:
        return self.png() if "png" in self.render["formats"] else None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": repr(self)}
        for fmt in self.render["formats"]:
            bundle[MIME[fmt]] = self._repr_svg_() if fmt == "svg" else self.data(fmt)
        return bundle

    def __repr__(self) -> str:
        return f"<rnndiagrams figure {self.spec.stem}/{self.view.name} ({self.backend})>"


class Summary:
    """The layer table with output shapes and parameter counts: text, and HTML in notebooks."""

    def __init__(self, spec: Spec, convention: str | None = None) -> None:
        from .shapes import shape_model

        self.model = shape_model(spec, convention)

    @property
    def text(self) -> str:
        from .report.summary import summary_text

        return summary_text(self.model)

    def _repr_html_(self) -> str:
        from .report.summary import summary_html

        return summary_html(self.model)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def figure(
    spec: SpecSource | object,
    view: str | None = None,
    *,
    inputs: Sequence[InputSize] = (),
    backend: str | None = None,
    theme: str | None = None,
    dpi: int | None = None,
    text: str | None = None,
    formats: list[str] | None = None,
    target: str | None = None,
    **options: Any,
) -> Figure:
    """One figure of a spec (a path, YAML text, a dict or a Spec) or of a live model (a
    `keras.Model`, or an `nn.Module` run on `inputs`: shapes, or (shape, dtype) pairs).

    `view` is a view name of the spec or any view kind (default: the spec's first view);
    keyword options such as steps=4, head="hide", layer="lstm" are that view's options;
    backend, theme, dpi, text, formats and target (column, slide) override the spec's
    `render:`, as CLI flags do."""
    loaded = _load(spec, inputs, "figure")
    given = {"backends": [backend] if backend else None, "theme": theme, "dpi": dpi}
    given |= {"text": text, "formats": list(formats) if formats is not None else None}
    given |= {"target": target}
    render_given = {k: v for k, v in given.items() if v is not None}
    base = _base_view(loaded, view)
    view_options = {k: v for k, v in base.options.items() if v is not None} | options
    arguments = {"views": [{base.kind: view_options}], "render": render_given}
    (chosen,), render = views_and_render(
        _ArgumentsDoc("figure", arguments, {}, {}), arguments, loaded.layers, loaded.graph
    )
    chosen = chosen._replace(name=base.name)
    resolved = {**loaded.render, **{k: render[k] for k in render_given}}
    resolved["backends"] = resolved["backends"][:1]
    return Figure(loaded._replace(views=(chosen,)), chosen, resolved)


def summary(
    spec: SpecSource | object, convention: str | None = None, *, inputs: Sequence[InputSize] = ()
) -> Summary:
    """The summary table of a spec or a live model (as `figure` takes them), in its own
    convention unless `convention` is given."""
    loaded = _load(spec, inputs, "summary")
    if convention is not None and convention not in catalog.CONVENTIONS:
        raise SpecError(
            f"summary(convention={convention!r})",
            f"unknown convention{did_you_mean(convention, catalog.CONVENTIONS)}",
            f"expected one of {', '.join(catalog.CONVENTIONS)}",
        )
    return Summary(loaded, convention)


def _load(source: SpecSource | object, inputs: Sequence[InputSize], caller: str) -> Spec:
    """A spec from any source, or from a live model of a framework (imported as
    `rnndiagrams import` would, so the same checks apply)."""
    if isinstance(source, (str, os.PathLike, dict, Spec)):
        if inputs:
            raise SpecError(
                f"{caller}(inputs=...)",
                "inputs given with a spec",
                "expected them for a live model",
            )
        return spec_from(source)
    fw = owner(source)
    if fw is None:
        raise SpecError(
            caller,
            f"a spec given as {type(source).__name__}",
            "expected a file path, YAML text, a dict, a Spec, a keras.Model or an nn.Module",
        )
    name = type(source).__name__
    sizes = [input_size(size, f"{caller}(inputs=...)[{i}]") for i, size in enumerate(inputs)]
    text, model, _ = fw.import_object(source, sizes, name, (name, "the class's name"))
    return model.spec if model else validate(parse_doc(text, f"<{name}>"))


def input_size(size: InputSize, where: str) -> Input:
    """(13, 20) or ((13, 20), "int64"): an example input's shape and dtype (float32 unless
    given), as torchinfo's input_size and dtypes say them."""
    if len(size) == 2 and isinstance(size[1], str):
        shape, dtype = size[0], size[1]
    else:
        shape, dtype = size, "float32"
    if (
        not isinstance(shape, (tuple, list))
        or not shape
        or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape)
    ):
        raise SpecError(where, f"the shape {shape!r}", "expected positive integers, batch first")
    if dtype not in DTYPES:
        raise SpecError(where, f"the dtype {dtype!r}", f"expected one of {', '.join(DTYPES)}")
    return tuple(shape), dtype


def _base_view(spec: Spec, view: str | None) -> ViewSpec:
    """The spec's view of that name, or a new view of that kind with default options."""
    if view is None:
        return spec.views[0]
    for v in spec.views:
        if v.name == view:
            return v
    if view in catalog.VIEWS:
        return ViewSpec(kind=view, name=view, options={}, path=("views",))
    names = [v.name for v in spec.views] + list(catalog.VIEWS)
    raise SpecError(
        f"figure(view={view!r})",
        f"{spec.display_name} has no view {view!r}{did_you_mean(view, names)}",
        f"expected a view of the spec ({', '.join(v.name for v in spec.views)}) "
        f"or a view kind ({', '.join(catalog.VIEWS)})",
    )


class _ArgumentsDoc(Doc):
    """figure()'s keyword arguments, checked exactly as a spec's views: and render: are;
    an error names the argument: `figure(steps=...)`."""

    def _where(self, marks: dict[Any, Any], path: tuple[Any, ...]) -> str:
        if path[:1] == ("render",):  # ("render", "backends", 0)
            key = {"backends": "backend"}.get(path[1], path[1]) if len(path) > 1 else "render"
        else:  # ("views", 0, kind, option, ...)
            key = path[3] if len(path) > 3 else "view"
        return f"figure({key}=...)"
