"""The Keras dialect as a `Framework`: its vocabulary, shape rules, numpy run, texts, code
export and importer, each module loaded by the function that needs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import Imported, Input, from_module

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...shapes.shaped import ShapedLayer, ShapedModel
    from ...shapes.weights import Weight
    from ...specification.catalog import Arg
    from ...specification.model import LayerSpec, Spec
    from ...specification.yamldoc import Doc

CONVENTIONS = ("keras", "pytorch")  # a Keras model's count, and PyTorch's for the same layers
NOTATION = "seed"
CLASSES = "Keras layers"


def knows(cls: str) -> bool:
    from .catalog import LAYERS

    return cls in LAYERS


def layers(doc: Doc, value: Any) -> tuple[LayerSpec, ...]:
    from .validate import keras_layers

    return keras_layers(doc, value)


def schema_defs(arg: Callable[[Arg], dict[str, Any]]) -> tuple[dict[str, Any], Any]:
    from .schema import keras_defs

    return keras_defs(arg)


def shape_model(spec: Spec, convention: str | None) -> ShapedModel:
    from .shapes import shape_keras

    return shape_keras(spec, convention)


def run_numpy(model: ShapedModel, seed: int) -> None:
    if model.spec.graph:
        from .run_graph import verify_graph

        verify_graph(model, seed)
        return
    from .run import verify_keras

    verify_keras(model, seed)


def weight_path(layer: ShapedLayer, weight: Weight) -> str | None:
    from .shapes import weight_path

    return weight_path(layer, weight)


def summary_text(model: ShapedModel) -> str:
    from ...report.summary import table_text

    return table_text(model)


def summary_facts(model: ShapedModel) -> dict[str, Any]:
    return {}  # the layers say it all


def explain_text(spec: Spec) -> str:
    from .explain import explain_text

    return explain_text({c: shape_model(spec, c) for c in CONVENTIONS})


def code_text(model: ShapedModel) -> str:
    from .code import keras_code

    return keras_code(model.spec)


def sniff(path: str, head: bytes | None) -> bool:
    """A .keras zip or to_json() JSON, by name or first bytes; an unreadable file too (the
    Keras reader reports its problem)."""
    if path.lower().endswith((".keras", ".json", ".zip")):
        return True
    return head is None or head.startswith((b"PK", b"{"))


def import_file(path: str, steps: int | None) -> Imported:
    from .importer import import_keras

    return Imported(*import_keras(path))  # nothing is written unless the spec loads


def owns(obj: object) -> bool:
    return from_module(obj, "keras", "tf_keras") and hasattr(obj, "to_json")


def import_object(
    obj: object, inputs: Sequence[Input], source: str, stem: tuple[str, str]
) -> Imported:
    from ...errors import SpecError
    from .importer import import_live

    if inputs:
        raise SpecError(
            source,
            f"{len(inputs)} input shapes given for a Keras model",
            "expected none: a built keras.Model records its inputs",
        )
    return Imported(*import_live(obj, source, stem))
