"""rnndiagrams: figures of recurrent networks from a YAML spec, every shape computed and verified.

import rnndiagrams
spec = rnndiagrams.load("specs/seed_sentiment.yaml")
model = rnndiagrams.shape_model(spec)          # shapes, weights, params (spec's convention)
rnndiagrams.verify(model)                     # numpy forward pass confirms every shape
"""

from .errors import SpecError
from .shapes import ShapedModel, shape_model
from .spec.model import Spec
from .spec.validate import load


def verify(model: ShapedModel, seed: int = 0) -> str | None:
    """Run the model in numpy with weights of the computed shapes (imports numpy on first use).

    A model too big to run within a budget (256 MB of arrays, 20,000 steps) runs as a reduced
    copy with the same layers and shape rules; the returned line says so (None: ran as is)."""
    from .shapes.budget import verify_within_budget

    return verify_within_budget(model, seed)


__all__ = ["Spec", "SpecError", "ShapedModel", "load", "shape_model", "verify"]
__version__ = "0.1.0"
