"""Spec mutations that a user, or an attacker, might write: shared by `make fuzz` and the
Hypothesis test so both explore the same space. Pure functions of a seeded random.Random."""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# Values that broke, or could break, a check or a message: numbers at and past every limit,
# explicit tags with bad values, control and non-characters, markup, huge text.
NASTY_VALUES = (
    ".inf", "-.inf", ".nan", "1e400", "-1e400", "1" + "0" * 400, "9" * 5000,
    "100000000000000000000", "4294967297", "2147483648", "1000000000", "100000000",
    "-1", "0", "0.5", "1.5", "5.0", "1e3", "0x10", "0o17", "1_000", "+5", '""', "null", "~",
    "[]", "{}", "[1, [2, [3]]]", "{a: 1}", "true", "yes", "no",
    "!!int abc", "!!float abc", "!!bool maybe", '!!int ""', "!!str 5", "!!binary aGk=",
    "!!python/object:os.system x", "!!set {a, b}", "!!timestamp 2001-12-14",
    '"\\x01"', '"\\x0b"', '"\\x1b[31mred"', '"\\uFFFE"', '"\\x00"', '"\\ud800"', '"\\x85"',
    '"a\\u2028b"', '"o & V"', '"rnn<&>"', '"a/b"', '"emoji 🙂"', '"</text><script>"',
    '"]]; digraph x {"', '"감성 분류"', '" spaced "', "x" * 20_000, "&a x", "*a",
)  # fmt: skip

# Single characters inserted anywhere: every C0 control, DEL, C1, BOM, non-characters, syntax.
INSERTED_CHARS = (
    *(chr(c) for c in range(0x20)), "\x7f", "\x85", "\x9b", "\ufeff", "\ufffe", "\uffff",
    "\u2028", ":", "-", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "'", '"', "#", "%",
    "@", "`", "?", " ", "    ", "\t", "\n",
)  # fmt: skip


def base_specs() -> list[str]:
    """The committed specs and the PyTorch graph cases: every real feature of the format
    (loops, cells, functions too), as users write it."""
    paths = sorted((ROOT / "specs").glob("*.yaml")) + sorted(
        (ROOT / "tests" / "torch_graphs").glob("*.yaml")
    )
    return [p.read_text(encoding="utf-8") for p in paths]


def _scalar_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of every scalar value in the YAML text."""
    spans: list[tuple[int, int]] = []
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for _, v in node.value)
    return sorted(spans)


def mutate(text: str, rng: random.Random) -> bytes:
    """One to three mutations of a spec's text, returned as the bytes written to disk."""
    raw: bytes | None = None
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(
            ("value", "value", "value", "insert", "delete", "line", "bytes", "ref", "views")
        )
        if kind == "views":
            text = _reviewed(text, rng)
            continue
        if kind == "ref":
            rewired = _rewire(text, rng)
            if rewired is not None:
                text = rewired
                continue
            kind = "value"
        if kind == "value":
            spans = _scalar_spans(text) if _parses(text) else []
            if spans:
                a, b = rng.choice(spans)
                text = text[:a] + rng.choice(NASTY_VALUES) + text[b:]
                continue
            kind = "insert"
        if kind == "insert":
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(INSERTED_CHARS) + text[i:]
        elif kind == "delete" and text:
            i = rng.randrange(len(text))
            text = text[:i] + text[i + rng.randint(1, 8) :]
        elif kind == "line":
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            op = rng.choice(("dup", "swap", "indent", "dedent", "drop"))
            if op == "dup":
                lines.insert(j, lines[i])
            elif op == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "indent":
                lines[i] = "  " + lines[i]
            elif op == "dedent":
                lines[i] = lines[i][2:]
            else:
                del lines[i]
            text = "\n".join(lines)
        elif kind == "bytes":
            data = text.encode("utf-8", "surrogatepass")
            i = rng.randrange(len(data) + 1)
            raw = data[:i] + bytes([rng.randrange(256)]) + data[i:]
    if raw is not None:
        return raw
    return text.encode("utf-8", "surrogatepass")


_REFS = re.compile(r"\b(inputs|initial_state|outputs): \[([^\]\n]*)\]")
_NAMES = re.compile(r"\bname: ([\w.]+)|^    (\w+): \{shape", re.M)


def _rewire(text: str, rng: random.Random) -> str | None:
    """A graph's wiring (inputs:, initial_state:, outputs:) changed as a user might get it
    wrong: a reference to another layer (a cycle, a layer read twice, one left unread), to an
    output it lacks, or to no layer, or to the step before; a reference dropped or doubled.
    None for a chain."""
    lists = list(_REFS.finditer(text))
    if not lists:
        return None
    names = [a or b for a, b in _NAMES.findall(text)] or ["x"]
    found = rng.choice(lists)
    refs = [r.strip() for r in found[2].split(",") if r.strip()]
    i = rng.randrange(len(refs) + 1)
    op = rng.choice(("other", "index", "unknown", "drop", "double", "previous"))
    if op == "other":
        refs[i : i + 1] = [rng.choice(names)]
    elif op == "previous":  # the step before, inside a loop or not, of a state or not
        refs[i : i + 1] = [f"{rng.choice(names)}{rng.choice(('', '.1', '.2'))}@t-1"]
    elif op == "index":
        refs[i : i + 1] = [f"{rng.choice(names)}.{rng.choice((0, 1, 2, 3, 4, 5, 99))}"]
    elif op == "unknown":
        refs[i : i + 1] = [rng.choice(("nope", "encoder.", ".1", "a.b.1", "encoder..1"))]
    elif op == "drop" and refs:
        del refs[min(i, len(refs) - 1)]
    else:
        refs.insert(i, refs[0] if refs else rng.choice(names))
    return text[: found.start(2)] + ", ".join(refs) + text[found.end(2) :]


_VIEWS_KEY = re.compile(r"^views:.*\n(?:[ -].*\n)*", re.M)
VIEW_OPTIONS = (
    "steps: 3", "steps: 1", "steps: 1000000000", "head: hide", "head: show", "feed: teacher",
    "feed: free", "layer: lstm", "layer: nope", "name: other", "steps: null",
)  # fmt: skip


def _reviewed(text: str, rng: random.Random) -> str:
    """Other views than the spec asks for, any of them with an option, or none (the
    defaults): a view that a model of this kind lacks must be one located line too."""
    from rnndiagrams.specification.catalog import VIEWS

    kinds = rng.sample(sorted(VIEWS), rng.randint(1, 3))
    items = [k if rng.random() < 0.6 else f"{{{k}: {{{rng.choice(VIEW_OPTIONS)}}}}}" for k in kinds]
    line = f"views: [{', '.join(items)}]\n" if rng.random() < 0.8 else ""
    return _VIEWS_KEY.sub("", text).rstrip("\n") + "\n" + line


def _parses(text: str) -> bool:
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except Exception:
        return False
    return True


def big_model(rng: random.Random) -> bytes:
    """A valid spec with sizes far beyond any real model: `check` must still pass it, fast."""

    def big() -> int:
        return rng.choice((1, 7, 10**5, 10**8, 10**9, 10**12, 2**62, 10**20))

    rnn = rng.choice(("SimpleRNN", "LSTM", "GRU"))
    layer = f"{rnn}: {{units: {big()}, return_sequences: {rng.choice(('true', 'false'))}}}"
    if rng.random() < 0.3:
        layer = f"Bidirectional: {{layer: {{{layer}}}}}"
    steps = rng.choice(("null", str(big())))
    if rng.random() < 0.5:
        head = f"    - Embedding: {{input_dim: {big()}, output_dim: {big()}}}\n"
        shape = f"[{steps}]"
    else:
        head, shape = "", f"[{steps}, {big()}]"
    text = (
        f"model:\n  input: {{shape: {shape}}}\n  layers:\n{head}    - {layer}\n"
        f"    - Dense: {{units: {big()}}}\n"
    )
    return text.encode()
