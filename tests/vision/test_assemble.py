"""Fragments and tables of pages -> one Grid: reading order, joins, page numbers, continuation pages."""

from __future__ import annotations

import pytest

from extractor.grid import grid_to_rows
from extractor.vision.assemble import Fragment, PageContent, is_page_number, join_fragments, pages_to_grid
from extractor.vision.segments import Segment, tables_from_segments


def frag(text: str, x0: float, y0: float, x1: float, y1: float) -> Fragment:
    return Fragment(text, (x0, y0, x1, y1), 0.9)


def test_wrapped_cjk_lines_join_without_spaces() -> None:
    text, conf = join_fragments([frag("企业数量增加", 0, 20, 60, 30), frag("开展职工教育培训的", 0, 5, 90, 15)])
    assert text == "开展职工教育培训的企业数量增加"
    assert conf == 0.9


def test_latin_words_keep_a_space_and_wrapped_numbers_stay_whole() -> None:
    assert join_fragments([frag("Hello", 0, 0, 50, 10), frag("world", 60, 0, 110, 10)])[0] == "Hello world"
    assert join_fragments([frag("298,052,694", 0, 0, 80, 10), frag(".96", 0, 12, 20, 22)])[0] == "298,052,694.96"
    assert join_fragments([frag("100.0", 0, 0, 40, 10), frag("0%", 0, 12, 20, 22)])[0] == "100.00%"


def test_page_numbers() -> None:
    for text in ("- 3 -", "3", "第 3 页", "第3页 共18页", "3/18", "Page 2 of 9", ".17.", "~14.", ". 15."):
        assert is_page_number(text), text
    for text in ("2023 年度", "总分", "100%", "(2023年度)", "1.", ".5", "0.5", "1.5."):
        assert not is_page_number(text), text


def _page(page: int, xs: list[float], ys: list[float], frags: list[Fragment]) -> PageContent:
    hs = [Segment(y, xs[0], xs[-1]) for y in ys]
    vs = [Segment(x, ys[0], ys[-1]) for x in xs]
    return PageContent(page=page, width=600, height=800, tables=tables_from_segments(hs, vs, 2),
                       fragments=frags, source="pdf-text")


def test_tail_table_takes_the_previous_pages_columns() -> None:
    xs = [50, 150, 250, 350, 450, 550]
    first = _page(1, xs, [100, 130, 160], [frag("标题", 250, 40, 300, 60), frag("分值", 360, 140, 400, 150),
                                          frag("得分", 460, 140, 500, 150), frag("- 1 -", 290, 770, 310, 780)])
    # Page 2 holds only the 总分 row: one wide label cell, then the 分值 and 得分 columns.
    tail = _page(2, [50, 350, 450, 550], [60, 90], [frag("总分", 60, 70, 100, 80), frag("100", 360, 70, 390, 80),
                                                    frag("98", 460, 70, 480, 80), frag("2", 298, 770, 302, 780)])
    grid = pages_to_grid([first, tail])
    rows = grid_to_rows(grid)
    assert [r.texts for r in rows] == [["标题"], ["", "", "", "", ""], ["", "", "", "分值", "得分"],
                                       ["总分", "", "", "100", "98"]]
    total = [c for c in grid.cells if c.page == 2]
    assert [(c.col, c.colspan) for c in total] == [(0, 3), (3, 1), (4, 1)]
    assert rows[3].page_break_before and rows[3].index == 3
    assert all(c.text not in ("- 1 -", "2") for c in grid.cells)


def test_table_that_does_not_line_up_starts_its_own_columns() -> None:
    first = _page(1, [50, 150, 550], [100, 130], [frag("a", 60, 110, 70, 120)])
    other = _page(2, [80, 300, 500], [60, 90], [frag("b", 90, 70, 100, 80)])
    cells = pages_to_grid([first, other]).cells
    assert [(c.page, c.col, c.text) for c in cells] == [(1, 0, "a"), (1, 1, ""), (2, 0, "b"), (2, 1, "")]


def test_an_ocred_page_in_pixels_lines_up_with_a_text_page_in_points() -> None:
    first = _page(1, [50, 150, 250, 350, 450, 550], [100, 130], [frag("得分", 460, 110, 500, 120)])
    k = 200 / 72  # page 2 was rendered at 200 dpi: its boxes are pixels, scale converts them to points
    tail = _page(2, [x * k for x in (50, 350, 450, 550)], [60 * k, 90 * k],
                 [frag("总分", 60 * k, 70 * k, 100 * k, 80 * k), frag("98", 460 * k, 70 * k, 480 * k, 80 * k)])
    tail.width, tail.scale = 600 * k, 1 / k
    cells = pages_to_grid([first, tail]).cells
    assert [(c.col, c.colspan, c.text) for c in cells if c.page == 2] == [(0, 3, "总分"), (3, 1, ""), (4, 1, "98")]
    assert next(c for c in cells if c.text == "98").bbox == pytest.approx((450, 60, 550, 90))


def _ruled(page: int, xs: list[float], ys: list[float], frags: list[Fragment]) -> PageContent:
    """A page whose table is ruled all round, at both sides of a page break too (Word, LibreOffice)."""
    content = _page(page, xs, ys, frags)
    assert not content.tables[0].open_top and not content.tables[0].open_bottom
    return content


def test_a_row_split_over_pages_and_ruled_at_both_parts_is_rejoined() -> None:
    xs = [50, 150, 250, 350, 450]
    # Page 1 ends with a full table whose last row holds a name's first line and its values.
    first = _ruled(1, xs, [600, 700, 760], [frag("名称", 60, 620, 100, 630), frag("培训", 60, 710, 100, 720),
                                            frag(">=", 160, 710, 180, 720), frag("10", 260, 710, 280, 720),
                                            frag("3", 360, 710, 370, 720)])
    # Page 2 starts with the rest of that row (the name's second line), then a whole row.
    second = _ruled(2, xs, [60, 80, 120], [frag("人次", 60, 65, 100, 75), frag("合格率", 60, 90, 110, 100),
                                          frag("=", 160, 90, 170, 100), frag("100%", 260, 90, 300, 100),
                                          frag("2", 360, 90, 370, 100)])
    rows = grid_to_rows(pages_to_grid([first, second]))
    assert [r.texts[0] for r in rows] == ["名称", "培训人次", "合格率"]
    assert rows[1].texts == ["培训人次", ">=", "10", "3"]


def test_a_whole_row_overleaf_is_not_joined_to_the_last_row() -> None:
    xs = [50, 150, 250, 350, 450]
    first = _ruled(1, xs, [600, 700, 760], [frag("名称", 60, 620, 100, 630), frag("培训人次", 60, 710, 120, 720),
                                            frag("10", 260, 710, 280, 720), frag("3", 360, 710, 370, 720)])
    second = _ruled(2, xs, [60, 80], [frag("合格率", 60, 65, 110, 75), frag("100%", 260, 65, 300, 75),
                                     frag("2", 360, 65, 370, 75)])
    rows = grid_to_rows(pages_to_grid([first, second]))
    assert [r.texts[0] for r in rows] == ["名称", "培训人次", "合格率"]


def test_a_table_ending_mid_page_is_never_joined_to_the_next_page() -> None:
    xs = [50, 150, 250, 350, 450]
    first = _ruled(1, xs, [100, 200, 260], [frag("培训", 60, 210, 100, 220), frag(">=", 160, 210, 180, 220),
                                            frag("10", 260, 210, 280, 220), frag("3", 360, 210, 370, 220)])
    second = _ruled(2, xs, [60, 80], [frag("人次", 60, 65, 100, 75)])
    rows = grid_to_rows(pages_to_grid([first, second]))
    assert [r.texts[0] for r in rows] == ["", "培训", "人次"]


def test_a_split_row_whose_texts_wrapped_in_most_columns_is_rejoined() -> None:
    # Word's equal columns wrap every text to a few characters a line: the part overleaf holds the rest of
    # the names and targets (4 of the 6 columns filled above), but no number: 分值 and 得分 fit on line one.
    xs = [50, 150, 250, 350, 450, 550, 650]
    first = _ruled(1, xs, [600, 700, 760], [frag("名称", 60, 620, 100, 630), frag("可持续", 60, 710, 100, 720),
                                            frag("长效管", 160, 710, 200, 720), frag("健全有", 260, 710, 300, 720),
                                            frag("健全有", 360, 710, 400, 720), frag("4", 460, 710, 470, 720),
                                            frag("4", 560, 710, 570, 720)])
    second = _ruled(2, xs, [60, 80, 120], [frag("影响", 60, 65, 100, 75), frag("理机制", 160, 65, 200, 75),
                                          frag("效", 260, 65, 280, 75), frag("效", 360, 65, 380, 75),
                                          frag("合格率", 160, 90, 200, 100), frag("=", 260, 90, 270, 100),
                                          frag("100%", 360, 90, 400, 100), frag("2", 460, 90, 470, 100),
                                          frag("2", 560, 90, 570, 100)])
    rows = grid_to_rows(pages_to_grid([first, second]))
    assert [r.texts[1] for r in rows] == ["", "长效管理机制", "合格率"]
    assert rows[1].texts[2:] == ["健全有效", "健全有效", "4", "4"]
    # The same overflow with a number of its own below is a whole row, not the rest of the one above.
    second.fragments.append(frag("3", 460, 65, 470, 75))
    rows = grid_to_rows(pages_to_grid([first, second]))
    assert [r.texts[1] for r in rows] == ["", "长效管", "理机制", "合格率"]
