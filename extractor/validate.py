"""Prove every number: validation rules over one form, each an Issue with a stable code.

Validation reports; it never changes a printed number. Codes (see README, "Validation codes"):
weights_do_not_sum, scores_do_not_sum, score_exceeds_weight, funds_do_not_add_up,
execution_rate_mismatch, funds_score_inconsistent, missing_level, unknown_level2, no_indicators,
missing_total, missing_field, doubtful_value (the fields that can explain a failed sum), and the
cross-field checks that catch what a reader alone cannot: unit_mismatch (the actual's unit is not the
target's), full_score_on_missed_target (noted as printed); and, holding a scan's reading to what the
template prints on every form (issue 12): number_grammar, total_incomplete, header_mismatch,
header_grammar, word_mismatch.
Tolerances follow what is printed (the precision of a rate, an amount, a score), from
`ValidationSettings`.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from extractor.form.codes import FIELDS
from extractor.form.vocabulary import FUND_BLOCK_LABELS, FUND_ROWS, breakdown_rows
from extractor.taxonomy import LEVEL1, is_known_level2
from models import Form, FundRow, Indicator, Issue


class ValidationSettings(BaseModel):
    """Tolerances of the rules; each follows the printed precision, plus these hairs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_total: Decimal = Field(Decimal(100), description="total weight when no 总分 row is printed")
    rate_hair: Decimal = Field(Decimal("0.01"), description="percent points beyond half a printed unit (rounding)")
    score_hair: Decimal = Field(Decimal("0.01"), description="points beyond the score's printed rounding")
    parts_ulps: Decimal = Field(Decimal("0.5"), description="units of the last printed place each fund part "
                                "may carry from being rounded on its own")
    label_overlap: float = Field(0.5, gt=0, le=1, description="how like a template row's name (difflib ratio) "
                                 "an unrecognised scanned fund row label must read to be taken for it misread")
    header_likeness: float = Field(0.85, gt=0, le=1, description="how like each other (difflib ratio) a scanned "
                                   "主管部门 and 实施单位 must read, short of equal, to be the same name misread")
    word_length: int = Field(4, ge=2, description="longest target word (优化, 健全有效) an actual one character off "
                             "is held to: a longer text may differ in a word on purpose")
    incomplete_share: float = Field(0.1, gt=0, le=1, description="share of the cells every form prints (each row's "
                                    "levels, points, score, target and actual; 项目名称 or 主管部门) left empty "
                                    "beyond which the form is said not to be read completely")


Rule = Callable[[Form, ValidationSettings], Iterator[Issue]]


_FUND_FIELDS = tuple(FundRow.model_fields)


def is_unread_fund_row(row: FundRow) -> bool:
    """`row == FundRow()` without building one to compare (a FundRow is every field None when unread)."""
    return type(row) is FundRow and all(getattr(row, name) is None for name in _FUND_FIELDS)


def _error(code: str, field: str | None, message: str) -> Issue:
    return Issue(code=code, severity="error", field=field, message=message)


def _warning(code: str, field: str | None, message: str) -> Issue:
    return Issue(code=code, severity="warning", field=field, message=message)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _ulp(value: Decimal) -> Decimal:
    """One unit of the last printed place: 0.01 for `9.78`, 1 for `9`."""
    return Decimal(1).scaleb(-_places(value))


def check_sums(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """Indicator weights plus the funds weight equal the total weight; scores likewise.

    Without a 总分 row the weights are held to 100 only from above: a form whose weights fall short
    and that prints no total ends early (a page cut off), which `missing_total` says.
    """
    if not form.indicators or _scored_by_block(form):
        return  # scored by block: the goals' points are in the 总分 and in no field
    for key, code in (("weight", "weights_do_not_sum"), ("score", "scores_do_not_sum")):
        total = getattr(form.total, key)
        expected = total if total is not None else settings.default_total if key == "weight" else None
        if expected is None:
            continue
        parts = [getattr(i, key) for i in form.indicators]
        if all(p is None for p in parts):
            continue
        funds_part = getattr(form.funds.total, key) or Decimal(0)
        found = sum((p for p in parts if p is not None), Decimal(0)) + funds_part
        if total is None and found < expected:
            continue
        if found != expected:
            what = "weights" if key == "weight" else "scores"
            yield _error(code, "indicators",
                         f"indicator {what} sum to {_fmt(found - funds_part)}, plus {_fmt(funds_part)} for funds "
                         f"makes {_fmt(found)}, expected {_fmt(expected)} (总分)")
            yield from _suspects(form, key, expected - found)


def _scored_by_block(form: Form) -> bool:
    return any(i.code == "scored_by_block" for i in form.issues)


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


def check_score_within_weight(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
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


def check_fund_totals(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """年度资金总额 equals the sum of its parts where the parts are printed.

    Each part rounded on its own to the printed places (万元 to four decimals) may carry half a unit
    of that place: the sum may miss the total by that much per part, never more.
    """
    funds = form.funds
    parts: list[FundRow] = [funds.appropriation, funds.carryover, funds.other, *funds.more]
    for column in ("initial_budget", "annual_budget", "executed"):
        total = getattr(funds.total, column)
        values = [getattr(p, column) for p in parts]
        if total is None or all(v is None for v in values):
            continue
        found = sum((v for v in values if v is not None), Decimal(0))
        printed = [v for v in values if v] + [total]
        slack = settings.parts_ulps * max(_ulp(v) for v in printed) * sum(1 for v in values if v)
        if abs(found - total) > slack:
            yield _error("funds_do_not_add_up", f"funds.total.{column}",
                         f"{column}: parts sum to {_fmt(found)}, 年度资金总额 says {_fmt(total)}")
            for name in ("appropriation", "carryover", "other"):
                value = getattr(getattr(funds, name), column)
                if value:  # a printed non-zero part may be the misread one
                    yield _warning("doubtful_value", f"funds.{name}.{column}",
                                   f"{column} of {name} ({_fmt(value)}) does not add up with 年度资金总额")


def _tolerance(rate: Decimal, settings: ValidationSettings) -> Decimal:
    # Half a unit of the printed precision, plus a hair for rounding by the form's software.
    return _ulp(rate) / 2 + settings.rate_hair


def check_execution_rate(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """执行率 printed equals 全年执行数 / 全年预算数 computed, on every fund row that prints a rate."""
    funds = form.funds
    rows = [("total", funds.total), ("appropriation", funds.appropriation), ("carryover", funds.carryover),
            ("other", funds.other)] + [(f"more[{i}]", r) for i, r in enumerate(funds.more)]
    for name, row in rows:
        if row.execution_rate is None or row.executed is None or not row.annual_budget:
            continue
        computed = row.executed / row.annual_budget * 100
        # No rounding takes a rate at or below 100% above it (`100.001` for 100.00: a digit read in).
        beyond = computed <= 100 < row.execution_rate
        if beyond or abs(computed - row.execution_rate) > _tolerance(row.execution_rate, settings):
            yield _error("execution_rate_mismatch", f"funds.{name}.execution_rate",
                         f"执行率印为 {_fmt(row.execution_rate)}%，全年执行数 / 全年预算数 为 {computed:.2f}% / "
                         f"execution rate {_fmt(row.execution_rate)}% but executed/annual budget is {computed:.2f}%")


def check_funds_score(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """The funds score follows the rate: weight × min(rate, 100%), rounded either way to the places
    the score is printed with (forms floor as often as they round: 10 × 97.80% prints 9 or 9.78)."""
    row = form.funds.total
    if row.score is None or row.weight is None or row.execution_rate is None:
        return
    expected = row.weight * min(row.execution_rate, Decimal(100)) / 100
    ulp = _ulp(row.score)
    low = (expected - settings.score_hair).quantize(ulp, rounding=ROUND_FLOOR)
    high = (expected + settings.score_hair).quantize(ulp, rounding=ROUND_CEILING)
    if not low <= row.score <= high:
        yield _warning("funds_score_inconsistent", "funds.total.score",
                       f"funds score {_fmt(row.score)} but weight {_fmt(row.weight)} at "
                       f"{_fmt(row.execution_rate)}% gives {expected:.2f}")


def check_hierarchy(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
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


def check_completeness(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    if not form.indicators:
        yield _error("no_indicators", "indicators", "表中没有读到绩效指标 / the form has no indicator table")
    if form.total.weight is None and form.total.score is None and form.indicators:
        weights = sum((i.weight for i in form.indicators if i.weight is not None), Decimal(0))
        weights += form.funds.total.weight or Decimal(0)
        short = (f"；分值合计 {_fmt(weights)}，不足 {_fmt(settings.default_total)}，表格可能在此之前截断 / "
                 f"weights sum to {_fmt(weights)}: the form may be cut short") if weights < settings.default_total else ""
        yield _warning("missing_total", "total", f"没有总分行{short}" if short else "没有总分行 / no 总分 row was found")
    if not form.project_name and not form.department:
        for key in ("project_name", "department"):  # either may be the one the page lost
            yield _warning("missing_field", key, "项目名称和主管部门都没有读到 / neither 项目名称 nor 主管部门 was found")
    breakdowns = breakdown_rows(form.indicators)
    yield from _actuals_missing(form, breakdowns)
    if any(i.code == "no_points_columns" for i in form.issues):
        return  # the template prints no 分值/得分: a row without them lost nothing
    by_block = _scored_by_block(form)
    for i, ind in enumerate(form.indicators):
        if i in breakdowns:
            continue  # 其中…, or a sub-row under its parent: a breakdown of the row above, no points of its own
        for key in ("score",) if by_block else ("weight", "score"):  # no 分值 column: no weight to lose
            if getattr(ind, key) is None:
                yield _warning("missing_field", f"indicators[{i}].{key}", f"「{ind.level3 or ''}」缺少{FIELDS[key][0] if key in FIELDS else key} / {ind.level3!r} has no {key}")


def _actuals_missing(form: Form, breakdowns: set[int]) -> Iterator[Issue]:
    """A row with its 年度指标值 and no 实际完成值, where most rows print one: the column is the form's,
    so its empty cell is more likely a cell the reading lost (or joined into the target) than one left blank."""
    filled = sum(bool(i.actual) for i in form.indicators)
    if filled * 2 < len(form.indicators):
        return
    for i, ind in enumerate(form.indicators):
        if ind.target and not ind.actual and i not in breakdowns:
            yield _warning("missing_field", f"indicators[{i}].actual",
                           f"「{ind.level3 or ''}」有年度指标值，实际完成值为空 / {ind.level3!r} has a target and no actual")


_ROW_CELLS = ("level1", "level2", "weight", "score", "target", "actual")


def _rows_close(form: Form) -> bool:
    """Every row has its levels, points and score, and they sum (with the funds') to the printed 总分."""
    if form.total.weight is None or form.total.score is None or not form.indicators:
        return False
    if any(i.weight is None or i.score is None or not i.level1 or not i.level2 for i in form.indicators):
        return False
    weights = sum((i.weight for i in form.indicators), Decimal(0)) + (form.funds.total.weight or Decimal(0))
    scores = sum((i.score for i in form.indicators), Decimal(0)) + (form.funds.total.score or Decimal(0))
    return weights == form.total.weight and scores == form.total.score


def incompleteness(form: Form, settings: ValidationSettings | None = None) -> Issue | None:
    """A form whose reading left many of the cells every form prints empty: said once, as a whole,
    so that a partial reading is never taken for the form (asked of the chosen reading only)."""
    settings = settings or _DEFAULT_SETTINGS
    # Rows whose points and scores add up to the printed 总分 were all read: an empty target or actual
    # there is the page's own empty cell (a qualitative row), not a reading that lost it.
    keys = _ROW_CELLS[:4] if _rows_close(form) else _ROW_CELLS
    # A template that prints no 分值 (or no points at all) leaves those cells empty on every form.
    codes = {i.code for i in form.issues}
    unprinted = {"weight", "score"} if "no_points_columns" in codes else {"weight"} if "scored_by_block" in codes else set()
    keys = tuple(k for k in keys if k not in unprinted)
    empty = Counter(key for ind in form.indicators for key in keys
                    if getattr(ind, key) is None or getattr(ind, key) == "")
    cells = len(keys) * len(form.indicators) + 1
    missing = sum(empty.values()) + (not (form.project_name or form.department))
    if form.indicators and missing <= settings.incomplete_share * cells:
        return None
    what = "; ".join(f"{key} {n}/{len(form.indicators)}" for key, n in empty.most_common()) or "no indicator rows"
    return _warning("form_incomplete", None, f"表格未能完整读出：{missing}/{cells} 个应有的单元格为空 / the form was not "
                    f"read completely: {missing} of {cells} cells every form prints are empty ({what})")


def _overlap(label: str, words: tuple[str, ...]) -> float:
    """How much `label` reads like the best of `words` (difflib's ratio: in order, both lengths count)."""
    return max(difflib.SequenceMatcher(None, label, w, autojunk=False).ratio() for w in words)


def check_unnamed_fund_rows(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """A scanned fund row whose label is none of the template's, while the template row it most
    resembles stands empty: that row, its name misread (其中：当年财政披款), so its figures are not in
    the row a reviewer looks at; a row labelled with the block's own merged label (项目资金) had its
    name unread, and goes to the first empty row. Said on the empty row: the form was read short there."""
    # Each row by its full printed name: the short forms (财政资金) are in many a row's own name.
    empty = {key: words[:1] for key, words in FUND_ROWS if is_unread_fund_row(getattr(form.funds, key))}
    for row in form.funds.more:
        if not empty or not any(ref.source == "ocr" for ref in (row.provenance or {}).values()):
            continue
        label = _SPACES.sub("", row.label).removeprefix("其中").lstrip(":：")
        key = max(empty, key=lambda k: _overlap(label, empty[k]))
        if _overlap(label, empty[key]) < settings.label_overlap:
            if _overlap(label, FUND_BLOCK_LABELS) < settings.label_overlap:
                continue  # a row of its own (财政专户管理资金)
            key = next(iter(empty))  # the block's merged label stood in for the row's own, unread
        yield _warning("fund_row_unread", f"funds.{key}",
                       f"资金表「{row.label}」一行的行名不在表样之中，可能是读错的「{empty.pop(key)[0]}」行，"
                       f"该行数值未归入，请核对原件 / a fund row label read as {row.label!r} is likely the "
                       f"{key} row misread: its figures are not in that row")


# --- cross-field checks: what the reader alone cannot catch ------------------------------------------

# A quantity as targets and actuals print it: an operator, a number, a unit (`>170万㎡`, `≥90%`, `12.5公里`).
_QUANTITY = re.compile(r"^(?P<op>>=|<=|>|<|=)?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?P<unit>[^\d]{0,4})$")
_MAGNITUDE = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000)}
# Units by what they measure; a count word (个, 人次, 项) is not one of these: forms mix them freely.
_UNIT_KIND = {
    "㎡": ("area", "㎡"), "m²": ("area", "㎡"), "m2": ("area", "㎡"), "平方米": ("area", "㎡"), "平米": ("area", "㎡"),
    "亩": ("area", "亩"), "公顷": ("area", "公顷"), "km²": ("area", "km²"), "平方公里": ("area", "km²"),
    "m": ("length", "m"), "米": ("length", "m"), "km": ("length", "km"), "公里": ("length", "km"),
    "千米": ("length", "km"), "延米": ("length", "m"),
    "元": ("money", "元"), "万元": ("money", "万元"), "亿元": ("money", "亿元"),
    "%": ("percent", "%"), "百分比": ("percent", "%"),
    "吨": ("mass", "吨"), "t": ("mass", "吨"), "kg": ("mass", "kg"), "公斤": ("mass", "kg"), "千克": ("mass", "kg"),
}
# What OCR makes of a unit it half sees: ㎡ and m² lose the superscript and read as m.
_DEGRADED = {"㎡": ("m",), "km²": ("km",)}


_SPACES = re.compile(r"\s+")


class Quantity(NamedTuple):
    op: str
    number: Decimal
    unit: str  # canonical unit (`㎡`, `万元`, `%`), magnitude folded in for money
    kind: str | None  # area, length, money, percent, mass; None for a count word or no unit
    magnitude: Decimal


@lru_cache(maxsize=1 << 14)
def read_quantity(text: str | None) -> Quantity | None:
    """`>170万㎡` -> (>, 170, ㎡, area, 10000); None for a text that is not one quantity. Cached: forms
    print the same targets again and again."""
    if not text:
        return None
    m = _QUANTITY.match(_SPACES.sub("", text))
    if not m:
        return None
    try:
        number = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    unit = m.group("unit")
    magnitude = Decimal(1)
    if unit[:1] in _MAGNITUDE and unit not in _UNIT_KIND:
        magnitude, unit = _MAGNITUDE[unit[0]], unit[1:]
    kind, canonical = _UNIT_KIND.get(unit, (None, unit))
    return Quantity(m.group("op") or "", number, canonical, kind, magnitude)


# What an indicator's name says it measures (`河道养护面积` an area, `…合格率` a percentage).
_NAME_MEASURES = (("面积", "area"), ("长度", "length"), ("里程", "length"), ("率", "percent"), ("满意度", "percent"))


@lru_cache(maxsize=1 << 14)
def name_measure(name: str | None) -> str | None:
    text = _SPACES.sub("", name or "")
    return next((kind for word, kind in _NAME_MEASURES if text.endswith(word) or f"{word}(" in text), None)


def check_units(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """The actual is measured in the target's unit: `>170万㎡` against `182万m` is a unit misread on one side,
    and both in what the indicator's name measures (`河道养护面积` in `万m` is a misread of `万㎡`).

    The side whose unit is what OCR makes of the other's (㎡ read as m) is named; otherwise the row."""
    for i, ind in enumerate(form.indicators):
        target, actual = read_quantity(ind.target), read_quantity(ind.actual)
        measure = name_measure(ind.level3)
        if measure in ("area", "length"):  # a percentage name may still count (`覆盖率` in 个): not held
            for key, q in (("target", target), ("actual", actual)):
                if q is not None and q.kind is not None and q.kind != measure:
                    yield _warning("unit_mismatch", f"indicators[{i}].{key}",
                                   f"{ind.level3}：{getattr(ind, key)} 的单位与指标名称所计量的不符，请核对原件 / "
                                   f"{getattr(ind, key)!r} is not in a unit of what {ind.level3!r} measures")
            if (target and target.kind not in (None, measure)) or (actual and actual.kind not in (None, measure)):
                continue
        if target is None or actual is None or target.kind is None or actual.kind is None:
            continue
        if (target.kind, target.unit, target.magnitude) == (actual.kind, actual.unit, actual.magnitude):
            continue
        if actual.unit in _DEGRADED.get(target.unit, ()):
            where = f"indicators[{i}].actual"
        elif target.unit in _DEGRADED.get(actual.unit, ()):
            where = f"indicators[{i}].target"
        else:
            where = f"indicators[{i}]"
        yield _warning("unit_mismatch", where,
                       f"{ind.level3 or ''}：年度指标值 {ind.target} 与实际完成值 {ind.actual} 的单位不同，"
                       f"请核对原件 / target {ind.target!r} and actual {ind.actual!r} are in different units")


def _misses(target: Quantity, actual: Quantity) -> bool:
    """The actual is on the wrong side of the target. Forms print `>` for `>=` (`>34个` met by 34), so
    only a value beyond the bound misses it."""
    a, t = actual.number * actual.magnitude, target.number * target.magnitude
    return a < t if target.op in (">=", ">", "=") else a > t


def check_missed_targets(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """A full score on a target the actual misses, with no 偏差原因: noted as printed (forms do give it),
    and a scan's likeliest misread (`95%` read `85%`)."""
    for i, ind in enumerate(form.indicators):
        if ind.weight is None or ind.score != ind.weight or ind.deviation_note:
            continue
        target, actual = read_quantity(ind.target), read_quantity(ind.actual)
        if target is None or actual is None or not target.op or actual.op:
            continue  # an actual printed as a bound (`>1万人次`) meets a target of the same bound
        if (actual.kind, actual.unit, actual.magnitude) not in ((target.kind, target.unit, target.magnitude),
                                                                 (None, "", Decimal(1))):
            continue  # another unit: check_units says so
        if _misses(target, actual):
            yield _warning("full_score_on_missed_target", f"indicators[{i}].actual",
                           f"{ind.level3 or ''}：实际完成值 {ind.actual} 未达到年度指标值 {ind.target}，"
                           f"仍得满分 {_fmt(ind.score)}（按原表记录）/ actual {ind.actual!r} misses the target "
                           f"{ind.target!r} with full marks (as printed)")


_NO_DEVIATION = re.compile(r"无|未|没有|不存在|^[\W\d]*$")
_WHITESPACE = re.compile(r"\s+")
_VALUE_NOISE = re.compile(r"\s+|^(?:>=|<=|=|>|<)")


def check_notes(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """A 偏差原因 on a row without a deviation (full marks, the actual as the target) explains nothing:
    most often the end of the row's name, cut into the next column by a dump (`公共服务` | `水平提升情况`)."""
    for i, ind in enumerate(form.indicators):
        if not ind.deviation_note:
            continue  # most rows: no note, nothing to check
        note = _WHITESPACE.sub("", ind.deviation_note)
        if not note or _NO_DEVIATION.search(note) or ind.weight is None or ind.score != ind.weight:
            continue
        if ind.target and _norm_value(ind.target) == _norm_value(ind.actual):
            yield _warning("doubtful_value", f"indicators[{i}]",
                           f"{ind.level3 or ''}：满分且实际完成值与年度指标值相同，却有偏差原因「{note[:20]}」，"
                           f"可能是名称的后半截，请核对原件 / a deviation note on a row without a deviation")


def _norm_value(text: str | None) -> str:
    return _VALUE_NOISE.sub("", text or "")


# --- the reading: a scan's values held to their column's grammar --------------------------------------

_OPERATOR_LIKE = re.compile(r"[≈≠≒~～±]")  # operators no 年度指标值 uses: a misread of >= <= =
# A Latin letter where the sign stands (`N95%`): no target or actual starts so; the scan's shape test
# (vision.scan._signs_by_shape) did not tell the sign, so it is said rather than guessed.
_LETTER_FOR_SIGN = re.compile(r"^[A-Za-z]=?(?=\d)")
_SPECK = re.compile(r"^[.,:;·、'`．，：；]+|[.,:;·'`．，：；]+$")
_UNIT_JUNK = re.compile(r"[#@&*$^|\\]")
# Number grammar: no printed number starts `00` or `05` (a digit lost: `=00%` for `=100%`), and a
# magnitude word is followed by a unit, never a digit (`>170万2` for `>170万㎡`).
_LEADING_ZERO = re.compile(r"^(?:>=|<=|=|>|<|≥|≤)?0\d")
_DIGIT_FOR_UNIT = re.compile(r"\d[万亿千]\d+$")
_CJK_DOT = re.compile(r"(?<=[\u4e00-\u9fff])[·•∙.．](?=[\u4e00-\u9fff])")


def _is_ocr(refs: dict | None, *keys: str) -> bool:
    return any(refs and k in refs and refs[k].source == "ocr" for k in keys)


def _grammar_doubt(value: str, measure: str | None, other: Quantity | None) -> str | None:
    """Why a target or actual read by OCR does not fit its column's grammar, or None when it fits."""
    if _SPECK.search(value) and read_quantity(_SPECK.sub("", value)) is not None:
        return "数值旁有多余的标点（可能是污点）"
    if _OPERATOR_LIKE.search(value):
        return "含年度指标值不用的符号（可能是 ≥、≤、= 的误识）"
    if _LETTER_FOR_SIGN.match(value):
        return "数值前是字母（可能是 ≥、≤ 的误识）"
    if _UNIT_JUNK.search(value):
        return "单位中有不应出现的符号"
    q = read_quantity(value)
    if q is None:
        return None
    if q.kind is None and not q.unit and (measure == "area" and q.magnitude != 1):
        return "带“万”却没有单位，指标名称计量面积"
    if q.kind is None and not q.unit and q.magnitude == 1 and (
            measure == "percent" or (other is not None and other.kind == "percent")) and q.number > 100:
        return "百分比指标的数值超过 100 且没有 %（% 可能被识别为数字）"
    return None


def _number_grammar(value: str) -> str | None:
    """Why a scanned target or actual breaks the grammar of a printed number, or None."""
    compact = _SPACES.sub("", value)
    if _LEADING_ZERO.search(compact):
        return "数值以多余的 0 开头（可能漏读了一位数字）"
    if _DIGIT_FOR_UNIT.search(compact):
        return "数量级“万”“亿”之后是数字（单位可能被识别为数字，如 ㎡ 读作 2）"
    return None


def check_reading(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """Values read by OCR held to their column's grammar: an operator, a number, a unit that fits the
    indicator; a speck, a stray symbol or a lost unit makes the value doubtful (never changed here)."""
    for i, ind in enumerate(form.indicators):
        refs = ind.provenance
        if not refs:
            continue  # text and text-layer values: nothing read by OCR on this row
        measure = name_measure(ind.level3)
        for key, roles, other in (("target", ("target", "target_op", "target_unit"), ind.actual),
                                  ("actual", ("actual",), ind.target)):
            value = getattr(ind, key)
            if not value or not _is_ocr(refs, *roles):
                continue
            if why := _number_grammar(value):
                yield _warning("number_grammar", f"indicators[{i}].{key}", f"{value}：{why}，请核对原件 / "
                               f"{value!r} is not how a number is printed")
            elif why := _grammar_doubt(value, measure, read_quantity(other)):
                yield _warning("doubtful_value", f"indicators[{i}].{key}", f"{value}：{why}，请核对原件 / "
                               f"{value!r} does not fit the column's grammar")
        if ind.level3 and _is_ocr(refs, "name") and (_CJK_DOT.search(ind.level3) or _SPECK.match(ind.level3)):
            yield _warning("doubtful_value", f"indicators[{i}].level3",
                           f"{ind.level3}：名称中有多余的标点（可能是污点），请核对原件 / a speck in the name")


# --- a scanned form held to its own structure: what the template prints on every form ------------------

_YEAR_PREFIX = re.compile(r"^\d{4}年")
_NUMBER_PREFIX = re.compile(r"^\d+")
_PARENTHESISED = re.compile(r"[(（][^)）]*[)）]$")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")


def is_scanned(form: Form) -> bool:
    """Any field of the form read by OCR: the checks below hold a scan's reading to the template."""
    rows: list[Indicator | FundRow] = [*form.indicators, form.funds.total, form.funds.appropriation,
                                       form.funds.carryover, form.funds.other, *form.funds.more]
    return any(ref.source == "ocr" for row in rows for ref in (row.provenance or {}).values())


def check_total_row(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """A 总分 row prints its weight and its score: one without the other, on a form whose indicators are
    scored or that was scanned (a whole 得分 column can go unread), was read short, not printed so."""
    if not form.indicators or not (any(i.score is not None for i in form.indicators) or is_scanned(form)):
        return  # an unscored printed form (a template filled in part) prints no total score either
    for key, other in (("weight", "score"), ("score", "weight")):
        if key == "weight" and _scored_by_block(form):
            continue  # 自评得分 alone: the form prints the total it scored, not the points it had
        if getattr(form.total, key) is None and getattr(form.total, other) is not None:
            yield _warning("total_incomplete", f"total.{key}",
                           f"总分行只读到{'分值' if other == 'weight' else '得分'}，"
                           f"{'分值' if key == 'weight' else '得分'}未读到，请核对原件 / the 总分 row's {key} was not read")


def check_scanned_header(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """A scan's header read against itself: 实施单位 is mostly 主管部门 itself (with `(本部)`), so two
    names a character apart are one name misread; a project name does not start with a number other
    than its year (a page number read into it); and every form prints its year in its title."""
    if not is_scanned(form):
        return
    dept = _SPACES.sub("", form.department or "")
    unit = _PARENTHESISED.sub("", _SPACES.sub("", form.implementing_unit or ""))
    if dept and unit and dept != unit and not unit.startswith(dept) and not dept.startswith(unit):
        if difflib.SequenceMatcher(None, dept, unit, autojunk=False).ratio() >= settings.header_likeness:
            for key in ("department", "implementing_unit"):  # either may be the misread one
                yield _warning("header_mismatch", key,
                               f"主管部门「{form.department}」与实施单位「{form.implementing_unit}」只差个别字，"
                               f"可能有一处识别有误，请核对原件 / 主管部门 and 实施单位 differ by a character")
    name = _SPACES.sub("", form.project_name or "")
    if _NUMBER_PREFIX.match(name) and not _YEAR_PREFIX.match(name):
        yield _warning("header_grammar", "project_name",
                       f"项目名称「{form.project_name}」以数字开头（可能混入了页码），请核对原件 / "
                       f"the project name starts with a number (a page number read into it?)")
    if form.year is None and form.indicators:
        yield _warning("missing_field", "year", "没有读到年度 / the form's year was not read")
    if form.indicators and not form.goals.expected and not form.goals.actual:
        for key in ("expected", "actual"):  # the template prints both; neither was read
            yield _warning("missing_field", f"goals.{key}", "没有读到年度总体目标 / no goal text was read")


def check_words(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """A scanned actual said in words repeats its target's word (优化 / 优化): two words of the same
    length one character apart (提升 / 提开, 健全有效 / 健全有致) are one of them misread."""
    for i, ind in enumerate(form.indicators):
        if not _is_ocr(ind.provenance, "target", "actual"):
            continue
        target, actual = _SPACES.sub("", ind.target or ""), _SPACES.sub("", ind.actual or "")
        if (len(target) == len(actual) <= settings.word_length and _CJK_WORD.match(target)
                and _CJK_WORD.match(actual) and sum(a != b for a, b in zip(target, actual, strict=True)) == 1):
            yield _warning("word_mismatch", f"indicators[{i}]",
                           f"{ind.level3 or ''}：实际完成值「{ind.actual}」与年度指标值「{ind.target}」只差一个字，"
                           f"可能有一处识别有误，请核对原件 / actual and target words differ by one character")


_GOAL_ITEM = re.compile(r"^\s*[（(]?(?:目标)?(\d{1,2}|[一二三四五六七八九十]{1,2})[.、，,:：)）]")
_CHINESE_DIGITS = "一二三四五六七八九十"


def _item_number(mark: str) -> int:
    return int(mark) if mark.isdigit() else _CHINESE_DIGITS.index(mark[-1]) + 1 + 10 * (len(mark) > 1)


def check_goal_split(form: Form, settings: ValidationSettings) -> Iterator[Issue]:
    """The 实际完成情况 text opening with item 2 (or later) while the 预期目标 text opens with item 1 goes
    on with the expected's numbering: the two texts were parted in the wrong place (a dump that ran both
    cells together leaves only the sentences to cut at)."""
    expected, actual = form.goals.expected or "", form.goals.actual or ""
    first, second = _GOAL_ITEM.match(expected), _GOAL_ITEM.match(actual)
    if not (first and second) or _item_number(first.group(1)) != 1 or _item_number(second.group(1)) == 1:
        return
    for key in ("expected", "actual"):
        yield _warning("doubtful_value", f"goals.{key}",
                       f"实际完成情况从第 {second.group(1)} 条开始，接着预期目标的编号：两段目标文字的分界可能有误，请核对原件 / "
                       "the actual text goes on with the expected text's numbering: the two may be parted wrongly")


RULES: tuple[Rule, ...] = (
    check_sums,
    check_score_within_weight,
    check_fund_totals,
    check_execution_rate,
    check_funds_score,
    check_hierarchy,
    check_completeness,
    check_unnamed_fund_rows,
    check_units,
    check_missed_targets,
    check_reading,
    check_notes,
    check_total_row,
    check_scanned_header,
    check_words,
    check_goal_split,
)


_DEFAULT_SETTINGS = ValidationSettings()  # frozen: one shared default, not a model built per form


def validate_form(form: Form, settings: ValidationSettings | None = None) -> list[Issue]:
    """Every rule's issues, without duplicates of issues the reader already raised."""
    settings = settings or _DEFAULT_SETTINGS
    seen = {(i.code, i.field) for i in form.issues}
    found = []
    for rule in RULES:
        for issue in rule(form, settings):
            if (issue.code, issue.field) not in seen:
                seen.add((issue.code, issue.field))
                found.append(issue)
    return found
