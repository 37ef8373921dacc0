"""Ruling segments -> tables and cells (pure geometry, no images)."""

from __future__ import annotations

from extractor.vision.segments import (
    RuleMending,
    Segment,
    bridge_gaps,
    drop_loose,
    extend_ends,
    keep_crossing,
    mend_rules,
    merge_collinear,
    open_sides,
    tables_from_segments,
    text_gap_sides,
    with_sides,
)


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


def _always(_seg: Segment) -> bool:
    return True


def test_break_inside_one_cell_side_is_bridged() -> None:
    # A row rule worn away between x=60 and x=80, inside the cell side from x=50 to x=100.
    cross = [Segment(0, 0, 40), Segment(50, 0, 40), Segment(100, 0, 40)]
    pieces = [Segment(20, 0, 60), Segment(20, 80, 100)]
    assert bridge_gaps(pieces, cross, tol=2, max_gap=30, is_rule=_always) == [Segment(20, 0, 100)]
    # Too long a gap for the table, or ink that is no rule's: left as it is.
    assert len(bridge_gaps(pieces, cross, tol=2, max_gap=10, is_rule=_always)) == 2
    assert len(bridge_gaps(pieces, cross, tol=2, max_gap=30, is_rule=lambda g: g.length < 70)) == 2


def test_gap_a_rule_crosses_or_spanning_a_whole_side_is_kept() -> None:
    # The row rule is missing under a merged cell from x=50 to x=100 (both gap ends at column
    # rules), and under two merged cells side by side, where the column rule x=100 goes on through.
    whole = [Segment(20, 0, 50), Segment(20, 100, 150)]
    cross = [Segment(0, 0, 40), Segment(50, 0, 40), Segment(100, 0, 40), Segment(150, 0, 40)]
    assert len(bridge_gaps(whole, cross, tol=2, max_gap=80, is_rule=_always)) == 2
    through = [Segment(20, 0, 70), Segment(20, 130, 150)]
    assert len(bridge_gaps(through, cross, tol=2, max_gap=80, is_rule=_always)) == 2
    # A column rule that ends on the line (a T) says the line was there: that gap is wear.
    tee = [Segment(0, 0, 40), Segment(50, 0, 40), Segment(100, 0, 20), Segment(150, 0, 40)]
    assert bridge_gaps(through, tee, tol=2, max_gap=80, is_rule=_always) == [Segment(20, 0, 150)]


def test_loose_end_is_carried_to_the_next_crossing_rule() -> None:
    # A column rule crossing the row rules y=20 and y=40 lost its stretch below y=48; the next row
    # rule down is y=60. A lone stroke meeting one rule, on a line no other rule shares, stays.
    cross = [Segment(0, 0, 100), Segment(20, 0, 100), Segment(40, 0, 100), Segment(60, 0, 100)]
    worn = Segment(50, 0, 48)
    stroke = Segment(80, 45, 60)
    out = extend_ends([worn, stroke], cross, tol=2, reach=20, min_share=0.5, is_rule=_always)
    assert out == [Segment(50, 0, 60), stroke]
    # Beyond reach, or covering too little of the stretch it would span: left as it is.
    assert extend_ends([worn], cross, tol=2, reach=5, min_share=0.5, is_rule=_always) == [worn]
    assert extend_ends([Segment(50, 20, 26)], cross, tol=2, reach=20, min_share=0.5,
                       is_rule=_always) == [Segment(50, 20, 26)]


def test_mended_rules_give_back_the_grid() -> None:
    # A 3 x 3 grid whose inner row rule at y=20 is worn in its middle column and whose column rule
    # at x=100 lost its foot: the cells come back one per slot.
    hs = [Segment(0, 0, 150), Segment(20, 0, 60), Segment(20, 90, 150), Segment(40, 0, 150), Segment(60, 0, 150)]
    vs = [Segment(0, 0, 60), Segment(50, 0, 60), Segment(100, 0, 50), Segment(150, 0, 60)]
    (before,) = tables_from_segments(hs, vs, tol=2)
    assert len(before.cells) < 9

    def mend(h: list[Segment], v: list[Segment]) -> tuple[list[Segment], list[Segment]]:
        return mend_rules(h, v, 2, RuleMending(), lambda _g, _horizontal: True)

    (table,) = tables_from_segments(hs, vs, tol=2, mend=mend)
    assert (len(table.ys) - 1, len(table.xs) - 1, len(table.cells)) == (3, 3, 9)
    assert all(c.rowspan == 1 and c.colspan == 1 for c in table.cells)


def test_open_sides_are_the_uncovered_unit_sides() -> None:
    hs = [Segment(0, 0, 100), Segment(20, 50, 100), Segment(40, 0, 100)]
    vs = [Segment(0, 0, 40), Segment(50, 0, 40), Segment(100, 0, 40)]
    (table,) = tables_from_segments(hs, vs, tol=2)
    assert open_sides(table, tol=2) == ([Segment(20, 0, 50)], [])


def test_text_in_two_blocks_puts_back_a_worn_side() -> None:
    # Columns x=0|50|100|150, rows y=0|20|40. The column rule x=50 is drawn in the top row only; in the
    # bottom row the cell runs 0..100 and holds a label at 5..30 and a value at 60..90: the side
    # x=50 wore away. A label wrapped over two lines in one block (x 55..95) keeps its merged cell.
    hs = [Segment(0, 0, 150), Segment(20, 0, 150), Segment(40, 0, 150)]
    vs = [Segment(0, 0, 40), Segment(50, 0, 20), Segment(100, 0, 40), Segment(150, 0, 40)]
    (table,) = tables_from_segments(hs, vs, tol=2)
    assert any(c.colspan == 2 for c in table.cells)
    two = [(5.0, 24.0, 30.0, 34.0), (60.0, 24.0, 90.0, 34.0)]
    added_h, added_v = text_gap_sides(table, two, min_gap=10, tol=2)
    assert added_h == [] and added_v == [Segment(50, 20, 40)]
    mended = with_sides(table, added_h, added_v, tol=2)
    assert len(mended.cells) == 6 and all(c.colspan == 1 for c in mended.cells)
    one = [(5.0, 22.0, 48.0, 29.0), (5.0, 31.0, 95.0, 38.0)]
    assert text_gap_sides(table, one, min_gap=10, tol=2) == ([], [])


def test_loose_strokes_are_no_column_rule_unless_their_ink_is_firm() -> None:
    # A 2 x 3 grid (x=0|50|100|150, y=0|20|40). Toner joined the stacked strokes of a column of
    # characters into a vertical run at x=60 that starts and stops inside the cells (y 3..37): no
    # crossing rule stops it, so it is dropped unless its ink stands out as a rule's would.
    hs, vs = grid_segments([0, 50, 100, 150], [0, 20, 40])
    strokes = Segment(60, 3, 37)
    kept_h, kept_v = drop_loose(hs, [*vs, strokes], tol=2, overshoot=4, is_firm=lambda _s, _h: False)
    assert strokes not in kept_v and kept_v == vs and kept_h == hs
    # A rule passing its crossing rule by a hair (noise) still counts as stopped there.
    flush = Segment(50, 0, 43)
    others = [v for v in vs if v.pos != 50]
    _, kept = drop_loose(hs, [*others, flush], tol=2, overshoot=4, is_firm=lambda _s, _h: False)
    assert flush in kept
    # Firm ink (a worn dash of a real rule, clear of the text) is kept, loose ends or not.
    _, kept = drop_loose(hs, [*vs, strokes], tol=2, overshoot=4, is_firm=lambda _s, _h: True)
    assert strokes in kept
    # In the grid the strokes would have made a sliver column 50..60; pruned, the grid is 3 columns.
    (table,) = tables_from_segments(hs, [*vs, strokes], tol=2, prune=lambda h, v: drop_loose(
        h, v, 2, 4, lambda _s, _h: False))
    assert len(table.xs) - 1 == 3


def test_a_line_of_glyph_feet_across_two_column_rules_is_no_row_rule() -> None:
    # The feet of a line of characters, joined by toner across the column rules x=50 and x=100,
    # run y=30 from x=30 to x=120: both ends stop inside cells. Kept, it cuts the second row in two.
    hs, vs = grid_segments([0, 50, 100, 150], [0, 20, 40])
    feet = Segment(30, 30, 120)
    (cut,) = tables_from_segments([*hs, feet], vs, tol=2)
    assert len(cut.ys) - 1 == 3

    def prune(h: list[Segment], v: list[Segment]) -> tuple[list[Segment], list[Segment]]:
        return drop_loose(h, v, 2, 4, lambda _s, _h: False)

    (table,) = tables_from_segments([*hs, feet], vs, tol=2, prune=prune)
    assert len(table.ys) - 1 == 2 and len(table.cells) == 6
