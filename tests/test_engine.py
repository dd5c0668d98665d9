"""The shape engine beyond the oracle: naming rules, notations, and verify catching wrong shapes."""

import pytest

from rnndiagrams import SpecError, load, shape_model, verify
from rnndiagrams.frameworks.keras.shapes import weight_path
from rnndiagrams.shapes.shaped import format_shape

NUMPY_SEED = """
model:
  input: {shape: [100, 32]}
  layers:
    - SimpleRNN: {units: 64, return_sequences: true}
"""


def _model(write_spec, text, convention="keras"):
    return shape_model(load(str(write_spec(text))), convention)


def test_seed_numpy_loop_shapes(write_spec):
    model = _model(write_spec, NUMPY_SEED)
    rnn = model.layers[0]
    weights = {w.name("seed"): w.shape_in("seed") for w in rnn.weights}
    # the seed's listing: W (64, 32), U (64, 64), b (64,), stacked outputs (100, 64) per sample
    assert weights == {"W": (64, 32), "U": (64, 64), "b": (64,)}
    assert rnn.output_shape == (None, 100, 64)
    assert rnn.step_tensor("x_t").shape == (32,) and rnn.step_tensor("h_t").shape == (64,)
    verify(model)


def test_verify_catches_a_wrong_weight_shape(write_spec):
    model = _model(write_spec, NUMPY_SEED)
    rnn = model.layers[0]
    bad_w = rnn.weights[0]._replace(shape=(64, 31))
    bad = model._replace(layers=(rnn._replace(weights=(bad_w,) + rnn.weights[1:]),))
    with pytest.raises((SpecError, ValueError)):
        verify(bad)


def test_verify_catches_a_wrong_output_shape(write_spec):
    model = _model(write_spec, NUMPY_SEED)
    rnn = model.layers[0]
    bad = model._replace(layers=(rnn._replace(output_shape=(None, 6400)),))
    with pytest.raises(
        SpecError,
        match=r"output is \(2, 100, 64\) when executed, but the engine computed \(None, 6400\)",
    ):
        verify(bad)


def test_verify_catches_a_wrong_step_tensor(write_spec):
    model = _model(
        write_spec, "model:\n  input: {shape: [4, 3]}\n  layers:\n    - LSTM: {units: 5}\n"
    )
    lstm = model.layers[0]
    step = tuple(t._replace(shape=(7,)) if t.symbol == "c_t" else t for t in lstm.step)
    with pytest.raises(SpecError, match="c_t"):
        verify(model._replace(layers=(lstm._replace(step=step),)))


def test_user_names_and_auto_names(write_spec):
    model = _model(
        write_spec,
        """
model:
  input: {shape: [5, 3]}
  layers:
    - LSTM: {units: 4, return_sequences: true, name: encoder}
    - LSTM: {units: 4, return_sequences: true}
    - Bidirectional: {layer: {LSTM: {units: 2, return_sequences: true}}}
    - LSTM: {units: 4}
""",
    )
    # Keras counts auto names per class; the LSTM inside Bidirectional takes one too
    assert [layer.name for layer in model.layers] == ["encoder", "lstm", "bidirectional", "lstm_2"]
    assert (
        weight_path(model.layers[2], model.layers[2].weights[0])
        == "bidirectional/forward_lstm_1/lstm_cell/kernel"
    )


def test_pytorch_names_for_both_directions(write_spec):
    model = _model(
        write_spec,
        "model:\n  input: {shape: [5, 3]}\n  layers:\n"
        "    - Bidirectional: {layer: {GRU: {units: 2}}, merge_mode: sum}\n",
        "pytorch",
    )
    names = [w.name("pytorch") for w in model.layers[0].weights]
    assert names == [
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
        "weight_ih_l0_reverse",
        "weight_hh_l0_reverse",
        "bias_ih_l0_reverse",
        "bias_hh_l0_reverse",
    ]
    assert model.layers[0].output_shape == (None, 2)
    verify(model)


def test_notations_rename_but_keep_sizes(write_spec):
    model = _model(write_spec, NUMPY_SEED)
    w = model.layers[0].weights[0]
    assert [w.name(n) for n in ("seed", "goodfellow", "keras", "pytorch")] == [
        "W",
        "U",
        "kernel",
        "weight_ih_l0",
    ]
    assert w.shape_in("keras") == (32, 64) and w.shape_in("pytorch") == (64, 32)


def test_go_backwards_and_all_activations_run(write_spec):
    from rnndiagrams.frameworks.keras.catalog import ACTIVATIONS

    layers = "".join(f"    - Dense: {{units: 3, activation: {a}}}\n" for a in ACTIVATIONS)
    model = _model(
        write_spec,
        "model:\n  input: {shape: [4, 3]}\n  layers:\n"
        "    - GRU: {units: 3, go_backwards: true, return_sequences: true, reset_after: false}\n"
        + layers,
    )
    verify(model)
    assert model.layers[-1].output_shape == (None, 4, 3)


def test_format_shape_matches_keras():
    assert format_shape((None, None, 32)) == "(None, None, 32)"
    assert format_shape((64,)) == "(64,)"
