"""Work a render does not repeat (issue 21): a figure is drawn once per content."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnndiagrams import cache, cli, load, style
from rnndiagrams.errors import SpecError
from rnndiagrams.pipeline import render_figures
from rnndiagrams.render import svg_fonts
from rnndiagrams.render.backends import Backend

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "specs" / "seed_sentiment.yaml"
SVG = {"backends": ("graphviz",), "formats": ("svg",)}


@pytest.fixture
def drawn(tmp_path, monkeypatch) -> list[str]:
    """The names of the scenes the backends draw, with the figure cache on, in a folder of
    the test's own."""
    monkeypatch.delenv("RNNDIAGRAMS_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    names: list[str] = []
    real = Backend.draw

    def draw(self, scenes, fmt, options):
        names.extend(s.name for s in scenes)
        return real(self, scenes, fmt, options)

    monkeypatch.setattr(Backend, "draw", draw)
    return names


@pytest.mark.needs_dot
def test_a_figure_is_drawn_once_per_content(drawn, monkeypatch):
    spec = load(str(SEED))
    first = render_figures(spec, SVG)
    assert len(drawn) == len(spec.views)
    assert [f.data for f in render_figures(spec, SVG)] == [f.data for f in first]
    assert len(drawn) == len(spec.views)  # every figure from the cache, byte for byte
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")  # what a tool reads is part of the key
    monkeypatch.setattr(cache, "environment", cache.environment.__wrapped__)
    render_figures(spec, SVG)
    assert len(drawn) == 2 * len(spec.views)


@pytest.mark.needs_dot
def test_an_edit_redraws_only_the_views_it_changes(drawn, tmp_path):
    spec_path = tmp_path / "seed.yaml"
    views = "views: [stack, {{unrolled: {{steps: {}}}}}]\n"
    spec_path.write_text(SEED.read_text() + views.format(4))
    render_figures(load(str(spec_path)), SVG)
    assert len(drawn) == 2
    spec_path.write_text(SEED.read_text() + views.format(5))
    render_figures(load(str(spec_path)), SVG)
    assert drawn[2:] == [drawn[1].replace("4 steps", "5 steps")]  # not the stack view


@pytest.mark.needs_dot
def test_fontconfig_is_asked_once_per_font_setup(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    asked = []
    real = svg_fonts._fc_match
    monkeypatch.setattr(svg_fonts, "_fc_match", lambda *a: asked.append(a) or real(*a))
    styles = [(style.FONT, bold, italic) for bold in (False, True) for italic in (False, True)]
    svg_fonts._face.cache_clear()
    first = [svg_fonts._face(*s) for s in styles * 2]
    assert len(asked) == len(styles) and first[0] is not None
    svg_fonts._face.cache_clear()  # as in a new process
    assert [svg_fonts._face(*s) for s in styles] == first[: len(styles)]
    assert len(asked) == len(styles)
    svg_fonts._face.cache_clear()


@pytest.mark.needs_dot
def test_a_graphviz_render_imports_neither_numpy_nor_matplotlib(tmp_path):
    """Start-up is what the command needs: a fresh process renders, then lists its modules.
    The figure cache is off, so it draws; the run before it has left its font subsets in the
    cache, as any render but a machine's first finds them."""
    code = (
        "import sys; from rnndiagrams.cli import main; "
        f"main(['render', {str(SEED)!r}, '-o', {str(tmp_path)!r}, '--backend', 'graphviz']); "
        "print(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "RNNDIAGRAMS_NO_CACHE": "1"}
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
    modules = set(out.stdout.splitlines()[-1].split())
    assert "rnndiagrams.render.graphviz_run" in modules  # it did render
    assert not {m.split(".")[0] for m in modules} & {
        "numpy",
        "matplotlib",
        "PIL",
        "pyparsing",
        "multiprocessing",
        "graphviz",  # the DOT is written by dot_source itself
        "fontTools",  # subsets come from the cache; fontTools only makes new ones
        "concurrent",
        "tempfile",
        "zipfile",  # the spec reader does not need the .keras reader's zip
        "difflib",  # a "did you mean" is for a bad spec only
        # its records are named tuples: `dataclasses` imports inspect, ast and dis, a tenth
        # of a render's instructions
        "dataclasses",
        "inspect",
    }
    assert not modules & {
        "rnndiagrams.api",  # the notebook API: only for a --view the spec lacks
        "rnndiagrams.render.frames",  # step-by-step builds: only with --frames
    }


def test_matplotlib_parses_and_measures_each_symbol_once_per_process(monkeypatch):
    """Every renderer (each figure's, and the measuring one) used to parse its mathtext
    again, and each layout measured its text again."""
    from matplotlib import _mathtext

    from rnndiagrams.render import layout

    layout.MATHTEXT_PARSES.cache_clear()  # as in a new process
    layout._width.cache_clear()
    parses = []
    real = _mathtext.Parser.parse
    monkeypatch.setattr(
        _mathtext.Parser, "parse", lambda *a: parses.append(a[1:2] + a[3:]) or real(*a)
    )
    spec = load(str(SEED))
    mpl = {"backends": ("matplotlib",), "formats": ("svg",)}
    first = render_figures(spec, mpl)
    assert parses and len(parses) == len(set(parses))  # each string parsed once per size
    measured = layout._width.cache_info().misses
    assert [f.data for f in render_figures(spec, mpl)] == [f.data for f in first]
    assert len(parses) == len(set(parses))  # not once more for the second figure
    assert layout._width.cache_info().misses == measured


def test_matplotlib_lays_out_each_piece_of_text_once_per_process(monkeypatch):
    """matplotlib measured every piece of text it drew, to set it on its anchor, looked up
    its font files and shaped its glyphs (loading each outline) to write it as paths, though
    a deep figure draws the same few strings thousands of times."""
    from matplotlib import _text_helpers
    from matplotlib.font_manager import fontManager
    from matplotlib.text import Text

    from rnndiagrams.render import mpl_draw

    mpl_draw.GLYPH_LAYOUTS.cache_clear()  # as in a new process
    mpl_draw._LAYOUTS.clear()
    pieces, measured, shaped, looked_up = [], [], [], []
    find = fontManager._find_fonts_by_props
    monkeypatch.setattr(
        fontManager, "_find_fonts_by_props", lambda p: looked_up.append(1) or find(p)
    )
    piece_layout, measure, shape = (
        mpl_draw._Piece._get_layout,
        Text._get_layout,
        _text_helpers.layout,
    )
    monkeypatch.setattr(
        mpl_draw._Piece, "_get_layout", lambda self, r: pieces.append(1) or piece_layout(self, r)
    )
    monkeypatch.setattr(Text, "_get_layout", lambda self, r: measured.append(1) or measure(self, r))
    monkeypatch.setattr(
        _text_helpers,
        "layout",
        lambda s, font, **kw: shaped.append((s, font)) or shape(s, font, **kw),
    )
    spec = load(str(SEED))
    mpl = {"backends": ("matplotlib",), "formats": ("svg",)}
    first = render_figures(spec, mpl)
    assert 0 < len(measured) < len(pieces) and len(shaped) == len(set(shaped))
    done = len(pieces), len(measured), len(shaped), len(looked_up)
    assert [f.data for f in render_figures(spec, mpl)] == [f.data for f in first]
    assert len(pieces) == 2 * done[0]  # every piece drawn again,
    assert (len(measured), len(shaped)) == done[1:3]  # none measured or shaped again,
    assert len(looked_up) == done[3]  # nor its font files looked up
    assert mpl_draw.GLYPH_LAYOUTS.cache_info().hits


@pytest.mark.needs_dot
def test_workers_write_what_one_process_writes(tmp_path):
    specs = [str(ROOT / "specs" / name) for name in ("seed_sentiment.yaml", "gru.yaml")]
    for jobs in ("1", "2"):
        subprocess.run(
            [sys.executable, "-m", "rnndiagrams", "render", "-j", jobs, "-o", str(tmp_path / jobs)]
            + specs,
            check=True,
            capture_output=True,
        )
    files = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1").rglob("*.*"))
    assert files == sorted(p.relative_to(tmp_path / "2") for p in (tmp_path / "2").rglob("*.*"))
    assert all(
        (tmp_path / "1" / f).read_bytes() == (tmp_path / "2" / f).read_bytes() for f in files
    )


def test_a_forked_worker_holds_no_font_of_its_parent():
    """The parses and the measuring renderer a process shares hold FT2Font objects, which read
    their file through an offset a forked child shares with its parent and its siblings: two
    `render -j` workers reading glyphs at once read each other's bytes. A child starts
    without them, as matplotlib's own font cache does."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    from rnndiagrams.render import layout, mpl_draw

    layout.Measure(style.THEMES["light"]).width("$h_{t-1}^{(1)}$", 11.0, True)
    text_to_path.get_text_path(FontProperties(), "h")  # its glyphs laid out
    assert layout._renderer.cache_info().currsize == 1
    assert mpl_draw.GLYPH_LAYOUTS.cache_info().currsize
    assert layout.MATHTEXT_PARSES is None or layout.MATHTEXT_PARSES.cache_info().currsize
    pid = os.fork()
    if pid == 0:  # the child: no font objects of the parent's left
        shared = layout.MATHTEXT_PARSES.cache_info().currsize if layout.MATHTEXT_PARSES else 0
        held = layout._renderer.cache_info().currsize + mpl_draw.GLYPH_LAYOUTS.cache_info().currsize
        os._exit(int(held + shared != 0))
    assert os.waitpid(pid, 0)[1] == 0


def test_the_cache_keeps_the_most_recently_used_files_within_its_bounds(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cache, "BOUNDS", {"figures": (3, 1_000)})
    monkeypatch.setattr(cache, "_pruned", set())
    folder = cache.cache_dir() / "figures"
    files = [folder / f"{i:02x}" / f"{i}.svg" for i in range(5)]
    for age, file in enumerate(reversed(files)):  # files[0] the newest, files[4] the oldest
        file.parent.mkdir(parents=True)
        file.write_bytes(b"x" * 100)
        os.utime(file, ns=(age * 10**9, age * 10**9))
    assert cache.read(files[4]) == b"x" * 100  # read: now the most recently used
    cache.store(folder / "ff" / "new.svg", b"y" * 100)
    left = sorted(p.name for p in folder.rglob("*.svg"))
    assert left == ["0.svg", "1.svg", "4.svg", "new.svg"]  # bounded before the new one is kept
    monkeypatch.setattr(cache, "_pruned", set())  # a new process, within the hour
    monkeypatch.setattr(cache, "BOUNDS", {"figures": (10, 250)})  # bytes bind now
    cache.store(folder / "fe" / "newer.svg", b"z" * 100)
    assert len(list(folder.rglob("*.svg"))) == 5  # pruned an hour ago at most: not scanned
    monkeypatch.setattr(cache, "_pruned", set())
    os.utime(folder / ".pruned", (0, 0))  # an hour later
    cache.store(folder / "fd" / "newest.svg", b"w" * 100)
    assert sorted(p.name for p in folder.rglob("*.svg")) == ["new.svg", "newer.svg", "newest.svg"]


def test_the_command_skips_matplotlib_set_docstrings_a_library_keeps_them(tmp_path):
    """matplotlib's `set` docstrings (a third of its import) are not built in the command's
    own process; a program that imports rnndiagrams keeps them."""
    docs = "from matplotlib.patches import Circle; print('Supported properties' in (Circle.set.__doc__ or ''))"
    command = (  # as its console script runs it
        "import sys; from rnndiagrams.cli import command; "
        f"sys.argv = ['rnndiagrams', 'render', {str(SEED)!r}, '-o', {str(tmp_path)!r}, "
        "'--backend', 'matplotlib']; command(); " + docs
    )
    library = (
        "import rnndiagrams; "
        f"rnndiagrams.figure(rnndiagrams.load({str(SEED)!r}), 'stack', backend='matplotlib').svg; "
        + docs
    )
    said = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for code in (command, library)
    ]
    assert [s.stdout.splitlines()[-1] for s in said] == ["False", "True"]


def test_one_thread_at_a_time_draws_with_matplotlib(monkeypatch):
    """`watch` renders each changed spec in a thread of its own: the backends that lay out
    with matplotlib (its fonts, the shared parses) draw holding one lock; Graphviz's do not
    wait for it."""
    import types

    from rnndiagrams.render import backends

    held = []
    fake = types.SimpleNamespace(draw_scenes=lambda *a: held.append(backends._MATPLOTLIB.locked()))
    monkeypatch.setattr(backends, "import_module", lambda name: fake)
    for measures in (True, False):
        Backend("fake", ("svg",), measures=measures).draw([], "svg", {})
    assert held == [True, False] and not backends._MATPLOTLIB.locked()
    assert [b.measures for b in backends.BACKENDS.values()] == [
        name in ("matplotlib", "tikz") for name in backends.BACKENDS
    ]


@pytest.mark.needs_dot
def test_a_render_from_the_parsed_spec_cache_imports_no_yaml_and_draws_the_same(tmp_path):
    """The first render parses the spec and keeps it; the next process reads it back and
    writes the same bytes without importing PyYAML."""
    code = (
        "import sys; from rnndiagrams.cli import main; "
        "main(['render', sys.argv[1], '-o', sys.argv[2], '--backend', 'graphviz']); "
        "print('yaml' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    said = [
        subprocess.run(
            [sys.executable, "-c", code, str(SEED), str(tmp_path / out)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.splitlines()[-1]
        for out in ("cold", "warm")
    ]
    assert said == ["True", "False"]
    assert len(list((tmp_path / "cache" / "rnndiagrams" / "specs").glob("*.json"))) == 1
    cold = sorted((tmp_path / "cold").rglob("*.svg"))
    assert len(cold) == 3
    for file in cold:
        assert (tmp_path / "warm" / file.relative_to(tmp_path / "cold")).read_bytes() == (
            file.read_bytes()
        )


UNFIT_ENTRIES = {
    "not JSON": b"\x00\xff{",
    "not an entry": b"[1, 2]",
    "a key missing": b'{"data": {}, "marks": []}',
    "a control character": b'{"data": {"title": "a\\u0007b"}, "marks": [], "key_marks": []}',
    "too many values": b'{"data": [' + b"0," * 20_001 + b'0], "marks": [], "key_marks": []}',
    "a bidi control in a key": b'{"data": {"\\u202e": 1}, "marks": [], "key_marks": []}',
    "too deep": b'{"data": ' + b"[" * 100 + b"]" * 100 + b', "marks": [], "key_marks": []}',
    "a bad mark": b'{"data": {}, "marks": [[["a"], 0, 1]], "key_marks": []}',
    "a path of a float": b'{"data": {}, "marks": [[[1.5], 1, 1]], "key_marks": []}',
    "a non-string key": b'{"data": {}, "marks": [], "key_marks": [[[null], 1, 1]]}',
}


@pytest.mark.parametrize("raw", UNFIT_ENTRIES.values(), ids=UNFIT_ENTRIES.keys())
def test_an_unfit_parsed_spec_entry_is_parsed_again(raw, tmp_path, monkeypatch):
    """A corrupt or hostile cache entry is ignored: the text is parsed again and the entry
    rewritten with what the parse gave."""
    from rnndiagrams.specification import yamldoc

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = SEED.read_text()
    parsed = yamldoc.parse_doc(text, "seed.yaml")
    (entry,) = (tmp_path / "rnndiagrams" / "specs").glob("*.json")
    assert yamldoc.parse_doc(text, "seed.yaml") == parsed  # from the entry
    entry.write_bytes(raw)
    assert yamldoc.parse_doc(text, "seed.yaml") == parsed
    assert yamldoc.parse_doc(text, "other.yaml").name == "other.yaml"
    assert entry.read_bytes() != raw


def _fifo(entry):
    os.mkfifo(entry)


def _device(entry):
    entry.symlink_to("/dev/zero")


@pytest.mark.parametrize("plant", [_fifo, _device], ids=["FIFO", "device"])
def test_a_cache_entry_no_store_writes_is_passed_over_at_once(plant, tmp_path):
    """An entry that is a FIFO (opening it would wait for a writer forever) or a device
    (reading it would not end) is no entry: the spec is parsed again, and the entry replaced
    by a file of what the parse gave."""
    code = (
        "import sys; from rnndiagrams.specification.yamldoc import parse_doc; "
        "print(parse_doc(open(sys.argv[1]).read(), 'seed.yaml').data['title'])"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> str:
        argv = [sys.executable, "-c", code, str(SEED)]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        return done.stdout

    title = run()
    (entry,) = (tmp_path / "rnndiagrams" / "specs").glob("*.json")
    entry.unlink()
    plant(entry)
    assert run() == title
    assert entry.is_file() and not entry.is_symlink() and entry.stat().st_size < 1 << 20


def test_a_spec_that_fails_to_parse_is_not_kept(tmp_path, monkeypatch):
    from rnndiagrams.specification import yamldoc

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for _ in range(2):
        with pytest.raises(SpecError, match=r"^bad\.yaml:3:1: YAML syntax error"):
            yamldoc.parse_doc("model:\n  - [\n", "bad.yaml")
    assert not (tmp_path / "rnndiagrams" / "specs").exists()


def test_the_command_sets_the_garbage_collector_a_library_keeps_its_own():
    """The command's process collects less often and leaves its objects uncollected at exit;
    a program that calls `main` keeps Python's settings."""
    probe = "import gc, sys; from rnndiagrams import cli; sys.argv = ['rnndiagrams', 'schema']; "
    said = [
        subprocess.run(
            [
                sys.executable,
                "-c",
                probe + call + "; print(gc.get_threshold()[0], gc.get_freeze_count() > 0)",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
        for call in ("cli.command()", "cli.main()")
    ]
    assert said == [f"{cli.GC_YOUNGEST} True", f"{gc.get_threshold()[0]} False"]
