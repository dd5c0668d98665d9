"""Figures of recurrent networks from a YAML spec, every shape computed and verified.

The `rnndiagrams` command; `--help` opens with the paragraph above. Heavy imports (numpy,
graphviz, matplotlib) happen inside the subcommand that needs them, so `summary` starts fast."""

from __future__ import annotations

import argparse
import gc
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from . import __version__
from .errors import RenderError, SpecError
from .printable import printable
from .specification.catalog import BACKENDS, CONVENTIONS, FORMATS, TARGETS, THEMES
from .specification.starters import starter_names

if TYPE_CHECKING:
    from .pipeline import Figure
    from .specification.model import Spec

GC_YOUNGEST = 10_000  # allocations between collections of the youngest objects (Python: 700)
Command = Callable[[argparse.Namespace], int]  # a subcommand: its parsed arguments -> exit status


def _say(text: str, stream: TextIO | None = None, end: str = "\n") -> None:
    """Print with control characters and unencodable bytes made visible: a spec's path may
    hold anything, and a terminal must not run it."""
    (stream or sys.stdout).write(printable(text, keep="\n") + end)


def _error(text: str) -> None:
    """An error is one line, even when a path in it holds a newline."""
    sys.stderr.write(printable(text) + "\n")


class UsageError(Exception):
    """A command line that cannot be carried out as given."""


def _check(args: argparse.Namespace) -> int:
    from . import load, shape_model, verify
    from .pipeline import scenes

    for path in args.specs:
        spec = load(path)
        totals, notes = [], set()
        for convention in spec.conventions:
            model = shape_model(spec, convention)
            notes.add(verify(model))
            totals.append(f"{model.total_params:,} ({convention})")
        scenes(spec)  # view options are part of the spec too
        layers = f"{len(spec.layers)} layer{'s' if len(spec.layers) > 1 else ''}"
        proof = "; ".join(sorted(n for n in notes if n)) or "shapes verified in numpy"
        _say(f"{path}: ok: {layers}, {' / '.join(totals)} params; {proof}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from . import load, shape_model
    from .report.summary import summary_json, summary_text

    spec = load(args.spec)
    model = shape_model(spec, args.convention)
    if args.format == "json":
        import json

        _say(json.dumps(summary_json(model), indent=2, ensure_ascii=False))
    else:
        _say(summary_text(model), end="")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from . import load
    from .frameworks import framework

    spec = load(args.spec)
    _say(framework(spec.framework).explain_text(spec), end="")
    return 0


def _render(args: argparse.Namespace) -> int:
    from .pipeline import write_figures
    from .render.files import atomic_write, remove_stale_temps
    from .specification.validate import validate
    from .specification.yamldoc import parse_doc, read_spec_text

    target = Path(args.output)
    single = target.suffix.lstrip(".") in FORMATS
    if single and args.gallery:
        raise UsageError(f"--gallery writes a page of every figure; give -o a folder, not {target}")
    # None: each spec's own render.target
    targets: list[str | None] = list(dict.fromkeys(args.target or [None]))
    if args.gallery and targets[0] not in (None, "column"):
        raise UsageError(
            "--gallery writes the page of the column figures; drop --target or give "
            "--target column first"
        )
    texts = [read_spec_text(path) for path in args.specs]  # each read once: figures and page
    specs = [validate(parse_doc(text, path)) for text, path in zip(texts, args.specs, strict=True)]
    if not single:
        _one_folder_each(specs, args.specs, target)
    overrides = {
        "formats": tuple(args.format or ([target.suffix[1:]] if single else ())),
        "backends": tuple(args.backend or ()),
        "theme": args.theme,
        "dpi": args.dpi,
        "frames": args.frames,
    }
    views = tuple(args.view or ())
    specs = [_with_views(spec, views) for spec in specs]
    # every figure of every spec, for every target, is drawn before the first file is written
    units = [(spec, t) for t in targets for spec in specs]
    drawn = _draw_all(units, overrides, views, args.jobs)
    runs = [
        list(zip(specs, drawn[i : i + len(specs)], strict=True))
        for i in range(0, len(drawn), len(specs))
    ]
    rendered = runs[0]
    if single:
        figures = [(spec, f) for run in runs for spec, fs in run for f in fs]
        if len(figures) != 1:
            raise UsageError(
                f"-o {target} names one file, but this would write {len(figures)} figures; "
                "pick one spec, view and backend, or give a folder"
            )
        ((spec, figure),) = figures
        remove_stale_temps(target.parent)
        atomic_write(target, figure.data)
        _say(str(target))
        _note_slide(spec, figure, target, args.dpi)
        return 0
    for spec, figures in (pair for run in runs for pair in run):
        written = write_figures(spec, figures, target)
        for (path, changed), figure in zip(written, figures, strict=True):
            _say(f"{path}{'' if changed else ' (unchanged)'}")
            _note_slide(spec, figure, path, args.dpi)
    if args.gallery:
        _write_gallery(Path(args.gallery), args.specs, texts, rendered)
    return 0


def _note_slide(spec: Spec, figure: Figure, path: Path, dpi: int | None) -> None:
    """Say on stderr when a slide figure's text will be too small to read off the slide (a
    build's steps share its view's canvas: the view's own figure says it once)."""
    from .render.slide_text import slide_note

    if figure.target == "slide" and figure.view in spec.views:
        note = slide_note(str(path), figure.data, figure.fmt, dpi or spec.render["dpi"])
        if note:
            _error(note)


def _draw_all(
    units: list[tuple[Spec, str | None]],
    overrides: dict[str, Any],
    views: tuple[str, ...],
    jobs: int,
) -> list[list[Figure]]:
    """The figures of each (spec, target) unit, in the units' order. With more than one job,
    one pool of forked workers draws every unit of every target (two pools, one a target,
    each idled at its tail), the units with the most views (figures to draw) first, so that
    the longest ones do not start last and leave a worker idle."""
    from functools import partial

    from .pipeline import render_figures

    draws = [
        partial(render_figures, spec, {**overrides, "target": target}, views)
        for spec, target in units
    ]
    if jobs == 1 or len(units) == 1:
        return [draw() for draw in draws]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from .render.backends import BACKENDS

    # forked workers start with what is imported here, so the backends are imported once;
    # each figure's bytes depend on its inputs only, and the results are taken in the units'
    # order, so the output is the same as with one process
    for name in set(overrides["backends"]) or {b for s, _ in units for b in s.render["backends"]}:
        BACKENDS[name].load()
    first = sorted(range(len(units)), key=lambda i: -len(units[i][0].views))
    with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
        futures = {i: pool.submit(draws[i]) for i in first}
        return [futures[i].result() for i in range(len(units))]


def _with_views(spec: Spec, names: tuple[str, ...]) -> Spec:
    """The spec with a view of default options for each view kind asked that it does not
    list (`--view cell`); a name that is neither a view of the spec nor a kind is an error."""
    missing = [n for n in dict.fromkeys(names) if n not in {v.name for v in spec.views}]
    if not missing:  # the common case: nothing to add, so the notebook API is not imported
        return spec

    from .api import figure
    from .specification.catalog import VIEWS

    added = []
    for name in missing:
        if name not in VIEWS:
            raise SpecError(
                spec.doc.at(("views",)),
                f"--view {name!r} is not a view of this spec",
                f"expected one of {', '.join(v.name for v in spec.views)} "
                f"or a view kind ({', '.join(VIEWS)})",
            )
        added.append(figure(spec, name).view)
    return spec._replace(views=spec.views + tuple(added))


def _write_gallery(
    page: Path, paths: list[str], texts: list[str], rendered: list[tuple[Spec, list[Figure]]]
) -> None:
    """The gallery page of what was just drawn (`rnndiagrams gallery`'s page, in one process
    with the render: no spec is read, shaped or drawn again)."""
    from .pages.content import drawn_content
    from .pages.gallery import anchors, page_html
    from .render.files import atomic_write

    contents = [
        drawn_content(spec, text, figures)
        for text, (spec, figures) in zip(texts, rendered, strict=True)
    ]
    entries = [
        (anchor, file, content)
        for (anchor, file), content in zip(anchors([Path(p) for p in paths]), contents, strict=True)
    ]
    changed = atomic_write(page, page_html(entries).encode("utf-8"))
    _say(f"{page}{'' if changed else ' (unchanged)'}")


def _one_folder_each(specs: list[Spec], paths: list[str], target: Path) -> None:
    """Refuse two specs that would write one folder (a/net.yaml and b/net.yaml both own
    out/net/, and the second's stale-figure cleanup would delete the first's figures)."""
    seen: dict[str, str] = {}
    for spec, path in zip(specs, paths, strict=True):
        if spec.stem in seen:
            raise UsageError(
                f"{seen[spec.stem]} and {path} would both write {target / spec.stem}/; "
                "render them into different -o folders or rename one"
            )
        seen[spec.stem] = path


def _import(args: argparse.Namespace) -> int:
    """A saved Keras model (a .keras zip or to_json() JSON), or the text of PyTorch's
    print(model): the file's first bytes tell which. Or FILE.py:NAME, a live model built by
    running the user's file."""
    from pathlib import Path

    from . import load, shape_model
    from .frameworks import claim
    from .render.files import atomic_write
    from .report.summary import summary_text
    from .usercode import is_target, load_target

    if is_target(args.model):
        live, fw = load_target(args.model)
        stem = Path(args.model.rsplit(":", 1)[0]).stem
        inputs = args.input or []
        text, model, notice = fw.import_object(live, inputs, args.model, (stem, "the file's name"))
    elif args.input:
        raise UsageError("--input is for FILE.py:NAME (a live PyTorch module)")
    else:
        text, model, notice = claim(args.model).import_file(args.model, args.steps)
    if args.output is None:
        _say(text, end="")
    else:
        atomic_write(Path(args.output), text.encode("utf-8"))
        model = model or shape_model(load(args.output))
        _say(f"{args.output}: written\n" + summary_text(model), end="")
    if notice:
        _say(f"rnndiagrams: imported {args.model}: {notice}", sys.stderr)
    return 0


def _code(args: argparse.Namespace) -> int:
    from . import load, shape_model
    from .frameworks import framework

    spec = load(args.spec)
    model = shape_model(spec)  # a model the framework would refuse gets the located error
    _say(framework(spec.framework).code_text(model), end="")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .specification.jsonschema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _gallery(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .pages.gallery import gallery_html
    from .render.files import atomic_write

    target = Path(args.output)
    changed = atomic_write(target, gallery_html(args.specs).encode("utf-8"))
    print(f"{target}{'' if changed else ' (unchanged)'}")
    return 0


def _slides(args: argparse.Namespace) -> int:
    from .pages.deck import deck_pdf
    from .render.files import atomic_write

    target = Path(args.output)
    changed = atomic_write(target, deck_pdf(Path(args.specs)))
    _say(f"{target}{'' if changed else ' (unchanged)'}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from .pages.watch import watch

    watch(args.specs, args.port, tuple(args.backend or ()))
    return 0


def _new(args: argparse.Namespace) -> int:
    from .specification.starters import write_starter

    path, schema, changed = write_starter(args.name, args.starter)
    print(
        f"{path}: written from the {args.starter!r} starter; preview it with: rnndiagrams watch {path}"
    )
    print(f"{schema}: {'written' if changed else 'unchanged'} (the schema its first line names)")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def _input(text: str) -> tuple[tuple[int, ...], str]:
    from .specification.catalog import DTYPES

    shape, _, dtype = text.partition(":")
    dims = shape.split(",")
    if not all(d.isdigit() and int(d) > 0 for d in dims) or (dtype or "float32") not in DTYPES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not SHAPE[:DTYPE]: positive sizes, batch first, then one of "
            f"{', '.join(DTYPES)} (13,20:int64)"
        )
    return tuple(int(d) for d in dims), dtype or "float32"


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC")


def _summary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")
    p.add_argument(
        "--convention", choices=CONVENTIONS, help="parameter counting (default: the spec's)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")


def _spec_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")


def _render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument(
        "-o",
        "--output",
        default="output",
        help="folder (files are <spec>/<view>.<backend>.<format>) or one file ending .svg/.png/.pdf",
    )
    p.add_argument(
        "--backend", action="append", choices=BACKENDS, help="overrides the spec's render.backends"
    )
    p.add_argument(
        "--format", action="append", choices=FORMATS, help="overrides the spec's render.formats"
    )
    p.add_argument("--view", action="append", help="only this view (by name); repeatable")
    p.add_argument("--theme", choices=THEMES, help="overrides the spec's render.theme")
    p.add_argument(
        "--target",
        action="append",
        choices=TARGETS,
        help="what figures are laid out for: column (default) or a 16:9 slide, written as "
        "<view>.slide.<backend>.<format>; overrides the spec's render.target; repeatable "
        "(one run draws both)",
    )
    p.add_argument("--dpi", type=_positive, help="PNG resolution, overrides the spec's render.dpi")
    p.add_argument(
        "--frames",
        action="store_true",
        help="unrolled views as step-by-step builds (tikz: Beamer overlays); render.frames",
    )
    p.add_argument(
        "-j", "--jobs", type=_positive, default=1, help="specs drawn at once (default: 1)"
    )
    p.add_argument(
        "--gallery",
        metavar="PAGE",
        help="also write the gallery page of these specs and their SVG figures (as `gallery`)",
    )


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL")
    p.add_argument("-o", "--output", help="the spec file to write (default: print it)")
    p.add_argument("--steps", type=_positive, help="print(model) text: the input's length")
    p.add_argument(
        "--input",
        action="append",
        type=_input,
        metavar="SHAPE[:DTYPE]",
        help="FILE.py:NAME of PyTorch: an example input, batch first (13,20:int64; "
        "default dtype float32); one per argument of forward, in order",
    )


def _no_args(p: argparse.ArgumentParser) -> None:
    """`schema` takes no arguments."""


def _gallery_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC_OR_FOLDER")
    p.add_argument("-o", "--output", default="output/index.html", help="the HTML file to write")


def _slides_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", metavar="SPEC_FOLDER", help="the folder of the gallery's specs")
    p.add_argument("-o", "--output", default="output/slides.pdf", help="the PDF to write")


def _new_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--from", dest="starter", default="seed", choices=starter_names(), help="the starting model"
    )


def _watch_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument(
        "--backend", action="append", choices=BACKENDS, help="overrides the spec's render.backends"
    )


Arguments = Callable[[argparse.ArgumentParser], None]  # adds a command's arguments to its parser
# name -> (what runs it, its one-line help, its arguments), in the order `--help` lists them
COMMANDS: dict[str, tuple[Command, str, Arguments]] = {
    "check": (
        _check,
        "validate specs and verify every shape by a numpy forward pass",
        _check_args,
    ),
    "summary": (
        _summary,
        "layer table with output shapes and parameter counts, like Keras",
        _summary_args,
    ),
    "explain": (
        _explain,
        "the glossary of names, weights and parameter arithmetic for a spec",
        _spec_arg,
    ),
    "render": (_render, "draw the views of specs into SVG, PNG or PDF files", _render_args),
    "import": (
        _import,
        "write the spec of a saved Keras model (.keras or to_json() JSON), "
        "of PyTorch's print(model) text (modules in registration order), or of a live "
        "keras.Model or nn.Module named FILE.py:NAME (a class, an instance or a "
        "zero-argument factory); FILE.py:NAME RUNS the code in FILE.py",
        _import_args,
    ),
    "code": (_code, "print Keras 3 or PyTorch code that builds the spec's model", _spec_arg),
    "schema": (_schema, "print the JSON Schema of the spec format", _no_args),
    "gallery": (
        _gallery,
        "one self-contained HTML page with every spec and figure",
        _gallery_args,
    ),
    "slides": (
        _slides,
        "one Beamer deck of the gallery's story, with builds (needs lualatex)",
        _slides_args,
    ),
    "new": (
        _new,
        "write a commented starter spec NAME.yaml to edit, and the schema beside it",
        _new_args,
    ),
    "watch": (_watch, "live preview in the browser: figures re-render on save", _watch_args),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the command line `argv` (default: this process's). Only the command it
    names gets a parser (each costs 2M instructions, mostly gettext looking for translations
    of argparse's own words: 9 % of a Graphviz render, for commands that do not run); a
    command line that names none (`--help`, a typo) gets every command's, to list them."""
    parser = argparse.ArgumentParser(
        prog="rnndiagrams", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    asked = words[0] if words and words[0] in COMMANDS else None
    for name, (func, help, arguments) in COMMANDS.items():
        if asked in (None, name):
            p = sub.add_parser(name, help=help, description=help)
            p.set_defaults(func=func)
            arguments(p)
    return parser


def command() -> int:
    """The `rnndiagrams` command's own process (its console script, `python -m rnndiagrams`):
    `main`, with the garbage collector set for a process that ends when the command does,
    matplotlib without the docstrings of its setters, and warnings as lines of the command's.
    A program that calls `main` keeps its own settings."""
    from .render.backends import command_line

    # Python collects its youngest objects every 700 allocations, and every tenth time all of
    # them: 10 % of a Graphviz render's instructions went to walking the modules it imports.
    # The command makes few cycles, and lets them wait longer.
    gc.set_threshold(GC_YOUNGEST)
    command_line()  # nobody reads matplotlib's docstrings here
    if not sys.warnoptions:  # `-W` and PYTHONWARNINGS still rule
        warnings.showwarning = _say_warning
    status = main()
    # What is left is freed as the process exits; the collections Python runs at exit walked
    # every object of every module again (5 % of a Graphviz render).
    gc.freeze()
    return status


def _say_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A library's warning (matplotlib: a glyph missing from the fonts) as one line of the
    command's own, each once: what it says, not which line of the library's code said it
    (Python's "once" filter forgets what it said whenever a library sets filters)."""
    text = f"rnndiagrams: warning: {message}"
    if text not in _WARNED:
        _WARNED.add(text)
        _error(text)


_WARNED: set[str] = set()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return cast(Command, args.func)(args)
    except (SpecError, RenderError, UsageError) as e:
        _error(str(e) if isinstance(e, SpecError) else f"rnndiagrams: {e}")
        return 1
    except BrokenPipeError:
        return 0
    except OSError as e:  # an unwritable output folder, a full disk
        where = f"{e.filename}: " if e.filename else ""
        _error(f"rnndiagrams: {where}{e.strerror or e}")
        return 1
    except KeyboardInterrupt:
        return 130
