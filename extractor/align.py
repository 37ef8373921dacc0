"""Align the cells of one table row to the columns its header declares.

Text dumps shift cells: a name lands in the 二级指标 column, an empty cell goes missing, a page break
adds a column. Positions cannot be trusted, but the order of the columns and the kind of value each
holds can. A small dynamic programme assigns cells to roles in order, rewarding cells whose content
fits the role (a number for 分值, words for a name) and penalising cells it has to skip.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from extractor.form.vocabulary import SCAFFOLD
from extractor.grid import Cell
from extractor.normalize import (
    compact,
    is_blank_value,
    looks_like_amount,
    looks_numeric,
    parse_number,
    parse_rate,
)

NEG = float("-inf")
SKIP_FILLED = -4.0  # dropping a non-empty cell is costly: it loses printed content

Fit = Callable[[str], float]


_VALUE_LIKE = re.compile(r"^(?:[<>=≥≤≧≦＞＜＝]|\d)")


def fit_name(text: str) -> float:
    if not text:
        return 0.0
    if looks_numeric(text):
        return -1.0
    return 0.5 if _VALUE_LIKE.match(text) else 3.0  # `0起`, `>=90%` read like values, not names


MAX_POINTS = 100  # a weight or score above the form's total of 100 points is not a weight or score


def fit_points(text: str) -> float:
    if not text or is_blank_value(text):
        return 0.0
    try:
        value = parse_number(text)
    except ValueError:
        return NEG
    if value is not None and value == 0 and "." in text:
        return 2.5  # 0.00 is how an amount prints nothing; a weight or score of none is 0 or —
    return 3.0 if value is not None and 0 <= value <= MAX_POINTS else NEG


def fit_rate(text: str) -> float:
    if not text or is_blank_value(text):
        return 0.0
    if "," in text and "%" not in text:
        return NEG  # 5,539,168.42: a grouped amount is no rate
    try:
        return 3.0 if parse_rate(text) is not None else 0.0  # specks beside it as the rate's grammar allows
    except ValueError:
        return NEG


def fit_amount(text: str) -> float:
    if not text or is_blank_value(text):
        return 0.0
    return 3.0 if looks_like_amount(text) else NEG


def fit_any(text: str) -> float:
    return 1.0 if text else 0.0


_OPERATOR = re.compile(r"^(?:>=|<=|>|<|=|≥|≤|≧|≦|＞|＜|＝|﹦|═|定性|定量|正向|反向)$")
# Units printed in a 度量单位 column. Anything else there is more likely a shifted value.
MEASURE_UNITS = frozenset(
    "% ‰ 个 人 人次 次 天 日 月 年 小时 分钟 万元 元 亿元 平方米 ㎡ 万㎡ 公里 千米 米 份 项 户 家 台 套 件 册 场 期 "
    "篇 条 座 所 批 吨 亩 万人 万人次 辆 张 处 名 起 本 种 门 课时 学时 床 间 km m".split()
)


def fit_operator(text: str) -> float:
    if not text:
        return 0.0
    return 1.5 if _OPERATOR.match(compact(text)) else -0.5


def fit_unit(text: str) -> float:
    if not text:
        return 0.0
    return 1.2 if compact(text) in MEASURE_UNITS else 0.2


def fit_name_part(text: str) -> float:
    # The second half of a name split over a page break (stream dumps only). Costly, so it is
    # used only when the alternative is dropping a printed word.
    if not text:
        return 0.0
    return -2.5 if not looks_numeric(text) and len(text) <= 20 else NEG


def fit_note(text: str) -> float:
    if SCAFFOLD.match(compact(text)):
        return NEG  # 指标2 or …… is the template's next stub row, not this row's note
    return 0.5 if text else 0.0


def fit_note_part(text: str) -> float:
    # The rest of a note that ran over two lines (stream dumps only): costly, so it is used only
    # when the alternative is dropping a printed word.
    if not text:
        return 0.0
    return NEG if SCAFFOLD.match(compact(text)) or looks_numeric(text) else -1.0


def fit_label(text: str) -> float:
    # Only unrecognised labels get here (known ones are taken out before alignment). Names end
    # in 指标 too (新增耕地面积指标), so a label costs something: it wins only when reading the cell
    # as the name would leave another printed cell with no place.
    return -1.5 if text.endswith("指标") else NEG if text else 0.0


ROLE_FIT: dict[str, Fit] = {
    "l1": fit_label,
    "l2": fit_label,
    "name": fit_name,
    "name2": fit_name_part,
    "target_op": fit_operator,
    "target": fit_any,
    "target_unit": fit_unit,
    "actual": fit_any,
    "weight": fit_points,
    "score": fit_points,
    "note": fit_note,
    "note2": fit_note_part,
    "aside": fit_note,  # a column the contract does not keep (得分计算方法, 佐证资料): any text
    "initial_budget": fit_amount,
    "annual_budget": fit_amount,
    "executed": fit_amount,
    "execution_rate": fit_rate,
}


@dataclass(frozen=True, slots=True)
class Aligned:
    by_role: dict[str, Cell]
    skipped: list[Cell]  # non-empty cells that fit no role


@lru_cache(maxsize=1 << 16)
def _fit(role: str, text: str) -> float:
    return ROLE_FIT[role](text)


def _place(cells: Sequence[Cell], texts: list[str], role_at: dict[int, str]) -> dict[str, Cell] | None:
    by_role: dict[str, Cell] = {}
    for cell, text in zip(cells, texts, strict=True):
        if not text:
            continue
        role = role_at.get(cell.col)
        if role is None or _fit(role, text) <= 0:
            return None
        by_role[role] = cell
    return by_role


@lru_cache(maxsize=256)
def _shifted_columns(columns: tuple[tuple[str, int], ...], roles: tuple[str, ...]) -> tuple[dict[int, str], ...]:
    """Column -> role as the header printed them, then shifted by one either way: a dump may add or
    drop one leading column (绩效指标) per row. Made once per header (a form's rows share it); the
    maps are only read."""
    return tuple({col + shift: role for role, col in columns if role in roles} for shift in (0, 1, -1))


def _align_by_position(cells: Sequence[Cell], texts: list[str], roles: Sequence[str],
                       columns: dict[str, int]) -> Aligned | None:
    """The common case, cheaply: every printed cell sits in its header's column and fits it."""
    if not columns:
        return None
    for role_at in _shifted_columns(tuple(columns.items()), tuple(roles)):
        by_role = _place(cells, texts, role_at)
        if by_role is not None:
            break
    else:
        return None
    # 分值 without 得分 (or the reverse) is the mark of a row shifted by one column: let the
    # content decide.
    # So is a row with values but neither: a dump that dropped empty cells moved them left.
    if "weight" in roles and "score" in roles:
        points = [r for r in ("weight", "score") if r in by_role and not is_blank_value(by_role[r].text)]
        if len(points) == 1 or (not points and sum(r not in ("l1", "l2", "name") for r in by_role) >= 2):
            return None
    return Aligned(by_role=by_role, skipped=[])


POSITION_BONUS = 0.25  # breaks ties in favour of the column the header printed the role in


def align_texts(texts: Sequence[str], roles: Sequence[str], role_columns: Sequence[int] | None = None,
                text_columns: Sequence[int] | None = None) -> tuple[float, list[int | None]]:
    """The dynamic programme: best score, and for each (non-empty) text its role index or None."""
    n, m = len(texts), len(roles)
    role_key = tuple(roles)
    if not role_columns and n <= MAX_SHARED_TEXTS:
        return _align_shared(role_key, tuple(texts))
    # best[i][j]: best score aligning texts[i:] to roles[j:]; move: 0 skip text, 1 skip role, 2 assign
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[1] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        best[i][m], move[i][m] = best[i + 1][m] + SKIP_FILLED, 0
    backwards = range(m - 1, -1, -1)
    # The roles printed in each column (most columns one role): where a text's position bonus goes.
    at_column: dict[int, list[int]] = {}
    for j, c in enumerate(role_columns[:m] if role_columns else ()):
        at_column.setdefault(c, []).append(j)
    for i in range(n - 1, -1, -1):
        fits = _fits(role_key, texts[i])
        if role_columns and (at := at_column.get(text_columns[i] if text_columns else -2)):
            fits = list(fits)
            for j in at:
                if fits[j] != NEG:
                    fits[j] += POSITION_BONUS
        row_best, row_move, next_best = best[i], move[i], best[i + 1]
        for j in backwards:
            score, action = next_best[j] + SKIP_FILLED, 0
            if row_best[j + 1] >= score:  # skipping a role beats dropping printed content on ties
                score, action = row_best[j + 1], 1
            fit = fits[j]
            if fit != NEG and next_best[j + 1] + fit >= score:  # prefer assigning on ties
                score, action = next_best[j + 1] + fit, 2
            row_best[j], row_move[j] = score, action
    return best[0][0], _trace(move, n, m)


def _trace(moves: Sequence[Sequence[int]], n: int, m: int) -> list[int | None]:
    """The programme's path: for each text its role index, or None where the text was skipped."""
    placed: list[int | None] = []
    i = j = 0
    while i < n:
        action = moves[i][j] if j < m else 0
        if action == 2:
            placed.append(j)
            i, j = i + 1, j + 1
        elif action == 1:
            j += 1
        else:
            placed.append(None)
            i += 1
    return placed


# Without columns (a stream's candidate rows) the programme's rows are shared: the row for texts[i:]
# depends on those texts alone, and the candidate rows ending at one token are suffixes of each other.
MAX_SHARED_TEXTS = 64  # a longer run of texts takes the plain programme (the shared one recurses)


def _align_shared(roles: tuple[str, ...], texts: tuple[str, ...]) -> tuple[float, list[int | None]]:
    n, m = len(texts), len(roles)
    moves = [_suffix_row(roles, texts[i:])[1] for i in range(n)]
    return _suffix_row(roles, texts)[0][0], _trace(moves, n, m)


@lru_cache(maxsize=1 << 14)
def _suffix_row(roles: tuple[str, ...], texts: tuple[str, ...]) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """align_texts' row for `texts` (best score and move from each role on), built on the row of
    texts[1:]: the same arithmetic in the same order, so the same result."""
    m = len(roles)
    if not texts:
        return (0.0,) * (m + 1), (1,) * (m + 1)
    next_best = _suffix_row(roles, texts[1:])[0]
    fits = _fits(roles, texts[0])
    row_best, row_move = [0.0] * (m + 1), [1] * (m + 1)
    row_best[m], row_move[m] = next_best[m] + SKIP_FILLED, 0
    for j in range(m - 1, -1, -1):
        score, action = next_best[j] + SKIP_FILLED, 0
        if row_best[j + 1] >= score:
            score, action = row_best[j + 1], 1
        fit = fits[j]
        if fit != NEG and next_best[j + 1] + fit >= score:
            score, action = next_best[j + 1] + fit, 2
        row_best[j], row_move[j] = score, action
    return tuple(row_best), tuple(row_move)


@lru_cache(maxsize=1 << 16)
def _fits(roles: tuple[str, ...], text: str) -> tuple[float, ...]:
    """How well `text` fits each role, in order: a text meets the same roles in many candidate rows."""
    return tuple(_fit(role, text) for role in roles)


def align_row(cells: Sequence[Cell], roles: Sequence[str], columns: dict[str, int] | None = None) -> Aligned:
    """Assign `cells` (in order) to `roles` (in order); every role gets at most one cell.

    `columns` gives the header's column for each role, when known; content decides, position only
    breaks ties.
    """
    texts = [c.text.strip() for c in cells]
    columns = columns or {}
    if (fast := _align_by_position(cells, texts, roles, columns)) is not None:
        return fast
    # Empty cells score nothing wherever they go, so only printed cells take part.
    filled = [cell for cell, text in zip(cells, texts, strict=True) if text]
    _score, placed = align_texts([c.text.strip() for c in filled], roles,
                                 [columns.get(r, -1) for r in roles], [c.col for c in filled])
    by_role: dict[str, Cell] = {}
    skipped: list[Cell] = []
    for cell, role in zip(filled, placed, strict=True):
        if role is None:
            skipped.append(cell)
        else:
            by_role[roles[role]] = cell
    return Aligned(by_role=by_role, skipped=skipped)


# --- fund rows: the row's own arithmetic picks the columns -----------------------------------------

ARITHMETIC_AGREES = 4.0  # the rate equals executed / budget: stronger evidence than any cell's look
ARITHMETIC_DISAGREES = -4.0
ARITHMETIC_MARGIN = 2.0


def align_fund_row(cells: Sequence[Cell], roles: Sequence[str], columns: dict[str, int] | None = None) -> Aligned:
    """A fund row that lost empty cells (年度资金总额 32.4 31.69 10 97.80% 9 under six columns) is
    ambiguous by position; the row's arithmetic is not: 执行率 = 全年执行数 / 全年预算数, 得分 <= 分值,
    得分 = 分值 × 执行率. Every order-keeping assignment of the printed cells is judged by fit plus
    arithmetic; the position-true reading wins ties."""
    filled = [c for c in cells if c.text.strip()]
    if (rejoined := _rejoin_cut_amounts(filled, roles, columns)) is not None:
        return rejoined
    return _align_fund_cells(cells, filled, roles, columns)


def _align_fund_cells(cells: Sequence[Cell], filled: list[Cell], roles: Sequence[str],
                      columns: dict[str, int] | None) -> Aligned:
    first = align_row(cells, roles, columns)
    if not filled or len(filled) >= len(roles) or len(filled) > 8:
        return first
    if columns and not first.skipped and all(columns.get(role) == cell.col for role, cell in first.by_role.items()):
        return first  # every cell sits under its own header: the dump kept its columns
    # Another reading must win by arithmetic, not by looks alone.
    best, best_score = first, _fund_score(first.by_role) + ARITHMETIC_MARGIN
    texts = [cell.text.strip() for cell in filled]
    numbers = [_number(cell.text) for cell in filled]
    fit = [[_fit(role, text) for text in texts] for role in roles]  # fit[role][cell], looked up once
    distinct = len(set(roles)) == len(roles)  # else a later cell replaces an earlier one under its role
    for chosen in combinations(range(len(roles)), len(filled)):
        if distinct:
            placed = [(roles[j], fit[j][k], numbers[k]) for k, j in enumerate(chosen)]
            if any(f == NEG for _, f, _ in placed):
                continue
            score = _fund_score_of(placed)
        else:
            by_role = {roles[j]: cell for j, cell in zip(chosen, filled, strict=True)}
            if any(_fit(role, cell.text.strip()) == NEG for role, cell in by_role.items()):
                continue
            score = _fund_score(by_role)
        if score > best_score:
            by_role = {roles[j]: cell for j, cell in zip(chosen, filled, strict=True)}
            best, best_score = Aligned(by_role=by_role, skipped=[]), score
    return best


_CUT_HEAD = re.compile(r"^\d[\d,]*\.?\d*$")  # 25411445, 5299280.8, 93.: an amount a line may go on from
_CUT_REST = re.compile(r"^[\d,]*\.?\d+$")  # 0.93, 9, .31: what it goes on with (no %: a rate is a cell)
_RATE_HEAD = re.compile(r"^\d+\.\d*$")
_RATE_REST = re.compile(r"^\d+[%％]$")
_WHOLE_RATE = re.compile(r"^\d+\.\d+[%％]$")
_WHOLE_AMOUNT = re.compile(r"^\d[\d,]*\.(\d+)$")
MIN_CUT_DIGITS = 5  # an amount a column cut is wider than any weight, score or rate
KNOWN_AMOUNT_DIGITS = 4  # 24.97 (万元) shows the row's decimals; a score (9.53) is shorter
MAX_CUT_BOUNDARIES = 8  # a row has six cells; more candidate cuts than this is no fund row
CUT_LEFT = -2.0  # a piece that would end an amount with the row's decimals, left a cell of its own
DECIMALS_DISAGREE = -4.0  # one form prints its amounts with one number of decimals: as strong as arithmetic


def _rejoin_cut_amounts(filled: list[Cell], roles: Sequence[str], columns: dict[str, int] | None) -> Aligned | None:
    """Amounts a narrow column cut mid-number (25411445 / 0.93, 5299280.8 / 9), their pieces printed as
    cells of their own (a row with more printed cells than columns, or amounts with too few decimals). Every choice of neighbouring
    pieces to join is aligned; the row's arithmetic (执行率 = 执行数 / 预算数, 得分 = 分值 × 执行率), the
    cells left without a column and the amounts' decimals judge. None when no two cells can be one amount."""
    texts = [compact(c.text) for c in filled]
    cuts = [k for k in range(len(filled) - 1) if _cut_joins(texts[k], texts[k + 1]) or _cut_rate(texts[k], texts[k + 1])]
    if not cuts or len(cuts) > MAX_CUT_BOUNDARIES:
        return None
    # Whole amounts no cut touches tell how many decimals the row's amounts print: a join must end
    # with as many (106574073.24 / 10 is an amount, then its 分值, where the others print two).
    touched = {k for c in cuts for k in (c, c + 1)}
    known = Counter(len(m.group(1)) for k, t in enumerate(texts) if k not in touched
                    and (m := _WHOLE_AMOUNT.match(t)) and sum(ch.isdigit() for ch in t) >= KNOWN_AMOUNT_DIGITS)
    if known:
        decimals = known.most_common(1)[0][0]
        cuts = [c for c in cuts if _cut_rate(texts[c], texts[c + 1])
                or _decimals(texts[c] + texts[c + 1]) == decimals]
        if not cuts:
            return None
    best: tuple[float, Aligned] | None = None
    for n in range(len(cuts) + 1):
        for chosen in combinations(cuts, n):
            merged = _merge_at(filled, texts, set(chosen)) if chosen else filled
            if merged is None or len(merged) > len(roles):
                continue
            aligned = _align_fund_cells(merged, merged, roles, columns)
            score = (_fund_score(aligned.by_role) + SKIP_FILLED * len(aligned.skipped) + _decimals_fit(aligned)
                     + CUT_LEFT * (len(cuts) - n))
            if best is None or score > best[0]:
                best = (score, aligned)
    return best[1] if best is not None else None


def _cut_rate(head: str, rest: str) -> bool:
    """102.3 / 4%: a rate its column cut among its decimals."""
    return bool(_RATE_HEAD.match(head) and _RATE_REST.match(rest)) and len(head) >= len(rest)


def _cut_joins(head: str, rest: str) -> bool:
    if not (_CUT_HEAD.match(head) and _CUT_REST.match(rest)):
        return False
    whole = head + rest
    # The column's first line is its full width: a rest is never wider than the line it goes on from.
    return len(head) >= len(rest) and ("." not in head or "." not in rest) and bool(_WHOLE_AMOUNT.match(whole)) \
        and sum(ch.isdigit() for ch in whole) >= MIN_CUT_DIGITS


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def _merge_at(filled: list[Cell], texts: list[str], joins: set[int]) -> list[Cell] | None:
    out: list[Cell] = []
    k = 0
    while k < len(filled):
        head, text = filled[k], texts[k]
        while k in joins:
            k += 1
            text += texts[k]
        if text != texts[k] and not (_WHOLE_AMOUNT.match(text) or _WHOLE_RATE.match(text)):
            return None  # three pieces that are no one amount
        out.append(Cell(page=head.page, row=head.row, col=filled[0].col + len(out),
                        text=head.text if text == compact(head.text) else text, source=head.source))
        k += 1
    # The pieces took columns of their own: the joined cells sit where they would have been printed.
    return out


def _decimals_fit(aligned: Aligned) -> float:
    """Amounts of one row printed with different numbers of decimals are pieces, not amounts."""
    decimals = {len(m.group(1)) if (m := _WHOLE_AMOUNT.match(compact(cell.text).replace("万元", "").replace("元", "")))
                else 0 for role, cell in aligned.by_role.items()
                if role in ("initial_budget", "annual_budget", "executed") and looks_like_amount(cell.text)}
    return DECIMALS_DISAGREE * (len(decimals) - 1) if decimals else 0.0


def _fund_score(by_role: dict[str, Cell]) -> float:
    return _fund_score_of([(role, _fit(role, cell.text.strip()), _number(cell.text)) for role, cell in by_role.items()])


def _fund_score_of(placed: list[tuple[str, float, float | None]]) -> float:
    """Fit plus arithmetic of one assignment: (role, the cell's fit to it, the cell's number), in order."""
    score = sum(fit for _, fit, _ in placed)
    number = {role: value for role, _, value in placed}
    rate, executed, budget = number.get("execution_rate"), number.get("executed"), number.get("annual_budget")
    if rate is not None and rate <= 1 and executed is not None and budget and abs(executed / budget - rate) <= 0.006:
        rate *= 100  # the sheet's fraction (0.915 for 91.5%): the row's arithmetic is the percent's
    if rate is not None and executed is not None and budget:
        agrees = abs(executed / budget * 100 - rate) <= max(0.6, rate * 0.005)
        score += ARITHMETIC_AGREES if agrees else ARITHMETIC_DISAGREES
    weight, points = number.get("weight"), number.get("score")
    if weight is not None and points is not None:
        score += 1.0 if points <= weight else ARITHMETIC_DISAGREES
        if rate is not None:
            score += 1.0 if abs(weight * min(rate, 100) / 100 - points) <= 0.5 else -1.0
    return score


@lru_cache(maxsize=1 << 16)
def _number(text: str) -> float | None:
    try:
        value = parse_number(compact(text).rstrip("%％").removesuffix("万元").removesuffix("元").replace(",", ""))
    except ValueError:
        return None
    return float(value) if value is not None else None
