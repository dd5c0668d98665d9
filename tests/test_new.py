"""`rnndiagrams new`: every starter is a valid, verified, commented spec whose schema line
resolves; the README's "A spec" shows exactly what `new` writes."""

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
    assert capsys.readouterr().out.startswith(f"{path}: written from the {starter!r} starter")
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).resolve() == SCHEMA.resolve()
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
    assert block == starter_text("seed", ROOT / "specs" / "new.yaml")
    assert "$schema=../rnndiagrams/data/spec.schema.json" in block
