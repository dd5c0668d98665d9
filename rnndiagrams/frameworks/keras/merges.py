"""Keras's shape and weight rules for the layers that read several tensors: the merges
(Concatenate, Add, Average, Multiply, Dot) and attention (Attention, AdditiveAttention).

Each follows `build` and `compute_output_shape` of Keras 3, including which unknown (None)
dimensions it accepts: Add broadcasts None, Dot refuses None against a size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ...shapes.shaped import Shape, format_shape
from ...shapes.weights import Weight
from ...specification.model import LayerSpec

Fail = Callable[[str, str], Exception]  # (problem, expected) -> a located SpecError


def shape_merge(
    layer: LayerSpec, shapes: tuple[Shape, ...], fail: Fail
) -> tuple[Shape, tuple[Weight, ...]]:
    """Output shape and weights of a merge or attention layer reading `shapes`."""
    cls = layer.cls
    counts = {"Dot": (2, 2), "Attention": (2, 3), "AdditiveAttention": (2, 3)}
    counts["MultiHeadAttention"] = (2, 3)
    low, high = counts.get(cls, (1, 64))
    if not low <= len(shapes) <= high:
        wanted = {"Dot": "two tensors", "Attention": "[query, value] or [query, value, key]"}
        raise fail(
            f"reads {len(shapes)} tensor{'s' if len(shapes) != 1 else ''}",
            f"expected inputs: {wanted.get(cls, wanted['Attention'])}",
        )
    shown = ", ".join(map(format_shape, shapes))
    if cls == "Concatenate":
        return _concatenate(layer.args["axis"], shapes, shown, fail), ()
    if cls == "Dot":
        return _dot(layer.args["axes"], shapes, shown, fail), ()
    if cls in ("Attention", "AdditiveAttention", "MultiHeadAttention"):
        return _attention(layer, shapes, shown, fail)
    out: Shape | None = shapes[0][1:]
    for shape in shapes[1:]:
        out = _broadcast(out, shape[1:], shown, fail)
    return (None,) + tuple(out or ()), ()


def _concatenate(axis: int, shapes: tuple[Shape, ...], shown: str, fail: Fail) -> Shape:
    ranks = {len(s) for s in shapes}
    rank = len(shapes[0])
    if len(ranks) != 1 or not -rank <= axis < rank:
        raise fail(
            f"joins tensors of different ranks or lacks axis {axis}: {shown}",
            "expected tensors of one rank, with the concatenation axis",
        )
    at = axis % rank
    for dim in range(rank):
        sizes = {s[dim] for s in shapes if s[dim] is not None}
        if dim != at and len(sizes) > 1:
            raise fail(
                f"needs equal shapes except on axis {axis}, but reads {shown}",
                "expected the same sizes on every other axis",
            )
    out = list(shapes[0])
    parts = [s[at] for s in shapes]
    out[at] = None if None in parts else sum(p for p in parts if p is not None)
    return tuple(out)


def _broadcast(left: Shape | None, right: Shape, shown: str, fail: Fail) -> Shape | None:
    """Keras's `_compute_elemwise_op_output_shape`: right-aligned, 1 stretches, None wins."""
    if left is None:
        return None
    if len(left) < len(right):
        left, right = right, left
    if not right:
        return left
    out = list(left[: len(left) - len(right)])
    for i, j in zip(left[len(left) - len(right) :], right, strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1:
            out.append(j if i == 1 else i)
        elif i != j:
            raise fail(
                f"needs shapes that broadcast, but reads {shown}",
                "expected equal sizes (or 1) on every axis but the batch",
            )
        else:
            out.append(i)
    return tuple(out)


def _dot(axes: int | tuple[int, int], shapes: tuple[Shape, ...], shown: str, fail: Fail) -> Shape:
    first, second = list(shapes[0]), list(shapes[1])
    pair = (axes, axes) if isinstance(axes, int) else axes
    if isinstance(axes, int) and axes < 0:
        pair = (axes % len(first), axes % len(second))
    if not all(0 < a < len(s) for a, s in zip(pair, (first, second), strict=True)):
        raise fail(
            f"has axes {axes}, outside the tensors it reads: {shown}",
            "expected axes between 1 and the last axis (0 is the batch)",
        )
    if first[pair[0]] != second[pair[1]]:
        raise fail(
            f"multiplies axis {pair[0]} of size {first[pair[0]]} with axis {pair[1]} of size "
            f"{second[pair[1]]}: {shown}",
            "expected equal sizes on the two axes (Keras also refuses None against a size)",
        )
    first.pop(pair[0])
    second.pop(pair[1])
    out = first + second[1:]
    return tuple(out + [1] if len(out) == 1 else out)


def _attention(
    layer: LayerSpec, shapes: tuple[Shape, ...], shown: str, fail: Fail
) -> tuple[Shape, tuple[Weight, ...]]:
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) == 3 else value
    if {len(query), len(value), len(key)} != {3}:
        raise fail(
            f"needs sequences (batch, steps, features), but reads {shown}",
            "expected recurrent layers with return_sequences: true as query and value",
        )
    if layer.cls == "MultiHeadAttention":
        if key[:-1] != value[:-1]:  # Keras compares them as they are: None differs from 6
            raise fail(
                f"needs key and value equal but for their features: {shown}",
                "expected the same number of steps in both, known or null in both",
            )
        return _multi_head(layer.args, query, value, key)
    if None not in (query[-1], key[-1]) and query[-1] != key[-1]:
        raise fail(
            f"scores query features {query[-1]} against key features {key[-1]}: {shown}",
            "expected query and key with the same number of features",
        )
    if None not in (key[1], value[1]) and key[1] != value[1]:
        raise fail(
            f"has {key[1]} key steps but {value[1]} value steps: {shown}",
            "expected key and value with the same number of steps",
        )
    weights: list[Weight] = []
    a = layer.args
    if layer.cls == "AdditiveAttention" and a["use_scale"]:
        weights.append(Weight("scale", "scale", (cast(int, query[-1]),)))  # features: known
    if layer.cls == "Attention" and a["use_scale"]:
        weights.append(Weight("scale", "scale", ()))
    if layer.cls == "Attention" and a["score_mode"] == "concat":
        weights.append(Weight("concat_score_weight", "scale", ()))
    return query[:-1] + value[-1:], tuple(weights)


def _multi_head(
    a: dict[str, Any], query: Shape, value: Shape, key: Shape
) -> tuple[Shape, tuple[Weight, ...]]:
    """Each head projects query and key to key_dim and value to value_dim; the heads'
    results are projected back to output_shape (the query's features unless given)."""
    heads, key_dim = a["num_heads"], a["key_dim"]
    value_dim = a["value_dim"] or key_dim
    out = a["output_shape"] or cast(int, query[-1])  # features: known
    sizes = {
        "query": (cast(int, query[-1]), key_dim),
        "key": (cast(int, key[-1]), key_dim),
        "value": (cast(int, value[-1]), value_dim),
    }
    weights = []
    for part, (features, size) in sizes.items():
        weights.append(Weight(part, "projection", (features, heads, size)))
        if a["use_bias"]:
            weights.append(Weight(f"{part}_bias", "bias", (heads, size)))
    weights.append(Weight("attention_output", "projection", (heads, value_dim, out)))
    if a["use_bias"]:
        weights.append(Weight("attention_output_bias", "bias", (out,)))
    return query[:-1] + (out,), tuple(weights)
