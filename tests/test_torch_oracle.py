"""Every captured PyTorch case (cases-v2.json, `"framework": "pytorch"`) must match the engine:
output shapes in PyTorch's layout, h_n, c_n, parameters, and every named parameter."""

import json
from pathlib import Path

import pytest
import yaml
from conftest import ORACLE_DIR

from rnndiagrams import SpecError, verify
from rnndiagrams.shapes import shape_model
from rnndiagrams.specification.validate import load

CASES = [
    c
    for c in json.loads((ORACLE_DIR / "cases-v2.json").read_text())["cases"]
    if c["framework"] == "pytorch"
]


def oracle_spec(case: dict, tmp_path: Path):
    """The case written as a user would write it: `framework: pytorch` and its layers."""
    path = tmp_path / f"{case['name']}.yaml"
    model = {"input": case["input"], "layers": case["layers"]}
    path.write_text(yaml.safe_dump({"framework": "pytorch", "model": model}))
    return load(str(path))


def test_all_forty_pytorch_cases_are_present():
    assert len(CASES) == 40


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pytorch_case(case, tmp_path):
    model = shape_model(oracle_spec(case, tmp_path))
    expected = case["pytorch"]
    assert model.total_params == expected["total_params"]
    assert (model.time_axis == 1) == expected["batch_first"]
    assert len(model.layers) == len(expected["layers"])
    for layer, e in zip(model.layers, expected["layers"], strict=True):
        assert layer.cls == e["class"]
        assert list(layer.output_shape) == e["output_shape"]
        assert layer.params == e["params"]
        ours = [[w.name("pytorch"), list(w.shape_in("pytorch"))] for w in layer.weights]
        assert ours == e["weights"]
        for key in ("h_n", "c_n", "sequence_output"):
            value = getattr(layer, key)
            assert (None if value is None else list(value)) == e.get(key), key


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_numpy_runs_every_case_with_pytorchs_equations(case, tmp_path):
    verify(shape_model(oracle_spec(case, tmp_path)))


@pytest.mark.parametrize("field", ["h_n", "c_n", "sequence_output"])
def test_verify_catches_a_wrong_final_state_shape(field, tmp_path):
    case = next(c for c in CASES if c["name"] == "torch_017")  # bidirectional LSTM, proj_size
    model = shape_model(oracle_spec(case, tmp_path))
    lstm = model.layers[1]
    wrong = lstm._replace(**{field: tuple(getattr(lstm, field)[:-1]) + (99,)})
    layers = model.layers[:1] + (wrong,) + model.layers[2:]
    with pytest.raises(SpecError, match=f"verify: lstm {field} is"):
        verify(model._replace(layers=layers))
