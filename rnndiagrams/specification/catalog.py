"""The spec's own vocabulary as data: top-level keys, the input, views and render options.

Validation, the JSON Schema and "did you mean" hints are all generated from these tables,
so a new option is one line here. Layer classes are each framework's (`frameworks/*/catalog.py`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

NOTATIONS = ("seed", "goodfellow", "keras", "pytorch")
CONVENTIONS = ("keras", "pytorch")
CONVENTION_NAMES = {"keras": "Keras", "pytorch": "PyTorch"}  # as a figure names a count
DTYPES = ("float16", "float32", "float64", "int32", "int64")


INT64_MAX = 2**63 - 1
MAX_NAME_CHARS = 200  # a layer name; Keras sets no limit, but a figure must hold it
MAX_TITLE_CHARS = 300


class Arg(NamedTuple):
    """One argument of a layer class: its kind of value, default and limits."""

    kind: (
        str  # posint | bool | choice | rate | number | nonneg | positive | name | file_name |
        # layer | axis | axes | refs
    )
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] = ()  # allowed values; for kind "layer", the classes it may wrap
    nullable: bool = False  # null allowed (Keras `activation=None` means linear)
    maximum: int = INT64_MAX  # sizes beyond int64 exist in no framework


_FILE_NAME = Arg("file_name")  # a view name, which names a file

TOP_LEVEL = ("title", "subtitle", "framework", "model", "notation", "convention", "views", "render")
MODEL_KEYS = ("input", "inputs", "layers", "outputs")
INPUT_KEYS = ("shape", "dtype", "name")

# Views a spec may ask for, and their options (validated like layer arguments).
HEAD_MODES = ("auto", "show", "hide")
LEGEND_MODES = ("short", "full", "none")
_LAYER_REF = Arg("layer_ref")
_STEPS = Arg("steps")
_HEAD = Arg("choice", "auto", choices=HEAD_MODES)
# a graph's decoder input, the target one step back: its ground truth or the model's own output
FEED_MODES = ("teacher", "free")
VIEWS: dict[str, dict[str, Arg]] = {
    "stack": {"name": _FILE_NAME},
    "folded": {"layer": _LAYER_REF, "head": _HEAD, "name": _FILE_NAME},
    "unrolled": {
        "layer": _LAYER_REF,
        "steps": _STEPS,
        "head": _HEAD,
        "feed": Arg("choice", choices=FEED_MODES, nullable=True),
        "name": _FILE_NAME,
    },
    "equivalence": {"layer": _LAYER_REF, "steps": _STEPS, "head": _HEAD, "name": _FILE_NAME},
    "cell": {"layer": _LAYER_REF, "name": _FILE_NAME},
    "numpy": {"layer": _LAYER_REF, "steps": _STEPS, "name": _FILE_NAME},
}
DEFAULT_VIEWS = ("stack", "folded", "unrolled")

BACKENDS = ("graphviz", "matplotlib", "scene", "tikz")  # render/backends.py says what each writes
FORMATS = ("svg", "png", "pdf", "json", "tex")
THEMES = ("light", "dark", "print")
TARGETS = ("column", "slide")  # style.TARGETS holds each one's type
RENDER: dict[str, Arg] = {
    "formats": Arg("choices", ("svg",), choices=FORMATS),
    "backends": Arg("choices", ("graphviz",), choices=BACKENDS),
    "theme": Arg("choice", "light", choices=THEMES),
    "dpi": Arg("posint", 144, maximum=1200),  # PNG resolution (slides: 200-300)
    "text": Arg(
        "choice", "paths", choices=("paths", "editable")
    ),  # SVG text as outlines, or <text>
    # the header under the title: one or two lines that say what the figure shows, every
    # weight and gate block too, or nothing
    "legend": Arg("choice", "short", choices=LEGEND_MODES),
    # time-grid views (unrolled) as step-by-step builds: Beamer overlays in TikZ
    "frames": Arg("bool", False),
    # what the figures are laid out for: a page's column, or a 16:9 slide (wide, large type)
    "target": Arg("choice", "column", choices=TARGETS),
}
TIME_GRID_VIEWS = ("unrolled",)  # views whose grid columns are time steps
GRAPH_VIEWS = ("stack", "unrolled")  # the views a graph spec has so far
CHAIN_ONLY = {"layer": None, "head": "auto", "feed": None}  # options a graph's unrolled view lacks
