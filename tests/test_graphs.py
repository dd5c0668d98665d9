"""Graphs (issue 17): every Keras Functional model of tests/oracle/graphs imports from its
`.keras` and its `to_json()` file, and `summary --format json` of the imported spec says what
real Keras 3.15.1 said: names, classes, every output shape (several with return_state),
parameters, weight paths and shapes, and each layer's inbound tensors ("Connected to").
"""

import json
import os
import subprocess
import sys

import jsonschema
import pytest
import yaml
from conftest import ORACLE_DIR, ROOT, check_is_one_located_line

from rnndiagrams.cli import main
from rnndiagrams.pipeline import scenes
from rnndiagrams.scene import plain_text
from rnndiagrams.specification.jsonschema import schema_text
from rnndiagrams.specification.validate import load

GRAPHS = ORACLE_DIR / "graphs"
KERAS = [
    c
    for c in json.loads((GRAPHS / "cases-v3.json").read_text())["cases"]
    if c["framework"] == "keras"
]
FILES = [(c, ext) for c in KERAS for ext in ("keras", "json")]
GALLERY = [
    p
    for p in sorted((ROOT / "specs").glob("*.yaml"))
    if load(str(p)).graph and load(str(p)).framework == "keras"
]


def test_there_are_28_keras_graphs_with_both_files():
    assert len(KERAS) == 28 and len(GALLERY) >= 6
    assert all((GRAPHS / "keras" / f"{c['name']}.{ext}").is_file() for c, ext in FILES)


def _summary(spec, capsys) -> dict:
    assert main(["summary", str(spec), "--convention", "keras", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("case", "ext"), FILES, ids=[f"{c['name']}.{ext}" for c, ext in FILES])
def test_import_matches_keras(case, ext, tmp_path, capsys):
    spec = tmp_path / "imported.yaml"
    assert main(["import", str(GRAPHS / "keras" / f"{case['name']}.{ext}"), "-o", str(spec)]) == 0
    capsys.readouterr()
    jsonschema.validate(yaml.safe_load(spec.read_text()), json.loads(schema_text()))
    with spec.open("a") as f:
        f.write("notation: keras\n")  # weights in Keras's orientation, (in, out)
    got = _summary(spec, capsys)
    expected = case["keras"]
    assert [[i["name"], i["shape"], i["dtype"]] for i in got["inputs"]] == expected["inputs"]
    assert got["total_params"] == expected["total_params"]
    layers = [
        {
            "name": layer["name"],
            "class": layer["class"],
            "output_shape": layer["output_shape"],
            "params": layer["params"],
            "non_trainable": layer["non_trainable"],
            "weights": [[w["keras_path"], w["shape"]] for w in layer["weights"]],
            "inbound": layer["inputs"],
        }
        for layer in got["layers"]
    ]
    assert layers == expected["layers"]


def test_the_text_summary_has_keras_connected_to_column(tmp_path, capsys):
    spec = tmp_path / "imported.yaml"
    assert (
        main(["import", str(GRAPHS / "keras" / "graph_keras_003_masked.keras"), "-o", str(spec)])
        == 0
    )
    capsys.readouterr()
    assert main(["summary", str(spec), "--convention", "keras"]) == 0
    text = capsys.readouterr().out
    assert "┃ Connected to" in text
    assert "│ tokens (InputLayer) " in text
    # the mask of Embedding(mask_zero=True) is an op of its own, as Keras lists it
    assert "│ not_equal (NotEqual) " in text
    rows = [
        line for line in text.splitlines() if "bidirectional" in line or "not_equal[0][0]" in line
    ]
    assert rows[0].rstrip("│ ").endswith("embedding[0][0],")
    assert rows[1].rstrip("│ ").endswith("not_equal[0][0]")


SEQ2SEQ = """\
model:
  inputs:
    enc: {shape: [10, 4]}
    dec: {shape: [7, 4]}
  layers:
    - LSTM: {units: 8, return_state: true, name: encoder, inputs: [enc]}
"""


@pytest.mark.parametrize(
    ("layers", "token", "message"),
    [
        (
            "    - LSTM: {units: 8, name: decoder, inputs: [dec], initial_state: [encodr.1, encoder.2]}",
            "encodr.1",
            "unknown reference 'encodr.1' (did you mean 'encoder'?)",
        ),
        (
            "    - LSTM: {units: 8, name: decoder, inputs: [dec], initial_state: [encoder.1]}",
            "[encoder.1]",
            "LSTM 'decoder' takes 2 initial states (h, c), but initial_state lists 1",
        ),
        (
            "    - LSTM: {units: 8, name: decoder, inputs: [dec], initial_state: [encoder.1, encoder.3]}",
            "encoder.3",
            "'encoder' has 3 outputs, so it has no output 3",
        ),
        (
            "    - LSTM: {units: 5, name: decoder, inputs: [dec], initial_state: [encoder.1, encoder.2]}",
            "encoder.1, encoder.2]",
            "initial state h of LSTM 'decoder' is 'encoder' output 1, (None, 8)",
        ),
        (
            "    - Bidirectional: {layer: {GRU: {units: 8}}, inputs: [dec], initial_state: [encoder.1]}",
            "[encoder.1]",
            "Bidirectional 'bidirectional' takes 2 initial states (forward_h, backward_h)",
        ),
        (
            "    - LSTM: {units: 5, return_sequences: true, name: decoder, inputs: [dec]}\n"
            "    - Add: {inputs: [encoder, decoder]}",
            "[encoder, decoder]",
            "Add 'add' needs shapes that broadcast, but reads (None, 8), (None, 7, 5)",
        ),
        (
            "    - LSTM: {units: 8, return_sequences: true, name: decoder, inputs: [dec, att]}\n"
            "    - Attention: {inputs: [decoder, encoder], name: att}",
            "decoder, encoder], name: att",
            "a cycle: 'decoder' -> 'att' -> 'decoder'",
        ),
        (
            "    - LSTM: {units: 8, name: decoder, inputs: [dec, decoder]}",
            "decoder]}",
            "layer 'decoder' reads its own output",
        ),
        (
            "    - LSTM: {units: 8, name: decoder, inputs: [dec]}",
            "LSTM: {units: 8, return_state",
            "the output of layer 'encoder' is read by no layer",
        ),
        (
            "    - LSTM: {units: 8, name: decoder, inputs: [enc], initial_state: [encoder.1, encoder.2]}",
            "{shape: [7, 4]}",
            "input 'dec' is read by no layer",
        ),
        (
            "    - Dense: {units: 8, inputs: [encoder, dec]}",
            "[encoder, dec]",
            "Dense 'dense' reads one tensor, but inputs lists 2",
        ),
    ],
)
def test_a_malformed_graph_is_one_located_line(layers, token, message, write_spec, capsys):
    """Each error stands at the token that is wrong (its first occurrence in the spec)."""
    check_is_one_located_line(SEQ2SEQ + layers + "\n", token, message, write_spec, capsys)


def test_a_chain_refuses_return_state_and_merges(write_spec, capsys):
    spec = write_spec(
        "model:\n  input: {shape: [5, 3]}\n  layers:\n"
        "    - GRU: {units: 4, return_state: true}\n    - Dense: {units: 1}\n"
    )
    assert main(["check", str(spec)]) == 1
    assert "GRU 'gru' has return_state: true, so it returns 2 tensors" in capsys.readouterr().err
    spec = write_spec(
        "model:\n  input: {shape: [5, 3]}\n  layers:\n    - GRU: {units: 4}\n    - Add: {}\n"
    )
    assert main(["check", str(spec)]) == 1
    assert "Add 'add' reads several tensors" in capsys.readouterr().err


def test_a_graph_with_one_unnamed_input_reads_it_by_default(write_spec, capsys):
    """A residual block needs no named input: `input:` is `input`, and layers without
    `inputs:` read the layer before them."""
    spec = write_spec(
        "model:\n  input: {shape: [20, 8]}\n  layers:\n"
        "    - LSTM: {units: 8, return_sequences: true}\n"
        "    - LSTM: {units: 8, return_sequences: true}\n"
        "    - Add: {inputs: [lstm, lstm_1]}\n"
        "    - LSTM: {units: 32}\n"
        "    - Dense: {units: 1}\n"
    )
    assert main(["check", str(spec)]) == 0
    capsys.readouterr()
    got = _summary(spec, capsys)
    assert [layer["inputs"] for layer in got["layers"]] == [
        [["input", 0]],
        [["lstm", 0]],
        [["lstm", 0], ["lstm_1", 0]],
        [["add", 0]],
        [["lstm_2", 0]],
    ]
    assert got["total_params"] == 6369  # graph_keras_027_residual: what Keras counted


# Graphs beyond the oracle's, so each merge and attention rule meets real Keras too.
MERGES = """\
model:
  inputs:
    a: {shape: [6, 4]}
    b: {shape: [null, 4]}
    v: {shape: [4]}
  layers:
    - GRU: {units: 4, return_sequences: true, return_state: true, name: g, inputs: [a]}
    - SimpleRNN: {units: 4, return_sequences: true, name: s, inputs: [b], initial_state: [g.1]}
    - Add: {inputs: [v, g]}
    - Average: {inputs: [g, s]}
    - Multiply: {inputs: [average, add]}
    - Attention: {use_scale: true, score_mode: concat, inputs: [multiply, g, s]}
    - AdditiveAttention: {inputs: [attention, s]}
    - Dot: {axes: [2, 2], inputs: [additive_attention, g]}
    - Dot: {axes: 1, normalize: true, inputs: [g.1, v]}
    - RepeatVector: {n: 6}
    - Concatenate: {inputs: [g, repeat_vector]}
    - Dense: {units: 6}
    - Concatenate: {axis: 1, inputs: [dot, dense]}
    - MultiHeadAttention: {num_heads: 2, key_dim: 3, value_dim: 5, output_shape: 7, inputs: [concatenate_1, dot]}
    - MultiHeadAttention: {num_heads: 3, key_dim: 2, use_bias: false, inputs: [multi_head_attention, g]}
    - Bidirectional: {layer: {LSTM: {units: 3, return_state: true}}, merge_mode: sum}
    - Concatenate: {inputs: [bidirectional.1, bidirectional.4, bidirectional]}
    - Dense: {units: 2}
"""

# The inference models of the Keras seq2seq tutorial: an encoder that returns its states, a
# decoder that starts from given states and returns its new ones with its prediction.
INFERENCE = (
    """\
model:
  inputs:
    tokens: {shape: [null], dtype: int32}
  layers:
    - Embedding: {input_dim: 50, output_dim: 8}
    - LSTM: {units: 16, return_state: true, name: encoder}
  outputs: [encoder.1, encoder.2]
""",
    """\
model:
  inputs:
    token: {shape: [1], dtype: int32}
    h: {shape: [16]}
    c: {shape: [16]}
  layers:
    - Embedding: {input_dim: 50, output_dim: 8, inputs: [token]}
    - LSTM: {units: 16, return_sequences: true, return_state: true, name: decoder, initial_state: [h, c]}
    - Dense: {units: 50, activation: softmax, inputs: [decoder]}
  outputs: [dense, decoder.1, decoder.2]
""",
)

# Padding masks as Keras passes them: into the recurrent layer and the average pooling
# (listed as not_equal), through attention and a merge (not listed).
MASKED = """\
model:
  inputs:
    src: {shape: [null], dtype: int32}
    tgt: {shape: [null], dtype: int32}
  layers:
    - Embedding: {input_dim: 20, output_dim: 4, mask_zero: true, inputs: [src]}
    - LSTM: {units: 3, return_sequences: true, name: enc}
    - Embedding: {input_dim: 20, output_dim: 4, inputs: [tgt]}
    - LSTM: {units: 3, return_sequences: true, name: dec}
    - Attention: {inputs: [enc, dec]}
    - Concatenate: {inputs: [enc, attention]}
    - Dense: {units: 2}
    - GlobalAveragePooling1D: {inputs: [embedding]}
    - Embedding: {input_dim: 20, output_dim: 3, mask_zero: true, inputs: [tgt]}
    - Add: {inputs: [enc, embedding_2]}
    - GRU: {units: 2, name: after_add}
    - Attention: {inputs: [enc, dec]}
    - GRU: {units: 2, name: after_attention}
    - MultiHeadAttention: {num_heads: 2, key_dim: 2, inputs: [embedding_2, enc]}
    - GRU: {units: 2, name: after_mha}
  outputs: [dense, global_average_pooling1d, after_add, after_attention, after_mha]
"""

# A Masking layer's mask, as Keras makes it: any(not_equal(x, mask_value), axis=-1).
MASKING = """\
model:
  input: {shape: [5, 3], name: x}
  layers:
    - Masking: {}
    - LSTM: {units: 4, return_sequences: true}
    - Dense: {units: 2}
    - GRU: {units: 2}
"""

RUN = """
import contextlib, io, json, runpy, sys
import keras
out = {}
for script in sys.argv[1:]:
    keras.backend.clear_session()  # op names (not_equal_1...) count per session
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = runpy.run_path(script)["model"]
    layers = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        (node,) = layer._inbound_nodes
        shapes = [list(t.shape) for t in node.outputs]
        inbound = [[t._keras_history.operation.name, t._keras_history.tensor_index]
                   for t in node.input_tensors]
        layers.append([layer.name, shapes if len(shapes) > 1 else shapes[0],
                       layer.count_params(), inbound])
    outputs = [[t._keras_history.operation.name, t._keras_history.tensor_index]
               for t in model.outputs]
    out[script] = {"printed": printed.getvalue(), "layers": layers, "outputs": outputs}
    with open(script + ".json", "w") as f:
        f.write(model.to_json())
print(json.dumps(out))
"""


def test_graph_code_runs_in_real_keras(tmp_path, capsys):
    """`code` of every graph (the 28 imported, the gallery's, and one with every merge and
    attention) is a Functional model that real Keras builds with the engine's names, output
    shapes, parameter counts and inbound tensors."""
    names = ("merges", "encoder", "decoder", "masked", "masking")
    specs = [tmp_path / f"{n}.yaml" for n in names]
    for spec, text in zip(specs, (MERGES, *INFERENCE, MASKED, MASKING), strict=True):
        spec.write_text(text)
    specs += GALLERY
    for case in KERAS:
        specs.append(tmp_path / f"{case['name']}.yaml")
        assert (
            main(["import", str(GRAPHS / "keras" / f"{case['name']}.json"), "-o", str(specs[-1])])
            == 0
        )
    scripts, expected, returned = [], {}, {}
    for spec in specs:
        capsys.readouterr()
        assert main(["code", str(spec)]) == 0
        script = tmp_path / f"{spec.stem}.py"
        script.write_text(capsys.readouterr().out)
        scripts.append(str(script))
        assert main(["summary", str(spec), "--convention", "keras", "--format", "json"]) == 0
        got = json.loads(capsys.readouterr().out)
        expected[str(script)] = [
            [x["name"], x["output_shape"], x["params"], x["inputs"]] for x in got["layers"]
        ]
        returned[str(script)] = got["outputs"]
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    proc = subprocess.run(
        [sys.executable, "-c", RUN, *scripts], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.splitlines()[-1])
    for script, layers in expected.items():
        assert results[script]["printed"] == ""
        assert sorted(results[script]["layers"]) == sorted(layers), script
        assert results[script]["outputs"] == returned[script], script
        # and back: what Keras saved of the model imports to the same layers
        imported = tmp_path / "back.yaml"
        assert main(["import", script + ".json", "-o", str(imported)]) == 0
        capsys.readouterr()
        assert main(["summary", str(imported), "--convention", "keras", "--format", "json"]) == 0
        back = json.loads(capsys.readouterr().out)
        assert back["outputs"] == returned[script], script
        back_layers = [
            [x["name"], x["output_shape"], x["params"], x["inputs"]] for x in back["layers"]
        ]
        assert sorted(back_layers) == sorted(layers), script  # in Keras's order of layers


def test_the_stack_view_of_a_graph_is_its_dag():
    """Inputs on top, every layer below what it reads; the state handover is one dashed edge
    naming h and c; the output is the last layer's (no node of its own)."""
    spec = load(str(ROOT / "specs" / "encoder_decoder.yaml"))
    scene = dict((view.name, scene) for view, scene in scenes(spec))["stack"]
    pos = {node.id: node.pos for node in scene.nodes}
    assert pos["source_tokens"][1] == pos["target_tokens"][1] == 0
    assert len(set(pos.values())) == len(pos)
    edges = {(e.src, e.dst): e for e in scene.edges}
    assert set(edges) == {
        ("source_tokens", "source_embedding"),
        ("source_embedding", "encoder"),
        ("target_tokens", "target_embedding"),
        ("target_embedding", "decoder"),
        ("encoder", "decoder"),
        ("decoder", "next_token"),
    }
    assert all(pos[a][1] < pos[b][1] for a, b in edges)
    handover = edges["encoder", "decoder"]
    assert handover.style == "dashed"
    assert [plain_text((line,)) for line in handover.label] == ["h (None, 128)", "c (None, 128)"]
    last = next(node for node in scene.nodes if node.id == "next_token")
    assert plain_text(last.label).endswith("output (None, None, 6000)")


def test_explain_says_where_each_layer_reads_and_which_states_it_hands_over(capsys):
    assert main(["explain", str(ROOT / "specs" / "encoder_decoder.yaml")]) == 0
    text = capsys.readouterr().out
    assert "input target_tokens: (None, None) int32" in text
    assert "target_embedding (Embedding): (None, None) from input 'target_tokens'" in text
    assert "return_state: true -> also returns its final h = encoder.1, c = encoder.2" in text
    assert "initial_state: starts from h = 'encoder' output 1, c = 'encoder' output 2" in text


def test_a_named_input_makes_a_graph_and_the_schema_knows_the_new_keys(write_spec, capsys):
    text = (
        "model:\n  input: {shape: [null], dtype: int32, name: tokens}\n  layers:\n"
        "    - Embedding: {input_dim: 100, output_dim: 8, mask_zero: true}\n"
        "    - GRU: {units: 4}\n    - Dense: {units: 1}\n"
    )
    assert main(["summary", str(write_spec(text)), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [layer["inputs"] for layer in got["layers"]] == [
        [["tokens", 0]],
        [["embedding", 0], ["not_equal", 0]],
        [["gru", 0]],
    ]  # graph_keras_010_masked: Keras lists the mask op as the GRU's second inbound tensor
    schema = json.loads(schema_text())
    jsonschema.validate(yaml.safe_load(text), schema)
    for bad in (
        {
            "model": {
                "input": {"shape": [3]},
                "inputs": {"a": {"shape": [3]}},
                "layers": [{"Add": {}}],
            }
        },
        {
            "model": {
                "inputs": {"a": {"shape": [3]}},
                "layers": [{"Dense": {"units": 1, "inputs": []}}],
            }
        },
        {
            "model": {
                "inputs": {"a": {"shape": [3]}},
                "layers": [{"Dense": {"units": 1, "initial_state": ["a"]}}],
            }
        },
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_a_name_with_a_line_separator_stays_on_one_line(write_spec, capsys):
    """Names are any text without '/': in a message they are quoted, so U+2028 is escaped."""
    spec = write_spec(SEQ2SEQ + '    - LSTM: {units: 8, name: "a\\u2028b", inputs: [dec, nope]}\n')
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "'a\\u2028b'" in err, err


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ("[dense, encoder.3]", "'encoder' has 3 outputs, so it has no output 3"),
        ("[encodr]", "unknown reference 'encodr' (did you mean 'encoder'?)"),
        ("[encoder.1]", "the output of layer 'dense' is read by no layer and is no output"),
    ],
)
def test_named_outputs_are_checked(outputs, message, write_spec, capsys):
    text = INFERENCE[0].replace("  outputs: [encoder.1, encoder.2]\n", "")
    text = text.replace(
        "name: encoder}\n", "name: encoder}\n    - Dense: {units: 2, inputs: [encoder]}\n"
    )
    spec = write_spec(text + f"  outputs: {outputs}\n")
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_a_mask_a_merge_combined_cannot_reach_a_recurrent_layer(write_spec, capsys):
    """Keras makes that mask with ops it names on its own: refused, not guessed."""
    text = MASKED.replace("    - Dense: {units: 2}\n", "    - GRU: {units: 2}\n").replace(
        "outputs: [dense,", "outputs: [gru,"
    )
    assert main(["check", str(write_spec(text))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "GRU 'gru' reads 'concatenate', whose padding mask" in err


def test_a_mask_op_keras_named_otherwise_is_refused_not_renamed(tmp_path, capsys):
    """Keras numbers mask ops in the order it created them, which its saved layer order may
    not keep: an import whose mask ops the engine would name differently is refused."""
    text = (GRAPHS / "keras" / "graph_keras_003_masked.json").read_text()
    path = tmp_path / "renamed.json"
    path.write_text(text.replace('"not_equal"', '"not_equal_7"'))
    assert main(["import", str(path), "-o", str(tmp_path / "out.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is given the mask ['not_equal_7'] in the file" in err, err


def test_the_summary_lists_a_masking_layers_ops_as_keras_does(write_spec, capsys):
    assert main(["summary", str(write_spec(MASKING))]) == 0
    rows = [line.split("│")[1:5] for line in capsys.readouterr().out.splitlines() if "│" in line]
    cells = [[c.strip() for c in row] for row in rows if row[0].strip()]
    assert cells[:4] == [
        ["x (InputLayer)", "(None, 5, 3)", "0", "-"],
        ["masking (Masking)", "(None, 5, 3)", "0", "x[0][0]"],
        ["not_equal (NotEqual)", "(None, 5, 3)", "0", "x[0][0]"],
        ["any (Any)", "(None, 5)", "0", "not_equal[0][0]"],
    ]


def test_masks_into_a_merge_keras_was_not_measured_on_are_refused(write_spec, capsys):
    text = MASKED.replace(
        "- Add: {inputs: [enc, embedding_2]}", "- Dot: {axes: 2, inputs: [enc, embedding_2]}"
    )
    assert main(["check", str(write_spec(text.replace("embedding_2]", "dec]")))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Dot 'dot' reads tensors that carry padding masks" in err, err


def test_a_recurrent_layer_after_a_merge_with_open_features_is_one_located_line(write_spec, capsys):
    """make fuzz seed 30861: an input of shape [null] joined to a sequence left the GRU's
    kernel unsized, and the verify budget multiplied by None (a traceback)."""
    text = (
        "model:\n"
        "  inputs:\n"
        "    sequence: {shape: [50, 3]}\n"
        "    context: {shape: [null]}\n"
        "  layers:\n"
        "    - RepeatVector: {n: 50, inputs: [context]}\n"
        "    - Concatenate: {inputs: [sequence, repeat_vector]}\n"
        "    - GRU: {units: 32}\n"
    )
    message = "GRU 'gru' needs a known last dimension, but 'concatenate' gives (None, 50, None)"
    check_is_one_located_line(text, "GRU: {units: 32}", message, write_spec, capsys)
