"""Issue 15: render of several specs, the notebook API with a dict, `watch` and full disks are
as safe as `check`: one located line, bounded work, and no half-replaced set of figures."""

import enum
import os
import threading
from pathlib import Path

import pytest

import rnndiagrams
from rnndiagrams.cli import main
from rnndiagrams.errors import SpecError
from rnndiagrams.pages import content as content_module
from rnndiagrams.pages import watch as watch_module
from rnndiagrams.pages.watch import Preview
from rnndiagrams.render import files
from rnndiagrams.render.files import TEMP_PREFIX

SPEC = """\
title: {title}
model:
  input: {{shape: [null, 8]}}
  layers:
    - SimpleRNN: {{units: {units}}}
views: [folded, stack, unrolled]
render: {{backends: [graphviz]}}
"""


def _dict(units=4, **extra):
    return {
        "model": {"input": {"shape": [None, 8]}, "layers": [{"SimpleRNN": {"units": units}}]},
        **extra,
    }


@pytest.mark.needs_dot
def test_two_specs_with_one_stem_are_refused_before_anything_is_written(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "net.yaml").write_text(SPEC.format(title=folder, units=4))
    out = tmp_path / "out"
    specs = [str(tmp_path / "a" / "net.yaml"), str(tmp_path / "b" / "net.yaml")]
    assert main(["render", *specs, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"would both write {out / 'net'}/" in err
    assert not out.exists()


@pytest.mark.needs_dot
def test_several_specs_keep_every_figure_reported_as_written(tmp_path, capsys):
    paths = []
    for stem, units in (("one", 4), ("two", 6)):
        paths.append(tmp_path / f"{stem}.yaml")
        paths[-1].write_text(SPEC.format(title=stem, units=units))
    out = tmp_path / "out"
    assert main(["render", *map(str, paths), "-o", str(out)]) == 0
    reported = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert len(reported) == 6 and all(path.is_file() for path in reported)


@pytest.mark.needs_dot
def test_a_full_disk_names_the_path_and_replaces_no_figure(tmp_path, capsys, monkeypatch):
    spec = tmp_path / "net.yaml"
    spec.write_text(SPEC.format(title="old", units=4))
    out = tmp_path / "out"
    assert main(["render", str(spec), "-o", str(out)]) == 0
    before = {p: p.read_bytes() for p in (out / "net").iterdir()}
    spec.write_text(SPEC.format(title="new", units=6))
    capsys.readouterr()

    calls = []
    real_create = files._create_temp

    def second_on_a_full_disk(path):
        fd, name = real_create(path)
        calls.append(name)
        if len(calls) == 2:  # the second figure's bytes go to a device that is always full
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return fd, name

    monkeypatch.setattr(files, "_create_temp", second_on_a_full_disk)
    assert main(["render", str(spec), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"rnndiagrams: cannot write {out / 'net'}/")
    assert err.rstrip().endswith(": No space left on device")
    assert {p: p.read_bytes() for p in (out / "net").iterdir()} == before  # all old, no temps
    assert not list((out / "net").glob(TEMP_PREFIX + "*"))


class Units(enum.IntEnum):
    SMALL = 4


class Name(str):
    pass


def test_api_dicts_take_int_and_str_subclasses_as_plain_values():
    plain = rnndiagrams.figure(_dict(4, title="t"), view="stack", backend="graphviz").svg
    subclassed = rnndiagrams.figure(
        _dict(Units.SMALL, title=Name("t")), view="stack", backend="graphviz"
    ).svg
    assert subclassed == plain


@pytest.mark.parametrize(
    "data, where, problem",
    [
        (_dict(10**5000), "['SimpleRNN']['units']", "an integer of about 5,000 digits"),
        (_dict(title="x" * 2_000_000), "<dict>['title']", "text over 1,000,000 characters"),
        (
            {"model": {"input": {"shape": [None] * 5_000_000}}},
            "<dict>['model']['input']['shape'][",
            "more than 20,000 values",
        ),
    ],
    ids=["huge-int", "huge-title", "huge-list"],
)
def test_api_dicts_are_bounded_before_any_dump(data, where, problem):
    with pytest.raises(SpecError) as raised:
        rnndiagrams.figure(data, view="stack")
    assert where in raised.value.where
    assert problem in raised.value.problem
    assert "\n" not in str(raised.value)


def _refreshed(preview: Preview) -> None:
    """One refresh, which must end (a FIFO once blocked it for ever)."""
    thread = threading.Thread(target=preview.refresh, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "watch blocked on reading a spec"


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "600MB"])
def test_watch_refuses_specs_that_are_not_small_regular_files(kind, tmp_path):
    path = tmp_path / "spec.yaml"
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
        expected = "not a regular file (a character device)"
    elif kind == "fifo":
        os.mkfifo(path)
        expected = "not a regular file (a pipe)"
    else:
        with open(path, "wb") as f:  # sparse: no disk used, but 600 MB to read
            f.truncate(600_000_000)
        expected = "file is over 1,000,000 bytes"
    preview = Preview([str(path)], ("graphviz",))
    _refreshed(preview)
    assert preview.specs[0].error is not None
    assert preview.specs[0].error.startswith(f"{path}:1:1: {expected}")


@pytest.mark.needs_dot
def test_watch_shows_one_version_even_when_saved_mid_render(tmp_path, monkeypatch):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(title="first", units=4))
    real = content_module.text_content

    def saved_during_render(text, name, backends=()):
        path.write_text(SPEC.format(title="second", units=6))  # the user saves again
        return real(text, name, backends)

    monkeypatch.setattr(watch_module, "text_content", saved_during_render)
    preview = Preview([str(path)], ("graphviz",))
    _refreshed(preview)
    shown = preview.specs[0].content
    assert shown is not None
    assert shown.title == "first"
    assert shown.source == SPEC.format(title="first", units=4)


@pytest.mark.needs_dot
def test_watch_a_slow_spec_does_not_hold_back_another(tmp_path, monkeypatch):
    slow, fast = tmp_path / "slow.yaml", tmp_path / "fast.yaml"
    slow.write_text(SPEC.format(title="slow", units=4))
    fast.write_text(SPEC.format(title="fast", units=4))
    release = threading.Event()
    real = content_module.text_content

    def stuck_on_slow(text, name, backends=()):
        if name == str(slow):
            release.wait(60)
        return real(text, name, backends)

    monkeypatch.setattr(watch_module, "text_content", stuck_on_slow)
    preview = Preview([str(slow), str(fast)], ("graphviz",))
    pollers = [threading.Thread(target=preview.poll, args=(i,), daemon=True) for i in range(2)]
    try:
        for poller in pollers:
            poller.start()
        with preview.changed:
            assert preview.changed.wait_for(lambda: preview.specs[1].content is not None, 60)
        fast.write_text(SPEC.format(title="fast again", units=6))
        with preview.changed:
            assert preview.changed.wait_for(
                lambda: getattr(preview.specs[1].content, "title", "") == "fast again", 60
            )
        assert preview.specs[0].content is None  # still rendering its first version
    finally:
        release.set()
        preview.stop()


def test_watch_listens_with_a_backlog_for_many_clients():
    assert watch_module._Server.request_queue_size >= 128


def _replace_leaf(data, path, value):
    """A deep copy of `data` with the value at `path` (keys and indices) replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: _replace_leaf(v, rest, value) if k == head else v for k, v in data.items()}
    return [_replace_leaf(v, rest, value) if i == head else v for i, v in enumerate(data)]


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, prefix + (index,))


def test_api_dicts_with_any_value_anywhere_give_a_figure_or_one_located_line():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = {
        "title": "t",
        "model": {
            "input": {"shape": [None, 8]},
            "layers": [{"LSTM": {"units": 4, "return_sequences": True}}, {"Dense": {"units": 2}}],
        },
        "views": ["stack"],
    }
    paths = list(_paths(base))[1:]  # the root itself is no longer a dict
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**400), max_value=10**400)
        | st.floats()
        | st.text(max_size=40)
        | st.integers(0, 3).map(  # built when drawn: hypothesis cannot repr a 5,000-digit int
            lambda i: (Units.SMALL, Name("lstm"), 10**5000, "x" * 1_100_000)[i]
        )
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=12,
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(paths), values)
    def check(path, value):
        try:
            rnndiagrams.figure(_replace_leaf(base, path, value), view="stack", backend="graphviz")
        except SpecError as e:
            assert "\n" not in str(e) and e.where.startswith("<dict>")

    check()
