"""Every captured Keras/PyTorch case must match the engine in both conventions."""

from pathlib import Path

import pytest
import yaml
from conftest import ORACLE_DIR, SHARED_ORACLE, keras_cases_v2, oracle_cases

from rnndiagrams.frameworks.keras.shapes import weight_path
from rnndiagrams.shapes import shape_model
from rnndiagrams.specification.validate import load

CASES = oracle_cases() + keras_cases_v2()


def _spec(case, tmp_path: Path):
    path = tmp_path / f"{case['name']}.yaml"
    path.write_text(yaml.safe_dump({"model": {"input": case["input"], "layers": case["layers"]}}))
    return load(str(path))


def test_oracle_is_present():
    assert len(oracle_cases()) >= 40
    assert len(keras_cases_v2()) == 60


@pytest.mark.skipif(not SHARED_ORACLE.is_dir(), reason="no shared/oracle beside this clone")
def test_oracle_copy_is_byte_identical_to_shared():
    ours = sorted(p.relative_to(ORACLE_DIR) for p in ORACLE_DIR.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(SHARED_ORACLE) for p in SHARED_ORACLE.rglob("*") if p.is_file())
    assert ours == theirs
    for rel in ours:
        assert (ORACLE_DIR / rel).read_bytes() == (SHARED_ORACLE / rel).read_bytes(), rel


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_convention(case, tmp_path):
    assert_keras_matches(_spec(case, tmp_path), case)


def assert_keras_matches(spec, case):
    """Names, classes, shapes, params, non-trainable counts and weight paths of real Keras."""
    model = shape_model(spec, "keras")
    expected = case["keras"]
    assert [layer.name for layer in model.layers] == [e["name"] for e in expected["layers"]]
    assert [layer.cls for layer in model.layers] == [e["class"] for e in expected["layers"]]
    assert [list(layer.output_shape) for layer in model.layers] == [
        e["output_shape"] for e in expected["layers"]
    ]
    assert [layer.params for layer in model.layers] == [e["params"] for e in expected["layers"]]
    assert model.total_params == expected["total_params"]
    assert [layer.non_trainable for layer in model.layers] == [
        e.get("non_trainable", 0) for e in expected["layers"]
    ]
    if "non_trainable_params" in expected:
        assert model.non_trainable_params == expected["non_trainable_params"]
    for layer, e in zip(model.layers, expected["layers"], strict=True):
        ours = [[weight_path(layer, w), list(w.shape_in("keras"))] for w in layer.weights]
        assert ours == [[n, list(s)] for n, s in e["weights"]]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pytorch_convention(case, tmp_path):
    assert_pytorch_matches(_spec(case, tmp_path), case)


def assert_pytorch_matches(spec, case):
    """What sum(p.numel() for p in module.parameters()) gave, per layer and in total."""
    model = shape_model(spec, "pytorch")
    expected = case["pytorch"]
    assert [layer.params for layer in model.layers] == [e["params"] for e in expected["layers"]]
    assert model.total_params == expected["total_params"]
