"""Names, titles and file names may hold anything: controls, line separators, bidi controls,
surrogates, astral and Hangul characters, quotes, backslashes, and Python or YAML written
after a newline. As a property (Hypothesis): the code `rnndiagrams code` writes runs in real
Keras and real PyTorch with no payload ever live, and the YAML `rnndiagrams import` writes
reads back with exactly the keys an import writes (issue 15: a file name's newline made the
Keras code run its payload, and put live keys into imported YAML)."""

import ast
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from conftest import ORACLE_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnndiagrams.cli import main
from rnndiagrams.printable import printable
from rnndiagrams.quoting import dot_id
from rnndiagrams.specification.validate import load

MARK = "PWNED"
PAYLOADS = (
    f"\nopen({MARK!r}, 'w')\n",
    f"\r__import__('pathlib').Path({MARK!r}).touch()#",
    f"\u2028open({MARK!r}, 'w')",
    f"\x85open({MARK!r}, 'w')",
    f"'''\nopen({MARK!r}, 'w')\n'''",
    f'"""); open({MARK!r}, "w"); ("""',
    "\nrender: {theme: dark}\ntitle: pwned\n",
)
PIECES = (
    *(chr(c) for c in (*range(0x20), 0x7F, 0x80, 0x9B, 0x9F)),
    "\u2028", "\u2029", "\u061c", "\u200e", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff",
    "\ud800", "\udc80", "\udcff", "\U0001f642", "\U0001d518", "\U0010fffd", "감", "성", "ㄱ",
    "'", '"', "\\", '"""', "'''", "#", "{", "}", ":", "-", " ", "a", "Z", "_", "0", "é",
    *PAYLOADS,
)  # fmt: skip
TEXT = st.lists(st.sampled_from(PIECES) | st.characters(), min_size=1, max_size=8).map("".join)
# Half the names carry a payload whole, between two texts of any code points.
NAME = TEXT | st.builds(lambda a, p, b: a + p + b, TEXT, st.sampled_from(PAYLOADS), TEXT)
# Text a spec accepts as a title or layer name: quotes, backslashes, Hangul and astral stay in.
VISIBLE = st.lists(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"))
    | st.sampled_from(("'", '"', "\\", '"""', "#", "감성", "\U0001f642", "\U0001d518")),
    min_size=1,
    max_size=10,
).map("".join)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SPEC = "model:\n  input: {{shape: [3, 2]}}\n  layers:\n    - LSTM: {{units: 4, name: {name}}}\n"
TORCH_SPEC = (
    "framework: pytorch\nmodel:\n  input: {shape: [3, 2]}\n  layers:\n"
    "    - LSTM: {input_size: 2, hidden_size: 4}\n"
)


def _file_name(text: str) -> str | None:
    """`text` as a file name the file system takes (no '/', NUL or unencodable surrogate)."""
    name = text.replace("/", "_").replace("\0", "_")
    try:
        return name if len(os.fsencode(name)) <= 200 else None
    except UnicodeEncodeError:
        return None


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _refused_in_one_line(err: str, path: Path) -> None:
    assert err.count("\n") == 1 and err.startswith(printable(str(path))), err


def _statements(code: str) -> list[str]:
    """The module's top-level statements, by kind: a payload would add one."""
    return [type(node).__name__ for node in ast.parse(code).body]


def _code_of(folder: Path, stem: str, title: str | None, spec: str) -> tuple[Path, str] | None:
    """Write `spec` (with `title`) to `folder/<stem>.yaml`, run `code` on it and keep the code
    as `folder/code.py`: the spec's path and the code, or None when the file system refuses
    the name or `check` refuses the spec (then with one located line)."""
    name = _file_name(stem)
    if name is None:
        return None
    folder.mkdir()
    path = folder / f"{name}.yaml"
    head = "" if title is None else f"title: {json.dumps(title)}\n"
    path.write_text(head + spec, "utf-8", "surrogatepass")
    status, code, err = _run(["code", str(path)])
    if status == 1:
        _refused_in_one_line(err, path)
        return None
    (folder / "code.py").write_text(code, "utf-8")
    return path, code


RUN_KERAS = """
import json, runpy, sys
out = {}
for script in sys.argv[1:]:
    model = runpy.run_path(script)["model"]
    out[script] = [model.name, [layer.name for layer in model.layers]]
print(json.dumps(out))
"""

RUN_TORCH = """
import json, runpy, sys, torch
out = {}
for script in sys.argv[1:]:
    model = runpy.run_path(script)["model"]
    out[script] = list(model(torch.zeros(1, 3, 2)).shape)
print(json.dumps(out))
"""


def _run_scripts(tmp_path: Path, runner: str, scripts: list[str]) -> dict:
    """Run every script in one process of real Keras (torch backend) or PyTorch, in a folder
    where a live payload would leave its mark."""
    cwd = tmp_path / "run"
    cwd.mkdir()
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    proc = subprocess.run(
        [sys.executable, "-c", runner, *scripts], capture_output=True, text=True, env=env, cwd=cwd
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (cwd / MARK).exists()
    return json.loads(proc.stdout.splitlines()[-1])


def test_keras_code_runs_in_real_keras_whatever_the_names(tmp_path):
    counter = itertools.count()
    expected: dict[str, list] = {}

    @settings(SETTINGS, max_examples=60)  # two names must pass `check`: more tries
    @given(stem=NAME, title=st.none() | VISIBLE | NAME, layer=VISIBLE | NAME)
    def write(stem: str, title: str | None, layer: str) -> None:
        spec = SPEC.format(name=json.dumps(layer))
        written = _code_of(tmp_path / str(next(counter)), stem, title, spec)
        if written is None:
            return
        path, code = written
        assert _statements(code) == ["Import", "ImportFrom", "Assign"], code
        assert code.splitlines()[0].startswith("# Keras 3 code for ")
        loaded = load(str(path))
        model_name = loaded.display_name.replace("/", "_").replace(".", "_")
        expected[str(path.with_name("code.py"))] = [model_name, [loaded.layers[0].name]]

    write()
    assert len(expected) >= 10  # enough names pass `check` to test the property
    assert _run_scripts(tmp_path, RUN_KERAS, list(expected)) == expected


def test_torch_code_runs_in_real_pytorch_whatever_the_names(tmp_path):
    counter = itertools.count()
    scripts: list[str] = []

    @SETTINGS
    @given(stem=NAME, title=st.none() | VISIBLE | NAME)
    def write(stem: str, title: str | None) -> None:
        written = _code_of(tmp_path / str(next(counter)), stem, title, TORCH_SPEC)
        if written is None:
            return
        path, code = written
        assert _statements(code) == ["Import", "ImportFrom", "ClassDef", "Assign"], code
        scripts.append(str(path.with_name("code.py")))

    write()
    assert len(scripts) >= 5
    assert _run_scripts(tmp_path, RUN_TORCH, scripts) == {s: [1, 3, 4] for s in scripts}


PRINT = "Net(\n  (lstm): LSTM(2, 4)\n)\n"
KERAS_JSON = (ORACLE_DIR / "keras-files" / "keras_001.json").read_text()


@SETTINGS
@given(stem=NAME, title=VISIBLE | NAME, kind=st.sampled_from(["print.txt", "keras.json"]))
def test_imported_yaml_reads_back_with_only_its_own_keys(tmp_path, stem, title, kind):
    name = _file_name(stem)
    if name is None:
        return
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by the examples
    path = folder / f"{name}.{kind}"
    if kind == "print.txt":
        path.write_text(PRINT)
        keys = ["framework", "model"]
    else:
        data = json.loads(KERAS_JSON)
        data["config"]["name"] = title
        path.write_text(json.dumps(data), "utf-8", "surrogatepass")
        keys = ["title", "subtitle", "model"]
    out = folder / "out.yaml"
    code, _, err = _run(["import", str(path), "-o", str(out)])
    if code == 1:  # a title the spec refuses (a control character): one located line
        _refused_in_one_line(err, path)
        assert not out.exists()
        return
    text = out.read_text("utf-8")
    assert text.splitlines()[0].startswith("# imported from ")
    data = yaml.safe_load(text)
    assert list(data) == keys
    if kind == "keras.json":  # the model's name, or the file's when Keras chose it
        own = data["subtitle"] == "titled with the model's name"
        assert (
            data["title"] == title if own else data["subtitle"].startswith("titled with the file")
        )
    assert load(str(out)).layers


NAME_TEXT = st.lists(
    st.sampled_from([*'abc:"\\<>&;{}[]=-. Ω한', "node", "<b>"]), min_size=1, max_size=8
).map("".join)


@pytest.mark.needs_dot
@settings(max_examples=40, deadline=None)
@given(st.lists(NAME_TEXT, min_size=2, max_size=4, unique=True))
def test_any_names_are_that_many_dot_nodes(names):
    """`quoting.dot_id`: distinct texts are distinct DOT nodes, whatever they hold (a `:` no
    port, a final backslash no unterminated string, `node` no keyword, `<b>` no HTML)."""
    edges = "".join(f"{dot_id(a)} -> {dot_id(b)}\n" for a, b in itertools.pairwise(names))
    out = subprocess.run(
        ["dot", "-Tjson"], input=f"digraph g {{\n{edges}}}\n", capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    graph = json.loads(out.stdout)
    assert len(graph["objects"]) == len(names) and len(graph["edges"]) == len(names) - 1
