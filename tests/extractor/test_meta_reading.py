"""The form's header fields read from what real pages print around them."""

from __future__ import annotations

from extractor.pipeline import extract_bytes

TABLE = [
    "项目名称 社区图书角运行维护",
    "主管部门 某区文化旅游局 实施单位 某区图书馆",
    "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分",
    "产出指标 数量指标 图书更新数量 ≥500册 520册 100 100",
    "总分 100 100",
]


def test_a_year_in_a_sentence_above_the_form_is_not_the_forms_year() -> None:
    dump = "\n".join(["社区图书角运行维护项目绩效目标自评表",
                      "评价结果将用于调整预算安排方式，并作为改进管理的重要参考。建议2024年度安排预算资金40万元。",
                      "(2023年度)", *TABLE])
    [form] = extract_bytes(dump.encode("utf-8"), filename="dump.txt").forms
    assert form.year == 2023


def test_local_department_wins_over_the_central_ministry() -> None:
    """A transfer-payment form prints 中央主管部门 then 地方主管部门: the form's 主管部门 is the local one,
    whichever order; a form with only the central key keeps it."""
    from extractor.pipeline import extract_bytes

    def department(*rows: str) -> str | None:
        text = "\n".join(["转移支付项目绩效目标自评表", "转移支付(项目)名称\t动物防疫补助", *rows, "资金使用单位\t市畜牧站",
                          "资金投入情况(万元)\t全年预算数\t全年执行数\t预算执行率", "年度资金总额\t390\t390\t100%"])
        return extract_bytes(text.encode(), "dump.txt").forms[0].department

    assert department("中央主管部门\t农业农村部", "地方主管部门\t省农业农村厅") == "省农业农村厅"
    assert department("地方主管部门\t省农业农村厅", "中央主管部门\t农业农村部") == "省农业农村厅"
    assert department("中央主管部门\t农业农村部") == "农业农村部"


def test_a_unit_line_after_an_empty_key_and_keys_run_into_a_value() -> None:
    """`主管部门(盖章):      单位:万元`: the key's own cell is blank, the table's unit follows it; a later
    主管部门 row gives the department. `某文化馆 项目负责人 田某 联系电话 …` read as one cell ends at 项目负责人."""
    from extractor.pipeline import extract_bytes

    text = "\n".join([
        "区级部门预算项目支出绩效自评表", "( 2019 年度)", "主管部门(盖章):                    单位:万元",
        "项目名称 图书采购 主管部门 某区文化和旅游局", "项目实施单位 某区文化馆 项目负责人 田某 联系电话 88880000",
        "项目资金 年初预算数 全年执行数 分值 执行率 得分", "年度资金总额 45 45 10 100% 10",
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分", "产出指标 数量指标 采购图书 1000册 1000册 90 90",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert (form.department, form.implementing_unit, form.amount_unit) == ("某区文化和旅游局", "某区文化馆", "万元")
