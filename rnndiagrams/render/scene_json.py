"""The `scene` backend: the Scene itself as JSON, for debugging a view and for anyone who
wants to paint it their own way. Deterministic: the same scene gives the same bytes."""

from __future__ import annotations

import json
from typing import Any

from ..scene import Scene

VERSION = 1  # raised when a field changes meaning


def draw_scenes(scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
    """One JSON document per scene: its fields as its records hold them, tuples as lists."""
    return [
        (
            json.dumps(
                {"format": "rnndiagrams scene", "version": VERSION, **_fields(scene)},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        ).encode("utf-8")
        for scene in scenes
    ]


def _fields(record: Any) -> dict[str, Any]:
    """A record's fields by name, the records among them (a node, its runs) as mappings too."""
    return {name: _plain(value) for name, value in record._asdict().items()}


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return _fields(value)
    return [_plain(v) for v in value] if isinstance(value, tuple) else value
