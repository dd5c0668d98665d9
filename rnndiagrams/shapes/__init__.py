"""The shape engine: shapes, weights and parameter counts of a Spec; pure Python (numpy only in verify)."""

from __future__ import annotations

from ..frameworks import framework
from ..specification.model import Spec
from .shaped import ShapedLayer, ShapedModel
from .weights import Weight


def shape_model(spec: Spec, convention: str | None = None) -> ShapedModel:
    """Shapes, weights and counts by the rules of the spec's framework, in its convention
    unless one is given; a layer the framework would refuse raises a located SpecError."""
    return framework(spec.framework).shape_model(spec, convention)


__all__ = ["ShapedLayer", "ShapedModel", "Weight", "shape_model"]
