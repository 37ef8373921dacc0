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
