"""rnndiagrams: figures of recurrent networks from a YAML spec, every shape computed and verified.

import rnndiagrams
spec = rnndiagrams.load("specs/seed_sentiment.yaml")
model = rnndiagrams.shape_model(spec)          # shapes, weights, params (spec's convention)
rnndiagrams.verify(model)                     # numpy forward pass confirms every shape
rnndiagrams.figure(spec, view="unrolled")     # displays in Jupyter; .svg, .png(), .save()
rnndiagrams.summary(spec)                     # the layer table, as text or HTML
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Figure, Summary, figure, summary
    from .errors import SpecError
    from .shapes import ShapedModel, shape_model
    from .specification.model import Spec
    from .specification.validate import load


def verify(model: ShapedModel, seed: int = 0) -> str | None:
    """Run the model in numpy with weights of the computed shapes (imports numpy on first use).

    A model too big to run within a budget (256 MB of arrays, 20,000 steps) runs as a reduced
    copy with the same layers and shape rules; the returned line says so (None: ran as is)."""
    from .shapes.budget import verify_within_budget

    return verify_within_budget(model, seed)


# name -> the module that defines it. Each loads on first use, so `import rnndiagrams` (and
# with it every command, which lives in rnndiagrams.cli) imports only what it needs: `schema`
# needs no shape engine, and a render from the parsed-spec cache no YAML parser.
_LAZY = {
    "SpecError": ".errors",
    "ShapedModel": ".shapes",
    "shape_model": ".shapes",
    "Spec": ".specification.model",
    "load": ".specification.validate",
    "figure": ".api",
    "summary": ".api",
    "Figure": ".api",
    "Summary": ".api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Spec",
    "SpecError",
    "ShapedModel",
    "load",
    "shape_model",
    "verify",
    "figure",
    "summary",
    "Figure",
    "Summary",
]
__version__ = "0.1.0"
