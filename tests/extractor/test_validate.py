"""Each validation rule fires on a form built to break it, and stays quiet on a sound form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.validate import validate_form
from models import Form, FundRow, Funds, Indicator, Total

D = Decimal


def sound_form() -> Form:
    return Form(
        project_name="道路养护",
        funds=Funds(
            total=FundRow(initial_budget=D("100"), annual_budget=D("200.00"), executed=D("150.00"),
                          weight=D(10), execution_rate=D("75.00"), score=D("7.5")),
            appropriation=FundRow(initial_budget=D("100"), annual_budget=D("150"), executed=D("100")),
            carryover=FundRow(initial_budget=D("0"), annual_budget=D("50"), executed=D("50")),
        ),
        indicators=[
            Indicator(level1="产出指标", level2="数量指标", level3="里程", weight=D(50), score=D(50)),
            Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="满意度", weight=D(40), score=D(40)),
        ],
        total=Total(weight=D(100), score=D("97.5")),
    )


def codes(form: Form) -> dict[str, str | None]:
    return {issue.code: issue.field for issue in validate_form(form)}


def test_sound_form_has_no_issues() -> None:
    assert validate_form(sound_form()) == []


def break_weights(f: Form) -> None:
    f.indicators[0].weight = D(48)


def break_scores(f: Form) -> None:
    f.total.score = D(90)


def break_score_over_weight(f: Form) -> None:
    f.indicators[1].score, f.indicators[0].score = D(45), D(45)


def break_fund_totals(f: Form) -> None:
    f.funds.carryover.annual_budget = D(40)


def break_rate(f: Form) -> None:
    f.funds.total.execution_rate = D("80.00")


def break_funds_score(f: Form) -> None:
    f.funds.total.score, f.indicators[0].score = D(10), D("47.5")


def break_hierarchy(f: Form) -> None:
    f.indicators[0].level2 = None


def break_level2_name(f: Form) -> None:
    f.indicators[0].level2 = "数目指标"


def break_no_indicators(f: Form) -> None:
    f.indicators = []


@pytest.mark.parametrize(("breaker", "code", "field"), [
    (break_weights, "weights_do_not_sum", "indicators"),
    (break_scores, "scores_do_not_sum", "indicators"),
    (break_score_over_weight, "score_exceeds_weight", "indicators[1].score"),
    (break_fund_totals, "funds_do_not_add_up", "funds.total.annual_budget"),
    (break_rate, "execution_rate_mismatch", "funds.total.execution_rate"),
    (break_funds_score, "funds_score_inconsistent", "funds.total.score"),
    (break_hierarchy, "missing_level", "indicators[0].level2"),
    (break_level2_name, "unknown_level2", "indicators[0].level2"),
    (break_no_indicators, "no_indicators", "indicators"),
])
def test_rule_fires_on_the_field_it_concerns(breaker, code: str, field: str) -> None:
    form = sound_form()
    breaker(form)
    found = codes(form)
    assert found.get(code) == field, found


def test_rate_tolerance_follows_printed_precision() -> None:
    form = sound_form()
    form.funds.total.execution_rate = D("75")  # 75% printed without decimals: exact anyway
    assert "execution_rate_mismatch" not in codes(form)
    form.funds.total.executed = D("150.9")  # 75.45%: a printed 75 is within half a unit
    form.funds.carryover.executed = D("50.9")
    assert "execution_rate_mismatch" not in codes(form)
    form.funds.total.execution_rate = D("75.00")  # but 75.00 claims two decimals
    assert "execution_rate_mismatch" in codes(form)


def test_validation_never_changes_a_number() -> None:
    form = sound_form()
    break_weights(form)
    before = form.model_dump()
    validate_form(form)
    assert form.model_dump() == before


def test_issues_already_raised_by_the_reader_are_not_repeated() -> None:
    form = sound_form()
    break_weights(form)
    form.issues.extend(validate_form(form))
    assert validate_form(form) == []


def test_a_failed_sum_points_at_the_row_that_can_explain_it() -> None:
    form = sound_form()
    form.indicators[0].weight = D(55)  # 50 misread; its score still says 50 and no note explains it
    found = codes(form)
    assert found["weights_do_not_sum"] == "indicators"
    assert found["doubtful_value"] == "indicators[0]"
    form.indicators[0].deviation_note = "未完成原因：工期延误"  # a lost mark with its reason is no suspect
    assert "doubtful_value" not in codes(form)


def test_parts_that_do_not_add_up_are_each_doubted() -> None:
    form = sound_form()
    form.funds.appropriation.executed = D("90")
    doubted = {i.field for i in validate_form(form) if i.code == "doubtful_value"}
    assert doubted == {"funds.appropriation.executed", "funds.carryover.executed"}
