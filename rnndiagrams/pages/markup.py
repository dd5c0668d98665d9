"""What the gallery and the live preview pages share: the style sheet, the document shell,
and how a spec's figures, summary and source appear on a page.

Figures are `<img>` elements with the SVG as a data URI: each figure is isolated (its ids,
styles and fonts cannot reach the page or another figure) and shows exactly as its file."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from html import escape

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1a1a1a; --muted: #5c5c5c;
  --rule: #d8d8d8; --code: #f4f4f4; --error: #b00020; --error-bg: #fdecee; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #161616; --fg: #ececec; --muted: #a8a8a8; --rule: #3a3a3a;
    --code: #222222; --error: #ff8a80; --error-bg: #3a1d1d; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1rem; max-width: 60rem; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "NanumGothic", sans-serif; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 0.25rem; padding-top: 1rem; border-top: 1px solid var(--rule); }
h2 a { color: inherit; text-decoration: none; }
p.file, figcaption, caption { color: var(--muted); font-size: 0.9rem; }
nav ul { padding-left: 1.2rem; }
pre, code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.85rem; }
pre { background: var(--code); padding: 0.75rem; overflow-x: auto; max-width: 100%; }
pre.error { background: var(--error-bg); color: var(--error); white-space: pre-wrap;
  overflow-wrap: anywhere; border-left: 4px solid var(--error); }
.tables { display: flex; flex-wrap: wrap; gap: 1rem; }
.table { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.2rem 0.5rem; text-align: left; }
caption { text-align: left; }
tfoot td { border-bottom: none; white-space: normal; }
figure { margin: 1rem 0; }
figure img { display: block; max-width: 100%; height: auto; background: #ffffff;
  border: 1px solid var(--rule); border-radius: 4px; }
"""


def document(
    title: str, body: str, script: str = "", attrs: dict[str, object] | None = None
) -> str:
    """A complete page: no external resource, so it reads the same from a file or a server.
    `attrs` go on <body>."""
    body_attrs = "".join(f' {k}="{escape(str(v))}"' for k, v in (attrs or {}).items())
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body{body_attrs}>\n"
        f"{body}\n{f'<script>{script}</script>' if script else ''}\n</body>\n</html>\n"
    )


def svg_data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def figure_tag(src: str, caption: str, alt: str) -> str:
    return (
        f'<figure><img src="{escape(src)}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def tables(htmls: Iterable[str]) -> str:
    """Summary tables side by side where there is room, each scrolling on its own if not."""
    return (
        '<div class="tables">' + "".join(f'<div class="table">{h}</div>' for h in htmls) + "</div>"
    )


def source_block(text: str) -> str:
    return f"<details><summary>spec source</summary><pre>{escape(text)}</pre></details>"


def error_block(message: str) -> str:
    return f'<pre class="error" role="alert">{escape(message)}</pre>'
