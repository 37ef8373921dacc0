"""The block-order reader on a dump printed a column at a time (pdfminer/pdftotext default order)."""

from __future__ import annotations

from extractor.block_order import block_order_forms, block_order_grid
from extractor.grid import grid_to_rows

# A form as pdfminer prints it: keys then values, the fund amounts interleaved by row, the names'
# column as a run with a name cut at its cell width, then the targets, actuals, points and scores
# as runs; one score printed below its neighbours'.
DUMP = "\n\n".join([
    "项目支出绩效自评表", "(2023年度)", "项目名称", "主管部门", "实施单位",
    "绿化养护项目", "浦东新区民政局", "浦东新区民政保障中心",
    "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分",
    "年度资金总额 100.00", "120.00", "当年财政拨款 80.00", "90.00", "120.00", "90.00",
    "上年结转资金", "20.00", "30.00", "30.00", "10", "100.0%", "10",
    "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分",
    "产出指标(60分)", "数量指标", "受益人数计划完", "成率", "抽检批次", "质量指标", "档案规范达标情", "况",
    ">=95%", "100%", ">=5户", "4户", "合格", "合格",
    "30", "20", "30", "16", "10", "10",
    "效益指标(30分)", "社会效益指标", "社会治安状况", "提升", "提升", "30", "30",
    "总分", "100", "96",
])


def test_columns_are_zipped_in_order() -> None:
    (form,) = block_order_forms(DUMP)
    start = next(k for k, r in enumerate(form.rows) if r[0] == "一级指标") + 1
    rows = {r[2]: r for r in form.rows[start:] if len(r) == 8}
    assert list(rows) == ["受益人数计划完成率", "抽检批次", "档案规范达标情况", "社会治安状况"]
    assert rows["受益人数计划完成率"][3:7] == ["30", ">=95%", "100%", "30"]
    assert rows["抽检批次"][3:7] == ["20", ">=5户", "4户", "16"]  # 16 <= 20: the arithmetic places it
    assert rows["档案规范达标情况"][3:7] == ["10", "合格", "合格", "10"]
    assert rows["社会治安状况"][:2] == ["效益指标", "社会效益指标"]
    assert rows["档案规范达标情况"][:2] == ["产出指标", "质量指标"]


def test_meta_and_funds_are_placed_by_their_sums() -> None:
    (form,) = block_order_forms(DUMP)
    assert ["项目名称", "绿化养护项目"] in form.rows
    assert ["实施单位", "浦东新区民政保障中心"] in form.rows
    funds = {r[1]: r[2:] for r in form.rows if len(r) > 2 and r[0] == ""}
    assert funds["年度资金总额"][:3] == ["100.00", "120.00", "120.00"]
    assert funds["其中：当年财政拨款"] == ["80.00", "90.00", "90.00"]
    assert funds["上年结转资金"] == ["20.00", "30.00", "30.00"]


def test_unplaced_fields_are_flagged() -> None:
    cut = DUMP.replace("\n\n30\n\n30\n\n总分", "\n\n总分")  # the last row's points and score lost
    grid = block_order_grid(cut)
    codes = [i.code for found in grid.issues.values() for i in found]
    assert "value_unread" in codes
    assert grid_to_rows(grid)


def test_a_form_read_in_part_says_so() -> None:
    """The chosen reading of a dump that lost most rows' points and targets carries form_incomplete."""
    from extractor.pipeline import extract_bytes

    cut = DUMP.replace("\n\n30\n\n20\n\n30\n\n16\n\n10\n\n10", "").replace(">=95%\n\n100%\n\n>=5户\n\n4户\n\n", "")
    whole = extract_bytes(DUMP.encode(), "whole.txt")
    part = extract_bytes(cut.encode(), "part.txt")
    assert "form_incomplete" not in {i.code for f in whole.forms for i in f.issues}
    assert "form_incomplete" in {i.code for f in part.forms for i in f.issues}


def test_block_order_is_no_reading_of_a_dump_that_keeps_rows_on_lines() -> None:
    """pdfplumber / pdftotext -layout print a row's name and numbers on one line: the block-order reading
    (columns in runs) does not apply there, whatever its arithmetic would make of the lines."""
    from pathlib import Path

    from extractor.routes.text import text_readings

    converted = Path(__file__).resolve().parents[2] / "samples" / "converted"
    for shape in ("pdfplumber", "pdftotext-layout"):
        text = (converted / shape / "doc-04.txt").read_text(encoding="utf-8")
        assert "block-order" not in [r.name for r in text_readings(text)], shape
    for shape in ("pdftotext", "pdfminer"):
        text = (converted / shape / "doc-04.txt").read_text(encoding="utf-8")
        assert "block-order" in [r.name for r in text_readings(text)], shape


def test_keys_printed_before_their_title_stay_with_it() -> None:
    # pdfminer prints a block of the next form's keys, then its title: one form, not two.
    second = DUMP.replace("项目支出绩效自评表\n\n(2023年度)\n\n项目名称\n\n主管部门\n\n",
                          "项目名称\n\n主管部门\n\n项目支出绩效自评表\n\n(2023年度)\n\n")
    assert len(block_order_forms(DUMP + "\n\n" + second)) == 2


def test_level1_labels_printed_out_of_order_follow_the_points() -> None:
    # The labels' block printed 效益 before 产出: the rows' points (60, then 30) put 产出 first.
    dump = DUMP.replace("产出指标(60分)", "").replace("效益指标(30分)", "效益指标(30分)\n\n产出指标(60分)")
    (form,) = block_order_forms(dump)
    start = next(k for k, r in enumerate(form.rows) if r[0] == "一级指标") + 1
    rows = {r[2]: r for r in form.rows[start:] if len(r) == 8}
    assert rows["抽检批次"][0] == "产出指标"
    assert rows["社会治安状况"][0] == "效益指标"


def test_unit_and_header_rests_are_no_names() -> None:
    # <=1500万 / 元: a target's unit cut onto its own line; 偏差原因分 / 析及改进措 / 施: a header in three.
    dump = DUMP.replace("得分\n\n产出指标", "得分\n\n偏差原因分\n\n析及改进措\n\n施\n\n产出指标") \
        .replace(">=5户\n\n4户", "<=1500万\n\n元\n\n1495万\n\n元")
    (form,) = block_order_forms(dump)
    start = next(k for k, r in enumerate(form.rows) if r[0] == "一级指标") + 1
    rows = {r[2]: r for r in form.rows[start:] if len(r) == 8}
    assert list(rows) == ["受益人数计划完成率", "抽检批次", "档案规范达标情况", "社会治安状况"]
    assert rows["抽检批次"][4:6] == ["<=1500万元", "1495万元"]



# pdftotext's default order on a table it prints a row at a time: each cell a block (blank lines
# between), a cell's wrapped lines in one block, a row's cells cut side by side on one line.
HEAD = DUMP.split("\n\n一级指标")[0]
ROW_DUMP = HEAD + "\n\n" + "\n\n".join([
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
    "产出指标(60分)", "数量指标",
    "受益人数计划完\n成率", ">=\n\n95\n\n%", "100%", "30", "30",
    "政策知晓", "增加", "增加", "20", "20",
    "抽检批次", "合格", "合格", "10", "10",
    "效益指标(30分)", "可持续影响指标", "人才队伍建设持 持续发挥作 持续发挥作\n续性\n用\n用", "30", "30",
    "总分", "100", "100",
])


def _table(dump: str) -> dict[str, list[str]]:
    (form,) = block_order_forms(dump)
    start = next(k for k, r in enumerate(form.rows) if r[0] == "一级指标") + 1
    return {r[2]: r for r in form.rows[start:] if len(r) == 8}


def test_cells_side_by_side_and_word_pairs_are_read_by_rows() -> None:
    rows = _table(ROW_DUMP)
    assert list(rows) == ["受益人数计划完成率", "政策知晓", "抽检批次", "人才队伍建设持续性"]
    assert rows["受益人数计划完成率"][3:7] == ["30", ">=95%", "100%", "30"]  # >= / 95 / %: one target
    assert rows["政策知晓"][3:7] == ["20", "增加", "增加", "20"]  # a name, then its pair of words
    assert rows["人才队伍建设持续性"][3:7] == ["30", "持续发挥作用", "持续发挥作用", "30"]


def test_a_blank_line_ends_a_cell() -> None:
    # pdfminer: the names' column as a run, a block per cell; 达标率 is a name of its own although the
    # name above it is as wide as the column's cuts (受益人数计划完 / 成率, 抽检批次合格情 / 况).
    dump = HEAD + "\n\n" + "\n\n".join([
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
        "产出指标(60分)", "数量指标", "受益人数计划完\n成率", "抽检批次合格情\n况", "群众满意度情况", "达标率",
        ">=95%\n100%", ">=90%\n95%", ">=90%\n95%", ">=80%\n90%",
        "20\n20\n20\n20", "10\n10\n10\n10", "效益指标(30分)", "总分", "100\n100",
    ])
    assert list(_table(dump)) == ["受益人数计划完成率", "抽检批次合格情况", "群众满意度情况", "达标率"]


def test_targets_run_then_actuals_pair_by_their_grammar() -> None:
    # The targets' column printed as a run, then the actuals': a target with its operator pairs with a
    # figure, a target in words with an actual in words (合格 / 达标), whatever the alternation says.
    dump = DUMP.replace(">=95%\n\n100%\n\n>=5户\n\n4户\n\n合格\n\n合格", ">=95%\n\n>=5户\n\n合格\n\n100%\n\n4户\n\n达标")
    rows = _table(dump)
    assert rows["受益人数计划完成率"][4:6] == [">=95%", "100%"]
    assert rows["抽检批次"][4:6] == [">=5户", "4户"]
    assert rows["档案规范达标情况"][4:6] == ["合格", "达标"]


def test_value_words_in_the_names_run_are_no_names() -> None:
    # The names' and targets' columns printed row by row, a target in words (合格) among the names'
    # lines: a text made only of the forms' value words is a value.
    dump = DUMP.replace(
        "受益人数计划完\n\n成率\n\n抽检批次\n\n质量指标\n\n档案规范达标情\n\n况\n\n>=95%\n\n100%\n\n>=5户\n\n4户\n\n合格\n\n合格",
        "受益人数计划完\n\n成率\n\n>=95%\n\n抽检批次\n\n>=5户\n\n质量指标\n\n档案规范达标情\n\n况\n\n基本达标\n\n"
        "100%\n\n4户\n\n达标")
    rows = _table(dump)
    assert list(rows) == ["受益人数计划完成率", "抽检批次", "档案规范达标情况", "社会治安状况"]
    assert rows["档案规范达标情况"][4:6] == ["基本达标", "达标"]


def test_level1_cells_printing_only_their_points_bound_the_level2_spans() -> None:
    # The template leaves level 1's name out ((60分) alone): the points are level 1's, never the level-2
    # label's above them, and they bound the level-2 spans where the labels' places tell nothing.
    dump = HEAD + "\n\n" + "\n\n".join([
        "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分",
        "抽检批次", "档案规范达标率", "受益人数计划完成率", "社会治安状况改善情况", "人才队伍建设持续性评价",
        ">=95%", "100%", ">=5户", "5户", ">=90%", "95%", "提升", "提升", "持续发挥作用", "持续发挥作用",
        "20", "20", "20", "20", "20", "20", "15", "15", "15", "15",
        "数量指标", "(60分)", "社会效益指标", "(30分)", "可持续影响指标",
        "总分", "100", "100",
    ])
    rows = _table(dump)
    assert [r[:2] for r in rows.values()] == [["产出指标", "数量指标"]] * 3 + [
        ["效益指标", "社会效益指标"], ["效益指标", "可持续影响指标"]]


def test_a_stray_beside_the_total_is_no_total() -> None:
    # A number printed just before 总分 (a page's stray, a cell of another column): the total's 分值 is
    # the points' sum with the funds', so 100 and 96 are the total row's, never 8 and 100.
    dump = DUMP.replace("\n\n总分\n\n100\n\n96", "\n\n8\n\n总分\n\n100\n\n96")
    (form,) = block_order_forms(dump)
    assert form.rows[-1][0] == "总分"
    assert form.rows[-1][3] == "100" and form.rows[-1][6] == "96"


def test_a_name_cut_around_the_target_beside_it_is_one_name() -> None:
    # pdftotext prints a row's block by height: the name's first line, the target centred beside the
    # name's two lines, then the name's rest.
    dump = ROW_DUMP.replace('"抽检批次", "合格", "合格"', "").replace(
        "抽检批次\n\n合格\n\n合格", "抽检批次合格情\n>=90%\n况\n\n95%")
    rows = _table(dump)
    assert list(rows) == ["受益人数计划完成率", "政策知晓", "抽检批次合格情况", "人才队伍建设持续性"]
    assert rows["抽检批次合格情况"][3:7] == ["10", ">=90%", "95%", "10"]


def test_a_level1_label_cut_around_a_level2_label_is_no_name() -> None:
    # 效益 / 社会效益指标 / 指标: the level-1 cell's lines, the level-2 label beside them printed between.
    dump = DUMP.replace("效益指标(30分)\n\n社会效益指标", "效益\n\n社会效益指标\n\n指标")
    rows = _table(dump)
    assert list(rows) == ["受益人数计划完成率", "抽检批次", "档案规范达标情况", "社会治安状况"]
    assert rows["社会治安状况"][:2] == ["效益指标", "社会效益指标"]


def test_a_header_cut_before_the_side_labels_is_neither_a_value_nor_a_name() -> None:
    # 指标性 / 质 (指标性质) printed among the side labels' lines: 质 reads as a piece of 质量指标.
    # The names' header printed after the level labels' block.
    dump = DUMP.replace("二级指标\n\n三级指标", "二级指标\n\n指标性\n\n质").replace(
        "得分\n\n产出指标(60分)\n\n数量指标", "得分\n\n产出指标(60分)\n\n数量指标\n\n三级指标")
    rows = _table(dump)
    assert list(rows) == ["受益人数计划完成率", "抽检批次", "档案规范达标情况", "社会治安状况"]
