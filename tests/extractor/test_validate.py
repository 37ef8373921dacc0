"""Each validation rule fires on a form built to break it, and stays quiet on a sound form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.validate import ValidationSettings, read_quantity, validate_form
from models import CellRef, Form, FundRow, Funds, Indicator, Total

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


# --- cross-field checks ------------------------------------------------------------------------------


def with_values(target: str, actual: str, name: str = "道路养护里程", score: Decimal = Decimal(50)) -> Form:
    form = sound_form()
    ind = form.indicators[0]
    ind.level3, ind.target, ind.actual, ind.score = name, target, actual, score
    form.total.score = D("97.5") - (D(50) - score)
    return form


@pytest.mark.parametrize(("target", "actual", "field"), [
    (">170万㎡", ">182万m", "indicators[0].actual"),  # ㎡ lost its superscript on the actual
    (">=20万m²", "21万m", "indicators[0].actual"),
    ("=100万元", "100元", "indicators[0]"),  # which side is misread is not known: the row
    (">=90%", "95万元", "indicators[0]"),
])
def test_actual_unit_must_be_the_targets(target: str, actual: str, field: str) -> None:
    found = [(i.code, i.field) for i in validate_form(with_values(target, actual, name="绿化养护"))]
    assert ("unit_mismatch", field) in found, found


def test_unit_must_be_what_the_name_measures() -> None:
    found = [(i.code, i.field) for i in validate_form(with_values(">170万m", ">170万m", name="河道养护面积"))]
    assert ("unit_mismatch", "indicators[0].target") in found and ("unit_mismatch", "indicators[0].actual") in found


@pytest.mark.parametrize(("target", "actual"), [(">=90%", "95%"), (">170万㎡", "182万㎡"), ("=0起", "0起"),
                                                (">=735人次", "800人"), ("及时", "及时"), ("<=10%", "0%")])
def test_matching_units_raise_nothing(target: str, actual: str) -> None:
    assert validate_form(with_values(target, actual, name="河道养护面积" if "㎡" in target else "完成率")) == []


def test_full_score_on_a_missed_target_is_noted() -> None:
    form = with_values(">=90%", "85%", name="验收合格率")
    assert codes(form).get("full_score_on_missed_target") == "indicators[0].actual"
    assert "full_score_on_missed_target" not in codes(with_values(">=90%", "85%", score=D(45)))  # marks lost
    assert "full_score_on_missed_target" not in codes(with_values(">34个", "34个"))  # `>` printed for `>=`
    assert "full_score_on_missed_target" not in codes(with_values(">1万人次", ">1万人次"))  # a bound meets it
    noted = with_values(">=90%", "85%")
    noted.indicators[0].deviation_note = "受疫情影响"
    assert "full_score_on_missed_target" not in codes(noted)


def test_rate_printed_on_a_part_row_is_checked_too() -> None:
    form = sound_form()
    form.funds.appropriation.execution_rate = D("80.00")  # 100 / 150 is 66.67%
    assert codes(form).get("execution_rate_mismatch") == "funds.appropriation.execution_rate"


def test_funds_score_may_be_floored_to_its_printed_places() -> None:
    form = sound_form()
    form.funds.total.executed, form.funds.carryover.executed = D("195.60"), D("95.60")
    form.funds.total.execution_rate = D("97.80")
    form.funds.total.score, form.indicators[0].score, form.total.score = D(9), D(50), D(99)
    assert validate_form(form) == []  # 10 × 97.80% = 9.78, printed 9: the form floors
    form.funds.total.score, form.total.score = D(8), D(98)
    assert codes(form).get("funds_score_inconsistent") == "funds.total.score"


def test_parts_rounded_each_on_its_own_add_up_within_their_places() -> None:
    form = sound_form()
    funds = form.funds
    funds.total.initial_budget = D("1129.0131")
    funds.appropriation.initial_budget, funds.carryover.initial_budget = D("1072.5625"), D("56.4507")
    assert "funds_do_not_add_up" not in codes(form)  # 1129.0132: one unit of the fourth place off, two parts
    funds.total.initial_budget = D("1129.0140")
    assert codes(form).get("funds_do_not_add_up") == "funds.total.initial_budget"


def test_a_form_cut_before_its_total_is_not_a_failed_sum() -> None:
    form = sound_form()
    form.total = Total()
    form.indicators.pop()  # weights 50 + 10: the rest of the form was cut off
    found = {i.code: i for i in validate_form(form)}
    assert "weights_do_not_sum" not in found and found["missing_total"].severity == "warning"
    assert "截断" in found["missing_total"].message
    form.indicators[0].weight = D(95)  # but weights above 100 are wrong with or without a total
    assert "weights_do_not_sum" in codes(form)


def test_tolerances_come_from_settings() -> None:
    form = sound_form()
    form.funds.appropriation.initial_budget, form.funds.total.initial_budget = D("100.00"), D("100.02")
    assert "funds_do_not_add_up" in codes(form)
    assert "funds_do_not_add_up" not in {i.code for i in validate_form(form, ValidationSettings(parts_ulps=D(2)))}


def scanned(form: Form) -> Form:
    for ind in form.indicators:
        ind.provenance = {k: CellRef(page=1, bbox=(0, 0, 1, 1), source="ocr") for k in ("name", "target", "actual")}
    return form


@pytest.mark.parametrize(("target", "actual", "field"), [
    ("=100%.", "100%", "indicators[0].target"),  # a speck beside the number
    (":=100%", "100%", "indicators[0].target"),
    ("≈100", "100%", "indicators[0].target"),  # an operator no target uses
    (">=85%", ">=853", "indicators[0].actual"),  # % read as a digit
    (">=290万#2", ">=290万㎡", "indicators[0].target"),
    ("N95%", "96%", "indicators[0].target"),  # a ≥ read as a letter, its shape not told
    ("V=90%", "96%", "indicators[0].target"),
])
def test_a_scanned_value_is_held_to_its_columns_grammar(target: str, actual: str, field: str) -> None:
    form = scanned(with_values(target, actual, name="满意度"))
    assert ("doubtful_value", field) in [(i.code, i.field) for i in validate_form(form)]
    typed = with_values(target, actual, name="满意度")  # the same text typed: what the form prints
    assert "doubtful_value" not in codes(typed)


def test_a_speck_inside_a_scanned_name_is_doubted() -> None:
    form = scanned(with_values(">=90%", "95%", name="党·团支部创建覆盖率"))
    assert codes(form).get("doubtful_value") == "indicators[0].level3"


def test_quantities_read_with_operator_magnitude_and_unit() -> None:
    q = read_quantity(">170万㎡")
    assert q is not None and (q.op, q.number, q.unit, q.kind, q.magnitude) == (">", D(170), "㎡", "area", D(10000))
    assert read_quantity("及时") is None and read_quantity("=100%").kind == "percent"


def test_a_note_on_a_row_without_deviation_is_doubted_as_a_cut_name() -> None:
    form = with_values("促进", "促进", name="公共服务")
    form.indicators[0].deviation_note = "水平提升情况"  # the end of 公共服务水平提升情况
    assert codes(form).get("doubtful_value") == "indicators[0]"
    for note in ("无", "0", "无偏差"):
        form.indicators[0].deviation_note = note
        assert "doubtful_value" not in codes(form)
    lost = with_values(">=90%", "85%", score=D(45))
    lost.indicators[0].deviation_note = "受疫情影响"  # a real deviation with its reason
    assert "doubtful_value" not in codes(lost)


def test_a_form_without_name_or_department_names_both() -> None:
    form = sound_form()
    form.project_name = None
    assert {i.field for i in validate_form(form) if i.code == "missing_field"} == {"project_name", "department"}


def test_a_scanned_fund_row_whose_name_was_misread_is_said_on_the_row_it_left_empty() -> None:
    from extractor.validate import check_unnamed_fund_rows
    from models import CellRef, Funds, LabeledFundRow

    ocr = {"initial_budget": CellRef(page=1, bbox=(0, 0, 1, 1), source="ocr", confidence=0.9)}

    def form(*more: str) -> Form:
        return Form(funds=Funds(total=FundRow(initial_budget=D(100)), carryover=FundRow(initial_budget=D(0)),
                                other=FundRow(initial_budget=D(0)),
                                more=[LabeledFundRow(label=m, initial_budget=D(100), provenance=ocr) for m in more]))

    def said(f: Form) -> list[str]:
        return [i.field or "" for i in check_unnamed_fund_rows(f, ValidationSettings())]

    assert said(form("其中：当年财政披款")) == ["funds.appropriation"]
    assert said(form("项目资盒(元)")) == ["funds.appropriation"]  # the block's label stood in for the row's
    assert said(form("财政专户管理资金")) == []  # a row of its own, not a template row misread
    printed = form("其中：当年财政披款")
    printed.funds.more[0].provenance = None  # typed text names its rows as printed
    assert said(printed) == []


# --- issue 12: checks that hold a scan's reading to the form's own structure -------------------------


def issued(form: Form) -> set[tuple[str, str | None]]:
    return {(i.code, i.field) for i in validate_form(form)}


@pytest.mark.parametrize(("target", "actual", "field"), [
    ("=00%", "100%", "indicators[0].target"),  # a digit lost: no number starts `00`
    (">=05", "6", "indicators[0].target"),
    (">170万㎡", ">170万2", "indicators[0].actual"),  # ㎡ read as a digit after the magnitude
])
def test_a_scanned_value_is_held_to_number_grammar(target: str, actual: str, field: str) -> None:
    assert ("number_grammar", field) in issued(scanned(with_values(target, actual, name="完成率")))
    assert "number_grammar" not in codes(with_values(target, actual, name="完成率"))  # typed: as printed


@pytest.mark.parametrize("value", ["=100%", "0.5", "10%", ">=20万m²", "2023年05月", "0"])
def test_numbers_as_printed_keep_their_grammar(value: str) -> None:
    assert "number_grammar" not in codes(scanned(with_values(value, value, name="完成率")))


def test_an_execution_rate_above_100_over_a_budget_not_exceeded_is_a_mismatch() -> None:
    form = sound_form()
    form.funds.total.executed, form.funds.total.execution_rate = D("200.00"), D("100.001")  # a digit read in
    assert ("execution_rate_mismatch", "funds.total.execution_rate") in issued(form)
    form.funds.total.execution_rate = D("100.00")
    assert "execution_rate_mismatch" not in codes(form)


def test_a_total_row_read_half_names_the_missing_half() -> None:
    form = sound_form()
    form.total.score = None
    assert ("total_incomplete", "total.score") in issued(form)
    form.total.score, form.total.weight = D("97.5"), None
    assert ("total_incomplete", "total.weight") in issued(form)
    unscored = sound_form()  # a printed form not scored yet prints no total score either
    unscored.total.score = None
    for ind in unscored.indicators:
        ind.score = None
    unscored.funds.total.score = None
    assert "total_incomplete" not in codes(unscored)
    assert "total_incomplete" in codes(scanned(unscored))  # a scan's whole 得分 column can go unread


def test_a_scanned_header_is_held_against_itself() -> None:
    form = scanned(sound_form())
    form.year, form.department, form.implementing_unit = 2023, "松江经济技术开发区管理委员会", "松江经济技术开发区营理委员会(本部)"
    said = issued(form)
    assert {("header_mismatch", "department"), ("header_mismatch", "implementing_unit")} <= said
    form.implementing_unit = "松江经济技术开发区管理委员会(本部)"  # the department itself, as forms print it
    form.project_name = "150道路养护"  # a page number read into the name
    said = issued(form)
    assert "header_mismatch" not in {c for c, _ in said} and ("header_grammar", "project_name") in said
    form.project_name = "2023年道路养护"  # its year is no page number
    assert "header_grammar" not in codes(form)
    form.year = None
    assert ("missing_field", "year") in issued(form)
    typed = sound_form()  # typed text is what the form prints: not held to the template
    typed.department, typed.implementing_unit, typed.project_name = "区水务局", "区水务所", "150道路养护"
    assert not {"header_mismatch", "header_grammar"} & set(codes(typed))


@pytest.mark.parametrize(("target", "actual"), [("提升", "提开"), ("健全有致", "健全有效")])
def test_scanned_words_one_character_apart_are_doubted_on_the_row(target: str, actual: str) -> None:
    assert ("word_mismatch", "indicators[0]") in issued(scanned(with_values(target, actual, name="水平")))
    assert "word_mismatch" not in codes(with_values(target, actual, name="水平"))  # typed: as printed


@pytest.mark.parametrize(("target", "actual"), [("提升", "提升"), ("及时", "较及时"), ("优化", "良好"),
                                                ("=100%", "100%"), ("全面推进工作", "全面推进王作")])
def test_words_that_agree_or_differ_wholly_are_not_doubted(target: str, actual: str) -> None:
    assert "word_mismatch" not in codes(scanned(with_values(target, actual, name="水平")))


def test_goal_texts_parted_inside_the_numbering_are_doubted() -> None:
    form = sound_form()
    form.goals.expected, form.goals.actual = "1、完成道路养护。", "2、提升通行效率。1、完成养护。"
    assert {("doubtful_value", "goals.expected"), ("doubtful_value", "goals.actual")} <= issued(form)
    form.goals.actual = "1、完成养护 120 公里。2、通行效率提升。"  # each text numbered from 1: parted right
    assert ("doubtful_value", "goals.actual") not in issued(form)
    form.goals.expected, form.goals.actual = "（一）完成道路养护。", "（三）提升通行效率。"
    assert ("doubtful_value", "goals.actual") in issued(form)


def test_empty_targets_of_rows_that_add_up_are_the_pages_own() -> None:
    from extractor.validate import incompleteness

    form = sound_form()  # points and scores add up to the printed 总分: every row was read
    for ind in form.indicators:
        ind.target = ind.actual = None
    assert incompleteness(form) is None
    form.total.score = None  # nothing proves the rows whole: the empty cells count
    assert incompleteness(form) is not None and incompleteness(form).code == "form_incomplete"


def test_a_row_without_the_actual_its_column_prints_elsewhere_is_named() -> None:
    form = sound_form()
    form.indicators[0].target, form.indicators[0].actual = ">=20公里", "22公里"
    form.indicators[1].target, form.indicators[1].actual = ">=90%", None
    assert [i.field for i in validate_form(form) if i.code == "missing_field"] == ["indicators[1].actual"]
    form.indicators[0].actual = None  # no row prints an actual: the template's column is not there to lose
    assert not [i for i in validate_form(form) if i.code == "missing_field"]
