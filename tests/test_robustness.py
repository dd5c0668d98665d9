"""Nothing a user writes or does breaks the tool (issue 7): every value gets a located line or
passes, huge valid models check within bounded memory, paths that are not regular files are
refused, every accepted string renders as valid XML, killed renders leave nothing behind."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_without_hanging

from rnndiagrams.cli import main

ROOT = Path(__file__).resolve().parents[1]
LSTM_HEAD = "model:\n  input: {shape: [3, 2]}\n  layers:\n"
TORCH_HEAD = "framework: pytorch\nmodel:\n  input: {shape: [5, 3]}\n  layers:\n"


def _one_located_line(capsys, path: Path, line: int, col: int, text: str) -> None:
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"{path}:{line}:{col}: "), err
    assert text in err


# Each of these crashed with a traceback, or gave two lines at 1:1, before issue 7.
NASTY = {
    "inf_units": (LSTM_HEAD + "    - LSTM: {units: .inf}\n", 4, 21, "inf (not a finite number)"),
    "nan_units": (LSTM_HEAD + "    - LSTM: {units: .nan}\n", 4, 21, "nan (not a finite number)"),
    "tag_int": (LSTM_HEAD + "    - LSTM: {units: !!int abc}\n", 4, 21, "'abc' is not a valid !!int"),
    "tag_float": (LSTM_HEAD + "    - LSTM: {units: !!float abc}\n", 4, 21, "not a valid !!float"),
    "tag_bool": (LSTM_HEAD + "    - LSTM: {units: 4, use_bias: !!bool maybe}\n", 4, 34, "'maybe'"),
    "tag_empty_int": (LSTM_HEAD + '    - LSTM: {units: !!int ""}\n', 4, 21, "'' is not a valid"),
    "5000_digits": (LSTM_HEAD + "    - LSTM: {units: " + "9" * 5000 + "}\n", 4, 21, "5,000 characters"),
    "over_int64": (LSTM_HEAD + "    - LSTM: {units: 100000000000000000000}\n", 4, 21, "int64"),
    "lone_surrogate": ('title: "ab\\ud800"\n' + LSTM_HEAD + "    - LSTM: {units: 4}\n", 1, 8, "U+D800"),
    "escaped_control": ('title: "a\\x1b[31m"\n' + LSTM_HEAD + "    - LSTM: {units: 4}\n", 1, 8, "U+001B"),
    "nonchar": ('title: "a\\uFFFE"\n' + LSTM_HEAD + "    - LSTM: {units: 4}\n", 1, 8, "U+FFFE"),
    "raw_control": (LSTM_HEAD + "    - LSTM: {units: 4}\x01\n", 4, 23, "U+0001"),
    "raw_del_line_3": (LSTM_HEAD.replace("layers:", "lay\x7fers:") + "    - LSTM: {units: 4}\n", 3, 6, "U+007F"),
    "long_title": ("title: " + "x" * 400 + "\n" + LSTM_HEAD + "    - LSTM: {units: 4}\n", 1, 8, "at most 300"),
    "slash_in_name": (LSTM_HEAD + "    - LSTM: {units: 4, name: a/b}\n", 4, 30, "without '/'"),
    "dot_in_name": (LSTM_HEAD + "    - LSTM: {units: 4, name: a.b}\n", 4, 30, "or '.'"),  # Keras on torch
    "num_layers_1e9": (
        TORCH_HEAD + "    - LSTM: {input_size: 3, hidden_size: 4, num_layers: 1000000000}\n",
        5, 57, "at most 1,000",
    ),
    "huge_dpi": (LSTM_HEAD + "    - LSTM: {units: 4}\nrender: {dpi: 100000}\n", 5, 15, "at most 1,200"),
}  # fmt: skip


@pytest.mark.parametrize("name", NASTY)
def test_nasty_values_give_one_located_line(name, write_spec, capsys):
    text, line, col, message = NASTY[name]
    path = write_spec("")
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    assert main(["check", str(path)]) == 1
    _one_located_line(capsys, path, line, col, message)


@pytest.mark.parametrize(
    "kind", ["fifo", "directory", "dev_stdin_pipe"], ids=["fifo", "directory", "stdin-pipe"]
)
def test_non_regular_spec_files_are_refused_without_blocking(kind, tmp_path):
    if kind == "fifo":
        path = tmp_path / "spec.yaml"
        os.mkfifo(path)
        args, stdin = [str(path)], None
    elif kind == "directory":
        args, stdin = [str(tmp_path)], None
    else:
        args, stdin = ["/dev/stdin"], subprocess.PIPE  # a pipe nobody writes to
    status, _, err = run_without_hanging(["check", *args], stdin)
    assert status == 1
    assert re.fullmatch(r"[^\n]+:1:1: not a regular file \([a-z ]+\); [^\n]+\n", err), err


# Valid specs far beyond memory: each allocated tens of GiB or ran for minutes before.
HUGE = {
    "units_1e8": "model:\n  input: {shape: [5, 8]}\n  layers:\n    - LSTM: {units: 100000000}\n",
    "steps_1e9": "model:\n  input: {shape: [1000000000, 8]}\n  layers:\n    - GRU: {units: 4}\n",
    "vocab_1e9": (
        "model:\n  input: {shape: [null], dtype: int32}\n  layers:\n"
        "    - Embedding: {input_dim: 1000000000, output_dim: 64}\n    - SimpleRNN: {units: 8}\n"
    ),
    "steps_1e7_bidirectional": (
        "model:\n  input: {shape: [10000000, 3]}\n  layers:\n"
        "    - Bidirectional: {layer: {LSTM: {units: 5, return_sequences: true}}}\n"
        "    - Dense: {units: 2}\n"
    ),
    "int64_max": "model:\n  input: {shape: [3, 9223372036854775807]}\n  layers:\n    - LSTM: {units: 7}\n",
}


@pytest.mark.parametrize("name", HUGE)
def test_huge_valid_models_check_within_bounded_memory(name, write_spec):
    path = write_spec(HUGE[name])
    code = (
        "import resource, sys\n"
        "from rnndiagrams.cli import main\n"
        f"rc = main(['check', {str(path)!r}])\n"
        "print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    first, rss = proc.stdout.splitlines()
    assert first.startswith(f"{path}: ok: ") and "scaled down" in first, first
    assert int(rss.split()[1]) < 1024 * 1024, rss  # under 1 GB resident


def test_reduced_copy_keeps_equal_sizes_equal_and_order():
    from rnndiagrams.shapes.budget import reduced
    from rnndiagrams.specification.validate import validate
    from rnndiagrams.specification.yamldoc import parse_doc

    spec = validate(
        parse_doc(
            "model:\n  input: {shape: [1000000, 300]}\n  layers:\n"
            "    - LSTM: {units: 300, return_sequences: true}\n"
            "    - GRU: {units: 7}\n    - Dense: {units: 5000}\n"
        )
    )
    small = reduced(spec, 32)
    assert small.input_shape == (35, 33)  # 300 -> 33, 5000 -> 34, 1e6 -> 35
    assert [layer.args["units"] for layer in small.layers] == [33, 7, 34]
    assert [layer.cls for layer in small.layers] == [layer.cls for layer in spec.layers]


@pytest.mark.needs_dot
@pytest.mark.parametrize("backend", ["graphviz", "matplotlib"])
def test_every_accepted_string_renders_as_valid_xml(backend, write_spec, tmp_path):
    """Names Keras accepts (markup, ampersands, dollars, spaces, emoji, Hangul) and a
    title at the length limit draw as well-formed SVG, with the literal text."""
    names = ["o & V", "rnn<&>", "cost $x$ and $5", "a  b", "emoji 🙂", "감성 분류", "x" * 200]
    layers = "".join(f"    - Dense: {{units: 2, name: {n!r}}}\n" for n in names[1:])
    spec = write_spec(
        f"title: {('t<&>$ ' * 60)[:300]!r}\n"
        "model:\n  input: {shape: [3, 2]}\n  layers:\n"
        f"    - SimpleRNN: {{units: 4, return_sequences: true, name: {names[0]!r}}}\n"
        + layers
        + "render: {text: editable}\n"
    )
    out = tmp_path / "out"
    assert main(["render", str(spec), "-o", str(out), "--backend", backend]) == 0
    svgs = sorted(out.rglob("*.svg"))
    assert svgs
    for svg in svgs:
        ET.parse(svg)  # well-formed XML
    stack = next(p for p in svgs if p.name.startswith("stack."))
    text = "".join(ET.parse(stack).getroot().itertext())
    for name in names[:2] + names[4:6]:
        assert name.replace(" ", "") in text.replace(" ", "").replace("\u00a0", ""), name


def test_terminal_output_shows_control_characters_visibly(tmp_path, capsys):
    path = tmp_path / "evil\x1b[2J.yaml"
    path.write_text(LSTM_HEAD + "    - LSTM: {units: 4}\n", encoding="utf-8")
    assert main(["summary", str(path)]) == 0
    assert main(["check", str(path)]) == 0
    path.write_text("model: [", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    assert "evil\u241b[2J" in out and "evil\u241b[2J" in err


@pytest.mark.needs_dot
@pytest.mark.parametrize("kind", ["fifo", "dev_zero_link", "directory_as_file"])
def test_output_paths_that_are_not_regular_files_are_refused(kind, tmp_path, capsys):
    target = tmp_path / "figure.svg"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev_zero_link":
        target.symlink_to("/dev/zero")
    else:
        target.mkdir()
    spec = ROOT / "specs" / "lstm.yaml"
    args = ["render", str(spec), "-o", str(target), "--view", "stack", "--backend", "graphviz"]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "not a regular file" in err, err
    assert not target.is_file()


@pytest.mark.needs_dot
def test_killed_renders_leave_complete_files_and_their_temps_are_cleaned(tmp_path):
    """SIGKILL at moments spread over the write phase: every figure present is complete
    (parses), and the next render of the folder removes every temporary file."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "rnndiagrams", "render", str(ROOT / "specs" / "lstm.yaml")]
    cmd += ["-o", str(out), "--backend", "graphviz", "--format", "svg", "--format", "png"]
    start = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True)
    full = time.monotonic() - start
    for target in out.rglob("*.*"):
        target.unlink()  # every kill below happens while files are being (re)written
    temps_seen = 0
    for i in range(12):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (0.4 + 0.6 * i / 12))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        temps_seen += len(list(out.rglob(".rnndiagrams-tmp.*")))
        for figure in out.rglob("*"):
            if figure.suffix == ".svg":
                ET.parse(figure)
            elif figure.suffix == ".png":
                assert figure.read_bytes().endswith(b"IEND\xaeB`\x82"), figure
    subprocess.run(cmd, check=True, capture_output=True)
    assert list(out.rglob(".rnndiagrams-tmp.*")) == []
    assert sorted(p.suffix for p in out.rglob("*.*")).count(".svg") >= 3


def test_fuzzed_specs_give_ok_or_one_located_line(tmp_path):
    """Hypothesis drives the same mutator as `make fuzz`; every outcome is exit 0, or exit 1
    with one `PATH:LINE:COL: ` line; the process stays under 1 GB resident throughout."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sys.path.insert(0, str(ROOT))
    from fuzz.run import _judge, case_bytes

    path = tmp_path / "spec.yaml"

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.integers(min_value=0, max_value=2**32))
    def check(seed: int) -> None:
        data = case_bytes(seed)
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["check", str(path)])
        assert _judge(code, str(path), err.getvalue(), data) in ("ok", "located"), err.getvalue()
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024

    check()
