"""Reconciliation rules, each on a small form built to exercise it (tab-separated, `\\t` = cell)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tests.extractor.conftest import forms_from_tsv

HEAD = """财政项目支出绩效自评表
(2022年度)
项目名称\t道路养护
主管部门\t某区建设局\t\t\t实施单位\t某区养护所
项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分
\t年度资金总额\t1,200.00\t1000\t950\t10\t95.00%\t9.5
\t其中：当年财政拨款\t1200\t1000\t950\t—\t\t
\t上年结转资金\t0\t0\t0\t—\t\t
\t其他资金\t\t\t\t—\t\t
年度总体目标\t预期目标\t\t\t实际完成情况
\t完成道路养护。\t\t\t基本完成。
"""
INDICATOR_HEADER = "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"


def levels(form):
    return [(i.level1, i.level2, i.level3) for i in form.indicators]


def test_header_fields_funds_goals_and_total() -> None:
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + """产出指标\t数量指标\t养护里程\t>=10公里\t12公里\t90\t90\t
总分\t\t\t\t\t100\t99.5\t""")
    assert (form.title, form.year, form.project_name) == ("财政项目支出绩效自评表", 2022, "道路养护")
    assert (form.department, form.implementing_unit, form.amount_unit) == ("某区建设局", "某区养护所", "万元")
    total = form.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (Decimal("1200.00"), 1000, 950)
    assert (total.weight, total.execution_rate, total.score) == (10, Decimal("95.00"), Decimal("9.5"))
    assert form.funds.appropriation.weight is None  # a dash is no value
    assert form.funds.other.initial_budget is None
    assert (form.goals.expected, form.goals.actual) == ("完成道路养护。", "基本完成。")
    assert (form.total.weight, form.total.score) == (100, Decimal("99.5"))


def test_merged_labels_fill_down_and_rows_before_a_label_take_it() -> None:
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + """\t\t甲\t=1\t1\t10\t10\t
\t数量指标\t乙\t=1\t1\t10\t10\t
\t\t丙\t=1\t1\t10\t10\t

\t\t丁\t及时\t及时\t10\t10\t
绩效指标\t效益指标\t社会效益指标\t戊\t提升\t提升\t50\t50
总分\t\t\t\t\t100\t100""")
    assert levels(form) == [("产出指标", "数量指标", "甲"), ("产出指标", "数量指标", "乙"),
                            ("产出指标", "数量指标", "丙"), ("产出指标", "数量指标", "丁"),
                            ("效益指标", "社会效益指标", "戊")]
    assert not [i for i in form.issues if i.severity == "error"]


def test_level1_from_taxonomy_when_labels_sit_in_wrong_columns_or_header() -> None:
    [form] = forms_from_tsv(HEAD + "产出指标\t" + INDICATOR_HEADER + """\t\t质量指标\t合格率\t=100%\t100%\t20\t20\t
\t经济效益指标\t\t收入增加\t增加\t增加\t20\t20
\t质量指标\t满意度指标\t服务对象满意度指标\t群众满意度\t>=90%\t95%\t50\t50
总分\t\t\t\t\t100\t100""")
    assert levels(form) == [("产出指标", "质量指标", "合格率"), ("效益指标", "经济效益指标", "收入增加"),
                            ("满意度指标", "服务对象满意度指标", "群众满意度")]


def test_cost_template_old_and_new() -> None:
    old = forms_from_tsv(HEAD + INDICATOR_HEADER + """产出指标\t成本指标\t预算控制率\t<=100%\t95%\t90\t90\t
总分\t\t\t\t\t100\t100""")[0]
    new = forms_from_tsv(HEAD + INDICATOR_HEADER + """成本指标\t经济成本指标\t单位成本\t<=5元\t4元\t45\t45\t
\t社会成本指标\t社会影响\t无\t无\t45\t45\t
总分\t\t\t\t\t100\t100""")[0]
    assert levels(old) == [("产出指标", "成本指标", "预算控制率")]
    assert levels(new) == [("成本指标", "经济成本指标", "单位成本"), ("成本指标", "社会成本指标", "社会影响")]


def test_columns_found_from_the_header_in_any_order_and_split_targets_joined() -> None:
    header = "一级指标\t二级指标\t三级指标\t分值\t指标性质\t指标值\t度量单位\t实际完成值\t得分\n"
    [form] = forms_from_tsv(HEAD + header + """产出指标(50分)\t数量指标\t培训人次\t45\t≧\t735\t人次\t800人次\t45
(40分)\t时效指标\t办结时限\t45\t≤\t5\t天\t4天\t45
总分\t\t\t90\t\t\t\t\t90""")
    first, second = form.indicators
    assert (first.level1, first.target, first.actual, first.weight, first.score) == \
        ("产出指标", ">=735人次", "800人次", 45, 45)
    assert (second.level3, second.target, second.weight) == ("办结时限", "<=5天", 45)


def test_missing_columns_leave_fields_empty() -> None:
    funds_without_initial = HEAD.replace("年初预算数\t", "").replace("\t1,200.00\t", "\t").replace(
        "\t1200\t1000", "\t1000").replace("\t0\t0\t0\t", "\t0\t0\t")
    [form] = forms_from_tsv(funds_without_initial + INDICATOR_HEADER + """产出指标\t数量指标\t里程\t10\t10\t90\t90
总分\t\t\t\t\t100\t100""")
    assert form.funds.total.initial_budget is None
    assert (form.funds.total.annual_budget, form.funds.total.executed) == (1000, 950)


def test_name_split_over_page_break_joined_and_page_number_dropped() -> None:
    [form] = forms_from_tsv(HEAD.replace("\t其他资金\t\t\t\t—", "\t其他资金\t\t\t-3\t—") + INDICATOR_HEADER + """产出指标\t数量指标\t长效管理机制健全且有\t\t\t\t
\n\t\t效执行情况\t健全\t健全\t90\t90
总分\t\t\t\t\t100\t100""")
    assert [i.level3 for i in form.indicators] == ["长效管理机制健全且有效执行情况"]
    assert form.funds.other.executed is None
    codes = {i.code for i in form.issues}
    assert {"page_number_dropped", "name_joined"} <= codes


def test_placeholder_rows_skipped_and_numbering_removed() -> None:
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + """产出指标\t数量指标\t指标1：养护里程\t10\t10\t90\t90
\t\t指标2\t\t\t\t
\t\t……\t\t\t\t
总分\t\t\t\t\t100\t100""")
    assert [i.level3 for i in form.indicators] == ["养护里程"]


def test_latex_and_full_width_operators_normalised() -> None:
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + """产出指标\t质量指标\t达标率\t$\\geq 85\\%$\t90%\t30\t30
\t\t满意率\t＞90％\t95%\t30\t30
\t\t偏差率\t≦5%\t0%\t30\t30
总分\t\t\t\t\t100\t100""")
    assert [i.target for i in form.indicators] == [">=85%", ">90%", "<=5%"]


def test_two_forms_with_preamble_and_footnotes() -> None:
    body = HEAD + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n总分\t\t\t\t\t100\t100\n"
    text = "关于印发2022年绩效自评结果的通知\n附件1\n" + body + "填报人：张三\t联系电话：123\n" + \
        body.replace("道路养护", "桥梁养护") + "注：本表金额单位为万元。\n"
    forms = forms_from_tsv(text)
    assert [f.project_name for f in forms] == ["道路养护", "桥梁养护"]
    assert all(len(f.indicators) == 1 for f in forms)


def test_amount_suffix_wan_in_a_yuan_form_converted_with_warning() -> None:
    text = HEAD.replace("项目资金（万元）", "项目资金（元）").replace("\t1,200.00\t", "\t120万\t")
    [form] = forms_from_tsv(text + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n总分\t\t\t\t\t100\t100")
    assert form.funds.total.initial_budget == Decimal("1200000")
    assert any(i.code == "amount_converted" for i in form.issues)


def test_unit_line_rate_header_variant_and_total_named_heji() -> None:
    text = HEAD.replace("项目资金（万元）", "单位：万元\n项目资金").replace("\t执行率\t", "\t预算执行率\t")
    [form] = forms_from_tsv(text + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n合计\t\t\t\t\t100\t99.5")
    assert form.amount_unit == "万元"
    assert form.funds.total.execution_rate == Decimal("95.00")
    assert (form.total.weight, form.total.score) == (100, Decimal("99.5"))


def test_printed_block_weight_is_checked_against_its_indicators() -> None:
    rows = """产出指标(60分)\t数量指标\t里程\t10\t10\t30\t30
\t质量指标\t合格率\t100%\t100%\t30\t30
效益指标(30分)\t社会效益指标\t投诉\t0\t0\t{weight}\t{weight}
总分\t\t\t\t\t100\t100"""
    [sound] = forms_from_tsv(HEAD + INDICATOR_HEADER + rows.format(weight=30))
    [broken] = forms_from_tsv(HEAD + INDICATOR_HEADER + rows.format(weight=25))
    assert not [i for i in sound.issues if i.code == "block_weight_mismatch"]
    [issue] = [i for i in broken.issues if i.code == "block_weight_mismatch"]
    assert "效益指标" in issue.message and "25" in issue.message


def _html_form(table_rows: list[str]) -> str:
    head = ("<p>财政项目支出绩效自评表</p><table><tr><td>项目名称</td><td>道路养护</td></tr>"
            "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>年度指标值</td><td>实际完成值</td>"
            "<td>分值</td><td>得分</td></tr>")
    return head + "</table><table>".join(table_rows) + "<tr><td>总分</td><td></td><td></td><td></td><td></td>" \
        "<td>100</td><td>100</td></tr></table>"


def test_a_merged_label_cut_by_a_page_break_is_read_from_the_part_that_holds_it() -> None:
    from extractor.reconcile import grid_to_forms
    from extractor.routes.html import html_to_grid

    rows = lambda n, w: "".join(f"<tr><td>名称{n}{k}</td><td>=1</td><td>1</td><td>{w}</td><td>{w}</td></tr>" for k in range(2))  # noqa: E731
    page1 = ("<tr><td rowspan=4>产出指标</td><td rowspan=2>数量指标</td>" + rows("甲", 10)[4:]
             + "<tr><td rowspan=2></td>" + rows("乙", 10)[4:])  # 质量指标's upper part: empty
    page2 = "<tr><td rowspan=2>产出指标</td><td rowspan=2>质量指标</td>" + rows("丙", 10)[4:]
    page3 = "<tr><td rowspan=2></td><td rowspan=2></td>" + rows("丁", 15)[4:]  # 质量指标's lower part: empty
    html = _html_form([page1, page2, page3]).replace("<tr><tr>", "<tr>")
    [form] = grid_to_forms(html_to_grid(html))
    assert [(i.level2, i.level3) for i in form.indicators] == [
        ("数量指标", "名称甲0"), ("数量指标", "名称甲1"), ("质量指标", "名称乙0"), ("质量指标", "名称乙1"),
        ("质量指标", "名称丙0"), ("质量指标", "名称丙1"), ("质量指标", "名称丁0"), ("质量指标", "名称丁1")]


def test_a_page_number_swallowed_by_a_goal_text_is_dropped() -> None:
    text = HEAD.replace("\t完成道路养护。\t\t\t基本完成。", "\t完成道路养护。\t\t\t基本完成。- 18 -")
    [form] = forms_from_tsv(text + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n总分\t\t\t\t\t100\t100")
    assert form.goals.actual == "基本完成。"
    assert any(i.code == "page_number_dropped" and i.field == "goals.actual" for i in form.issues)


def test_misprinted_thousands_separators_are_repaired_with_a_warning_and_junk_is_never_dropped_silently() -> None:
    text = HEAD.replace("\t1,200.00\t1000\t950\t", "\t1.200,00\t1000\t95O\t")  # a point for a comma; O for 0
    [form] = forms_from_tsv(text + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n总分\t\t\t\t\t100\t100")
    assert form.funds.total.initial_budget == Decimal("1200.00")
    assert form.funds.total.executed is None
    fields = {(i.code, i.field) for i in form.issues}
    assert ("amount_repaired", "funds.total.initial_budget") in fields
    assert ("value_unread", "funds.total.executed") in fields


def test_one_ocr_slip_in_a_key_or_a_header_word_is_tolerated() -> None:
    text = HEAD.replace("项目名称\t", "项日名称\t").replace("主管部门\t", "主管官部门\t")
    header = INDICATOR_HEADER.replace("年度指标值", "年度指标示值")
    [form] = forms_from_tsv(text + header + "产出指标\t数量指标\t里程\t>=10公里\t12公里\t90\t90\n总分\t\t\t\t\t100\t100")
    assert (form.project_name, form.department) == ("道路养护", "某区建设局")
    assert (form.indicators[0].target, form.indicators[0].actual) == (">=10公里", "12公里")


def _scanned_rows(text: str):
    from extractor.grid import grid_to_rows, rows_from_texts

    grid = rows_from_texts(((1, line.split("\t")) for line in text.strip("\n").split("\n")), source="ocr")
    return grid_to_rows(grid)


def test_a_key_ocr_misread_two_characters_off_names_its_empty_field() -> None:
    from extractor.reconcile import run_to_form

    text = HEAD.replace("主管部门", "主营郴门") + INDICATOR_HEADER + "产出指标\t数量指标\t养护里程\t>=10公里\t12公里\t90\t90\t\n"
    form = run_to_form(_scanned_rows(text))
    assert form.department is None
    assert [(i.code, i.field) for i in form.issues if i.code == "key_unread"] == [("key_unread", "department")]
    # The same key read right, or printed text (a template's own 项目类别 row), raises nothing.
    assert not [i for i in run_to_form(_scanned_rows(HEAD + INDICATOR_HEADER)).issues if i.code == "key_unread"]
    [printed] = forms_from_tsv(HEAD.replace("主管部门", "主营郴门") + INDICATOR_HEADER)
    assert not [i for i in printed.issues if i.code == "key_unread"]


def test_a_fund_row_none_of_whose_cells_fits_is_said_not_left_empty_quietly() -> None:
    text = HEAD.replace("\t上年结转资金\t0\t0\t0\t—\t\t", "\t上年结转资金\to\to\t\t\t\t")  # zeros read as letters
    [form] = forms_from_tsv(text + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n总分\t\t\t\t\t100\t100")
    assert form.funds.carryover.initial_budget is None and form.funds.carryover.annual_budget is None
    unread = {i.field for i in form.issues if i.code == "value_unread"}
    assert {"funds.carryover.initial_budget", "funds.carryover.annual_budget"} <= unread
    [sound] = forms_from_tsv(HEAD + INDICATOR_HEADER + "产出指标\t数量指标\t里程\t10\t10\t90\t90\n总分\t\t\t\t\t100\t100")
    assert not [i for i in sound.issues if i.code == "value_unread"]  # 其他资金's dash is no unread value


def test_a_label_cut_by_a_page_break_takes_its_rest_overleaf() -> None:
    from extractor.grid import rows_from_texts
    from extractor.reconcile import grid_to_forms

    # A spreadsheet's merged 时效 | 指标 cell cut at the page: its first line above the break, the rest
    # overleaf beside the block's next row. The block is 时效指标 on both sides of the break.
    head = [(1, line.split("\t")) for line in (HEAD + INDICATOR_HEADER).strip("\n").split("\n")]
    body = [(1, ["产出指标", "数量指标", "甲", "=1", "1", "10", "10", ""]),
            (1, ["", "时效", "乙", "及时", "及时", "10", "10", ""]),
            (2, ["", "指标", "丙", "及时", "及时", "10", "10", ""]),
            (2, ["总分", "", "", "", "", "100", "100", ""])]
    grid = rows_from_texts(head + body, source="ocr")
    # Drawn cells: each in its column's box (a scan's rows are read by the header's columns).
    grid.cells = [replace(c, bbox=(100.0 * c.col, 20.0 * c.row, 100.0 * c.col + 90, 20.0 * c.row + 15))
                  for c in grid.cells]
    [form] = grid_to_forms(grid)
    assert levels(form) == [("产出指标", "数量指标", "甲"), ("产出指标", "时效指标", "乙"), ("产出指标", "时效指标", "丙")]


def test_a_dash_read_in_the_operator_column_beside_a_number_is_an_equals_sign_and_said() -> None:
    from extractor.grid import rows_from_texts
    from extractor.reconcile import grid_to_forms

    header = "一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
    head = [(1, line.split("\t")) for line in (HEAD + header).strip("\n").split("\n")]
    body = [(1, ["产出指标", "数量指标", "甲", "—", "100", "%", "100%", "10", "10", ""]),
            (1, ["", "", "乙", "", "及时", "", "及时", "10", "10", ""]),
            (1, ["总分", "", "", "", "", "", "", "100", "100", ""])]
    # Read by OCR: a typed dash is what the form printed, and stays.
    for source, want in (("ocr", "=100%"), ("text", "—100%")):
        grid = rows_from_texts(head + body, source=source)
        grid.cells = [replace(c, bbox=(100.0 * c.col, 20.0 * c.row, 100.0 * c.col + 90, 20.0 * c.row + 15))
                      for c in grid.cells]
        [form] = grid_to_forms(grid)
        assert [i.target for i in form.indicators] == [want, "及时"], source
        said = [(i.code, i.field) for i in form.issues if i.code == "doubtful_value"]
        assert (("doubtful_value", "indicators[0].target") in said) == (source == "ocr")


def test_total_numbers_cut_by_their_columns_are_read_again_by_the_forms_sums() -> None:
    rows = "产出指标\t数量指标\t养护里程\t>=10公里\t12公里\t90\t80.03\t\n"
    # 80.03 + the funds' 9.5 = 89.53: `89.5` then `3` alone is the score cut, not the page's number.
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + rows + "总分\t\t\t\t\t100\t89.5\t\n3")
    assert (form.total.weight, form.total.score) == (100, Decimal("89.53"))
    # `10` / `0` / `89.` / `53`: both numbers cut.
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + rows + "总分\t\t\t\t\t10\t\t\n0\n89.\n53")
    assert (form.total.weight, form.total.score) == (100, Decimal("89.53"))
    # A number after a score the sums already prove is no rest of it.
    [form] = forms_from_tsv(HEAD + INDICATOR_HEADER + rows + "总分\t\t\t\t\t100\t89.53\t\n2")
    assert (form.total.weight, form.total.score) == (100, Decimal("89.53"))
