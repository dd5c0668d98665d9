"""Every gallery spec as the live model people hold, imported back: `rnndiagrams code` builds
it in real Keras or PyTorch, `rnndiagrams.summary(model)` reads the live object, and the
imported spec must have the gallery spec's layers (classes, names) and parameter count.

    KERAS_BACKEND=torch .venv/bin/python bench/live_gallery.py [specs/]

Prints one line per spec (ok, or what differs) and the count; exits 1 if any differs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import rnndiagrams  # noqa: E402
from rnndiagrams.errors import SpecError  # noqa: E402
from rnndiagrams.frameworks import framework  # noqa: E402

STEPS = 7  # a length for inputs the spec leaves open


def live(spec: rnndiagrams.Spec) -> tuple[object, list[tuple[tuple[int, ...], str]]]:
    """The model `rnndiagrams code` writes, built, and example inputs for a PyTorch one."""
    model = rnndiagrams.shape_model(spec)
    namespace: dict[str, object] = {}
    exec(framework(spec.framework).code_text(model), namespace)
    inputs = []
    if spec.framework == "pytorch":
        for given in spec.inputs:
            dims = [STEPS if d is None else d for d in given.shape]
            batch_first = next(
                (m.args.get("batch_first", True) for m in spec.layers if "batch_first" in m.args),
                True,
            )
            shape = (2, *dims) if batch_first else (dims[0], 2, *dims[1:])
            inputs.append((shape, given.dtype))
    return namespace["model"], inputs


def modules(model: rnndiagrams.ShapedModel) -> list[tuple[str, str]]:
    """The model's layers of its framework's vocabulary, by class and name, in name order:
    Keras lists a Functional model's layers in its own order, and the names of a PyTorch
    spec's functions and loop parts are the spec's own."""
    knows = framework(model.spec.framework).knows
    return sorted((layer.cls, layer.name) for layer in model.layers if knows(layer.cls))


def main(folder: str) -> int:
    paths = sorted(Path(folder).glob("*.yaml"))
    same = 0
    for path in paths:
        spec = rnndiagrams.load(str(path))
        expected = rnndiagrams.shape_model(spec)
        try:
            model, inputs = live(spec)
            imported = rnndiagrams.summary(model, inputs=inputs).model
        except SpecError as e:
            print(f"{path.name}: refused: {e}")
            continue
        ours, theirs = modules(expected), modules(imported)
        if ours != theirs or expected.total_params != imported.total_params:
            print(
                f"{path.name}: differs: {expected.total_params:,} vs {imported.total_params:,}; "
                f"{ours} vs {theirs}"
            )
            continue
        same += 1
        print(f"{path.name}: ok ({imported.total_params:,} params)")
    print(f"{same} of {len(paths)} gallery models import back from a live model unchanged")
    return 0 if same == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "specs"))
