"""Mutations of what `rnndiagrams import` reads: real `.keras` zips, `to_json()` files and the
text of PyTorch's `print(model)`. Seeded from tests/oracle/keras-files/, the PyTorch oracle
cases and the specs; pure functions of a seeded random.Random, shared by `make fuzz` and the
tests."""

from __future__ import annotations

import io
import json
import random
import re
import warnings
import zipfile
from functools import cache
from typing import Any

import yaml

from fuzz import zips
from fuzz.mutations import ROOT, mutate

KERAS_FILES = ROOT / "tests" / "oracle" / "keras-files"

# JSON values placed anywhere in a model config: wrong types, limits, deep nesting, big
# numbers, hostile text. Strings are JSON text, spliced in after json.dumps.
NASTY_JSON = (
    "null", "true", "0", "-1", "1.5", "1e400", "-1e400", "NaN", "Infinity", "-Infinity",
    "1" + "0" * 5000, "9" * 400, "4294967297", "[]", "{}", '""', '"linear"', '"relu"',
    "[1]", "[[1]]", "[null, 3]", "[null, null, null, null]", '{"class_name": "X"}',
    '"a\\nb"', '"a\\u202eb"', '"\\u0000"', '"\\ud800"', '"a/b"', '"a.b"', '"감성"', '"🙂"',
    '"x"', '"' + "x" * 300 + '"', '"' + "y" * 1_000_000 + '"', "[" * 500 + "]" * 500,
    '{"a":' * 500 + "1" + "}" * 500, "[" * 100_000 + "]" * 100_000,
    '"</text><script>"', '"\\n# live: 1"', '"forward_x"',
)  # fmt: skip

# Argument texts placed into a print(model) line.
NASTY_ARGS = (
    "1j", "-1", "0", "1e400", "nan", "float('nan')", "True", "None", "'x'", "(3,)", "(3, 4)",
    "()", "[1]", "{1: 2}", "1" + "0" * 5000, "-" * 100_000 + "1", "(" * 200 + "1" + ")" * 200,
    "(" * 100_000, "x=1", "2, 3", "32, 64, 2", "32, 64, 2, True, True, 0.5, True, 0",
    "a" * 1_000_000, "lambda: 0", "__import__('os')", "'\\n'", "'\\u202e'", "...",
)  # fmt: skip


def _dump_with_raw(value: Any, raw: dict[str, str]) -> str:
    """JSON text of `value`, with placeholder strings replaced by raw JSON text."""
    text = json.dumps(value, indent=_indent(value))
    for key, replacement in raw.items():
        text = text.replace(json.dumps(key), replacement, 1)
    return text


def _indent(value: Any) -> int | None:
    """Some files on one line, as to_json() writes them, some pretty-printed, so that errors
    are located on lines past the first; chosen by the content, so a case is its seed's."""
    return 1 if isinstance(value, dict) and len(json.dumps(value)) % 2 else None


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node below the root."""
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def mutate_json(text: str, rng: random.Random) -> bytes:
    """One to three changes to a model config's JSON: a node replaced, dropped, duplicated or
    retyped; one time in four the text is mutated as text instead."""
    if rng.random() < 0.25:
        return mutate(text, rng)
    data = json.loads(text)
    raw: dict[str, str] = {}
    for _ in range(rng.randint(1, 3)):
        paths = _paths(data)
        if not paths:
            break
        *parent_path, key = rng.choice(paths)
        parent = data
        for step in parent_path:
            parent = parent[step]
        op = rng.choice(("nasty", "nasty", "nasty", "drop", "dup", "string"))
        if op == "nasty":
            token = f"\x00raw{len(raw)}\x00"
            raw[token] = rng.choice(NASTY_JSON)
            parent[key] = token
        elif op == "drop":
            del parent[key]
        elif op == "dup" and isinstance(parent, list):
            parent.insert(key, parent[key])
        else:  # a container as a string (`"config": "..."`)
            parent[key] = json.dumps(parent[key])[:50]
    return _dump_with_raw(data, raw).encode("utf-8", "surrogatepass")


@cache
def json_bases() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(KERAS_FILES.glob("*.json"))]


@cache
def keras_bases() -> list[list[tuple[str, bytes]]]:
    """The members of each real .keras file, in order."""
    out = []
    for p in sorted(KERAS_FILES.glob("*.keras")):
        with zipfile.ZipFile(p) as z:
            out.append([(i.filename, z.read(i)) for i in z.infolist()])
    return out


@cache
def print_bases() -> list[str]:
    """print(model) texts of the PyTorch specs and oracle cases, as module_call writes them
    (tests/test_torch_cli.py checks module_call against real PyTorch's repr)."""
    from rnndiagrams.frameworks.pytorch.catalog import module_call
    from rnndiagrams.specification.validate import validate
    from rnndiagrams.specification.yamldoc import parse_doc

    texts = [p.read_text() for p in sorted((ROOT / "specs").glob("*.yaml"))]
    cases = json.loads((ROOT / "tests" / "oracle" / "cases-v2.json").read_text())["cases"]
    texts += [
        yaml.safe_dump({"framework": "pytorch", "model": {k: c[k] for k in ("input", "layers")}})
        for c in cases
        if c["framework"] == "pytorch"
    ]
    out = []
    for text in texts:
        if "framework: pytorch" in text:
            spec = validate(parse_doc(text, "base"))
            lines = "".join(f"  ({m.name}): {module_call(m)}\n" for m in spec.layers)
            out.append(f"{spec.stem or 'Net'}(\n{lines})\n")
    return out


_ARGS = re.compile(r"\((.*)\)\s*$")


def mutate_print(text: str, rng: random.Random) -> bytes:
    """A module's arguments replaced or extended with hostile text, a class renamed, a line
    doubled (up to two of these, or none); one time in four the text is also mutated as text."""
    lines = text.split("\n")
    modules = [i for i, line in enumerate(lines) if _ARGS.search(line) and ": " in line]
    for _ in range(rng.randint(0, 2)):
        i = rng.choice(modules)
        m = _ARGS.search(lines[i])
        assert m is not None
        args = m[1]
        op = rng.choice(("replace", "append", "keyword", "class", "dup", "name"))
        if op == "replace" and args:
            parts = args.split(", ")
            parts[rng.randrange(len(parts))] = rng.choice(NASTY_ARGS)
            args = ", ".join(parts)
        elif op == "append":
            args = f"{args}, {rng.choice(NASTY_ARGS)}"
        elif op == "keyword":
            key = rng.choice(("dropout", "num_layers", "p", "bias", "proj_size", "x", "name"))
            args = f"{args}, {key}={rng.choice(NASTY_ARGS)}"
        elif op == "class":
            lines[i] = re.sub(
                r"\b[A-Z]\w*\(", rng.choice(("Conv1d(", "LSTMCell(", "lstm(")), lines[i], count=1
            )
            continue
        elif op == "dup":
            lines.insert(i, lines[i])
            continue
        else:
            lines[i] = lines[i].replace("(", "(" + rng.choice(NASTY_ARGS)[:40] + ") ", 1)
            continue
        lines[i] = lines[i][: m.start(1)] + args + lines[i][m.end(1) :]
    out = "\n".join(lines)
    return mutate(out, rng) if rng.random() < 0.25 else out.encode("utf-8", "surrogatepass")


_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def mutate_keras(members: list[tuple[str, bytes]], rng: random.Random) -> bytes:
    """A real .keras file rebuilt with its config.json mutated (half the time) and each member
    compressed by a random method; then members dropped, renamed, duplicated or multiplied,
    config.json replaced by a bomb, its headers and compressed bytes patched, bytes anywhere
    changed, or the file cut short."""
    members = list(members)
    if rng.random() < 0.5:
        members = [
            (n, mutate_json(d.decode(), rng) if n == "config.json" else d) for n, d in members
        ]
    op = rng.choice(
        ("none", "drop", "rename", "dup", "bomb", "entries", "header", "header", "bytes", "cut")
    )
    if op == "drop":
        del members[rng.randrange(len(members))]
    elif op == "rename":
        i = rng.randrange(len(members))
        members[i] = (
            rng.choice(("Config.json", "../config.json", "a/config.json", "")),
            members[i][1],
        )
    elif op == "dup":
        members.append(rng.choice(members))
    elif op in ("bomb", "entries"):
        return _raw_zip(members, op, rng)
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as z:
        warnings.simplefilter("ignore")  # a duplicate name is the point
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            # the weights are never read: stored or deflate keeps a case fast
            weights = name.endswith(".h5")
            info.compress_type = rng.choice(_COMPRESSION[:2] if weights else _COMPRESSION)
            z.writestr(info, data)
    data = buf.getvalue()
    if op == "header":
        field = rng.choice(tuple(zips.FIELDS))
        value = {
            "flags": rng.choice((1, 0x41, 0x800, 0x2000, 0xFFFF)),
            "method": rng.choice((1, 6, 9, 12, 14, 97, 98, 99, 0xFFFF)),
            "version": rng.choice((20, 45, 63, 64, 100, 0xFFFF)),
        }.get(field, rng.choice((0, 1, 900, 0x7FFFFFFF, 0xFFFFFFFF, rng.getrandbits(32))))
        data = zips.patch(data, "config.json", field, value)
    elif op == "bytes":
        # config.json's header and first compressed bytes, or anywhere (the directory too)
        local = next((at for _, at, name in zips.directory(data) if name == "config.json"), 0)
        out = bytearray(data)
        anywhere = rng.random() < 0.5
        for _ in range(rng.randint(1, 8)):
            i = (
                rng.randrange(len(out))
                if anywhere
                else min(len(out) - 1, local + 30 + rng.randrange(200))
            )
            out[i] = rng.randrange(256)
        data = bytes(out)
    elif op == "cut":
        data = data[: rng.randrange(len(data))]
    return data


def _raw_zip(members: list[tuple[str, bytes]], op: str, rng: random.Random) -> bytes:
    """A zip zipfile cannot write: config.json a bomb that declares 900 bytes, or a central
    directory of 10,001 to 1M entries."""
    if op == "entries":
        count = rng.choice((10_001, 70_000, 1_000_000))
        return zips.build([zips.stored("config.json", members[0][1][:100])], count)
    kind = rng.choice(("deflate", "bz2", "json"))
    if kind == "deflate":
        bomb = zips.deflate_bomb("config.json", rng.choice((64, 1024, 2048)))
    elif kind == "bz2":
        bomb = zips.bz2_bomb("config.json")
    else:
        bomb = _json_bomb()
    rest = [zips.stored(n, d) for n, d in members if n != "config.json"]
    return zips.build([bomb, *rest])


def _json_bomb() -> zips.Entry:
    """200 MiB of valid JSON prefix (a name that never ends), so a reader that stops early
    still sees JSON; declares 900 bytes."""
    prefix = b'{"class_name": "Sequential", "config": {"name": "'
    return zips.deflate_bomb("config.json", 200, prefix=prefix, fill=b"x")
