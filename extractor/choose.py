"""Choose among candidate readings of one input by the form's own arithmetic.

A reading that puts cells in the wrong columns breaks the form's sums: weights no longer add up to
the total, a score exceeds its weight, the execution rate no longer equals executed / budget, rows
lose their 分值 or their name. Each reading is read into forms and judged; the most plausible wins,
ties going to the likelier reading (the order the reader gave). A reading that is already
consistent in every respect is taken at once: the common case costs one reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from extractor.form.vocabulary import breakdown_rows
from models import Form

ERROR_COST = 4.0  # an error the form's arithmetic raises outweighs a few extra fields read
WARNING_COST = 0.25
NO_FORM = -1e6  # a reading that finds no form at all is the last resort, whatever the others' errors
NO_TABLE_COST = 40.0  # a form read without its indicator table: most of the form lost, not one cell
NO_IDENTITY_COST = 10.0  # a form read without its project or department: its key rows were lost
LOSS_COST = 2.0  # printed content the reading found no place for: a sign the reading cut cells wrongly
# A later (less likely) reading must be more plausible by this much (absolute, and relative to the
# earlier reading's plausibility) to replace it: a reading that cuts rows differently also invents
# or drops a few fields, which must not outvote the likelier reading.
READING_MARGIN = 1.0
READING_MARGIN_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Judged:
    name: str
    forms: list[Form]
    plausibility: float
    consistent: bool


def plausibility(forms: list[Form]) -> tuple[float, bool]:
    """How much of the form a reading recovered, minus what its arithmetic says is wrong."""
    if not forms:
        return NO_FORM, False
    score = 0.0
    consistent = True
    for form in forms:
        score += sum(1.0 for v in (form.project_name, form.department, form.implementing_unit, form.year) if v)
        for row in (form.funds.total, form.funds.appropriation, form.funds.carryover, form.funds.other):
            score += 0.5 * sum(v is not None for v in (row.initial_budget, row.annual_budget, row.executed,
                                                       row.weight, row.execution_rate, row.score))
        rows = 0.0
        pointless = any(i.code == "no_points_columns" for i in form.issues)  # the template prints no points
        breakdowns = breakdown_rows(form.indicators)
        for k, ind in enumerate(form.indicators):
            if ind.weight is None and ind.score is None:
                if k in breakdowns and ind.target and ind.actual:
                    score += 0.5  # 其中…, a sub-row: the breakdown of the row above prints no points of its own
                elif not pointless:
                    score -= 1.0  # a row with a name and no points is most often a cell cut from its row
                elif ind.target and ind.actual:  # a template without points: a row is its target and actual
                    score += 0.5
                else:
                    score -= 0.5  # a row short of one is most often a cell cut from its row
                continue
            if ind.level3 and _VALUE_AS_NAME.match(ind.level3):
                score -= 1.0  # `=100%` in the name: the row's cells moved one column left
                rows -= 1.0
            rows += 1.0 * bool(ind.level3) + 1.0 * (ind.weight is not None) + 1.0 * (ind.score is not None)
            rows += 0.5 * bool(ind.level2) + 0.25 * bool(ind.target) + 0.25 * bool(ind.actual)
        score += rows * _weights_fit(form)
        if not form.indicators:
            score -= NO_TABLE_COST
        if not (form.project_name or form.department):
            score -= NO_IDENTITY_COST
        score += 1.0 * (form.total.weight is not None) + 1.0 * (form.total.score is not None)
        errors = [i for i in form.issues if i.severity == "error"]
        warnings = [i for i in form.issues if i.severity == "warning"]
        score -= ERROR_COST * len(errors) + WARNING_COST * len(warnings)
        score -= LOSS_COST * sum(i.code in _LOSS for i in warnings)
        if not form.indicators or any(i.code not in _NOT_THE_READING for i in form.issues):
            consistent = False
    return score, consistent


# A 三级指标 name is words; a cell that is an operator and a number, or a number and a short unit,
# is a 指标值 (=100%, >=95%, 1800次) moved into the name's column.
_VALUE_AS_NAME = re.compile(r"^(?:[<>=≥≤≧≦＞＜]{1,2}\s*)?\d[\d.,]*\s*(?:%|‰|[^\d\s]{1,3})?$|^[<>=≥≤≧≦＞＜]")


def _weights_fit(form: Form) -> float:
    """1.0 when the rows' 分值 add up to the form's points (总分, or 总分 less the funds' 分值), falling
    to 0 as they miss: rows whose points sum to 267 of 100 are not the form's rows, however many."""
    weights = [float(i.weight) for i in form.indicators if i.weight is not None]
    if not weights:
        return 1.0
    total = float(form.total.weight) if form.total.weight else 100.0
    targets = [total]
    if form.funds.total.weight is not None:
        targets.append(total - float(form.funds.total.weight))
    miss = min(abs(sum(weights) - t) for t in targets) / total
    return max(0.0, 1.0 - miss)


_LOSS = frozenset({"value_unread", "row_without_values"})
# Issues a reading cannot cause when every printed cell found its place: the form's own sums that
# do not hold as printed, repairs of a value. A reading with only these is taken at once; any other
# issue (a row without points, a cell left over, weights that miss 总分, …) makes the other readings
# worth trying.
_NOT_THE_READING = frozenset({"no_points_columns", "funds_do_not_add_up", "doubtful_value", "block_weight_mismatch",
                              "funds_score_inconsistent", "page_number_dropped", "amount_repaired",
                              "amount_converted", "rate_as_fraction", "name_joined", "low_confidence", "unit_mismatch",
                              "full_score_on_missed_target", "scored_by_block", "text_ends_in_row",
                              # 执行率 ≠ 执行数 / 预算数: a fund row that lost cells is already placed by
                              # that arithmetic (align_fund_row); a mismatch left over is most often printed
                              "execution_rate_mismatch"})


def choose_reading(readings: Iterable[tuple[str, Callable[[], list[Form]]]]) -> Judged:
    """Read candidates in order, stop at the first consistent one, else return the most plausible."""
    best: Judged | None = None
    for name, read in readings:
        forms = read()
        score, consistent = plausibility(forms)
        if best is None or score > best.plausibility + max(READING_MARGIN, READING_MARGIN_SHARE * abs(best.plausibility)):
            best = Judged(name, forms, score, consistent)
            if consistent:
                return best
    assert best is not None, "at least one reading"
    return best
