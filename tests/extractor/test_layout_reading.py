"""extractor.layout: rows rebuilt from text laid out by position (pdftotext -layout)."""

from __future__ import annotations

from extractor.layout import Piece, layout_rows, line_to_pieces

HEADER = "一级指标    二级指标    三级指标        分值    年度指标值    实际完成值    得分"


def test_pieces_part_at_two_spaces_and_at_crowded_cjk():
    pieces = line_to_pieces("项目名称   基层医疗  年度指标值 实际完成值  (2021 年度)", 3)
    assert [p.text for p in pieces] == ["项目名称", "基层医疗", "年度指标值", "实际完成值", "(2021 年度)"]
    assert pieces[0] == Piece(3, 0, 4, "项目名称")


def test_wrapped_cells_join_their_row_and_a_centred_label_heads_its_span():
    x = {"l1": 0, "l2": 12, "name": 24, "weight": 40, "target": 48, "actual": 62, "score": 76}
    lines = [
        HEADER,
        " " * x["name"] + "受益人数计划完",                      # the name's first line, above its row
        " " * x["weight"] + "14      =100%         100%          14",
        " " * x["name"] + "成率",                                # and its rest below
        " " * x["l2"] + "数量指标",                               # a merged label between the rows it spans
        " " * x["name"] + "抽检批次覆盖率  7       >=95%         100%          7",
        " " * x["l1"] + "产出指标" + " " * 8 + "质量指标" + " " * 8 + "达标情况        11      达标          达标          11",
    ]
    rows = [cells for _page, cells in layout_rows("\n".join(lines))]
    assert rows[0][:3] == ["一级指标", "二级指标", "三级指标"]
    assert rows[1][-5:] == ["受益人数计划完成率", "14", "=100%", "100%", "14"]
    assert "数量指标" in rows[1]  # the label heads the first row of its span
    assert rows[2] == ["抽检批次覆盖率", "7", ">=95%", "100%", "7"]
    # 产出指标 is the only level-1 label: it spans every row, so it heads the first; 质量指标 the last.
    assert rows[1][:2] == ["产出指标", "数量指标"]
    assert rows[3][:2] == ["质量指标", "达标情况"]


def test_a_table_goes_on_over_a_page_break():
    page1 = "\n".join([HEADER, " " * 24 + "项目完成率      5       及时          及时          5"])
    page2 = " " * 24 + "资金到位率      5       100%          100%          5\n"
    rows = layout_rows(page1 + "\f" + page2)
    assert [page for page, _ in rows] == [1, 1, 2]
    assert rows[2][1] == ["资金到位率", "5", "100%", "100%", "5"]
