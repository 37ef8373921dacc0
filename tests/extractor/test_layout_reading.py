"""extractor.layout: rows rebuilt from text laid out by position (pdftotext -layout)."""

from __future__ import annotations

from pathlib import Path

from extractor.layout import Piece, layout_rows, line_to_pieces, page_to_rows

FIXTURES = Path(__file__).parent / "fixtures"

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


def test_pieces_part_at_wrapped_amounts_header_letters_and_a_target_operator():
    texts = [p.text for p in line_to_pieces("年度资金 241017213. 292142076. 292,142,0", 0)]
    assert texts == ["年度资金", "241017213.", "292142076.", "292,142,0"]
    assert [p.text for p in line_to_pieces("全年预算数(A 全年执行数", 0)] == ["全年预算数(A", "全年执行数"]
    assert [p.text for p in line_to_pieces("单位成本控制情况 <=80万元", 0)] == ["单位成本控制情况", "<=80万元"]


def test_a_narrow_performance_column_stays_apart_from_the_level1_labels():
    # pdftotext prints the vertical 绩效指标 cell two characters a line at x=0, the level-1 labels at x=3.
    x = {"l2": 13, "name": 24, "target": 44, "actual": 56, "weight": 66, "score": 71}

    def row(name: str, weight: int, lead: str = "") -> str:
        return (lead.ljust(x["name"]) + name.ljust(x["target"] - x["name"]) + ">=95%".ljust(12) + "100%".ljust(10)
                + str(weight).ljust(5) + str(weight))

    lines = [
        "一级指标     二级指标      三级指标            年度指标值  实际完成值  分值 得分",
        row("宣传活动数量", 10),
        row("巡查次数", 10, " " * x["l2"] + "数量指标"),
        row("设施维护数量", 10),
        "   产出指标(30",
        "绩效 分)     " + "质量指标",
        "指标" + " " * 20 + row("资金使用合规率", 10).lstrip(),
    ]
    lines[-1] = "指标".ljust(x["name"]) + row("资金使用合规率", 10)[x["name"]:]
    rows = [cells for _page, cells in layout_rows("\n".join(lines))]
    first = rows[1]
    assert first[0] == "绩效指标" and first[1] == "产出指标(30分)", first
    assert all("绩效" not in cell for r in rows[2:] for cell in r)


def test_a_page_ending_one_forms_table_and_starting_the_next_keeps_their_labels_apart():
    # pdftotext -layout of a generated PDF's second page: the last row and 总分 of one form, then the next form.
    text = (FIXTURES / "pdftotext-layout-two-forms-page.txt").read_text(encoding="utf-8")
    rows, _ = page_to_rows(text.split("\n"), "indicators")  # the page goes on with the last page's table

    def labels_of(name: str) -> list[str]:
        row = next(r for r in rows if name in r)
        return row[:row.index(name)]

    assert labels_of("学生家长满意度") == ["满意度指标", "服务对象满意度指标"]
    assert labels_of("培训人次覆盖率")[-2:] == ["产出指标", "数量指标"]
    assert ["总分", "100", "100"] in rows  # 总分 under the label column is the total row's cell


def test_the_line_with_a_rows_points_is_its_anchor_beside_a_fuller_line_of_name_and_target():
    # 运维成本控 / 制数 wrap above and below, so do the target and actual; 分值 and 得分 sit on the middle line.
    lines = [
        "三级指标          分值      年度指标值  实际完成值   得分    一级指标  二级指标",
        "运维成本控        " + " " * 10 + "<=1500".ljust(12) + "1490",
        " " * 18 + "2".ljust(10) + " " * 24 + "2",
        "制数              " + " " * 10 + "万元".ljust(12) + "万元",
        "",
        "居民生活质量      " + "30".ljust(10) + "增加".ljust(12) + "增加".ljust(13) + "30",
    ]
    rows = [cells for _page, cells in layout_rows("\n".join(lines))]
    assert ["运维成本控制数", "2", "<=1500万元", "1490万元", "2"] in rows, rows
    assert ["居民生活质量", "30", "增加", "增加", "30"] in rows


def test_two_goal_texts_run_together_on_a_crowded_line_part_at_the_second_columns_edge():
    # pdftotext -layout of a generated form: one space between the two texts on the first line.
    lines = [
        '                             预期目标                                          实际完成情况',
        '',
        ' 年度总体目标     通过实施基层医疗设备更新，1.资金使用合规达标率达到=100%；2. 全年完成情况：资金使用合规达标率为100%；',
        '            游客满意度达到>=95%；3.受益人数计划完成率达到>=95%；4.维修响 游客满意度为100%；受益人数计划完成率为100',
        '            应完成时限达到<=30天。                         %；维修响应完成时限为29天。',
        HEADER,
    ]
    rows = [cells for _page, cells in layout_rows("\n".join(lines))]
    goals = next(r for r in rows if r[0] == "年度总体目标")
    assert goals[1].endswith("维修响应完成时限达到<=30天。") and "全年完成情况" not in goals[1], goals
    assert goals[2].startswith("全年完成情况：") and goals[2].endswith("维修响应完成时限为29天。"), goals
