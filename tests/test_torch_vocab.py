"""Issue 18's remaining PyTorch vocabulary with the real torch the test extra installs:
Flatten, Dropout1d, Dropout2d, BatchNorm1d and LazyLinear. For each, a small model: its
live import (`FILE.py:NAME`) gives PyTorch's named_parameters, total and output shape; the
exported code loads the original state_dict and computes what the original computes, as
do verify's numpy equations; print(model)'s text imports; bad shapes are one located line."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnndiagrams.cli import main
from rnndiagrams.errors import SpecError
from rnndiagrams.frameworks.pytorch.importer import import_print
from rnndiagrams.frameworks.pytorch.modules import (
    named_buffers,
    named_parameters,
    output_shapes,
)
from rnndiagrams.frameworks.pytorch.run import run_module
from rnndiagrams.shapes import ShapedModel, shape_model
from rnndiagrams.specification.model import ViewSpec
from rnndiagrams.specification.validate import validate
from rnndiagrams.specification.yamldoc import parse_doc

torch = pytest.importorskip("torch")

MODELS = """
import torch
from torch import nn

class FlatDrop(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.drop = nn.Dropout1d(0.3)
        self.rnn = nn.GRU(8, 16, batch_first=True)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(80, 3)

    def forward(self, x):
        out, _ = self.rnn(self.drop(self.emb(x)))
        return self.fc(self.flat(out))

class Drop2d(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 10, batch_first=True)
        self.drop = nn.Dropout2d(0.2)
        self.head = nn.Linear(10, 4)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(self.drop(out))

class Norm(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 8, batch_first=True)
        self.bn = nn.BatchNorm1d(8, eps=1e-3, momentum=0.2)
        self.act = nn.ReLU()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(self.act(self.bn(out[:, -1])))

class Channels(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(3, momentum=None, bias=False)
        self.plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
        self.flat = nn.Flatten(1, 2)
        self.fc = nn.Linear(30, 2)

    def forward(self, x):
        return self.fc(self.flat(self.plain(self.bn(x))))

class Lazy(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(5, 7, batch_first=True)
        self.out = nn.LazyLinear(3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.out(out[:, -1])
"""
# name -> (--input, the example's shape and dtype)
CASES = {
    "FlatDrop": ("2,5:int64", (2, 5), torch.int64),
    "Drop2d": ("3,7,6", (3, 7, 6), torch.float32),
    "Norm": ("4,6,4", (4, 6, 4), torch.float32),
    "Channels": ("4,3,10", (4, 3, 10), torch.float32),
    "Lazy": ("2,9,5", (2, 9, 5), torch.float32),
}


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _example(shape: tuple[int, ...], dtype: Any) -> Any:
    gen = torch.Generator().manual_seed(1)
    if dtype == torch.int64:
        return torch.randint(0, 20, shape, generator=gen)
    return torch.randn(shape, generator=gen)


def _shaped(text: str, name: str) -> ShapedModel:
    return shape_model(validate(parse_doc(text, name)))


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("vocab")
    (folder / "vocab_models.py").write_text(MODELS)
    return folder, _load(folder / "vocab_models.py", "vocab_models")


@pytest.mark.parametrize("name", CASES)
def test_live_import_code_and_numbers_equal_real_pytorchs(name, models, capsys, monkeypatch):
    folder, module = models
    monkeypatch.chdir(folder)
    given, shape, dtype = CASES[name]
    original = getattr(module, name)()
    original.eval()
    x = _example(shape, dtype)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dropout2d warns of a 3D input, and runs it
        real = original(x)  # a LazyLinear becomes a Linear here
    assert main(["import", f"vocab_models.py:{name}", "--input", given, "-o", f"{name}.yaml"]) == 0
    capsys.readouterr()
    model = _shaped((folder / f"{name}.yaml").read_text(), name)
    theirs = [(n, tuple(p.shape)) for n, p in original.named_parameters()]
    assert named_parameters(model) == theirs
    assert model.total_params == sum(p.numel() for p in original.parameters())
    assert named_buffers(model) == [(n, tuple(b.shape)) for n, b in original.named_buffers()]
    (ours,) = output_shapes(model)
    assert len(ours) == real.dim() and all(
        o in (None, r) for o, r in zip(ours, real.shape, strict=True)
    )
    # the exported code loads the original state_dict (buffers too) and computes the same
    assert main(["code", f"{name}.yaml"]) == 0
    code = capsys.readouterr().out
    space: dict[str, Any] = {}
    exec(compile(code, f"{name}_code.py", "exec"), space)
    exported = space["model"]
    exported.load_state_dict(original.state_dict())
    exported.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.allclose(exported(x), real, atol=1e-6)


def _numpy_chain(model: ShapedModel, exported: Any, x: np.ndarray) -> np.ndarray:
    """verify's numpy equations, module by module, with the exported module's weights."""
    for layer in model.layers:
        params = [p.detach().double().numpy() for p in getattr(exported, layer.name).parameters()]
        x = run_module(model, layer, dict(zip(layer.weights, params, strict=True)), x)
    return x


SPEC = """\
framework: pytorch
model:
  input: {{shape: [{input}]}}
  layers:
{layers}
"""
CHAINS = {
    "batch_norm_2d": ("6", ["Linear: {in_features: 6, out_features: 12}",
                            "BatchNorm1d: {num_features: 12, eps: 0.001}",
                            "LazyLinear: {out_features: 4}"]),
    "batch_norm_3d_no_stats": ("3, 10", ["BatchNorm1d: {num_features: 3, track_running_stats: false}",
                                        "Dropout1d: {p: 0.1}", "Flatten: {}",
                                        "LazyLinear: {out_features: 2, bias: false}"]),
    "lstm_flatten": ("7, 3", ["LSTM: {input_size: 3, hidden_size: 5, batch_first: true}",
                              "Dropout2d: {}", "Flatten: {start_dim: 1, end_dim: 2}",
                              "Linear: {in_features: 35, out_features: 2}"]),
}  # fmt: skip


@pytest.mark.parametrize("name", CHAINS)
def test_specs_code_runs_in_pytorch_and_verifys_numbers_match(name, tmp_path, capsys):
    dims, layers = CHAINS[name]
    text = SPEC.format(input=dims, layers="\n".join(f"    - {layer}" for layer in layers))
    (tmp_path / f"{name}.yaml").write_text(text)
    assert main(["check", str(tmp_path / f"{name}.yaml")]) == 0  # verify: numpy, every shape
    capsys.readouterr()
    assert main(["code", str(tmp_path / f"{name}.yaml")]) == 0
    space: dict[str, Any] = {}
    exec(compile(capsys.readouterr().out, name, "exec"), space)
    exported = space["model"].double().eval()
    model = _shaped(text, name)
    x = np.random.default_rng(0).standard_normal((4, *map(int, dims.split(","))))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = exported(torch.from_numpy(x)).numpy()  # a LazyLinear infers its in_features
    theirs = [(n, tuple(p.shape)) for n, p in exported.named_parameters()]
    assert named_parameters(model) == theirs
    assert model.total_params == sum(p.numel() for p in exported.parameters())
    assert np.allclose(_numpy_chain(model, exported, x), real, atol=1e-8)


def test_print_model_text_imports_every_new_module(models):
    _, module = models
    for name, steps in (("Drop2d", 7), ("Channels", 10)):  # Channels reads (N, C, L)
        text, _ = import_print(str(getattr(module, name)()), f"{name}.txt", steps)
        ours = [shape for _, shape in named_parameters(_shaped(text, name))]
        assert ours == [tuple(p.shape) for p in getattr(module, name)().parameters()]
    lazy = torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.LazyLinear(4))
    text, _ = import_print(str(lazy), "lazy.txt")
    assert "LazyLinear" in str(lazy) and "in_features" not in text.split("LazyLinear")[1]
    assert [w.shape for layer in _shaped(text, "lazy").layers for w in layer.weights] == [
        (12, 6), (12,), (4, 12), (4,)
    ]  # fmt: skip
    norm = str(module.Norm())
    assert "BatchNorm1d(8, eps=0.001, momentum=0.2, affine=True, bias=True" in norm
    with pytest.raises(SpecError, match=r"^Norm.txt:3:9: num_features is 8"):  # GRU: (N, L, 8)
        import_print(norm, "Norm.txt", 6)


BAD = {
    "num_features": (
        "4, 6", ["BatchNorm1d: {num_features: 6}"],
        "num_features is 6, but dim 1 of the input gives (None, 4, 6) float32 is 4 channels",
    ),
    "open_length": (
        "null, 6", ["LSTM: {input_size: 6, hidden_size: 3, batch_first: true}",
                    "BatchNorm1d: {num_features: 3}"],
        "is the batch (or an open length)",
    ),
    "dropout1d_rank": (
        "4, 6", ["Flatten: {start_dim: 0}", "Dropout1d: {}"],
        "Dropout1d 'dropout1d' takes a 2D or 3D input, as PyTorch checks, but 'flatten' gives (None,)",
    ),
    "flatten_order": ("4, 6", ["Flatten: {start_dim: 2, end_dim: 1}"], "start_dim 2 comes after end_dim 1"),
    "flatten_dim": ("4, 6", ["Flatten: {end_dim: 5}"], "end_dim is 5, but the input gives"),
    "momentum": ("6", ["BatchNorm1d: {num_features: 6, momentum: 2}"], "momentum is 2"),
}  # fmt: skip


@pytest.mark.parametrize("name", BAD)
def test_bad_arguments_and_shapes_are_one_located_line(name, tmp_path, capsys):
    dims, layers, message = BAD[name]
    path = tmp_path / "bad.yaml"
    path.write_text(SPEC.format(input=dims, layers="\n".join(f"    - {x}" for x in layers)))
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    line = 4 + len(layers)
    assert err.startswith(f"{path}:{line}:") and message in err and err.count("\n") == 1, err


def test_the_time_grid_ends_where_flatten_joins_the_steps(models, tmp_path, capsys, monkeypatch):
    """After Flatten of a sequence the Linear reads every step at once: no step's o_t."""
    folder, _ = models
    monkeypatch.chdir(folder)
    assert main(["import", "vocab_models.py:FlatDrop", "--input", "2,5:int64", "-o", "f.yaml"]) == 0
    capsys.readouterr()
    model = _shaped((folder / "f.yaml").read_text(), "f")
    view = ViewSpec("unrolled", "unrolled", {"layer": None}, ())
    assert model.unstack is not None
    drawn, _ = model.unstack(model, view)
    assert [m.name for m in drawn.layers] == ["emb", "rnn"]  # drop is a note on rnn's input
