"""`rnndiagrams import`: every saved Keras model of the oracle round-trips to a spec whose
summary equals what Keras printed; anything else is one clear line and no file."""

import json
import zipfile

import pytest
from conftest import ORACLE_DIR, keras_cases_v2
from test_oracle import assert_keras_matches, assert_pytorch_matches

from rnndiagrams.cli import main
from rnndiagrams.spec.validate import load

FILES = sorted((ORACLE_DIR / "keras-files").glob("keras_*.*"))
CASES = {c["name"]: c for c in keras_cases_v2()}


def test_every_case_has_its_files():
    assert len([f for f in FILES if f.suffix == ".json"]) == len(CASES) == 60
    assert len([f for f in FILES if f.suffix == ".keras"]) == 42


@pytest.mark.parametrize("model", FILES, ids=[f.name for f in FILES])
def test_import_round_trips_to_the_oracle(model, tmp_path, capsys):
    out = tmp_path / "imported.yaml"
    assert main(["import", str(model), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    spec = load(str(out))
    case = CASES[model.stem]
    assert_keras_matches(spec, case)
    assert_pytorch_matches(spec, case)
    assert f" Total params: {case['keras']['total_params']:,} (" in printed  # the summary is shown


def test_import_without_output_prints_the_spec(capsys):
    assert main(["import", str(FILES[0])]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# imported from ") and "  layers:\n    - " in text


def _functional(tmp_path, branch: bool):
    """A Functional config of one oracle model, wired as Keras 3 serialises call nodes."""
    seq = json.loads((ORACLE_DIR / "keras-files" / "keras_003.json").read_text())
    layers, previous = [], None
    for entry in seq["config"]["layers"]:
        name = entry["config"]["name"]
        sources = [previous] if previous else []
        if branch and len(layers) == 3:
            sources = [layers[0]["name"], previous]
        nodes = [
            {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [s, 0, 0]}}]}
            for s in sources
        ]
        layers.append({**entry, "name": name, "inbound_nodes": nodes[:1] if not branch else nodes})
        previous = name
    config = {
        "name": "functional",
        "layers": layers,
        "input_layers": [[layers[0]["name"], 0, 0]],
        "output_layers": [[previous, 0, 0]],
    }
    path = tmp_path / "functional.json"
    path.write_text(json.dumps({"class_name": "Functional", "config": config}))
    return path


def test_functional_chain_is_imported(tmp_path, capsys):
    out = tmp_path / "spec.yaml"
    assert main(["import", str(_functional(tmp_path, branch=False)), "-o", str(out)]) == 0
    assert_keras_matches(load(str(out)), CASES["keras_003"])


def _refused(tmp_path, capsys, model, message):
    out = tmp_path / "out.yaml"
    assert main(["import", str(model), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err, captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()
    return captured.err


def _edited(tmp_path, edit):
    data = json.loads((ORACLE_DIR / "keras-files" / "keras_003.json").read_text())
    edit(data["config"]["layers"])
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    return path


def test_branches_are_refused(tmp_path, capsys):
    _refused(tmp_path, capsys, _functional(tmp_path, branch=True), "not a single chain")


def test_unknown_layer_is_refused_by_name(tmp_path, capsys):
    def edit(layers):
        layers[2]["class_name"] = "ConvLSTM1D"

    err = _refused(tmp_path, capsys, _edited(tmp_path, edit), "'simple_rnn' is ConvLSTM1D")
    assert "expected one of Embedding, SimpleRNN" in err


def test_custom_layer_is_refused(tmp_path, capsys):
    def edit(layers):
        layers[3].update(module="my_project.layers", registered_name="Custom>Attention")

    _refused(
        tmp_path, capsys, _edited(tmp_path, edit), "'gru' is a custom layer (Custom>Attention)"
    )


def test_unsupported_setting_is_refused(tmp_path, capsys):
    def edit(layers):
        layers[2]["config"]["return_state"] = True

    _refused(
        tmp_path, capsys, _edited(tmp_path, edit), "'simple_rnn' (SimpleRNN) has return_state=true"
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not valid JSON"),
        (b'{"class_name": "Sequential",\n "config": [1,', "not valid JSON"),
        (b"\x89HDF\r\n\x1a\n\xff\xfe", "neither a zip nor UTF-8 JSON"),
        (b'{"hello": "world"}', "JSON that is not a Keras model config"),
        (b"PK\x03\x04garbage", "a damaged zip"),
    ],
)
def test_corrupt_or_foreign_files_are_refused(tmp_path, capsys, content, message):
    path = tmp_path / "model.keras"
    path.write_bytes(content)
    _refused(tmp_path, capsys, path, message)


def test_zip_without_config_is_refused(tmp_path, capsys):
    path = tmp_path / "weights.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model.weights.h5", b"")
    _refused(tmp_path, capsys, path, "a zip without config.json")


def test_missing_file(tmp_path, capsys):
    _refused(tmp_path, capsys, tmp_path / "nope.keras", "cannot read file")


def test_a_value_the_spec_refuses_is_located_at_its_layer_in_the_file(tmp_path, capsys):
    data = json.loads((ORACLE_DIR / "keras-files" / "keras_003.json").read_text())
    data["config"]["layers"][2]["config"]["dropout"] = 1.5
    path = tmp_path / "pretty.json"
    text = json.dumps(data, indent=1)
    path.write_text(text)
    err = _refused(tmp_path, capsys, path, "dropout is 1.5")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if '"name": "simple_rnn"' in ln)
    assert err.startswith(f"{path}:{line}:")


def test_a_file_name_cannot_inject_yaml(tmp_path, capsys):
    model = tmp_path / "a\nmodel: 1.json"
    model.write_bytes(FILES[1].read_bytes())
    out = tmp_path / "spec.yaml"
    assert main(["import", str(model), "-o", str(out)]) == 0
    assert (
        out.read_text().splitlines()[0]
        == "# imported from a\\x0amodel: 1.json by `rnndiagrams import`"
    )
    assert load(str(out)).layers
