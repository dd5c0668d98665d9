"""Give every id of one SVG document a prefix, with every reference to it.

Files keep the ids they were rendered with (bytes reproducible); a page or notebook that
inlines several SVGs, possibly the same figure twice, prefixes each copy differently so no
`url(#...)`, `href="#..."` or `#id` style rule of one figure lands in another.
"""

from __future__ import annotations

import re

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_STYLE_REF = re.compile(r"#([A-Za-z_][\w-]*)")


def prefix_ids(svg: str, prefix: str) -> str:
    """`svg` with id X renamed prefix+X everywhere it is defined or referenced."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg

    def rename(name: str) -> str:
        return prefix + name if name in ids else name

    def style(m: re.Match[str]) -> str:
        rules = _STYLE_REF.sub(lambda r: "#" + rename(r.group(1)), m.group(2))
        return m.group(1) + rules + m.group(3)

    svg = _REF.sub(lambda m: m.group(1) + rename(m.group(2)), svg)
    return _STYLE.sub(style, svg)
