"""A table cut by a page break the way browsers print it: no rule at the cut, only the column rules
running to the end of each page's fragment. Drawn with reportlab so no browser is needed."""

from __future__ import annotations

import io

from reportlab.pdfgen import canvas

from extractor.grid import grid_to_rows
from extractor.options import ExtractOptions
from extractor.routes.pdf import read_pdf
from extractor.vision.segments import Segment, tables_from_segments
from samples.generate.pdf import register_fonts

FONT = "wqy-zenhei"
XS = [60.0, 200.0, 320.0, 380.0, 440.0]
ROW = 20.0


def _fragment(c: canvas.Canvas, top: float, rows: list[list[list[str]]], closed_top: bool, closed_bottom: bool,
              height: float = 800.0) -> None:
    """Rows of one-line texts per cell (a cell may hold several lines) between y=top and the rows' end;
    rules only where the flags say so, column rules always."""
    y = top
    bounds = [y]
    for row in rows:
        y += ROW * max(len(lines) for lines in row)
        bounds.append(y)
    for k, yy in enumerate(bounds):
        if (k > 0 or closed_top) and (k < len(bounds) - 1 or closed_bottom):
            c.line(XS[0], height - yy, XS[-1], height - yy)
    for x in XS:
        c.line(x, height - bounds[0], x, height - bounds[-1])
    for row, y0 in zip(rows, bounds, strict=False):
        for col, lines in enumerate(row):
            for k, line in enumerate(lines):
                c.drawString(XS[col] + 4, height - (y0 + ROW * k + 14), line)


def _two_pages(upper: list[list[list[str]]], lower: list[list[list[str]]]) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(500, 800))
    c.setFont(FONT, 10)
    header = [[["三级指标"], ["指标值"], ["分值"], ["得分"]]]
    _fragment(c, 600.0, header + upper, closed_top=True, closed_bottom=False)
    c.showPage()
    c.setFont(FONT, 10)
    _fragment(c, 40.0, lower, closed_top=False, closed_bottom=True)
    c.showPage()
    c.save()
    return buf.getvalue()


def _rows(pdf: bytes) -> list[list[str]]:
    out = read_pdf(pdf, ExtractOptions())
    return [[t.replace(" ", "") for t in r.texts] for r in grid_to_rows(out.grid)]


def test_row_cut_by_an_unruled_page_break_is_one_row() -> None:
    upper = [[["补贴资格审核完成率"], ["=100%"], ["3"], ["3"]], [["补贴金额发放"], [""], [""], [""]]]
    lower = [[["正确率"], ["=100%"], ["5"], ["5"]], [["项目验收及时性"], ["及时"], ["4"], ["4"]]]
    rows = _rows(_two_pages(upper, lower))
    assert rows == [["三级指标", "指标值", "分值", "得分"], ["补贴资格审核完成率", "=100%", "3", "3"],
                    ["补贴金额发放正确率", "=100%", "5", "5"], ["项目验收及时性", "及时", "4", "4"]]


def test_whole_rows_at_an_unruled_page_break_stay_apart() -> None:
    upper = [[["补贴资格审核完成率"], ["=100%"], ["3"], ["3"]]]
    lower = [[["补贴金额发放正确率"], ["=100%"], ["5"], ["5"]]]
    rows = _rows(_two_pages(upper, lower))
    assert rows[1:] == [["补贴资格审核完成率", "=100%", "3", "3"], ["补贴金额发放正确率", "=100%", "5", "5"]]


def test_column_rules_running_past_the_last_rule_close_the_fragment() -> None:
    # Top of a page: column rules from y=10, first drawn rule at y=30; the strip above is a row.
    hs = [Segment(30, 0, 300), Segment(50, 0, 300)]
    vs = [Segment(x, 10, 50) for x in (0, 100, 300)]
    (table,) = tables_from_segments(hs, vs, 2.0)
    assert table.ys == [10, 30, 50] and table.open_top and not table.open_bottom
    assert len([c for c in table.cells if c.row == 0]) == 2
    # One stray stroke past the rules implies nothing.
    (table,) = tables_from_segments(hs, [Segment(0, 10, 50), *(Segment(x, 30, 50) for x in (100, 300))], 2.0)
    assert table.ys == [30, 50] and not table.open_top
