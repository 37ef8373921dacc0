"""The text route's `wrapped` reading (PDF text in drawing order, pypdfium2): a cell cut by its column
goes on, alone, on the next lines."""

from __future__ import annotations

from extractor.routes.text import _counters_out, _join_wrapped_lines


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
