"""Per-field confidence that means something: how likely a value read from a scan is right.

The OCR engine's score for a cell (the mean of its characters' probabilities) is the prior; the form
adds evidence, each an odds factor on the chance that the value is wrong:
- an error or a doubt of validation names the field or its row (a unit that does not fit, a speck, a
  failed sum it can explain): more likely wrong, and capped whatever the engine said (it is as sure
  of `万m` misread from `万㎡` as of a right read);
- the actual agrees with the target (the same unit, or the same word: 及时 / 及时): less likely;
- the form's sums hold with the field in them (weights and scores to 总分, fund parts to 年度资金总额,
  执行率 to executed / budget): less likely;
- a printed dash, in a column that takes a number or a dash, is a dash whatever the engine made of
  its stroke (一, -, –, _, ~ at a low score): much less likely.
Fields end up with `provenance[...].confidence` (the engine's own score kept as `ocr_confidence`), and
a `low_confidence` warning where the combined confidence is below `doubt_below` and no other issue
already names the field. The factors are calibrated on `bench/bench_flags.py` (its reliability table).
Free texts (goal texts, the header's names) have no per-field confidence: on a degraded scan (a high share of
weak characters over the whole reading) they get a `scan_degraded` doubt instead (degraded_doubts).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from extractor.form.codes import is_note
from extractor.grid import Cell
from extractor.normalize import clean_text
from extractor.validate import read_quantity
from models import CellRef, Form, FundRow, Issue

# Provenance keys (the reader's column roles) -> the field they fill.
ROLE_FIELD = {"name": "level3", "note": "deviation_note", "target_op": "target", "target_unit": "target",
              "l1": "level1", "l2": "level2"}
INDICATOR_SUMS = frozenset({"weights_do_not_sum", "scores_do_not_sum", "score_exceeds_weight"})
FUND_SUMS = frozenset({"funds_do_not_add_up", "execution_rate_mismatch", "score_exceeds_weight",
                       "funds_score_inconsistent"})


class ConfidenceSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    doubt_below: float = Field(0.9, description="a field below this gets a low_confidence warning")
    floor: float = Field(0.02, description="lowest prior taken from the engine")
    ceiling: float = Field(0.9999, description="highest prior taken from the engine")
    named_odds: float = Field(40.0, description="error odds × this when an error or doubt names the field")
    named_cap: float = Field(0.4, description="highest confidence of a field an error or doubt names: the engine "
                             "is as sure of a misread unit as of a right one, and about half of the named "
                             "fields are wrong (bench_flags precision)")
    row_odds: float = Field(8.0, description="error odds × this when a doubt names only the field's row (one of "
                            "its fields, not known which)")
    agree_odds: float = Field(0.15, description="error odds × this when the actual agrees with the target")
    arithmetic_odds: float = Field(0.1, description="error odds × this when the form's sums hold with it")
    dash_odds: float = Field(0.02, description="error odds × this for a printed dash in a number column")
    char_doubt_below: float = Field(0.5, ge=0, le=1, description="a character of a goal text or an indicator "
                                    "name the engine read below this is doubtful (its own score, not the line's "
                                    "mean: one misread character in a long line hides in the mean)")
    confusable_marks: str = Field("：:", description="marks the engine reads for another when unsure: a colon "
                                  "it scores weak (below its weak mark) was a misread ；or 、 every time on the "
                                  "bench (11 of 11), while a weak ，。、； was mostly right")
    degraded_share: float = Field(0.018, ge=0, le=1, description="a scan is degraded when at least this share of "
                                  "its characters were read below the engine's weak mark: there every long goal "
                                  "text held a misread character (150 dpi heavy noise: 2.1–22 % weak; every "
                                  "300 and 200 dpi look: at most 1.5 %, bench_flags)")
    degraded_chars: float = Field(0.5, gt=0, description="on a degraded scan, a text is doubted when its length "
                                  "× the scan's weak share (the weak characters it may hold) reaches this")
    goal_doubt_below: float = Field(0.96, description="a goal text line read below this is doubtful: at 300 "
                                    "and 200 dpi every goal read right scored above it (bench_flags)")


def _named(where: str, field: str, issues: list[Issue]) -> str | None:
    """'field' when an error or doubt names the field itself, 'row' when only its row, else None."""
    fields = {i.field for i in issues if not is_note(i.code)}
    return "field" if f"{where}.{field}" in fields else "row" if where in fields else None


def _combine(prior: float, factors: list[float], settings: ConfidenceSettings) -> float:
    p = min(settings.ceiling, max(settings.floor, prior))
    odds = (1 - p) / p
    for factor in factors:
        odds *= factor
    return 1 / (1 + odds)


def _agrees(target: str | None, actual: str | None) -> bool:
    if not target or not actual:
        return False
    t, a = read_quantity(target), read_quantity(actual)
    if t is not None and a is not None:
        if (t.unit, t.magnitude) == (a.unit, a.magnitude) and t.unit:
            return True  # `>=90%` / `95%`: the same unit
        # `0` / `0起`: the same figure, one side without its count word
        return t.number * t.magnitude == a.number * a.magnitude and not (t.unit and a.unit)
    return t is None and a is None and target == actual  # 及时 / 及时


def _rate(ref: CellRef, settings: ConfidenceSettings, factors: list[float], where: str, field: str,
          issues: list[Issue], found: list[Issue], what: str) -> None:
    prior = ref.ocr_confidence if ref.ocr_confidence is not None else ref.confidence
    named = _named(where, field, issues)
    if named:
        factors = [*factors, settings.named_odds if named == "field" else settings.row_odds]
    confidence = _combine(prior, factors, settings)
    if named == "field":
        confidence = min(confidence, settings.named_cap)
    ref.ocr_confidence, ref.confidence = prior, round(confidence, 4)
    if confidence < settings.doubt_below and not named:
        found.append(Issue(code="low_confidence", severity="warning", field=f"{where}.{field}",
                           message=f"{what}：识别把握不足（{confidence:.2f}），请核对原件 / "
                                   f"read with confidence {confidence:.2f}"))


_DEFAULT_SETTINGS = ConfidenceSettings()  # frozen: one shared default, not a model built per form


def assess_confidence(form: Form, settings: ConfidenceSettings | None = None) -> list[Issue]:
    """Set every scanned field's combined confidence; the low_confidence warnings it gives."""
    settings = settings or _DEFAULT_SETTINGS
    issues = list(form.issues)
    codes = {i.code for i in issues}
    found: list[Issue] = []
    sums_hold = bool(form.indicators) and not codes & INDICATOR_SUMS and form.total.weight is not None
    for i, ind in enumerate(form.indicators):
        where = f"indicators[{i}]"
        for role, ref in (ind.provenance or {}).items():
            field = ROLE_FIELD.get(role, role)
            if ref.source != "ocr" or field in ("level1", "level2"):
                continue
            value = getattr(ind, field, None)
            factors = []
            if field in ("target", "actual") and _agrees(ind.target, ind.actual):
                factors.append(settings.agree_odds)
            if field in ("weight", "score") and sums_hold:
                factors.append(settings.arithmetic_odds)
            if value is None and field in ("weight", "score"):
                factors.append(settings.dash_odds)
            _rate(ref, settings, factors, where, field, issues, found, f"第 {i + 1} 行 {value if value is not None else '—'}")
    funds_hold = not codes & FUND_SUMS
    rows: list[tuple[str, FundRow]] = [(k, getattr(form.funds, k)) for k in ("total", "appropriation", "carryover", "other")]
    rows += [(f"more[{k}]", r) for k, r in enumerate(form.funds.more)]
    for name, row in rows:
        where = f"funds.{name}"
        for field, ref in (row.provenance or {}).items():
            if ref.source != "ocr" or field == "note":
                continue
            value = getattr(row, field, None)
            factors = []
            if value is None:
                factors.append(settings.dash_odds)  # read as a dash: a number column's empty mark
            elif funds_hold:
                factors.append(settings.arithmetic_odds)
            _rate(ref, settings, factors, where, field, issues, found, f"{value if value is not None else '—'}")
    return found


def weak_share(cells: list[Cell]) -> float | None:
    """The share of an OCR reading's characters the engine scored as weak (`Cell.weak`); None when no
    cell carries character scores (a text route, or an engine that scores lines only)."""
    scored = [c for c in cells if c.source == "ocr" and c.weak is not None]
    chars = sum(len(c.text) for c in scored)
    if not chars:
        return None
    return sum(1 for c in scored for w in c.weak or () if w.char) / chars


def degraded_doubts(form: Form, share: float | None, settings: ConfidenceSettings | None = None) -> list[Issue]:
    """On a degraded scan (`degraded_share`), each free text (goal texts, the header's names) not already
    doubted in which the scan's share of weak characters expects `degraded_chars` misread ones or more:
    a long text read from such a page is almost never right to the character, whatever its own
    characters scored."""
    settings = settings or _DEFAULT_SETTINGS
    if share is None or share < settings.degraded_share:
        return []
    named = {i.field for i in form.issues}
    texts = {f"goals.{k}": getattr(form.goals, k) for k in ("expected", "actual")}
    texts |= {k: getattr(form, k) for k in ("project_name", "department", "implementing_unit")}
    return [Issue(code="scan_degraded", severity="warning", field=key,
                  message=f"扫描质量差（{share:.1%} 的字符识别把握不足），这段文字很可能有误读，请核对原件 / "
                          f"a poor scan ({share:.1%} of characters read unsurely): check this text")
            for key, text in texts.items()
            if text and key not in named and share * len(text) >= settings.degraded_chars]


def review_priority(form: dict) -> tuple[int, int, float, int]:
    """Sort key for the review queue, most needy first: forms with errors (more errors first), then
    forms with doubts (the least sure field first, then more doubts), then forms with notes only."""
    issues = form.get("issues") or []
    errors = sum(i.get("severity") == "error" for i in issues)
    doubts = sum(i.get("severity") == "warning" and not is_note(i.get("code", "")) for i in issues)
    refs = [ref for row in [*(form.get("indicators") or []), *((form.get("funds") or {}).values())]
            if isinstance(row, dict) for ref in (row.get("provenance") or {}).values()]
    least = min((float(r.get("confidence", 1.0)) for r in refs), default=1.0)
    tier = 0 if errors else 1 if doubts else 2
    return tier, -errors, least if tier < 2 else 1.0, -doubts


# A numbered item (`2、`, `3.`) after a character, not a stop: the stop before it was lost.
_ITEM_WITHOUT_STOP = re.compile(r"(?<=[\u4e00-\u9fff])(?=(?:[1-9]|1\d)[、.．](?!\d))")
_ITEM = re.compile(r"(?<=[\u4e00-\u9fff。；;，,！!？?])(?:[1-9]|1\d)[、.．](?!\d)")
_STOPS = "。；;！!？?"


def char_doubts(cells: list[Cell], settings: ConfidenceSettings | None = None) -> list[str]:
    """The places of OCR cells the engine itself doubted, each said with the text around it: a
    character it read at a low score, or ink it read no character for (mostly a lost ，、。)."""
    settings = settings or _DEFAULT_SETTINGS
    out: list[str] = []
    for cell in cells:
        for w in cell.weak or ():
            if w.twice:
                said = f"「{w.before}」与前一段文字重叠，可能重复识别"
            elif w.char and (w.probability < settings.char_doubt_below or w.char in settings.confusable_marks):
                said = f"「{w.before}{w.char}{w.after}」中的「{w.char}」识别把握不足（{w.probability:.2f}）"
            elif w.char:
                continue
            elif w.before and w.after:
                said = f"「{w.before}」与「{w.after}」之间有墨迹未识别（可能漏了标点）"
            elif w.before:
                said = f"「{w.before}」之后有墨迹未识别（可能漏了标点）"
            else:
                said = f"「{w.after}」之前有墨迹未识别"
            if said not in out:
                out.append(said)
    return out


def goal_doubts(text: str, ocr: list[Cell], settings: ConfidenceSettings | None = None) -> list[str]:
    """Where a goal text read by OCR is really doubtful, said with the characters in question; none on
    a clean read. Three signs: a character the engine read unsurely or ink it read nothing for
    (char_doubts; a line read unsurely where the engine scores only lines), and the text's own punctuation grammar (numbered items each end
    with a stop, so a stop missing before `2、` or at the end was lost)."""
    settings = settings or _DEFAULT_SETTINGS
    if not ocr:
        return []
    # A line's mean score only where the engine told no character's own (their doubts say more).
    doubts = [f"「{clean_text(c.text)[:12]}…」一段识别把握不足（{c.confidence:.2f}）"
              for c in ocr if c.weak is None and c.confidence < settings.goal_doubt_below]
    doubts += char_doubts(ocr, settings)
    items = len(_ITEM.findall(text))
    missing = list(_ITEM_WITHOUT_STOP.finditer(text))
    # Only where the text's own items end with stops: a goal that never puts one before `2、` is its style.
    for m in missing if 2 * len(missing) < items else []:
        doubts.append(f"「{text[max(0, m.start() - 4):m.start()]}」与「{text[m.start():m.start() + 3]}」之间可能漏了句号")
    if sum(text.count(s) for s in _STOPS) and text and "\u4e00" <= text[-1] <= "\u9fff":
        doubts.append(f"结尾「{text[-4:]}」之后可能漏了句号")
    return doubts
