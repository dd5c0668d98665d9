"""`framework: pytorch` specs: torch.nn names and defaults, errors where PyTorch would fail."""

import json

import jsonschema
import pytest
from test_torch_oracle import CASES

from rnndiagrams.cli import main
from rnndiagrams.shapes import shape_model
from rnndiagrams.specification.jsonschema import schema_text
from rnndiagrams.specification.validate import load

HEAD = "framework: pytorch\nmodel:\n  input: {shape: [20, 32]}\n  layers:\n"

ERRORS = {
    "input_size_after_a_wider_module": (
        HEAD
        + "    - Linear: {in_features: 32, out_features: 128}\n"
        + "    - LSTM: {input_size: 32, hidden_size: 8}\n",
        6,
        26,
        "input_size is 32, but 'linear' gives 128 features (20, None, 128); expected input_size: 128",
    ),
    "bidirectional_doubles_the_features": (
        HEAD
        + "    - GRU: {input_size: 32, hidden_size: 8, bidirectional: true}\n"
        + "    - Linear: {in_features: 8, out_features: 1}\n",
        6,
        29,
        "in_features is 8, but 'gru' gives 16 features (20, None, 16); expected in_features: 16",
    ),
    "proj_size_not_smaller": (
        HEAD + "    - LSTM: {input_size: 32, hidden_size: 8, proj_size: 8}\n",
        5,
        57,
        "proj_size is 8, not smaller than hidden_size 8",
    ),
    "proj_size_on_gru": (
        HEAD + "    - GRU: {input_size: 32, hidden_size: 8, proj_size: 4}\n",
        5,
        45,
        "nn.GRU has no argument 'proj_size' (it is an argument of LSTM)",
    ),
    "two_layouts": (
        HEAD
        + "    - LSTM: {input_size: 32, hidden_size: 8, batch_first: true}\n"
        + "    - LSTM: {input_size: 8, hidden_size: 8, batch_first: false}\n",
        6,
        58,
        "lstm_1 has batch_first: false, but lstm has true; expected one batch_first",
    ),
    "take_on_linear": (
        HEAD + "    - Linear: {in_features: 32, out_features: 1}\n      take: last\n",
        6,
        7,
        "take is given on Linear; expected `take:` only beside RNN, LSTM or GRU",
    ),
    "take_value": (
        HEAD + "    - RNN: {input_size: 32, hidden_size: 4}\n      take: first\n",
        6,
        13,
        "take is the string 'first'; expected one of output, last",
    ),
    "keras_word": (
        HEAD + "    - LSTM: {input_size: 32, units: 8}\n",
        5,
        30,
        "nn.LSTM has no argument 'units' (PyTorch's word is hidden_size",
    ),
    "keras_class": (
        HEAD + "    - Dense: {units: 8}\n",
        5,
        7,
        "unknown torch.nn module 'Dense' (PyTorch's name is Linear)",
    ),
    "rnn_after_take_last": (
        HEAD
        + "    - GRU: {input_size: 32, hidden_size: 8}\n      take: last\n"
        + "    - GRU: {input_size: 8, hidden_size: 8}\n",
        7,
        7,
        "GRU 'gru_1' needs a sequence (batch, L, features), but 'gru' gives (None, 8)",
    ),
    "linear_on_token_ids": (
        "framework: pytorch\nmodel:\n  input: {shape: [20], dtype: int64}\n  layers:\n"
        "    - Linear: {in_features: 20, out_features: 4}\n",
        5,
        7,
        "needs float features, but the input gives (None, 20) int64 (token ids)",
    ),
    "padding_idx_outside": (
        "framework: pytorch\nmodel:\n  input: {shape: [20], dtype: int64}\n  layers:\n"
        "    - Embedding: {num_embeddings: 10, embedding_dim: 4, padding_idx: 10}\n",
        5,
        70,
        "padding_idx is 10, outside the 10 embeddings",
    ),
    "keras_convention": (
        HEAD + "    - RNN: {input_size: 32, hidden_size: 4}\nconvention: keras\n",
        6,
        13,
        "convention is the string 'keras'; expected one of pytorch",
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_bad_pytorch_spec_is_one_located_line(name, write_spec, capsys):
    text, line, col, message = ERRORS[name]
    path = write_spec(text)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"{path}:{line}:{col}: "), err
    assert message in err, err


def test_defaults_are_pytorchs(write_spec):
    spec = load(str(write_spec(HEAD + "    - LSTM: {input_size: 32, hidden_size: 8}\n")))
    (lstm,) = spec.layers
    assert spec.notation == "pytorch" and spec.convention == "pytorch"
    assert lstm.take == "output" and lstm.cell == "LSTM"
    assert {k: lstm.args[k] for k in ("num_layers", "bias", "batch_first", "bidirectional")} == {
        "num_layers": 1,
        "bias": True,
        "batch_first": False,
        "bidirectional": False,
    }
    assert lstm.args["dropout"] == 0.0 and lstm.args["proj_size"] == 0
    # batch_first: false puts the sequence first, as PyTorch does
    assert shape_model(spec).layers[0].output_shape == (20, None, 8)


def test_schema_accepts_every_pytorch_case_and_rejects_keras_words_in_it():
    schema = json.loads(schema_text())
    for case in CASES:
        doc = {"framework": "pytorch", "model": {"input": case["input"], "layers": case["layers"]}}
        jsonschema.validate(doc, schema)
    bad = {
        "framework": "pytorch",
        "model": {"input": {"shape": [3]}, "layers": [{"GRU": {"units": 3}}]},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_a_torch_module_in_a_keras_spec_points_to_the_framework_key(write_spec, capsys):
    path = write_spec(
        "model:\n  input: {shape: [5, 3]}\n  layers:\n    - Linear: {in_features: 3, out_features: 2}\n"
    )
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith(f"{path}:4:7: unknown layer class 'Linear'")
        and "`framework: pytorch`" in err
    )


def test_a_module_too_big_to_run_is_verified_on_a_reduced_copy(write_spec, capsys):
    path = write_spec(
        "framework: pytorch\nmodel:\n  input: {shape: [5, 8]}\n  layers:\n"
        "    - LSTM: {input_size: 8, hidden_size: 3000, num_layers: 2, proj_size: 2000}\n"
    )
    assert main(["check", str(path)]) == 0
    assert "verified on a copy" in capsys.readouterr().out
