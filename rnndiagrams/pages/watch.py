"""`rnndiagrams watch`: a live preview of specs while they are written.

A thread polls the spec files; a changed file is rendered in memory and, if it is broken, its
located error is shown above its last good figures. The page learns of each change by
server-sent events and fetches the new section. Only 127.0.0.1 is bound, requests must name
it (or localhost) as their host, and only what was rendered is served: URLs are keys of an
in-memory table, never file names, so no path can reach a file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import RenderError, SpecError
from ..specification.yamldoc import read_spec_text
from . import markup
from .content import SpecContent, section, text_content

POLL_SECONDS = 0.02  # a stat() a poll is cheap; a save waits 10 ms for it on average (25 at 0.05)
KEEPALIVE_SECONDS = 15.0

SCRIPT = """
const main = document.getElementById("content"), state = document.getElementById("state");
async function refresh() {
  const response = await fetch("/content", {cache: "no-store"});
  main.innerHTML = await response.text();
  document.body.dataset.version = main.firstElementChild.dataset.version;
  state.textContent = "up to date";
}
const events = new EventSource("/events");
events.onmessage = (e) => { if (e.data !== document.body.dataset.version) refresh(); };
events.onerror = () => { state.textContent = "disconnected: is `rnndiagrams watch` running?"; };
"""


@dataclass
class Watched:
    path: Path
    checked: bool = False
    stamp: tuple[int, int] | None = None  # (mtime_ns, size) when last rendered; None: missing
    emptied: tuple[int, int] | None = None  # the stamp of an emptied file, not yet shown
    renders: int = 0  # good renders so far: the figures' URL version
    content: SpecContent | None = None  # the last good content
    error: str | None = None  # the current located error


class Preview:
    """The watched specs and what the page shows of them; safe to read from many threads."""

    def __init__(self, paths: list[str], backends: tuple[str, ...] = ()) -> None:
        self.specs = [Watched(Path(p)) for p in paths]
        self.backends = backends
        self.version = 0  # bumped by every change the page must show
        self.stopping = False
        self.figures: dict[str, bytes] = {}  # URL path -> SVG bytes: all that is served
        self.changed = threading.Condition()

    def refresh(self) -> None:
        """Re-render every spec whose file changed, each in its own thread (a slow spec
        does not hold back the others); returns when all are done."""
        threads = [
            threading.Thread(target=self.refresh_one, args=(i,), daemon=True)
            for i in range(len(self.specs))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def refresh_one(self, index: int) -> None:
        """Re-render spec `index` if its file changed (or appeared, or vanished). Its text is
        read once, and the title, source, figures and error shown all come from that text."""
        watched = self.specs[index]
        stamp = _stamp(watched.path)
        if watched.checked and stamp == watched.stamp:
            return
        # an editor saves by emptying the file, then writing it: an emptied file is shown
        # only if it is still empty a poll later, not flashed as an error between the two
        if stamp and not stamp[1] and watched.stamp and watched.emptied != stamp:
            watched.emptied = stamp
            return
        watched.checked, watched.stamp, watched.emptied = True, stamp, None
        text = ""
        try:
            text = read_spec_text(watched.path)
            content, error = text_content(text, str(watched.path), self.backends), None
        except SpecError as e:
            content, error = None, str(e) + _excerpt(text, e.where)
        except RenderError as e:
            content, error = None, str(e)
        except Exception as e:  # a bug: show it and keep previewing the other specs
            content, error = None, f"internal error, please report it: {e!r}"
        with self.changed:
            if content is not None:
                watched.renders += 1
                watched.content = content
                prefix = f"/figures/{index}/"
                self.figures = {k: v for k, v in self.figures.items() if not k.startswith(prefix)}
                self.figures.update({prefix + name: svg for name, svg in content.figures})
            watched.error = error
            self.version += 1
            self.changed.notify_all()

    def content_html(self) -> str:
        with self.changed:
            sections = [
                section(f"spec{i}", str(w.path), w.content, _figure_url(i, w.renders), w.error)
                for i, w in enumerate(self.specs)
            ]
            return f'<div data-version="{self.version}">' + "\n".join(sections) + "</div>"

    def page_html(self) -> str:
        names = ", ".join(str(w.path) for w in self.specs)
        head = (
            f'<h1>rnndiagrams watch</h1>\n<p class="file">{escape(names)}: '
            '<span id="state">up to date</span></p>'
        )
        body = f'{head}\n<main id="content">{self.content_html()}</main>'
        return markup.document(f"watch: {names}", body, SCRIPT, {"data-version": self.version})

    def wait(self, seen: int, timeout: float) -> int:
        """The version, as soon as it differs from `seen` (or after `timeout`)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.stopping, timeout)
            return self.version

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def poll(self, index: int) -> None:
        while not self.stopping:
            self.refresh_one(index)
            time.sleep(POLL_SECONDS)


def _figure_url(index: int, renders: int) -> Callable[[str, bytes], str]:
    """Figure addresses change with each good render, so the browser never shows a stale one."""
    return lambda name, _svg: f"/figures/{index}/{name}?v={renders}"


def _excerpt(source: str, where: str) -> str:
    """The line an error points at in the text that was read, with a caret under its column,
    as compilers show it."""
    try:
        line, col = (int(n) for n in where.rsplit(":", 2)[1:])
        text = source.splitlines()[line - 1]
    except (ValueError, IndexError):
        return ""  # no line to show: an unreadable file, or an error about the whole document
    return f"\n\n{line:>4} | {text}\n     | {' ' * (col - 1)}^"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = urlsplit(self.path).path
            host = self.headers.get("Host", "")
            if host.rsplit(":", 1)[0] not in ("127.0.0.1", "localhost"):
                # a page of another site reaching us through DNS rebinding
                self.send_error(HTTPStatus.FORBIDDEN, "only for this machine's browser")
            elif route == "/":
                self._send(preview.page_html().encode("utf-8"), "text/html; charset=utf-8")
            elif route == "/content":
                self._send(preview.content_html().encode("utf-8"), "text/html; charset=utf-8")
            elif route == "/events":
                self._events()
            elif route in preview.figures:
                self._send(preview.figures[route], "image/svg+xml")
            else:
                self.send_error(HTTPStatus.NOT_FOUND, "not a page of this preview")

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while not preview.stopping:
                    version = preview.wait(seen, KEEPALIVE_SECONDS)
                    message = ": still here\n\n" if version == seen else f"data: {version}\n\n"
                    self.wfile.write(message.encode("ascii"))
                    self.wfile.flush()
                    seen = version
            except (BrokenPipeError, ConnectionResetError):
                return  # the page was closed

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the terminal is for the URL and errors."""

    return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # socketserver's 5 made 100 opening clients wait seconds
    daemon_threads = True


def watch(paths: list[str], port: int = 8000, backends: tuple[str, ...] = ()) -> None:
    """Serve the preview until Ctrl-C; prints the URL once it is listening."""
    preview = Preview(paths, backends)
    try:
        server = _Server(("127.0.0.1", port), handler(preview))
    except OSError as e:
        raise OSError(e.errno, e.strerror, f"127.0.0.1:{port}") from None
    try:  # Ctrl-C from here on, even during the first render, stops cleanly
        preview.refresh()  # the first page has figures
        for index in range(len(paths)):
            threading.Thread(
                target=preview.poll, args=(index,), name=f"rnndiagrams-watch-{index}", daemon=True
            ).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        print(f"rnndiagrams watch: {url} (watching {len(paths)} specs; Ctrl-C stops)", flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        server.server_close()
    print("rnndiagrams watch: stopped", flush=True)
