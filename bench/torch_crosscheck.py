"""Cross-check the PyTorch dialect against real PyTorch (not part of `make test`: needs torch).

For every `"framework": "pytorch"` oracle case: the generated `code` builds, runs on a batch of
13 and returns the engine's output shape, with the oracle's parameter total and the engine's
`named_parameters()`; and the numpy equations of `verify` give PyTorch's numbers, module by
module, on PyTorch's own weights. Run with an interpreter that has torch 2.13, numpy and
PyYAML (`pip install torch==2.13.0` takes the CPU build from disk here):

    /path/to/python bench/torch_crosscheck.py
"""

import contextlib
import io
import json
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import yaml  # noqa: E402

from rnndiagrams import load, shape_model  # noqa: E402
from rnndiagrams.frameworks.pytorch import run as torch_verify  # noqa: E402
from rnndiagrams.frameworks.pytorch.code import torch_code  # noqa: E402

BATCH = 13


def main() -> int:
    warnings.simplefilter("ignore")
    cases = json.loads((ROOT / "tests" / "oracle" / "cases-v2.json").read_text())["cases"]
    cases = [c for c in cases if c["framework"] == "pytorch"]
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            path = Path(tmp) / f"{case['name']}.yaml"
            doc = {
                "framework": "pytorch",
                "model": {"input": case["input"], "layers": case["layers"]},
            }
            path.write_text(yaml.safe_dump(doc))
            model = shape_model(load(str(path)))
            module = _build(model)
            assert sum(p.numel() for p in module.parameters()) == case["pytorch"]["total_params"]
            names = [f"{m.name}.{w.name('pytorch')}" for m in model.layers for w in m.weights]
            assert [n for n, _ in module.named_parameters()] == names
            shape = tuple(BATCH if d is None else d for d in model.input_shape)
            integer = model.spec.input_dtype.startswith("int")
            x = torch.randint(0, 50, shape) if integer else torch.randn(shape, dtype=torch.float64)
            module = module.double().eval()
            with torch.no_grad():
                y = module(x)
            expected = [BATCH if d is None else d for d in model.layers[-1].output_shape]
            assert list(y.shape) == expected, (case["name"], list(y.shape), expected)
            worst = max(worst, _numpy_vs_torch(model, module, x))
    print(f"{len(cases)} cases: generated code builds and runs with the oracle's totals and names;")
    print(f"numpy (verify's equations) vs PyTorch, largest difference: {worst:.1e}")
    return 0


def _build(model) -> torch.nn.Module:
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(torch_code(model), "generated.py", "exec"), namespace)
    assert out.getvalue() == "", "the generated code printed something"
    return namespace["model"]


def _numpy_vs_torch(model, module, x) -> float:
    """Each module on the same input in numpy and in PyTorch; the largest difference."""
    worst, ours, theirs = 0.0, x.numpy(), x
    for layer in model.layers:
        child = getattr(module, layer.name)
        params = dict(child.named_parameters())
        arrays = {w: params[w.name("pytorch")].detach().numpy() for w in layer.weights}
        ours = torch_verify.run_module(model, layer, arrays, ours)
        with torch.no_grad():
            theirs = child(theirs)
        if isinstance(theirs, tuple):  # an RNN module: (output, h_n) or (output, (h_n, c_n))
            theirs = theirs[0]
            if layer.spec.take == "last":
                theirs = theirs[:, -1] if model.time_axis == 1 else theirs[-1]
        worst = max(worst, float(np.abs(ours - theirs.numpy()).max()))
    return worst


if __name__ == "__main__":
    sys.exit(main())
