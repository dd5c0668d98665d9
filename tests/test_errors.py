"""Every kind of bad input gives one located line, `file:LINE:COL: problem; expected`, and exit 1."""

import re
import subprocess
import sys

import pytest

from rnndiagrams.cli import main

GOOD_HEAD = "model:\n  input: {shape: [null], dtype: int32}\n  layers:\n"

CASES = {
    "yaml_syntax": ("model: [1, 2\n", 2, 1, "YAML syntax error"),
    "empty_file": ("", 1, 1, "the file is empty"),
    "comment_only": ("# nothing\n", 1, 1, "the file is empty"),
    "not_a_mapping": ("- 1\n- 2\n", 1, 1, "the document is a list of 2"),
    "unknown_top_key": (
        "modle:\n  input: {shape: [3, 2]}\n",
        1,
        1,
        "unknown top-level key 'modle' (did you mean 'model'?)",
    ),
    "missing_model": ("title: x\n", 1, 1, "missing top-level key 'model'"),
    "unknown_class": (
        GOOD_HEAD + "    - Embeding: {input_dim: 10, output_dim: 4}\n",
        4,
        7,
        "unknown layer class 'Embeding' (did you mean 'Embedding'?)",
    ),
    "unknown_arg": (
        GOOD_HEAD + "    - Embedding: {input_dim: 10, output_dim: 4}\n    - SimpleRNN: {unit: 4}\n",
        5,
        19,
        "unknown SimpleRNN argument 'unit' (did you mean 'units'?)",
    ),
    "duplicate_key": (
        "model:\n  input: {shape: [3, 2]}\n  input: {shape: [3, 2]}\n",
        3,
        3,
        "duplicate key 'input' (first at line 2)",
    ),
    "units_zero": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: 0}\n",
        4,
        21,
        "units is 0",
    ),
    "units_negative": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: -3}\n",
        4,
        21,
        "units is -3",
    ),
    "units_float": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: 2.5}\n",
        4,
        21,
        "units is 2.5 (not an integer)",
    ),
    "units_string": (
        'model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: "32"}\n',
        4,
        21,
        "units is the string '32'; expected a positive integer (write it without quotes)",
    ),
    "units_bool": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: true}\n",
        4,
        21,
        "units is true (a boolean)",
    ),
    "missing_units": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - GRU: {}\n",
        4,
        7,
        "GRU is missing its required argument 'units'",
    ),
    "missing_units_null": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - GRU:\n",
        4,
        7,
        "GRU is missing its required argument 'units'",
    ),
    "reset_after_on_lstm": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: 4, reset_after: false}\n",
        4,
        24,
        "'reset_after' is an argument of GRU, not of LSTM",
    ),
    "rnn_fed_2d": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - SimpleRNN: {units: 4}\n"
        "    - LSTM: {units: 4}\n",
        5,
        7,
        "LSTM 'lstm' needs a 3-D input (batch, timesteps, features), but 'simple_rnn' returns (None, 4); "
        "set return_sequences: true on 'simple_rnn'",
    ),
    "rnn_on_token_ids": (
        GOOD_HEAD + "    - GRU: {units: 4}\n",
        4,
        7,
        "GRU 'gru' needs a 3-D input",
    ),
    "embedding_on_floats": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - Embedding: {input_dim: 10, output_dim: 4}\n",
        4,
        7,
        "Embedding 'embedding' needs integer token ids",
    ),
    "embedding_not_first": (
        GOOD_HEAD + "    - Embedding: {input_dim: 10, output_dim: 4}\n"
        "    - Embedding: {input_dim: 10, output_dim: 4}\n",
        5,
        7,
        "needs integer token ids",
    ),
    "bidirectional_dense": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - Bidirectional: {layer: {Dense: {units: 3}}}\n",
        4,
        31,
        "Bidirectional can only wrap a recurrent layer, not Dense",
    ),
    "bidirectional_merge": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n"
        "    - Bidirectional: {layer: {GRU: {units: 3}}, merge_mode: avg}\n",
        4,
        61,
        "merge_mode is the string 'avg' (did you mean 'ave'?)",
    ),
    "python_tag": ("model: !!python/object/apply:os.system [echo hi]\n", 1, 8, "YAML tag"),
    "custom_tag": ("model: !mything {}\n", 1, 8, "YAML tag '!mything' is not allowed"),
    "alias_bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        None,
        None,
        "an alias bomb",
    ),
    "duplicate_names": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - Dense: {units: 2, name: dense}\n"
        "    - Dense: {units: 2}\n",
        5,
        7,
        "two layers are named 'dense'",
    ),
    "feature_dim_null": (
        "model:\n  input: {shape: [3, null]}\n  layers:\n    - Dense: {units: 2}\n",
        2,
        22,
        "the feature dimension is null",
    ),
    "input_rank": (
        "model:\n  input: {shape: [3, 2, 1]}\n  layers:\n    - Dense: {units: 2}\n",
        2,
        18,
        "input shape is a list of 3",
    ),
    "bad_activation": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - Dense: {units: 2, activation: sigmod}\n",
        4,
        37,
        "activation is the string 'sigmod' (did you mean 'sigmoid'?)",
    ),
    "bad_notation": (
        "notation: goodfelow\nmodel:\n  input: {shape: [3, 2]}\n  layers: [{Dense: {units: 2}}]\n",
        1,
        11,
        "(did you mean 'goodfellow'?)",
    ),
    "layers_empty": (
        "model:\n  input: {shape: [3, 2]}\n  layers: []\n",
        3,
        11,
        "layers is a list of 0",
    ),
    "layer_two_keys": (
        "model:\n  input: {shape: [3, 2]}\n  layers:\n    - {Dense: {units: 2}, LSTM: {units: 2}}\n",
        4,
        7,
        "a layer is a mapping",
    ),
    "not_utf8": (b"title: \xff\xfe\n", 1, 8, "bytes that are not UTF-8"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_one_located_line(name, write_spec, capsys):
    text, line, col, message = CASES[name]
    path = write_spec("")
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert message in err
    m = re.match(rf"^{re.escape(str(path))}:(\d+):(\d+): .+; .+\n$", err)
    assert m, err
    if line is not None:
        assert (int(m.group(1)), int(m.group(2))) == (line, col), err
    assert "Traceback" not in err


def test_huge_file_refused_before_parsing(write_spec, capsys):
    path = write_spec("title: x\n" + "# padding\n" * 200_000)
    assert main(["summary", str(path)]) == 1
    assert (
        "file is over 1,000,000 bytes; expected a YAML spec file of at most that"
        in capsys.readouterr().err
    )


def test_missing_file(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.yaml")]) == 1
    assert "cannot read file" in capsys.readouterr().err


def test_recursive_alias_is_refused(write_spec, capsys):
    path = write_spec("model: &m\n  input: *m\n")
    assert main(["check", str(path)]) == 1
    assert re.search(r":\d+:\d+: ", capsys.readouterr().err)


def test_error_from_a_fresh_process_has_no_traceback(write_spec):
    path = write_spec("model:\n  input: {shape: [3, 2]}\n  layers:\n    - LSTM: {units: -3}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "rnndiagrams", "check", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == f"{path}:4:21: units is -3; expected a positive integer\n"
