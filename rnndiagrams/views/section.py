"""Which layers a recurrent view draws: the recurrent layers, the per-step layers above
them, and the layers fed by the last state only (many-to-one)."""

from __future__ import annotations

from collections.abc import Sequence

from ..scene import Line, words
from ..shapes import ShapedLayer, ShapedModel
from ..specification.model import ViewSpec

# Roles of layers that act on each step alone: drawn once per step while the data is a sequence.
PER_STEP = ("head", "step-head", "step", "step-only")
# Roles of layers drawn once, after the sequence has become one vector per sample.
ONCE = ("head", "step")


class Section:
    """The layers a recurrent view draws, by where it draws them. A plain class (no
    dataclass: see scene.py), never changed once made."""

    def __init__(
        self,
        embedding: ShapedLayer | None,  # turns token ids into x_t, drawn below the x row
        rows: tuple[ShapedLayer, ...],  # layers drawn once per time step, in data order
        tail: tuple[ShapedLayer, ...],  # layers after a many-to-one layer, drawn once
        # before the first recurrent layer: layers that change T (drawn once each, as windows
        # over steps, with the Embedding when they follow it), then per-step layers
        windows: tuple[ShapedLayer, ...] = (),
        front: tuple[ShapedLayer, ...] = (),
        pooling: ShapedLayer | None = None,  # reads every step's output: many-to-one by pooling
        head_hidden: bool = False,  # `head: hide` left Dense layers out
    ) -> None:
        self.embedding, self.rows, self.tail = embedding, rows, tail
        self.windows, self.front, self.pooling = windows, front, pooling
        self.head_hidden = head_hidden
        # asked once per drawn node: found once, as deep stacks would make it quadratic
        self.recurrent = tuple(layer for layer in rows if layer.cell)


def first_recurrent(model: ShapedModel, view: ViewSpec) -> int:
    """Index of the view's `layer:` (validated to be recurrent), else of the first recurrent layer."""
    name = view.options.get("layer")
    for i, layer in enumerate(model.layers):
        if layer.cell and (name is None or layer.name == name):
            return i
    raise model.spec.error(
        view.path,
        f"the {view.kind} view needs a recurrent layer, and this model has none",
        f"expected {model.recurrent_classes} in model.layers",
    )


def figure_name(model: ShapedModel, what: str, head_hidden: bool = False) -> str:
    """`<spec title>: <what this figure shows>`, the title every view's figure carries; a
    figure that leaves the output head out says so, since the spec's title may name it."""
    return f"{model.spec.display_name}: {what}" + (", output head not drawn" if head_hidden else "")


def header(model: ShapedModel, short: Sequence[Line], full: Sequence[Line]) -> tuple[Line, ...]:
    """The lines under the title, as `render: {legend: short|full|none}` asks: short is at
    most two lines (the weights already sit on the edges), full lists every weight; the
    spec's subtitle, when it has one, first."""
    mode = model.spec.render.get("legend", "short")
    lines = {"short": tuple(short)[:2], "full": tuple(full), "none": ()}[mode]
    subtitle = model.spec.subtitle
    return ((words(subtitle, small=True),), *lines) if subtitle else lines


def select(model: ShapedModel, view: ViewSpec) -> Section:
    return section_at(model, view, first_recurrent(model, view))


def section_at(model: ShapedModel, view: ViewSpec, start: int) -> Section:
    """The section whose first recurrent layer is model.layers[start]."""
    spec = model.spec
    layers = model.layers
    name = view.options.get("layer")
    begin = start  # the front: sequence layers right before the first recurrent one
    while begin and layers[begin - 1].role in (*PER_STEP, "window") and layers[begin - 1].per_step:
        begin -= 1
    cut = max((i + 1 for i in range(begin, start) if layers[i].role == "window"), default=begin)
    windows, front = list(layers[begin:cut]), layers[cut:start]
    embedding = layers[begin - 1] if begin and layers[begin - 1].role == "embedding" else None
    if windows and embedding is not None:  # its steps are not the recurrent layer's steps
        windows.insert(0, embedding)
        embedding = None
    rows: list[ShapedLayer] = []
    tail: list[ShapedLayer] = []
    pooling = None
    sequence = True
    for layer in layers[start:]:
        if layer.cell:
            if rows and name is not None or not sequence:
                break  # one named layer, plus what sits on top of it
            rows.append(layer)
            sequence = layer.per_step
        elif sequence and layer.role in PER_STEP:
            rows.append(layer)
        elif sequence and layer.role == "pooling":
            pooling, sequence = layer, False
        elif not sequence and layer.role in ONCE:
            tail.append(layer)
        else:
            break
    last = max(i for i, layer in enumerate(rows) if layer.cell)
    head = rows[last + 1 :] + tail
    mode = view.options.get("head", "auto")
    if mode == "show" and not head:
        raise spec.error(
            view.path + ("head",),
            f"head: show, but no Dense layer follows {rows[last].name!r}",
            "expected a Dense after the recurrent layer, or head: auto",
        )
    hidden = mode == "hide" and bool(head or pooling)
    if mode == "hide":
        rows, tail, pooling = rows[: last + 1], [], None
    return Section(
        embedding, tuple(rows), tuple(tail), tuple(windows), tuple(front), pooling, hidden
    )
