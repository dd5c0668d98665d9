"""`rnndiagrams watch` in a real process and real headless Chromium: a saved spec re-renders
the page by itself, a broken one shows its located error beside the last good figures, and
nothing but the rendered figures is served."""

import http.client
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from watching import PAGE_STATE, SPEC, save, watching

import rnndiagrams
from rnndiagrams import load, shape_model
from rnndiagrams.pages.watch import Preview
from rnndiagrams.shapes.shaped import format_shape

pytestmark = [pytest.mark.needs_browser, pytest.mark.needs_dot]
FEW_SECONDS = 10  # the page must follow within this (a render takes well under one here)


def _output_shape(path) -> str:
    return format_shape(shape_model(load(str(path))).layers[-1].output_shape)


def _wait(browser, condition):
    return WebDriverWait(browser, FEW_SECONDS, poll_frequency=0.05).until(
        lambda b: (state := b.execute_script(PAGE_STATE)) and condition(state) and state
    )


def _figure(browser, src: str) -> str:
    return browser.execute_async_script(
        "fetch(arguments[0]).then(r => r.text()).then(arguments[1])", src
    )


def test_the_page_follows_saves_errors_and_recovery(browser, tmp_path):
    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    with watching(spec) as (url, process):
        browser.get(url)
        first = _wait(browser, lambda s: s["loaded"] and s["srcs"])
        assert len(first["srcs"]) == len(load(str(spec)).views)
        assert _output_shape(spec) in first["text"]

        save(spec, SPEC.format(units=12))  # in place, as most editors do: a poll may see it
        shape = _output_shape(spec)  # half-written, so wait for the final state
        second = _wait(browser, lambda s: shape in s["text"] and not s["error"] and s["loaded"])
        assert set(second["srcs"]).isdisjoint(first["srcs"])  # new figures, not cached ones
        shown = _figure(browser, second["srcs"][-1])  # the unrolled figure, as the page has it
        assert shown == rnndiagrams.figure(str(spec), view="unrolled").svg
        assert shown != rnndiagrams.figure(SPEC.format(units=8), view="unrolled").svg

        broken = SPEC.format(units=12).replace("units: 12", "unitz: 12")
        save(spec, broken)
        line = broken.splitlines().index("    - SimpleRNN: {unitz: 12}") + 1
        col = broken.splitlines()[line - 1].index("unitz") + 1
        third = _wait(browser, lambda s: "unitz" in (s["error"] or ""))
        assert third["error"].startswith(f"{spec}:{line}:{col}: unknown SimpleRNN argument 'unitz'")
        assert third["error"].endswith(
            f"{line:>4} | {broken.splitlines()[line - 1]}\n     | {' ' * (col - 1)}^"
        )
        assert third["srcs"] == second["srcs"] and third["loaded"]  # the last good figures stay

        save(spec, SPEC.format(units=16))
        shape = _output_shape(spec)
        fourth = _wait(browser, lambda s: shape in s["text"] and not s["error"] and s["loaded"])
        assert set(fourth["srcs"]).isdisjoint(second["srcs"])
        assert process.poll() is None  # an error never stopped the server


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/figures/0/../../../../etc/passwd",
        "/figures/0/..%2f..%2f..%2fetc%2fpasswd",
        "/model.yaml",
        "/figures/1/stack.graphviz.svg",
    ],
)
def test_nothing_but_rendered_figures_is_served(tmp_path, path):
    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    with watching(spec) as (url, _):
        where = urlsplit(url)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        connection.request("GET", "/figures/0/stack.graphviz.svg")
        good = connection.getresponse()
        assert good.status == 200 and b"<svg" in good.read()
        connection.close()
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        connection.request("GET", path)  # sent as written: http.client does not normalise
        refused = connection.getresponse()
        body = refused.read()
        assert refused.status == 404
        assert b"root:" not in body and b"SimpleRNN" not in body


def test_a_request_for_another_host_is_refused(tmp_path):
    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    with watching(spec) as (url, _):
        where = urlsplit(url)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        connection.request("GET", "/", headers={"Host": f"attacker.example:{where.port}"})
        response = connection.getresponse()
        assert response.status == 403 and b"SimpleRNN" not in response.read()


def test_ctrl_c_stops_cleanly_and_the_url_is_local(tmp_path):
    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    with watching(spec) as (url, process):
        assert url.startswith("http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0
        assert out.strip() == "rnndiagrams watch: stopped" and err == ""


def test_a_busy_port_is_one_line(tmp_path):
    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "rnndiagrams", "watch", str(spec), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"rnndiagrams: 127.0.0.1:{port}: Address already in use\n"


def test_backend_flag_chooses_the_figures(tmp_path):
    from rnndiagrams.pages.watch import Preview

    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    preview = Preview([str(spec)], ("matplotlib",))
    preview.refresh()
    names = [f"/figures/0/{view.name}.matplotlib.svg" for view in load(str(spec)).views]
    assert sorted(preview.figures) == sorted(names)


def test_a_save_that_empties_the_file_first_shows_no_error_between(tmp_path):
    """Editors save by emptying the file, then writing it: a poll between the two saw an
    empty spec and flashed its error on the page. An empty file is shown a poll later, if
    it is still empty then."""
    spec = tmp_path / "model.yaml"
    save(spec, SPEC.format(units=8))
    preview = Preview([str(spec)])
    preview.refresh()
    assert preview.specs[0].error is None
    version = preview.version
    spec.write_text("")
    preview.refresh()  # the poll between the truncation and the write
    assert (preview.version, preview.specs[0].error) == (version, None)
    save(spec, SPEC.format(units=16))
    preview.refresh()
    assert preview.specs[0].error is None and preview.specs[0].renders == 2
    spec.write_text("")
    preview.refresh()
    preview.refresh()  # still empty a poll later: a real empty spec, shown
    assert preview.specs[0].error and "empty" in preview.specs[0].error
