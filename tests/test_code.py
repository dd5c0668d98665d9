"""`rnndiagrams code`: Keras 3 code that builds exactly the spec's model, bound to `model`.

Keras is not needed to test it: the code is parsed with `ast`, its layer calls turned back
into a spec, and that spec must match the oracle. Where Keras is installed (the optional
`keras` extra), the code also runs and Keras's own counts are compared."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, keras_cases_v2
from test_oracle import assert_keras_matches, assert_pytorch_matches

from rnndiagrams.cli import main
from rnndiagrams.shapes import shape_model
from rnndiagrams.specification.validate import load

CASES = keras_cases_v2()
SPECS = [  # the Keras gallery chains (PyTorch specs: test_torch_cli.py; graphs: test_graphs.py)
    p
    for p in sorted((ROOT / "specs").glob("*.yaml"))
    if "framework: pytorch" not in p.read_text() and not load(str(p)).graph
]


def _code(spec_path: Path, capsys) -> str:
    assert main(["code", str(spec_path)]) == 0
    return capsys.readouterr().out


def _spec_from_code(code: str) -> dict:
    """The spec the code describes: keras.Input(...) and the layers.X(...) calls, read back."""
    tree = ast.parse(code)
    (assign,) = [n for n in tree.body if isinstance(n, ast.Assign)]
    assert [t.id for t in assign.targets] == ["model"]
    call = assign.value
    assert ast.unparse(call.func) == "keras.Sequential"
    first, *calls = call.args[0].elts
    assert ast.unparse(first.func) == "keras.Input"
    inputs = {k.arg: ast.literal_eval(k.value) for k in first.keywords}

    def layer(node: ast.Call) -> dict:
        assert ast.unparse(node.func).startswith("layers.") and not node.args
        kwargs = {
            k.arg: layer(k.value) if isinstance(k.value, ast.Call) else ast.literal_eval(k.value)
            for k in node.keywords
        }
        return {node.func.attr: kwargs}

    return {
        "model": {
            "input": {"shape": list(inputs["shape"]), "dtype": inputs["dtype"]},
            "layers": [layer(c) for c in calls],
        }
    }


def _runs_silently(code: str) -> None:
    tree = ast.parse(code)
    imports = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imports += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert set(imports) == {"keras"}
    calls = [ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert "print" not in calls and not any(c.endswith(".summary") for c in calls)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_code_builds_the_oracle_model(case, write_spec, capsys):
    path = write_spec(yaml.safe_dump({"model": {k: case[k] for k in ("input", "layers")}}))
    code = _code(path, capsys)
    _runs_silently(code)
    back = write_spec(yaml.safe_dump(_spec_from_code(code), allow_unicode=True), "back.yaml")
    assert_keras_matches(load(str(back)), case)
    assert_pytorch_matches(load(str(back)), case)


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_code_of_every_gallery_spec_names_every_layer(spec, write_spec, capsys):
    code = _code(spec, capsys)
    _runs_silently(code)
    back = load(str(write_spec(yaml.safe_dump(_spec_from_code(code), allow_unicode=True))))
    original = load(str(spec))
    assert [(x.cls, x.name, x.args) for x in back.layers] == [
        (x.cls, x.name, x.args) for x in original.layers
    ]


RUN = """
import contextlib, io, json, runpy, sys
out = {}
for script in sys.argv[1:]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = runpy.run_path(script)["model"]
    layers = [[l.name, list(l.output.shape), l.count_params()] for l in model.layers]
    out[script] = {"printed": printed.getvalue(), "layers": layers}
print(json.dumps(out))
"""


def test_code_runs_in_real_keras(write_spec, capsys, tmp_path):
    """Every Keras oracle case's code, run by real Keras (torch backend, one process): it prints
    nothing and builds layers with the engine's names, output shapes and parameter counts."""
    scripts, models = [], {}
    for case in CASES:
        path = write_spec(
            yaml.safe_dump({"model": {k: case[k] for k in ("input", "layers")}}),
            f"{case['name']}.yaml",
        )
        script = tmp_path / f"{case['name']}.py"
        script.write_text(_code(path, capsys))
        scripts.append(str(script))
        models[str(script)] = shape_model(load(str(path)), "keras")
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    proc = subprocess.run(
        [sys.executable, "-c", RUN, *scripts], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.splitlines()[-1])
    assert len(results) == len(CASES)
    for script, model in models.items():
        assert results[script]["printed"] == ""
        assert results[script]["layers"] == [
            [x.name, list(x.output_shape), x.params] for x in model.layers
        ], script


def test_a_title_with_slash_and_dot_names_a_model_keras_builds_on_torch(
    write_spec, tmp_path, capsys
):
    """Keras refuses '/' in a model name, and on the torch backend '.': a model titled
    "v1.2/final" failed there. (Layer names with either are refused by `check`.)"""
    head = 'title: "v1.2/final"\nmodel:\n  input: {shape: [3, 2]}\n'
    path = write_spec(head + "  layers:\n    - GRU: {units: 4}\n")
    script = tmp_path / "code.py"
    script.write_text(_code(path, capsys))
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    run = "import runpy, sys; print(runpy.run_path(sys.argv[1])['model'].name)"
    proc = subprocess.run(
        [sys.executable, "-c", run, str(script)], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1] == "v1_2_final"
