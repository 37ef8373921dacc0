"""Whitespace-lost text cut back into cells: invented forms, each rule on its own."""

from __future__ import annotations

from extractor.pipeline import extract_bytes
from extractor.unspaced import split_unspaced

HEAD = "项目支出绩效自评表(2022年度)项目名称社区道路养护主管部门某区建设局实施单位某区养护所"


def _between(tokens: list[str], first: str, last: str) -> list[str]:
    return tokens[tokens.index(first):tokens.index(last)]


def test_a_lone_header_word_inside_a_name_or_a_goal_is_no_cut() -> None:
    text = (HEAD + "年度总体目标预期目标实际完成情况1.道路修补完成率达到>=95%。年度目标基本完成,道路修补完成率为100%。"
            "一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标数量指标道路修补完成率>=95%100%88总分10098")
    tokens = split_unspaced(text)
    assert "道路修补完成率" in tokens  # 完成率 is a header word only among headers
    assert "完成率" not in tokens
    rows = _between(tokens, "产出指标", "总分")
    assert rows == ["产出指标", "数量指标", "道路修补完成率", ">=95%", "100%", "8", "8"]


def test_fund_rows_are_cut_into_the_header_columns_by_their_arithmetic() -> None:
    text = (HEAD + "项目资金(万元)年初预算数全年预算数全年执行数分值执行率得分"
            "年度资金总额1,234.56782,000.00001,500.00001075.00%7.5"
            "其中:当年财政拨款1234.56782000.00001500.0000—上年结转资金0.00000.00000.0000—"
            "单位资金12.500012.500012.5000—其他资金—年度总体目标")
    tokens = split_unspaced(text)
    assert _between(tokens, "年度资金总额", "其中:当年财政拨款") == [
        "年度资金总额", "1,234.5678", "2,000.0000", "1,500.0000", "10", "75.00%", "7.5"]
    assert _between(tokens, "其中:当年财政拨款", "上年结转资金") == [
        "其中:当年财政拨款", "1234.5678", "2000.0000", "1500.0000", "—"]
    # four decimals throughout the form: not 0.000 | 00.000 | …
    assert _between(tokens, "上年结转资金", "单位资金") == ["上年结转资金", "0.0000", "0.0000", "0.0000", "—"]
    # a row the vocabulary does not name still starts its own row
    assert _between(tokens, "单位资金", "其他资金") == ["单位资金", "12.5000", "12.5000", "12.5000", "—"]


def test_a_fund_row_whose_cut_only_the_rate_decides() -> None:
    """`80.564.480%`: 80.5 | 64.4 (80 %) and not 80.56 | 4.4 or 8 | 0.564…; the score 8 = 10 × 80 %."""
    text = (HEAD + "项目资金(元)全年预算数全年执行数分值执行率得分年度资金总额80.564.41080%8年度总体目标")
    tokens = split_unspaced(text)
    assert _between(tokens, "年度资金总额", "年度总体目标") == ["年度资金总额", "80.5", "64.4", "10", "80%", "8"]


def test_rows_of_a_header_that_prints_the_weight_before_the_target() -> None:
    text = (HEAD + "一级指标二级指标三级指标分值年度指标值实际完成值得分偏差原因分析及改进措施"
            "产出指标数量指标维修路段数量20>=12处12处20质量指标路面修补合格率10>=95%90%8"
            "受雨季影响,合格率未达到预期。时效指标完工及时性10及时基本及时9总分10090")
    tokens = split_unspaced(text)
    assert _between(tokens, "产出指标", "总分") == [
        "产出指标", "数量指标", "维修路段数量", "20", ">=12处", "12处", "20",
        "质量指标", "路面修补合格率", "10", ">=95%", "90%", "8", "受雨季影响,合格率未达到预期。",
        "时效指标", "完工及时性", "10", "及时", "基本及时", "9"]


def test_a_note_after_the_points_is_not_the_next_name() -> None:
    text = (HEAD + "一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施"
            "产出指标数量指标培训人次>=300人次240人次108受天气影响,培训人次未达到预期。课程开设数量>=12门12门1010总分10098")
    tokens = split_unspaced(text)
    assert _between(tokens, "数量指标", "总分") == [
        "数量指标", "培训人次", ">=300人次", "240人次", "10", "8", "受天气影响,培训人次未达到预期。",
        "课程开设数量", ">=12门", "12门", "10", "10"]


def test_targets_and_actuals_in_words_are_told_from_the_name() -> None:
    text = (HEAD + "一级指标二级指标三级指标年度指标值实际完成值分值得分"
            "效益指标社会效益指标群众出行条件改善情况有效改善有所改善109"
            "路面养护质量符合要求达标1010安全隐患无无55总分10094")
    tokens = split_unspaced(text)
    assert _between(tokens, "社会效益指标", "总分") == [
        "社会效益指标", "群众出行条件改善情况", "有效改善", "有所改善", "10", "9",
        "路面养护质量", "符合要求", "达标", "10", "10", "安全隐患", "无", "无", "5", "5"]


def test_a_repeated_super_label_keeps_the_header_columns() -> None:
    """绩效指标 printed again after a page break, no header after it: the rows still have 分值/得分."""
    text = (HEAD + "绩效指标一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标数量指标路段数量>=10条10条55"
            "绩效指标产出指标时效指标完工及时性及时及时55总分10010")
    tokens = split_unspaced(text)
    assert _between(tokens, "时效指标", "总分") == ["时效指标", "完工及时性", "及时", "及时", "5", "5"]


def test_key_with_full_width_brackets_and_a_project_name_ending_in_xiangmu() -> None:
    text = ("部门整体支出绩效自评表(2022年度)部门（单位）名称某区文化局项目资金(元)全年预算数全年执行数"
            "项目支出绩效自评表(2022年度)项目名称社区养老服务项目主管部门某区民政局实施单位某区养老中心")
    tokens = split_unspaced(text)
    assert tokens[2:4] == ["部门（单位）名称", "某区文化局"]
    assert _between(tokens, "项目名称", "实施单位") == ["项目名称", "社区养老服务项目", "主管部门", "某区民政局"]


def test_a_block_label_and_a_total_label_with_the_money_kind_inside() -> None:
    text = ("项目支出绩效自评表项目名称档案保护经费主管部门某市档案局项目实施单位某市档案馆项目类别1、上级专项"
            "预算执行情况(万元)(20分)预算数(A)执行数(B)执行率(B/A)得分(20分*执行率)年度财政资金总额10万8万80%16"
            "年度绩效指标一级指标")
    tokens = split_unspaced(text)
    assert _between(tokens, "项目实施单位", "项目类别") == ["项目实施单位", "某市档案馆"]
    assert "得分(20分*执行率)" in tokens
    assert _between(tokens, "年度财政资金总额", "绩效指标")[:5] == ["年度财政资金总额", "10万", "8万", "80%", "16"]


def test_a_whole_unspaced_form_reads_into_its_fields() -> None:
    text = (HEAD + "项目资金(元)年初预算数全年预算数全年执行数分值执行率得分"
            "年度资金总额100,000.00100,000.0090,000.001090.00%9其中:当年财政拨款100000.00100000.0090000.00—"
            "年度总体目标预期目标实际完成情况完成道路养护十公里。完成道路养护九公里。"
            "一级指标二级指标三级指标分值年度指标值实际完成值得分偏差原因分析及改进措施"
            "产出指标数量指标养护里程50>=10公里9公里45资金不足,里程未达到预期。"
            "效益指标社会效益指标群众满意度40>=90%95%40总分10094")
    [form] = extract_bytes(text.encode("utf-8"), "dump.txt").forms
    total, appropriation = form.funds.total, form.funds.appropriation
    assert (str(total.executed), total.weight, total.execution_rate, total.score) == ("90000.00", 10, 90.0, 9)
    assert str(appropriation.executed) == "90000.00"
    first, second = form.indicators
    assert (first.level3, first.target, first.actual, first.weight, first.score) == ("养护里程", ">=10公里", "9公里", 50, 45)
    assert first.deviation_note == "资金不足,里程未达到预期。"
    assert (second.level1, second.level3, second.weight, second.score) == ("效益指标", "群众满意度", 40, 40)


def test_rows_one_a_line_with_their_gaps_lost_are_read_as_unspaced() -> None:
    """OCR of a table image: one row a line, the cells run together, a stray space in one label."""
    text = ("2023年度项目支出绩效自评表\n专项(项目)名称社区养老服务补助\n中央主管部门民政部\n"
            "自治区主管部门某自治区民政厅资金使用单位某市养老服务中心\n"
            "项目资金 (万元)全年预算数全年执行数执行率\n年度资金总额80万元72万元90.00%\n"
            "总体目标完成情况总体目标全年实际完成情况\n"
            "绩效指标一级指标二级指标三级指标年度指标值全年完成值未完成原因和改进措施\n"
            "产出指标数量指标服务老人人数≥500人520人\n质量指标服务满意率≥90%95%\n")
    result = extract_bytes(text.encode(), "ocr.txt")
    assert result.source.reading == "unspaced"
    form = result.forms[0]
    assert (form.project_name, form.department, form.implementing_unit) == (
        "社区养老服务补助", "某自治区民政厅", "某市养老服务中心")
    assert [(i.level3, i.target, i.actual) for i in form.indicators] == [
        ("服务老人人数", ">=500人", "520人"), ("服务满意率", ">=90%", "95%")]


POINTLESS_HEAD = (HEAD + "一级指标二级指标三级指标年度指标值全年完成值未完成原因和改进措施")


def test_a_page_title_glued_before_the_keys_is_a_title_of_its_own() -> None:
    """A site prints the page's title twice above an OCRed table whose spaces were lost: the title ends at
    自评表 and gives the form its year, the note after it is no part of it."""
    text = ("2021年某区养护中心道路养护支出自评表\n2021年某区养护中心道路养护支出自评表\n详情见附件(注:以下为图片识别)\n"
            "项目名称社区道路养护\n主管部门某区建设局\n实施单位某区养护所\n"
            "一级指标二级指标三级指标年度指标值实际完成值分值得分\n产出指标数量指标道路修补完成率>=95%100%88\n总分10098")
    tokens = split_unspaced(text)
    assert tokens[:3] == ["2021年某区养护中心道路养护支出自评表"] * 2 + ["详情见附件(注:以下为图片识别)"]
    form = extract_bytes(text.encode(), "dump.txt").forms[0]
    assert form.year == 2021
    assert form.title and form.title.endswith("自评表") and "详情" not in form.title


def test_fund_rows_by_level_of_government_are_rows_of_their_own() -> None:
    """`其中:中央财政补助` (补助 without 资金) and an empty `地方资金`: rows of funds.more, labelled without 其中;
    the same words inside a goal are no row."""
    text = ("项目支出绩效自评表(2022年度)\n项目名称社区道路养护\n主管部门某区建设局实施单位某区养护所\n"
            "项目资金(万元)全年预算数全年执行数执行率\n年度资金总额40万元3690.00%\n"
            "其中:中央财政补助40万元3690.00%\n地方资金\n其他资金\n"
            "年度总体目标预期目标实际完成情况\n争取地方资金支持,完成道路修补。已争取地方资金支持,完成道路修补。\n"
            "一级指标二级指标三级指标年度指标值全年完成值\n产出指标数量指标道路修补完成率100%100%")
    tokens = split_unspaced(text)
    assert _between(tokens, "其中:中央财政补助", "其他资金") == ["其中:中央财政补助", "40万元", "36", "90.00%", "地方资金"]
    assert not any(t == "地方资金" for t in tokens[tokens.index("年度总体目标"):])
    form = extract_bytes(text.encode(), "dump.txt").forms[0]
    central = next(row for row in form.funds.more if "中央" in row.label)
    assert central.label == "中央财政补助"
    assert (central.annual_budget, central.executed) == (40, 36)


def test_a_level_printed_twice_starts_the_name() -> None:
    text = POINTLESS_HEAD + "产出指标数量指标数量指标道路修补里程12公里12公里质量指标验收合格率100%100%"
    tokens = split_unspaced(text)
    # the second 数量指标 is the name cell's start, not a label: its text belongs to the row, kept as printed
    assert _between(tokens, "产出指标", "质量指标") == ["产出指标", "数量指标", "数量指标道路修补里程", "12公里", "12公里"]
    first = extract_bytes(text.encode(), "dump.txt").forms[0].indicators[0]
    assert (first.level2, first.level3, first.target, first.actual) == ("数量指标", "数量指标道路修补里程", "12公里", "12公里")


def test_a_target_against_an_earlier_year_takes_its_lead_from_the_name() -> None:
    """同比2021年… opens the target: the name ends before it, also in a row cut inside its target."""
    text = (POINTLESS_HEAD + "效益指标社会效益指标道路通行满意度同比2021年明显提高明显提高"
            "可持续影响指标道路养护长效机制同比2021年持续完")
    tokens = split_unspaced(text)
    assert _between(tokens, "社会效益指标", "可持续影响指标") == [
        "社会效益指标", "道路通行满意度", "同比2021年明显提高", "明显提高"]
    assert tokens[tokens.index("可持续影响指标"):] == ["可持续影响指标", "道路养护长效机制", "同比2021年持续完"]


def test_a_target_with_its_unit_and_the_words_that_say_it_was_done() -> None:
    text = POINTLESS_HEAD + "产出指标时效指标完工时间11月已完成成本指标养护成本<=40万元36万元"
    tokens = split_unspaced(text)
    assert _between(tokens, "时效指标", "成本指标") == ["时效指标", "完工时间", "11月", "已完成"]


def test_goal_items_numbered_with_a_colon_run_on_to_a_cut_last_item() -> None:
    """`1:…。2:…。3:…` cut inside item 3: the numbering never restarts, so it is all the first cell's
    (the expected goal), not two texts parted at the last full stop."""
    text = (HEAD + "年度总体目标预期目标实际完成情况1:道路修补完成率达到95%。2:路灯完好率达到98%o3:完成主干道"
            "一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标数量指标道路修补完成率>=95%100%88")
    tokens = split_unspaced(text)
    assert _between(tokens, "实际完成情况", "一级指标")[1:] == ["1:道路修补完成率达到95%。2:路灯完好率达到98%o3:完成主干道"]
    # numbered both: the second cell starts where the numbering restarts
    both = text.replace("3:完成主干道", "1:道路修补完成率为100%。2:路灯完好率为99%。")
    assert _between(split_unspaced(both), "实际完成情况", "一级指标")[1:] == [
        "1:道路修补完成率达到95%。2:路灯完好率达到98%o", "1:道路修补完成率为100%。2:路灯完好率为99%。"]


def test_goals_without_headers_part_where_the_account_looks_back_at_the_goal() -> None:
    """`年度总体目标` and two texts with no 预期/实际 headers and no full stop between them: the second opens by
    looking back at the goal set (按照年初设定目标,…), a header's words inside a sentence, not a header."""
    text = (HEAD + "年度总体目标规范道路养护经费的使用,实现科学管理,提升道路通行条件按照年初设定目标,完成30公里道路养护,"
            "道路通行条件明显改善绩效指标一级指标二级指标三级指标年度指标值实际完成值分值得分"
            "产出指标数量指标道路养护里程>=30公里30公里5050总分10098")
    tokens = split_unspaced(text)
    assert _between(tokens, "年度总体目标", "绩效指标") == [
        "年度总体目标", "规范道路养护经费的使用,实现科学管理,提升道路通行条件",
        "按照年初设定目标,完成30公里道路养护,道路通行条件明显改善"]
    goals = extract_bytes(text.encode(), "dump.txt").forms[0].goals
    assert goals.expected == "规范道路养护经费的使用,实现科学管理,提升道路通行条件"
    assert goals.actual == "按照年初设定目标,完成30公里道路养护,道路通行条件明显改善"


def test_a_scoring_rule_between_the_actual_and_the_score_is_that_rows_cell() -> None:
    """A header with 得分计算方法 between 全年实际值 and 得分: the rule's sentence is the row's cell, not a row."""
    text = (HEAD + "一级指标二级指标三级指标分值年度指标值(A)全年实际值(B)得分计算方法得分未完成原因分析"
            "产出指标数量指标道路养护里程达标率12.512.512.5完成值达到指标值,记满分;未达到指标值,按B/A该指标分值记分。12.5"
            "质量指标道路修补合格率12.5>=95%96%完成值达到指标值,记满分;未达到指标值,按B/A该指标分值记分。12.5")
    form = extract_bytes(text.encode(), "dump.txt").forms[0]
    assert [(i.level3, i.weight, i.target, i.actual, i.score) for i in form.indicators] == [
        ("道路养护里程达标率", 12.5, "12.5", "12.5", 12.5), ("道路修补合格率", 12.5, ">=95%", "96%", 12.5)]


def test_a_year_printed_before_the_title_is_the_forms() -> None:
    """`…(无)附件2:某区档案馆2021年度项目绩效自评表项目名称…`: the year before the title's words is its year."""
    text = ("自评报告正文,执行率100%。附件2:某区档案馆2021年度项目绩效自评表项目名称档案数字化主管部门某区档案局"
            "实施单位某区档案馆一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标数量指标档案数字化数量>=1万卷1.2万卷5050")
    tokens = split_unspaced(text)
    assert "2021年度项目绩效自评表" in tokens
    form = extract_bytes(text.encode(), "dump.txt").forms[0]
    assert (form.year, form.title) == (2021, "项目绩效自评表")


def test_a_gapless_table_inside_a_spaced_line_is_read_as_whitespace_lost() -> None:
    """A document site's page on one line: a spaced preamble, then the table with its gaps lost."""
    table = HEAD + ("一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标数量指标道路修补里程>=12公里12公里88"
                    "质量指标道路修补验收达标达标88时效指标道路修补完成时间12月底前12月底前88"
                    "效益指标社会效益指标道路通行条件明显改善明显改善88可持续影响指标道路养护长效机制健全健全88"
                    "满意度指标服务对象满意度指标沿线群众满意度>=90分92分88总分10098")  # no glued 95%100%: the form's words tell alone
    text = "部门整体支出绩效自评表.docx 上传人:王** 页数:15 大小:49.51KB 下载 相关 举报 第1页 / 共15页 " + table
    result = extract_bytes(text.encode(), "dump.txt")
    assert result.source.reading == "unspaced"
    assert result.forms[0].indicators[0].level3 == "道路修补里程"


def test_a_wrapped_header_read_first_lines_first_keeps_its_column_order() -> None:
    """OCR rows without gaps, the header wrapped in its cells: `三级指标年度实际分值得分偏差原因分析及改进措施` then
    `指标值完成值`. 年度 and 实际 complete 指标值 and 完成值, so target and actual stand before 分值."""
    text = ("项目支出绩效自评表(2022年度)\n项目名称文物保护经费\n主管部门某区文旅局实施单位某区文旅局\n"
            "绩效指标一级指标二级指标三级指标年度实际分值得分偏差原因分析及改进措施\n指标值完成值\n"
            "产出指标数量指标修缮建筑面积6000平方米6000平方米77\n质量指标验收通过率100%95%65\n")
    form = extract_bytes(text.encode(), "dump.txt").forms[0]
    assert [(i.level3, i.target, i.actual, i.weight, i.score) for i in form.indicators] == [
        ("修缮建筑面积", "6000平方米", "6000平方米", 7, 7), ("验收通过率", "100%", "95%", 6, 5)]


def test_a_year_before_its_deadline_is_no_points() -> None:
    """`2022年底之前2022年底之前` (target and actual): 2022 followed by 年 is a year, not 分值 20 and 得分 22."""
    tokens = split_unspaced(HEAD + "一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标时效指标完成时限"
                                   "2022年底之前2022年底之前1010总分10098")
    assert _between(tokens, "时效指标", "总分")[-2:] == ["10", "10"]
    assert not {"20", "22", "2"} & set(_between(tokens, "时效指标", "总分"))
