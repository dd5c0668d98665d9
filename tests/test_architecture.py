"""The package's layering, read from its source: no import cycle, TYPE_CHECKING imports included.

A cycle hidden under TYPE_CHECKING still ties two modules together (neither can move or be
understood alone), so every import statement counts, wherever it stands in the module.
"""

import ast
import re
from pathlib import Path
from typing import cast

PACKAGE = Path(__file__).resolve().parents[1] / "rnndiagrams"


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's __init__)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (relative imports resolved; `from a import b`
    counts as importing `a.b` when `b` is a module, else `a`)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        here = name.split(".") if package else name.split(".")[:-1]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in modules else target)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import X\n"
    )
    (pkg / "c.py").write_text("from . import a\n")
    assert cycles(import_graph(pkg)) == [["pkg.a", "pkg.sub.b"]]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


# What views and backends must not read: a framework's name, a test of it, its folder, or a
# layer's arguments and class name (a framework's vocabulary; the shaped model says it neutrally).
FRAMEWORK_WORDS = re.compile(
    r"""["'](pytorch|keras)["']|framework\s*[!=]=|\.framework\b|frameworks|\.args\b|\.cls\b"""
)


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Lines of code with comments and docstrings left out (they may name a framework)."""
    docstrings = set()
    for node in ast.walk(ast.parse(path.read_text())):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings |= set(range(first.lineno, cast(int, first.end_lineno) + 1))
    lines = path.read_text().splitlines()
    return [
        (n, line.split("#")[0])
        for n, line in enumerate(lines, start=1)
        if n not in docstrings and line.split("#")[0].strip()
    ]


def framework_reads(root: Path = PACKAGE) -> list[str]:
    """`file:line: code` of every line under views/ and render/ that names or tests a framework."""
    found = []
    for folder in ("views", "render"):
        for path in sorted((root / folder).rglob("*.py")):
            for n, code in _code_lines(path):
                if FRAMEWORK_WORDS.search(code):
                    found.append(f"{path.relative_to(root)}:{n}: {code.strip()}")
    return found


def test_framework_grep_finds_a_framework_test(tmp_path):
    views = tmp_path / "views"
    views.mkdir()
    (views / "a.py").write_text(
        '"""Keras and "pytorch" in a docstring are fine."""\n'
        "x = 1  # so is 'keras' in a comment\n"
        'if spec.framework == "pytorch":\n'
        "    units = layer.spec.args['units']\n"
    )
    assert framework_reads(tmp_path) == [
        'views/a.py:3: if spec.framework == "pytorch":',
        "views/a.py:4: units = layer.spec.args['units']",
    ]


def test_views_and_backends_read_no_framework():
    """Views and backends read the neutral shaped model and the Scene only."""
    assert framework_reads() == []


def test_only_the_registry_loads_a_framework():
    """Outside frameworks/, no module imports a framework's folder: it asks the registry."""
    graph = import_graph()
    found = {
        module: sorted(d for d in deps if d.startswith("rnndiagrams.frameworks."))
        for module, deps in graph.items()
        if not module.startswith("rnndiagrams.frameworks")
    }
    assert {m: d for m, d in found.items() if d} == {}


def test_every_layer_class_has_a_role():
    """Where a layer sits in a figure follows from its role, one column of its catalogue."""
    from rnndiagrams.frameworks.keras import catalog as keras
    from rnndiagrams.frameworks.pytorch import catalog as torch
    from rnndiagrams.shapes.shaped import ROLES

    torch_classes = {*torch.MODULES, *torch.FUNCTIONS, *torch.LOOP_PARTS}
    for classes, roles in ((set(keras.LAYERS), keras.ROLES), (torch_classes, torch.ROLES)):
        assert set(roles) == classes
        assert set(roles.values()) <= set(ROLES)


def test_every_framework_answers_the_whole_protocol():
    """A framework folder's __init__ has every member of `Framework`, functions with the
    protocol's parameters (mypy cannot check a module loaded by name)."""
    import inspect

    from rnndiagrams.frameworks import NAMES, Framework, framework

    members = {
        name: value
        for name, value in vars(Framework).items()
        if not name.startswith("_") and callable(value)
    }
    constants = set(Framework.__annotations__)
    assert members and constants
    for name in NAMES:
        module = framework(name)
        missing = [m for m in (*members, *constants) if not hasattr(module, m)]
        assert missing == [], (name, missing)
        for member, method in members.items():
            wanted = list(inspect.signature(method).parameters)[1:]  # without self
            assert list(inspect.signature(getattr(module, member)).parameters) == wanted, member


def test_every_layer_names_what_it_reads():
    """The shaped model is a graph: each layer reads the tensors of the layers it names (in a
    chain, the layer before; in a graph spec, what its inputs: and initial_state: name), and a
    PyTorch module's drawn layers read each other in turn."""
    from conftest import ROOT

    from rnndiagrams import load, shape_model
    from rnndiagrams.specification.graph import sources

    for path in sorted((ROOT / "specs").glob("*.yaml")):
        model = shape_model(load(str(path)))
        names = ["input"] + [layer.name for layer in model.layers]
        if model.spec.graph:
            given = {i.name for i in model.spec.inputs} | set(names[1:])
            for layer in model.layers:
                refs = sources(layer.spec)  # in its step: a step before orders nothing
                assert layer.reads == tuple(dict.fromkeys(r.source for r in refs)), path.name
                assert set(layer.reads) <= given - {layer.name}, path.name
            continue
        assert [layer.reads for layer in model.layers] == [(n,) for n in names[:-1]], path.name
        if model.unstack is not None:
            drawn, _ = model.unstack(model, load(str(path)).views[0])
            assert drawn.unstack is None
            made = {"input"} | {x.name for x in model.layers} | {x.name for x in drawn.layers}
            assert all(set(x.reads) <= made for x in drawn.layers), path.name
