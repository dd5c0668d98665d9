"""Plane geometry for the matplotlib layout: boxes, matplotlib's arc3 curves, and a grid
index that keeps every "what lies near here?" question local, so layout stays linear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Point = tuple[float, float]
Route = tuple[Point, Point, float]  # an edge's start, end and arc3 bend


@dataclass
class Box:
    x: float  # centre
    y: float
    w: float
    h: float

    def clip(self, tx: float, ty: float) -> tuple[float, float]:
        """Where the ray from the centre towards (tx, ty) leaves the box."""
        dx, dy = tx - self.x, ty - self.y
        if dx == 0 and dy == 0:
            return self.x, self.y
        sx = (self.w / 2) / abs(dx) if dx else float("inf")
        sy = (self.h / 2) / abs(dy) if dy else float("inf")
        s = min(sx, sy)
        return self.x + dx * s, self.y + dy * s

    def contains(self, px: float, py: float, pad: float = 2.0) -> bool:
        return abs(px - self.x) < self.w / 2 + pad and abs(py - self.y) < self.h / 2 + pad


class GridIndex(Generic[Item]):
    """A uniform grid over the drawing: items filed under every cell their box touches."""

    CELL = 80.0  # points: about one node

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[Item, Box]]] = {}

    def _keys(self, box: Box, pad: float = 0.0) -> list[tuple[int, int]]:
        c = self.CELL
        x0, x1 = int((box.x - box.w / 2 - pad) // c), int((box.x + box.w / 2 + pad) // c)
        y0, y1 = int((box.y - box.h / 2 - pad) // c), int((box.y + box.h / 2 + pad) // c)
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def add(self, box: Box, item: Item, pad: float = 0.0) -> None:
        for key in self._keys(box, pad):
            self.cells.setdefault(key, []).append((item, box))

    def at(self, x: float, y: float) -> list[tuple[Item, Box]]:
        return self.cells.get((int(x // self.CELL), int(y // self.CELL)), [])

    def near(self, box: Box) -> list[tuple[Item, Box]]:
        """Every (item, box) filed in a cell the box touches, each once."""
        seen, out = set(), []
        for key in self._keys(box):
            for entry in self.cells.get(key, ()):
                if id(entry[1]) not in seen:
                    seen.add(id(entry[1]))
                    out.append(entry)
        return out


def on_arc(start: Point, end: Point, rad: float, t: float) -> Point:
    """A point of matplotlib's arc3 connection: a quadratic Bezier bulging by rad x chord."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    bulge = 2 * t * (1 - t) * rad
    return start[0] + dx * t + bulge * dy, start[1] + dy * t - bulge * dx


def overlap(a: Box, b: Box) -> bool:
    return abs(a.x - b.x) < (a.w + b.w) / 2 and abs(a.y - b.y) < (a.h + b.h) / 2
