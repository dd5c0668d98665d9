"""The layer graph, like Keras plot_model(show_shapes=True), plus parameters and units."""

from __future__ import annotations

import math

from ..scene import Edge, Group, Label, Line, Node, Run, Scene, words, wrap
from ..shapes import ShapedLayer, ShapedModel
from ..shapes.shaped import format_shape
from ..specification.graph import order, sources
from ..specification.model import ViewSpec
from . import labels
from .section import figure_name, header


def build(model: ShapedModel, view: ViewSpec, target: str = "column") -> Scene:
    """The stack runs down a column; on a slide, a chain runs left to right, in lines, and a
    graph's rows are cut into bands set side by side (a loop's inside its frame)."""
    slide = target != "column"
    scene = _graph(model, slide) if model.spec.graph else _chain(model, slide)
    if target == "column":
        return scene
    nodes = tuple(n._replace(label=_wrapped(n.label)) for n in scene.nodes)
    if model.spec.graph:  # set left to right, its columns' lines would be wider still
        return scene._replace(nodes=_banded(nodes, scene.groups))
    per = math.ceil(len(nodes) / _lines(len(nodes)))
    nodes = tuple(n._replace(pos=divmod(i, per)) for i, n in enumerate(nodes))
    return scene._replace(flow="right", nodes=nodes)


SLIDE_LINE = 32  # columns: a layer's call longer than this takes more lines on a slide


def _wrapped(label: Label) -> Label:
    """A label whose long lines of words (a layer's call with many arguments) are wrapped
    at their spaces, so one box does not set a slide's width."""
    out: list[Line] = []
    for line in label:
        run = line[0] if len(line) == 1 else Run("")
        if run.italic or run.sub or run.sup or len(run.text) <= SLIDE_LINE:
            out.append(line)
        else:
            out += [(Run(text, small=run.small),) for text in wrap(run.text, SLIDE_LINE)]
    return tuple(out)


def _lines(count: int) -> int:
    """How many lines a slide sets a chain of `count` boxes in, for a figure about twice as
    wide as tall: a box and the shape after it are some three times as wide as a line is tall,
    so n boxes in L lines are 3n/L wide by L tall, 2:1 at L = sqrt(1.5 n); measured on the
    gallery, sqrt(2 n) fits best (a line's gap and the legend add height)."""
    return max(1, round(math.sqrt(2 * count)))


def _banded(nodes: tuple[Node, ...], groups: tuple[Group, ...]) -> tuple[Node, ...]:
    """A graph's rows cut into bands of consecutive rows, each band to the right of the one
    before (a page's two columns of text): a graph of R rows and C columns in B bands is about
    C B boxes wide (a box and the shape beside it some three rows' height wide, a row and its
    gap some one and a half) by R / B rows tall, twice as wide as tall at B = sqrt(R / C).
    With a loop's frame, only the frame's rows are cut, each band of them level with the
    first: the rows above stay above the first band, those below go under the last or, when
    that is nearer twice as wide as tall, start a band of their own level with the loop's
    last layer; so the frame stays one rectangle over its own nodes (else no row is cut)."""
    cols = 1 + max(n.pos[0] for n in nodes)
    rows = _depth(nodes)
    framed = {name for group in groups for name in group.nodes}
    spans = [n.pos[1] for n in nodes if n.id in framed] or [0, rows - 1]
    first, last = min(spans), max(spans)
    bands = max(1, round(math.sqrt((last - first + 1) / cols)))
    per = math.ceil((last - first + 1) / bands)

    def banded(beside: bool) -> tuple[Node, ...]:
        """Beside, the loop's bands run down and back up in turn, so the step closes a ring
        whose edges cross none of the others, and what follows starts level with its last
        row; else what follows stands under the frame."""

        def cell(column: int, row: int) -> tuple[int, int]:
            if row < first:
                return column, row
            band, inside = divmod(min(row, last) - first, per)
            inside = per - 1 - inside if beside and band % 2 else inside
            if not framed and band == bands - 1:  # a shorter last band ends level with the
                # others, nearer the rows it reads from, which end them
                inside += per * bands - (last - first + 1)
            if row > last:  # under the frame, or from the level of the loop's last row
                band, inside = band + beside, (inside if beside else per) + row - last - 1
            return column + band * cols, first + inside

        return tuple(n._replace(pos=cell(*n.pos)) for n in nodes)

    # in the units above: wide C B (beside, a band more), tall in rows
    under, beside = banded(False), banded(True)
    wider = last < rows - 1 and max(cols * (bands + 1), _depth(beside)) < max(
        cols * bands, _depth(under)
    )
    chosen = beside if wider else under
    return chosen if all(_framed_alone(chosen, g) for g in groups) else nodes


def _depth(nodes: tuple[Node, ...]) -> int:
    return 1 + max(n.pos[1] for n in nodes)


def _framed_alone(nodes: tuple[Node, ...], group: Group) -> bool:
    """Whether the rectangle of cells around a group's nodes holds no other node."""
    inside = [n.pos for n in nodes if n.id in group.nodes]
    (left, right), (top, bottom) = ((min(v), max(v)) for v in zip(*inside, strict=True))
    return all(
        n.id in group.nodes or not (left <= n.pos[0] <= right and top <= n.pos[1] <= bottom)
        for n in nodes
    )


def _chain(model: ShapedModel, slide: bool) -> Scene:
    spec = model.spec
    nodes = [
        Node(
            "input",
            (
                (words("input"),),
                (words(f"{format_shape(model.input_shape)} {spec.input_dtype}", small=True),),
            ),
            "input",
            "round",
            (0, 0),
        )
    ]
    edges = []
    for i, layer in enumerate(model.layers, start=1):
        nodes.append(
            Node(f"layer{i}", _label(model, layer, slide=slide), _role(layer), "box", (0, i))
        )
        edges.append(
            Edge(
                nodes[-2].id, nodes[-1].id, ((words(format_shape(layer.input_shape), small=True),),)
            )
        )
    nodes.append(
        Node("output", ((words("output"),),), "output", "round", (0, len(model.layers) + 1))
    )
    edges.append(
        Edge(
            nodes[-2].id,
            "output",
            ((words(format_shape(model.layers[-1].output_shape), small=True),),),
        )
    )
    return _scene(model, nodes, edges)


def _scene(
    model: ShapedModel, nodes: list[Node], edges: list[Edge], groups: tuple[Group, ...] = ()
) -> Scene:
    total = ((words(f"total: {labels.count(model.total_params, model.convention)}"),),)
    return Scene(
        name=figure_name(model, "layers and shapes"),
        legend=header(model, total, total),
        flow="down",
        nodes=tuple(nodes),
        edges=tuple(edges),
        groups=groups,
    )


def _role(layer: ShapedLayer) -> str:
    return (
        "state"
        if layer.cell
        else "output"
        if layer.role in ("head", "step-head")
        else "input"
        if layer.role == "embedding"
        else "merge"
        if layer.role in ("merge", "attention")
        else "layer"  # the layers around them: noise, windows, pooling, normalisation
    )


def _label(
    model: ShapedModel, layer: ShapedLayer, graph: bool = False, slide: bool = False
) -> Label:
    """A layer's name, call, parameters and final states; a slide names the convention once,
    in its total, sets final states of one shape on one line (`h_n, c_n (2, None, 512)`) and
    leaves out a count of 0 (a Dropout's, a cat's): a box a line shorter, on a slide short of
    height, and a box without a count reads as none."""
    convention = None if slide else model.convention
    finals = {
        final: format_shape(shape)
        for final, shape in (("h_n", layer.h_n), ("c_n", layer.c_n))
        if shape is not None
    }
    shapes = set(finals.values())
    states = (
        [f"{', '.join(finals)} {shapes.pop()}"]
        if slide and len(shapes) == 1
        else [f"{final} {shape}" for final, shape in finals.items()]
    )
    return (
        (words(f"{layer.name}"),),
        *((words(line, small=True),) for line in _call_lines(labels.layer_call(layer), graph)),
        *(
            ((words(labels.params(layer, convention), small=True),),)
            if layer.params or not slide
            else ()
        ),
        *((words(line, small=True),) for line in states),
    )


WRAP_CHARS = 40  # a longer call in a graph's node takes two lines: its columns stay narrow


def _call_lines(call: str, wrap: bool) -> tuple[str, ...]:
    """The call, or (wrapped) its text up to the argument that passes the middle, then the rest."""
    if not wrap or len(call) <= WRAP_CHARS:
        return (call,)
    cut = call.find(", ", len(call) // 2 - 8)
    return (call,) if cut < 0 else (call[: cut + 1], call[cut + 2 :])


def _graph(model: ShapedModel, slide: bool) -> Scene:
    """A graph's layers as a DAG, as Keras plot_model draws a Functional model: inputs on
    top, a layer the model returns saying so (no output node, which keeps deep graphs
    within the aspect bar), each layer one row below the lowest it reads, in the column of its first input when
    free (a column stays free down to the layer that continues it, so its edge runs straight);
    a state handed over (return_state into initial_state) is a dashed edge named h or c."""
    spec = model.spec
    layers = order(spec.doc, spec.layers)
    row = {i.name: 0 for i in spec.inputs}
    by_name = {layer.name: layer for layer in layers}
    for layer_spec in layers:
        reads = sources(layer_spec)
        # a loop's first layer a row lower: what enters the loop's frame keeps its label
        # above the frame's title
        enters = layer_spec.loop is not None and all(
            r.source not in by_name or by_name[r.source].loop != layer_spec.loop for r in reads
        )
        row[layer_spec.name] = (
            1 + (enters and bool(reads)) + max((row[r.source] for r in reads), default=0)
        )
    # how far down each node's column is kept: to the row of the layer that reads it first
    keep = {
        reads[0].source: row[layer_spec.name]
        for layer_spec in reversed(layers)
        if (reads := sources(layer_spec))
    }
    cell: dict[str, tuple[int, int]] = {}
    taken: set[tuple[int, int]] = set()

    def place(name: str, column: int, at: int) -> None:
        while any((column, r) in taken for r in range(at, keep.get(name, at + 1))):
            column += 1
        cell[name] = (column, at)
        taken.update((column, r) for r in range(at, keep.get(name, at + 1)))

    nodes = []
    for column, given in enumerate(spec.inputs):
        place(given.name, column, 0)
        shape = f"{format_shape((None, *given.shape))} {given.dtype}"
        label = ((words(given.name),), (words(shape, small=True),))
        nodes.append(Node(given.name, label, "input", "round", cell[given.name]))
    shaped = {layer.name: layer for layer in model.layers}
    outputs = {name: layer.outputs for name, layer in shaped.items()}
    outputs |= {i.name: ((None, *i.shape),) for i in spec.inputs}
    edges = []
    for layer_spec in layers:
        layer = shaped[layer_spec.name]
        reads = sources(layer_spec)
        place(layer.name, cell[reads[0].source][0] if reads else 0, row[layer.name])
        label = _label(model, layer, graph=True, slide=slide)
        for ref in (r for r in spec.outputs if r.source == layer.name):  # no node of their own
            state = _state_name(layer, ref.output) if ref.output else ""
            shape = format_shape(layer.outputs[ref.output])
            label += (
                (words(f"output {state} {shape}" if state else f"output {shape}", small=True),),
            )
        nodes.append(Node(layer.name, label, _role(layer), "box", cell[layer.name]))
        # one edge per layer read, a line for each of its tensors (two states, say); a
        # state is named for the layer it starts (h, c), else for the layer that returns it
        first_state = len(layer_spec.reads or ())
        for source in dict.fromkeys(r.source for r in reads):
            lines, state = [], False
            for i, ref in ((i, r) for i, r in enumerate(reads) if r.source == source):
                shape = format_shape(outputs[ref.source][ref.output])
                name = (
                    _state_name(layer, i - first_state + 1)
                    if i >= first_state
                    else _state_name(shaped[ref.source], ref.output)
                    if ref.output
                    else ""
                )
                state = state or bool(name)
                lines.append((words(f"{name} {shape}" if name else shape, small=True),))
            role, style = ("recurrent", "dashed") if state else ("flow", "solid")
            edges.append(Edge(source, layer.name, tuple(lines), role, style))
        # what it reads from the step before (a loop's): dashed, back up the figure
        for ref in (r for r in layer_spec.reads or () if r.previous):
            # its shape is the one it has at t: on the source's node or edges
            state = _state_name(shaped[ref.source], ref.output) if ref.output else ""
            line = ((words(f"{state} at t-1" if state else "at t-1", small=True),),)
            edges.append(Edge(ref.source, layer.name, line, "recurrent", "dashed", backward=True))
    loops = dict.fromkeys(layer.loop for layer in layers if layer.loop is not None)
    # a frame per loop, its body and its step
    groups = tuple(
        Group(
            f"loop-{k}",
            ((words(f"loop {name}", small=True),),),  # short: clear of the edges entering
            tuple(layer.name for layer in layers if layer.loop == name),
        )
        for k, name in enumerate(loops)
    )
    return _scene(model, nodes, edges, groups)


def _state_name(layer: ShapedLayer, index: int) -> str:
    """`h`, `c`, `forward h`...: which final state output `index` (1, 2...) of a layer is."""
    recurrence = layer.recurrence
    if recurrence is None:
        return f"output {index}"
    per_direction = ("h", "c") if recurrence.cell == "LSTM" else ("h",)
    direction, state = divmod(index - 1, len(per_direction))
    name = per_direction[state]
    where = recurrence.directions[direction] if direction < len(recurrence.directions) else None
    return f"{where} {name}" if where else name
