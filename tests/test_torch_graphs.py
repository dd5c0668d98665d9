"""The 15 PyTorch modules of the graph oracle, each written as a spec in the PyTorch
dialect (tests/torch_graphs/): the engine's named_parameters, total, forward output shapes
and call order equal what real PyTorch gave (tests/oracle/graphs/cases-v3.json)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import rnndiagrams
from rnndiagrams.frameworks.pytorch.modules import (
    call_order,
    loop_steps,
    named_parameters,
    output_shapes,
)
from rnndiagrams.specification.jsonschema import schema_text

HERE = Path(__file__).parent
CASES = {
    case["name"]: case["pytorch"]
    for case in json.loads((HERE / "oracle/graphs/cases-v3.json").read_text())["cases"]
    if case["framework"] == "pytorch"
}
SPECS = HERE / "torch_graphs"


def test_every_torch_case_has_a_spec() -> None:
    assert len(CASES) == 15
    assert sorted(p.stem for p in SPECS.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_case_numbers(name: str) -> None:
    oracle = CASES[name]
    model = rnndiagrams.shape_model(rnndiagrams.load(str(SPECS / f"{name}.yaml")), "pytorch")
    assert [(n, list(s)) for n, s in named_parameters(model)] == [
        (n, s) for n, s in oracle["weights"]
    ]
    assert model.total_params == oracle["total_params"]
    assert [list(s) for s in output_shapes(model)] == oracle["outputs"]
    steps = {k: v for k, v in loop_steps(model).items() if v is not None}
    assert call_order(model, steps) == oracle["call_order"]


ALL = sorted(SPECS.glob("*.yaml")) + sorted((HERE / "torch_specs").glob("*.yaml"))


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_torch_graph_specs_satisfy_the_schema_and_verify(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), json.loads(schema_text()))
    rnndiagrams.verify(rnndiagrams.shape_model(rnndiagrams.load(str(path)), "pytorch"))


def test_the_schema_refuses_a_loop_without_its_layers() -> None:
    bad = {
        "framework": "pytorch",
        "model": {"input": {"shape": [3, 1]}, "layers": [{"loop": {"over": "input"}}]},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads(schema_text()))


def test_a_loop_of_millions_of_steps_is_verified_on_a_reduced_copy(write_spec, capsys) -> None:
    """verify counts a loop's steps (its body runs in Python once per step), so a huge
    `future` runs as a reduced copy, at once, rather than for minutes."""
    text = (
        (SPECS / "graph_torch_007_cells.yaml").read_text().replace("future: 20", "future: 3000000")
    )
    model = rnndiagrams.shape_model(rnndiagrams.load(str(write_spec(text))), "pytorch")
    assert loop_steps(model) == {"steps": 3_000_010}
    note = rnndiagrams.verify(model)
    assert note is not None and "scaled down" in note


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_and_explain_of_each_case(name: str, capsys) -> None:
    """`summary --format json` lists named_parameters and the call order as PyTorch does;
    `explain` ends with the oracle's total, and its torchinfo table names every module."""
    from rnndiagrams.cli import main

    oracle, path = CASES[name], str(SPECS / f"{name}.yaml")
    assert main(["summary", path, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["named_parameters"] == oracle["weights"]
    assert got["call_order"] == oracle["call_order"]
    assert got["total_params"] == oracle["total_params"]
    assert main(["explain", path]) == 0
    text = capsys.readouterr().out
    assert text.rstrip().endswith(
        f"total: {oracle['total_params']:,} parameters (sum(p.numel() for p in model.parameters()))"
    )
    assert main(["summary", path]) == 0
    table = capsys.readouterr().out
    for module in dict.fromkeys(oracle["call_order"]):
        owner = module.rsplit(".", 1)[0] if module.startswith("attention.") else module
        assert f"({owner})" in table
