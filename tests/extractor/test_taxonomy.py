"""extractor.taxonomy: the form's labels read tolerantly."""

from __future__ import annotations

from extractor.taxonomy import fund_row_key


def test_a_fund_key_wrapped_inside_its_word_is_known_by_its_first_line():
    # A narrow key column wraps 其中:当年财政拨款 as `其中:当年财政拨` / `款`: the first line tells the row.
    assert fund_row_key("其中:当年财政拨") == "appropriation"
    assert fund_row_key("上年结转资") == "carryover"
    assert fund_row_key("年度资金总") == "total"


def test_a_short_or_unrelated_text_is_no_fund_key():
    assert fund_row_key("财政拨") is None  # three characters could end many words
    assert fund_row_key("资金") is None
    assert fund_row_key("按计划推进当年工作") is None


def test_a_long_key_that_lost_its_first_character_is_still_a_key():
    from extractor.form.vocabulary import clipped_key, is_meta_key

    assert clipped_key("级预算单位名称") == "一级预算单位名称"  # the dump lost the 一
    assert is_meta_key("级预算单位名称")
    assert clipped_key("单位名称") is None  # short texts are too often a value's tail
    assert clipped_key("陵区林业局") is None


def test_funds_split_by_level_of_government_are_breakdown_rows() -> None:
    """其中:中央财政资金 / 地方资金 / 市级财政资金 split the total by who gives the money: funds.more,
    not the form's 财政拨款 row (which a bare 其中:财政资金 still is)."""
    from extractor.taxonomy import fund_row_key

    for label in ("其中:中央财政资金", "地方资金", "市级财政资金", "其中：县级财政资金", "省级补助资金"):
        assert fund_row_key(label) == "more", label
    assert fund_row_key("其中:财政资金") == "appropriation"
    assert fund_row_key("其中：当年财政拨款") == "appropriation"
    assert fund_row_key("年度资金总额") == "total"


def test_breakdown_rows_land_in_funds_more() -> None:
    from extractor.pipeline import extract_bytes

    text = "\n".join([
        "项目支出绩效自评表", "项目名称\t水利补助", "主管部门\t水利局", "实施单位\t水利站",
        "项目资金(万元)\t全年预算数\t全年执行数\t执行率",
        "年度资金总额\t300\t270\t90%", "其中:中央财政资金\t200\t180\t90%", "地方资金\t100\t90\t90%",
    ])
    [form] = extract_bytes(text.encode(), "dump.txt").forms
    assert form.funds.appropriation.annual_budget is None
    assert [(row.label, str(row.annual_budget)) for row in form.funds.more] == [
        ("中央财政资金", "200"), ("地方资金", "100")]
