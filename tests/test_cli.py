"""The command line as users call it: summary, explain, check, schema."""

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, deep_bidirectional, oracle_cases

from rnndiagrams import load, shape_model
from rnndiagrams.cli import main
from rnndiagrams.specification.jsonschema import schema_text

SPECS = sorted((ROOT / "specs").glob("*.yaml"))
SEED = ROOT / "specs" / "seed_embedding_simplernn.yaml"


def _oracle(name):
    return next(c for c in oracle_cases() if c["name"] == name)


def test_summary_of_the_seed_model_prints_the_keras_total(capsys):
    assert main(["summary", str(SEED)]) == 0
    out = capsys.readouterr().out
    total = _oracle("seed_embedding_simplernn")["keras"]["total_params"]
    assert f" Total params: {total:,} (" in out
    assert "│ simple_rnn (SimpleRNN)" in out and "(None, None, 32)" in out


@pytest.mark.parametrize("convention", ["keras", "pytorch"])
def test_summary_json_form(convention, capsys):
    assert main(["summary", str(SEED), "--format", "json", "--convention", convention]) == 0
    data = json.loads(capsys.readouterr().out)
    case = _oracle("seed_embedding_simplernn")
    assert data["convention"] == convention
    assert data["total_params"] == case[convention]["total_params"]
    assert [layer["params"] for layer in data["layers"]] == [
        e["params"] for e in case[convention]["layers"]
    ]
    rnn = data["layers"][1]
    assert (
        rnn["name"] == "simple_rnn"
        and rnn["class"] == "SimpleRNN"
        and rnn["output_shape"] == [None, 32]
    )
    assert {"role": "input", "name": "W", "shape": [32, 32]}.items() <= rnn["weights"][0].items()


def test_explain_gives_the_seed_arithmetic(capsys):
    assert main(["explain", str(SEED)]) == 0
    out = capsys.readouterr().out
    model = shape_model(load(str(SEED)), "keras")
    rnn = model.layer("simple_rnn")
    units = rnn.recurrence.units
    assert f"{units} x ({units} + {units} + 1) = {rnn.params:,}" in out
    assert (
        f"{units} x ({units} + {units} + 2) = {shape_model(load(str(SEED)), 'pytorch').layer('simple_rnn').params:,}"
        in out
    )
    assert (
        "state_t" in out
        and "output_features" in out
        and f"the {units} in SimpleRNN({units})" in out
    )
    for name in ("W (32, 32)", "kernel (32, 32)", "weight_ih_l0 (32, 32)", "bias_hh_l0 (32,)"):
        assert name in out


@pytest.mark.parametrize("case", ["lstm32", "gru32_classic", "bidirectional_lstm16"])
def test_explain_arithmetic_equals_the_oracle(case, write_spec, capsys):
    c = _oracle(case)
    path = write_spec(yaml.safe_dump({"model": {"input": c["input"], "layers": c["layers"]}}))
    assert main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    for convention, label in (("keras", "Keras:  "), ("pytorch", "PyTorch:")):
        line = next(ln for ln in out.splitlines() if f"parameters, {label}" in ln)
        factors, total = line.split(": ", 1)[1].split(" = ")
        assert int(total.replace(",", "")) == c[convention]["total_params"]
        assert (
            eval(factors.replace("x", "*")) == c[convention]["total_params"]
        )  # the factorised form is true


def test_check_passes_every_committed_spec(capsys):
    assert SPECS
    assert main(["check", *map(str, SPECS)]) == 0
    assert capsys.readouterr().out.count(": ok: ") == len(SPECS)


def test_summary_and_check_do_not_import_drawing_libraries():
    code = (
        "import sys; from rnndiagrams.cli import main; main(['summary', sys.argv[1]]); "
        "main(['check', sys.argv[1]]); "
        "bad = [m for m in ('matplotlib', 'graphviz') if m in sys.modules]; print(bad)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(SEED)], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_shipped_schema_is_current():
    shipped = (ROOT / "rnndiagrams" / "data" / "spec.schema.json").read_text()
    assert shipped == schema_text(), (
        "run `make schema` to regenerate rnndiagrams/data/spec.schema.json"
    )


def test_schema_command_prints_it(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "rnndiagrams spec"


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_committed_specs_satisfy_the_schema(spec):
    jsonschema.validate(yaml.safe_load(spec.read_text()), json.loads(schema_text()))


def test_schema_rejects_what_the_validator_rejects():
    schema = json.loads(schema_text())
    bad = {"model": {"input": {"shape": [3, 2]}, "layers": [{"LSTM": {"units": 0}}]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = {
        "model": {
            "input": {"shape": [3, 2]},
            "layers": [{"LSTM": {"units": 2, "reset_after": True}}],
        }
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_help_opens_with_a_whole_sentence_and_version_has_one_source(capsys):
    import rnndiagrams

    with pytest.raises(SystemExit):
        main(["--help"])
    usage, description = capsys.readouterr().out.split("\n\n")[:2]
    assert " ".join(description.split()) == (
        "Figures of recurrent networks from a YAML spec, every shape computed and verified."
    )
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == f"rnndiagrams {rnndiagrams.__version__}\n"


def test_help_lists_every_command_and_a_command_line_builds_only_its_own():
    """A parser per command is most of argparse's start-up: a command line that names one
    builds that one; one that names none (`--help`, a typo) lists them all."""
    from rnndiagrams.cli import COMMANDS, build_parser

    listed = build_parser(["--help"]).format_help()
    assert all(f"    {name} " in listed for name in COMMANDS)
    one = build_parser(["render", "spec.yaml", "-o", "out"])
    assert [name for name in COMMANDS if f"    {name} " in one.format_help()] == ["render"]
    assert one.parse_args(["render", "spec.yaml", "-o", "out"]).output == "out"
    with pytest.raises(SystemExit):
        build_parser(["rendr"]).parse_args(["rendr"])


def test_explain_of_a_class_without_a_sentence_says_its_call_and_shape(write_spec):
    """A class new to the catalogue gets a true generic line, not another class's sentence."""
    from rnndiagrams.frameworks.keras.explain import _feedforward_note
    from rnndiagrams.shapes.shaped import format_shape

    path = write_spec(
        "model:\n  input: {shape: [5, 3]}\n  layers:\n"
        "    - Dropout: {rate: 0.1}\n    - Flatten: {}\n    - Dense: {units: 1}\n"
    )
    model = shape_model(load(str(path)))

    def novel(name: str) -> str:
        shaped = model.layer(name)
        spec = shaped.spec._replace(cls="Novel")
        return _feedforward_note(shaped._replace(spec=spec, call="Novel()"))

    assert novel("dropout") == "Novel(): shape unchanged"
    assert novel("dense") == f"Novel(): shape -> {format_shape(model.layer('dense').output_shape)}"


def test_a_library_warning_is_one_line_of_the_command_said_once(tmp_path):
    """matplotlib warns of a glyph its fonts lack at every text it measures and draws (8
    times, each with a line of its own code); the command says it once, as one line."""
    spec = yaml.safe_load(SEED.read_text())
    spec["title"] = "A smile \N{SLIGHTLY SMILING FACE} in the title"
    path = tmp_path / "smile.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    argv = ["render", str(path), "-o", str(tmp_path / "out"), "--backend", "matplotlib"]
    done = subprocess.run(
        [sys.executable, "-m", "rnndiagrams", *argv], capture_output=True, text=True, check=True
    )
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        "rnndiagrams: warning: Glyph 128578 (\\N{SLIGHTLY SMILING FACE}) missing from font(s) "
    )


_NOTE = re.compile(
    r"(.+): note: text (\d+\.\d) px on a 1280x720 slide, under the 18 px slides need: "
    r"the view holds more than one slide shows at that size"
)


def _notes(err: str) -> dict[str, float]:
    """The slide notes of a command's stderr, file -> px; any other line fails."""
    found = [_NOTE.fullmatch(line) for line in err.splitlines()]
    assert all(found), err
    return {m[1]: float(m[2]) for m in found if m}


@pytest.mark.needs_dot
def test_render_notes_each_slide_figure_too_small_to_read_and_still_writes_it(tmp_path, capsys):
    """Issue 19: a model deeper than a slide holds gets one line on stderr per slide figure
    under 18 px, its cell (one cell, any model's) none; exit 0, every file written. A small
    model's slides, none."""
    deep = tmp_path / "deep.yaml"
    deep.write_text(yaml.safe_dump(deep_bidirectional(6)), encoding="utf-8")
    out = tmp_path / "out"
    views = ("stack", "unrolled", "cell")
    argv = ["render", str(deep), "-o", str(out), "--target", "slide", "--target", "column"]
    argv += [a for v in views for a in ("--view", v)] + ["--format", "svg", "--format", "png"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    files = {
        f"{view}{target}.{backend}.{fmt}"
        for view in views
        for target in ("", ".slide")
        for backend in ("graphviz", "matplotlib")
        for fmt in ("svg", "png")
    }
    assert sorted(captured.out.split()) == sorted(str(out / "deep" / f) for f in files)
    assert {p.name for p in (out / "deep").iterdir()} == files
    notes = _notes(captured.err)
    assert sorted(notes) == sorted(
        str(out / "deep" / f) for f in files if ".slide." in f and not f.startswith("cell")
    )
    assert all(px < 18 for px in notes.values())
    gru = str(ROOT / "specs" / "gru.yaml")
    assert main(["render", gru, "-o", str(out), "--target", "slide"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.needs_dot
def test_render_notes_a_tikz_slide_once_not_each_step_of_its_build(tmp_path, capsys):
    """TikZ draws the matplotlib layout: its .tex is noted from its canvas, in a folder and as
    one file; a build's steps share its canvas, and the view's own figure says it once."""
    deep = tmp_path / "deep.yaml"
    deep.write_text(yaml.safe_dump(deep_bidirectional(6)), encoding="utf-8")
    argv = ["render", str(deep), "--target", "slide", "--backend", "tikz", "--format", "tex"]
    argv += ["--view", "unrolled"]
    assert main([*argv, "-o", str(tmp_path / "out"), "--frames"]) == 0
    captured = capsys.readouterr()
    steps = [p for p in captured.out.split() if "-step" in p]
    assert steps and all(Path(p).exists() for p in steps)
    (noted,) = _notes(captured.err)
    assert noted == str(tmp_path / "out" / "deep" / "unrolled.slide.tikz.tex")
    one = tmp_path / "deep.tex"
    assert main([*argv, "-o", str(one)]) == 0
    assert list(_notes(capsys.readouterr().err)) == [str(one)]
