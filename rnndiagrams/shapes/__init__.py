"""The shape engine: shapes, weights and parameter counts of a Spec; pure Python (numpy only in verify)."""

from ..frameworks.keras.shapes import shape_model
from .shaped import ShapedLayer, ShapedModel
from .weights import Weight

__all__ = ["ShapedLayer", "ShapedModel", "Weight", "shape_model"]
