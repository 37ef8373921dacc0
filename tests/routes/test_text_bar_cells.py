"""A web table turned into text a cell at a time (each cell's lines, then `|`; each row closed by a
line of bars), on a template whose funds' weight is printed in the block's label and whose total
cell prints the form's full points. Built by hand from an invented form."""

from __future__ import annotations

from decimal import Decimal

from extractor.pipeline import extract_bytes

ROWS = [
    ["项目名称", "社区图书角运行维护"],
    ["主管部门", "某区文化旅游局", "项目实施单位", "某区图书馆"],
    ["预算执行情况(万元)\n(20分)", "", "预算数(A)", "执行数(B)", "执行率(B/A)", "得分\n(20分*执行率)"],
    ["年度财政资金总额", "50.00", "40.00", "80%", "16"],
    ["年度绩效目标\n(80分)", "一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "得分"],
    ["产出指标(50分)", "数量指标", "图书更新数量", "≥500册", "520册", "30"],
    ["质量指标", "图书完好率", "≥95%", "96%", "20"],
    ["满意度指标(30分)", "服务对象满意度指标", "读者满意度", "≥90%", "95%", "30"],
    ["总分(100分)", "96", "自评等级", "优"],
]


def _dump() -> str:
    lines = ["某地2021年文化项目绩效自评", "2022年度项目支出绩效自评表", "单位名称:某区图书馆 填报日期:2023年3月20日"]
    for row in ROWS:
        for cell in row:
            lines.extend([*cell.split("\n"), "|"] if cell else ["|"])
        lines.append("|" * 4)
    lines.append("备注:预算数为调整后财政资金总额。")
    return "\n".join(lines)


def test_a_cell_at_a_time_dump_reads_whole() -> None:
    result = extract_bytes(_dump().encode("utf-8"), filename="dump.txt")
    assert result.source.reading == "bar-cells"
    [form] = result.forms
    assert form.year == 2022  # the form's 2022年度, not the page title's 2021年
    assert (form.project_name, form.department) == ("社区图书角运行维护", "某区文化旅游局")
    assert form.implementing_unit == "某区图书馆"  # 填报日期 after it in the same cell is cut off
    assert form.funds.total.weight == 20  # printed only in the block label (20分)
    assert form.funds.total.executed == Decimal("40.00")
    assert [(i.level1, i.level2, i.level3, i.score) for i in form.indicators] == [
        ("产出指标", "数量指标", "图书更新数量", 30), ("产出指标", "质量指标", "图书完好率", 20),
        ("满意度指标", "服务对象满意度指标", "读者满意度", 30)]
    assert (form.total.weight, form.total.score) == (100, 96)  # 总分(100分) | 96


def test_a_funds_header_without_the_rows_label_cell_leaves_the_amounts_to_their_grammar() -> None:
    # The header starts at 年初预算数 while every row starts with its label: positions are one off.
    dump = "\n".join([
        "项目支出绩效自评表", "项目名称 社区图书角运行维护", "主管部门 某区文化旅游局 实施单位 某区图书馆",
        "项目资金", "(万元)", "年初预算数 全年预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分",
        "年度资金总额: 100 100 100 10 100% 10",
        " 其中:本年财政拨款 100 100 100 - -",
        "    上年结转资金 - -",
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分",
        "产出指标 数量指标 图书更新数量 ≥500册 520册 90 90",
        "总分 100 100",
    ])
    [form] = extract_bytes(dump.encode("utf-8"), filename="dump.txt").forms
    appropriation = form.funds.appropriation
    assert (appropriation.initial_budget, appropriation.annual_budget, appropriation.executed) == (100, 100, 100)
    assert appropriation.weight is None
