"""Ruling-line segments and the tables they make, in any unit (image pixels or PDF points).

Pure functions shared by the scan route (segments found by extractor.vision.lines) and the
text-layer route (segments from the PDF's drawn lines and rectangles).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Segment:
    """An axis-aligned ruling line: `pos` is y for horizontal lines, x for vertical ones."""

    pos: float
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class TableCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]


@dataclass(slots=True)
class Table:
    """One ruled table: its row-line y positions, column-line x positions and cells."""

    ys: list[float]
    xs: list[float]
    cells: list[TableCell]
    h_lines: list[Segment] = field(default_factory=list)  # the ruling segments it was built from
    v_lines: list[Segment] = field(default_factory=list)
    # No rule was drawn along this edge; the ends of the column rules stand in for it: a table
    # fragment cut by a page break (browsers draw no border at the cut).
    open_top: bool = False
    open_bottom: bool = False

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def merge_collinear(segments: list[Segment], pos_tol: float, gap_tol: float) -> list[Segment]:
    """Join pieces of one broken or faint line: same position (within pos_tol), gaps under gap_tol."""
    out: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (s.pos, s.start)):
        for i, prev in enumerate(out):
            if abs(prev.pos - seg.pos) <= pos_tol and seg.start <= prev.end + gap_tol \
                    and seg.end >= prev.start - gap_tol:
                weight = prev.length + seg.length or 1.0
                pos = (prev.pos * prev.length + seg.pos * seg.length) / weight
                out[i] = Segment(pos, min(prev.start, seg.start), max(prev.end, seg.end))
                break
        else:
            out.append(seg)
    return out


def _touches(h: Segment, v: Segment, tol: float) -> bool:
    return h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol


def keep_crossing(hs: list[Segment], vs: list[Segment], tol: float) -> tuple[list[Segment], list[Segment]]:
    """Drop segments that meet fewer than two orthogonal ones (underlines, text strokes, noise)."""
    for _ in range(3):
        hs2 = [h for h in hs if sum(_touches(h, v, tol) for v in vs) >= 2]
        vs2 = [v for v in vs if sum(_touches(h, v, tol) for h in hs2) >= 2]
        if len(hs2) == len(hs) and len(vs2) == len(vs):
            break
        hs, vs = hs2, vs2
    return hs2, vs2


def group_tables(hs: list[Segment], vs: list[Segment], tol: float) -> list[tuple[list[Segment], list[Segment]]]:
    """Split segments into connected groups (one per table), top to bottom."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _touches(h, v, tol):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    tables = [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]
    return sorted(tables, key=lambda g: min(h.pos for h in g[0]))


def cluster_positions(values: list[float], tol: float) -> list[float]:
    """Sorted positions with near-duplicates (within tol) averaged into one."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _coverage(segments: list[Segment], pos: float, a: float, b: float, tol: float) -> float:
    """Fraction of [a, b] covered by segments lying at `pos` (within tol)."""
    spans = sorted((max(a, s.start), min(b, s.end)) for s in segments
                   if abs(s.pos - pos) <= tol and s.end > a and s.start < b)
    covered, cursor = 0.0, a
    for lo, hi in spans:
        lo = max(lo, cursor)
        if hi > lo:
            covered += hi - lo
            cursor = hi
    return covered / (b - a) if b > a else 0.0


def table_from_segments(hs: list[Segment], vs: list[Segment], tol: float, min_cover: float = 0.5) -> Table:
    """Cells of one table: grid units between ruling lines, merged where no line separates them.

    A merged cell (a 一级指标 label over five rows) is the union of units with no line between
    them, so it becomes one cell with rowspan 5. A group that is not rectangular (a line missing
    in a scan) is widened to its bounding rectangle.
    """
    ys = cluster_positions([h.pos for h in hs], tol)
    xs = cluster_positions([v.pos for v in vs], tol)
    n_r, n_c = len(ys) - 1, len(xs) - 1
    parent = list(range(n_r * n_c))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_r):
        for c in range(n_c):
            if c + 1 < n_c and _coverage(vs, xs[c + 1], ys[r], ys[r + 1], tol) < min_cover:
                join(r * n_c + c, r * n_c + c + 1)
            if r + 1 < n_r and _coverage(hs, ys[r + 1], xs[c], xs[c + 1], tol) < min_cover:
                join(r * n_c + c, (r + 1) * n_c + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_r):
        for c in range(n_c):
            groups.setdefault(find(r * n_c + c), []).append((r, c))
    cells = _rectangles(list(groups.values()))
    table = Table(ys=ys, xs=xs, cells=[], h_lines=hs, v_lines=vs)
    for r0, c0, r1, c1 in cells:
        table.cells.append(TableCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    table.cells.sort(key=lambda t: (t.row, t.col))
    return table


def _rectangles(groups: list[list[tuple[int, int]]]) -> list[tuple[int, int, int, int]]:
    """Bounding rectangles of unit groups, with rectangles swallowed by a widened one dropped."""
    rects = [(min(r for r, _ in g), min(c for _, c in g), max(r for r, _ in g), max(c for _, c in g)) for g in groups]
    rects.sort(key=lambda t: -(t[2] - t[0] + 1) * (t[3] - t[1] + 1))
    taken: set[tuple[int, int]] = set()
    out: list[tuple[int, int, int, int]] = []
    for r0, c0, r1, c1 in rects:
        units = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if units & taken:
            continue
        taken |= units
        out.append((r0, c0, r1, c1))
    return out


def scale_table(table: Table, k: float) -> Table:
    """The same table with every coordinate multiplied by k (pixels at some dpi -> points)."""
    def seg(g: Segment) -> Segment:
        return Segment(g.pos * k, g.start * k, g.end * k)

    cells = [TableCell(c.row, c.col, c.rowspan, c.colspan,
                       (c.bbox[0] * k, c.bbox[1] * k, c.bbox[2] * k, c.bbox[3] * k)) for c in table.cells]
    return Table([y * k for y in table.ys], [x * k for x in table.xs], cells,
                 [seg(g) for g in table.h_lines], [seg(g) for g in table.v_lines], table.open_top, table.open_bottom)


def implied_rules(hs: list[Segment], vs: list[Segment], tol: float) -> list[Segment]:
    """Horizontal rules implied where column rules stop with no rule drawn: a table cut by a page break.

    Browsers draw no border at the cut, so the fragment's column rules just end at the page's top or
    bottom. Where two neighbouring column rules end at the same height, the strip between them is
    closed there (a cell cannot go on without its side rules). Only rules that already meet a drawn
    horizontal rule take part, so two stray strokes make no table.
    """
    ruled = [v for v in vs if any(_touches(h, v, tol) for h in hs)]
    out: list[Segment] = []
    for at_start in (True, False):
        for v in ruled:
            y = v.start if at_start else v.end
            step = min(2 * tol, v.length / 2)
            probe = y + step if at_start else y - step  # just inside the fragment
            beside = sorted((w for w in ruled if w.start <= probe <= w.end), key=lambda w: w.pos)
            right = next((w for w in beside if w.pos > v.pos + tol), None)
            if right is None:
                continue
            y2 = right.start if at_start else right.end
            if abs(y2 - y) <= tol:
                out.append(Segment((y + y2) / 2, v.pos, right.pos))
    return out


def _open_edge(drawn: list[Segment], table: Table, y: float, tol: float) -> bool:
    return _coverage(drawn, y, table.xs[0], table.xs[-1], tol) < 0.1



def tables_from_segments(hs: list[Segment], vs: list[Segment], tol: float) -> list[Table]:
    """Every ruled table on a page, top to bottom; fragments cut by a page break are closed."""
    hs = merge_collinear(hs, tol, tol * 3)
    vs = merge_collinear(vs, tol, tol * 3)
    drawn = hs
    hs = merge_collinear(hs + implied_rules(hs, vs, tol * 1.5), tol, tol * 3)
    hs, vs = keep_crossing(hs, vs, tol * 1.5)
    tables = []
    for h, v in group_tables(hs, vs, tol * 1.5):
        table = table_from_segments(h, v, tol)
        table.open_top = _open_edge(drawn, table, table.ys[0], tol)
        table.open_bottom = _open_edge(drawn, table, table.ys[-1], tol)
        tables.append(table)
    return tables
