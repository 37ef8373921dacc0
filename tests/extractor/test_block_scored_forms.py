"""区域绩效目标自评表 (a transfer payment's regional form) and its kin, as text dumps made up here:
the total row's funds printed as label/value pairs, a right-hand 自评得分 column that scores each block,
the two goal cells numbered alike, rows printed without values, and breakdown rows (其中…) without
points. Each through the whole text route, the readings chosen by the form's arithmetic."""

from __future__ import annotations

from decimal import Decimal

from extractor.form.vocabulary import split_goal_items
from extractor.pipeline import extract_bytes


def _cells_per_line(*cells: str) -> bytes:
    """One cell per line with a blank line between, as a web page's text of a table."""
    return "\n\n".join(cells).encode("utf-8")


GOALS = ("目标1:完成渠道清淤。", "目标1:完成渠道清淤。", "目标2:修复泵站两座。", "目标2:修复泵站一座。")
ROWS = (("数量指标", "指标1:清淤长度", ">=12公里", "12公里", "10"),
        (None, "指标2:泵站修复数", "2座", "1座", "6"),
        ("时效指标", "指标1:完工时间", "2023年11月", "2023年11月", "10"))


def _block_scored_form() -> bytes:
    cells = ["农田水利补助资金区域绩效目标自评表", "专项名称", "农田水利补助资金", "中央主管部门", "水利部",
             "自评得分", "省级财政部门", "某省财政厅", "省级主管部门", "某省水利厅", "86",
             "预算执行情况", "预算数:", "50", "执行数:", "40", "16",
             "年度目标完成情况", "预期目标", "目标实际完成情况", "18", *GOALS,
             "年度绩效指标完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成指标值", "26",
             "产出指标"]
    for level2, name, target, actual, score in ROWS:
        cells += [c for c in (level2, name, target, actual, score) if c]
    return _cells_per_line(*cells, "效益指标", "指标1:受")  # cut inside the next row's name


def test_block_scores_funds_pairs_and_goal_pairs_are_read_in_place() -> None:
    [form] = extract_bytes(_block_scored_form(), "form.txt").forms
    assert (form.project_name, form.department) == ("农田水利补助资金", "某省水利厅")  # the province's, after the ministry
    total = form.funds.total
    assert (total.annual_budget, total.executed, total.score) == (50, 40, 16)
    assert form.total.score == 86 and form.total.weight is None  # 自评得分 prints the score, not the points
    assert [(i.level2, i.target, i.actual, i.weight, i.score) for i in form.indicators] == [
        ("数量指标", ">=12公里", "12公里", None, Decimal(10)),
        ("数量指标", "2座", "1座", None, Decimal(6)),
        ("时效指标", "2023年11月", "2023年11月", None, Decimal(10))]
    assert form.goals.expected == "目标1:完成渠道清淤。目标2:修复泵站两座。"
    assert form.goals.actual == "目标1:完成渠道清淤。目标2:修复泵站一座。"
    codes = {i.code for i in form.issues}
    assert "scored_by_block" in codes
    # No 分值 column: no row is missing a weight, and the 总分 (which holds the goals' 18) is not summed.
    assert not [i for i in form.issues if i.code == "missing_field" and (i.field or "").endswith(".weight")]
    assert "scores_do_not_sum" not in codes


def test_without_a_block_score_column_the_number_after_the_pairs_is_said() -> None:
    text = _block_scored_form().decode().replace("自评得分\n\n", "")
    [form] = extract_bytes(text.encode(), "form.txt").forms
    assert form.funds.total.score is None  # no 自评得分 column: 16 belongs to no cell that is known
    assert "scored_by_block" not in {i.code for i in form.issues}


def test_two_fund_cells_a_line_and_numbered_rows_printed_empty() -> None:
    text = """某补助资金区域绩效目标自评表
单位名称 某县水利局 联系人及电话 某某,12345678
预算
执行
情况
(万元)
 转移支付预算数(A) 8.4万 预算执行率(B/A) 75%
 转移支付执行数(B) 6.3万
预期目标 目标实际完成情况

 目标1:完成渠道清淤
 目标2:修复泵站

 目标1:完成渠道清淤12公里
 目标2:修复泵站1座

一级指标 二级指标 三级指标 指标值 完成值
数量指标 指标1.清淤长度 ≥12 12
指标2.泵站修复数
指标3.堰塘整治数 ≥5 5
质量指标 指标1.验收合格率 100% 100%
"""
    [form] = extract_bytes(text.encode(), "form.txt").forms
    # No 主管部门 and no project: the 单位名称 that files the regional form is its department.
    assert (form.project_name, form.department, form.implementing_unit) == (None, "某县水利局", None)
    total = form.funds.total
    assert (total.annual_budget, total.executed, total.execution_rate) == (Decimal("8.4"), Decimal("6.3"), 75)
    assert form.goals.expected == "目标1:完成渠道清淤目标2:修复泵站"
    assert form.goals.actual == "目标1:完成渠道清淤12公里目标2:修复泵站1座"
    rows = [(i.level3, i.target, i.actual) for i in form.indicators]
    # 指标2 prints no values: its own row, not the first half of 指标3's name.
    assert rows == [("指标1.清淤长度", ">=12", "12"), ("指标2.泵站修复数", None, None), ("指标3.堰塘整治数", ">=5", "5"),
                    ("指标1.验收合格率", "100%", "100%")]  # a numbered list (指标1.) kept as printed


def test_breakdown_rows_without_points_are_no_missing_fields() -> None:
    text = """项目支出绩效自评表
项目名称\t果蔬种植补助
主管部门\t某县农业局\t实施单位\t某镇政府
一级指标\t二级指标\t三级指标\t分值\t年度指标值\t实际完成值\t得分
产出指标\t数量指标\t补助种植面积\t40\t10亩\t10亩\t40
\t\t其中桃树\t\t4亩\t4亩\t
\t\t其中苹果树\t\t6亩\t6亩\t
\t质量指标\t成活率\t60\t95%\t96%\t60
总分\t\t\t100\t\t\t100
"""
    [form] = extract_bytes(text.encode(), "form.txt").forms
    assert [(i.level3, i.weight) for i in form.indicators] == [
        ("补助种植面积", 40), ("其中桃树", None), ("其中苹果树", None), ("成活率", 60)]
    assert not [i for i in form.issues if i.code == "missing_field"]
    assert not [i for i in form.issues if i.severity == "error"]


def test_goal_items_part_row_by_row_or_cell_by_cell() -> None:
    assert split_goal_items(["目标1:甲", "目标1:甲。", "目标2:乙", "目标2:乙。"]) == ([0, 2], [1, 3])
    assert split_goal_items(["1.甲", "2.乙", "1.甲完成", "2.乙完成"]) == ([0, 1], [2, 3])
    assert split_goal_items(["目标1:甲", "目标2:乙", "1.甲完成", "2.乙完成"]) == ([0, 1], [2, 3])  # marks differ, numbers restart
    assert split_goal_items(["甲", "乙"]) is None  # no numbering: nothing to go by
    assert split_goal_items(["目标2:乙", "目标2:乙"]) is None  # numbering that does not start at 1
