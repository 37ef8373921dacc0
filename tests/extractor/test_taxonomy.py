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
