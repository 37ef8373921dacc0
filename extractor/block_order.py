"""PDF text in block order (Poppler's pdftotext default, pdfminer's extract_text) -> the form's rows.

Such tools group a table's text into blocks by proximity: a column's cells come out as a run (all
三级指标 names, then their points, targets, actuals, scores), wrapped cells broken into lines, labels
of merged cells wherever their block fell. What survives is each column's own order: the k-th name,
the k-th 分值, the k-th target are one row's. So the reader sorts the form's lines into columns by
their grammar (a name, a target, a plain number, a label, a key) and zips the columns; the plain
numbers (分值 and 得分 interleaved) are split by the form's arithmetic (scores <= points, points sum
to 总分 less the funds' 分值 and to each level's printed (N分)). What it cannot place it says, as
issues on the form's first row, never as a guess left silent.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import permutations
from typing import Any

from pydantic import BaseModel, ConfigDict

from extractor.form.vocabulary import (
    FUND_BLOCK_LABELS,
    FUND_BLOCK_PIECE,
    FUND_HEADER_ROLES,
    GOAL_HEADERS,
    GOAL_LABEL_PARTS,
    GOAL_LABELS,
    INDICATOR_HEADER_ROLES,
    META_KEYS,
    NEW_FORM_KEYS,
    clipped_key,
    is_meta_key,
    is_title,
    total_word,
)
from extractor.grid import Grid, rows_from_texts
from extractor.normalize import compact, is_page_number
from extractor.taxonomy import (
    LEVEL1,
    LEVEL2_PARENT,
    SUPER_LABELS,
    fund_row_key,
    header_role,
    read_label,
    uses_cost_level1,
)
from extractor.unspaced import VALUE_LEADS, VALUE_WORDS
from models import Issue


class BlockOrderSettings(BaseModel):
    """The reader's tolerances and search limits."""

    model_config = ConfigDict(frozen=True)
    title_reach: int = 4  # lines a title may stand before its form's first key
    year_line_max: int = 14  # a year line is short: (2021 年度), 2024年度
    key_max: int = 14
    value_max: int = 40  # a project's or a unit's name; a longer text is a goal's
    key_piece_max: int = 3
    dollar_reach: int = 3  # lines on which a cut LaTeX target's rest may come  # the first line of a key cut in a narrow cell (项目 / 名称)  # a key cell is short; a sentence naming a key is not one
    rest_max: int = 5  # a wrapped cell's rest is shorter than its cell's width
    cut_repeats: int = 2  # a column's cut width shows by this many names cut at it
    word_value_max: int = 4  # a target or actual in words is short (提升, 明显改善)
    amount_digits: int = 5  # amounts have five digits or more; weights and rates fewer
    amount_tolerance: Decimal = Decimal("0.01")  # per part: each is rounded on its own
    block_share_min: float = 0.3  # lines opening a blank-delimited block: below this, blocks tell nothing
    block_share_max: float = 0.97  # above this, a blank line after every line tells nothing either
    max_tries: int = 20000
    max_found: int = 200  # orders of the fund amounts that add up, compared  # interleavings of the fund amounts tried
    beam: int = 400  # states kept while splitting the plain numbers into points and scores
    equal_bonus: float = 1.0  # a score equal to its points: the common case
    skip_cost: float = 3.0  # a plain number left out (a page number, a stray)
    total_cost: float = 1.0  # a number read as the 总分 row's (refunded when it is the sum)
    count_cost: float = 4.0  # per point or score more or fewer than the names
    sum_cost: float = 20.0  # points + the funds' 分值 miss 100
    level_cost: float = 6.0
    defer_cost: float = 2.0
    total_reach: int = 3  # numbers the 总分 row's may stand before its word (any after it)
    spread_cost: float = 0.01  # per row a level-2 span is off an even share of its level 1
    header_piece_min: int = 3  # a piece of a long header word this long is that header's (析及改进措施)
    level1_max: int = 5  # level-1 labels whose orders are tried (a form prints four)
    value_skip_cost: float = 3.0  # a value token left out of the targets and actuals (a stray piece)
    value_drop_cost: float = 4.0  # a target whose actual was not printed
    value_kind_cost: float = 5.0  # a target with its operator paired with an actual in words, or the reverse
    value_wait_cost: float = 0.01  # per target waiting for its actual: row by row where nothing tells
    fund_weight_max: int = 30  # the funds' 分值 is a whole number of points, a share of 100  # a score left for a number printed later  # a level's printed (N分) no prefix of the points reaches


BLOCK_ORDER = BlockOrderSettings()

_MATH_OR_WORD = re.compile(r"\$[^$]*\$|\S+")
_OPEN_LABEL = re.compile(r"^(.+?)[（(](\d*)$")
_POINTS_REST = re.compile(r"^\d*(?:\.\d+)?分?[)）]$")
_OP = re.compile(r"^(?:[<>≥≤=＝﹦≧≦═＞＜]|\$|\\geq|\\leq)")  # ═: a font's = (normalized later)
_VALUE = re.compile(r"\d|%")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_NUMBER_CUT = re.compile(r"^\d[\d,]*\.\d*$")
_DIGITS_REST = re.compile(r"^\d+(?:万元|万|元)?$|^(?:万元|万|元|%|㎡)$|^\.\d+$")
_AMOUNT = re.compile(r"^\d[\d,]*(?:\.\d+)?(?:万元|万|元)?$")
_RATE = re.compile(r"^\d+(?:\.\d+)?%$")
_DASH = re.compile(r"^[—\-－–/]+$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_UNIT_ONLY = re.compile(r"^(?:%|[\u4e00-\u9fff]{1,3}|㎡|m²|m)$")
_SENTENCE = re.compile(r"[，。；;！？]")
_SENTENCE_END = ("。", "；", ";")
_SIDE_HEADERS = ("一级指标", "二级指标", "三级指标")
_FUND_ORDER = ("total", "appropriation", "carryover", "more", "other")
_LEVEL2_ORDER = {name: k for k, name in enumerate(LEVEL2_PARENT)}


@dataclass(slots=True)
class BlockForm:
    rows: list[list[str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _issue(code: str, message: str, field_: str | None = None, severity: str = "warning") -> Issue:
    return Issue(code=code, severity=severity, field=field_, stage="read", message=message)


def block_order_grid(text: str) -> Grid:
    """The forms' rows as a grid, each form's issues kept on its first row for the pipeline."""
    rows: list[tuple[int, list[str]]] = []
    issues: dict[int, list[Issue]] = {}
    try:
        forms = block_order_forms(text)
    except (ArithmeticError, IndexError, ValueError, KeyError):
        # The last reading tried: a text it cannot take apart gives no form, and the others stand.
        return Grid()
    for form in forms:
        if form.issues:
            issues[len(rows)] = form.issues
        rows.extend((1, row) for row in form.rows)
    grid = rows_from_texts(rows)
    grid.issues = issues
    return grid


def block_order_forms(text: str) -> list[BlockForm]:
    lines = _opening_marked(_sentence_blocks([raw.strip() for raw in text.replace("\f", "\n").split("\n")]))
    lines = _dollar_joined([line for line in lines if line and not is_page_number(line)])
    return [_read_form(part) for part in _split_forms(lines)]


class _Opening(str):
    """A line (or its first word) that opens a blank-delimited block: the tools print a cell's wrapped
    lines in one block, so such a line never goes on the cell above it."""

    __slots__ = ()


def _opening_marked(lines: list[str]) -> list[str]:
    """Lines after a blank line marked as opening their block, when the text's blocks tell cells apart:
    a text without blank lines, or with one after every line, says nothing by them."""
    opening = [bool(line) and (k == 0 or not lines[k - 1]) for k, line in enumerate(lines)]
    share = sum(opening) / max(1, sum(bool(line) for line in lines))
    if not BLOCK_ORDER.block_share_min <= share <= BLOCK_ORDER.block_share_max:
        return lines
    return [_Opening(line) if opens else line for line, opens in zip(lines, opening, strict=True)]


def _opens(text: str) -> bool:
    return isinstance(text, _Opening)


def _went_on(first: str, rest: str) -> str:
    """`first` with its cell's rest, still opening a block when `first` did."""
    return _Opening(first + rest) if _opens(first) else first + rest


_TEXT_MARK = "\ue000"  # opens a line that is a whole text cell (a goal, a deviation note), rejoined


def _sentence_blocks(lines: list[str]) -> list[str]:
    """A block of lines (a blank line before and after) that is one sentence-like text, a goal or a
    deviation note cut at its cell's width, becomes one line; a number printed on one of its lines
    (a score beside the note) is another cell and stays before it on a line of its own."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        words = [w for line in block for w in line.split()]
        numbers = [w for w in words if _PLAIN.match(w)]
        texts = [w for w in words if not _PLAIN.match(w)]
        joined = "".join(texts)
        one_column = all(sum(bool(_CJK.search(w)) for w in line.split()) <= 1 for line in block)
        if len(block) >= 2 and one_column and _SENTENCE.search(joined) and joined.endswith(_SENTENCE_END) \
                and not any(is_title(compact(line)) or is_meta_key(compact(line)) for line in block):
            out.extend(numbers)
            out.append(_TEXT_MARK + joined)
        else:
            out.extend(block)
        out.append("")
        block.clear()

    for line in lines:
        if line:
            block.append(line)
        elif block:
            flush()
    if block:
        flush()
    return out


def _dollar_joined(lines: list[str]) -> list[str]:
    """`$\\geq 95\\%` / `$`: a LaTeX target cut inside its math is one cell; its rest may come a line or
    two on, after the next column's cell (`$\\geq 20公` / `20公里` / `里$`)."""
    out = list(lines)
    k = 0
    while k < len(out):
        if out[k].count("$") % 2 == 1:
            rest = next((j for j in range(k + 1, min(len(out), k + 1 + BLOCK_ORDER.dollar_reach))
                         if "$" in out[j] and len(compact(out[j])) <= BLOCK_ORDER.rest_max + 1), None)
            if rest is not None:
                out[k] = _went_on(out[k], out.pop(rest))
        k += 1
    return out


def _split_forms(lines: list[str]) -> list[list[str]]:
    """A form opens at its title, with the key lines a block put just before it (pdfminer prints a
    block of keys, then the title); a second 项目名称 in one form without a title between opens one too."""
    starts: list[int] = []
    has_key = False
    by_key = False  # the last form was opened by its 项目名称, its title not yet seen
    for k, line in enumerate(lines):
        c = compact(line)
        if is_title(c):
            if by_key and all(_key_line(compact(x)) for x in lines[starts[-1]:k]):
                by_key = False  # 项目名称 / 主管部门 / title: the keys' block printed before the title
                continue
            by_key = False
            start = k
            while start > (starts[-1] + 1 if starts else 0) and _key_line(compact(lines[start - 1])):
                start -= 1
            if not starts or start > starts[-1]:
                starts.append(start)
                has_key = any(compact(x).startswith(NEW_FORM_KEYS) for x in lines[start:k])
            continue
        if c.startswith(NEW_FORM_KEYS):
            if has_key or not starts:
                starts.append(k)
                by_key = True
            has_key = True
    if not starts:
        return []
    return [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _key_line(c: str) -> bool:
    """A line of keys only: meta keys (or a narrow cell's piece of one), the funds block's label or its
    pieces, the goals' and the table's side labels cut a word a line (年度 / 总体 / 目标, 绩效 / 指标)."""
    words = [compact(w) for w in c.split()] or [c]
    return all(_is_key(w) or _label_piece(w) for w in words)


def _label_piece(c: str) -> bool:
    """A piece of a key or side label cut in a narrow cell: never a value."""
    return bool(c.startswith(FUND_BLOCK_LABELS) or FUND_BLOCK_PIECE.match(c) or c in GOAL_LABEL_PARTS
                or (len(c) <= BLOCK_ORDER.key_piece_max - 1
                    and any(c in key for key in (*META_KEYS, *SUPER_LABELS, *LEVEL1, *_SIDE_HEADERS)))
                or c in GOAL_LABELS)


def _tokens(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        c = compact(line)
        if _YEAR.search(c) and len(c) <= BLOCK_ORDER.year_line_max or is_title(c):
            continue  # the title and its year line are read on their own
        words = _MATH_OR_WORD.findall(line)  # a LaTeX target keeps its spaces
        if words and _opens(line):
            words[0] = _Opening(words[0])
        out.extend(words)
    return out


def _zone_starts(lines: list[str]) -> tuple[int, int, int]:
    """Where the funds block, the goals and the indicator table begin (len(lines) when absent)."""
    n = len(lines)
    fund = goal = table = n
    for k, line in enumerate(lines):
        for word in line.split():
            c = compact(word)
            if fund == n and header_role(c, FUND_HEADER_ROLES) in ("initial_budget", "annual_budget", "executed"):
                fund = k
            if goal == n and (c in GOAL_HEADERS or c in GOAL_LABELS):
                goal = k
            if table == n and header_role(c, INDICATOR_HEADER_ROLES) in ("l1", "l2", "name"):
                table = k
    goal = min(goal, table)
    fund = min(fund, goal)
    return fund, goal, table


def _read_form(lines: list[str]) -> BlockForm:
    form = BlockForm()
    fund, goal, table = _zone_starts(lines)
    # Keys and values may sit among the funds block's (its header beside 主管部门), and the funds' values
    # after the goals' headers: both are read from everything before the indicator table.
    # The names' header (三级指标) may come a block after 一级指标, and a key's value between them.
    names_at = next((k for k in range(table, len(lines)) if any(
        header_role(compact(w), INDICATOR_HEADER_ROLES) == "name" for w in lines[k].split())), table)
    head = lines[:names_at]
    # Between 一级指标 and 三级指标 the side labels' column may stand with the keys' values, the funds
    # block and the goals (a block printed before them): those lines are the head's, the labels the table's.
    # (A table without 三级指标 ends that stretch at its first value header: 年度指标值.)
    values_at = next((k for k in range(table, names_at) if any(
        header_role(compact(w), INDICATOR_HEADER_ROLES) in ("target", "actual") for w in lines[k].split())), names_at)
    between = _header_cuts_dropped(lines[table:values_at])
    side = [line for line in between if _side_line(line)]
    before = lines[:table] + [line for line in between if not _side_line(line)]
    title = next((line for line in lines if is_title(compact(line))), None)
    if title:
        form.rows.append([title])
    year = next((m.group(1) for line in lines[:max(fund, 1) + BLOCK_ORDER.title_reach]
                 if (m := _YEAR.search(line)) and len(compact(line)) <= BLOCK_ORDER.year_line_max), None)
    if year:
        form.rows.append([f"({year}年度)"])
    form.rows.extend(_meta_rows(head, form.issues))
    fund_rows = _fund_rows(before, form.issues)
    form.rows.extend(fund_rows)
    goals = [line[1:] for line in before if line.startswith(_TEXT_MARK)]
    if len(goals) == 2:  # 预期目标 then 实际完成情况, side by side
        form.rows.extend([["年度总体目标", "预期目标", "实际完成情况"], ["", goals[0], goals[1]]])
    elif goals:
        form.issues.append(_issue("value_unread", f"block-order text: {len(goals)} goal texts where the form prints "
                                  "two; the goals were not placed", "goals"))
    rows, total = _indicator_rows(side + lines[values_at:], *_fund_points(fund_rows), form.issues)
    form.rows.extend(rows)
    if total:
        form.rows.append(total)
    return form


def _header_cuts_dropped(lines: list[str]) -> list[str]:
    """指标性 / 质: a header cut in its cell, its rest a piece that would read as a side label's (质 of
    质量指标): both lines are the header's, neither the head's nor the side's."""
    out: list[str] = []
    k = 0
    while k < len(lines):
        if k + 1 < len(lines) and not _is_header(compact(lines[k])) and len(compact(lines[k + 1])) <= 2 \
                and _is_header(compact(lines[k]) + compact(lines[k + 1])):
            k += 2
            continue
        out.append(lines[k])
        k += 1
    return out


_SIDE_WORDS = (*LEVEL1, *LEVEL2_PARENT, *SUPER_LABELS, *_SIDE_HEADERS)
_LABEL_POINTS = re.compile(r"^[(（]\d*(?:分)?[)）]?$")


def _side_line(line: str) -> bool:
    """A line of the table's side: its headers, its level labels or their cut pieces (产出 / 指标 / (40 / 分))."""
    words = [compact(w) for w in line.split()]
    return bool(words) and not line.startswith(_TEXT_MARK) and all(
        _is_header(c) or read_label(c) is not None or _POINTS_REST.match(c) or _LABEL_POINTS.match(c)
        or ((m := _OPEN_LABEL.match(c)) is not None and read_label(m.group(1)) is not None)
        or any(c in word for word in _SIDE_WORDS) for c in words)


def _fund_points(rows: list[list[str]]) -> tuple[Decimal | None, Decimal | None]:
    """The funds' 分值 and 得分 as read (the total row's cells under those headers)."""
    if len(rows) < 2:
        return None, None
    head, total = rows[0], rows[1]
    got = {word: _number(total[k]) if k < len(total) and total[k] else None for k, word in enumerate(head)}
    return got.get("分值"), got.get("得分")


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").removesuffix("万元").removesuffix("万").removesuffix("元"))
    except InvalidOperation:
        return None


# --- meta ---------------------------------------------------------------------------------------------

def _meta_rows(lines: list[str], issues: list[Issue]) -> list[list[str]]:
    """Keys and values in the order printed: a value follows its key, or a run of values follows a
    run of keys; the k-th value is the k-th key's either way."""
    keys: list[str] = []
    values: list[str] = []
    tokens = _tokens(lines)
    k = 0
    while k < len(tokens):
        c = compact(tokens[k])
        joined = compact(tokens[k] + tokens[k + 1]) if k + 1 < len(tokens) else ""
        split = compact(tokens[k] + tokens[k + 2]) if k + 2 < len(tokens) else ""
        if not _is_key(c) and split and _is_key(split) and not _is_key(compact(tokens[k + 1])) \
                and len(c) <= BLOCK_ORDER.key_piece_max and not _fund_word(compact(tokens[k + 1]), ""):
            keys.append(split)  # 项目 / value / 名称: a key cut in two lines, its value printed between
            values.append(tokens[k + 1])
            k += 3
            continue
        if not _is_key(c) and joined and _is_key(joined) and len(joined) <= BLOCK_ORDER.key_max:
            keys.append(joined)  # 实施 / 单位: a key cut in a narrow cell
            k += 2
            continue
        prev = compact(tokens[k - 1]) if k else ""
        if not _is_key(c) and len(c) <= 2 and header_role(prev + c, FUND_HEADER_ROLES):
            k += 1  # 执行 / 率: a fund header's rest
            continue
        if not _is_key(c) and joined and _label_cut(c, compact(tokens[k + 1])):
            k += 2  # 年度总体 / 目标, 项目资 / 金(元): a side label cut in its narrow cell, never a value
            continue
        if _is_key(c):
            key, _, inline = c.replace("：", ":").partition(":")
            keys.append(key)
            if inline:
                values.append(inline)
        elif not (tokens[k].startswith(_TEXT_MARK) or is_title(c) or _YEAR.search(c) and len(c) <= BLOCK_ORDER.year_line_max or _fund_word(c, joined)
                  or _label_piece(c) or not _CJK.search(c) or _SENTENCE.search(c) or c in GOAL_HEADERS
                  or len(c) > BLOCK_ORDER.value_max or _is_header(c) or read_label(c) is not None):
            values.append(tokens[k])
        k += 1
    rows = [[key, value] for key, value in zip(keys, values, strict=False)]
    if len(keys) != len(values):
        issues.append(_issue("value_unread", f"block-order text: {len(keys)} form keys but {len(values)} values "
                             "before the funds block; the keys were paired with the values in order"))
    return rows


def _label_cut(first: str, rest: str) -> bool:
    """A goal or funds label, or a funds header, cut in two lines (neither line a whole label)."""
    whole = first + rest
    if _is_key(rest) or header_role(rest, FUND_HEADER_ROLES) or len(rest) > BLOCK_ORDER.rest_max:
        return False
    return whole in GOAL_LABELS or whole.startswith(FUND_BLOCK_LABELS) or (
        header_role(whole, FUND_HEADER_ROLES) is not None and header_role(first, FUND_HEADER_ROLES) is None)


def _fund_word(c: str, joined: str) -> bool:
    """A word of the funds block: its label, a header (or a header's cut piece), a row's label."""
    if c.startswith(FUND_BLOCK_LABELS) or FUND_BLOCK_PIECE.match(c) or fund_row_key(c) or fund_row_key(joined):
        return True
    if header_role(c, FUND_HEADER_ROLES) or header_role(joined, FUND_HEADER_ROLES) and not is_meta_key(joined):
        return True
    return bool(re.match(r"^[(（]?[A-Z]?[)）]?$|^[(（]?[AB]/[AB][)）]?$", c)) or (c.endswith("资金") and len(c) <= 10)


def _is_key(c: str) -> bool:
    return len(c) <= BLOCK_ORDER.key_max and (is_meta_key(c) or clipped_key(c) is not None)


# --- funds --------------------------------------------------------------------------------------------

def _fund_rows(lines: list[str], issues: list[Issue]) -> list[list[str]]:
    tokens = _join_numbers(_tokens(lines))
    roles: list[str] = []
    labels: list[str] = []
    values: list[str] = []
    unit = "元"
    k = 0
    while k < len(tokens):
        c = compact(tokens[k])
        nxt = compact(tokens[k + 1]) if k + 1 < len(tokens) else ""
        if ("万元" in c or c.startswith(FUND_BLOCK_LABELS) and "万" in c) and not _VALUE.search(c):
            unit = "万元"
        role = header_role(c, FUND_HEADER_ROLES)
        if nxt and not _VALUE.search(c + nxt) and len(nxt) <= BLOCK_ORDER.rest_max \
                and (joined_role := header_role(c + nxt, FUND_HEADER_ROLES)) and joined_role != role:
            role = joined_role  # 全年执 / 行数: a header cut in its cell
            k += 1
        if role and not _VALUE.search(c) or _DASH.match(c) and not roles:
            if role and role not in roles and role not in ("note", "aside"):
                roles.append(role)
        elif _AMOUNT.match(c) or _RATE.match(c) or _DASH.match(c):
            values.append(c)
            if c.endswith("万") or c.endswith("万元"):
                unit = "万元"
        elif _CJK.search(c) and not (FUND_BLOCK_PIECE.match(c) or c.startswith(FUND_BLOCK_LABELS)):
            key = fund_row_key(c)
            if key is None and nxt and fund_row_key(c + nxt) and not _VALUE.search(nxt):
                key, c = fund_row_key(c + nxt), c + nxt
                k += 1
            elif key is None and nxt.endswith("资金") and not c.startswith(FUND_BLOCK_LABELS) and len(nxt) <= 3:
                key, c = "more", c + nxt  # 财政专户管理 / 资金: a row the contract keeps in `more`
                k += 1
            elif key is None and c.endswith("资金") and not c.startswith(FUND_BLOCK_LABELS):
                key = "more"
            if key and key not in [lab[0] for lab in labels if lab[0] != "more"]:
                labels.append((key, c))  # type: ignore[arg-type]
        k += 1
    if not roles:
        return []
    amount_roles = [r for r in roles if r in ("initial_budget", "annual_budget", "executed")]
    n_cols = len(amount_roles)
    weight = rate = score = ""
    rate_at = next((k for k, v in enumerate(values) if _RATE.match(v)), None)
    if rate_at is not None:
        rate = values[rate_at]
        taken = {rate_at}
        pair = _fund_points_by_rate(values, rate_at)
        if pair:
            taken |= set(pair)
            weight, score = values[pair[0]], values[pair[1]]
        values = [v for k, v in enumerate(values) if k not in taken]
    amounts = [v for v in values if not _DASH.match(v) and not _RATE.match(v)]
    ordered = sorted(labels, key=lambda lab: _FUND_ORDER.index(lab[0]))  # type: ignore[index]
    if not ordered or ordered[0][0] != "total":
        ordered.insert(0, ("total", "年度资金总额"))
    grid = _place_amounts(amounts, amount_roles, len(ordered), issues) if n_cols else []
    head = [f"项目资金（{unit}）", "", *[_ROLE_WORD[r] for r in roles if r != "note"]]
    out = [head]
    for r, (key, label) in enumerate(ordered):
        label = _FUND_WORD.get(key, label)
        cells = grid[r] if r < len(grid) else [""] * n_cols
        row = ["", label, *cells]
        row += [{"weight": weight, "execution_rate": rate, "score": score}.get(role, "")
                for role in roles if role not in amount_roles and role != "note"] if r == 0 else []
        out.append(row)
    return out


def _fund_points_by_rate(values: list[str], rate_at: int) -> tuple[int, int] | None:
    """The funds' 分值 and 得分 among the block's numbers: a whole 分值 whose 得分 is 分值 x min(rate, 100%)
    (to the score's printed places), the pair nearest the rate."""
    rate = min(Decimal(values[rate_at].rstrip("%")) / 100, Decimal(1))
    best: tuple[int, tuple[int, int]] | None = None
    for i, w in enumerate(values):
        if i == rate_at or not re.match(r"^\d{1,2}$", w) or not 0 < int(w) <= BLOCK_ORDER.fund_weight_max:
            continue
        for j, sc in enumerate(values):
            if j in (i, rate_at) or not _PLAIN.match(sc) or "," in sc:
                continue
            places = len(sc.split(".")[1]) if "." in sc else 0
            want = Decimal(w) * rate
            if abs(Decimal(sc) - want) <= Decimal(1).scaleb(-places) / 2 + Decimal("1e-9") \
                    or (places == 0 and Decimal(sc) == want.to_integral_value()):
                distance = abs(i - rate_at) + abs(j - rate_at)
                if best is None or distance < best[0]:
                    best = (distance, (i, j))
    return best[1] if best else None


_FUND_WORD = {"total": "年度资金总额", "appropriation": "其中：当年财政拨款", "carryover": "上年结转资金",
              "other": "其他资金"}
_ROLE_WORD = {"initial_budget": "年初预算数", "annual_budget": "全年预算数", "executed": "全年执行数",
              "weight": "分值", "execution_rate": "执行率", "score": "得分"}


def _place_amounts(amounts: list[str], roles: list[str], n_labels: int, issues: list[Issue]) -> list[list[str]]:
    """The amounts of R rows x C columns, printed as an interleaving of the rows (each row's cells in
    column order, rows begun in order): the first interleaving whose columns add up (总额 = its parts)
    and whose 执行数 stays within its 预算数, row by row first."""
    n_cols = len(roles)
    if len(amounts) % n_cols:
        issues.append(_issue("value_unread", f"block-order text: {len(amounts)} amounts do not fill "
                             f"{n_cols} fund columns; the funds block was not placed", "funds"))
        return []
    n_rows = len(amounts) // n_cols
    if n_rows > n_labels:
        issues.append(_issue("value_unread", f"block-order text: {n_rows} fund rows of amounts but "
                             f"{n_labels} row labels; the funds block was not placed", "funds"))
        return []
    numbers = [_number(a) for a in amounts]
    rows: list[list[int]] = [[] for _ in range(n_rows)]
    tries = [0]

    def fits() -> bool:
        if n_rows < 2:
            return True
        for c in range(n_cols):
            total = numbers[rows[0][c]]
            parts = [numbers[rows[r][c]] for r in range(1, n_rows)]
            if total is None or any(p is None for p in parts):
                return False
            if abs(total - sum(parts)) > BLOCK_ORDER.amount_tolerance * n_rows:  # type: ignore[arg-type]
                return False
        return True

    budget = roles.index("annual_budget") if "annual_budget" in roles else None
    spent = roles.index("executed") if "executed" in roles else None
    strict = [True]

    def within() -> bool:
        if budget is None or spent is None or not strict[0]:
            return True
        return all((numbers[row[spent]] or 0) <= (numbers[row[budget]] or 0) for row in rows)

    found: list[tuple[int, list[list[int]]]] = []
    owner = [0] * len(amounts)

    def place(k: int) -> None:
        tries[0] += 1
        if tries[0] > BLOCK_ORDER.max_tries or len(found) >= BLOCK_ORDER.max_found:
            return
        if k == len(amounts):
            if fits() and within():
                # A block holds a run of one row's cells: the order with the fewest changes of row.
                switches = sum(owner[j] != owner[j - 1] for j in range(1, len(amounts)))
                found.append((switches, [list(row) for row in rows]))
            return
        started = sum(bool(row) for row in rows)
        for r in range(min(started + 1, n_rows)):
            if len(rows[r]) < n_cols:
                rows[r].append(k)
                owner[k] = r
                place(k + 1)
                rows[r].pop()

    place(0)
    if not found:  # 执行数 above its 预算数 happens: allowed only when no order keeps within
        strict[0], tries[0] = False, 0
        place(0)
    if found:
        rows = min(found, key=lambda f: f[0])[1]
    else:
        rows = [list(range(r * n_cols, (r + 1) * n_cols)) for r in range(n_rows)]
        issues.append(_issue("doubtful_value", "block-order text: no order of the fund amounts adds up; "
                             "they were read row by row", "funds"))
    return [[amounts[k] for k in row] for row in rows]


def _join_numbers(tokens: list[str]) -> list[str]:
    """`1,146.71` / `万`, `9,620.7` / `0万`, `74,520,893.` / `43`, `100.0` / `%`: a number cut at its cell's
    edge goes on in the next line."""
    out: list[str] = []
    decimals = Counter(len(m.group(1)) for t in tokens if (m := re.match(r"^\d[\d,]*\.(\d+)(?:万元|万|元)?$", t))
                       and sum(ch.isdigit() for ch in t) >= BLOCK_ORDER.amount_digits)
    usual = decimals.most_common(1)[0][0] if decimals else None
    for token in tokens:
        if out and _DIGITS_REST.match(token) and _joinable(out[-1], token, usual):
            out[-1] += token
        else:
            out.append(token)
    return out


def _joinable(last: str, rest: str, usual: int | None) -> bool:
    if not re.match(r"^\d[\d,]*(?:\.\d*)?$", last):
        return False
    if rest.startswith("."):
        return "." not in last  # 97 / .5: no number starts with its point
    if not rest[:1].isdigit():
        return True  # a unit or % alone
    if last.endswith("."):
        return True
    if "." in last and usual is not None and sum(ch.isdigit() for ch in last) >= BLOCK_ORDER.amount_digits - 1:
        have = len(last.split(".")[1])
        digits = len(re.match(r"\d+", rest).group(0))  # type: ignore[union-attr]
        return have < usual and have + digits == usual
    return False


# --- indicators ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Tok:
    text: str
    kind: str  # name | value | number | label | total | note | skip
    at: int  # names read before it


def _indicator_rows(lines: list[str], fund_weight: Decimal | None, fund_score: Decimal | None,
                    issues: list[Issue]) -> tuple[list[list[str]], list[str] | None]:
    if not lines:
        return [], None
    raw = _join_numbers(_tokens(_side_by_side(lines)))
    toks = _classify(raw)
    names = [t for t in toks if t.kind == "name"]
    values = [t.text for t in toks if t.kind == "value"]
    numbers = [t.text for t in toks if t.kind == "number"]
    # The 总分 row's numbers stand beside its word (before it or after): where the word fell among them.
    total_at = next((sum(u.kind == "number" for u in toks[:k]) for k, t in enumerate(toks) if t.kind == "total"), None)
    notes = [t.text for t in toks if t.kind == "note"]
    labels = [(read_label(t.text) or read_label(_OPEN_LABEL.sub(r"\1", t.text)), t.at) for t in toks if t.kind == "label"]
    n = len(names)
    weights, scores, totals = _split_points(numbers, n, fund_weight, fund_score, total_at, _level1_points(labels))
    if len(weights) != n or len(scores) != n:
        issues.append(_issue("value_unread", f"block-order text: {n} indicator names but {len(weights)} points and "
                             f"{len(scores)} scores could be told apart; rows past those were left without them",
                             "indicators"))
    targets, actuals = _split_values(values, n)
    if len(targets) != n:
        issues.append(_issue("value_unread", f"block-order text: {n} indicator names but {len(targets)} targets; "
                             "targets and actuals were paired with the names in order", "indicators"))
    level1, level2 = _levels(labels, [Decimal(w) for w in weights], n, issues)
    note_rows = [k for k in range(min(n, len(weights), len(scores)))
                 if scores[k] and weights[k] and Decimal(scores[k]) < Decimal(weights[k])]
    row_notes = dict(zip(note_rows, notes, strict=False))
    if len(notes) != len(note_rows):
        issues.append(_issue("value_unread", f"block-order text: {len(notes)} deviation notes for {len(note_rows)} "
                             "rows scored below their points; notes were given to those rows in order", "indicators"))
    rows = [["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"]]
    for k, name in enumerate(names):
        rows.append([level1[k], level2[k], name.text, _at(weights, k), _at(targets, k), _at(actuals, k),
                     _at(scores, k), row_notes.get(k, "")])
    total = ["总分", "", "", totals[0], "", "", totals[1]] if totals != ("", "") else None
    return rows, total


def _side_by_side(lines: list[str]) -> list[str]:
    """人才队伍建设持 持续发挥作 持续发挥作 / 续性 / 用 / 用: a row's cells printed on one line, each cut,
    their rests a line each below in the same block, in the cells' order: each cell with its rest."""
    out: list[str] = []
    k = 0
    while k < len(lines):
        words = lines[k].split()
        m = len(words)
        rests = lines[k + 1:k + 1 + m]
        if m >= 2 and len(rests) == m and all(_CJK.match(w) and not _VALUE.search(w) and read_label(compact(w)) is None
                                              for w in words) \
                and all(len(r.split()) == 1 and not _opens(r) and _CJK.match(r) and not _VALUE.search(r)
                        and len(compact(r)) <= BLOCK_ORDER.key_piece_max and len(compact(r)) < len(compact(w))
                        for r, w in zip(rests, words, strict=True)):
            out.extend(_Opening(w + compact(r)) for w, r in zip(words, rests, strict=True))  # whole cells
            k += 1 + m
            continue
        out.append(lines[k])
        k += 1
    return out


def _bare_points(c: str) -> bool:
    """(40分): a level-1 cell that prints only its points (the template leaves the level's name out)."""
    label = read_label(c)
    return label is not None and label.level == 0 and not label.canonical and bool(label.weight)


def _bare_points_label(lab: Any) -> bool:
    return lab.level == 0 and not lab.canonical and bool(lab.weight)


def _level1_points(labels: list[tuple[Any, int]]) -> list[Decimal]:
    """Each level 1's printed (N分), in the template's order of the levels: their block may print the
    labels in any order, the table's rows never. A table whose level-1 cells print only their points
    (40分) gives them in the column's order."""
    seen: set[str] = set()
    ones = [lab for lab, _ in labels if lab and lab.level == 1 and lab.weight
            and not (lab.canonical in seen or seen.add(lab.canonical))]
    rank = {name: k for k, name in enumerate(_LEVEL1_ORDER)}
    if not ones:
        return [lab.weight for lab, _ in labels if lab and lab.level == 0 and not lab.canonical and lab.weight]
    return [lab.weight for lab in sorted(ones, key=lambda lab: rank.get(lab.canonical, len(rank)))]


def _at(seq: list[str], k: int) -> str:
    return seq[k] if k < len(seq) else ""


def _classify(raw: list[str]) -> list[_Tok]:
    """Each token's column by its grammar; wrapped labels, headers, names and notes rejoined."""
    toks: list[_Tok] = []
    k = 0
    named = 0
    texts: list[str] = []  # the current run of plain text tokens
    widths = _cut_widths(raw)
    # A form's names are its own, each printed once: a word printed twice in the table is a value (a
    # target in words and its actual, 及时 / 及时, or the same word for several rows).
    # A rest of a cut name (情况, 指标) repeats too, but always after a line as wide as its column.
    cjk = [compact(t) for t in raw]
    counts = Counter(cjk)
    free = {w for prev, w in zip(["", *cjk], cjk, strict=False) if len(prev) not in widths or prev == w}
    # The first line of two names cut alike (资金使用合规 / 达标情况, 资金使用合规 / 质量) repeats too.
    cut = {w for w, after in zip(cjk, [*cjk[1:], ""], strict=False)
           if len(w) in widths and after != w and _CJK.match(after) and len(after) < len(w) and len(after) <= BLOCK_ORDER.rest_max
           and after not in counts_twice(cjk)}
    free -= cut
    repeated = {w for w, m in counts.items() if m >= 2 and w in free and _CJK.search(w) and not _VALUE.search(w)
                and read_label(w) is None and not _is_header(w) and not _POINTS_REST.match(w)}

    def flush() -> None:
        nonlocal named
        for kind, text in _read_text_run(texts, widths, repeated):
            toks.append(_Tok(text, kind, named))
            named += kind == "name"
        texts.clear()

    skip: set[int] = set()  # a cut label's rest, read with the label a token before it
    marked = any(_opens(t) for t in raw)  # blank lines tell the text's blocks apart
    while k < len(raw):
        if k in skip:
            k += 1
            continue
        c = compact(raw[k])
        nxt = compact(raw[k + 1]) if k + 1 < len(raw) else ""
        pair = c + nxt
        if raw[k].startswith(_TEXT_MARK):
            flush()
            toks.append(_Tok(raw[k][1:], "note", named))
            k += 1
            continue
        if nxt and not _is_header(c) and _is_header(pair) and len(nxt) <= BLOCK_ORDER.rest_max and not _bare_points(c):
            k += 2  # 得 / 分, 实际完 / 成值: a header cut in its cell
            continue
        if header_role(c, INDICATOR_HEADER_ROLES) == "name" and not named:
            texts.clear()  # text before the names' header is no name (a key's value the block put here)
        if (_is_header(c) or (len(c) >= BLOCK_ORDER.header_piece_min and any(c in word for word in _HEADER_TEXTS))) \
                and not _name_rest(c, raw[k], texts, widths):
            # 年度指标 / 值: the rest of a header that reads as one already; 偏差原因分 / 析及改进措 / 施:
            # a long header cut in three, its last piece too short to tell on its own
            k += 2 if nxt and len(nxt) <= 2 and (any(compact(w) == pair for w in _HEADER_WORDS)
                                                 or any(word.endswith(pair) for word in _HEADER_TEXTS)) else 1
            continue
        if _POINTS_REST.match(c) and (opened := next((t for t in reversed(toks[-BLOCK_ORDER.rest_max:])
                                                       if t.kind == "label" and _OPEN_LABEL.match(t.text)), None)):
            opened.text += c  # 产出指标(40 / 绩效 / 分): the points' rest, another column's piece between
            k += 1
            continue
        if _LABEL_POINTS.match(c) and _VALUE.search(c) and (bare := next((
                t for t in reversed(toks[-BLOCK_ORDER.rest_max:]) if t.kind == "label"
                and (lab := read_label(t.text)) is not None and lab.level == 1 and not _OPEN_LABEL.match(t.text)
                and "(" not in t.text and "（" not in t.text), None)):
            bare.text += c  # 产出 / 指标 / (40 / 分): a level-1 label cut a word a line, its points too
            k += 1
            continue
        if re.match(r"^[(（]\d+$", c) and _POINTS_REST.match(nxt) and not _VALUE.search(nxt):
            flush()  # (45 / 分): a level-1 label's points whose label the text does not print beside them
            toks.append(_Tok(c + nxt, "label", named))
            k += 2
            continue
        if _side_key(c, pair, texts, widths):
            k += 2 if _side_key(pair, "", [], set()) else 1
            continue  # 项目 / 名称, 主管 / 部门, 项目 / 资金 / (元): the form's side keys, printed with the table
        if (m := _OPEN_LABEL.match(c)) and read_label(m.group(1)) and not (nxt and read_label(pair)):
            flush()
            toks.append(_Tok(c, "label", named))
            k += 1
            continue
        if len(c) == 2 and any(word.startswith(c) or word.endswith(c) for word in SUPER_LABELS if len(word) == 4) \
                and not read_label(pair):
            k += 1  # 绩效 / 指标: the table's side label cut a word a line
            continue
        label = read_label(c)
        if (rest := _label_rest_at(raw, k, c, label)) is not None:
            flush()
            skip.add(rest)
            toks.append(_Tok(c + compact(raw[rest]) if label is None else c, "label", named))
            k += 1
            continue
        joined = read_label(pair) if nxt and len(nxt) <= BLOCK_ORDER.rest_max and not (
            label is not None and label.level == 2 and _bare_points(nxt)) else None  # 时效指标 / (40分): level 1's
        if joined and joined.level in (1, 2) and (label is None or (joined.weight and not label.weight)
                                                  or (label.level == 0 and not label.canonical)
                                                  or (joined.canonical == label.canonical
                                                      and pair.startswith(joined.printed)
                                                      and not c.startswith(joined.printed))):
            flush()
            toks.append(_Tok(pair, "label", named))
            k += 2
            continue
        if label is not None:
            flush()
            if label.level in (1, 2) or _bare_points(c):
                toks.append(_Tok(c, "label", named))
            k += 1
            continue
        if total_word(c)[0]:
            flush()
            toks.append(_Tok(c, "total", named))
            k += 1
            continue
        if _PLAIN.match(c):
            flush()
            after = [compact(t) for t in raw[k + 2:k + 4]]
            prev = compact(raw[k - 1]) if k else ""
            if _UNIT_ONLY.match(nxt) and (nxt == "%" or (_OP.match(prev) and not _VALUE.search(prev))
                                          or any(a[:1].isdigit() and a.endswith(nxt) for a in after)):
                toks.append(_Tok(c + nxt, "value", named))  # 95 / %: a split target's value and unit
                k += 2
                continue
            toks.append(_Tok(c, "number", named))
        elif _OP.match(c) and not _VALUE.search(c) and nxt and _VALUE.search(nxt):
            flush()
            toks.append(_Tok(c + nxt, "value", named))  # >= / 95%: the operator in a column of its own
            k += 2
            continue
        elif _VALUE.search(c) or _OP.match(c):
            flush()
            if toks and toks[-1].kind == "value" and (c in ("㎡", "元$", "$") or (
                    c == "%" and not texts and toks[-1].text[-1:].isdigit())):  # >= / 90 / %: split target's unit
                toks[-1].text += c
            else:
                toks.append(_Tok(raw[k] if "$" in raw[k] else c, "value", named))
        elif _CJK.search(c) and toks and not texts and toks[-1].kind == "value" and toks[-1].text[-1:].isdigit() \
                and len(c) <= 2 and any(compact(a).endswith(c) for a in raw[k + 1:k + 3]):
            toks[-1].text += c  # >=1800 / 台: a target's unit cut onto the next line
        elif len(c) == 1 and _CJK.search(c) and not texts and toks and toks[-1].kind == "value" \
                and _unit_open(toks[-1].text):
            toks[-1].text += c  # >=5 / 天, <=1500万 / 元, 1440人 / 次: a unit cut onto a line of its own
        elif _CJK.search(c) and marked and not texts and _rest_past_value(raw, k, toks):
            toks[-2].text += c  # 项目验收合格 / >=90% / 率: a name's rest, the target beside it printed between
        elif _CJK.search(c):
            if texts and not _opens(raw[k]) and (re.search(r"\d万$", texts[-1]) and len(c) <= 2
                                                 or len(c) == 1 and _CJK.match(texts[-1])):
                texts[-1] = _went_on(texts[-1], c)  # 持续发挥作 / 用: no cell is one character; the rest of the line above
            else:
                texts.append(_Opening(c) if _opens(raw[k]) else c)
        k += 1
    flush()
    return toks


def _rest_past_value(raw: list[str], k: int, toks: list[_Tok]) -> bool:
    """A block of a name cut in its cell and the target beside it: the lines in their height's order,
    the name's first line, the target (centred in the row), the name's rest. The rest is short, in the
    same block as both, and shorter than the name's line above the target."""
    if k < 2 or len(toks) < 2 or toks[-1].kind != "value" or toks[-2].kind != "name":
        return False
    c, value, line = compact(raw[k]), compact(raw[k - 1]), compact(raw[k - 2])
    return not (_opens(raw[k]) or _opens(raw[k - 1])) and value == compact(toks[-1].text) \
        and toks[-2].text.endswith(line) and len(c) < len(line) and len(c) <= BLOCK_ORDER.rest_max \
        and not _VALUE.search(c) and read_label(c) is None and not _value_words(c) and not _is_header(c)


def _label_rest_at(raw: list[str], k: int, c: str, label: Any) -> int | None:
    """服务对象满意度指 受益对象满意度 / 标: a label cut in its cell, a name printed on its line beside it,
    its rest on the next line. The rest's index (two tokens on), or None."""
    if k + 2 >= len(raw) or not _CJK.match(c) or _opens(raw[k + 2]):
        return None
    rest = compact(raw[k + 2])
    if not rest or len(rest) > BLOCK_ORDER.key_piece_max:
        return None
    between = read_label(compact(raw[k + 1]))
    if between is not None:
        # 成本 / 经济成本指标 / 指标: a level-1 label cut in its cell, a level-2 label printed beside it
        whole = read_label(c + rest) if label is None else None
        return k + 2 if whole is not None and whole.level in (1, 2) and between.level == 2 \
            and (c + rest) in LEVEL1 else None
    if label is None:
        whole = read_label(c + rest)
        return k + 2 if whole is not None and whole.level in (1, 2) and not whole.weight else None
    cut = label.level in (1, 2) and label.canonical.startswith(c) and label.canonical[len(c):] == rest
    return k + 2 if cut else None


def _name_rest(c: str, token: str, texts: list[str], widths: set[int]) -> bool:
    """采购设备计划 / 完成率: a short line in the block of a name cut at its column's width is the name's
    rest, even when it reads as a header word."""
    return bool(texts) and not _opens(token) and len(texts[-1]) in widths and len(c) < len(texts[-1]) \
        and len(c) <= BLOCK_ORDER.rest_max


def _unit_open(value: str) -> bool:
    """A target or actual that may go on in a one-character line: a number, or a number and the start
    of its unit (万 of 万元, 人 of 人次); never one closed by % or its LaTeX end."""
    return bool(re.search(r"\d[\u4e00-\u9fff]?$", value))


def _side_key(c: str, pair: str, texts: list[str], widths: set[int]) -> bool:
    """A key of the form's side (or a piece of one) that a block printed among the table's cells; never
    the rest of a name cut just above it."""
    if texts and len(texts[-1]) in widths:
        return False
    if _is_key(c) or c.startswith(FUND_BLOCK_LABELS) or FUND_BLOCK_PIECE.match(c) or c in GOAL_LABELS \
            or c in GOAL_LABEL_PARTS:
        return True
    return bool(pair) and len(c) <= BLOCK_ORDER.key_piece_max - 1 and (
        _is_key(pair) or pair.startswith(FUND_BLOCK_LABELS))


_HEADER_WORDS = tuple(w for _, words in INDICATOR_HEADER_ROLES for w in words)
_HEADER_TEXTS = tuple(compact(w) for _, words in INDICATOR_HEADER_ROLES for w in words if len(w) >= 6)


def counts_twice(words: list[str]) -> set[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for w in words:
        (twice if w in seen else seen).add(w)
    return twice


def _is_header(c: str) -> bool:
    return header_role(c, INDICATOR_HEADER_ROLES) is not None and len(c) <= BLOCK_ORDER.key_max \
        or c in ("绩效指标", "指标性质", "度量单位", "计量单位")


def _cut_widths(raw: list[str]) -> set[int]:
    """The widths at which the table's columns cut their texts: a CJK token of n characters then a
    shorter rest, again and again for the same n."""
    counts: Counter[int] = Counter()
    cjk = [compact(t) for t in raw]
    for a, b, c in zip(cjk, cjk[1:], [*cjk[2:], ""], strict=False):
        if len(a) >= 3 and _CJK.match(a) and _CJK.match(b) and len(b) < len(a) and b != c \
                and read_label(a) is None and not _is_header(a) and len(b) <= BLOCK_ORDER.rest_max:
            counts[len(a)] += 1
    return {w for w, n in counts.items() if n >= BLOCK_ORDER.cut_repeats}


def _read_text_run(texts: list[str], widths: set[int], repeated: set[str]) -> list[tuple[str, str]]:
    """A run of text tokens between values: names, a qualitative target and actual (提升 / 提升),
    a deviation note (lines of one width closed by 。), each rejoined where its cell cut it."""
    out: list[tuple[str, str]] = []
    items = list(texts)
    # Notes: a sentence's lines, all as wide as the first, the last closing it.
    k = 0
    pieces: list[tuple[str, str]] = []
    while k < len(items):
        if any(p in items[k] for p in "，。；、") or items[k].endswith(_SENTENCE_END):
            start = k
            while start > 0 and len(items[start - 1]) == len(items[k]) and not pieces_end(pieces, start):
                start -= 1
            end = k
            while not items[end].endswith(_SENTENCE_END) and end + 1 < len(items):
                end += 1
            while pieces and pieces[-1][1] == "text" and pieces[-1][2] >= start:  # type: ignore[misc]
                pieces.pop()
            pieces.append(("".join(items[start:end + 1]), "note", start))  # type: ignore[arg-type]
            k = end + 1
            continue
        pieces.append((items[k], "text", k))  # type: ignore[arg-type]
        k += 1
    plain = [p[0] for p in pieces if p[1] == "text"]
    # 持续发挥作 / 持续发挥作 / 用 / 用: two cells of one row cut alike.
    if len(plain) == 4 and plain[0] == plain[1] and len(plain[2]) < len(plain[0]) and len(plain[3]) < len(plain[0]):
        plain = [plain[0] + plain[2], plain[1] + plain[3]]
    joined: list[str] = []
    piece = 0  # the width of the last line of joined[-1]: a cell goes on only past a full line
    for k, t in enumerate(plain):
        after = plain[k + 1] if k + 1 < len(plain) else None
        if joined and (piece in widths or len(t) < piece and not _opens(t)) and len(t) <= piece \
                and len(t) <= BLOCK_ORDER.rest_max and t != after \
                and t != joined[-1] and not _opens(t) and t not in repeated and joined[-1] not in repeated \
                and (piece in widths or not _value_words(t)):  # 基本达标 after a name: its row's value
            joined[-1] += t
        else:
            joined.append(t)
        piece = len(t)
    kinds = ["name"] * len(joined)
    # 提升 / 提升: a row's target and actual in words, at the run's end; a column of them (促进 / 促进 /
    # 增加 / 增加) pair by pair, each pair alike, or one last pair of short words (符合要求 / 达标).
    short = BLOCK_ORDER.word_value_max
    for k, t in enumerate(joined):
        # 及时 printed twice, or a short word ending in one (基本及时, 有所改善): a value in words.
        if t in repeated or (len(t) <= short and any(t.endswith(w) and t != w for w in repeated)):
            kinds[k] = "value"
        if k and t == joined[k - 1] and not _is_header(t):  # 持续发挥 / 作用 twice: a target and its actual, alike
            kinds[k - 1] = kinds[k] = "value"
        if _value_words(t):  # 合格, 基本达标, 有效提高: the forms' words for a target or an actual, no name
            kinds[k] = "value"
    # A value in words has its pair beside it (符合要求 / 达标): a short word next to a lone value.
    # Only a run of values of odd length lacks its pair (政策知晓 / 增加 / 增加 is a name and a pair).
    for k in range(len(joined)):
        if kinds[k] != "value" or (k + 1 < len(joined) and kinds[k + 1] == "value"):
            continue
        start = k
        while start >= 1 and kinds[start - 1] == "value":
            start -= 1
        if (k - start + 1) % 2 == 1:
            if k + 1 < len(joined) and kinds[k + 1] == "name" and len(joined[k + 1]) <= short \
                    and (k + 2 >= len(joined) or kinds[k + 2] != "value"):
                kinds[k + 1] = "value"
            elif start >= 1 and kinds[start - 1] == "name" and len(joined[start - 1]) <= short:
                kinds[start - 1] = "value"
    end = len(joined)
    while end >= 2 and kinds[end - 1] == "name" and (joined[end - 1] == joined[end - 2] or (
            end == len(joined) and max(len(joined[end - 1]), len(joined[end - 2])) <= BLOCK_ORDER.word_value_max)):
        kinds[end - 2:end] = ["value", "value"]
        end -= 2
    out = [(kind, text) for kind, text in zip(kinds, joined, strict=True)]
    out += [("note", p[0]) for p in pieces if p[1] == "note"]
    return out


def _value_words(text: str) -> bool:
    """A text made only of the forms' value words and their leads (达标, 基本达标, 有所改善, 符合要求)."""
    rest = text
    while rest:
        word = next((w for w in _VALUE_PARTS if rest.startswith(w)), None)
        if word is None:
            return False
        rest = rest[len(word):]
    return any(w in text for w in VALUE_WORDS) and len(text) <= 2 * BLOCK_ORDER.word_value_max


_VALUE_PARTS = tuple(sorted({*VALUE_WORDS, *VALUE_LEADS}, key=len, reverse=True))


def pieces_end(pieces: list, start: int) -> bool:
    """The line before `start` already closed a note: a new one starts here."""
    return bool(pieces) and pieces[-1][1] == "note" and pieces[-1][2] >= start - 1


def _value_kind(value: str) -> str:
    """A target's or actual's grammar: `op` (a comparison and its number: a target), `number` (a figure
    without one: an actual), `word` (a value in words, either)."""
    c = compact(value)
    if _OP.match(c):
        return "op"
    return "number" if _VALUE.search(c) else "word"


def _split_values(values: list[str], n: int | None = None) -> tuple[list[str], list[str]]:
    """Targets and actuals in one stream: an interleaving of the targets' column and the actuals'
    (a row's target before its actual, rows in order; row by row, or a run of targets then their
    actuals). A target with its operator pairs with an actual that is a figure, a target in words with
    an actual in words: the interleaving whose pairs agree so, with the names' count of rows."""
    if not values:
        return [], []
    kinds = [_value_kind(v) for v in values]
    rows = n if n is not None else len(values)
    inf = float("inf")
    # state: the targets taken and the actuals taken -> (cost, the kinds of the targets still waiting
    # for their actuals, the choices made: 'T', 'A', '-' for a value left out, '0' for an actual missing)
    states: dict[tuple[int, int, tuple[str, ...]], tuple[float, str]] = {(0, 0, ()): (0.0, "")}

    def put(into: dict, key: tuple, cost: float, path: str) -> None:
        if cost < into.get(key, (inf, ""))[0]:
            into[key] = (cost, path)

    for kind in kinds:
        nxt: dict[tuple[int, int, tuple[str, ...]], tuple[float, str]] = {}
        for (i, j, waiting), (cost, path) in states.items():
            for drop in (0, 1):  # the waiting head's actual not printed
                if drop and not waiting:
                    continue
                w = waiting[1:] if drop else waiting
                jj = j + drop
                c0 = cost + BLOCK_ORDER.value_drop_cost * drop
                p0 = path + "0" * drop
                if kind != "number" and i < rows + 1:
                    put(nxt, (i + 1, jj, (*w, "op" if kind == "op" else "word")), c0 + BLOCK_ORDER.value_wait_cost * len(w),
                        p0 + "T")
                if kind != "op" and w:
                    agree = (w[0] == "op") == (kind == "number")
                    put(nxt, (i, jj + 1, w[1:]), c0 + (0.0 if agree else BLOCK_ORDER.value_kind_cost), p0 + "A")
            put(nxt, (i, j, waiting), cost + BLOCK_ORDER.value_skip_cost, path + "-")
        states = dict(sorted(nxt.items(), key=lambda item: item[1][0])[:BLOCK_ORDER.beam])
    best_cost, best_path = inf, ""
    for (i, _, waiting), (cost, path) in states.items():
        cost += BLOCK_ORDER.value_drop_cost * len(waiting) + BLOCK_ORDER.count_cost * abs(i - rows)
        if cost < best_cost:
            best_cost, best_path = cost, path
    targets: list[str] = []
    actuals: list[str | None] = []
    waiting_at: list[int] = []  # rows whose actual is still to come
    k = 0
    for step in best_path:
        if step == "T":
            targets.append(values[k])
            actuals.append(None)
            waiting_at.append(len(targets) - 1)
        elif step == "A":
            actuals[waiting_at.pop(0)] = values[k]
        elif step == "0":
            actuals[waiting_at.pop(0)] = ""
            continue
        k += 1
    return targets, [a or "" for a in actuals]


def _split_points(numbers: list[str], n: int, fund_weight: Decimal | None, fund_score: Decimal | None,
                  total_at: int | None, level_points: list[Decimal]) -> tuple[list[str], list[str], tuple[str, str]]:
    """Split the plain numbers into the 分值 run, the 得分 run and the 总分 row's two, by the
    arithmetic: a score follows its points (in a row or a column) and never exceeds them, scores
    most often equal their points, and the points add up to 100 with the funds' 分值."""
    values = [Decimal(v) for v in numbers]
    fw = fund_weight or Decimal(0)
    targets = [sum(level_points[:j + 1], Decimal(0)) for j in range(len(level_points))]

    def overshoot(before: Decimal, after: Decimal) -> float:
        # A point that carries the running sum past a level's (N分) or past 100 costs as soon as it
        # is taken, not at the end: a column of points printed before its scores outlives the beam.
        missed = sum(before < goal < after for goal in targets)
        return BLOCK_ORDER.level_cost * missed + BLOCK_ORDER.sum_cost * (before + fw <= 100 < after + fw)

    # state: (weights idx, scores idx, totals idx, cost)
    beam: list[tuple[float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = [(0.0, (), (), ())]
    for k, v in enumerate(values):
        nxt: list[tuple[float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = []
        for cost, w, s, t in beam:
            if len(w) < n:
                before = sum((values[i] for i in w), Decimal(0))
                nxt.append((cost + overshoot(before, before + v), (*w, k), s, t))
            if len(s) < len(w) and v <= values[w[len(s)]]:
                nxt.append((cost - (BLOCK_ORDER.equal_bonus if v == values[w[len(s)]] else 0.0), w, (*s, k), t))
            if len(s) + 1 < len(w) and v <= values[w[len(s) + 1]] and -1 not in s:
                # the score before this one is printed later (its cell pushed down by a wrapped neighbour)
                bonus = BLOCK_ORDER.equal_bonus if v == values[w[len(s) + 1]] else 0.0
                nxt.append((cost + BLOCK_ORDER.defer_cost - bonus, w, (*s, -1, k), t))
            if -1 in s and v <= values[w[s.index(-1)]]:
                at = s.index(-1)
                bonus = BLOCK_ORDER.equal_bonus + BLOCK_ORDER.defer_cost if v == values[w[at]] else 0.0
                nxt.append((cost - bonus, w, (*s[:at], k, *s[at + 1:]), t))
            if len(t) < 2 and (total_at is None or k >= total_at - BLOCK_ORDER.total_reach):
                nxt.append((cost + BLOCK_ORDER.total_cost, w, s, (*t, k)))
            nxt.append((cost + BLOCK_ORDER.skip_cost, w, s, t))
        nxt.sort(key=lambda state: state[0])
        kept: dict[tuple, tuple[float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {}
        for state in nxt:
            _, w, s, t = state
            # States whose futures are alike (the same points waiting for their scores, the same
            # sums): the cheapest stands for them all.
            key = (len(w), tuple(values[i] for i in w[len(s):]), tuple(values[w[j]] for j, i in enumerate(s) if i < 0),
                   sum((values[i] for i in w), Decimal(0)), tuple(values[i] for i in t))
            if key not in kept:
                kept[key] = state
                if len(kept) >= BLOCK_ORDER.beam:
                    break
        beam = list(kept.values())

    def final(state: tuple[float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]) -> float:
        cost, w, s, t = state
        sw = sum(values[i] for i in w) + fw
        cost += BLOCK_ORDER.count_cost * (abs(len(w) - n) + abs(len(s) - n))
        cost += 0 if sw >= 100 else BLOCK_ORDER.sum_cost  # past 100 was charged when it passed
        # A number read as the 总分 row's that is not the sum is a stray: it costs as one skipped.
        if t:
            cost -= BLOCK_ORDER.total_cost * (values[t[0]] == sw)
            # 总分's 分值 is the points' sum: another number is a stray more likely than the total's
            cost += BLOCK_ORDER.skip_cost * (values[t[0]] != sw)
        if len(t) > 1:
            ss = sum((values[i] for i in s if i >= 0), Decimal(0)) + (fund_score or 0)
            cut = t[1] + 1 < len(values) and "." in numbers[t[1]] and numbers[t[1] + 1].isdigit() and Decimal(numbers[t[1]] + numbers[t[1] + 1]) == ss
            cost -= BLOCK_ORDER.total_cost * (values[t[1]] == ss or cut)
        acc = Decimal(0)
        bounds = {Decimal(0)}
        for i in w:
            acc += values[i]
            bounds.add(acc)
        for goal in targets:  # a (N分) passed was charged then; one not reached is charged here
            cost += 0 if goal in bounds or goal < acc else BLOCK_ORDER.level_cost
        return cost

    best = min(beam, key=final)
    _, w, s, t = best
    totals = [numbers[t[0]] if t else "", numbers[t[1]] if len(t) > 1 else ""]
    used = {*w, *s, *t}
    if len(t) > 1 and t[1] + 1 < len(numbers) and t[1] + 1 not in used and "." in numbers[t[1]] \
            and numbers[t[1] + 1].isdigit():
        whole = Decimal(numbers[t[1]] + numbers[t[1] + 1])
        if whole == sum((values[i] for i in s if i >= 0), Decimal(0)) + (fund_score or 0):
            totals[1] = numbers[t[1]] + numbers[t[1] + 1]  # 99.5 / 3: the total's score cut in its cell
    return [numbers[i] for i in w], [numbers[i] if i >= 0 else "" for i in s], (totals[0], totals[1])


_LEVEL1_ORDER = ("产出指标", "成本指标", "效益指标", "满意度指标")  # the template's order, 成本 where it is a level 1


def _level1_order(ones: list[tuple[Any, int]], weights: list[Decimal], n: int) -> list[tuple[Any, int]]:
    """The level-1 labels in the table's order. Their block may print them in any order (labels read
    after every name tell nothing), so the order is the one whose (N分) the rows' points add up to,
    then the one nearest where the labels fell among the names, then the template's."""
    def told(order: tuple[tuple[Any, int], ...]) -> int:
        ats = [at for _, at in order if at < n]
        return sum(a > b for k, a in enumerate(ats) for b in ats[k + 1:])

    def template(order: tuple[tuple[Any, int], ...]) -> int:
        ranks = [_LEVEL1_ORDER.index(lab.canonical) if lab.canonical in _LEVEL1_ORDER else len(_LEVEL1_ORDER)
                 for lab, _ in order]
        return sum(a > b for k, a in enumerate(ranks) for b in ranks[k + 1:])

    def adds_up(order: tuple[tuple[Any, int], ...]) -> bool:
        if len(weights) != n or not all(lab.weight for lab, _ in order):
            return False
        bounds = {sum(weights[:k], Decimal(0)) for k in range(n + 1)}
        acc = Decimal(0)
        for lab, _ in order:
            acc += lab.weight
            if acc not in bounds:
                return False
        return True

    if len(ones) < 2 or len(ones) > BLOCK_ORDER.level1_max:
        return ones
    return list(min(permutations(ones), key=lambda o: (not adds_up(o), told(o), template(o))))


def _levels(labels: list[tuple[object, int]], weights: list[Decimal], n: int,
            issues: list[Issue]) -> tuple[list[str], list[str]]:
    """Level 1 by the points (a level's rows add up to its printed (N分)), level 2 by where its label
    fell among the names (a merged cell's text sits at its middle) in the taxonomy's order."""
    level1 = [""] * n
    level2 = [""] * n
    ones = [(lab, at) for lab, at in labels if lab is not None and lab.level == 1]  # type: ignore[attr-defined]
    twos = [(lab, at) for lab, at in labels if lab is not None and lab.level == 2]  # type: ignore[attr-defined]
    names2 = {lab.canonical for lab, _ in twos}  # type: ignore[attr-defined]
    cost_is_level1 = uses_cost_level1(names2)
    if cost_is_level1:
        ones += [(lab, at) for lab, at in twos if lab.canonical == "成本指标"]  # type: ignore[attr-defined]
        twos = [(lab, at) for lab, at in twos if lab.canonical != "成本指标"]  # type: ignore[attr-defined]
    seen: set[str] = set()
    ones = [(lab, at) for lab, at in ones if not (lab.canonical in seen or seen.add(lab.canonical))]  # type: ignore[attr-defined,func-returns-value]
    bare = [lab.weight for lab, _ in labels if lab is not None and _bare_points_label(lab)]
    if not ones and bare:
        # Level-1 cells printing only their points (40分): the levels are the level 2's parents, in the
        # template's order, each with the points printed in that order when there are as many.
        rank = {name: k for k, name in enumerate(_LEVEL1_ORDER)}
        parents = sorted({LEVEL2_PARENT.get(lab.canonical, "") for lab, _ in twos} - {""},  # type: ignore[attr-defined]
                         key=lambda p: rank.get(p, len(rank)))
        if len(parents) == len(bare):
            ones = [(read_label(f"{p}({w}分)"), n) for p, w in zip(parents, bare, strict=True)]
    ones = _level1_order(ones, weights, n)
    order1 = {lab.canonical: k for k, (lab, _) in enumerate(ones)}  # type: ignore[attr-defined]

    def parent(name: str) -> str:
        if name == "成本指标":
            return "成本指标" if cost_is_level1 else "产出指标"
        return LEVEL2_PARENT.get(name, "")

    seen2: set[str] = set()
    twos = [(lab, at) for lab, at in twos if not (lab.canonical in seen2 or seen2.add(lab.canonical))]  # type: ignore[attr-defined,func-returns-value]
    twos.sort(key=lambda la: (order1.get(parent(la[0].canonical), len(LEVEL1)),  # type: ignore[attr-defined]
                              _LEVEL2_ORDER.get(la[0].canonical, len(_LEVEL2_ORDER))))  # type: ignore[attr-defined]
    # Level 1 boundaries from the points.
    bounds1: dict[str, tuple[int, int]] = {}
    if ones and all(lab.weight for lab, _ in ones) and len(weights) == n:  # type: ignore[attr-defined]
        start = 0
        acc = Decimal(0)
        for lab, _ in ones:
            goal = acc + lab.weight  # type: ignore[attr-defined]
            end = start
            while end < n and acc < goal:
                acc += weights[end]
                end += 1
            if acc != goal:
                bounds1 = {}
                break
            bounds1[lab.canonical] = (start, end)  # type: ignore[attr-defined]
            start = end
        if bounds1 and start < n:  # rows past the last level's (N分) (a stray read as a row): the last level's
            last = ones[-1][0].canonical  # type: ignore[attr-defined]
            bounds1[last] = (bounds1[last][0], n)
    m = len(twos)
    if not m or m > n:
        if n:
            issues.append(_issue("missing_level", "block-order text: the level-2 labels could not be placed",
                                 "indicators"))
        return level1, level2
    # Partition rows 0..n into m spans in order; cost: each label's distance from its span's middle
    # (labels read after every name tell nothing), spans never crossing a level-1 boundary.
    cuts = {b for a, b in bounds1.values()} | {a for a, b in bounds1.values()}
    # Where position tells nothing (labels after every name, or all at one place), the rows of a
    # level 1 are shared evenly among its labels: a hair of cost, below any position's.
    ats = {at for _, at in twos}
    told = len(ats) > 1
    per1 = Counter(parent(lab.canonical) for lab, _ in twos)  # type: ignore[attr-defined]
    share = {p: (bounds1[p][1] - bounds1[p][0] if p in bounds1 else n) / k for p, k in per1.items()}
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(m + 1)]
    back = [[0] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for j in range(1, m + 1):
        lab, at = twos[j - 1]
        span1 = bounds1.get(parent(lab.canonical))  # type: ignore[attr-defined]
        for e in range(1, n + 1):
            for b in range(e):
                if best[j - 1][b] == inf:
                    continue
                if any(b < c < e for c in cuts):
                    continue
                if span1 and not (span1[0] <= b and e <= span1[1]):
                    continue
                placed = abs(at - (b + e - 1) / 2) if told and at < n else 0.0
                cost = best[j - 1][b] + placed + BLOCK_ORDER.spread_cost * abs(
                    (e - b) - share[parent(lab.canonical)])  # type: ignore[attr-defined]
                if cost < best[j][e] - 1e-9:
                    best[j][e], back[j][e] = cost, b
    if best[m][n] == inf:
        issues.append(_issue("missing_level", "block-order text: the level-2 labels could not be placed",
                             "indicators"))
        return level1, level2
    if not told or any(at >= n for _, at in twos):
        issues.append(_issue("doubtful_value", "block-order text: the level-2 labels' rows are not told by the "
                             "text; the rows were given to them by where their labels fell", "indicators"))
    e = n
    for j in range(m, 0, -1):
        b = back[j][e]
        lab = twos[j - 1][0]
        for r in range(b, e):
            level2[r] = lab.printed  # type: ignore[attr-defined]
            level1[r] = next((l1.printed for l1, _ in ones if l1.canonical == parent(lab.canonical)),  # type: ignore[attr-defined]
                             parent(lab.canonical))  # type: ignore[attr-defined]
        e = b
    return level1, level2
