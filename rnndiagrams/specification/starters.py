"""`rnndiagrams new`: a commented starter spec, so nobody starts from a blank file.

Starters live in rnndiagrams/data/starters/. The schema travels with the spec: `new` writes
the package's JSON Schema as `rnndiagrams.schema.json` beside the new file (updating one that
an older version wrote) and the first line points to it relatively, so editors with the YAML
language server validate and complete the spec at once, with no network, wherever the folder
is moved, shared or committed, and whichever way the package is installed."""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "spec.schema.json"
STARTERS = SCHEMA.parent / "starters"
SCHEMA_NAME = "rnndiagrams.schema.json"  # the copy beside a spec that `new` writes
SCHEMA_LINE = f"# yaml-language-server: $schema=./{SCHEMA_NAME}\n"


def starter_names() -> tuple[str, ...]:
    return tuple(sorted(p.name[: -len(".yaml")] for p in STARTERS.glob("*.yaml")))


def starter_text(name: str) -> str:
    """The starter `name` as `new` writes it."""
    body = (STARTERS / f"{name}.yaml").read_text(encoding="utf-8")
    return SCHEMA_LINE + body


def spec_target(name: str) -> Path:
    """NAME -> NAME.yaml (a name that already ends in .yaml or .yml is kept)."""
    path = Path(name)
    return path if path.suffix in (".yaml", ".yml") else path.with_name(path.name + ".yaml")


def write_starter(name: str, starter: str) -> tuple[Path, Path, bool]:
    """Write a new spec and the schema beside it: (spec, schema, whether the schema changed).
    An existing spec is never overwritten."""
    from ..render.files import atomic_write

    target = spec_target(name)
    text = starter_text(starter)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise SpecError(
            f"{target}:1:1", "the file already exists", "expected a new name (nothing was written)"
        ) from None
    schema = target.parent / SCHEMA_NAME
    return target, schema, atomic_write(schema, SCHEMA.read_bytes())
