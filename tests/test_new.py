"""`rnndiagrams new`: every starter is a valid, verified, commented spec whose schema line
names the schema written beside it (so it resolves wherever the folder goes); the README's
"A spec" shows exactly what `new` writes."""

import json
import re

import jsonschema
import pytest
import yaml
from conftest import ROOT

from rnndiagrams.cli import main
from rnndiagrams.specification.starters import SCHEMA, starter_names, starter_text


@pytest.mark.needs_dot
@pytest.mark.parametrize("starter", starter_names())
def test_each_starter_checks_renders_and_validates_against_the_schema(starter, tmp_path, capsys):
    assert main(["new", str(tmp_path / "mine"), "--from", starter]) == 0
    path = tmp_path / "mine.yaml"
    schema = tmp_path / "rnndiagrams.schema.json"
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: written from the {starter!r} starter; preview it with: rnndiagrams watch {path}",
        f"{schema}: written (the schema its first line names)",
    ]
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == "# yaml-language-server: $schema=./rnndiagrams.schema.json"
    assert schema.read_bytes() == SCHEMA.read_bytes()
    assert sum(line.count("#") for line in text.splitlines()[1:]) >= 3, "a starter explains itself"
    jsonschema.validate(yaml.safe_load(text), json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert main(["check", str(path)]) == 0
    assert main(["render", str(path), "-o", str(tmp_path / "out")]) == 0


def test_new_never_overwrites(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("mine", encoding="utf-8")
    assert main(["new", str(path), "--from", "lstm"]) == 1
    assert path.read_text(encoding="utf-8") == "mine"
    assert (
        capsys.readouterr().err
        == f"{path}:1:1: the file already exists; expected a new name (nothing was written)\n"
    )


def test_readme_a_spec_is_the_seed_starter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## A spec\n.*?```yaml\n(.*?)```", readme, re.S).group(1)
    assert block == starter_text("seed")


def test_the_schema_beside_a_spec_travels_with_it(tmp_path, capsys):
    """A second spec in the folder leaves the schema as it is; an old copy is brought up to date;
    the folder moved elsewhere still validates in an editor (the reference is relative)."""
    assert main(["new", str(tmp_path / "a")]) == 0
    schema = tmp_path / "rnndiagrams.schema.json"
    schema.write_text("{}", encoding="utf-8")  # as an older version of the package wrote it
    assert main(["new", str(tmp_path / "b")]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"{schema}: written (the schema its first line names)"
    )
    assert main(["new", str(tmp_path / "c")]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"{schema}: unchanged (the schema its first line names)"
    )
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    tmp_path.rename(moved)
    for name in "abc":
        first = (moved / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert (moved / first.split("=", 1)[1]).read_bytes() == SCHEMA.read_bytes()
