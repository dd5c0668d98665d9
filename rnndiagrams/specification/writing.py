"""Specs written by the importers, as people write them: a comment saying where the spec
came from, the top-level keys, then `model:` with one input and one layer per line."""

from __future__ import annotations

from typing import Any

from ..quoting import comment, yaml_dump


def spec_text(note: str, head: dict[str, Any], model: dict[str, Any], layers: list[str]) -> str:
    """`note` as a comment, the keys of `head` (title, subtitle, framework), the model's
    `input` or `inputs`, the `layers` lines as given, and its `outputs` when it has them."""
    lines = [comment(note), *(yaml_dump({key: value}) for key, value in head.items()), "model:"]
    if "inputs" in model:
        lines.append("  inputs:")
        lines += [f"    {yaml_dump({k: v}, flow=True)[1:-1]}" for k, v in model["inputs"].items()]
    else:
        lines.append(f"  input: {yaml_dump(model['input'], flow=True)}")
    lines += ["  layers:", *layers]
    if "outputs" in model:
        lines.append(f"  outputs: {yaml_dump(model['outputs'], flow=True)}")
    return "\n".join(lines) + "\n"
