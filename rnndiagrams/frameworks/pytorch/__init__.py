"""The PyTorch dialect as a `Framework`: its vocabulary, shape rules, numpy run, texts, code
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

CONVENTIONS = ("pytorch",)  # a PyTorch module has no Keras count
NOTATION = "pytorch"
CLASSES = "torch.nn modules"


def knows(cls: str) -> bool:
    from .catalog import MODULES

    return cls in MODULES


def layers(doc: Doc, value: Any) -> tuple[LayerSpec, ...]:
    from .validate import torch_layers

    return torch_layers(doc, value)


def schema_defs(arg: Callable[[Arg], dict[str, Any]]) -> tuple[dict[str, Any], Any]:
    from .schema import torch_defs

    return torch_defs(arg)


def shape_model(spec: Spec, convention: str | None) -> ShapedModel:
    from .shapes import shape_torch

    return shape_torch(spec, convention)


def run_numpy(model: ShapedModel, seed: int) -> None:
    if model.spec.graph:
        from .run_graph import verify_torch_graph

        verify_torch_graph(model, seed)
        return
    from .run import verify_torch

    verify_torch(model, seed)


def weight_path(layer: ShapedLayer, weight: Weight) -> str | None:
    return None  # parameters are named by `named_parameters()` (the weight's own name)


def summary_text(model: ShapedModel) -> str:
    from .summary import torchinfo_text

    return torchinfo_text(model)


def summary_facts(model: ShapedModel) -> dict[str, Any]:
    """named_parameters() as PyTorch lists them, and, when every loop's length is known,
    the modules in the order forward() calls them."""
    from .modules import call_order, loop_steps, named_buffers, named_parameters

    facts: dict[str, Any] = {
        "named_parameters": [[name, list(shape)] for name, shape in named_parameters(model)]
    }
    buffers = named_buffers(model)
    if buffers:  # non-trainable state, not parameters: listed apart, not counted
        facts["named_buffers"] = [[name, list(shape)] for name, shape in buffers]
    steps = loop_steps(model)
    known = {name: n for name, n in steps.items() if n is not None}
    if len(known) == len(steps):
        facts["call_order"] = call_order(model, known)
    return facts


def explain_text(spec: Spec) -> str:
    from .explain import torch_explain_text

    return torch_explain_text(shape_model(spec, None))


def code_text(model: ShapedModel) -> str:
    if model.spec.graph or any(m.spec.calls or "." in m.name for m in model.layers):
        from .code_graph import torch_graph_code

        return torch_graph_code(model)
    from .code import torch_code

    return torch_code(model)


def sniff(path: str, head: bytes | None) -> bool:
    """The text of `print(model)`: any readable file no other framework claimed first."""
    return head is not None


MAX_PRINT_BYTES = 1_000_000  # print(model) of a large model is kilobytes


def import_file(path: str, steps: int | None) -> Imported:
    from ...inputs import read_text
    from .importer import import_print

    source = read_text(path, MAX_PRINT_BYTES, "expected the text of print(model)")
    text, notice = import_print(source, path, steps)
    return Imported(text, notice=notice)


def owns(obj: object) -> bool:
    return from_module(obj, "torch") and hasattr(obj, "named_modules")


def import_object(
    obj: object, inputs: Sequence[Input], source: str, stem: tuple[str, str]
) -> Imported:
    """A live nn.Module, run on example inputs; titled by its class (a module has no name)."""
    from .live import import_module

    return Imported(*import_module(obj, inputs, source))  # type: ignore[arg-type]
