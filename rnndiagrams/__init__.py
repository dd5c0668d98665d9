"""rnndiagrams: figures of recurrent networks from a YAML spec, every shape computed and verified.

import rnndiagrams
spec = rnndiagrams.load("specs/seed_sentiment.yaml")
model = rnndiagrams.shape_model(spec)          # shapes, weights, params (spec's convention)
rnndiagrams.verify(model)                     # numpy forward pass confirms every shape
rnndiagrams.figure(spec, view="unrolled")     # displays in Jupyter; .svg, .png(), .save()
rnndiagrams.summary(spec)                     # the layer table, as text or HTML
"""

from typing import Any

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


def __getattr__(name: str) -> Any:
    """The notebook API loads on first use, so `import rnndiagrams` stays light."""
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_API = ("figure", "summary", "Figure", "Summary")
__all__ = ["Spec", "SpecError", "ShapedModel", "load", "shape_model", "verify", *_API]
__version__ = "0.1.0"
