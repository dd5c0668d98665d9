"""The code `rnndiagrams code` writes for each PyTorch graph case, run in real PyTorch (the
`test` extra installs it): its named_parameters are the oracle's, it loads the original
module's state_dict (strict), and on the case's INPUTS it returns the oracle's shapes and,
with those weights, the original module's very numbers."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import rnndiagrams
from rnndiagrams.frameworks import framework
from rnndiagrams.frameworks.pytorch.modules import modules, named_parameters, output_shapes
from rnndiagrams.frameworks.pytorch.run_graph import GraphRun

HERE = Path(__file__).parent
CASES = {
    case["name"]: case["pytorch"]
    for case in json.loads((HERE / "oracle/graphs/cases-v3.json").read_text())["cases"]
    if case["framework"] == "pytorch"
}


def _flat(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    return [t for item in value for t in _flat(item)]


def _exported(spec_path: Path) -> torch.nn.Module:
    spec = rnndiagrams.load(str(spec_path))
    code = framework("pytorch").code_text(rnndiagrams.shape_model(spec, "pytorch"))
    namespace: dict[str, Any] = {}
    exec(compile(code, str(spec_path), "exec"), namespace)
    return namespace["model"]  # type: ignore[no-any-return]


def _original(name: str) -> tuple[torch.nn.Module, list[tuple[tuple[int, ...], str]]]:
    where = importlib.util.spec_from_file_location(name, HERE / f"oracle/graphs/torch/{name}.py")
    assert where is not None and where.loader is not None
    module = importlib.util.module_from_spec(where)
    where.loader.exec_module(module)
    return module.Model(), module.INPUTS


@pytest.mark.parametrize("name", sorted(CASES))
def test_exported_module_is_the_original(name: str) -> None:
    oracle = CASES[name]
    torch.manual_seed(0)
    exported = _exported(HERE / "torch_graphs" / f"{name}.yaml")
    original, inputs = _original(name)
    assert [[n, list(p.shape)] for n, p in exported.named_parameters()] == oracle["weights"]
    assert sum(p.numel() for p in exported.parameters()) == oracle["total_params"]
    exported.load_state_dict(original.state_dict(), strict=True)
    exported.eval()
    original.eval()
    args = [
        torch.randint(0, 100, shape) if dtype == "int64" else torch.randn(shape)
        for shape, dtype in inputs
    ]
    with torch.no_grad():
        got, want = _flat(exported(*args)), _flat(original(*args))
    assert len(got) == len(oracle["outputs"])
    pairs = [(list(t.shape), shape) for t, shape in zip(got, oracle["outputs"], strict=True)]
    # the oracle writes the batch as None: one size, the inputs' batch, wherever it is
    batches = {d for real, shape in pairs for d, o in zip(real, shape, strict=True) if o is None}
    assert len(batches) == 1 and batches <= set(inputs[0][0])
    assert [[None if d in batches else d for d in real] for real, _ in pairs] == oracle["outputs"]
    assert len(got) == len(want)
    for mine, theirs in zip(got, want, strict=True):
        assert torch.allclose(mine, theirs, atol=1e-6)


def test_a_tied_weight_is_one_parameter_counted_once() -> None:
    path = HERE / "torch_specs" / "wordlm_tied.yaml"
    model = rnndiagrams.shape_model(rnndiagrams.load(str(path)), "pytorch")
    exported = _exported(path)
    assert exported.decoder.weight is exported.encoder.weight
    assert [(n, tuple(p.shape)) for n, p in exported.named_parameters()] == named_parameters(model)
    assert sum(p.numel() for p in exported.parameters()) == model.total_params
    assert "decoder.weight" not in dict(named_parameters(model))
    out, h, c = exported(torch.randint(0, 1000, (35, 3)))
    assert [list(t.shape) for t in (out, h, c)] == [
        [3 if d is None else d for d in shape] for shape in output_shapes(model)
    ]


TORCH_GALLERY = [
    p
    for p in [
        *sorted((HERE.parent / "specs").glob("*.yaml")),
        *(HERE / "torch_specs").glob("*.yaml"),
    ]
    if rnndiagrams.load(str(p)).graph and rnndiagrams.load(str(p)).framework == "pytorch"
]


@pytest.mark.parametrize("path", TORCH_GALLERY, ids=lambda p: p.stem)
def test_gallery_torch_graphs_run_in_real_pytorch(path: Path) -> None:
    """The gallery's PyTorch graphs and ours: the exported module has the engine's
    parameters and returns the engine's shapes (the batch 3)."""
    model = rnndiagrams.shape_model(rnndiagrams.load(str(path)), "pytorch")
    exported = _exported(path).eval()
    assert [(n, tuple(p.shape)) for n, p in exported.named_parameters()] == named_parameters(model)
    sizes = [  # in the model's layout: the batch first, or second after the steps; a length
        # left open (`shape: [null]`) is 3 steps, as the batch, so every None below is 3
        tuple(3 if d is None else d for d in shape)
        for shape in (
            (3, *i.shape) if model.time_axis == 1 else (i.shape[0], 3, *i.shape[1:])
            for i in model.spec.inputs
        )
    ]
    args = [
        torch.randint(0, 100, size) if i.dtype == "int64" else torch.randn(size)
        for i, size in zip(model.spec.inputs, sizes, strict=True)
    ]
    with torch.no_grad():
        got = _flat(exported(*args))
    assert [list(t.shape) for t in got] == [
        [3 if d is None else d for d in shape] for shape in output_shapes(model)
    ]


GRAPHS = [
    p
    for folder in ("torch_graphs", "torch_specs")
    for p in sorted((HERE / folder).glob("*.yaml"))
    if rnndiagrams.load(str(p)).graph
]


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_verify_equations_give_pytorch_numbers(path: Path) -> None:
    """verify's numpy run of each graph case (the 3 chains are bench/torch_crosscheck.py's
    kind) and of our other PyTorch graphs, given the exported module's weights, computes
    what PyTorch computes on the same inputs: cells, states handed over, loops with
    feedback, attention, every function, a tied weight."""
    model = rnndiagrams.shape_model(rnndiagrams.load(str(path)), "pytorch")
    torch.manual_seed(1)
    exported = _exported(path).eval()
    params = {n: p.detach().double().numpy() for n, p in exported.named_parameters()}
    run = GraphRun(model, np.random.default_rng(0))
    for module in modules(model):
        for w in module.weights:
            run.arrays[module.name][w] = params[f"{module.name}.{w.name('pytorch')}"]
    run.run()
    args = [torch.from_numpy(run.values[i.name, 0]) for i in model.spec.inputs]
    with torch.no_grad():
        got = _flat(exported.double()(*args))
    want = [run.values[ref.source, ref.output] for ref in model.spec.outputs]
    assert len(got) == len(want)
    for mine, theirs in zip(want, got, strict=True):
        assert np.allclose(mine, theirs.numpy(), atol=1e-8)
