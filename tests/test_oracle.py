"""Every captured Keras/PyTorch case must match the engine in both conventions."""

from pathlib import Path

import pytest
import yaml
from conftest import ORACLE, oracle_cases

from rnndiagrams.shapes import shape_model
from rnndiagrams.spec.validate import load

CASES = oracle_cases()


def _spec(case, tmp_path: Path):
    path = tmp_path / f"{case['name']}.yaml"
    path.write_text(yaml.safe_dump({"model": {"input": case["input"], "layers": case["layers"]}}))
    return load(str(path))


def test_oracle_is_present():
    assert ORACLE.exists(), (
        f"oracle not found at {ORACLE}; set RNNDIAGRAMS_SHARED to the shared/ folder"
    )
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_convention(case, tmp_path):
    model = shape_model(_spec(case, tmp_path), "keras")
    expected = case["keras"]
    assert [layer.name for layer in model.layers] == [e["name"] for e in expected["layers"]]
    assert [layer.cls for layer in model.layers] == [e["class"] for e in expected["layers"]]
    assert [list(layer.output_shape) for layer in model.layers] == [
        e["output_shape"] for e in expected["layers"]
    ]
    assert [layer.params for layer in model.layers] == [e["params"] for e in expected["layers"]]
    assert model.total_params == expected["total_params"]
    for layer, e in zip(model.layers, expected["layers"], strict=True):
        ours = [[layer.weight_path(w), list(w.shape_in("keras"))] for w in layer.weights]
        assert ours == [[n, list(s)] for n, s in e["weights"]]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pytorch_convention(case, tmp_path):
    model = shape_model(_spec(case, tmp_path), "pytorch")
    expected = case["pytorch"]
    assert [layer.params for layer in model.layers] == [e["params"] for e in expected["layers"]]
    assert model.total_params == expected["total_params"]
