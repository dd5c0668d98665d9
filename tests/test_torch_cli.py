"""summary, explain, code and import for PyTorch specs, checked against the oracle."""

import ast
import json

import pytest
import yaml
from conftest import ROOT, oracle_cases
from test_torch_oracle import CASES, oracle_spec

from rnndiagrams import load, shape_model
from rnndiagrams.cli import main
from rnndiagrams.frameworks.pytorch.catalog import module_call
from rnndiagrams.frameworks.pytorch.code import torch_code
from rnndiagrams.frameworks.pytorch.importer import import_print

# The text real PyTorch 2.13 printed for print(nn.Sequential(...)) of these modules.
REAL_PRINT = """Sequential(
  (0): Embedding(1000, 32, padding_idx=0)
  (1): LSTM(32, 64, proj_size=16, num_layers=2, bias=False, batch_first=True, dropout=0.2, bidirectional=True)
  (2): Dropout(p=0.5, inplace=False)
  (3): Linear(in_features=32, out_features=1, bias=True)
)
"""


def _case(name):
    return next(c for c in CASES if c["name"] == name)


def _write(case, tmp_path):
    path = tmp_path / f"{case['name']}.yaml"
    model = {"input": case["input"], "layers": case["layers"]}
    path.write_text(yaml.safe_dump({"framework": "pytorch", "model": model}))
    return path


def test_summary_is_torchinfos_table_with_final_states(tmp_path, capsys):
    case = _case("torch_034")  # bidirectional LSTM with proj_size, take: last
    assert main(["summary", str(_write(case, tmp_path))]) == 0
    out = capsys.readouterr().out
    expected = case["pytorch"]
    assert f"Total params: {expected['total_params']:,}" in out
    assert out.startswith(
        "=" * 90 + "\nLayer (type:depth-idx)" + " " * 19 + "Output Shape" + " " * 14 + "Param #"
    )
    lstm = expected["layers"][1]
    for shape in (lstm["sequence_output"], lstm["h_n"], lstm["c_n"], lstm["output_shape"]):
        assert json.dumps(shape).replace("null", "None") in out
    assert "├─LSTM: 1-2" in out and "│    └─h_n" in out and "out[:, -1] (take: last)" in out


@pytest.mark.parametrize("case", CASES[:10], ids=[c["name"] for c in CASES[:10]])
def test_summary_json_gives_h_n_c_n_and_pytorch_names(case, tmp_path, capsys):
    assert main(["summary", str(_write(case, tmp_path)), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == case["pytorch"]["total_params"]
    for ours, e in zip(data["layers"], case["pytorch"]["layers"], strict=True):
        assert ours["class"] == e["class"] and ours["output_shape"] == e["output_shape"]
        assert [[w["pytorch_name"], w["shape"]] for w in ours["weights"]] == e["weights"]
        assert ours.get("h_n") == e.get("h_n") and ours.get("c_n") == e.get("c_n")
        assert all("keras_path" not in w for w in ours["weights"])  # PyTorch has no Keras paths


@pytest.mark.parametrize("convention", ["keras", "pytorch"])
@pytest.mark.parametrize("name", ["bidirectional_lstm16", "case_004"])
def test_keras_spec_json_gives_only_real_keras_paths(name, convention, tmp_path, capsys):
    case = next(c for c in oracle_cases() if c["name"] == name)
    real = {name for layer in case["keras"]["layers"] for name, _ in layer["weights"]}
    spec = tmp_path / "keras.yaml"
    spec.write_text(yaml.safe_dump({"model": {"input": case["input"], "layers": case["layers"]}}))
    assert main(["summary", str(spec), "--format", "json", "--convention", convention]) == 0
    data = json.loads(capsys.readouterr().out)
    paths = [w.get("keras_path") for layer in data["layers"] for w in layer["weights"]]
    assert [p for p in paths if p is not None and p not in real] == []
    if convention == "pytorch":  # the second bias is PyTorch's alone
        assert None in paths
        names = [w.get("pytorch_name") for layer in data["layers"] for w in layer["weights"]]
        assert "bias_hh_l0_reverse" in names


def test_explain_says_what_h_n_holds(tmp_path, capsys):
    case = _case("torch_017")  # 3 layers, bidirectional, proj_size 4, hidden 8, take: last
    assert main(["explain", str(_write(case, tmp_path))]) == 0
    out = capsys.readouterr().out
    lstm = case["pytorch"]["layers"][1]
    assert f"h_n {tuple(lstm['h_n'])}".replace("None", "None") in out.replace(
        "(6, None, 4)", "(6, None, 4)"
    )
    assert "h_n[5] = layer 2 backward, after step 0" in out
    assert "c_t keeps hidden_size, (8,)" in out
    assert "its forward half is h_n[4]" in out and "not h_n[5]" in out
    assert f"= {lstm['params']:,}" in out
    assert f"total: {case['pytorch']['total_params']:,} parameters" in out


def _constructors(tree: ast.Module) -> list[ast.Call]:
    init = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__"
    )
    return [
        s.value for s in init.body if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call)
    ]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_code_parses_and_builds_the_specs_modules(case, tmp_path):
    spec = oracle_spec(case, tmp_path)
    tree = ast.parse(torch_code(shape_model(spec)))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert ast.unparse(cls.bases[0]) == "nn.Module"
    assert {f.name for f in cls.body if isinstance(f, ast.FunctionDef)} == {"__init__", "forward"}
    model = tree.body[-1]
    assert ast.unparse(model) == f"model = {cls.name}()"
    calls = _constructors(tree)
    assert [ast.unparse(c.func) for c in calls] == [f"nn.{layer.cls}" for layer in spec.layers]
    for call, layer in zip(calls, spec.layers, strict=True):
        given = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        for key, value in given.items():
            if key != "inplace":
                assert layer.args[key] == value, key
        positional = [ast.literal_eval(a) for a in call.args]
        assert (
            positional == [v for v in layer.args.values()][: len(positional)]
            or layer.cls == "LayerNorm"
        )
    takes = ast.unparse(cls).count("x[:, -1]") + ast.unparse(cls).count("x[-1]")
    assert takes == sum(layer.take == "last" for layer in spec.layers)


def test_import_reads_real_print_output(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text(REAL_PRINT)
    text, notice = import_print(REAL_PRINT, str(path), steps=20)
    spec_path = tmp_path / "imported.yaml"
    spec_path.write_text(text)
    spec = load(str(spec_path))
    assert [layer.cls for layer in spec.layers] == ["Embedding", "LSTM", "Dropout", "Linear"]
    lstm = spec.layers[1].args
    assert (lstm["proj_size"], lstm["num_layers"], lstm["bias"], lstm["bidirectional"]) == (
        16,
        2,
        False,
        True,
    )
    assert spec.input_shape == (20,) and spec.input_dtype == "int64"
    assert "registration order" in notice and "registration order" in text


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_import_of_the_repr_gives_back_the_modules(case, tmp_path):
    spec = oracle_spec(case, tmp_path)
    printed = "Net(\n" + "".join(f"  ({m.name}): {module_call(m)}\n" for m in spec.layers) + ")\n"
    text, _ = import_print(printed, "print.txt", steps=spec.input_shape[0])
    path = tmp_path / "back.yaml"
    path.write_text(text)
    back = load(str(path))
    assert [(m.cls, m.args) for m in back.layers] == [(m.cls, m.args) for m in spec.layers]
    assert back.input_shape == spec.input_shape


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "Net(\n  (conv): Conv1d(3, 4, kernel_size=(3,))\n)\n",
            "2:11",
            "nn.Conv1d is not in the PyTorch dialect",
        ),
        ("Net(\n  (lstm): LSTM(32, 64\n)\n", "2:1", "cannot read '(lstm): LSTM(32, 64'"),
        ("LSTM(32, 64, proj_size=64)\n", "1:1", "proj_size is 64, not smaller than hidden_size 64"),
    ],
)
def test_import_errors_are_one_located_line(text, where, message, tmp_path, capsys):
    path = tmp_path / "model.txt"
    path.write_text(text)
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert err.startswith(f"{path}:{where}:") or "(imported)" in err, err


def test_a_keras_count_of_a_pytorch_spec_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(
        "framework: pytorch\nmodel:\n  input: {shape: [5, 3]}\n  layers:\n    - GRU: {input_size: 3, hidden_size: 4}\n"
    )
    assert main(["summary", str(path), "--convention", "keras"]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"{path}:1:12: a PyTorch spec has no keras parameter count; expected convention pytorch "
        "(sum(p.numel() for p in model.parameters()))\n"
    )


@pytest.mark.parametrize("stem", ["none", "2 layers", "모델", "a'b\\\"c"])
def test_code_is_valid_python_whatever_the_file_name_and_title(stem, tmp_path):
    path = tmp_path / f"{stem}.yaml"
    path.write_text(
        'title: \'a """ b \\\\ c\'\nframework: pytorch\nmodel:\n  input: {shape: [5, 3]}\n'
        "  layers:\n    - GRU: {input_size: 3, hidden_size: 4}\n",
        encoding="utf-8",
    )
    tree = ast.parse(torch_code(shape_model(load(str(path)))))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert cls.name.isidentifier() and cls.name.isascii()


def test_a_module_new_to_the_catalogue_is_written_and_explained_from_its_row(monkeypatch):
    """A module with a catalogue row but no repr or sentence of its own yet gets true generic
    text (not an RNN's repr, not LayerNorm's sentence)."""

    from rnndiagrams.frameworks.pytorch import catalog
    from rnndiagrams.frameworks.pytorch.explain import _plain
    from rnndiagrams.shapes.shaped import format_shape
    from rnndiagrams.specification.catalog import Arg

    monkeypatch.setitem(catalog.MODULES, "Novel", {"k": Arg("posint", 3)})
    spec = load(str(ROOT / "specs" / "torch_gru_classifier.yaml"))
    shaped = shape_model(spec).layers[-1]
    novel = shaped.spec._replace(cls="Novel", args={"k": 3})
    assert catalog.module_call(novel) == "Novel(k=3)"
    layer = shaped._replace(spec=novel, call=catalog.module_call(novel))
    assert _plain(layer) == [f"Novel(k=3): shape -> {format_shape(shaped.output_shape)}"]
