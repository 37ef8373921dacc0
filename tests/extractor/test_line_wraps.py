"""The line-wraps reading (pdfplumber's extract_text of a drawn table): rows one line each, cells a
space apart, wrapped cells spilling onto the lines above and below. Built here by hand from an
invented form, laid out the way pdfplumber prints centred cells."""

from __future__ import annotations

from decimal import Decimal

from extractor.line_wraps import line_wrap_rows
from extractor.pipeline import extract_bytes

DUMP = """财政项目支出绩效自评表
（2022年度）
项目
社区图书角运行维护
名称
主管
某区文化旅游局 实施单位 某区图书馆
部门
全年预算数（ 全年执行数 执行率(B/
年初预算数 分值 得分
A） (B) A)
年度资金总额 120.00 100.00 80.00 10 80% 8
其中：本年财
120.00 100.00 80.00 —
政拨款
上年结转资金 0.00 0.00 0.00 —
其他资金 0.00 0.00 0.00 —
预期目标 实际完成情况
年度总体目标 完成图书角维护 已完成维护
年度指标 实际完成 偏差原因分析
一级指标 二级指标 三级指标 分值 得分
值 值 及改进措施
图书角覆盖完
30 ≥20个 22个 30
成率
数量指标
图书更新数量 20 ≥500册 520册 20
受天气影
响，部分
开放时长达
产出指标(60分 10 ≥8小时 7小时 8 时段闭馆
标率
，后续将
) 补足。
效益指标(30分 社会效益指标 借阅人次 30 ≥1000 1200 30
)
满意度指标(10 服务对象满意度 读者满意度 10 ≥90% 95% 10
分) 指标
总分 100 98
"""


def test_cells_wrapped_around_their_row_go_back_into_it() -> None:
    rows = [cells for _page, cells in line_wrap_rows(DUMP)]
    header = next(r for r in rows if "一级指标" in r)
    assert header[3:] == ["分值", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"]
    names = [r[2] for r in rows[rows.index(header) + 1:] if len(r) > 2 and r[0] != "总分"]
    assert names == ["图书角覆盖完成率", "图书更新数量", "开放时长达标率", "借阅人次", "读者满意度"]


def test_the_form_reads_whole_through_the_text_route() -> None:
    [form] = extract_bytes(DUMP.encode("utf-8"), filename="dump.txt").forms
    assert (form.project_name, form.department, form.implementing_unit) == ("社区图书角运行维护", "某区文化旅游局", "某区图书馆")
    assert form.funds.total.executed == Decimal("80.00")
    assert form.funds.appropriation.annual_budget == Decimal("100.00")
    rows = [(i.level1, i.level2, i.level3, i.weight, i.score) for i in form.indicators]
    assert rows == [("产出指标", "数量指标", "图书角覆盖完成率", 30, 30), ("产出指标", "数量指标", "图书更新数量", 20, 20),
                    ("产出指标", "数量指标", "开放时长达标率", 10, 8), ("效益指标", "社会效益指标", "借阅人次", 30, 30),
                    ("满意度指标", "服务对象满意度指标", "读者满意度", 10, 10)]
    assert form.indicators[2].deviation_note == "受天气影响，部分时段闭馆，后续将补足。"
    assert form.total.score == 98


# pdfplumber's text of a 10-column template (指标性质 / 指标值 / 度量单位), its header wrapped into 7 pieces
# above and below the header's own line, a formula cut over lines and a page's counter inside the table.
SPLIT_HEADER = """指标性 指标 度量 实际完 分 得 偏差原因分析
一级指标 二级指标 三级指标
质 值 单位 成值 值 分 及改进措施
受益人数 >= 1800 户 1805户 3 3
数量指标
检查户数 >= 12 台 17台 3 3
1/6
"""


def test_a_header_wrapped_into_many_pieces_keeps_the_hierarchy_columns_first() -> None:
    rows = [cells for _page, cells in line_wrap_rows(SPLIT_HEADER)]
    assert rows[0] == ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分",
                       "偏差原因分析及改进措施"]
    assert not any("1/6" in cell for row in rows for cell in row)  # the page's counter is no cell


def test_a_formula_cut_over_lines_stays_one_cell() -> None:
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分",
                      "$\\geq 300", "数量指标 受益人数 8 301公里 8", "公里$"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    body = next(r for r in rows if "受益人数" in r)
    assert "$\\geq 300公里$" in body, body


def test_points_cut_over_the_lines_around_their_row_are_one_number() -> None:
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分",
                      "产出指标 数量指标 受益人数 8 >=300户 301户 8",
                      "工作计划完成 10.", "时效指标 10.5 <=15天 14天", "时限 5",
                      "总分 100 100"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    row = next(r for r in rows if any(c.startswith("工作计划完成") for c in r))
    assert "工作计划完成时限" in row and row.count("10.5") == 2, row


def test_a_fund_row_whose_amounts_all_wrapped_around_its_points() -> None:
    # The amounts and the rate are cut (58,153,891. / 56, 55,649,6 / 57.00, 100.00 / %) above and below the
    # row's own line, which holds only the one-line 分值 and 得分.
    dump = """项目名称 文物保护修缮项目
全年预算数( 全年执行 执行率(
年初预算数 分值 得分
A) 数 B/A)
年度资 58,153,891. 55,649,657. 55,649,6 100.00
10 10
金总额 56 00 57.00 %
其他资金 0.00 0.00 0.00 —
预期目标 实际完成情况
"""
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    total = next(r for r in rows if r and r[0] == "年度资金总额")
    assert total[1:] == ["58,153,891.56", "55,649,657.00", "55,649,657.00", "10", "100.00%", "10"]


def test_goal_texts_side_by_side_are_split_by_their_columns_widths() -> None:
    # The expected text wraps in a narrow column (three full lines and a short last), the actual one in
    # a wide column (one full line, one short); their lines interleave, one pair shares a line.
    dump = """预期目标 实际完成情况
年度 按照年度计划推进文物保护修缮项目
总体 ，1.项目验收质量达到符合要求；2.
目标 全年完成情况：项目验收质量为达标；补贴发放覆盖率为1
补贴发放覆盖率达到=100%；3.设施
维护覆盖率达到=100%。 00%；设施维护覆盖率为100%。
一级指标 二级指标 三级指标 分值 得分
"""
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    goals = rows[rows.index(["预期目标", "实际完成情况"]) + 1]
    assert goals == ["按照年度计划推进文物保护修缮项目，1.项目验收质量达到符合要求；2.补贴发放覆盖率达到=100%；3.设施"
                     "维护覆盖率达到=100%。", "全年完成情况：项目验收质量为达标；补贴发放覆盖率为100%；设施维护覆盖率为100%。"]


# Level-1 labels cut two characters a line in a narrow first column (满意 / 度指 / 标, 成本 / 指标 with
# the newer template's 经济成本指标 beneath), their pieces heading lines among the rows' own.
NARROW_LABELS = """一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分
数量指标 图书更新数量 20 >=500册 520册 20
产出
质量指标 图书完好率 20 >=95% 96% 20
指标
时效指标 开放及时率 20 =100% 100% 20
成本
经济成本指标 运维费用控制 10 <=80万元 77万元 10
指标
效益
社会效益指标 借阅人次 10 >=1000 1200 10
指标
满意
服务对象满意度指
度指 读者满意度 10 >=90% 95% 10
标
标
总分 100 100
"""


def test_labels_cut_a_few_characters_a_line_take_their_rows() -> None:
    rows = [cells for _page, cells in line_wrap_rows(NARROW_LABELS)]
    body = {r[2]: (r[0], r[1]) for r in rows[1:] if len(r) > 2 and r[0] != "总分"}
    assert body["图书更新数量"] == ("产出指标", "数量指标")
    assert body["运维费用控制"] == ("成本指标", "经济成本指标")  # the newer template: 成本指标 is level 1
    assert body["读者满意度"] == ("满意度指标", "服务对象满意度指标"), body
    assert not any(c in ("标", "度指", "满意") for r in rows for c in r)


def test_a_formula_rest_is_no_label_piece() -> None:
    # `$` compacts to nothing: it begins every label, so it must not start one (and take 绩效指标 with it).
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分",
                      "项目完成及时 $\\geq 95\\%", "产出指标 时效指标 4 100% 4", "率 $", "绩效指标",
                      "预算控制数 8 <=1500万元 1495万元 8", "总分 100 100"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    row = next(r for r in rows if any(c.startswith("项目完成及时") for c in r))
    assert "项目完成及时率" in row and "$\\geq 95\\%$" in row, row


def test_a_long_note_around_its_row_does_not_swallow_the_name_wrapped_inside_it() -> None:
    # A note of five lines (two above the row's own line, its middle on it, two below) beside a name of
    # two (one just above, one just below): the lines further out are the note's, not the name's.
    dump = "\n".join(["一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施",
                      "产出指标 数量指标 受益人数 >=300户 301户 10 10",
                      "因项目审批周", "期较长，部分", "补贴发放完成", "时效指标 <=30天 33天 9 8.1 工作延后，已",
                      "时限", "加快推进进度", "。", "总分 100 98.1"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    row = next(r for r in rows if "<=30天" in r)
    assert "补贴发放完成时限" in row, row
    assert row[-1] == "因项目审批周期较长，部分工作延后，已加快推进进度。", row


def test_points_all_cut_around_a_line_that_holds_none_make_it_the_row() -> None:
    # 0.5 / 0.5 cut `0.` / `5`, 10 cut `1` / `0` (a column one digit wide): the line between, with no
    # points of its own, is the row's; the total's points cut around 总分 go back into it.
    dump = "\n".join(["一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分",
                      "0. 0.", "产出指标 数量指标 抽检批次 ≥3人 3人", "5 5",
                      "信息报送 1 1", "时效指标 >=95% 100%", "及时率 0 0",
                      "效益指标 社会效益指标 群众获得感 提升 提升 89.5 89.5",
                      "10 99", "总分", "0 .5"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    first = next(r for r in rows if "抽检批次" in r)
    assert first[-2:] == ["0.5", "0.5"], first
    timely = next(r for r in rows if "信息报送及时率" in r)
    assert timely[-2:] == ["10", "10"], timely
    assert ["总分", "100", "99.5"] in rows, rows


def test_a_total_with_its_points_whole_and_its_score_cut() -> None:
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分",
                      "产出指标 数量指标 受益人数 100 >=300户 301户 97.7", "97.", "总分 100", "7"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    assert ["总分", "100", "97.7"] in rows, rows


# A table as pdfplumber prints it (a converter document's): rows of one line and of two-line cells
# (three counted lines for two printed), and a page break through 经济成本指标's span, its label printed
# in its part on the first page.
PAGE_BREAK = """偏差原因分
指标 度量单 实际完 分 得
一级指标 二级指标 三级指标 指标性质 析及改进措
值 位 成值 值 分
施
数量指标 检查户数 = 1800 个 1805个 9 9
服务质量规
= 100 % 100% 2 2
范率
质量指标
档案规范达
>= 95 % 100% 7 7
标率
绩效指 信息报送及
及时 及时 2 2
标 (40分) 时性
问题整改及
>= 95 % 100% 1 1
时率
时效指标
补贴发放完
<= 15 天 14天 14 14
成时限
补贴发放及
>= 95 % 100% 5 5
时率
经济成本指 单位成本控 647万
(10分) <= 650 万元 3 3
标 制情况 元
第1页 共4页
因项目审批
周期较长，
项目总成本 215万
<= 200 万元 7 4.2 部分工作延
控制情况 元
后，已加快
推进进度。
企业营收情
改善 改善 1 1
况
经济效益指
标
产业产值提
>= 10 % 11% 16 16
升率
社区治理水 明显 明显改
1 1
平改善情况 改善 善
社会效益指
(30分)
标
政策知晓提
改善 改善 5 5
升情况
生态效益指 污染物排放
改善 改善 1 1
标 改善情况
可持续影响 人才队伍建
健全 健全 6 6
指标 设健全性
群众满意度 >= 85 % 93% 1 1
服务对象满
(10分)
意度指标
居民满意度 >= 90 % 90% 9 9
10 97.
总分
0 2
"""


def test_labels_take_the_rows_they_centre_on_in_height_and_per_page() -> None:
    rows = [cells for _page, cells in line_wrap_rows(PAGE_BREAK)]
    level2 = {r[2]: r[1] for r in rows if len(r) > 2}
    assert level2["服务质量规范率"] == "质量指标", level2  # a row of two-line cells counts two lines, not three
    assert level2["信息报送及时性"] == "时效指标", level2
    assert level2["项目总成本控制情况"] == "", level2  # on the next page, under 经济成本指标
    assert level2["企业营收情况"] == "经济效益指标", level2
    assert level2["社区治理水平改善情况"] == "社会效益指标", level2
    assert ["总分", "100", "97.2"] in rows, rows


def test_a_fund_row_label_alone_is_an_empty_row() -> None:
    # 上年结转资金 with no amounts is a row of its own, not a piece of 其他资金 wrapped above it; the
    # row whose line holds only the block's label `（元）` keeps its cut amounts.
    dump = """项目名称 文物保护修缮经费
年初预算数 全年预算数 全年执行数 分值 执行率 得分
年度资金总额 98,118,249.06 122,647,811.32 106,826,243.66 10 87.10% 8.71
其中：本年 98,118,249 122,647,81 106,826,2
（元）
财政拨款 .06 1.32 43.66
上年结转资金
其他资金 0.00 0.00 0.00 —
预期目标 实际完成情况
"""
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    by_label = {r[0]: r for r in rows if r}
    assert by_label["上年结转资金"][1:] == [""] * 6, rows
    assert by_label["其他资金"][1:4] == ["0.00", "0.00", "0.00"], rows
    appropriation = next(r for r in rows if r and r[0].startswith("其中"))
    assert appropriation[1:4] == ["98,118,249.06", "122,647,811.32", "106,826,243.66"], rows


def test_a_header_of_narrow_columns_is_found_by_its_pieces_paired_around_its_line() -> None:
    # Every other header word cut in its narrow column: the header's own line names two columns; the
    # pieces just above and below it, paired in order, name the rest.
    dump = "\n".join(["一级指 指标性 指标 度量单 实际完 分 得", "二级指标 三级指标",
                      "标 质 值 位 成值 值 分",
                      "产出指标 数量指标 受益人数 >= 300 户 301户 10 10", "总分 100 100"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    assert rows[0][:4] == ["一级指标", "二级指标", "三级指标", "指标性质"], rows[0]
    assert any("受益人数" in r and "301户" in r for r in rows[1:]), rows


def test_a_name_of_three_lines_centred_on_its_row_is_no_note() -> None:
    # 人均培训 / 成本偏差 … / 率: the pieces above and below the row's first cell, as wide as it, are the
    # name's first and last lines, not a note of two lines beside a name of one.
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分 偏差原因分析及改进措施",
                      "人均培训", "产出指标 成本指标 成本偏差 1 <=10% 2% 1", "率", "总分 100 100"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    row = next(r for r in rows if "<=10%" in r)
    assert "人均培训成本偏差率" in row and row[-1] == "", row


def test_a_name_of_three_lines_beside_cells_of_two_takes_its_middle() -> None:
    # 人才队伍 / 建设健全 … / 性 beside a target and actual of two lines (持续发 / 挥作用): the name's outer
    # lines stand a ring further out, their place among the inner cells told by the middle they fit.
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分 偏差原因分析及改进措施",
                      "人才队伍", "持续发 持续发", "效益指标 可持续影响指标 建设健全 1 1", "挥作用 挥作用", "性",
                      "总分 100 100"])
    rows = [cells for _page, cells in line_wrap_rows(dump)]
    row = next(r for r in rows if "持续发挥作用" in r)
    assert "人才队伍建设健全性" in row and row[-1] == "", row


def test_bare_page_counters_part_pages_and_are_no_cells() -> None:
    # Pages joined by a newline, each ending in its footer's bare number (1, then 2 a page further).
    body = [f"产出指标 数量指标 指标{k}名称 5 >=1 2 5" for k in range(20)]
    dump = "\n".join(["一级指标 二级指标 三级指标 分值 年度指标值 实际完成值 得分", *body[:10], "1",
                      *body[10:], "总分 100 100", "2"])
    from extractor.line_wraps import _bare_counters
    assert len(_bare_counters(dump.split("\n"))) == 2
    pages = {page for page, _cells in line_wrap_rows(dump)}
    assert pages == {1, 2}
    assert not any(c in ("1", "2") and len(r) == 1 for _p, r in line_wrap_rows(dump) for c in r)
