"""Text whose whitespace was lost -> cell tokens, by the form's vocabulary and value grammar.

Best effort for the worst dumps: `项目名称企业经济服务主管部门…数量指标补贴资格审核完成率=100%100%33…`.
The form's own words (keys, headers, taxonomy labels) are cut out first; what lies between them
is split by what it must be: amounts in the funds block, and in the indicator block a name, a
target and an actual followed by a run of digits that holds 分值 and 得分.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from extractor.form.vocabulary import (
    FUND_HEADER_ROLES,
    HEADER_WORDS,
    INDICATOR_HEADER_ROLES,
    META_KEYS,
    OTHER_KEYS,
    TABLE_END_WORDS,
)
from extractor.normalize import normalise_operators
from extractor.taxonomy import FUND_ROWS, LEVEL1, LEVEL2_PARENT

_KEYS = (*META_KEYS, *OTHER_KEYS, "年度总体目标", "预期目标",
         "实际完成情况", "总分", "绩效指标", *TABLE_END_WORDS)
_FUND_LABELS = tuple(f"{lead}{w}" for _, words in FUND_ROWS for w in words if w != "合计"
                     for lead in ("", "其中:", "其中：", "其中:本年", "其中：本年"))
_HEADERS = tuple(w for w in HEADER_WORDS if w != "单位")  # 单位 alone is too common inside names (单位成本)
_FUND_HEADERS = frozenset(w for _, words in FUND_HEADER_ROLES for w in words)
_FUND_ONLY = frozenset(w for _, words in FUND_HEADER_ROLES for w in words) - frozenset(
    w for _, words in INDICATOR_HEADER_ROLES for w in words)
_LABELS = tuple(LEVEL2_PARENT) + LEVEL1
_VOCAB = sorted(set(_KEYS + _FUND_LABELS + _HEADERS + _LABELS), key=len, reverse=True)
_WORD = re.compile(
    r"(?:财政)?(?:项目支出|部门整体支出|整体支出|项目)?绩效(?:目标)?自评表|[（(]\s*(?:19|20)\d{2}\s*年度\s*[)）]|项目资金\s*[（(](?:万元|元)[)）]"
    r"|[（(]\d+(?:\.\d+)?分[)）]|" + "|".join(re.escape(w) for w in _VOCAB)
)
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{2}|0(?=\d|$|\D)|[1-9]\d*")
_RATE = re.compile(r"\d{1,3}(?:\.\d+)?%")
_DASH = re.compile(r"—+|－|-(?!\d)|/")
_VALUE = re.compile(r"(?:>=|<=|[<>=≥≤≧≦＞＜＝])\s*\d+(?:\.\d+)?%?[^\d<>=≥≤]{0,4}?(?=\d|$|[<>=≥≤])|\d+(?:\.\d+)?%|\d+(?:\.\d+)?[个人次起天元项户家所场]")


_PAGE_COUNTER = re.compile(r"^(\d{1,3})、", re.MULTILINE)


def _drop_page_counters(text: str) -> str:
    """A document site numbers its pages at line starts (`1、…`, `2、…`, `3、…`, each line going on
    mid-cell): counters 1, 2, 3… in order are not text. Numbered items that do not run 1, 2, 3 from
    the first line stay."""
    found = list(_PAGE_COUNTER.finditer(text))
    if len(found) < 2 or [int(m.group(1)) for m in found] != list(range(1, len(found) + 1)):
        return text
    return _PAGE_COUNTER.sub("", text)


def split_unspaced(text: str) -> list[str]:
    text = normalise_operators(re.sub(r"\s+", "", _drop_page_counters(text)))
    tokens: list[str] = []
    # Amounts read so far in this form: parts of later rows repeat them. Per call, never shared:
    # a worker reads thousands of documents in one process.
    known: list[Decimal] = []
    section = "meta"
    position = 0
    points = True  # the indicator header printed 分值/得分 (some templates have neither)
    fund_rows_seen = False  # a fund row's label read: the funds' header words after it are a cell's text
    for match in _WORD.finditer(text):
        word = match.group(0)
        if section == "indicators" and word in _FUND_ONLY:
            continue  # 执行率 inside a name (…管理制度严格执行率): the funds' words mean nothing here
        if section == "funds" and fund_rows_seen and word in _FUND_HEADERS:
            continue  # 执行率*该指标分值,最高不得超过分值上限 (a 得分计算方法 cell): headers come before rows
        if word.endswith("自评表"):
            known.clear()
        if word in _FUND_LABELS:
            fund_rows_seen = True
        elif word.endswith("自评表") or word.startswith("项目资金") or section != "funds":
            fund_rows_seen = False
        _split_free(text[position:match.start()], section, tokens, known, points=points)
        tokens.append(word)
        if word in ("绩效指标", "一级指标"):
            points = _prints_points(text, match.end())
        section = _section_after(word, section)
        position = match.end()
    _split_free(text[position:], section, tokens, known, points=points)
    return _header_marks_joined(tokens)


_HEADER_MARK = re.compile(r"^[（(](?:[A-Za-z][A-Za-z/×*\d%+\-]*|\d+(?:\.\d+)?分)[)）]$")  # (A), (B/A), (10分)
_HEADER_SET = frozenset(_HEADERS)


def _header_marks_joined(tokens: list[str]) -> list[str]:
    """A column header's letters or points (年初预算数(A), 分值(10分)) are part of its cell."""
    out: list[str] = []
    for token in tokens:
        if out and _HEADER_MARK.match(token) and out[-1] in _HEADER_SET:
            out[-1] += token
        else:
            out.append(token)
    return out


_POINTS_HEADERS = tuple(w for role, words in INDICATOR_HEADER_ROLES if role in ("weight", "score") for w in words)
_HEADER_SPAN = 80  # characters after 绩效指标 that hold the indicator table's column headers


def _prints_points(text: str, start: int) -> bool:
    """Whether the indicator header that starts here names 分值 or 得分 (before its first label)."""
    head = text[start:start + _HEADER_SPAN]
    first_label = min((i for w in LEVEL1 if (i := head.find(w)) >= 0), default=len(head))
    return any(w in head[:first_label] for w in _POINTS_HEADERS)


def _section_after(word: str, section: str) -> str:
    if word.endswith("自评表"):
        return "meta"
    if word in _FUND_LABELS or word.startswith("项目资金") or word in ("年初预算数", "全年预算数", "全年执行数"):
        return "funds"
    if word in ("年度总体目标", "预期目标", "实际完成情况"):
        return "goals"
    if word in _LABELS or word in ("三级指标", "偏差原因分析及改进措施", "绩效指标") or word.startswith(("(", "（")):
        return "indicators" if section in ("indicators", "goals") or word in _LABELS or "指标" in word else section
    if word == "总分":
        return "total"
    return section


def _split_free(free: str, section: str, tokens: list[str], known: list[Decimal], *, points: bool = True) -> None:
    free = free.lstrip(":：")  # 实施单位:北京市… : the colon after a key is no part of its value
    if not free:
        return
    if section == "funds":
        for token in _rejoin_known(_split_amounts(free), known):
            tokens.extend(_split_known(token, known))
    elif section == "goals":
        tokens.extend(_split_goals(free))
    elif section == "indicators" and not points:
        tokens.extend(_split_pointless_rows(free))
    elif section in ("indicators", "total"):
        tokens.extend(_split_indicator_rows(free, total=section == "total"))
    else:
        tokens.append(free)


def _split_amounts(free: str) -> list[str]:
    """`149959700.00298052694.9610100.00%10` -> amounts, then 分值, 执行率, 得分."""
    percent = free.find("%")
    if starts := (_rate_starts(free, percent) if percent >= 0 else []):
        end = percent + 1
        # Of the numbers that may end at the % sign (480% or 80% in `80.564.480%`), the one that the
        # amounts before it bear out (64.4 / 80.5 is 80%) is the rate; failing that, the longest.
        for start in starts:
            before = free[:start]
            run = _AMOUNT_RUN.search(before)
            if run and before[:run.start()].endswith(","):
                continue  # 171,773,659.9810: the run is the tail of an amount with thousands commas
            if run and (parts := _split_by_rate(run.group(0), Decimal(free[start:percent]), after=free[end:])):
                return _split_amounts(before[:run.start()]) + parts + [free[start:end]] + _split_amounts(free[end:])
        return _split_amounts(free[:starts[0]]) + [free[starts[0]:end]] + _split_amounts(free[end:])
    out: list[str] = []
    i = 0
    while i < len(free):
        if m := _FORMULA.match(free, i) or _DASH.match(free, i):
            out.append(m.group(0))
            i = m.end()
        elif m := _AMOUNT.match(free, i):
            out.append(m.group(0))
            i = m.end()
        else:
            m = _NOT_AMOUNT.match(free, i)  # a label's words (其中:中央、省、市补助县级资金) stay one token
            out.append(m.group(0) if m else free[i])
            i = m.end() if m else i + 1
    return out


_FORMULA = re.compile(r"[（(][A-Za-z][A-Za-z/×*\d%+\-]*[)）]")  # (B/A), (B/A×100%): a header's letters
_AMOUNT_RUN = re.compile(r"[\d.]+$")
_NOT_AMOUNT = re.compile(r"[^\d—－\-/]+")
_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,2})?")
_MAX_RUN = 40  # three amounts of a fund row; anything longer is not one
RATE_TOLERANCE = Decimal("0.6")  # percentage points: a printed rate is rounded
SCORE_TOLERANCE = Decimal("0.1")  # a fund score printed to one decimal


def _split_by_rate(run: str, rate: Decimal, *, after: str = "") -> list[str] | None:
    """`194.9194.9` before `100%`: the cut (into budget, executed, or 年初, budget, executed) whose
    executed / budget is the printed rate. None unless exactly one cut agrees.

    Templates that print 分值 before 执行率 (`310.2154.741050%5`: A, B, 分值 10, 50%, 得分 5) put the
    weight between: a cut that ends in a weight is taken when the score after the rate bears it out
    (weight × rate = score)."""
    if len(run) > _MAX_RUN:
        return None
    if found := _amount_cuts(run, rate):
        return found
    score = _LEAD_NUMBER.match(after)
    for k in range(1, min(3, len(run) - 2) + 1):
        weight = run[-k:]
        if not (score and _ok(weight) and weight[0] != "0"):
            continue
        if abs(Decimal(weight) * min(rate, Decimal(100)) / 100 - Decimal(score.group(0))) <= SCORE_TOLERANCE:
            if parts := _amount_cuts(run[:-k], rate):
                return [*parts, weight]
    return None


_LEAD_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _amount_cuts(run: str, rate: Decimal) -> list[str] | None:
    found: list[list[str]] = []
    for i in range(1, len(run)):
        for j in [*range(i + 1, len(run)), None]:
            parts = [run[:i], run[i:j]] + ([run[j:]] if j is not None else [])
            if not all(_PLAIN_AMOUNT.fullmatch(p) for p in parts):
                continue
            budget, executed = Decimal(parts[-2]), Decimal(parts[-1])
            if budget > 0 and abs(executed / budget * 100 - rate) <= RATE_TOLERANCE:
                found.append(parts)
    if len(found) > 1:  # 1 | 94.91 | 94.9 also agrees: a budget beside it ten times smaller is no budget
        found = [parts for parts in found if min(map(Decimal, parts)) * 10 >= max(map(Decimal, parts))]
    return found[0] if len(found) == 1 else None


def _rejoin_known(tokens: list[str], known: list[Decimal]) -> list[str]:
    """Amounts cut by their digits' look (`310.21` `54.74`) that, run together again, are exactly
    amounts read above (310.2 and 154.74 in the total row): the row above decides."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _DIGITS.fullmatch(tokens[j]):
            j += 1
        if j - i >= 2 and (cut := _cut_known("".join(tokens[i:j]), known)) and cut != tokens[i:j]:
            out.extend(cut)
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return out


_DIGITS = re.compile(r"[\d.,]+")


def _cut_known(run: str, known: list[Decimal]) -> list[str] | None:
    """`run` cut into amounts that are all in `known` (the fewest parts), or None."""
    if not run:
        return []
    for k in range(len(run), 0, -1):
        head = run[:k]
        if (k == len(run) or run[k] not in ",0") and _decimal(head) in known and (rest := _cut_known(run[k:], known)) is not None:
            return [head, *rest]
    return None


def _split_known(token: str, known: list[Decimal]) -> list[str]:
    """`149959700298052694.96`: two amounts run together, told apart by amounts seen above."""
    value = _decimal(token)
    if value is None or value in known or len(token) < 6:
        if value is not None and len(token) >= 4:  # amounts, not weights or zeros
            known.append(value)
        return [token]
    for k in range(len(token) - 1, 0, -1):
        left = _decimal(token[:k])
        if left in known and token[k] not in ",0":
            rest = _split_known(token[k:], known)
            if all(_decimal(part) in known for part in rest):
                return [token[:k], *rest]
    known.append(value)
    return [token]


def _decimal(token: str) -> Decimal | None:
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


_ITEM = re.compile(r"(?:(?<=[。；;，,])|^)[（(]?(\d{1,2})[.、)）]")


_RATE_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,2})?")


def _rate_starts(free: str, percent: int) -> list[int]:
    """Where a rate ending at the % sign may start, longest first: no leading zero, at most three
    integer digits and two decimals (98.0%, not 098.0% or 1098.0%)."""
    return [start for start in range(max(0, percent - 12), percent)
            if _RATE_NUMBER.fullmatch(number := free[start:percent])
            and not (len(number.split(".")[0]) > 1 and number.startswith("0"))]


def _split_goals(free: str) -> list[str]:
    """Two texts run together. The second starts where the numbering restarts, or after the
    sentence that holds the last numbered item of the first; failing both, at its last sentence."""
    if "</p><p>" in free:  # paragraphs of an HTML export
        at = free.index("</p><p>") + len("</p>")
        return [free[:at], free[at:]]
    items = [(int(m.group(1)), m.start()) for m in _ITEM.finditer(free)]
    for (previous, _), (number, at) in zip(items, items[1:], strict=False):
        if number == 1 and previous > 1:
            return [free[:at], free[at:]]
    if len(items) > 1:
        end = free.find("。", items[-1][1])
        if 0 < end < len(free) - 1:
            return [free[:end + 1], free[end + 1:]]
    last = free.rfind("。", 0, len(free) - 1)
    return [free[:last + 1], free[last + 1:]] if last > 0 else [free]


_POINTS_RUN = re.compile(r"(\d+(?:\.\d+)?)(?=[^\d.%]|$)")


def _split_indicator_rows(free: str, *, total: bool = False) -> list[str]:
    """Rows `name target actual 分值得分`, each closed by the digits before the next name."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r"\d[\d.]*(?=[^\d.%]|$)", free):
        digits = m.group(0)
        if m.start() and free[m.start() - 1] in "<>=≥≤≧≦＞＜＝":
            continue  # the number of a target such as >=290万㎡
        unit = _UNIT_AFTER.match(free, m.end())
        if unit and (unit.end() == len(free) or free[unit.end()].isdigit() or free[unit.end()] in "<>="):
            continue  # `3个`, `290万元` is a value with its unit, not the points
        points = _points(digits, total=total)
        if points is None:
            continue
        actual_digits, weight, score = points
        body = free[start:m.start()] + actual_digits
        out.extend(_split_row_body(body))
        out.extend([weight, score])
        start = m.end()
    if start < len(free):
        out.append(free[start:])
    return out


# A value of a row without points: a number with its unit when another value follows at once
# (12座12座, 30公里28公里, 100%100%); a number inside a name (5000吨稻谷) is followed by words.
_PAIRED_VALUE = re.compile(r"(?:[<>=≥≤]\s*)?\d+(?:\.\d+)?(?:%|[\u4e00-\u9fff㎡]{1,3}(?=[<>=≥≤]?\d))?")
_UNIT_OF = re.compile(r"[\u4e00-\u9fff㎡]{1,3}$")


def _split_pointless_rows(free: str) -> list[str]:
    """Rows `name target actual` of a template without 分值/得分: a row ends where a value is followed at
    once by another; the actual takes the target's unit when the text goes on with it."""
    out: list[str] = []
    start = 0
    values = list(_PAIRED_VALUE.finditer(free))
    i = 0
    while i < len(values) - 1:
        first, second = values[i], values[i + 1]
        if second.start() == first.end() and first.start() > start:
            actual, end = second.group(0), second.end()
            if (unit := _UNIT_OF.search(first.group(0))) and free.startswith(unit.group(0), end):
                actual, end = actual + unit.group(0), end + len(unit.group(0))
            out.extend(_split_name_values_tail(free[start:first.start()]) + [first.group(0), actual])
            start = end
            i += 2
        else:
            i += 1
    rest = free[start:]
    if rest:
        out.extend(_split_row_body(rest))
    return out


def _split_name_values_tail(name: str) -> list[str]:
    return [name]


_UNIT_AFTER = re.compile(r"万元|万㎡|万人次|万人|人次|平方米|公里|千米|小时|分钟|[个人次起天元万项户家所场㎡年月日份台套件吨亩]")


TYPICAL_WEIGHT = 30  # an indicator's 分值 rarely exceeds this; the 总分 row is split separately


def _points(digits: str, *, total: bool = False) -> tuple[str, str, str] | None:
    """Split a run of digits and points into (digits that end the actual value, 分值, 得分).

    In order of likelihood: equal halves (`33`, `1010`, `5.55.5`); 分值 >= 得分 with a typical
    weight (`54`, `10099.53` in the 总分 row); digits of the actual before equal halves
    (`>=2次` `4` `44`); any 分值 >= 得分.
    """
    splits = [(digits[:k], digits[k:]) for k in range(len(digits) - 1, 0, -1)]
    plausible = [(w, s) for w, s in splits if _ok(w) and _ok(s) and Decimal(s) <= Decimal(w)]
    half = len(digits) // 2
    if len(digits) % 2 == 0 and digits[:half] == digits[half:] and _ok(digits[:half]):
        return "", digits[:half], digits[half:]
    limit = 100 if total else TYPICAL_WEIGHT
    for w, s in plausible:
        if Decimal(w) <= limit:
            return "", w, s
    for lead in range(1, len(digits) - 1):
        rest = digits[lead:]
        half = len(rest) // 2
        if len(rest) % 2 == 0 and rest[:half] == rest[half:] and _ok(rest[:half]):
            return digits[:lead], rest[:half], rest[half:]
    return ("", *plausible[0]) if plausible else None


def _ok(number: str) -> bool:
    """A plausible 分值/得分: 0–100, at most one decimal point, no leading zero (`05`), no bare dot."""
    if not re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?", number):
        return False
    return Decimal(number) <= 100


def _split_row_body(body: str) -> list[str]:
    """`补贴资格审核完成率=100%100%` -> name, target, actual; `补贴发放及时性及时及时` likewise."""
    values = list(_VALUE.finditer(body))
    if values:
        first = values[0]
        name = body[:first.start()]
        parts = [v.group(0) for v in values]
        tail = body[values[-1].end():]
        if tail:
            parts.append(tail)
        if len(parts) == 1 and name:
            target, actual = _split_doubled(name)
            if target and actual and not _VALUE.match(parts[0]):
                return [target, actual, parts[0]]
        return [name, *parts] if name else parts
    name, target, actual = _split_name_values(body)
    return [t for t in (name, target, actual) if t]


def _split_doubled(text: str) -> tuple[str, str]:
    return text, ""


def _split_name_values(body: str) -> tuple[str, str, str]:
    """The longest tail `A B` where the actual B repeats the target A or ends it (能发现并提出发现并提出)."""
    n = len(body)
    for k in range(min(12, n // 3), 0, -1):  # k: length of the actual
        actual = body[n - k:]
        for extra in range(0, 4):
            m = k + extra
            target = body[n - k - m:n - k]
            if len(target) == m and target.endswith(actual) and n - k - m >= 2:
                return body[:n - k - m], target, actual
    return body, "", ""
