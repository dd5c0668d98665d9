"""Frameworks as plug-ins. Each is a folder (`keras/`, `pytorch/`) whose `__init__` answers
`Framework`: its vocabulary, shape rules, numpy run, texts, code export and importer.

The core asks `framework(name)` and never names one; a framework's folder loads on first
use, and its heavier parts (numpy, the importers) only inside the function that needs them.
A third framework is a folder and one more name in `NAMES`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..shapes.shaped import ShapedLayer, ShapedModel
    from ..shapes.weights import Weight
    from ..specification.catalog import Arg
    from ..specification.model import LayerSpec, Spec
    from ..specification.yamldoc import Doc

Input = tuple[tuple[int, ...], str]  # an example input a live model is run on: shape, dtype

NAMES = ("keras", "pytorch")  # the first is a spec's default; importers are asked in this order


class Imported(NamedTuple):
    """A model file read into a spec: its YAML text, the model when the reader already
    shaped it, and a line for the user about what was assumed (None: nothing)."""

    text: str
    model: ShapedModel | None = None
    notice: str | None = None


class Framework(Protocol):
    CONVENTIONS: tuple[str, ...]  # the parameter counts its specs have, the default first
    NOTATION: str  # a spec's notation when it names none
    CLASSES: str  # how a message names its layer classes: "Keras layers", "torch.nn modules"

    def knows(self, cls: str) -> bool:
        """Whether `cls` is one of its layer classes."""

    def layers(self, doc: Doc, value: Any) -> tuple[LayerSpec, ...]:
        """`model.layers` checked in its vocabulary, defaults filled in."""

    def schema_defs(self, arg: Callable[[Arg], dict[str, Any]]) -> tuple[dict[str, Any], Any]:
        """JSON Schema: its $defs, and what one item of `model.layers` is."""

    def shape_model(self, spec: Spec, convention: str | None) -> ShapedModel:
        """Shapes, weights and counts by its rules; located SpecErrors where it would refuse."""

    def run_numpy(self, model: ShapedModel, seed: int) -> None:
        """Its equations in numpy with weights of the computed shapes; raises on a mismatch."""

    def weight_path(self, layer: ShapedLayer, weight: Weight) -> str | None:
        """The weight's full variable path in a saved model, when it has one."""

    def summary_text(self, model: ShapedModel) -> str:
        """Its own model summary (Keras's table, torchinfo's)."""

    def summary_facts(self, model: ShapedModel) -> dict[str, Any]:
        """What its own summary lists beyond the layers, for `summary --format json`."""

    def explain_text(self, spec: Spec) -> str:
        """Every shape and count, derived step by step."""

    def code_text(self, model: ShapedModel) -> str:
        """Python code that builds the model in this framework."""

    def sniff(self, path: str, head: bytes | None) -> bool:
        """Whether a model file (its name, its first bytes; None: unreadable) is its kind."""

    def import_file(self, path: str, steps: int | None) -> Imported:
        """A model file read into a spec."""

    def owns(self, obj: object) -> bool:
        """Whether `obj` is a live model of this framework (asked of its class, so the
        framework itself is not imported to answer)."""

    def import_object(
        self, obj: object, inputs: Sequence[Input], source: str, stem: tuple[str, str]
    ) -> Imported:
        """A live model read into a spec: `inputs`, (shape, dtype) each, when the model does
        not record them; `source` names it in errors; `stem`, a name and what it is (`the
        file's name`), titles it when the model has no name of its own."""


def framework(name: str) -> Framework:
    """The framework called `name` (one of NAMES), loaded on first use."""
    if name not in NAMES:
        raise KeyError(name)
    return cast(Framework, import_module(f"{__name__}.{name}"))


def elsewhere(cls: str, name: str) -> str:
    """` (torch.nn modules need `framework: pytorch`)`: a hint for a class that framework
    `name` does not know but another does; empty when none does."""
    for other in NAMES:
        if other != name and framework(other).knows(cls):
            return f" ({framework(other).CLASSES} need `framework: {other}`)"
    return ""


def claim(path: str) -> Framework:
    """The framework whose importer reads this model file: the first whose `sniff` claims it."""
    from ..errors import SpecError
    from ..inputs import open_regular

    try:
        with open_regular(path, "") as f:  # a FIFO or a device must not block or stream
            head: bytes | None = f.read(64).lstrip()
    except SpecError:
        head = None  # the claiming reader reports the file's problem
    return next(fw for fw in map(framework, NAMES) if fw.sniff(path, head))


def owner(obj: object) -> Framework | None:
    """The framework whose live model `obj` is (None: no framework's)."""
    return next((fw for fw in map(framework, NAMES) if fw.owns(obj)), None)


def from_module(obj: object, *frameworks: str) -> bool:
    """Whether `obj`'s class or a base class comes from one of these top-level packages."""
    return any(c.__module__.split(".")[0] in frameworks for c in type(obj).__mro__)
