"""Ruling segments -> tables and cells (pure geometry, no images)."""

from __future__ import annotations

from extractor.vision.segments import Segment, keep_crossing, merge_collinear, tables_from_segments


def grid_segments(xs: list[float], ys: list[float]) -> tuple[list[Segment], list[Segment]]:
    hs = [Segment(y, xs[0], xs[-1]) for y in ys]
    vs = [Segment(x, ys[0], ys[-1]) for x in xs]
    return hs, vs


def test_full_grid_gives_one_cell_per_slot() -> None:
    hs, vs = grid_segments([0, 50, 100, 150], [0, 20, 40])
    (table,) = tables_from_segments(hs, vs, tol=2)
    assert [(c.row, c.col, c.rowspan, c.colspan) for c in table.cells] == [
        (0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1), (1, 0, 1, 1), (1, 1, 1, 1), (1, 2, 1, 1)]


def test_missing_rules_merge_cells_into_spans() -> None:
    xs, ys = [0, 50, 100, 150], [0, 20, 40, 60]
    # Column 0 is one merged cell over three rows (its row rules start at x=50); in the top row
    # columns 1-2 are merged (no rule at x=100 there).
    hs = [Segment(0, 0, 150), Segment(20, 50, 150), Segment(40, 50, 150), Segment(60, 0, 150)]
    vs = [Segment(0, 0, 60), Segment(50, 0, 60), Segment(100, 20, 60), Segment(150, 0, 60)]
    (table,) = tables_from_segments(hs, vs, tol=2)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}
    assert spans[(0, 0)] == (3, 1)
    assert spans[(0, 1)] == (1, 2)
    assert spans[(1, 1)] == (1, 1) and spans[(2, 2)] == (1, 1)
    assert len(table.cells) == 6
    assert table.xs == xs and table.ys == ys


def test_broken_rule_is_joined() -> None:
    pieces = [Segment(10.0, 0, 40), Segment(10.5, 44, 100), Segment(30, 0, 100)]
    merged = merge_collinear(pieces, pos_tol=2, gap_tol=6)
    assert len(merged) == 2
    assert merged[0].start == 0 and merged[0].end == 100


def test_strays_that_cross_fewer_than_two_rules_are_dropped() -> None:
    hs, vs = grid_segments([0, 100], [0, 50])
    underline = Segment(30, 20, 60)  # inside the cell, touching no vertical rule
    kept_h, kept_v = keep_crossing([*hs, underline], vs, tol=2)
    assert underline not in kept_h and len(kept_h) == 2 and len(kept_v) == 2


def test_separate_tables_are_found_top_to_bottom() -> None:
    h1, v1 = grid_segments([0, 100, 200], [300, 320, 340])
    h2, v2 = grid_segments([0, 60, 200], [0, 20])
    tables = tables_from_segments(h1 + h2, v1 + v2, tol=2)
    assert [t.ys[0] for t in tables] == [0, 300]
    assert [len(t.cells) for t in tables] == [2, 4]
