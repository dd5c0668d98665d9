"""The validated spec: what the shape engine and the views read. No YAML here.

Its records are named tuples, as the scene's are (see scene.py)."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from ..errors import SpecError
from ..printable import printable
from .catalog import CONVENTIONS
from .yamldoc import Doc, Path


class Ref(NamedTuple):
    """One tensor a layer reads: the layer or model input that makes it, and which of its
    outputs (0 the main one; 1, 2... the states a layer with return_state also returns)."""

    source: str
    output: int  # `index` would hide the tuple's method
    path: Path  # where the reference stands in the spec, for errors
    # `name@t-1` inside a loop: the value from the step before (a state: the one the step
    # starts from), which orders nothing, so it closes no cycle
    previous: bool = False


class InputSpec(NamedTuple):
    """One model input: a graph's are named (`model.inputs`), a chain's one is `input`."""

    name: str
    shape: tuple[int | None, ...]  # without the batch axis
    dtype: str
    path: Path


class LayerSpec(NamedTuple):
    """One layer of a spec, validated: its class and arguments in its framework's words."""

    cls: str
    name: str
    args: dict[str, Any]  # every argument in its framework's words, defaults filled in
    path: Path  # where the layer stands in the spec, for errors
    inner: LayerSpec | None = None  # the wrapped layer of a Bidirectional
    wrapped: LayerSpec | None = None  # the layer a TimeDistributed applies at every step
    take: str | None = None  # PyTorch RNN modules: what forward() passes on (output | last)
    # the recurrent cell this layer runs (SimpleRNN | LSTM | GRU), named by its framework's
    # validation, so that nothing downstream needs that framework's vocabulary to ask
    runs: str | None = None
    # what it reads (`inputs:`); None: the layer before it, or the model's input when first
    reads: tuple[Ref, ...] | None = None
    initial_state: tuple[Ref, ...] = ()  # a recurrent layer's starting states (`initial_state:`)
    loop: str | None = None  # the loop whose body it is in (run once per step)
    calls: str | None = None  # a second call of a module: the module it calls again

    @property
    def cell(self) -> str | None:
        """The recurrent cell this layer runs (through a Bidirectional wrapper too)."""
        return self.inner.cell if self.inner is not None else self.runs


class ViewSpec(NamedTuple):
    """One view a spec asks for, validated: its kind, file name and options."""

    kind: str  # stack | folded | unrolled | equivalence
    name: str  # file stem in output/<spec>/
    options: dict[str, Any]  # every option, defaults filled in
    path: Path


class Spec(NamedTuple):
    """A validated spec: the model, its views and how they are rendered."""

    doc: Doc
    title: str | None
    subtitle: str | None  # a line under the title (an import says where the title came from)
    input_shape: tuple[int | None, ...]
    input_dtype: str
    layers: tuple[LayerSpec, ...]
    notation: str
    convention: str
    views: tuple[ViewSpec, ...]
    render: dict[str, Any]
    framework: str = "keras"  # keras | pytorch: the layers' vocabulary and tensor layout
    # the parameter counts this spec has, its framework's (a PyTorch module has no Keras count)
    conventions: tuple[str, ...] = CONVENTIONS
    inputs: tuple[InputSpec, ...] = ()  # every model input, the first as input_shape/dtype
    # a graph (a Keras Functional model): named inputs, or a layer that says what it reads;
    # then every layer's `reads` is filled in. A chain's layers each read the one before.
    graph: bool = False
    # a graph's outputs (`model.outputs`); empty: the last layer's output
    outputs: tuple[Ref, ...] = ()

    @property
    def source(self) -> str:
        return self.doc.name

    @property
    def stem(self) -> str:
        """The file name without folder or extension: names the spec's output folder.
        A spec from memory (`<string>`, `<dict>`) has no file name: it is "model"."""
        if self.doc.name.startswith("<"):
            return "model"
        return os.path.splitext(os.path.basename(self.doc.name))[0]

    @property
    def display_name(self) -> str:
        """The title, else the stem: never a path, so figures do not depend on the cwd.
        (A title is checked printable when loaded; a file name may hold anything.)"""
        return self.title or printable(self.stem)

    def error(self, path: Path, problem: str, expected: str | None = None) -> SpecError:
        return self.doc.error(path, problem, expected)
