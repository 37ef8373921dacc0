"""Drawn tables read by the header's columns: a body cell's role is the header cell above it."""

from __future__ import annotations

from extractor.grid import Cell, Grid
from extractor.reconcile import grid_to_forms

HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
XS = [40, 70, 120, 170, 260, 320, 380, 420, 460, 560]  # the 绩效指标 column, then one per header


def _cell(row: int, col: int, text: str, rowspan: int = 1, page: int = 1) -> Cell:
    return Cell(page=page, row=row, col=col, text=text, rowspan=rowspan,
                bbox=(XS[col], 100 + 20 * row, XS[col + 1], 100 + 20 * (row + rowspan)), confidence=0.99,
                source="ocr")


def _form(label: str, rows: list[list[str]]) -> Grid:
    cells = [_cell(0, 0, "项目名称"), _cell(0, 1, "测试项目")]
    cells.append(_cell(1, 0, label, rowspan=len(rows) + 1))  # merged down the whole indicator block
    cells += [_cell(1, 1 + i, text) for i, text in enumerate(HEADER)]
    for r, texts in enumerate(rows, start=2):
        cells += [_cell(r, 1 + i, text) for i, text in enumerate(texts) if text]
    return Grid(cells=cells, pages=1)


ROWS = [["产出指标", "数量指标", "补贴审核完成率", "=100%", "100%", "5", "5", ""],
        ["", "", "培训人次", ">=300人次", "310人次", "l0", "10", ""],
        ["", "质量指标", "资金使用合规率", "=100%", "98%", "5", "4", "部分票据滞后"]]


def test_a_garbled_section_label_does_not_shift_the_rows() -> None:
    for label in ("绩效指标", "绩指标", "绩", "绩效措标"):
        form = grid_to_forms(_form(label, ROWS))[0]
        got = [(i.level2, i.level3, i.target, i.actual, i.deviation_note) for i in form.indicators]
        assert got == [("数量指标", "补贴审核完成率", "=100%", "100%", None),
                       ("数量指标", "培训人次", ">=300人次", "310人次", None),
                       ("质量指标", "资金使用合规率", "=100%", "98%", "部分票据滞后")], label
        assert [str(i.score) for i in form.indicators] == ["5", "10", "4"], label


def test_a_garbled_weight_stays_in_its_column() -> None:
    form = grid_to_forms(_form("绩", ROWS))[0]
    second = form.indicators[1]
    assert second.weight is None and second.actual == "310人次"  # l0 is not read as a number, nor moved
    assert any(i.code == "number_unparsed" for i in form.issues)


def test_the_header_between_op_and_unit_is_the_target_however_it_was_read() -> None:
    header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标", "度量单位", "实际完成值", "分值", "得分"]
    cells = [_cell(0, 0, "项目名称"), _cell(0, 1, "测试项目")]
    cells += [_cell(1, i, text) for i, text in enumerate(header)]
    cells += [_cell(2, i, text) for i, text in enumerate(
        ["产出指标", "数量指标", "培训人次", ">=", "300", "人次", "310人次", "5", "5"])]
    form = grid_to_forms(Grid(cells=cells, pages=1))[0]
    assert [(i.level3, i.target, i.actual) for i in form.indicators] == [("培训人次", ">=300人次", "310人次")]
