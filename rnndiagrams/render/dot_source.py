"""Scene -> DOT source. Builds text only; running `dot` is graphviz_run's job, so the
source can be golden-tested without the executable."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape as _escape
from itertools import pairwise

from .. import style
from ..quoting import dot_id
from ..scene import Edge, Group, Label, Line, Node, Run, Scene, left_loops, sides_past_nodes
from ..style import Theme

HEAD_GAP = 10  # points of space under the legend
BLANK: Label = ((Run(" ", small=True),),)  # a blank line that sets a label's text apart
PAD = 0.2  # inches of room around the drawing
CLUSTER_MARGIN = 8  # points between a frame and its nodes: dot's own
# a frame a labelled edge crosses between rows: dot keeps no edge label out of a frame its
# edge has an end in, and sets it on the line, about where the line crosses the frame at
# dot's own margin; a wider one takes that border off the label
CROSSED_MARGIN = 16
NBSP_EM = 0.318  # a no-break space's advance in DejaVu Sans, in em
FRAME_GAP = 4  # points between a frame's side and a label's text
PANEL_GAP = "0.3"  # inches between the two panels of a slide's grid, past the column gap
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


# pango sets <sub>/<sup> one step `smaller`: asking PANGO_SMALLER x small gets the small size
PANGO_SMALLER = 1.2
_COLLAPSIBLE = re.compile(r"^ +| +$| {2,}")


def escape(text: str) -> str:
    """HTML-escaped, with every space a browser would collapse in SVG (leading, trailing,
    doubled) made a no-break space, which dot measures and browsers draw alike."""
    return _COLLAPSIBLE.sub(lambda m: "&#160;" * len(m.group()), _escape(text))


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


# a node's least height on a slide, in inches: dot's own (0.5) left a one-line box (and a `…`
# in its row) 10 pt of air that a slide's height, its rows' sum, is short of; 0.4 keeps about
# the padding the text has beside it (a circle keeps dot's size: a cell's ranks spread apart)
SLIDE_BOX_HEIGHT = "0.4"

SHAPES = {
    "box": ("box", "filled"),
    "round": ("box", "rounded,filled"),
    "circle": ("circle", "filled"),
    "plain": ("plaintext", ""),
    "exit": ("point", "invis"),  # where an output arrow leaves the figure: drawn as nothing
}


class _Labels:
    """HTML-like labels; every user string is escaped, so no label can break the DOT."""

    def __init__(self, theme: Theme, sizes: style.Sizes) -> None:
        self.theme, self.sizes = theme, sizes
        self.script = f"{sizes.sub * PANGO_SMALLER:g}"

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
            text += f'<SUB><FONT POINT-SIZE="{self.script}">{escape(run.sub)}{gap}</FONT></SUB>'
        if run.sup:
            text += f'<SUP><FONT POINT-SIZE="{self.script}">{escape(run.sup)}</FONT></SUP>'
        if run.small:
            small = f"{self.sizes.small:g}"
            text = f'<FONT POINT-SIZE="{small}" COLOR="{self.theme.muted}">{text}</FONT>'
        return text

    def line(self, line: Line) -> str:
        return "".join(self.run(r, after) for r, after in zip(line, (*line[1:], None), strict=True))

    def label(
        self, label: Label, size: float | None = None, indent: str = "", end: str = ""
    ) -> str:
        """`size`: the font size the label is set in (its edge's; a node's by default);
        `indent` starts every line (an edge label's space, so its text stands beside the
        line, not on it), `end` ends it (a label left of its line's head)."""
        if not label:
            return ""
        size = self.sizes.text if size is None else size
        # dot advances each line by its largest font only, so a descender of the line above
        # (`_`, `g`) would touch its ascenders: a hair space in a larger font holds it down;
        # where small text is as large as the label's (a slide's), under every line, so its
        # lines are spaced alike
        even = self.sizes.small >= size
        lines = [indent + self.line(label[0]) + end]
        for above, line in pairwise(label):
            strut = max(size if not r.small else self.sizes.small for r in above)
            strut += self.sizes.descender
            lines.append(
                (f'<FONT POINT-SIZE="{strut:g}">&#8202;</FONT>' if even or _deep(above) else "")
                + indent
                + self.line(line)
                + end
            )
        return Html("<" + "<BR/>".join(lines) + ">")

    def caption(self, scene: Scene) -> str:
        spacer = f'<TR><TD HEIGHT="{self.sizes.descender:g}"></TD></TR>'
        rows = [
            f'<TR><TD ALIGN="LEFT"><B>{self.line(line)}</B></TD></TR>'
            + (spacer if _deep(line) else "")
            for line in (scene.title if self.sizes.title else ())
        ]
        rows += [
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{self.sizes.legend:g}">{self.line(line)}</FONT></TD></TR>'
            + (spacer if _deep(line) else "")
            for line in scene.legend
        ]
        rows.append(f'<TR><TD HEIGHT="{HEAD_GAP}"></TD></TR>')  # room between header and body
        return Html(
            '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"
        )


def dot_source(scene: Scene, theme: Theme, target: str = "column", pad: str = f"{PAD:g}") -> str:
    """`target` sets the type (style.TARGETS); `pad` is the room around the drawing, in
    inches, one number or `x,y`."""
    sizes = style.TARGETS[target]
    labels = _Labels(theme, sizes)
    font = {"fontname": style.FONT, "fontsize": f"{sizes.text:g}", "fontcolor": theme.text}
    edge_size = sizes.edge
    name = scene.name.replace("&", "&amp;")  # dot decodes entities in names: keep "&amp;"
    pos = {node.id: _cell(node, scene.flow) for node in scene.nodes}
    lanes = _Lanes(scene, pos)
    close = sizes.row_gap < style.TARGETS["column"].row_gap  # a slide's
    # a layer graph on a slide, packed closer; not where an edge back up the rows (a loop's
    # step) labels its head: dot reserves that label no room, beside its node
    graph = (
        close
        and scene.flow == "down"
        and not any(e.label and (_upward(e, pos) or e.at_head) for e in scene.edges)
    )
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
                # time axes side by side (an encoder's steps beside its decoder's) packed
                # closer, so the figure keeps its text legible in a 720 px column, and a
                # slide's columns, as its rows are; closer still with lanes (a gap a lane is
                # in holds a curve between two labels) and in a slide's graph through time (its
                # weights one a line, set in the gaps beside their columns), and a layer graph's
                # on a slide: its edge labels are nodes of the ranks between, padded on their own
                "nodesep": "0.2"
                if lanes.nodes or scene.packed
                else "0.1"
                if graph
                else "0.25"
                if scene.wide or close
                else "0.35",
                # a right flow: lines of text, and a slide's time grid, short of height, and its
                # graph through time (packed as the matplotlib layout packs its rows); a slide's
                # layer graph: its labels' ranks between its rows take room of their own
                "ranksep": "0.25"
                if scene.flow == "right" or scene.short or scene.packed
                else "0.3"
                if graph
                else "0.45",
                "newrank": "true",
                "pad": pad,
                # no page margin: PDF's would be 0.5 in of white around the drawing, which
                # SVG and PNG do not have, and which a paper or a slide scales down with it
                "margin": "0",
                "forcelabels": "true",
            },
            "node": {**font, "penwidth": "1.3", "margin": "0.12,0.06"},
            "edge": {
                **font,
                "fontsize": f"{edge_size:g}",
                "arrowsize": "0.7",
                "penwidth": "1.2",
            },
        },
    )
    grouped = {n for group in scene.groups for n in group.nodes}
    # a slide's nodes low, but in the rows of edges whose labels stand round their heads,
    # rising into them (attention's alphas, staggered round a context's side: a lower context
    # set them onto one another, lower rows ran the line from the first step through the
    # second alpha); alphas down into a context stand either side of their lines
    heads = {
        pos[x][1]
        for e in scene.edges
        if e.at_head and e.label and pos[e.src][1] < pos[e.dst][1]
        for x in (e.src, e.dst)
    }
    low = {n.id for n in scene.nodes if close and pos[n.id][1] not in heads}
    crossing = [
        (e, g) for g in scene.groups if g.label for e in scene.edges if _crosses(e, g) and e.label
    ]
    margins = {
        group.id: CROSSED_MARGIN
        if any(g == group and pos[e.src][1] != pos[e.dst][1] for e, g in crossing)
        else CLUSTER_MARGIN
        for group in scene.groups
    }
    for group in scene.groups:
        with g.subgraph(name=f"cluster_{group.id}") as sub:
            # dot's own, not the graph's page margin (0) it would inherit
            sub.attr(margin=f"{margins[group.id]}")
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
                    _node(sub, node, labels, node.id in low)
    for node in scene.nodes:
        if node.id not in grouped:
            _node(g, node, labels, node.id in low)
    # labels of edges converging on one node from other columns stand side by side in the
    # rank between, and would read as one line: each is set a line lower than the one before
    converging: dict[str, list[int]] = {}
    for i, edge in enumerate(scene.edges):
        if edge.label and pos[edge.src][1] != pos[edge.dst][1]:
            converging.setdefault(edge.dst, []).append(i)
    for dst, edges in list(converging.items()):
        if all(pos[scene.edges[i].src][0] == pos[dst][0] for i in edges):
            del converging[dst]  # one column: the labels stand one above the other already
        elif scene.flow == "up":  # each label stands right of its line; the one from the
            # leftmost column, set highest, is where its line has risen nearest to it, before
            # the next line has (in a flow down, the top of the gap is where the lines leave
            # their sources, the leftmost farthest off: there the order stays the scene's)
            edges.sort(key=lambda i: pos[scene.edges[i].src][0])
    linked: set[frozenset[str]] = set()
    left = left_loops(scene)
    entered = {  # (column, row, side): a node an edge along its row comes into by that side
        (*pos[e.dst], 1 if pos[e.src][0] > pos[e.dst][0] else -1)
        for e in scene.edges
        if pos[e.src][1] == pos[e.dst][1] and pos[e.src][0] != pos[e.dst][0]
    }
    for i, edge in enumerate(scene.edges):
        attrs = {"color": theme.edges[edge.role], "fontcolor": theme.edge_text[edge.role]}
        side = lanes.side.get(i)
        # a backward edge is laid out from its dst to its src, its arrow drawn back; against
        # the rows; or, in a flow to the right, from the end of a line to the next line's start
        # (a chain wrapped on a slide), which would pull the lines into a stair. A flow down
        # (a graph cut into bands on a slide) lays an edge into the next band out from that
        # band's top row down to the row it leaves, its arrow drawn back, as ranks have it;
        # so does a flow up an edge down its column (a chain run down beside the last step)
        first, second = (edge.dst, edge.src) if edge.backward else (edge.src, edge.dst)
        banded = (
            not edge.backward
            and pos[edge.dst][1] < pos[edge.src][1]
            and (
                scene.flow == "down" or scene.flow == "up" and pos[edge.dst][0] == pos[edge.src][0]
            )
        )
        wraps = scene.flow == "right" and pos[edge.dst][1] != pos[edge.src][1]
        # a slide's time grid, within a row, right to left (a folded pair's backward cell into
        # their merge): dot sets an edge's tail left of its head, so it is laid out the other
        # way, as a backward edge is
        leftward = (
            scene.short
            and pos[edge.dst][1] == pos[edge.src][1]
            and pos[edge.dst][0] < pos[edge.src][0]
        )
        against = not banded and (pos[second][1] < pos[first][1] or wraps)
        if edge.label:
            # a label on an edge against the rows spreads every row; an xlabel does not.
            # Within a row a label is kept: dot widens that gap alone to fit it, and reserves
            # no room for an xlabel there; so does an edge past a node, on its piece out of its
            # source, which dot sets beside that piece (an xlabel of the whole edge it set on
            # either side of the column, away from its curve).
            # back up the rows (what a loop reads from the step before): beside the node it
            # comes from, since dot's frames leave a long edge's own label outside. An edge
            # into a chain's next line keeps its label: dot sets an xlabel on that slanted
            # line, and a label beside it, in the room between the lines
            upward = _upward(edge, pos)
            beside = against and not wraps
            key = "headlabel" if upward or edge.at_head else "xlabel" if beside else "label"
            staggered = converging.get(edge.dst, []) if not edge.at_head else []
            # an edge into a slide graph's next band passes its label's middle, slanted up:
            # a blank line above the text keeps the line off its first line's corner (but
            # for labels staggered on a node, set a line apart already)
            lowered = BLANK if graph and banded and len(staggered) < 2 else ()
            # attention's weights at the heads converging on a context, in a slide's packed
            # rows: turned further round the head (40 degrees, dot's default -25), off the
            # line that runs on under them to the next context, and left of their line's
            # head, their space after them, off the context's box; but the nearest value's,
            # its line steepest, under the others: dot's angle keeps it off their lines. Down
            # into a context (it stands on its query's rows, under the values), the nearest
            # value's line arrives above the others: its weight above its line, theirs under
            turned = edge.at_head and scene.packed
            near = edge.at_head and edge.src == _nearest(scene, edge, pos)
            if edge.at_head and not scene.packed:
                # dot's own place for labels at converging heads (free of nodes and labels,
                # not of lines) sets the nearest value's, its line steepest, on that line:
                # it goes left of its line, out in the room under the others' lines, and
                # theirs above their lines, clear of the head's box
                attrs["labelangle"], attrs["labeldistance"] = (
                    ("26", "3.3") if near else ("35", "2.2")
                )
            if turned:
                down = pos[edge.src][1] > pos[edge.dst][1]
                attrs["labelangle"] = (
                    ("80" if near else "-40") if down else ("-25" if near else "40")
                )
            # dot sets an xlabel with a corner at its edge's middle, and an edge's label into a
            # chain's next line beside that line's middle; an edge from another column leaves
            # there slanted, through the label's first letters: they stand about a label's
            # height (three spaces) further in
            slanted = (key == "xlabel" or wraps) and pos[edge.src][0] != pos[edge.dst][0]
            # along a row out of a frame or into one: dot sets the label between the ends,
            # next to them, where the frame's side runs a margin off the framed end; spaces
            # on that side (as wide as the margin and a gap) take the text off it
            west, east = sorted((edge.src, edge.dst), key=lambda n: pos[n][0])
            flat = pos[edge.src][1] == pos[edge.dst][1]
            clear = {  # spaces a framed end's side of the label takes
                end: math.ceil((margins[g.id] + FRAME_GAP) / (NBSP_EM * edge_size))
                for e, g in crossing
                for end in (west, east)
                if flat and e == edge and end in g.nodes
            }
            pads = [clear.get(west, 0), clear.get(east, 0)]
            # a framed node's self-loop: dot's frame ends where the loop's label does, its text
            # on the frame's side; spaces on the loop's side (a loop on the left: before the
            # text) keep a gap
            if edge.src == edge.dst and any(edge.src in g.nodes for g in scene.groups if g.label):
                pads[edge.src not in left] = math.ceil(FRAME_GAP / (NBSP_EM * edge_size))
            attrs[key] = labels.label(
                lowered + _staggered(edge.label, i, staggered),
                edge_size,
                indent="" if turned else "&#160;" * max(3 if slanted else 1, pads[0]),
                end="&#160;&#160;" if turned else "&#160;" * pads[1],
            )
        if side is not None:  # out of the lane's side of its source, into the bottom; but
            # where an edge along the row comes in by that side, from its corner toward its
            # head: leaving at that arrowhead, it read as an arrow into the box (a forward
            # state's recurrent arrow, and its merge's edge)
            col, row = pos[edge.src]
            toward = "n" if pos[edge.dst][1] > row else "s"
            corner = toward if (col, row, side) in entered else ""
            attrs.update(tailport=corner + ("e" if side > 0 else "w"), headport="s")
        if edge.src == edge.dst and edge.src in left:
            attrs.update(tailport="w", headport="w")  # dot's loop and label on the left
        if pos[edge.src][0] == pos[edge.dst][0] and side is None and edge.src != edge.dst:
            attrs["weight"] = "10"  # along a column: as upright as the hidden column edges
        if edge.style == "dashed":
            attrs["style"] = "dashed"
        if against:  # runs against the rows (a cell's tanh branch): no say in ranks or places
            attrs["constraint"] = "false"
        points = [edge.src, *lanes.via.get(i, ()), edge.dst]
        flipped = edge.backward or banded or leftward
        if flipped:  # keep the row's left-to-right order (or the ranks' top to bottom): lay
            # out forward, draw the arrow back
            points.reverse()
            attrs["dir"] = "back"
        for a, b in pairwise(points):
            linked.add(frozenset((a, b)))
        lanes.draw(g, points, attrs, lanes.labelled.get(i, 0), reverse=flipped)
    for lane in lanes.nodes:
        g.node(lane, shape="point", width="0", style="invis", label="")
    _grid_hints(g, scene, lanes.rows, linked)
    return g.source


def _crosses(edge: Edge, group: Group) -> bool:
    """Whether an edge runs across a group's border: one end in it, the other not."""
    return (edge.src in group.nodes) != (edge.dst in group.nodes)


def _upward(edge: Edge, pos: dict[str, tuple[int, int]]) -> bool:
    """Whether an edge runs back up the rows (what a loop reads from the step before)."""
    return edge.backward and pos[edge.src][1] != pos[edge.dst][1]


def _nearest(scene: Scene, edge: Edge, pos: dict[str, tuple[int, int]]) -> str:
    """Of the edges converging on `edge`'s head with labels there, the source in the column
    nearest that head's."""
    column = pos[edge.dst][0]
    sources = [e.src for e in scene.edges if e.at_head and e.dst == edge.dst]
    return min(sources, key=lambda src: (abs(pos[src][0] - column), pos[src]))


def _staggered(label: Label, index: int, converging: list[int]) -> Label:
    """The label of edge `index`, with blank lines above and below that set it apart from
    the other labels converging on its node (all as tall, each a line lower)."""
    if len(converging) < 2 or index not in converging:
        return label
    k = converging.index(index)
    return BLANK * k + label + BLANK * (len(converging) - 1 - k)


class _Lanes:
    """Where the edges past a node run (a flow up: along a column, past the node of a row they
    skip), each on the side of its column the scene gives it (`sides_past_nodes`), which it
    leaves its source by. Where it passes a node with an edge along the row out of that side,
    it runs through an invisible point of that row beside the node (its lane), and so does
    the row's edge, its label beyond the lane: dot can neither take the curve round the
    other side nor through that label."""

    def __init__(self, scene: Scene, pos: dict[str, tuple[int, int]]) -> None:
        self.via: dict[int, list[str]] = {}  # edge index -> its lanes, from its source
        self.labelled: dict[int, int] = {}  # edge index -> the piece that holds its label
        self.rows: dict[int, list[tuple[float, str]]] = {}  # row -> (place, lane)
        self.row = {node: row for node, (_, row) in pos.items()}  # and every lane's
        self.nodes: list[str] = []
        flat = {  # edge index -> its ends' columns, along a row
            i: (pos[e.src][0], pos[e.dst][0], pos[e.src][1])
            for i, e in enumerate(scene.edges)
            if pos[e.src][1] == pos[e.dst][1] and pos[e.src][0] != pos[e.dst][0]
        }
        along = {  # (column, row, side): a node with an edge along its row out of that side
            (c, row, 1 if other > c else -1)
            for a, b, row in flat.values()
            for c, other in ((a, b), (b, a))
        }
        self.side = sides_past_nodes(scene)
        spans = {
            i: sorted((pos[scene.edges[i].src][1], pos[scene.edges[i].dst][1])) for i in self.side
        }
        # an edge on the right past a row with a box right of it and no edge along the row
        # between them (a chain run down beside the last step) would be taken round that box's
        # far side: it keeps the left, where each row it passes has an edge along it out of
        # that side, whose line crosses its lane there
        boxes = {pos[n.id] for n in scene.nodes if n.role not in ("ellipsis", "exit")}
        for i, side in self.side.items():
            col, passed = pos[scene.edges[i].src][0], range(spans[i][0] + 1, spans[i][1])
            boxed = any((col + 1, r) in boxes and (col, r, 1) not in along for r in passed)
            if scene.short and side > 0 and boxed and all((col, r, -1) in along for r in passed):
                self.side[i] = -1
        beside: dict[tuple[int, int, int], list[str]] = {}  # (column, row, side) -> lanes
        for i, side in self.side.items():
            col = pos[scene.edges[i].src][0]
            rows = [r for r in range(spans[i][0] + 1, spans[i][1]) if (col, r, side) in along]
            if pos[scene.edges[i].src][1] > pos[scene.edges[i].dst][1]:
                rows.reverse()
            self.via[i] = [_fresh(f"lane_{i}_{r}", pos) for r in rows]
            for r, lane in zip(rows, self.via[i], strict=True):
                self.row[lane] = r
                beside.setdefault((col, r, side), []).append(lane)
        for (col, row, side), lanes in beside.items():
            self.nodes += lanes
            self.rows.setdefault(row, []).extend(
                (col + side * (k + 1) / (2 * len(lanes) + 2), lane) for k, lane in enumerate(lanes)
            )
        for i, (a, b, row) in flat.items():
            step = 1 if b > a else -1
            out = beside.get((a, row, step), [])
            into = beside.get((b, row, -step), [])[::-1]
            if out or into:
                self.via[i] = out + into
                self.labelled[i] = len(out)

    def draw(
        self, g: Graph, points: list[str], attrs: dict[str, str], label: int, reverse: bool
    ) -> None:
        """An edge laid out through `points` (its lanes between its ends), one DOT edge a
        piece: its ports at its ends, its arrowhead on the piece into its destination, its
        label (but a head's) on piece `label` counted from its source (`reverse`: laid out
        from its destination). Pieces meet at a lane's centre (dot stops each a point short
        of it, a gap the row's line across it covers), those along the column upright, so the
        curve runs on through it."""
        last = len(points) - 2
        at = last - label if reverse else label
        for k, (a, b) in enumerate(pairwise(points)):
            piece = dict(attrs)
            if k:
                piece.pop("tailport", None)
            if k < last:
                piece.pop("headport", None)
                piece.pop("headlabel", None)
            if k != at:
                piece.pop("label", None)
                piece.pop("xlabel", None)
            if k != (0 if reverse else last):
                piece["dir"] = "none"
            # into and out of a lane at its centre: along the column, upright
            up, flat = self.row[b] > self.row[a], self.row[a] == self.row[b]
            if b in self.nodes:
                piece.update(headclip="false", **({} if flat else {"headport": "s" if up else "n"}))
            if a in self.nodes:
                piece.update(tailclip="false", **({} if flat else {"tailport": "n" if up else "s"}))
            g.edge(a, b, **piece)


def _fresh(name: str, nodes: dict[str, tuple[int, int]]) -> str:
    """`name`, or with underscores after it until no node of `nodes` has it (a layer may be
    called anything)."""
    while name in nodes:
        name += "_"
    return name


def _node(g: Graph, node: Node, labels: _Labels, low: bool = False) -> None:
    """`low`: a slide's node, no taller than its text needs (SLIDE_BOX_HEIGHT)."""
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
        if low and shape != "circle":
            attrs["height"] = SLIDE_BOX_HEIGHT
            # a `…` as wide as it is, not dot's least width (0.75 in), nor its margin (0.12 in
            # a side, a step column's gap twice): room enough off the arrows into and out of it
            if node.role == "ellipsis":
                attrs.update(width="0", margin="0.04,0.06")
    styles = [s for s in (fill_style, "dashed" if node.emphasis == "faded" else "") if s]
    if styles:
        attrs["style"] = ",".join(styles)
    if node.emphasis == "faded":
        attrs["fontcolor"] = labels.theme.muted
    g.node(node.id, **attrs)


def _grid_hints(
    g: Graph, scene: Scene, lanes: dict[int, list[tuple[float, str]]], linked: set[frozenset[str]]
) -> None:
    """Turn node grid positions into ranks: one rank per row (with its `lanes`, each at its
    place), ordered left to right by invisible edges, and columns kept upright by heavy
    invisible edges between rows. No hidden edge doubles a `linked` pair (it would bend the
    real one)."""
    rows: dict[int, list[Node]] = {}
    cols: dict[int, list[Node]] = {}
    for node in scene.nodes:
        col, row = _cell(node, scene.flow)
        rows.setdefault(row, []).append(node)
        cols.setdefault(col, []).append(node)
    lines = scene.flow == "right"  # lines of text stack, but their columns need not align
    if not lines:
        _fill_gaps(g, rows, cols)
    aligned = not lines or bool(scene.edges)  # a chain's lines (a slide's stack) do
    named = {n.id: n.pos for n in scene.nodes}  # the ids a spacer between panels must not take
    for row, members in sorted(rows.items()):
        placed = sorted(
            [(float(_cell(n, scene.flow)[0]), n.id) for n in members] + lanes.get(row, [])
        )
        if scene.panel:
            # a slide's two panels (Scene.panel) set further apart than two columns, so they
            # read as two: an empty box in each row between them
            spacer = _fresh(f"panel_gap_{row}", named)
            g.node(spacer, shape="box", style="invis", label="", width=PANEL_GAP, height="0")
            placed = sorted([*placed, (scene.panel - 0.5, spacer)])
        with g.subgraph() as same:
            same.attr(rank="same")
            for _, node in placed:
                same.node(node)
            for (_, a), (_, b) in pairwise(placed):
                if frozenset((a, b)) not in linked:
                    same.edge(a, b, style="invis")
    for _, members in sorted(cols.items()):
        members.sort(key=lambda n: _cell(n, scene.flow)[1])
        for a, b in pairwise(members):
            if frozenset((a.id, b.id)) not in linked:
                g.edge(a.id, b.id, style="invis", weight="10" if aligned else "0")


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
