"""Live models (issue 18): `figure(model)`, `summary(model)` and `rnndiagrams import
FILE.py:NAME` with a real keras.Model and nn.Module, as the test extra installs them."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

import rnndiagrams
from rnndiagrams.cli import main
from rnndiagrams.errors import SpecError
from rnndiagrams.frameworks import framework
from rnndiagrams.frameworks.pytorch.modules import (
    call_order,
    loop_steps,
    named_parameters,
    output_shapes,
)
from rnndiagrams.specification.validate import validate
from rnndiagrams.specification.yamldoc import parse_doc

torch = pytest.importorskip("torch")
nn = torch.nn

KERAS_ENV = {**os.environ, "KERAS_BACKEND": "torch"}
CASES = sorted((ROOT / "tests/oracle/graphs/torch").glob("*.py"))
ORACLE = {
    c["name"]: c["pytorch"]
    for c in json.loads((ROOT / "tests/oracle/graphs/cases-v3.json").read_text())["cases"]
    if c["framework"] == "pytorch"
}


def _python(code: str, cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=KERAS_ENV,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


KERAS_MODELS = """
import numpy as np, keras

def fitted():
    # no Input layer: fit() on integer ids records the input as float32 ahead of Embedding
    m = keras.Sequential([keras.layers.Embedding(100, 8), keras.layers.LSTM(16),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(loss="binary_crossentropy")
    m.fit(np.random.randint(0, 100, (8, 5)), np.zeros((8, 1)), verbose=0)
    return m

named = keras.Sequential([keras.Input((7, 3)), keras.layers.GRU(6)], name="my_net")
"""


def test_keras_models_keras_loads_are_imported_and_titled_by_their_own_name(tmp_path):
    (tmp_path / "nets.py").write_text(KERAS_MODELS)
    out = _python(
        """
        import json, nets, rnndiagrams as rd
        fitted = nets.fitted()
        print(fitted.to_json())
        s = rd.summary(fitted)
        f = rd.figure(nets.named, "stack")
        print(json.dumps([s.model.total_params, s.model.spec.input_dtype, s.model.spec.title,
                          f.spec.title, f.spec.subtitle, "titled with the model" in f.svg]))
        print(fitted.count_params())
        """,
        tmp_path,
    )
    config, ours, keras_count = out.strip().splitlines()
    assert '"dtype": "float32"' in config.split('"Embedding"')[0]  # what Keras really saved
    total, dtype, title, named_title, subtitle, drawn = json.loads(ours)
    assert total == int(keras_count) and dtype == "int32"
    assert title == "Sequential"  # Keras's default name `sequential`: the class's name instead
    assert (named_title, subtitle, drawn) == ("my_net", "titled with the model's name", True)
    proc = subprocess.run(
        [sys.executable, "-m", "rnndiagrams", "import", "nets.py:fitted", "-o", "fitted.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=KERAS_ENV,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    spec = rnndiagrams.load(str(tmp_path / "fitted.yaml"))
    assert spec.title == "nets" and "the file's name ('sequential'" in str(spec.subtitle)
    assert "recorded as float32" in proc.stderr


class Tagger(nn.Module):
    """Registered rnn first, called after emb and drop: the spec follows forward."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(16, 32, num_layers=2, bidirectional=True, batch_first=True)
        self.emb = nn.Embedding(100, 16, padding_idx=0)
        self.drop = nn.Dropout(0.25)
        self.norm = nn.LayerNorm(64)
        self.head = nn.Linear(64, 5)

    def forward(self, x):
        out, _ = self.rnn(self.drop(self.emb(x)))
        return self.head(self.norm(out))


class Last(nn.Module):
    """Control flow on the input's size: fx cannot trace it, hooks read it."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(8, 12)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        out, _ = self.gru(x)
        if x.size(0) > 100:
            out = out[-50:]
        return self.fc(out[-1])


@pytest.mark.parametrize(
    ("module", "inputs", "how"),
    [(Tagger, [((3, 7), "int64")], "torch.fx"), (Last, [(9, 3, 8)], "the calls of one run")],
)
def test_torch_modules_import_in_forward_order_with_pytorchs_numbers(module, inputs, how):
    model = module()
    summary = rnndiagrams.summary(model, inputs=inputs)
    shaped = summary.model
    assert shaped.spec.title == module.__name__ and how in str(shaped.spec.subtitle)
    assert shaped.total_params == sum(p.numel() for p in model.parameters())
    weights = [w.shape for layer in shaped.layers for w in layer.weights]
    assert sorted(weights) == sorted(tuple(p.shape) for p in model.parameters())
    sizes = [rnndiagrams.api.input_size(i, "test") for i in inputs]
    with torch.no_grad():
        real = model(*(torch.zeros(shape, dtype=getattr(torch, dtype)) for shape, dtype in sizes))
    ours = shaped.layers[-1].output_shape
    assert len(ours) == real.dim() and all(
        o in (None, r) for o, r in zip(ours, real.shape, strict=True)
    )


def test_the_forward_order_and_take_last_are_read(tmp_path):
    assert [layer.cls for layer in rnndiagrams.summary(Tagger(), inputs=[((3, 7), "int64")])
            .model.layers] == ["Embedding", "Dropout", "LSTM", "LayerNorm", "Linear"]  # fmt: skip
    last = rnndiagrams.summary(Last(), inputs=[(9, 3, 8)]).model.layers[0]
    assert last.spec.take == "last" and last.output_shape == (None, 12)


MODELS = """
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.rnn = nn.RNN(4, 6, batch_first=True)

    def forward(self, x):
        return self.rnn(self.emb(x))[0]

def factory():
    return Net()

instance = Net()

def broken():
    return Net(3)

not_a_model = 3
"""


def test_cli_imports_a_class_an_instance_and_a_factory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nets.py").write_text(MODELS)
    texts = []
    for name in ("Net", "instance", "factory"):
        assert main(["import", f"nets.py:{name}", "--input", "2,5:int64"]) == 0
        captured = capsys.readouterr()
        texts.append(captured.out.split("\n", 1)[1])  # after the comment naming the source
        assert "structure from torch.fx" in captured.err
    assert texts[0] == texts[1] == texts[2]
    assert "RNN: {input_size: 4, hidden_size: 6, batch_first: true, name: rnn}" in texts[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.py:Net"], "missing.py: no such file"),
        (["nets.py:Nett"], "nets.py:1:1: no 'Nett' in the file (did you mean 'Net'?)"),
        (["nets.py:broken"], "nets.py:20: building broken() raised TypeError"),
        (["nets.py:not_a_model"], "nets.py:not_a_model: not_a_model is a int"),
        (["nets.py:Net", "--input", "2,5"], "nets.py:Net: forward raised RuntimeError"),
        (["nets.py:Net"], "nets.py:Net: no example input for a PyTorch module"),
    ],
)
def test_cli_import_errors_are_one_located_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nets.py").write_text(MODELS)
    assert main(["import", *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err


def test_a_file_that_raises_is_located_at_its_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text("import torch\n\nraise ValueError('no data here')\n")
    assert main(["import", "bad.py:Net", "--input", "2,5"]) == 1
    assert capsys.readouterr().err.startswith(
        "bad.py:3: running the file raised ValueError: no data here"
    )


def test_the_rest_of_the_tool_imports_no_framework():
    code = (
        "import sys; from rnndiagrams.cli import main; "
        "main(['check', 'specs/torch_gru_classifier.yaml', 'specs/lstm.yaml']); "
        "print(sorted(m for m in ('torch', 'keras') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.stdout.strip().endswith("[]"), proc.stdout + proc.stderr


def test_render_draws_any_view_the_model_has(tmp_path, capsys):
    spec = tmp_path / "net.yaml"
    spec.write_text("model:\n  input: {shape: [5, 3]}\n  layers:\n    - LSTM: {units: 4}\n")
    assert main(["render", str(spec), "--view", "cell", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out/net/cell.graphviz.svg").exists()
    capsys.readouterr()
    assert main(["render", str(spec), "--view", "celll", "-o", str(tmp_path / "out")]) == 1
    assert "--view 'celll' is not a view of this spec" in capsys.readouterr().err


def _load_case(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_shared_torch_cases_import_through_file_py_model(path, capsys, monkeypatch):
    """The shared cases import through FILE.py:Model with the oracle's named_parameters,
    total, output shapes and first-call order, and the exported code loads the original's
    state_dict."""
    case = _load_case(path)
    monkeypatch.chdir(path.parent)
    argv = ["import", f"{path.name}:Model"]
    for shape, dtype in case.INPUTS:
        argv += ["--input", f"{','.join(map(str, shape))}:{dtype}"]
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    shaped = rnndiagrams.shape_model(validate(parse_doc(out, "imported")))
    oracle = ORACLE[path.stem]
    assert [[n, list(s)] for n, s in named_parameters(shaped)] == oracle["weights"]
    assert shaped.total_params == oracle["total_params"]
    assert [list(s) for s in output_shapes(shaped)] == oracle["outputs"]
    steps = {k: v for k, v in loop_steps(shaped).items() if v is not None}
    assert call_order(shaped, steps) == oracle["call_order"]
    namespace: dict[str, Any] = {}
    exec(framework("pytorch").code_text(shaped), namespace)  # the code `rnndiagrams code` writes
    exported = namespace["model"]
    assert [[n, list(p.shape)] for n, p in exported.named_parameters()] == oracle["weights"]
    exported.load_state_dict(case.Model().state_dict())


class Tied(nn.Module):
    """PyTorch's word language model with --tied: the decoder's weight is the encoder's."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Embedding(50, 8)
        self.rnn = nn.LSTM(8, 8, 2)
        self.decoder = nn.Linear(8, 50)
        self.decoder.weight = self.encoder.weight

    def forward(self, x):
        output, hidden = self.rnn(self.encoder(x))
        return self.decoder(output), hidden


def test_a_tied_weight_is_counted_once_and_loads_back():
    original = Tied()
    shaped = rnndiagrams.summary(original, inputs=[((6, 2), "int64")]).model
    assert shaped.total_params == sum(p.numel() for p in original.parameters())
    assert [n for n, _ in named_parameters(shaped)] == [n for n, _ in original.named_parameters()]
    assert [list(s) for s in output_shapes(shaped)] == [[6, None, 50], [2, None, 8], [2, None, 8]]
    namespace: dict[str, Any] = {}
    exec(framework("pytorch").code_text(shaped), namespace)
    namespace["model"].load_state_dict(original.state_dict())


@pytest.mark.parametrize("name", ["torch_gru_classifier", "torch_lstm_projections", "imdb_bilstm"])
def test_check_and_the_figure_count_layers_the_same_way(name, capsys):
    path = str(ROOT / "specs" / f"{name}.yaml")
    assert main(["check", path]) == 0
    checked = re.search(r"ok: (\d+) layers", capsys.readouterr().out)
    drawn = re.search(r"(\d+) layers: ", rnndiagrams.figure(path, "unrolled").svg)
    assert checked and drawn and checked[1] == drawn[1]


class Relu(nn.Module):
    """A loop with a function the dialect has no word for, between two cells."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.RNNCell(2, 4)
        self.b = nn.RNNCell(4, 4)

    def forward(self, x):
        h, g, out = x.new_zeros(x.size(0), 4), x.new_zeros(x.size(0), 4), []
        for t in range(x.size(1)):
            h = self.a(x[:, t], h)
            g = self.b(torch.relu(h), g)
            out.append(g)
        return torch.stack(out, 1)


class NotAttention(nn.Module):
    """Wa, Ua and Va as the tutorial's attention has them, computing something else."""

    def __init__(self) -> None:
        super().__init__()
        self.Wa, self.Ua, self.Va = nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 1)

    def forward(self, query, keys):
        weights = torch.sigmoid(self.Va(self.Wa(query) * self.Ua(keys))).transpose(1, 2)
        return torch.bmm(weights, keys), weights


class Attends(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(4, 4, batch_first=True)
        self.attention = NotAttention()

    def forward(self, x):
        keys, hidden = self.rnn(x)
        return self.attention(hidden.permute(1, 0, 2), keys)[0]


class Both(nn.Module):
    """An RNN's whole output and its last step, both read: no `take` says that."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(3, 4, batch_first=True)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        if x.size(1) > 100:
            return out
        return self.fc(out[:, -1]) + self.fc(out).mean(1)


class Short(nn.Module):
    """A loop over 3 of the input's 5 steps: `over:` would run them all."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.RNNCell(3, 4)

    def forward(self, x):
        h, out = None, []
        for t in range(3):
            h = self.cell(x[:, t], h)
            out.append(h)
        return torch.stack(out, 1)


class Plus(nn.Module):
    """A number added to a tensor: the dialect's add adds two tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return self.fc(x + 1)


class Identity(nn.Module):
    def forward(self, x):
        return x


@pytest.mark.parametrize(
    ("module", "inputs", "message"),
    [
        (Relu, [(2, 5, 2)], "forward applies relu, which the import does not read"),
        (Short, [(2, 5, 3)], "forward loops over 3 of the 5 steps of x"),
        (Plus, [(2, 3)], "with (1,), which the import does not read"),
        (Identity, [(2, 3)], "forward calls no module"),
        (lambda: nn.Sequential(nn.Linear(3, 2)), [(2, 3)], "calls 0, a name the spec cannot"),
        (Attends, [(2, 5, 4)], "calls attention, which does not compute BahdanauAttention"),
        (Both, [(2, 5, 3)], "forward applies mean, which the import does not read"),
    ],
)
def test_what_a_recorded_run_cannot_say_is_one_line(module, inputs, message):
    with pytest.raises(SpecError) as caught:
        rnndiagrams.summary(module(), inputs=inputs)
    text = str(caught.value)
    assert message in text and text.count(": ") > 1 and "\n" not in text, text


def test_every_gallery_model_imports_back_from_the_live_model_its_code_builds():
    """`rnndiagrams code` of each gallery spec, built in real Keras or PyTorch and imported
    back as a live model, gives the spec's modules and count (bench/live_gallery.py)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "live_gallery.py"), str(ROOT / "specs")],
        capture_output=True,
        text=True,
        env=KERAS_ENV,
        timeout=600,
    )
    count = len(list((ROOT / "specs").glob("*.yaml")))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"{count} of {count} gallery models import back" in proc.stdout
