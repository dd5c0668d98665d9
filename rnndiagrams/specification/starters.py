"""`rnndiagrams new`: a commented starter spec, so nobody starts from a blank file.

Starters live in rnndiagrams/data/starters/; the schema line is written relative to the new
file, so editors with the YAML language server validate and complete it at once."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..errors import SpecError

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "spec.schema.json"


def starter_names() -> tuple[str, ...]:
    folder = resources.files("rnndiagrams") / "data" / "starters"
    return tuple(
        sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))
    )


def starter_text(name: str, target: Path) -> str:
    """The starter `name` as it reads when written to `target`."""
    body = (resources.files("rnndiagrams") / "data" / "starters" / f"{name}.yaml").read_text(
        encoding="utf-8"
    )
    schema = Path(os.path.relpath(SCHEMA, target.resolve().parent)).as_posix()
    return f"# yaml-language-server: $schema={schema}\n{body}"


def spec_target(name: str) -> Path:
    """NAME -> NAME.yaml (a name that already ends in .yaml or .yml is kept)."""
    path = Path(name)
    return path if path.suffix in (".yaml", ".yml") else path.with_name(path.name + ".yaml")


def write_starter(name: str, starter: str) -> Path:
    """Write a new spec; an existing file is never overwritten."""
    target = spec_target(name)
    text = starter_text(starter, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise SpecError(
            f"{target}:1:1", "the file already exists", "expected a new name (nothing was written)"
        ) from None
    return target
