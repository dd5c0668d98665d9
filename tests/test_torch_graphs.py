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
