"""Ruling-line segments and the tables they make, in any unit (image pixels or PDF points).

Pure functions shared by the scan route (segments found by extractor.vision.lines) and the
text-layer route (segments from the PDF's drawn lines and rectangles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field


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
    horizontal rule take part, and only at the fragment's own top or foot (no drawn rule across the
    strip beyond), so two stray strokes make no table.
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
            if abs(y2 - y) > tol:
                continue
            # A page cuts a table at its top or foot: a drawn rule across the strip beyond this height
            # says the table goes on there (two strokes of a character end alike inside a cell).
            at = (y + y2) / 2
            if any(h.start - tol <= v.pos and right.pos <= h.end + tol
                   and (h.pos < at - tol if at_start else h.pos > at + tol) for h in hs):
                continue
            out.append(Segment(at, v.pos, right.pos))
    return out


def open_sides(table: Table, tol: float, min_cover: float = 0.5) -> tuple[list[Segment], list[Segment]]:
    """The sides of the table's grid units that no rule covers (horizontal, vertical): where merged
    cells join, or where wear took a rule away."""
    hs: list[Segment] = []
    vs: list[Segment] = []
    ys, xs = table.ys, table.xs
    for r in range(1, len(ys) - 1):
        hs += [Segment(ys[r], xs[c], xs[c + 1]) for c in range(len(xs) - 1)
               if _coverage(table.h_lines, ys[r], xs[c], xs[c + 1], tol) < min_cover]
    for c in range(1, len(xs) - 1):
        vs += [Segment(xs[c], ys[r], ys[r + 1]) for r in range(len(ys) - 1)
               if _coverage(table.v_lines, xs[c], ys[r], ys[r + 1], tol) < min_cover]
    return hs, vs


def _blocks(spans: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """Extents along one axis of groups of text boxes less than `min_gap` apart, in order."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(spans):
        if out and lo - out[-1][1] < min_gap:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _gap_lines(spans: list[tuple[float, float]], lines: list[float], min_gap: float) -> list[float]:
    """The grid line that stands alone in a gap of at least `min_gap` between two text blocks (or
    within half of it inside a block's edge: a text box may take in what is left of a rule)."""
    blocks = _blocks(spans, min_gap)
    out: list[float] = []
    for (_, end), (start, _) in zip(blocks, blocks[1:], strict=False):
        inside = [x for x in lines if end - min_gap / 2 < x < start + min_gap / 2]
        if len(inside) == 1:
            out.append(inside[0])
    return out


def text_gap_sides(table: Table, boxes: list[tuple[float, float, float, float]], min_gap: float,
                   tol: float) -> tuple[list[Segment], list[Segment]]:
    """Sides of merged cells put where the cell's text stands in two blocks with one grid line in the
    gap between them, a line ruled beside the cell (the same column rule in the row above or below,
    the same row rule left or right): a side worn away with no ink left, placed by the text's own
    alignment. Lines of one label wrapped in its cell are closer than `min_gap`."""
    ys, xs = table.ys, table.xs
    add_h: list[Segment] = []
    add_v: list[Segment] = []
    for cell in table.cells:
        x0, y0, x1, y1 = cell.bbox
        inside = [b for b in boxes if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1]
        if len(inside) < 2:
            continue
        r0, r1, c0, c1 = cell.row, cell.row + cell.rowspan, cell.col, cell.col + cell.colspan
        ruled_v = [xs[c] for c in range(c0 + 1, c1)
                   if (r0 > 0 and _coverage(table.v_lines, xs[c], ys[r0 - 1], ys[r0], tol) >= 0.5)
                   or (r1 < len(ys) - 1 and _coverage(table.v_lines, xs[c], ys[r1], ys[r1 + 1], tol) >= 0.5)]
        ruled_h = [ys[r] for r in range(r0 + 1, r1)
                   if (c0 > 0 and _coverage(table.h_lines, ys[r], xs[c0 - 1], xs[c0], tol) >= 0.5)
                   or (c1 < len(xs) - 1 and _coverage(table.h_lines, ys[r], xs[c1], xs[c1 + 1], tol) >= 0.5)]
        add_v += [Segment(x, y0, y1) for x in _gap_lines([(b[0], b[2]) for b in inside], ruled_v, min_gap)]
        add_h += [Segment(y, x0, x1) for y in _gap_lines([(b[1], b[3]) for b in inside], ruled_h, min_gap)]
    return add_h, add_v


def with_sides(table: Table, hs: list[Segment], vs: list[Segment], tol: float) -> Table:
    """The table built again with more rules; its page-cut edges stay as they were."""
    out = table_from_segments(table.h_lines + hs, table.v_lines + vs, tol)
    out.open_top, out.open_bottom = table.open_top, table.open_bottom
    return out


def _open_edge(drawn: list[Segment], table: Table, y: float, tol: float) -> bool:
    return _coverage(drawn, y, table.xs[0], table.xs[-1], tol) < 0.1



class RuleMending(BaseModel):
    """How far the rules of a worn print are put back, as shares of the table's extent along the rule.

    A cell side is drawn whole from one crossing rule to the next, so a break that holds no crossing
    rule, and a rule end that meets none, are wear (a worn drum, a hairline at low resolution).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    bridge_share: float = Field(0.2, ge=0, description="pieces of one line are joined across a gap up to this "
                                "share of the table's extent along the line when no crossing rule lies in the gap")
    reach_share: float = Field(0.2, ge=0, description="a rule end that meets no crossing rule is carried to the "
                               "next crossing rule up to this share of the table's extent away")
    min_share: float = Field(0.5, gt=0, le=1, description="... when the rule already covers this share of the "
                             "stretch it then spans")
    overshoot: float = Field(2.0, ge=0, description="a rule end this many position tolerances past a crossing "
                             "rule ends at it (noise, or a stroke printed flush against the crossing rule)")
    remnant_share: float = Field(0.3, gt=0, le=1, description="a side of a grid cell that no rule covers is drawn "
                                 "when what is left of a rule (ink standing out as `contrast` asks) lines this "
                                 "share of it: dashes too short or too far apart to be found as pieces")
    text_gap: float = Field(1.0, gt=0, description="a merged cell whose text stands in two blocks this many text "
                            "heights apart, with one grid line between them that is ruled beside the cell, was "
                            "two cells whose side wore away: the side is put on that line")
    contrast: float = Field(3.0, gt=1, description="a piece takes part when its densest line of pixels holds this "
                            "many times the ink just beyond it on each side (a rule; a run along the foot of a "
                            "line of digits is barely denser than the digits)")
    loose_contrast: float = Field(5.0, gt=1, description="a rule with an end that meets no crossing rule, once "
                                  "mended, is kept only when it stands out this much (stands_out): toner-thickened "
                                  "strokes of characters stacked in a column, or the feet of a line of characters, "
                                  "merge into runs as long as a short rule, but they start and stop inside cells and "
                                  "have their glyphs' bodies beside them")


def _crosses_at(seg: Segment, at: float, cross: list[Segment], tol: float) -> bool:
    """True when a rule of `cross` passes through `seg`'s line at `at` (within tol)."""
    return any(abs(c.pos - at) <= tol and c.start - tol <= seg.pos <= c.end + tol for c in cross)


def _crossings(seg: Segment, cross: list[Segment], tol: float) -> list[float]:
    """Positions along `seg`'s line where a rule of `cross` passes through it, sorted."""
    return sorted(c.pos for c in cross if c.start - tol <= seg.pos <= c.end + tol)


def _lines_of(segments: list[Segment], tol: float) -> list[list[Segment]]:
    """Segments grouped by the line they lie on (positions within tol of the line's first), each in order."""
    lines: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: s.pos):
        if lines and seg.pos - lines[-1][0].pos <= tol:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    return [sorted(line, key=lambda s: s.start) for line in lines]


def _joined(a: Segment, b: Segment) -> Segment:
    weight = a.length + b.length or 1.0
    return Segment((a.pos * a.length + b.pos * b.length) / weight, min(a.start, b.start), max(a.end, b.end))


def _passes_through(c: Segment, pos: float, tol: float) -> bool:
    """True when rule `c` goes on past the line at `pos` on both sides (a crossing, not a T)."""
    return c.start < pos - tol and c.end > pos + tol


def _meets_any(seg: Segment, cross: list[Segment], tol: float) -> bool:
    """True when some rule of `cross` meets or crosses `seg`."""
    return any(seg.start - tol <= a <= seg.end + tol for a in _crossings(seg, cross, tol))


def bridge_gaps(segments: list[Segment], cross: list[Segment], tol: float, max_gap: float,
                is_rule: Callable[[Segment], bool]) -> list[Segment]:
    """Pieces of one line joined across gaps up to `max_gap` that no crossing rule passes straight
    through: a cell side is drawn whole, so a break inside one side is wear, and so is a break where
    a crossing rule ends on the line (a rule ends only where another stops it). A gap that a rule
    crosses, or that runs from one crossing rule to another, may be the missing sides of merged cells
    and is left (extend_ends closes the worn part of it). Only pieces whose ink `is_rule` take part
    (a run along the foot of a line of text, or a character's stroke, is no rule), and only into a
    line that still `is_rule` (a worn gap is paper; text across it is no break of a rule)."""
    out: list[Segment] = []
    for line in _lines_of(segments, tol):
        kept: list[Segment] = []
        for seg in line:
            (kept if is_rule(seg) else out).append(seg)
        if not kept:
            continue
        run = kept[0]
        for seg in kept[1:]:
            crossed = any(run.end + tol < c.pos < seg.start - tol and _passes_through(c, run.pos, tol)
                          for c in cross)
            whole = _crosses_at(run, run.end, cross, tol) and _crosses_at(seg, seg.start, cross, tol)
            joined = _joined(run, seg)
            # Text across the gap (two strokes of characters on one line) leaves no rule there.
            if seg.start - run.end <= max_gap and not crossed and not whole and is_rule(joined):
                run = joined
            else:
                out.append(run)
                run = seg
        out.append(run)
    return out


def extend_ends(segments: list[Segment], cross: list[Segment], tol: float, reach: float, min_share: float,
                is_rule: Callable[[Segment], bool], overshoot: float = 0.0) -> list[Segment]:
    """Rules whose ends meet no crossing rule carried on to the next crossing rule within `reach`:
    a rule ends where a crossing rule stops it, so a loose end lost its last stretch. A rule takes
    part when its ink `is_rule` and two crossing rules meet or cross it, or one does and another
    rule lies on its line (the same column rule in other rows): a character's stroke flush against
    a cell side meets that side too, but stands on a line of its own. It is carried only when it
    covers `min_share` of the stretch it then spans and its loose stretch past the last crossing
    `is_rule` too; an end at most `overshoot` past a crossing rule ends at that rule."""
    out: list[Segment] = []
    for seg in segments:
        at = [a for a in _crossings(seg, cross, tol) if seg.start - tol <= a <= seg.end + tol]
        on_line = any(o is not seg and abs(o.pos - seg.pos) <= tol for o in segments)
        if not at or (len(at) < 2 and not on_line) or not is_rule(seg):
            out.append(seg)
            continue
        at = _crossings(seg, cross, tol)
        start, end = seg.start, seg.end
        # An end that runs a little past a crossing rule (noise, a stroke flush against it) ends there.
        # The loose stretch past the last crossing must itself be rule ink: a run along the foot of a
        # label, merged with the rule it touches, is a tail into the next cell.
        if not any(start - tol <= a <= start + overshoot for a in at):
            before = [a for a in at if start - reach <= a < start]
            inner = min([a for a in at if a > start] + [end])
            if before and (inner == end or is_rule(Segment(seg.pos, start, inner))):
                start = before[-1]
        if not any(end - overshoot <= a <= end + tol for a in at):
            after = [a for a in at if end < a <= end + reach]
            inner = max([a for a in at if a < end] + [seg.start])
            if after and (inner == seg.start or is_rule(Segment(seg.pos, inner, end))):
                end = after[0]
        out.append(Segment(seg.pos, start, end) if seg.length >= min_share * (end - start) else seg)
    return out


def _extent(segments: list[Segment]) -> float:
    return max(s.end for s in segments) - min(s.start for s in segments)


def _box(h: list[Segment], v: list[Segment], tol: float) -> tuple[float, float, float, float]:
    return (min(s.start for s in h) - tol, min(s.start for s in v) - tol,
            max(s.end for s in h) + tol, max(s.end for s in v) + tol)


def _inside(seg: Segment, horizontal: bool, box: tuple[float, float, float, float]) -> bool:
    mid = (seg.start + seg.end) / 2
    x, y = (mid, seg.pos) if horizontal else (seg.pos, mid)
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def mend_rules(hs: list[Segment], vs: list[Segment], tol: float, mending: RuleMending,
               is_rule: Callable[[Segment, bool], bool]) -> tuple[list[Segment], list[Segment]]:
    """The rules of each table with worn breaks joined and loose ends carried to their crossings.
    A piece inside a table's box that meets none of its rules (a side worn away at both ends) is
    mended with that table; segments outside every table stay as they are."""
    groups = group_tables(hs, vs, tol * 1.5)
    boxes = [_box(h, v, tol) for h, v in groups]
    grouped_h = {s for g, _ in groups for s in g}
    grouped_v = {s for _, g in groups for s in g}
    loose_h = [s for s in hs if s not in grouped_h]
    loose_v = [s for s in vs if s not in grouped_v]
    out_h = [s for s in loose_h if not any(_inside(s, True, b) for b in boxes)]
    out_v = [s for s in loose_v if not any(_inside(s, False, b) for b in boxes)]
    for (h, v), box in zip(groups, boxes, strict=True):
        width, height = _extent(h), _extent(v)
        h = h + [s for s in loose_h if _inside(s, True, box)]
        v = v + [s for s in loose_v if _inside(s, False, box)]
        for _ in range(2):  # a side joined in one direction may give the other a crossing to reach
            h = bridge_gaps(h, v, tol, mending.bridge_share * width, lambda g: is_rule(g, True))
            v = bridge_gaps(v, h, tol, mending.bridge_share * height, lambda g: is_rule(g, False))
            # Ends are carried only to rules that cross two others already: a stroke of a character
            # flush against a cell side is no rule to reach.
            firm_h, firm_v = keep_crossing(h, v, tol * 1.5)
            h = extend_ends(h, firm_v, tol, mending.reach_share * width, mending.min_share,
                            lambda g: is_rule(g, True), mending.overshoot * tol)
            v = extend_ends(v, firm_h, tol, mending.reach_share * height, mending.min_share,
                            lambda g: is_rule(g, False), mending.overshoot * tol)
        out_h += h
        out_v += v
    return out_h, out_v


def _end_met(seg: Segment, at_start: bool, cross: list[Segment], tol: float, overshoot: float) -> bool:
    """True when a rule of `cross` stops `seg` at that end: within tol of it, or passed by at most
    `overshoot` (noise, a stroke flush against the crossing rule)."""
    end = seg.start if at_start else seg.end
    for c in _crossings(seg, cross, tol):
        if at_start and c - overshoot <= end <= c + tol or not at_start and c - tol <= end <= c + overshoot:
            return True
    return False


def drop_loose(hs: list[Segment], vs: list[Segment], tol: float, overshoot: float,
               is_firm: Callable[[Segment, bool], bool]) -> tuple[list[Segment], list[Segment]]:
    """The segments without those that start or stop inside a cell and are no clean rule ink.

    A cell side runs from one crossing rule to the next; mending carried the loose ends of worn
    rules on. What still has an end that no crossing rule stops is a rule piece only when its ink
    `is_firm` (a worn dash stands clear of the text); strokes of characters thickened by toner,
    stacked in a column or along a line's foot (often joined across a rule), are not.
    """
    out_h = [h for h in hs if (_end_met(h, True, vs, tol, overshoot) and _end_met(h, False, vs, tol, overshoot))
             or is_firm(h, True)]
    out_v = [v for v in vs if (_end_met(v, True, out_h, tol, overshoot) and _end_met(v, False, out_h, tol, overshoot))
             or is_firm(v, False)]
    return out_h, out_v


def tables_from_segments(hs: list[Segment], vs: list[Segment], tol: float,
                         mend: Callable[[list[Segment], list[Segment]], tuple[list[Segment], list[Segment]]]
                         | None = None,
                         prune: Callable[[list[Segment], list[Segment]], tuple[list[Segment], list[Segment]]]
                         | None = None) -> list[Table]:
    """Every ruled table on a page, top to bottom; fragments cut by a page break are closed. `mend`
    (scans: mend_rules with the page's ink) puts back the rules of a worn print first; `prune`
    (scans: drop_loose) then leaves out what is no rule, the rules implied at a page's cut counting
    as crossings (a column rule ends there with none drawn)."""
    hs = merge_collinear(hs, tol, tol * 3)
    vs = merge_collinear(vs, tol, tol * 3)
    if mend is not None:
        hs, vs = mend(hs, vs)
    drawn = hs
    hs = merge_collinear(hs + implied_rules(hs, vs, tol * 1.5), tol, tol * 3)
    if prune is not None:
        hs, vs = prune(hs, vs)
    hs, vs = keep_crossing(hs, vs, tol * 1.5)
    tables = []
    for h, v in group_tables(hs, vs, tol * 1.5):
        table = table_from_segments(h, v, tol)
        table.open_top = _open_edge(drawn, table, table.ys[0], tol)
        table.open_bottom = _open_edge(drawn, table, table.ys[-1], tol)
        tables.append(table)
    return tables
