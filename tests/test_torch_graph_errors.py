"""A malformed PyTorch graph is one located line: the spec's file, line and column of the
token that is wrong, what is wrong and what was expected; never a traceback."""

from __future__ import annotations

import pytest
from conftest import check_is_one_located_line

SEQ2SEQ = """framework: pytorch
model:
  inputs:
    src: {shape: [7], dtype: int64}
    tgt: {shape: [5], dtype: int64}
  layers:
    - Embedding: {num_embeddings: 50, embedding_dim: 8, name: encoder.embedding, inputs: [src]}
    - LSTM: {input_size: 8, hidden_size: 16, batch_first: true, name: encoder.rnn}
    - Embedding: {num_embeddings: 40, embedding_dim: 8, name: decoder.embedding, inputs: [tgt]}
"""
DECODER = (
    "    - LSTM: {input_size: 8, hidden_size: 16, batch_first: true, name: decoder.rnn, "
    "initial_state: [encoder.rnn.1, encoder.rnn.2]}\n"
)
LOOP = """framework: pytorch
model:
  inputs:
    x: {shape: [6, 1]}
  layers:
    - loop:
        over: x
        future: 3
        feedback: linear
        name: steps
        layers:
          - LSTMCell: {input_size: 1, hidden_size: 4, name: cell}
          - Linear: {in_features: 4, out_features: 1, name: linear}
"""


def _seq2seq(extra: str) -> str:
    return SEQ2SEQ + extra


def _loop(old: str, new: str) -> str:
    assert old in LOOP
    return LOOP.replace(old, new)


CASES = [
    (
        _seq2seq(DECODER.replace("[encoder.rnn.1", "[encoder.rn.1")),
        "encoder.rn.1",
        "unknown reference 'encoder.rn.1'",
    ),
    (
        _seq2seq(DECODER.replace(", encoder.rnn.2]", "]")),
        "[encoder.rnn.1]",
        "LSTM 'decoder.rnn' starts from 2 states (h_0, c_0), but initial_state lists 1",
    ),
    (
        _seq2seq(DECODER.replace("hidden_size: 16", "hidden_size: 12")),
        "[encoder.rnn.1, encoder",
        "h_0 of LSTM 'decoder.rnn' is (1, None, 12), but 'encoder.rnn' output 1 is (1, None, 16)",
    ),
    (
        _seq2seq(
            DECODER
            + "    - cat: {dim: 2, inputs: [decoder.rnn, mixed], name: joined}\n"
            + "    - Linear: {in_features: 32, out_features: 16, name: mixed, inputs: [joined]}\n"
        ),
        "joined]}",
        "a cycle: 'joined' -> 'mixed' -> 'joined'",
    ),
    (
        _seq2seq("    - cat: {dim: 2, inputs: [encoder.rnn, decoder.embedding]}\n"),
        "cat: {dim: 2",
        "cat 'cat' concatenates (None, 7, 16), (None, 5, 8) at dim 2",
    ),
    (
        _seq2seq("    - LSTM: {input_size: 8, hidden_size: 16, batch_first: true}\n"),
        "LSTM: {input_size: 8, hidden_size: 16, batch_first: true, name: encoder.rnn",
        "the output of layer 'encoder.rnn' is read by no layer",
    ),
    (
        _seq2seq(DECODER.replace("name: decoder.rnn", "name: encoder")),
        "encoder.embedding, inputs",
        "'encoder.embedding' is a submodule path of module 'encoder'",
    ),
    (
        _seq2seq(DECODER.replace("[encoder.rnn.1,", "[encoder.rnn.1@t-1,")),
        "encoder.rnn.1@t-1",
        "'encoder.rnn.1@t-1' reads a step before, outside a loop",
    ),
    (
        _seq2seq(DECODER + "    - call: {module: decoder.rn}\n"),
        "decoder.rn}",
        "no module 'decoder.rn' above to call again (did you mean 'decoder.rnn'?)",
    ),
    (
        _seq2seq(
            DECODER
            + "    - Linear: {in_features: 16, out_features: 40, tie_weight: encoder.embedding}\n"
        ),
        "encoder.embedding}",
        "linear.weight is (40, 16), but encoder.embedding.weight is (50, 8)",
    ),
    (
        _loop("feedback: linear", "feedback: cell"),
        "cell\n",
        "the feedback 'cell' output 0 is (None, 4) float32, but each step reads (None, 1) float32",
    ),
    (
        _loop("        feedback: linear\n", ""),
        "3\n",
        "future is 3, but the loop names no feedback",
    ),
    (
        LOOP + "    - cat: {dim: 1, inputs: [steps, cell], name: head}\n",
        "cell], name: head",
        "'cell' is a layer of loop 'steps', read from outside it",
    ),
    (
        _loop(
            "          - Linear: {in_features: 4,",
            "          - mul: {inputs: [cell, cell.1@t-1]}\n          - Linear: {in_features: 4,",
        ),
        "cell.1@t-1",
        "cell.1@t-1 is no state that 'cell' starts a step from with an initial_state",
    ),
    (
        LOOP.replace("    - loop:", "    - RNNCell: {input_size: 1, hidden_size: 4}\n    - loop:"),
        "RNNCell",
        "RNNCell runs one step, outside a loop",
    ),
    (
        _loop("        future: 3\n        feedback: linear\n", "        keepdim: true\n"),
        "LSTMCell",
        "LSTMCell 'cell' reads one step (batch, input_size), but 'steps_t' output 0 gives "
        "(None, 1, 1)",
    ),
    (  # the time views of a loop over cells were a traceback (KeyError)
        LOOP + "views: [stack, unrolled]\n",
        "unrolled]",
        "the unrolled view of a loop written over steps (`loop:`) is not drawn yet",
    ),
]


@pytest.mark.parametrize(("text", "token", "message"), CASES)
def test_a_malformed_torch_graph_is_one_located_line(text, token, message, write_spec, capsys):
    """Each error stands at the token that is wrong (its first occurrence in the spec)."""
    check_is_one_located_line(text, token, message, write_spec, capsys)
