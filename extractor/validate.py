"""Prove every number: validation rules over one form, each an Issue with a stable code.

Validation reports; it never changes a printed number. Codes (see README, "Validation codes"):
weights_do_not_sum, scores_do_not_sum, score_exceeds_weight, funds_do_not_add_up,
execution_rate_mismatch, funds_score_inconsistent, missing_level, unknown_level2, no_indicators,
missing_total, missing_field, doubtful_value (the fields that can explain a failed sum).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from extractor.taxonomy import LEVEL1, is_known_level2
from models import Form, FundRow, Issue

DEFAULT_TOTAL = Decimal(100)
Rule = Callable[[Form], Iterator[Issue]]


def _error(code: str, field: str | None, message: str) -> Issue:
    return Issue(code=code, severity="error", field=field, message=message)


def _warning(code: str, field: str | None, message: str) -> Issue:
    return Issue(code=code, severity="warning", field=field, message=message)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def check_sums(form: Form) -> Iterator[Issue]:
    """Indicator weights plus the funds weight equal the total weight; scores likewise."""
    if not form.indicators:
        return
    for key, code in (("weight", "weights_do_not_sum"), ("score", "scores_do_not_sum")):
        total = getattr(form.total, key)
        expected = total if total is not None else DEFAULT_TOTAL if key == "weight" else None
        if expected is None:
            continue
        parts = [getattr(i, key) for i in form.indicators]
        if all(p is None for p in parts):
            continue
        funds_part = getattr(form.funds.total, key) or Decimal(0)
        found = sum((p for p in parts if p is not None), Decimal(0)) + funds_part
        if found != expected:
            what = "weights" if key == "weight" else "scores"
            yield _error(code, "indicators",
                         f"indicator {what} sum to {_fmt(found - funds_part)}, plus {_fmt(funds_part)} for funds "
                         f"makes {_fmt(found)}, expected {_fmt(expected)} (总分)")
            yield from _suspects(form, key, expected - found)


def _suspects(form: Form, key: str, missing: Decimal) -> Iterator[Issue]:
    """Point at the rows that can explain a sum gone wrong, so the doubt lands on fields, not a section.

    Forms mostly give full marks, and a lost mark comes with its 偏差原因: a row whose score differs
    from its weight without a note is the likeliest misread.
    """
    for i, ind in enumerate(form.indicators):
        if ind.weight is None or ind.score is None or ind.weight == ind.score or ind.deviation_note:
            continue
        yield _warning("doubtful_value", f"indicators[{i}]",
                       f"{ind.level3!r}: weight {_fmt(ind.weight)}, score {_fmt(ind.score)} may be misread "
                       f"({key}s miss {_fmt(missing)} to the total)")


def check_score_within_weight(form: Form) -> Iterator[Issue]:
    for i, ind in enumerate(form.indicators):
        if ind.score is not None and ind.weight is not None and ind.score > ind.weight:
            yield _error("score_exceeds_weight", f"indicators[{i}].score",
                         f"{ind.level3!r}: score {_fmt(ind.score)} exceeds weight {_fmt(ind.weight)}")
    row = form.funds.total
    if row.score is not None and row.weight is not None and row.score > row.weight:
        yield _error("score_exceeds_weight", "funds.total.score",
                     f"funds score {_fmt(row.score)} exceeds weight {_fmt(row.weight)}")
    if form.total.score is not None and form.total.weight is not None and form.total.score > form.total.weight:
        yield _error("score_exceeds_weight", "total.score",
                     f"total score {_fmt(form.total.score)} exceeds {_fmt(form.total.weight)}")


def check_fund_totals(form: Form) -> Iterator[Issue]:
    """年度资金总额 equals the sum of its parts where the parts are printed."""
    funds = form.funds
    parts: list[FundRow] = [funds.appropriation, funds.carryover, funds.other, *funds.more]
    for column in ("initial_budget", "annual_budget", "executed"):
        total = getattr(funds.total, column)
        values = [getattr(p, column) for p in parts]
        if total is None or all(v is None for v in values):
            continue
        found = sum((v for v in values if v is not None), Decimal(0))
        if found != total:
            yield _error("funds_do_not_add_up", f"funds.total.{column}",
                         f"{column}: parts sum to {_fmt(found)}, 年度资金总额 says {_fmt(total)}")
            for name in ("appropriation", "carryover", "other"):
                value = getattr(getattr(funds, name), column)
                if value:  # a printed non-zero part may be the misread one
                    yield _warning("doubtful_value", f"funds.{name}.{column}",
                                   f"{column} of {name} ({_fmt(value)}) does not add up with 年度资金总额")


def _tolerance(rate: Decimal) -> Decimal:
    # Half a unit of the printed precision, plus a hair for rounding by the form's software.
    exponent = rate.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(5) / (Decimal(10) ** (places + 1)) + Decimal("0.01")


def check_execution_rate(form: Form) -> Iterator[Issue]:
    row = form.funds.total
    if row.execution_rate is None or row.executed is None or not row.annual_budget:
        return
    computed = row.executed / row.annual_budget * 100
    if abs(computed - row.execution_rate) > _tolerance(row.execution_rate):
        yield _error("execution_rate_mismatch", "funds.total.execution_rate",
                     f"execution rate {_fmt(row.execution_rate)}% but executed/annual budget is {computed:.2f}%")


def check_funds_score(form: Form) -> Iterator[Issue]:
    """The funds score follows the rate: weight × min(rate, 100%), give or take rounding."""
    row = form.funds.total
    if row.score is None or row.weight is None or row.execution_rate is None:
        return
    expected = row.weight * min(row.execution_rate, Decimal(100)) / 100
    if abs(expected - row.score) > Decimal("0.5"):
        yield _warning("funds_score_inconsistent", "funds.total.score",
                       f"funds score {_fmt(row.score)} but weight {_fmt(row.weight)} at "
                       f"{_fmt(row.execution_rate)}% gives {expected:.2f}")


def check_hierarchy(form: Form) -> Iterator[Issue]:
    for i, ind in enumerate(form.indicators):
        if not ind.level1 or not ind.level2:
            missing = "level1" if not ind.level1 else "level2"
            yield _error("missing_level", f"indicators[{i}].{missing}",
                         f"{ind.level3!r} has no {missing.replace('level', 'level-')} indicator")
        elif ind.level2 and not is_known_level2(ind.level2):
            yield _warning("unknown_level2", f"indicators[{i}].level2",
                           f"{ind.level2!r} is not a level-2 indicator of the taxonomy")
        if ind.level1 and ind.level1 not in LEVEL1:
            yield _warning("unknown_level1", f"indicators[{i}].level1",
                           f"{ind.level1!r} is not a level-1 indicator of the taxonomy")


def check_completeness(form: Form) -> Iterator[Issue]:
    if not form.indicators:
        yield _error("no_indicators", "indicators", "the form has no indicator table")
    if form.total.weight is None and form.total.score is None and form.indicators:
        yield _warning("missing_total", "total", "no 总分 row was found")
    if not form.project_name and not form.department:
        yield _warning("missing_field", "project_name", "neither 项目名称 nor 主管部门 was found")
    for i, ind in enumerate(form.indicators):
        for key in ("weight", "score"):
            if getattr(ind, key) is None:
                yield _warning("missing_field", f"indicators[{i}].{key}", f"{ind.level3!r} has no {key}")


RULES: tuple[Rule, ...] = (
    check_sums,
    check_score_within_weight,
    check_fund_totals,
    check_execution_rate,
    check_funds_score,
    check_hierarchy,
    check_completeness,
)


def validate_form(form: Form) -> list[Issue]:
    """Every rule's issues, without duplicates of issues the reader already raised."""
    seen = {(i.code, i.field) for i in form.issues}
    found = []
    for rule in RULES:
        for issue in rule(form):
            if (issue.code, issue.field) not in seen:
                seen.add((issue.code, issue.field))
                found.append(issue)
    return found
