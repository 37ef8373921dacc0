"""Shapes of real dumps found in the real corpus (samples/real), each built here from invented forms:
rows opened by a bar and broken over lines, a two-row indicator header, text with its gaps lost and no
分值/得分 columns, a list of forms above the first, the template's next block after the goals, a row
cut by the end of the text."""

from __future__ import annotations

from decimal import Decimal

from extractor.pipeline import _forms_of, extract_bytes
from extractor.routes.text import text_readings
from extractor.unspaced import _drop_page_counters, _split_by_rate


def _read(text: str):
    return extract_bytes(text.encode("utf-8"), filename="dump.txt")


BAR_LED = """| 2021年度项目支出绩效自评表 | ||||||||
| 项目名称 |
乡村道路养护补助 |
||||||||
| 主管部门 | 某县交通运输局 | 实施单位 | 某县公路站 | ||||||
|
项目资金 (万元) |
年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | ||||
| 年度资金总额 | 50 | 50 | 45 | 10 | 90% | 9 | ||||
| 绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 | |||||
|
一级 指标 |
二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | |||||
| 产出指标 | 数量指标 | 养护里程 | ≥ | 120 | 公里 | 125 | 40 | 40 | ||
| 质量指标 | 路面完好率 | ≥ | 90 | % | 92 | 30 | 30 | |||
| 效益指标 | 社会效益指标 | 群众出行改善 | ﹦ | 明显 | | 明显 | 20 | 18 | ||
"""


def test_rows_opened_by_a_bar_run_on_over_lines_with_a_two_row_header() -> None:
    result = _read(BAR_LED)
    [form] = result.forms
    assert form.project_name == "乡村道路养护补助"
    assert form.funds.total.executed == Decimal("45")
    rows = [(i.level1, i.level2, i.level3, i.target, i.weight, i.score) for i in form.indicators]
    assert rows == [("产出指标", "数量指标", "养护里程", ">=120公里", 40, 40),
                    ("产出指标", "质量指标", "路面完好率", ">=90%", 30, 30),
                    ("效益指标", "社会效益指标", "群众出行改善", "=明显", 20, 18)]
    assert [i.actual for i in form.indicators] == ["125", "92", "明显"]


UNSPACED_NO_POINTS = (
    "1、2019年度县级专项资金绩效目标自评表专项资金名称村级水利设施维修负责人及电话张三县级主管部门某县水利局"
    "实施单位某县水利站项目资金(万元)全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额80.564.480%其他资金"
    "年度 总体 目标年初设定目标全年实际完成情况维修水利设施按计划完成维修绩 效 指 标一级 指标二级 指标三级指标"
    "年度指标 值全年 完成值未完成原因和 改进措施产 出 指 标数量 指标维修泵站数量12座12座渠道清淤长度30公里\n"
    "2、28公里质量 指标工程验收合格率100%100%效益 指标社会 效益 指标受益农户数量500户520户说明无"
)


def test_text_with_its_gaps_lost_and_no_points_columns() -> None:
    [form] = _read(UNSPACED_NO_POINTS).forms
    assert form.project_name == "村级水利设施维修"
    assert form.department == "某县水利局"
    assert (form.funds.total.annual_budget, form.funds.total.executed) == (Decimal("80.5"), Decimal("64.4"))
    rows = [(i.level2, i.level3, i.target, i.actual) for i in form.indicators]
    assert rows == [("数量指标", "维修泵站数量", "12座", "12座"), ("数量指标", "渠道清淤长度", "30公里", "28公里"),
                    ("质量指标", "工程验收合格率", "100%", "100%"),
                    ("社会效益指标", "受益农户数量", "500户", "520户")]
    assert all(i.weight is None and i.score is None for i in form.indicators)


def test_fund_amounts_run_together_are_cut_where_the_rate_agrees() -> None:
    assert _split_by_rate("80.564.4", Decimal(80)) == ["80.5", "64.4"]
    assert _split_by_rate("194.9194.9", Decimal(100)) == ["194.9", "194.9"]  # not 1 | 94.91 | 94.9
    assert _split_by_rate("12345", Decimal(50)) is None  # no cut agrees: left as printed


def test_page_counters_of_a_document_site_are_dropped_but_numbered_items_stay() -> None:
    assert _drop_page_counters("1、标题\n2、续页文字\n3、末页") == "标题\n续页文字\n末页"
    assert _drop_page_counters("2、第二项\n5、第五项") == "2、第二项\n5、第五项"


PROJECT_FORM = """项目支出绩效自评表
（2022年度）
项目名称\t{name}
主管部门\t某市文化局\t实施单位\t某市图书馆
项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分
\t年度资金总额\t20\t20\t20\t10\t100%\t10
年度总体目标\t预期目标\t实际完成情况
\t{goal}\t{actual}
{after_goals}一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施
产出指标\t数量指标\t图书采购数量\t>=1000册\t1200册\t50\t50\t
效益指标\t社会效益指标\t借阅人次\t>=5000人次\t6000人次\t40\t40\t
总分\t\t\t\t\t100\t100\t
"""


def test_a_list_of_the_forms_that_follow_is_no_form() -> None:
    listing = "某局项目绩效自评表清单\n序号\t项目名称\t备注\n1\t图书采购项目自评表\t\n2\t阅读推广项目自评表\t\n"
    text = listing + PROJECT_FORM.format(name="图书采购", goal="采购图书", actual="已采购", after_goals="")
    forms = _read(text).forms
    assert [f.project_name for f in forms] == ["图书采购"]


def test_goals_end_at_the_next_numbered_block_and_a_fill_in_prompt_is_no_goal() -> None:
    text = PROJECT_FORM.format(name="图书采购", goal="采购图书一千册", actual="对照年度目标，说明完成情况（100字以内）",
                               after_goals="2.项目实施内容及过程概述\t按计划招标采购，分批入库\n")
    [form] = _read(text).forms
    assert form.goals.expected == "采购图书一千册"
    assert form.goals.actual is None
    assert len(form.indicators) == 2


def test_a_row_cut_by_the_end_of_the_text_fills_its_columns_from_the_left() -> None:
    text = PROJECT_FORM.format(name="图书采购", goal="采购图书", actual="已采购", after_goals="")
    cut = text[: text.index("借阅人次")] + "借阅人次\t>=5000人次\t6000"
    [form] = _read(cut).forms
    last = form.indicators[-1]
    assert (last.level3, last.target, last.actual, last.weight, last.score) == ("借阅人次", ">=5000人次", "6000", None, None)


def test_whitespace_lost_form_with_weight_before_rate_and_a_method_column() -> None:
    """A document site's text of a .doc with every gap lost, on one long line among short site lines:
    the funds print 分值 before 执行率 and a 得分计算方法 column, whose words (执行率, 分值) are text."""
    from extractor.pipeline import extract_bytes

    site = "文档.doc\n\nID:1234\n\n大小:40 KB\n\n"
    form = ("1、项目支出绩效自评表(2019年度)   项目名称社区绿化养护经费主管部门及代码某区人民政府某街道办事处"
            "实施单位:某街道城市管理中心项目资金(万元) 年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分得分计算方法"
            "年度资金总额:480.6240.31050%5执行率*该指标分值,最高不得超过分值上限。"
            "其中:本年一般公共预算拨款 480.6240.3   其他资金     年度总体目标完成绿化养护。")
    result = extract_bytes((site + form).encode(), "dump.txt")
    assert result.source.reading == "unspaced"
    [f] = result.forms
    assert (f.project_name, f.department, f.implementing_unit) == ("社区绿化养护经费", "某区人民政府某街道办事处",
                                                                   "某街道城市管理中心")
    total, appropriation = f.funds.total, f.funds.appropriation
    assert (str(total.initial_budget), str(total.executed), total.weight, total.execution_rate, total.score) == (
        "480.6", "240.3", 10, 50.0, 5)
    assert (str(appropriation.initial_budget), str(appropriation.executed)) == ("480.6", "240.3")


def test_title_after_a_glued_note_and_goals_ending_at_the_next_numbered_block() -> None:
    """A site's OCR note glued in front of the title on one line; in a pipe dump read as a stream, the
    goal texts end where the template's next numbered block (2.项目实施内容及过程概述) starts."""
    text = "\n".join([
        "网站提示(注:以下内容为图片识别,请以原件为准)项目支出绩效自评表(2022年度) | | |",
        "项目名称 | 乡村道路养护 | 主管部门 | 交通局 |",
        "实施单位 | 养护所 | |",
        "年度总体目标 | 预期目标 | 实际完成情况 |",
        "年度总体目标 | 完成道路养护十公里。 | 完成道路养护十二公里。 |",
        "2.项目实施内容及过程概述 | 按计划招标并组织施工。 |",
        "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |",
        "产出指标 | 数量指标 | 养护里程 | >=10公里 | 12公里 | 50 | 50 |",
    ])
    result = _read(text)
    assert result.source.reading == "pipe"
    for reading in ("pipe", "pipe-stream"):
        [form] = _read_as(text, reading)
        assert (form.title, form.year) == ("项目支出绩效自评表", 2022), reading
        assert (form.goals.expected, form.goals.actual) == ("完成道路养护十公里。", "完成道路养护十二公里。"), reading


def _read_as(text: str, name: str):
    from extractor.pipeline import _forms_of
    from extractor.routes.text import text_readings

    [reading] = [r for r in text_readings(text) if r.name == name]
    return _forms_of(reading)()


def test_cell_per_line_dump_with_amounts_in_wan_yuan_and_numbered_goals() -> None:
    """One cell per line (blank lines between): the funds' block label 年度预算申请 (万元) alone above a
    wrapped header, amounts printed with 万元 in the cell, both goal texts numbered 目标1: 目标2: (the
    second starts where the numbering starts over), a level's points printed (50) without 分."""
    cells = ["部门整体支出绩效自评表", "(2020年度)", "部门名称", "某县水利局", "年度预算申请", "(万元)",
             "年初", "预算数", "全年预算数", "全年", "执行数", "分值", "执行率", "得分",
             "年度资金总额", "500万元", "600万元", "540万元", "10", "90%", "9",
             "年度总体目标", "预期目标", "实际完成情况", "目标1:修缮渠道3公里", "目标2:新建泵站1座",
             "目标1:修缮渠道3公里", "目标2:新建泵站1座",
             "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
             "产出指标", "(50)", "数量指标", "修缮渠道长度", ">=3公里", "3公里", "50", "50"]
    [form] = _read("\n\n".join(cells)).forms
    assert form.amount_unit == "万元"
    total = form.funds.total
    assert (str(total.initial_budget), str(total.annual_budget), str(total.executed), total.execution_rate) == (
        "500", "600", "540", 90.0)
    assert form.goals.expected == form.goals.actual == "目标1:修缮渠道3公里目标2:新建泵站1座"
    [row] = form.indicators
    assert (row.level1, row.level2, row.level3, row.weight) == ("产出指标", "数量指标", "修缮渠道长度", 50)


def test_unspaced_amount_with_thousands_commas_is_not_cut_by_the_rate() -> None:
    """`…171,773,659.9810100.00%10`: the digits before the weight are the tail of an amount printed with
    commas; cutting them so that the rate agrees (65 | 9.98 | 10 → 100%) would invent amounts."""
    from extractor.unspaced import _split_amounts

    assert _split_amounts("27742800.00171773659.98171,773,659.9810100.00%10") == [
        "27742800.00", "171773659.98", "171,773,659.98", "10", "100.00%", "10"]


def test_funds_header_with_a_label_column_and_a_thirteen_column_indicator_header() -> None:
    """新疆's template: the funds header opens with 资金来源 and calls the weight 分值权重; the indicator
    header prints 指标值 / 指标值设置依据 / 上年完成值 / 指标分值权重 / 指标赋分规则 / 佐证资料 / 指标实际完成值 /
    完成率 / 指标得分 / 偏差原因分析及改进措施: the columns the contract does not keep are read as asides."""
    text = "\n".join([
        "项目支出绩效自评表", "(2023年度)", "项目名称\t统计调查经费", "主管部门\t某市统计局\t实施单位\t某市统计局",
        "项目资金(万元)\t资金来源\t年初预算数\t全年预算数\t全年执行数\t分值权重\t执行率\t得分",
        "\t年度资金总额\t5.28\t1.96\t1.96\t10\t100.00%\t10",
        "一级指标\t二级指标\t三级指标\t指标值\t指标值设置依据\t上年完成值\t指标分值权重\t指标赋分规则\t佐证资料\t"
        "指标实际完成值\t完成率\t指标得分\t偏差原因分析及改进措施",
        "产出指标\t数量指标\t调查户数\t>=120户\t任务文件\t118户\t90\t按完成比例赋分\t台账\t120户\t100%\t90\t无",
    ])
    [form] = _read(text).forms
    total = form.funds.total
    assert (str(total.annual_budget), total.weight, total.score) == ("1.96", 10, 10)
    [row] = form.indicators
    assert (row.target, row.actual, row.weight, row.score, row.deviation_note) == (">=120户", "120户", 90, 90, "无")


# An .xls printed and flattened onto one line in drawing order: a wrapped fund label (`其中:当年财政` /
# `拨款`), a header whose bracket spans three pieces, and `得分` printed after the rows it heads.
FLAT_DRAWING_ORDER = (
    "项目支出绩效自评表 ( 2022 年度) 项目名称 河道保洁经费 主管部门 某县水利局 项目资金(万元) 实施单位 某县河道站 "
    "年初预算数 全年预算数 全年执行数 分值 执行率(全年 执行数/全年 预算数) 年度资金总额: 80万元 80万元 72万元 10 90% 9 "
    "其中:当年财政 拨款 80万元 80万元 72万元 10 90% 9 得分 上年结转资金 其他资金 预期目标 实际完成情况 "
    "完成河道保洁任务。 完成了河道保洁任务。"
)


def test_flat_drawing_order_funds_with_a_wrapped_label_and_a_late_score_header() -> None:
    form = _read(FLAT_DRAWING_ORDER).forms[0]
    for row in (form.funds.total, form.funds.appropriation):
        assert (row.annual_budget, row.executed) == (Decimal("80"), Decimal("72"))
        assert (row.weight, row.execution_rate, row.score) == (10, 90.0, 9)


# Web text one row per line, single spaces: the block label's (万元) printed in front of the total
# row's label, the rate kept as the sheet's fraction, and a long row's 分值/得分 wrapped onto a line
# of their own.
SPACED_ROWS = """某县农机购置补贴项目支出绩效自评表(2022年度)
项目名称 农机购置补贴
主管部门 某县农业农村局 实施单位 某县农机推广站
项目资金 年初预算数 全年预算数 全年执行数 分值 执行率 得分
(万元) 年度资金总额 40 40 36.6 10 0.915 9
其中:当年财政拨款 40 40 36.6 10 0.915 9
上年结转资金
其他资金
年度总体目标 预期目标 实际完成情况
完成农机购置补贴发放。 基本完成农机购置补贴发放。
绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施
产出指标 数量指标 补贴机具数量 完成全县农机具补贴申报、审核、公示和资金兑付全部环节工作 完成全县农机具补贴申报、审核、公示和资金兑付全部环节工作
40 40
质量指标 补贴兑付准确率 100% 100% 50 50
"""


def test_spaced_rows_with_a_label_piece_before_the_total_a_fraction_rate_and_points_below() -> None:
    form = _read(SPACED_ROWS).forms[0]
    total = form.funds.total
    assert form.amount_unit == "万元"
    assert (total.initial_budget, total.annual_budget, total.executed) == (Decimal(40), Decimal(40), Decimal("36.6"))
    assert (total.weight, total.execution_rate, total.score) == (10, Decimal("91.5"), 9)
    assert any(i.code == "rate_as_fraction" for i in form.issues)
    assert [(i.level3, i.weight, i.score) for i in form.indicators] == [("补贴机具数量", 40, 40), ("补贴兑付准确率", 50, 50)]


# A transfer-payment template that prints a 资金管理情况 block (item | explanation) after the funds.
MANAGEMENT_BLOCK = """转移支付区域绩效目标自评表(2023年度)
转移支付(项目)名称 | 某县文化站改造项目 | ||||||
中央主管部门 | 文化和旅游部 | ||||||
地方主管部门 | 某县文化和旅游局 | 资金使用单位 | 某县文化站 | ||||
资金投入情况 (万元) |
全年预算数(A) | 全年执行数(B) | 预算执行率(B/A×100%) | ||||
年度资金总额: | 300 | 240 | 80% | ||||
其中:中央财政资金 | 300 | 240 | 80% | ||||
资金管理情况 | 情况说明 | 存在问题和改进措施 | |||||
分配科学性 | 资金分配科学合理 | ||||||
使用规范性 | 未出现截留、挪用等问题 | ||||||
总体目标完成情况 | 总体目标 | 全年实际完成情况 | |||||
完成文化站改造1个。 | 已完成主体改造。 | ||||||
绩效指标 |
一级指标 | 二级指标 | 三级指标 | 指标值 | 全年实际完成值 | 未完成原因和改进措施 | |
产出指标 | 数量指标 | 改造文化站数量 | 1个 | 1个 | |||
"""


def test_a_funds_management_block_is_not_read_as_fund_rows() -> None:
    pipe = next(r for r in text_readings(MANAGEMENT_BLOCK) if r.name == "pipe")
    form = _forms_of(pipe)()[0]
    assert [row.label for row in form.funds.more] == ["中央财政资金"]  # the row 中央财政资金, as the corpus labels it
    assert not [i for i in form.issues if i.code == "value_unread"]
    assert form.goals.expected == "完成文化站改造1个。" and form.goals.actual == "已完成主体改造。"


def test_a_template_without_points_is_not_incomplete_for_lacking_them() -> None:
    form = _read(MANAGEMENT_BLOCK).forms[0]
    assert [(i.level3, i.target, i.actual) for i in form.indicators] == [("改造文化站数量", "1个", "1个")]
    assert not [i.code for i in form.issues if i.code in ("form_incomplete", "value_unread")]


# The 保山 template one cell per line: the filing unit above the table, the funds block's points on a
# line under its label, a formula under 得分, and a rate printed without %.
CELL_LINES_BAOSHAN = """2022年度项目支出绩效自评表
单位名称:某县农业农村局 填报日期:2023年4月1日
项目名称
某镇蔬菜大棚建设项目
主管部门
某县农业农村局
项目实施单位
某镇蔬菜种植专业合作社
预算执行情况(万元)
(20分)
预算数(A)
执行数(B)
执行率(B/A)
得分
(20分*执行率)
年度财政资金总额
80
60
75
15
年度绩效目标
(80分)
一级指标
二级指标
三级指标
年初目标值(A)
实际完成值(B)
得分
产出指标(40分)
数量指标
新建大棚数量(个)
20
20
40
"""


def test_cell_lines_with_a_filing_unit_above_and_the_funds_points_in_the_block_label() -> None:
    form = _read(CELL_LINES_BAOSHAN).forms[0]
    assert form.implementing_unit == "某镇蔬菜种植专业合作社"
    total = form.funds.total
    assert (total.annual_budget, total.executed, total.execution_rate, total.score) == (
        Decimal(80), Decimal(60), Decimal(75), Decimal(15))
    assert total.weight == 20


# Web text of a 济南-style form: the seal line above the table, goals before the funds, the funds
# block label wrapped over three lines, and the merged 得分计算方法 cell's sentences between rows.
SEAL_AND_METHOD = """区级部门预算项目支出绩效自评表
( 2021 年度)
主管部门(盖章):                                       单位:万元
项目名称 社区图书室运维 主管部门 某区文化和旅游局
项目实施单位 某区图书馆 项目负责人 张三 联系电话 88880000
年度总体目标 年初设定目标 年度总体目标完成情况综述
保障图书室全年开放 图书室全年开放,接待读者一万人次。
项目预算
执行情况
(10分)
  年初预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分 得分计算方法
年度资金总额 20 20 10 100% 10 执行率*该指标分值,最高不得超过分值上限。
其中:财政拨款 20 20 - - -
一级
指标
二级
指标
三级指标 预期指标值(A) 实际完成指标值(B) 分值 得分 未完成原因 得分计算方法
(50分)
数量指标 开放天数 300天 300天 25 25
定量指标计算:完成值达到指标值,记满分;未达到指标值,按B/A或A/B*该指标分值记分。
-
质量指标 图书上架准确率 98% 98% 25 25
-
"""


def test_a_seal_line_goals_before_funds_and_scoring_rules_between_rows() -> None:
    result = _read(SEAL_AND_METHOD)
    assert len(result.forms) == 1
    form = result.forms[0]
    assert (form.title, form.year, form.department) == ("区级部门预算项目支出绩效自评表", 2021, "某区文化和旅游局")
    assert form.amount_unit == "万元"
    assert form.goals.expected == "保障图书室全年开放"
    assert (form.funds.total.initial_budget, form.funds.total.weight, form.funds.total.score) == (Decimal(20), 10, 10)
    assert [(i.level3, i.weight) for i in form.indicators] == [("开放天数", 25), ("图书上架准确率", 25)]


# 指标性质 (正向/反向) beside 指标方向 (the operator spelt out) and 计量单位.
DIRECTION_COLUMNS = """项目支出绩效自评表(2022年度)
| 项目名称 | 农村道路维护 |
| 主管部门 | 某县交通运输局 | 实施单位 | 某县公路站 |
| 项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
| 年度资金总额 | 30 | 30 | 30 | 10 | 100% | 10 |
| 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标方向 | 年度指标值 | 实际完成值 | 计量单位 | 分值 | 得分 | 偏差原因分析及改进措施 |
| 产出指标 | 数量指标 | 维护里程 | 正向 | 大于等于 | 20 | 22 | 公里 | 50 | 50 | |
| 效益指标 | 社会效益指标 | 群众投诉次数 | 反向 | 小于等于 | 3 | 1 | 次 | 40 | 40 | |
| 总分 | 100 | 100 |
"""


def test_a_direction_column_spelling_the_operator_beside_the_nature_column() -> None:
    form = _read(DIRECTION_COLUMNS).forms[0]
    assert [(i.level3, i.target, i.actual, i.weight) for i in form.indicators] == [
        ("维护里程", ">=20公里", "22", 50), ("群众投诉次数", "<=3次", "1", 40)]


def test_a_year_line_above_the_first_key_of_a_form_without_a_title() -> None:
    text = "网站首页 > 信息公开\n(2021年度) | |||\n" + DIRECTION_COLUMNS.split("\n", 1)[1]
    form = _read(text).forms[0]
    assert (form.title, form.year, form.project_name) == (None, 2021, "农村道路维护")


# html2text's text of a table: cells `a| b`, rows ending in two spaces, long rows wrapped after a
# cell's bar or inside a cell, the wrapped lines without bars.
HTML2TEXT_WRAPS = (
    "项目支出绩效自评表  \n(2022年度)  \n项目名称| 村道养护  \n主管部门| 某县交通局| 实施单位| 某县公路站  \n"
    "项目资金（元）| 年初预算数| 全年预算数| 全年执行数| 分值| 执行率| 得分  \n"
    "年度资金总额| 100.00| 100.00| 90.00| 10| 90.00%| 9  \n"
    "年度总体目标| 预期目标| 实际完成情况  \n"
    "完成村道养护，1.养护里程达到  \n>=20公里。| 全年完成情况：养护里程为  \n22公里。  \n"
    "一级指标| 二级指标| 三级指标| 分值| 年度指标值| 实际完成值| 得分| 偏差原因分析及改进措施  \n"
    "产出指标| 数量指标| 养护里程| 50| >=20公里| 22公里| 50|  \n"
    "效益指标| 社会效益指标| 群众满意度| 40| >=90%| 85%| 30| 群众满意度略低于目标值，  \n"
    "主要原因是雨季施工，今后将加  \n强沟通。  \n"
    "总分| | | 100| | | 89  \n"
)
HTML2TEXT_AFTER_BAR = HTML2TEXT_WRAPS.replace(
    "完成村道养护，1.养护里程达到  \n>=20公里。| 全年完成情况：养护里程为  \n22公里。  \n",
    "完成村道养护，1.养护里程达到>=20公里。|\n全年完成情况：养护里程为22公里。  \n")


def test_html2text_rows_wrapped_inside_a_cell_and_after_a_bar() -> None:
    for text in (HTML2TEXT_WRAPS, HTML2TEXT_AFTER_BAR):
        form = _read(text).forms[0]
        assert form.goals.expected == "完成村道养护，1.养护里程达到>=20公里。"
        assert form.goals.actual == "全年完成情况：养护里程为22公里。"
        assert [i.level3 for i in form.indicators] == ["养护里程", "群众满意度"]
        assert form.indicators[1].deviation_note == "群众满意度略低于目标值，主要原因是雨季施工，今后将加强沟通。"


def test_a_filing_date_among_the_keys_neither_splits_the_form_nor_gives_its_year() -> None:
    text = CELL_LINES_BAOSHAN.replace("2022年度项目支出绩效自评表\n单位名称:某县农业农村局 填报日期:2023年4月1日\n",
                                      "项目支出绩效自评表\n单位名称\n某县农业农村局\n填报日期\n2023年4月\n")
    result = _read(text)
    assert len(result.forms) == 1
    form = result.forms[0]
    assert (form.title, form.year, form.project_name) == ("项目支出绩效自评表", None, "某镇蔬菜大棚建设项目")


def test_a_district_budget_units_name_is_the_department_of_a_department_wide_form() -> None:
    text = ("部门整体支出绩效自评表(2021年度)\n区级预算单位名称\t某区疾病预防控制中心\n"
            "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
            "产出指标\t数量指标\t疫苗接种人数\t>=900人\t950人\t50\t50\n")
    form = _read(text).forms[0]
    assert (form.department, form.implementing_unit) == ("某区疾病预防控制中心", None)


def test_a_key_whose_value_a_single_space_cut_takes_both_pieces() -> None:
    text = SPACED_ROWS.replace("项目名称 农机购置补贴", "项目名称 某财农(2022)5号 农机购置补贴")
    form = _read(text).forms[0]
    assert form.project_name == "某财农(2022)5号 农机购置补贴"
    assert (form.department, form.implementing_unit) == ("某县农业农村局", "某县农机推广站")


def test_a_regional_form_prints_each_fund_part_twice_budget_then_executed() -> None:
    """区域 forms print the total as 预算数: / 执行数: pairs, then each part on two rows, the budget and then
    the executed amount (`其中:中央补助 | 12.5 | 万元` / `其中:中央补助 | 12.0万元`), the unit in an empty cell:
    one row of funds.more, not two budgets that add up to twice the total."""
    text = "\n".join([
        "区域绩效目标自评表", "专项名称\t道路养护补助资金", "省级主管部门\t某省交通运输厅",
        "预算执行情况", "预算数:\t12.5\t执行数:\t12.0",
        "其中:中央补助\t12.5\t万元", "其中:中央补助\t12.0万元", "地方资金/其他\t万元", "地方资金/其他\t万元",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成指标值",
        "产出指标\t数量指标\t养护道路里程\t30公里\t30公里",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert [(row.label, row.annual_budget, row.executed) for row in form.funds.more] == [
        ("中央补助", Decimal("12.5"), Decimal("12.0")), ("地方资金/其他", None, None)]
    assert form.amount_unit == "万元"
    assert not [i for i in form.issues if i.code in ("funds_do_not_add_up", "value_unread")]


TRANSFER_HEAD = ["转移支付绩效目标自评表(2021年度)", "转移支付(项目)名称\t乡村道路养护资金",
                 "中央主管部门\t交通运输部\t地方主管部门\t资金使用单位\t某县公路所"]


def test_the_local_department_printed_empty_leaves_the_department_empty() -> None:
    """The ministry (中央主管部门) stands in for the department only while the form's own key is missing:
    `地方主管部门` printed with the next key right after it says the department is empty."""
    text = "\n".join([*TRANSFER_HEAD, "一级指标\t二级指标\t三级指标\t年度指标值\t全年完成值",
                      "产出指标\t数量指标\t养护里程\t30公里\t30公里"])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert form.department is None
    assert form.implementing_unit == "某县公路所"
    filled = text.replace("地方主管部门\t资金使用单位", "地方主管部门\t某省交通运输厅\t资金使用单位")
    assert extract_bytes(filled.encode(), "dump.txt").forms[0].department == "某省交通运输厅"
    alone = text.replace("\t地方主管部门", "")
    assert extract_bytes(alone.encode(), "dump.txt").forms[0].department == "交通运输部"


def test_a_goal_text_left_of_the_only_goal_header_is_the_expected_goal() -> None:
    """`总体目标完成情况 | 全年实际完成情况` (the block's label, then the actual's header; the expected column's
    header lost): a text in the first column is the expected goal, as every template prints it first."""
    text = "\n".join([*TRANSFER_HEAD, "总体目标完成情况\t全年实际完成情况", "完成乡村道路养护30公里。",
                      "一级指标\t二级指标\t三级指标\t年度指标值\t全年完成值",
                      "产出指标\t数量指标\t养护里程\t30公里\t30公里"])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert (form.goals.expected, form.goals.actual) == ("完成乡村道路养护30公里。", None)


def test_a_cell_broken_over_lines_in_a_trailing_bar_table_goes_on_after_the_next_bar() -> None:
    """Rows printed `a | b |`; a goal cell's text breaks its line (no bar on it), and the next line opens
    with the bar between that cell and the next: one row of two cells, the expected and the actual goal."""
    text = "\n".join([
        "转移支付绩效目标自评表(2021年度)", "转移支付(项目)名称 | 乡村道路养护资金 | ||",
        "地方主管部门 | 某省交通运输厅 | 资金使用单位 | 某县公路所 |",
        "总体目标完成情况 | 年初设定目标 | 全年实际完成情况 | ||",
        "养护乡村道路30公里,路面完好率达到95%。",
        "| 养护乡村道路31公里,路面完好率为96%。 |",
        "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 全年完成值 |",
        "产出指标 | 数量指标 | 养护里程 | 30公里 | 31公里 |",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert form.goals.expected == "养护乡村道路30公里,路面完好率达到95%。"
    assert form.goals.actual == "养护乡村道路31公里,路面完好率为96%。"


def test_a_named_row_printed_empty_joins_no_name_across_the_next_blocks_label() -> None:
    """`促进文化发展 | | |` under 社会效益, then `环境效益 | 馆内环境优良 | 良好 | 良好 | 10`: the empty row is a
    row of its own (kept, values null), and the next row keeps its own name and its label (环境效益 read
    as a level-2 label, printed without 指标 as older forms do)."""
    text = "\n".join([
        "项目支出绩效自评表", "项目名称\t共享工程", "主管部门\t市文化和旅游局", "实施单位\t市图书馆",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分",
        "效益指标\t社会效益\t读者查阅更便捷\t便捷\t便捷\t10\t10",
        "\t\t促进文化发展\t\t\t\t",
        "\t环境效益\t馆内环境优良\t良好\t良好\t10\t10",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    rows = [(i.level2, i.level3, i.target) for i in form.indicators]
    assert rows == [("社会效益指标", "读者查阅更便捷", "便捷"), ("社会效益指标", "促进文化发展", None),
                    ("环境效益指标", "馆内环境优良", "良好")]


def test_sub_rows_under_a_parent_row_print_no_points_of_their_own() -> None:
    """Anhui's 到户 template: a parent row prints 分值/得分 and no target (★补助种植面积 | 10 | 10), the rows
    under it print target and actual and no points. They lose nothing; a row without points that is no
    sub-row still is said."""
    text = "\n".join([
        "项目支出绩效自评表", "项目名称\t特色种养殖补贴", "主管部门\t县农业农村局", "实施单位\t某镇人民政府",
        "一级指标\t二级指标\t三级指标\t分值\t年度指标值\t全年实际值\t得分",
        "产出指标\t数量指标\t★补助瓜果蔬菜种植面积\t10\t\t\t10",
        "\t\t梨树种植面积\t\t6亩\t6亩\t",
        "\t\t桃种植面积\t\t1亩\t1亩\t",
        "\t质量指标\t种植作物成活率\t10\t>=90%\t95%\t10",
        "\t\t补助发放准确率\t\t100%\t100%\t",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert [i.level3 for i in form.indicators] == [
        "补助瓜果蔬菜种植面积", "梨树种植面积", "桃种植面积", "种植作物成活率", "补助发放准确率"]  # ★: the template's mark
    said = {i.field for i in form.issues if i.code == "missing_field"}
    assert not said & {"indicators[1].weight", "indicators[2].weight", "indicators[1].score"}
    assert {"indicators[4].weight", "indicators[4].score"} <= said  # under a row that printed its own target


def test_an_unused_block_printed_with_0_points_and_a_level_printed_in_both_columns() -> None:
    """`生态效益指标 | | | | 0`: a block the form leaves unused is no indicator; `满意度指标(10分) | 满意度指标 | …`:
    the level-1 name again in the 二级指标 column is the row's level 2, as printed."""
    text = "\n".join([
        "项目支出绩效自评表", "项目名称\t科技特派员经费", "主管部门\t县科技局", "实施单位\t县科技局",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分",
        "产出指标(50分)\t数量指标\t服务企业数量\t>=10家\t12家\t50\t50",
        "效益指标(40分)\t社会效益指标\t带动就业人数\t>=20人\t25人\t40\t40",
        "\t生态效益指标\t\t\t\t0\t",
        "满意度指标(10分)\t满意度指标\t服务对象满意度\t>=90%\t95%\t10\t10",
        "总分\t\t\t\t\t100\t100",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert [(i.level1, i.level2, i.level3) for i in form.indicators] == [
        ("产出指标", "数量指标", "服务企业数量"), ("效益指标", "社会效益指标", "带动就业人数"),
        ("满意度指标", "满意度指标", "服务对象满意度")]
    assert not [i for i in form.issues if i.severity == "error"]


def test_the_year_is_the_forms_not_a_filing_dates_nor_a_projects() -> None:
    """No year line: a 填报日期 (2022年7月5日) and a project named for its year (2019年…扶持项目) give no year;
    a title's bracketed year (自评表 (2021)) does, a document number's (财行(2022)10号) does not."""
    rows = ["项目支出绩效自评表", "单位名称:某县农业农村局\t填报日期:2022年7月5日", "项目名称\t2019年新型农业经营主体扶持项目",
            "主管部门\t某县农业农村局", "实施单位\t某县农业农村局",
            "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分",
            "产出指标\t数量指标\t扶持主体数量\t>=10家\t12家\t50\t50"]
    def year(lines: list[str]) -> int | None:
        return extract_bytes("\n".join(lines).encode(), "dump.txt").forms[0].year
    assert year(rows) is None
    assert year(["转移支付区域(项目)绩效目标自评表 (2021)", *rows[1:]]) == 2021
    assert year(["某局财行(2022)10号专项经费项目支出绩效自评表", *rows[1:]]) is None
    assert year([rows[0], "(2020年度)", *rows[1:]]) == 2020


def test_two_goal_texts_one_per_line_part_where_the_first_closes_its_sentence() -> None:
    """`总体目标完成情况 总体目标 全年实际完成情况`, then each goal text on a line of its own (web text, cells two spaces apart): the line
    that ends its sentence ends the expected goal; the rest is the actual."""
    text = "\n".join([
        "转移支付区域(项目)绩效目标自评表", "(2021年度)", "转移支付(项目)名称  基本公共卫生补助资金",
        "地方主管部门  某县卫生健康局  资金使用单位  某县卫生健康局",
        "总体目标完成情况  总体目标  全年实际完成情况",
        "   保障基层医疗机构正常运转,确保补助资金按时发放。",
        "   全年发放补助资金120万元,覆盖全县37个基层医疗机构,其中村卫生室补助",
        "一级指标  二级指标  三级指标  年度指标值  全年完成值",
        "产出指标  数量指标  补助机构数量  37个  37个",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert form.goals.expected == "保障基层医疗机构正常运转,确保补助资金按时发放。"
    assert form.goals.actual == "全年发放补助资金120万元,覆盖全县37个基层医疗机构,其中村卫生室补助"


def test_a_wrapped_header_flattened_line_after_line_is_rejoined() -> None:
    """A page's text on one line (cells a space apart): the header's wrapped cells come first line first
    (`年度 实际 分值 得分 … 指标值 完成值`); each piece joins the header word it completes."""
    text = " ".join([
        "项目支出绩效自评表(2022年度) 项目名称 文物保护经费 主管部门 某区文旅局 实施单位 某区文旅局",
        "绩效指标 一级指标 二级指标 三级指标 年度 实际 分值 得分 偏差原因分析及改进措施 指标值 完成值",
        "产出指标 数量指标 修缮建筑数量 3处 3处 10 10 质量指标 验收通过率 100% 95% 10 9 未全部验收",
    ])
    flat = next(r for r in text_readings(text) if r.name == "flat")
    [form] = _forms_of(flat)()
    assert [(i.level3, i.target, i.actual, i.weight, i.score) for i in form.indicators] == [
        ("修缮建筑数量", "3处", "3处", 10, 10), ("验收通过率", "100%", "95%", 10, 9)]


def test_the_text_ending_inside_a_row_is_a_note_not_a_lost_row() -> None:
    """A page copy cut after the first character of the next label (`可`): said as the text's end, which
    costs the reading nothing; a longer name left without values is still a row lost."""
    head = ["项目支出绩效自评表", "项目名称\t文物保护经费", "主管部门\t某区文旅局", "实施单位\t某区文旅局",
            "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分",
            "产出指标\t数量指标\t修缮建筑数量\t3处\t3处\t10\t10"]
    cut = extract_bytes("\n".join([*head, "可"]).encode(), "dump.txt").forms[0]
    assert [i.code for i in cut.issues if i.code in ("text_ends_in_row", "row_without_values")] == ["text_ends_in_row"]
    lost = extract_bytes("\n".join([*head, "文物安全巡查次数"]).encode(), "dump.txt").forms[0]
    assert "row_without_values" in {i.code for i in lost.issues}


def test_a_flat_dump_cut_inside_its_last_row_keeps_the_rows_before_it() -> None:
    """One space-separated line whose text stops inside the last row (its label, name and half its target):
    the rows before it are read into their columns, not left one cell a row."""
    text = " ".join([
        "项目支出绩效自评表 (2021年度) 项目名称 禁毒经费 主管部门 某市公安局 实施单位 禁毒支队",
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施",
        "(50分) 数量指标 指标1:禁毒宣传场次 ≥1场 1场 12 12 指标2:毛发检查试剂数量 ≥2400份 3200份 12 12",
        "质量指标 指标1:经费支出合规性 严格执行相关财经法规制度 严格执行相关",
    ])
    flat = next(r for r in text_readings(text) if r.name == "flat")
    [form] = _forms_of(flat)()
    assert [(i.level3, i.target, i.actual, i.weight, i.score) for i in form.indicators][:2] == [
        ("禁毒宣传场次", ">=1场", "1场", 12, 12), ("毛发检查试剂数量", ">=2400份", "3200份", 12, 12)]
