"""The `rnndiagrams` command. Heavy imports (numpy, graphviz, matplotlib) happen inside the
subcommand that needs them, so `summary` starts fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from .errors import RenderError, SpecError
from .printable import printable
from .spec.catalog import BACKENDS, CONVENTIONS, FORMATS, THEMES
from .spec.starters import starter_names

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
    from .render.pipeline import scenes

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
    from . import load, shape_model
    from .report.explain import explain_text

    spec = load(args.spec)
    if spec.framework == "pytorch":
        from .report.torch_explain import torch_explain_text

        _say(torch_explain_text(shape_model(spec)), end="")
        return 0
    _say(explain_text({c: shape_model(spec, c) for c in CONVENTIONS}), end="")
    return 0


def _render(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import load
    from .render.files import atomic_write, remove_stale_temps
    from .render.pipeline import render_figures, write_figures

    target = Path(args.output)
    single = target.suffix.lstrip(".") in FORMATS
    specs = [load(path) for path in args.specs]
    for spec in specs:
        overrides = {
            "formats": tuple(args.format or ([target.suffix[1:]] if single else ())),
            "backends": tuple(args.backend or ()),
            "theme": args.theme,
            "dpi": args.dpi,
        }
        views = tuple(args.view or ())
        for name in views:
            if name not in {v.name for v in spec.views}:
                raise SpecError(
                    spec.doc.at(("views",)),
                    f"--view {name!r} is not a view of this spec",
                    f"expected one of {', '.join(v.name for v in spec.views)}",
                )
        figures = render_figures(spec, overrides, views)
        if single:
            if len(specs) != 1 or len(figures) != 1:
                raise UsageError(
                    f"-o {target} names one file, but this would write {len(figures)} figures; "
                    "pick one with --view and --backend, or give a folder"
                )
            remove_stale_temps(target.parent)
            atomic_write(target, figures[0].data)
            _say(str(target))
            continue
        for path, changed in write_figures(spec, figures, target):
            _say(f"{path}{'' if changed else ' (unchanged)'}")
    return 0


def _import(args: argparse.Namespace) -> int:
    """A saved Keras model (a .keras zip or to_json() JSON), or the text of PyTorch's
    print(model): the file's first bytes tell which."""
    from pathlib import Path

    from . import load, shape_model
    from .render.files import atomic_write
    from .report.summary import summary_text

    model, notice = None, None
    if _looks_like_keras(args.model):
        from .exchange.keras_import import import_keras

        text, model = import_keras(args.model)  # nothing is written unless the spec loads
    else:
        from .exchange.torch_import import import_print
        from .inputs import read_text

        source = read_text(args.model, MAX_PRINT_BYTES, "expected the text of print(model)")
        text, notice = import_print(source, args.model, args.steps)
    if args.output is None:
        _say(text, end="")
    else:
        atomic_write(Path(args.output), text.encode("utf-8"))
        model = model or shape_model(load(args.output))
        _say(f"{args.output}: written\n" + summary_text(model), end="")
    if notice:
        _say(f"rnndiagrams: imported {args.model}: {notice}", sys.stderr)
    return 0


MAX_PRINT_BYTES = 1_000_000  # print(model) of a large model is kilobytes


def _looks_like_keras(path: str) -> bool:
    from .inputs import open_regular

    if path.lower().endswith((".keras", ".json", ".zip")):
        return True
    try:
        with open_regular(path, "") as f:
            head = f.read(64).lstrip()
    except SpecError:
        return True  # the Keras reader reports the file's problem
    return head.startswith((b"PK", b"{"))


def _code(args: argparse.Namespace) -> int:
    from . import load, shape_model

    spec = load(args.spec)
    model = shape_model(spec)  # a model the framework would refuse gets the located error
    if spec.framework == "pytorch":
        from .exchange.torch_code import torch_code

        _say(torch_code(model), end="")
    else:
        from .exchange.keras_code import keras_code

        _say(keras_code(spec), end="")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .spec.jsonschema import schema_text

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


def _watch(args: argparse.Namespace) -> int:
    from .pages.watch import watch

    watch(args.specs, args.port, tuple(args.backend or ()))
    return 0


def _new(args: argparse.Namespace) -> int:
    from .spec.starters import write_starter

    path = write_starter(args.name, args.starter)
    print(
        f"{path}: written from the {args.starter!r} starter; preview it with: rnndiagrams watch {path}"
    )
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnndiagrams", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = command("check", _check, "validate specs and verify every shape by a numpy forward pass")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p = command(
        "summary", _summary, "layer table with output shapes and parameter counts, like Keras"
    )
    p.add_argument("spec", metavar="SPEC")
    p.add_argument(
        "--convention", choices=CONVENTIONS, help="parameter counting (default: the spec's)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p = command(
        "explain", _explain, "the glossary of names, weights and parameter arithmetic for a spec"
    )
    p.add_argument("spec", metavar="SPEC")
    p = command("render", _render, "draw the views of specs into SVG, PNG or PDF files")
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
    p.add_argument("--dpi", type=_positive, help="PNG resolution, overrides the spec's render.dpi")
    p = command(
        "import",
        _import,
        "write the spec of a saved Keras model (.keras or to_json() JSON) "
        "or of PyTorch's print(model) text",
    )
    p.add_argument("model", metavar="MODEL")
    p.add_argument("-o", "--output", help="the spec file to write (default: print it)")
    p.add_argument("--steps", type=_positive, help="PyTorch: the input's length (default: any)")
    p = command("code", _code, "print Keras 3 or PyTorch code that builds the spec's model")
    p.add_argument("spec", metavar="SPEC")
    command("schema", _schema, "print the JSON Schema of the spec format")
    p = command("gallery", _gallery, "one self-contained HTML page with every spec and figure")
    p.add_argument("specs", nargs="+", metavar="SPEC_OR_FOLDER")
    p.add_argument("-o", "--output", default="output/index.html", help="the HTML file to write")
    p = command("new", _new, "write a commented starter spec NAME.yaml to edit")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--from", dest="starter", default="seed", choices=starter_names(), help="the starting model"
    )
    p = command("watch", _watch, "live preview in the browser: figures re-render on save")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument(
        "--backend", action="append", choices=BACKENDS, help="overrides the spec's render.backends"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return cast(Command, args.func)(args)
    except (SpecError, RenderError, UsageError) as e:
        _error(str(e) if isinstance(e, SpecError) else f"rnndiagrams: {e}")
        return 1
    except BrokenPipeError:
        return 0
    except OSError as e:  # an unwritable output folder, a full disk
        _error(f"rnndiagrams: {e.filename or ''}: {e.strerror or e}")
        return 1
    except KeyboardInterrupt:
        return 130
