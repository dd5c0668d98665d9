"""The layers around the recurrent ones (issue 9): validation, verify, summary's counts."""

import json

import pytest
import test_errors
import yaml
from conftest import keras_cases_v2

from rnndiagrams import verify
from rnndiagrams.cli import main
from rnndiagrams.errors import SpecError
from rnndiagrams.shapes import shape_model
from rnndiagrams.specification.validate import load

CASES = keras_cases_v2()
HEAD = "model:\n  input: {shape: [12, 3]}\n  layers:\n"

BAD = {
    "bidirectional_go_backwards": (
        HEAD + "    - Bidirectional: {layer: {LSTM: {units: 3, go_backwards: true}}}\n",
        4,
        62,
        "Bidirectional cannot wrap a layer with go_backwards: true ('lstm')",
    ),
    "time_distributed_lstm": (
        HEAD + "    - TimeDistributed: {layer: {LSTM: {units: 3}}}\n",
        4,
        33,
        "TimeDistributed can only wrap Dense, not LSTM",
    ),
    "conv_longer_than_sequence": (
        HEAD + "    - Conv1D: {filters: 4, kernel_size: 13}\n",
        4,
        7,
        "kernel_size 13 does not fit in the steps: the input gives (None, 12, 3)",
    ),
    "pooling_longer_than_sequence": (
        HEAD + "    - Conv1D: {filters: 4, kernel_size: 3, strides: 3}\n"
        "    - MaxPooling1D: {pool_size: 5}\n",
        5,
        7,
        "pool_size 5 does not fit in the steps: 'conv1d' gives (None, 4, 4)",
    ),
    "conv_strides_and_dilation": (
        HEAD + "    - Conv1D: {filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2}\n",
        4,
        7,
        "has strides 2 and dilation_rate 2 above 1",
    ),
    "conv_after_last_state": (
        HEAD + "    - LSTM: {units: 3}\n    - Conv1D: {filters: 4, kernel_size: 3}\n",
        5,
        7,
        "needs a sequence (batch, timesteps, channels), but 'lstm' gives (None, 3)",
    ),
    "repeat_vector_on_sequence": (
        HEAD + "    - RepeatVector: {n: 3}\n",
        4,
        7,
        "needs one vector per sample (batch, features), but the input gives (None, 12, 3)",
    ),
    "flatten_unknown_length": (
        "model:\n  input: {shape: [null, 3]}\n  layers:\n    - Flatten: {}\n",
        4,
        7,
        "needs every dimension but the batch known, but the input gives (None, None, 3)",
    ),
    "negative_stddev": (
        HEAD + "    - GaussianNoise: {stddev: -1}\n",
        4,
        31,
        "stddev is -1; expected a number >= 0",
    ),
    "infinite_mask_value": (
        HEAD + "    - Masking: {mask_value: .inf}\n",
        4,
        29,
        "mask_value is inf; expected a number",
    ),
    "keras_alias": (
        HEAD + "    - GlobalMaxPool1D: {}\n",
        4,
        7,
        "unknown layer class 'GlobalMaxPool1D' (did you mean 'GlobalMaxPooling1D'?)",
    ),
    "dropout_without_rate": (
        HEAD + "    - Dropout: {}\n",
        4,
        7,
        "missing its required argument 'rate'",
    ),
    "causal_pooling": (
        HEAD + "    - MaxPooling1D: {padding: causal}\n",
        4,
        31,
        "padding is the string 'causal'; expected one of valid, same",
    ),
    "conv_argument_on_pooling": (
        HEAD + "    - MaxPooling1D: {kernel_size: 3}\n",
        4,
        22,
        "'kernel_size' is an argument of Conv1D, not of MaxPooling1D",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_layer_is_one_located_line(name, write_spec, capsys, monkeypatch):
    monkeypatch.setitem(test_errors.CASES, name, BAD[name])
    test_errors.test_bad_input_is_one_located_line(name, write_spec, capsys)


def _spec(case, write_spec):
    return load(
        str(write_spec(yaml.safe_dump({"model": {k: case[k] for k in ("input", "layers")}})))
    )


@pytest.mark.parametrize("convention", ["keras", "pytorch"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_numpy_forward_pass_runs_every_case(case, convention, write_spec):
    verify(shape_model(_spec(case, write_spec), convention))


@pytest.mark.parametrize(
    "cls", ["Conv1D", "MaxPooling1D", "AveragePooling1D", "Flatten", "RepeatVector"]
)
def test_verify_catches_a_wrong_length(cls, write_spec):
    case = next(c for c in CASES if any(cls in layer for layer in c["layers"]))
    model = shape_model(_spec(case, write_spec), "keras")
    i = next(i for i, layer in enumerate(model.layers) if layer.cls == cls)
    wrong = tuple(d + 1 if d is not None else None for d in model.layers[i].output_shape)
    layers = list(model.layers)
    layers[i] = layers[i]._replace(output_shape=wrong)
    with pytest.raises(SpecError, match="when executed"):
        verify(model._replace(layers=tuple(layers)))


def test_summary_prints_non_trainable_as_keras_does(write_spec, capsys):
    case = next(c for c in CASES if c["keras"]["non_trainable_params"])
    path = write_spec(yaml.safe_dump({"model": {k: case[k] for k in ("input", "layers")}}))
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr().out
    expected = case["keras"]
    assert f" Total params: {expected['total_params']:,} (" in out
    assert f" Trainable params: {expected['trainable_params']:,} (" in out
    assert f" Non-trainable params: {expected['non_trainable_params']:,} (" in out
    assert main(["summary", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["non_trainable_params"] == expected["non_trainable_params"]
    assert [layer["non_trainable"] for layer in data["layers"]] == [
        e["non_trainable"] for e in expected["layers"]
    ]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_explain_arithmetic_of_every_layer_equals_the_oracle(case, write_spec, capsys):
    path = write_spec(yaml.safe_dump({"model": {k: case[k] for k in ("input", "layers")}}))
    assert main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    for convention, label in (("keras", "Keras:  "), ("pytorch", "PyTorch:")):
        lines = [ln for ln in out.splitlines() if f"parameters, {label}" in ln]
        expected = [e["params"] for e in case[convention]["layers"]]
        assert [int(ln.rsplit(" = ", 1)[1].replace(",", "")) for ln in lines] == expected
        for ln, params in zip(lines, expected, strict=True):
            factors = ln.split(": ", 1)[1].rsplit(" = ", 1)[0].strip()
            if factors != "no weights":
                assert eval(factors.replace("x", "*")) == params  # the arithmetic is true


def test_reduced_copy_scales_the_layer_inside_time_distributed(write_spec, capsys):
    path = write_spec(
        "model:\n  input: {shape: [null, 3]}\n  layers:\n"
        "    - LSTM: {units: 8, return_sequences: true}\n"
        "    - TimeDistributed: {layer: {Dense: {units: 40000000}}}\n"
    )
    assert main(["check", str(path)]) == 0
    assert "verified on a copy with every size over" in capsys.readouterr().out


def _random_front_end(rng) -> str:
    """A spec with random Conv1D and pooling settings over a random number of steps."""
    layers = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.5:
            strides = rng.randint(1, 3)
            layers.append(
                {
                    "Conv1D": {
                        "filters": rng.randint(1, 4),
                        "kernel_size": rng.randint(1, 6),
                        "strides": strides,
                        "padding": rng.choice(["valid", "same", "causal"]),
                        "dilation_rate": 1 if strides > 1 else rng.randint(1, 3),
                    }
                }
            )
        else:
            cls = rng.choice(["MaxPooling1D", "AveragePooling1D"])
            args = {"pool_size": rng.randint(1, 4), "padding": rng.choice(["valid", "same"])}
            if rng.random() < 0.5:
                args["strides"] = rng.randint(1, 3)
            layers.append({cls: args})
    layers.append({"GRU": {"units": 2}})
    steps = rng.choice([None, rng.randint(1, 40)])
    return yaml.safe_dump({"model": {"input": {"shape": [steps, 2]}, "layers": layers}})


def test_window_shapes_agree_with_execution_on_random_settings(write_spec):
    """The engine's lengths (Keras's formulas) against windows counted on the padded input."""
    import random

    rng = random.Random(9)
    ran = 0
    for i in range(300):
        spec = load(str(write_spec(_random_front_end(rng), f"s{i}.yaml")))
        try:
            model = shape_model(spec, "keras")
        except SpecError as e:
            assert "leaves no timesteps" in e.problem
            continue
        verify(model)
        ran += 1
    assert ran > 150
