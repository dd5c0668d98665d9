"""One section's rows in the time grid: input, recurrent layers, heads, what is returned.

The folded figure is the unrolled one with a single column `t`, where the recurrent edge
h_{t-1} -> h_t closes on itself; building both from one routine keeps the two pictures of
the classic textbook figure consistent by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from ..scene import Edge, Label, Line, Node, sym, words
from ..shapes import ShapedLayer, ShapedModel
from ..shapes.shaped import Recurrence, format_shape
from . import labels, steplayers
from .grid import Grid, names_layer
from .section import Section, header


class Rows(Grid):
    """The grid filled with a section's layers, bottom up."""

    def build(self) -> None:
        section = self.section
        first = section.rows[0]
        x_shape = first.step_tensor("x_t").shape
        if section.front:
            x_shape = section.front[0].input_shape[-1:]
        source = steplayers.windows(self)
        below = None
        if section.embedding is not None:
            below = self.row(
                lambda c, sub: (
                    labels.tensor("w", sub, None, note=f"token id, {self.model.spec.input_dtype}"),
                    "input",
                    "solid",
                )
            )
        x = self.row(lambda c, sub: (labels.tensor("x", sub, x_shape), "input", "solid"))
        if below:
            self.connect(
                below,
                x,
                lambda c: self.weight_label(cast(ShapedLayer, section.embedding), "E"),
                "input",
            )
        if source:
            steplayers.fan_out(self, source, x)
        prev, k, head = x, self.first, 0
        for layer in section.front:
            prev = steplayers.per_step(self, layer, prev)
        for layer in section.rows:
            if layer.cell:
                k += 1
                prev = self._recurrent(layer, prev, self.sup(k))
            elif layer.role in ("head", "step-head"):
                head += 1
                prev = self._per_step_dense(layer, prev, head)
            else:
                prev = steplayers.per_step(self, layer, prev)
        if section.pooling:
            prev = steplayers.pooled(self, section.pooling, prev)
        self._exits(self._tail(prev))

    def _exits(self, top: list[str]) -> None:
        """An arrow out of the figure from every node the model returns (faded ones are only
        computed), so what leaves the network is drawn, not just named in the legend."""
        nodes = {n.id: n for n in self.nodes}
        taken = {n.pos for n in self.nodes}
        r = self.next_row
        self.next_row += 1
        for nid in dict.fromkeys(top):
            node = nodes[nid]
            if node.role == "ellipsis" or node.emphasis == "faded":
                continue
            (c, row), at = node.pos, (node.pos[0], r)
            # a second output of its step (a final state) leaves sideways, as does one with
            # nodes above it (a chain run down beside the last step)
            above = any(x == c and y > row for x, y in taken)
            if (at in taken or above) and (c + 1, row) not in taken:
                at = (c + 1, row)
            exit_id = f"out{at[0]}" + (f"r{at[1]}" if at[1] != r else "")
            taken.add(at)
            self.nodes.append(Node(exit_id, (), "exit", "exit", at))
            self.edges.append(Edge(nid, exit_id, (), "output"))

    def _recurrent(self, layer: ShapedLayer, prev: list[str], sup: str) -> list[str]:
        rec = cast(Recurrence, layer.recurrence)
        directions = rec.directions
        last = len(self.cols) - 1
        outs = {}
        first_row = None
        wsup = "" if self.named else sup
        for d in directions:
            backwards = (d == "backward") != rec.backwards
            # the state a many-to-one layer returns: its final one, or the last position's
            returned = last if not backwards or rec.last_position else 0
            arrow = labels.ARROWS[d]
            final = 0 if backwards else last  # the column of this direction's final state

            def make(
                c: int,
                sub: str,
                d: str | None = d,
                returned: int = returned,
                arrow: str = arrow,
                final: int = final,
            ) -> tuple[Label, str, str]:
                label = labels.tensor("h", sub, layer.step_tensor("h_t", d).shape, sup + arrow)
                # PyTorch: the final state's place in the module's h_n (and c_n)
                note = self._final_state(layer, d) if c == final and not self.folded else ()
                if rec.cell == "LSTM":
                    # c's shape beside it; under it in a narrow column's box that names its
                    # final states one a line, as short as the h lines above
                    shape = layer.step_tensor("c_t", d).shape
                    cell = labels.tensor("c", sub, shape, sup + arrow)
                    beside = ((*cell[0], words(" " + format_shape(shape), small=True)),)
                    label += cell if self.narrow and note else beside
                label += note
                faded = not layer.per_step and c != returned and not self.folded
                return label, "state", "faded" if faded else "solid"

            if self.side and len(directions) == 2:
                ids = self.row(make, 0 if d == "forward" else 2, first_row)
                first_row = self.nodes[-1].pos[1]
            else:
                ids = self.row(make)
            self.connect(
                prev,
                ids,
                # PyTorch's dropout between a module's layers, said once, on the first step
                cast(
                    Callable[[int], Label],
                    lambda c, d=d: (
                        self.weight_label(layer, "W", d, wsup)
                        + (() if c else labels.input_notes(layer))
                    ),
                ),
                "input",
            )
            u_label = self.weight_label(layer, "U", d, wsup)
            if self.side and self.slide and u_label:
                # a slide's folded pair: the loops' labels, beside the grid, set its width
                u_label = labels.stacked(u_label[0]) + u_label[1:]
            if self.folded and (rec.cell == "LSTM" or backwards):
                step = "t+1" if backwards else "t-1"  # a backward loop brings the next step's state
                state = (sym("h", step),) + (
                    (words(", "), sym("c", step)) if rec.cell == "LSTM" else ()
                )
                u_label += (state,)
            if self.folded:
                self.edges.append(Edge(ids[0], ids[0], u_label, "recurrent"))
            else:
                for c in range(1, len(ids)):
                    a, b = (ids[c - 1], ids[c]) if not backwards else (ids[c], ids[c - 1])
                    elided = None in (self.cols[c - 1], self.cols[c])
                    # elided: the first edge the recurrence runs along names it
                    first = c == (len(ids) - 1 if backwards and not self.gap_shared else 1)
                    named = not elided or (self.name_elided and first)
                    self.edges.append(
                        Edge(
                            a,
                            b,
                            u_label if named else (),
                            "recurrent",
                            "dashed" if elided else "solid",
                            backward=backwards,
                        )
                    )
            outs[d] = (ids, returned)
        if len(directions) == 1:
            return outs[None][0]
        return self._merge(layer, outs, sup)

    def _final_state(self, layer: ShapedLayer, direction: str | None) -> Label:
        """`= h_n[3], c_n[3]`: where the drawn layer's final state sits among the states its
        layer returns, `of lstm` when parts of several layers are drawn and no key names each
        row's layer; each state on a line of its own in narrow columns; nothing for a layer
        drawn whole."""
        finals = dict(cast(Recurrence, layer.recurrence).finals)
        if direction not in finals:
            return ()
        owners = {x.part_of for x in self.section.recurrent if x.part_of}
        owner = f" of {layer.part_of}" if len(owners) > 1 and not self.keyed else ""
        *rest, last = finals[direction]
        lines = [f"{part}," for part in rest] + [last + owner]
        lines[0] = f"= {lines[0]}"
        lines = lines if self.narrow else [" ".join(lines)]
        return tuple((words(line, small=True),) for line in lines)

    def _merge(
        self, layer: ShapedLayer, outs: dict[str | None, tuple[list[str], int]], sup: str
    ) -> list[str]:
        rec = cast(Recurrence, layer.recurrence)
        merge = cast(str, rec.merge)
        width = layer.step_tensor("y_t").shape
        if layer.per_step or self.folded:
            # a slide's folded pair, short of height: the merge between its two cells, in their
            # row (the forward cell's loop runs out of its left side, scene.left_loops)
            row = None
            if self.side and self.slide:
                row = next(n.pos[1] for n in self.nodes if n.id == outs["forward"][0][0])
            ids = self.row(
                lambda c, sub: (labels.tensor("y", sub, width, sup, note=merge), "merge", "solid"),
                row=row,
            )
            for src, _ in outs.values():
                self.connect(src, ids, lambda c: (), "merge")
            return ids
        # many-to-one: Keras merges the forward layer's last state and the backward layer's
        # final (step 0) one; PyTorch's out[:, -1] takes both at the last position
        last = len(self.cols) - 1
        if rec.last_position:
            merge = f"out[:, -1]: {merge} at t = {self.cols[last]}"
        nid = self.single(labels.tensor("y", "", width, sup, note=merge), "merge", last)
        for src, returned in outs.values():
            self.edges.append(Edge(src[returned], nid, (), "merge"))
        return [nid] * len(self.cols)

    def _per_step_dense(self, layer: ShapedLayer, prev: list[str], n: int) -> list[str]:
        sup = f"({n})" if len(self.section.rows) - len(self.section.recurrent) > 1 else ""
        units = layer.output_shape[-1]
        ids = self.row(lambda c, sub: (labels.tensor("o", sub, (units,), sup), "output", "solid"))
        self.connect(
            prev,
            ids,
            lambda c: (
                self.weight_label(layer, "V", sup=sup) + (() if c else labels.input_notes(layer))
            ),
            "head",
        )
        return ids

    def _tail(self, prev: list[str]) -> list[str]:
        """The layers fed by the last state only; returns the figure's top row."""
        if not self.section.tail:
            return prev
        last = len(self.cols) - 1
        src = prev[last]
        for n, layer in enumerate(self.section.tail, start=1):
            sup = f"({n})" if len(self.section.tail) > 1 else ""
            label = labels.tensor(
                "y", "", layer.output_shape[1:], sup, note=labels.layer_call(layer)
            )
            nid = self.single(label, "output", last, src)
            label = self.weight_label(layer, "V", sup=sup) + labels.input_notes(layer)
            self.edges.append(Edge(src, nid, label, "head"))
            src = nid
        return [src]


def section_legend(
    model: ShapedModel,
    section: Section,
    faded: bool = False,
    first: int = 0,
    many: bool | None = None,
) -> tuple[Line, ...]:
    """`first`: recurrent layers numbered before this section's (a decoder's encoder)."""
    notation, convention = model.spec.notation, model.convention
    layers = (
        list(section.windows)
        + ([section.embedding] if section.embedding else [])
        + list(section.front)
        + list(section.rows)
        + ([section.pooling] if section.pooling else [])
        + list(section.tail)
    )
    text = cast(Recurrence, section.recurrent[-1].recurrence).returns
    key = "; dashed: computed, not returned" if faded else ""
    returned = (words(text + key),)
    full: list[Line] = []
    k = first
    named = many is None and names_layer(section.recurrent)  # not beside another section
    many = len(section.recurrent) > 1 if many is None else many
    for layer in layers:
        sup = ""
        if layer.cell and many:
            k += 1
            sup = "" if named else f"({k})"
        full.extend(labels.legend(layer, notation, convention, sup))
    return header(model, (labels.chain(layers, convention), returned), [*full, returned])
