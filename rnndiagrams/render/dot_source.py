"""Scene -> DOT source. Builds text only; running `dot` is graphviz_run's job, so the
source can be golden-tested without the executable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape as _escape
from itertools import pairwise

from .. import style
from ..quoting import dot_id
from ..scene import Label, Line, Node, Run, Scene
from ..style import Theme

HEAD_GAP = 10  # points of space under the legend
# a flow to the right reads like text: its rows are lines, laid top to bottom, one rank each
RANKDIR = {"up": "BT", "down": "TB", "right": "TB"}


def _italic_correction(text: str, after: Run | None) -> str:
    """A space as wide as the last italic glyph reaches past its advance, before a script or
    `after` (None: a script follows): in DejaVu Sans Oblique `f` overhangs 0.13 em, every other
    letter under 0.07 em (a hair space, 0.1 em); `f`, or a slanted glyph next (it reaches
    back), gets a thin space (0.2 em). None before a space."""
    if not text or (after and not after.italic and after.text.startswith(" ")):
        return ""
    return "&#8201;" if text.endswith("f") or (after and after.italic) else "&#8202;"


# pango sets <sub>/<sup> one step `smaller`: asking PANGO_SMALLER x SMALL_SIZE gets SMALL_SIZE
PANGO_SMALLER = 1.2
SCRIPT_SIZE = f"{style.SMALL_SIZE * PANGO_SMALLER:g}"
_COLLAPSIBLE = re.compile(r"^ +| +$| {2,}")


def escape(text: str) -> str:
    """HTML-escaped, with every space a browser would collapse in SVG (leading, trailing,
    doubled) made a no-break space, which dot measures and browsers draw alike."""
    return _COLLAPSIBLE.sub(lambda m: "&#160;" * len(m.group()), _escape(text))


DESCENDER_GAP = 2  # points of space under a line whose descenders would touch the next
DESCENDERS = set("_gjpqy")


def _deep(line: Line) -> bool:
    """Whether a line holds a glyph reaching a quarter em below its baseline: a descender, or
    a subscript (set 0.25 em low, its digits touch the line under it)."""
    return any(DESCENDERS & set(run.text) or run.sub for run in line)


class Html(str):
    """An HTML-like DOT label, written as is between its `<` `>` (its text escaped already)."""


def _value(value: str) -> str:
    return value if isinstance(value, Html) else dot_id(value)


def _attrs(attrs: dict[str, str], first: str = "") -> str:
    """`name=value` pairs: `first` (when present) before the others, sorted by name (the
    order of every golden file)."""
    keys = sorted(attrs, key=lambda k: (k != first, k))
    return " ".join(f"{dot_id(k)}={_value(attrs[k])}" for k in keys)


def _list(attrs: dict[str, str]) -> str:
    """A node's or edge's attribute list, its label first."""
    return f" [{_attrs(attrs, first='label')}]" if attrs else ""


class Graph:
    """A DOT digraph or subgraph, statement by statement, one a line, tab-indented."""

    def __init__(self, head: str, defaults: dict[str, dict[str, str]] | None = None) -> None:
        self.lines = [head]
        for kind, attrs in (defaults or {}).items():
            self.lines.append(f"\t{kind} [{_attrs(attrs)}]\n")

    def attr(self, **attrs: str) -> None:
        self.lines.append(f"\t{_attrs(attrs)}\n")

    def node(self, name: str, **attrs: str) -> None:
        self.lines.append(f"\t{dot_id(name)}{_list(attrs)}\n")

    def edge(self, src: str, dst: str, **attrs: str) -> None:
        self.lines.append(f"\t{dot_id(src)} -> {dot_id(dst)}{_list(attrs)}\n")

    @contextmanager
    def subgraph(self, name: str = "") -> Iterator[Graph]:
        sub = Graph(f"subgraph {dot_id(name)} {{\n" if name else "{\n")
        yield sub
        self.lines += [f"\t{line}" for line in [*sub.lines, "}\n"]]

    @property
    def source(self) -> str:
        return "".join(self.lines) + "}\n"


SHAPES = {
    "box": ("box", "filled"),
    "round": ("box", "rounded,filled"),
    "circle": ("circle", "filled"),
    "plain": ("plaintext", ""),
    "exit": ("point", "invis"),  # where an output arrow leaves the figure: drawn as nothing
}


class _Labels:
    """HTML-like labels; every user string is escaped, so no label can break the DOT."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def run(self, run: Run, after: Run | None = None) -> str:
        """One run; `after` is the run that follows it on its line."""
        text = escape(run.text)
        if run.italic:
            # italic correction: a slanted glyph reaches past its advance, into the next run
            scripted = bool(run.sub or run.sup)
            spacer = (
                _italic_correction(text, None if scripted else after) if scripted or after else ""
            )
            text = f"<I>{text}{spacer}</I>"
        if run.sub:  # h_t^(2): HTML labels cannot stack the two, and the subscript matters more
            # set side by side, the superscript starts where the subscript's advance ends: the
            # room its last glyph reaches past that (`f`'s hook) keeps the two apart
            gap = _italic_correction(run.sub, None) if run.sup else ""
            text += f'<SUB><FONT POINT-SIZE="{SCRIPT_SIZE}">{escape(run.sub)}{gap}</FONT></SUB>'
        if run.sup:
            text += f'<SUP><FONT POINT-SIZE="{SCRIPT_SIZE}">{escape(run.sup)}</FONT></SUP>'
        if run.small:
            text = f'<FONT POINT-SIZE="{style.SMALL_SIZE}" COLOR="{self.theme.muted}">{text}</FONT>'
        return text

    def line(self, line: Line) -> str:
        return "".join(self.run(r, after) for r, after in zip(line, (*line[1:], None), strict=True))

    def label(self, label: Label, size: float = style.FONT_SIZE, indent: str = "") -> str:
        """`size`: the font size the label is set in (its node's or edge's); `indent` starts
        every line (an edge label's space, so its text stands beside the line, not on it)."""
        if not label:
            return ""
        # dot advances each line by its largest font only, so a descender of the line above
        # (`_`, `g`) would touch its ascenders: a hair space in a larger font holds it down
        lines = [indent + self.line(label[0])]
        for above, line in pairwise(label):
            strut = max(size if not r.small else style.SMALL_SIZE for r in above) + DESCENDER_GAP
            lines.append(
                (f'<FONT POINT-SIZE="{strut:g}">&#8202;</FONT>' if _deep(above) else "")
                + indent
                + self.line(line)
            )
        return Html("<" + "<BR/>".join(lines) + ">")

    def caption(self, scene: Scene) -> str:
        spacer = f'<TR><TD HEIGHT="{DESCENDER_GAP}"></TD></TR>'
        rows = [
            f'<TR><TD ALIGN="LEFT"><B>{self.line(line)}</B></TD></TR>'
            + (spacer if _deep(line) else "")
            for line in scene.title
        ]
        rows += [
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{style.LEGEND_SIZE}">{self.line(line)}</FONT></TD></TR>'
            + (spacer if _deep(line) else "")
            for line in scene.legend
        ]
        rows.append(f'<TR><TD HEIGHT="{HEAD_GAP}"></TD></TR>')  # room between header and body
        return Html(
            '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"
        )


def dot_source(scene: Scene, theme: Theme) -> str:
    labels = _Labels(theme)
    font = {"fontname": style.FONT, "fontsize": str(style.FONT_SIZE), "fontcolor": theme.text}
    edge_size = style.SMALL_SIZE + 2
    name = scene.name.replace("&", "&amp;")  # dot decodes entities in names: keep "&amp;"
    g = Graph(
        f"digraph {dot_id(name)} {{\n",
        {
            "graph": {
                **font,
                "rankdir": RANKDIR[scene.flow],
                "label": labels.caption(scene),
                "labelloc": "t",
                "labeljust": "l",
                "bgcolor": theme.background,
                "nodesep": "0.35",
                "ranksep": "0.45" if scene.flow != "right" else "0.25",  # a right flow: text
                "newrank": "true",
                "pad": "0.2",
                "forcelabels": "true",
            },
            "node": {**font, "penwidth": "1.3", "margin": "0.12,0.06"},
            "edge": {**font, "fontsize": str(edge_size), "arrowsize": "0.7", "penwidth": "1.2"},
        },
    )
    grouped = {n for group in scene.groups for n in group.nodes}
    for group in scene.groups:
        with g.subgraph(name=f"cluster_{group.id}") as sub:
            if group.label:  # dot flips cluster labels with rankdir=BT; "b" puts them on top there
                sub.attr(
                    label=labels.label(group.label),
                    style="rounded,dashed",
                    color=theme.frame,
                    labelloc="b" if scene.flow == "up" else "t",
                )
            else:
                sub.attr(label="", style="invis")
            for node in scene.nodes:
                if node.id in group.nodes:
                    _node(sub, node, labels)
    for node in scene.nodes:
        if node.id not in grouped:
            _node(g, node, labels)
    pos = {node.id: _cell(node, scene.flow) for node in scene.nodes}
    taken = set(pos.values())
    for edge in scene.edges:
        attrs = {"color": theme.edges[edge.role], "fontcolor": theme.edge_text[edge.role]}
        past = _passes_a_node(pos[edge.src], pos[edge.dst], taken) and scene.flow == "up"
        against = pos[edge.dst][1] < pos[edge.src][1]
        if edge.label:
            # a label on an edge past a node bends it around a label node (which also pushes
            # the row's own edges aside), on an edge against the rows it spreads every row;
            # an xlabel does neither. Within a row a label is kept: dot widens that gap alone
            # to fit it, and reserves no room for an xlabel there
            attrs["xlabel" if past or against else "label"] = labels.label(
                edge.label, edge_size, indent="&#160;"
            )
        if past:  # out of the right side, into the bottom: every column routed alike
            attrs.update(tailport="e", headport="s")
        if pos[edge.src][0] == pos[edge.dst][0] and not past and edge.src != edge.dst:
            attrs["weight"] = "10"  # along a column: as upright as the hidden column edges
        if edge.style == "dashed":
            attrs["style"] = "dashed"
        if against:  # runs against the rows (a cell's tanh branch): no say in ranks
            attrs["constraint"] = "false"
        src, dst = edge.src, edge.dst
        if (
            edge.backward
        ):  # keep the row's left-to-right order: lay out forward, draw the arrow back
            src, dst = dst, src
            attrs["dir"] = "back"
        g.edge(src, dst, **attrs)
    _grid_hints(g, scene)
    return g.source


def _passes_a_node(a: tuple[int, int], b: tuple[int, int], taken: set[tuple[int, int]]) -> bool:
    """Whether an edge along one column skips a row that has a node in that column."""
    low, high = sorted((a[1], b[1]))
    return a[0] == b[0] and any((a[0], row) in taken for row in range(low + 1, high))


def _node(g: Graph, node: Node, labels: _Labels) -> None:
    shape, fill_style = SHAPES[node.shape]
    fill, stroke = labels.theme.roles[node.role]
    attrs = {"shape": shape, "fillcolor": fill, "color": stroke}
    if node.extent:  # drawn to scale (numpy view): the box is the matrix, the label sits beside it
        attrs.update(
            fixedsize="true",
            width=f"{node.extent[0] / 72:.3f}",
            height=f"{node.extent[1] / 72:.3f}",
            label="",
            xlabel=labels.label(node.label),
        )
    elif node.shape == "exit":
        attrs["width"] = "0.01"
    else:
        attrs["label"] = labels.label(node.label)
    styles = [s for s in (fill_style, "dashed" if node.emphasis == "faded" else "") if s]
    if styles:
        attrs["style"] = ",".join(styles)
    if node.emphasis == "faded":
        attrs["fontcolor"] = labels.theme.muted
    g.node(node.id, **attrs)


def _grid_hints(g: Graph, scene: Scene) -> None:
    """Turn node grid positions into ranks: one rank per row, ordered left to right by
    invisible edges, and columns kept upright by heavy invisible edges between rows."""
    linked = {
        frozenset((e.src, e.dst)) for e in scene.edges
    }  # a second, hidden edge would bend the real one
    rows: dict[int, list[Node]] = {}
    cols: dict[int, list[Node]] = {}
    for node in scene.nodes:
        col, row = _cell(node, scene.flow)
        rows.setdefault(row, []).append(node)
        cols.setdefault(col, []).append(node)
    lines = scene.flow == "right"  # lines of text stack, but their columns need not align
    if not lines:
        _fill_gaps(g, rows, cols)
    for _, members in sorted(rows.items()):
        members.sort(key=lambda n: _cell(n, scene.flow)[0])
        with g.subgraph() as same:
            same.attr(rank="same")
            for node in members:
                same.node(node.id)
            for a, b in pairwise(members):
                if frozenset((a.id, b.id)) not in linked:
                    same.edge(a.id, b.id, style="invis")
    for _, members in sorted(cols.items()):
        members.sort(key=lambda n: _cell(n, scene.flow)[1])
        for a, b in pairwise(members):
            if frozenset((a.id, b.id)) not in linked:
                g.edge(a.id, b.id, style="invis", weight="0" if lines else "10")


def _cell(node: Node, flow: str) -> tuple[int, int]:
    """(column, row) of a node on the page: a flow to the right gives (place, line)."""
    return (node.pos[1], node.pos[0]) if flow == "right" else node.pos


def _fill_gaps(g: Graph, rows: dict[int, list[Node]], cols: dict[int, list[Node]]) -> None:
    """An invisible point wherever a column passes through a row that has nodes on both
    sides of it, so the column's nodes (an input feeding a bidirectional pair, and their
    merge) sit between that row's neighbours instead of beside them."""
    spans = {c: (min(n.pos[1] for n in ns), max(n.pos[1] for n in ns)) for c, ns in cols.items()}
    for r, members in rows.items():
        used = {n.pos[0] for n in members}
        for c, (low, high) in spans.items():
            if min(used) < c < max(used) and c not in used and low < r < high:
                gap = Node(f"gap_{c}_{r}", (), "exit", "exit", (c, r))
                g.node(gap.id, shape="point", width="0", style="invis", label="")
                members.append(gap)
                cols[c].append(gap)
