"""The `scene` backend: the Scene itself as JSON, for debugging a view and for anyone who
wants to paint it their own way. Deterministic: the same scene gives the same bytes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..scene import Scene

VERSION = 1  # raised when a field changes meaning


def draw_scenes(scenes: list[Scene], fmt: str, options: dict[str, Any]) -> list[bytes]:
    """One JSON document per scene: its fields as the dataclasses hold them, tuples as lists."""
    return [
        (
            json.dumps(
                {"format": "rnndiagrams scene", "version": VERSION, **dataclasses.asdict(scene)},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        ).encode("utf-8")
        for scene in scenes
    ]
