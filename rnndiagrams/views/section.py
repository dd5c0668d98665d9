"""Which layers a recurrent view draws: the recurrent layers, the per-step layers above
them, and the layers fed by the last state only (many-to-one)."""

from __future__ import annotations

from dataclasses import dataclass

from ..shapes import ShapedLayer, ShapedModel
from ..spec.model import ViewSpec


@dataclass(frozen=True)
class Section:
    embedding: ShapedLayer | None  # turns token ids into x_t, drawn below the x row
    rows: tuple[ShapedLayer, ...]  # layers drawn once per time step, in data order
    tail: tuple[ShapedLayer, ...]  # layers after a many-to-one layer, drawn once

    @property
    def recurrent(self) -> tuple[ShapedLayer, ...]:
        return tuple(layer for layer in self.rows if layer.cell)


def first_recurrent(model: ShapedModel, view: ViewSpec) -> int:
    """Index of the view's `layer:` (validated to be recurrent), else of the first recurrent layer."""
    name = view.options.get("layer")
    for i, layer in enumerate(model.layers):
        if layer.cell and (name is None or layer.name == name):
            return i
    raise model.spec.error(
        view.path,
        f"the {view.kind} view needs a recurrent layer, and this model has none",
        "expected RNN, LSTM or GRU in model.layers"
        if model.spec.framework == "pytorch"
        else "expected SimpleRNN, LSTM, GRU or Bidirectional in model.layers",
    )


def figure_name(model: ShapedModel, view: ViewSpec, detail: str = "") -> str:
    """`<spec title>: <view>[ <detail>]`, the title every view's figure carries."""
    return f"{model.spec.display_name}: {view.kind}" + (f" {detail}" if detail else "")


def select(model: ShapedModel, view: ViewSpec) -> Section:
    spec = model.spec
    layers = model.layers
    name = view.options.get("layer")
    start = first_recurrent(model, view)
    embedding = layers[start - 1] if start and layers[start - 1].cls == "Embedding" else None
    rows: list[ShapedLayer] = []
    tail: list[ShapedLayer] = []
    sequence = True
    for layer in layers[start:]:
        if layer.cell:
            if rows and name is not None:
                break  # one named layer, plus what sits on top of it
            rows.append(layer)
            sequence = layer.per_step
        elif layer.cls == "Dense":
            (rows if sequence else tail).append(layer)
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
    if mode == "hide":
        rows, tail = rows[: last + 1], []
    return Section(embedding, tuple(rows), tuple(tail))
