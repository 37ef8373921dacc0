"""The text route's `wrapped` reading (PDF text in drawing order, pypdfium2): a cell cut by its column
goes on, alone, on the next lines."""

from __future__ import annotations

from extractor.routes.text import _counters_out, _join_wrapped_lines, defer_early_titles


def test_a_cells_rest_shorter_than_its_cut_line_ends_the_cell() -> None:
    # 社区治理水平 (the column's width) / 提升情况 (shorter: the name ends), then the target 有效 / 提高 and
    # the actual 有效提 / 高, each its own cell.
    # Three names cut at six characters teach the page's name column its width.
    lines = ["问题整改及时", "性", "及时 及时 4 4", "档案规范准确", "率", ">= 95 % 100% 1 1", "资金使用合规", "率",
             "= 100 % 100% 4 4", "社区治理水平", "提升情况", "有效", "提高", "有效提", "高", "1 1"]
    joined = _join_wrapped_lines(lines)
    assert "社区治理水平提升情况" in joined
    assert not any(line.startswith("社区治理水平提升情况有效") for line in joined), joined


def test_a_rest_after_a_full_line_joins_by_the_pages_cut_width() -> None:
    lines = ["宣传活动数", "量", "8 ≥12次 12次 8", "项目验收质", "量", "1 合格 达标 1", "问题整改及", "时率",
             "及时 及时 4 4", "档案规范合", "格率 1 ≥95% 100% 1",
             "资金使用合", "规达标情况 7 合格 达标 7"]
    joined = _join_wrapped_lines(lines)
    assert any(line.startswith("资金使用合规达标情况") for line in joined), joined


def test_page_counters_go_before_the_text_is_flattened() -> None:
    assert _counters_out(["总分 100 97.53", "第1页 共3页", "第 2 页", "2021年度"]) == ["总分 100 97.53", "2021年度"]


def test_a_cell_that_starts_over_is_the_next_cell() -> None:
    # The target 明显改善 on one line, then the actual, the same value cut at three characters.
    joined = _join_wrapped_lines(["群众获得感情", "况", "明显改善", "明显改", "善", "4 4"])
    assert not any("明显改善明显改" in line for line in joined), joined


def test_a_header_word_cut_after_a_word_of_its_own_is_joined() -> None:
    # 全年执行 (a header word) / 数(B): the rest is no word of its own; 实际完成值 / 分值 are two words.
    joined = _join_wrapped_lines(["年初预算数 全年预算数(A)", "全年执行", "数(B) 分值 执行率 得分"])
    assert "全年执行数(B)" in joined and "全年执行" not in joined, joined
    joined = _join_wrapped_lines(["实际完成值", "分值 得分"])
    assert joined == ["实际完成值", "分值 得分"]


def test_a_percent_sign_alone_goes_with_the_number_alone_above_it() -> None:
    joined = _join_wrapped_lines(["年度资金总额 24.97 26.29 25.06 10", "95.32", "%", "9.53"])
    assert "95.32%" in joined, joined


def test_a_grouped_amount_cut_inside_a_group_is_one_amount() -> None:
    joined = _join_wrapped_lines(["年度资金总额 58,153,891.56", "55,649,6", "57.00 10 100.00", "%", "10"])
    assert any(line.startswith("55,649,657.00") for line in joined), joined
    assert any("100.00%" in line for line in joined), joined


def test_a_key_cells_first_piece_is_no_rest_of_the_value_above() -> None:
    # 主管 / 部门 …: the key the next line completes; 项目资金（ / 元）: the funds block's label.
    lines = ["项目", "名称 文物保护修缮项目", "主管", "部门 146-思明区市场监督管理局 实施单位 思明区市场监督管理局",
             "项目资金（", "元）", "年初预算数 全年预算数（A） 全年执行数 分值 执行率 得分"]
    joined = _join_wrapped_lines(lines)
    assert joined[:4] == ["项目名称", "文物保护修缮项目", "主管部门", "146-思明区市场监督管理局 实施单位 思明区市场监督管理局"]
    assert "项目资金（元）" in joined, joined


def test_a_split_targets_unit_stays_its_own_cell() -> None:
    # >= / 95 / %: the target's operator, value and unit columns; only a decimal rate takes a lone %.
    assert _join_wrapped_lines(["档案规范率 >=", "95", "%", "100% 5 5"])[-3:] == ["95", "%", "100% 5 5"]


def test_a_formula_cut_inside_its_math_is_closed_by_the_next_lines_head() -> None:
    # pypdfium2: `$\geq 95\%$` cut between its backslash and its percent sign, the rest opening the row line
    lines = ["巡查次数完成率 13 $\\geq 95\\", "%$ 100% 13", "质量指标"]
    assert _join_wrapped_lines(lines) == ["巡查次数完成率 13 $\\geq 95\\%$", "100% 13", "质量指标"]


def test_a_points_column_a_digit_wide_parts_the_pieces_into_weight_and_score() -> None:
    # 10 / 10 and 12 / 10.8 cut a digit a line: the only way the pieces make a weight and a score no higher.
    joined = _join_wrapped_lines(["信息报送", "及时率 >= 95 % 100% 1", "0", "1", "0", "基本健", "全有效",
                                  "1", "2", "1", "0.", "8"])
    assert joined[1:3] == [">= 95 % 100% 10", "10"] and joined[-2:] == ["12", "10.8"], joined
    # 7 / 5.6 read alike either way; 10.5 / 10. / 5 / 1 makes no weight and score (a stray 1): left as it is.
    assert _join_wrapped_lines(["标", "7", "5.", "6"])[-2:] == ["7", "5.6"]
    assert _join_wrapped_lines(["情况 促进 促进 10.5", "10.", "5", "1"])[-2:] == ["10.5", "1"]


def test_no_number_starts_with_its_point_and_the_total_weight_is_100() -> None:
    joined = _join_wrapped_lines(["项目完成时限", "≤15天 14天 10", ".5", "10", ".5", "总分 10", "0", "99", ".4"])
    assert joined[-4:] == ["≤15天 14天 10.5", "10.5", "总分 100", "99.4"], joined
    assert _join_wrapped_lines(["总分", "10", "0", "95.9"])[-2:] == ["100", "95.9"]


def test_a_form_word_after_a_lone_name_piece_with_values_next_is_its_rest() -> None:
    # 完成率 is a header word (an aside column), but a header row never goes on with values.
    assert _join_wrapped_lines(["采购设备计划", "完成率", "= 100 % 100% 2 2"])[0] == "采购设备计划完成率"
    assert _join_wrapped_lines(["采购设备计划", "完成率 = 100 % 100% 2 2"])[0] == "采购设备计划完成率"


def test_a_cell_printed_twice_at_a_row_lines_head_is_no_rest() -> None:
    # pdftotext -raw: the name's last line 平提升情况 alone, then the row line `促进 促进 5 5`.
    lines = ["宣传活动数", "量", "8 ≥12次 12次 8", "项目验收质", "量", "1 合格 达标 1", "问题整改及", "时率",
             "及时 及时 4 4", "社区治理水", "平提升情况", "促进 促进 5 5"]
    joined = _join_wrapped_lines(lines)
    assert "社区治理水平提升情况" in joined and "促进 促进 5 5" in joined, joined


def test_a_cut_amount_at_a_row_lines_head_takes_the_pages_decimals() -> None:
    joined = _join_wrapped_lines(["312.736922", "万", "521.228204", "万", "521.228", "204万 10 100.0% 10"])
    assert joined[-2:] == ["521.228204万", "10 100.0% 10"], joined


def test_the_funds_label_and_a_cut_key_in_narrow_columns() -> None:
    assert "项目资金(万元)" in _join_wrapped_lines(["芙蓉区财政保障中心", "项目资", "金(万元)", "年初预算数"])
    # The next form's title, printed before this table's last rows, waits for its key row even cut (项目 / 名称).
    lines = defer_early_titles(["一级指标 二级指标 三级指标 分值 得分", "项目支出绩效自评表", "(2020年度)",
                                "效益指标 满意度 ≥90% 95% 10 10", "总分 100 97.5", "项目", "名称 公共体育设施建设专项"])
    assert lines[-4:] == ["项目支出绩效自评表", "(2020年度)", "项目", "名称 公共体育设施建设专项"], lines


def test_a_notes_lines_teach_its_column_width() -> None:
    lines = ["因人员变动，部", "分工作延后，已", "提前谋划、压实", "责任。", "受疫情影响，空", "气质量提升率未", "达到预期。",
             "因政策调整，部", "分工作延后，已", "加快推进进度。", "因天气因素，部", "分工作延后，已", "加强管理。"]
    joined = _join_wrapped_lines(lines)
    assert joined[0] == "因人员变动，部分工作延后，已提前谋划、压实责任。", joined
