"""SVG hygiene for both backends, so any number of figures can be inlined in one page.

- Every id gets a prefix unique to the figure (spec, view, backend), and every reference to it
  (`href`, `xlink:href`, `url(#...)`) follows; the root <svg> carries the prefix as its id.
- Spaces a browser would collapse become no-break spaces (matplotlib's editable text).
- A page-wide rule such as matplotlib's `<style>*{stroke-linejoin: round; ...}</style>` would
  restyle every other SVG on the page: its declarations move to attributes of the root <svg>,
  which its elements inherit.

Both edit only inside tags: both writers escape `<`, `>` in text and attributes, so a title
that reads `id="x"` stays text.
"""

from __future__ import annotations

import re

_TAG = re.compile(rb"<(?![!?/])[^>]*>")
_ID = re.compile(rb'\bid="([^"]*)"')
_REF = re.compile(rb'((?:xlink:)?href="#|url\(#)([^")]*)')
_ROOT = re.compile(rb"<svg\b")
_ROOT_TAG = re.compile(rb"<svg\b[^>]*>")
_STYLE = re.compile(rb"(<style[^>]*>)(.*?)(</style>)", re.S)
_STYLE_REF = re.compile(rb"#([A-Za-z_][\w-]*)")
_STAR_STYLE = re.compile(rb'\s*<style type="text/css">\*\{([^}]*)\}</style>')
_STAR = b'<style type="text/css">*{'
_EMPTY_DEFS = re.compile(rb"\s*<defs>\s*</defs>")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_PLAIN_TEXT = re.compile(rb"(<text\b[^>]*>)([^<]+)(</text>)")
_COLLAPSIBLE = re.compile(rb"^ +| +$| {2,}")


def figure_prefix(*parts: str) -> str:
    """An XML name from the figure's spec, view and backend, e.g. `seed_sentiment-folded-graphviz`."""
    name = "-".join(_NOT_NAME.sub("_", p) for p in parts)
    return name if name[:1].isalpha() else "f" + name


def scope_ids(svg: bytes, prefix: str) -> bytes:
    """Prefix every id and every reference to one (in tags and in `#id` style rules); name
    the root <svg> `prefix` unless it has an id already. Scoping twice (a file's figure shown
    twice in one notebook) stays valid: each pass renames all."""
    ids = {m.group(1) for tag in _TAG.findall(svg) if b'id="' in tag for m in _ID.finditer(tag)}
    p = prefix.encode()
    renamed_id = b'id="' + p.replace(b"\\", b"\\\\") + b'-\\1"'  # a template: no call per id

    def rename(name: bytes) -> bytes:
        return p + b"-" + name if name in ids else name

    def tag(m: re.Match[bytes]) -> bytes:
        """The tag with its id and references renamed; most tags of a deep figure have
        neither, and are passed by a substring test, not two regex passes."""
        text = m.group(0)
        if b'id="' in text:
            text = _ID.sub(renamed_id, text)
        if b'href="#' in text or b"url(#" in text:  # not every `#`: most are colours
            text = _REF.sub(lambda r: r.group(1) + rename(r.group(2)), text)
        return text

    def style(m: re.Match[bytes]) -> bytes:
        rules = _STYLE_REF.sub(lambda r: b"#" + rename(r.group(1)), m.group(2))
        return m.group(1) + rules + m.group(3)

    svg = _STYLE.sub(style, _TAG.sub(tag, svg))
    root = _ROOT_TAG.search(svg)
    if root and _ID.search(root.group(0)):
        return svg
    return _ROOT.sub(b'<svg id="' + p + b'"', svg, count=1)


def inline_page_styles(svg: bytes) -> bytes:
    """Turn a universal `*{...}` style rule into inherited attributes of the root <svg>."""
    # the search's leading \s* is tried at every byte of a figure that has no such rule
    m = _STAR_STYLE.search(svg) if _STAR in svg else None
    if not m:
        return svg
    attrs = b"".join(
        b" " + prop.strip() + b'="' + value.strip() + b'"'
        for prop, _, value in (d.partition(b":") for d in m.group(1).split(b";") if d.strip())
    )
    svg = _EMPTY_DEFS.sub(b"", svg[: m.start()] + svg[m.end() :], count=1)
    return _ROOT.sub(b"<svg" + attrs, svg, count=1)


def keep_spaces(svg: bytes) -> bytes:
    """Make the spaces a browser would collapse in a plain <text> run (leading, trailing,
    doubled) no-break spaces, which measure the same in DejaVu Sans and are drawn as written."""

    def run(m: re.Match[bytes]) -> bytes:
        text = _COLLAPSIBLE.sub(lambda s: b"&#160;" * len(s.group()), m.group(2))
        return m.group(1) + text + m.group(3)

    return _PLAIN_TEXT.sub(run, svg)


def clean_svg(svg: bytes, prefix: str) -> bytes:
    return scope_ids(keep_spaces(inline_page_styles(svg)), prefix)
