"""Grid -> forms: read each form's rows back into the contract's fields and hierarchy.

Stages, each a function of what the previous one returned:
    grid_to_rows -> rows_to_form_runs -> classify rows into sections (meta, funds, goals, indicators)
    -> read each section -> resolve the 一级/二级 hierarchy over indicator rows -> Form.
Rules come from the form's structure (its header row, its sections) and the indicator taxonomy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from extractor.align import align_fund_row, align_row, align_texts
from extractor.confidence import char_doubts, goal_doubts
from extractor.form.vocabulary import (
    BLOCK_SCORE_HEADERS,
    BREAKDOWN_ROW,
    FUND_BLOCK_LABELS,
    FUND_BLOCK_PIECE,
    GOAL_ACTUAL_HEADERS,
    GOAL_EXPECTED_HEADERS,
    GOAL_HEADERS,
    GOAL_LABEL_PARTS,
    GOAL_LABELS,
    INDICATOR_NUMBER,
    META_KEYS,
    META_KEYS_EXACT,
    NUMBERED_BLOCK,
    OPERATOR_WORDS,
    OTHER_KEYS,
    UNIT_STATEMENT,
    UNKEPT_BLOCKS,
    YIELDING_KEYS,
    clipped_key,
    is_goal_header,
    is_meta_key,
    is_seal_line,
    is_sentence,
    split_goal_items,
    title_text,
    total_word,
)
from extractor.form.vocabulary import NUMBERING as _NUMBERING
from extractor.form.vocabulary import PLACEHOLDER as _PLACEHOLDER
from extractor.grid import Cell, Grid, Row, grid_to_rows, join_weak
from extractor.normalize import (
    clean_text,
    clean_value,
    compact,
    is_page_number,
    is_points,
    looks_numeric,
    parse_amount,
    parse_number,
    parse_rate,
)
from extractor.segment import is_title_row, rows_to_form_runs
from extractor.taxonomy import (
    FUND_HEADER_ROLES,
    INDICATOR_HEADER_ROLES,
    LEVEL1_AS_LEVEL2,
    HeaderTable,
    Label,
    fund_row_key,
    header_role,
    header_role_reader,
    parent_of,
    read_label,
    uses_cost_level1,
    within_one_edit,
)
from extractor.validate import is_unread_fund_row
from extractor.vision.columns import align_by_boxes, drawn, header_boxes
from models import CellRef, Form, FundRow, Goals, Indicator, Issue, LabeledFundRow, Total

# A Latin letter beside digits or a count word (`o起`, `1O0%`) is an OCR confusion, not a value.
_FLAT_MARKS = frozenset("一—-－_")  # what a = whose strokes ran together reads as
_LETTER_FOR_DIGIT = re.compile(r"(?<![A-Za-z])[oOlIzZsS](?=[\d%％起个次人天项户家所]|$)|(?<=\d)[oOlI](?![A-Za-z])")
DEFAULT_INDICATOR_ROLES = ("l1", "l2", "name", "target", "actual", "weight", "score", "note")
DEFAULT_FUND_ROLES = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")

_HEADER_PARENS = re.compile(r"[（(][^()（）]{1,6}[)）]")
_BLOCK_POINTS = re.compile(r"[(（](\d+(?:\.\d+)?)分[)）]")
_YEAR_LINE_MAX = 30  # a year line (（2023年度）, 年度：2024年); a sentence above the form names other years
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月")
# 绩效目标自评表 (2021); not a document number's year (昌州财行(2022)10号)
_BRACKET_YEAR = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*[)）](?!\s*\d+\s*号)")
_YEAR_ALONE = re.compile(r"(?:年度[:：]?)?[（(]?(?:19|20)\d{2}年[)）]?")
_UNIT = re.compile(r"[（(]\s*(万元|元)\s*[)）]")
_UNIT_LINE = re.compile(r"(?:金额)?单位[:：]\s*(万元|元)|^[（(]\s*(万元|元)\s*[)）]?$")


def grid_to_forms(grid: Grid) -> list[Form]:
    return [run_to_form(run) for run in rows_to_form_runs(grid_to_rows(grid))]


# --- one form --------------------------------------------------------------------------------------


@dataclass
class _State:
    form: Form = field(default_factory=Form)
    section: str = "meta"  # meta | funds | unkept | goals | indicators | done
    fund_roles: tuple[str, ...] = DEFAULT_FUND_ROLES
    last_fund: tuple[str | None, str | None, list[Cell]] | None = None  # the fund row read last, for its rest
    fund_columns: dict[str, int] = field(default_factory=dict)
    year_annual: bool = False  # the year was read as 2022年度, not as a bare 2021年
    fund_points: Decimal | None = None  # the funds' weight printed in the block's label, not in a column
    fund_label_points: Decimal | None = None  # the same, from a label row printed above the header
    block_scores: bool = False  # a 自评得分 column down the form's right scores each block (BLOCK_SCORE_HEADERS)
    indicator_roles: tuple[str, ...] = DEFAULT_INDICATOR_ROLES
    indicator_columns: dict[str, int] = field(default_factory=dict)
    indicator_boxes: dict[str, tuple[float, float]] = field(default_factory=dict)  # role -> header x-range
    goal_columns: dict[str, int] = field(default_factory=dict)
    goal_parts: dict[str, list[Cell]] = field(default_factory=lambda: {"expected": [], "actual": []})
    goal_cells_read: set[tuple[int, int]] = field(default_factory=set)  # a merged cell repeats per row
    goal_last: str | None = None  # the goal cell a row wrote last: a row's wrapped lines go on with it
    indicator_rows: list[_IndicatorRow] = field(default_factory=list)
    pending_labels: list[Label] = field(default_factory=list)
    meta_keys: dict[str, str] = field(default_factory=dict)  # field -> the key its value was read under
    total_texts: list[str] = field(default_factory=list)  # the 总分 row's numbers as printed, for their rests
    rows_after_total: list[Row] = field(default_factory=list)

    def issue(self, code: str, severity: str, field_: str | None, message: str) -> None:
        self.form.issues.append(Issue(code=code, severity=severity, field=field_, message=message))


@dataclass
class _IndicatorRow:
    row: Row
    labels: list[Label]
    cells: dict[str, Cell]
    blank_level2: bool = False  # its 二级指标 column is an empty merged cell: the label is elsewhere
    unread: list[Cell] = field(default_factory=list)  # printed cells that fit none of the row's columns

    def has_values(self) -> bool:
        return not self.cells.keys().isdisjoint(_VALUE_ROLES)


_VALUE_ROLES = frozenset({"target", "target_op", "target_unit", "actual", "weight", "score"})


def run_to_form(rows: list[Row]) -> Form:
    state = _State()
    state.form.pages = sorted({r.page for r in rows})
    for row in rows:
        _read_row(state, row)
    _finish_goals(state)
    state.form.indicators = _resolve_indicators(state)
    if state.block_scores and "weight" not in state.indicator_columns and _rows_scored_only(state.form):
        state.issue("scored_by_block", "warning", "indicators",
                    "该表在右侧「自评得分」栏按板块评分，指标表没有分值栏，各行分值为空 / the form scores each block in a "
                    "自评得分 column and prints no 分值: rows carry no weight")
    if _scores_nothing(state):
        state.issue("no_points_columns", "warning", "indicators",
                    "指标表头没有分值、得分栏，各行按无分值读取 / the indicator header names no 分值 or 得分: "
                    "the rows are read without points")
    _join_cut_total_score(state)
    _filing_unit_as_department(state)
    return state.form


def _filing_unit_as_department(state: _State) -> None:
    """A form that names no 主管部门 and no project, only the 单位名称 that files it (a 区域 or 部门整体
    form): that unit is the department the form reports for, not a project's implementing unit."""
    form = state.form
    if form.department is None and form.project_name is None and state.meta_keys.get("implementing_unit") == "单位名称":
        form.department, form.implementing_unit = form.implementing_unit, None


def _join_cut_total_score(state: _State) -> None:
    """`总分 | 100 | 99.5` then `3` alone, `总分 | 10` then `0`, `99.`, `5`: the narrow columns cut the
    总分 row's numbers, or the page's bare number follows. The form's arithmetic tells: the pieces are
    read again as 分值 and 得分 only when those are what the rows' (and the funds') points add up to."""
    total = state.form.total
    rests = [compact(c.text) for r in state.rows_after_total for c in r.cells if not c.is_empty]
    if not rests or not state.total_texts or not state.form.indicators:
        return
    weights = [i.weight for i in state.form.indicators]
    scores = [i.score for i in state.form.indicators]
    if any(v is None for v in (*weights, *scores)):
        return
    funds = state.form.funds.total
    want = (sum(weights, Decimal(0)) + (funds.weight or Decimal(0)), sum(scores, Decimal(0)) + (funds.score or Decimal(0)))
    if (total.weight, total.score) == want:
        return
    pieces = [*state.total_texts, *rests]
    for k in range(1, len(pieces)):
        try:
            read = (parse_number("".join(pieces[:k])), parse_number("".join(pieces[k:])))
        except ValueError:
            continue
        if read == want:
            state.form.total = total.model_copy(update={"weight": read[0], "score": read[1]})
            return


def _read_row(state: _State, row: Row) -> None:
    if state.section == "indicators":
        _read_table_row(state, row)  # most rows: checked for the table's own words only
        return
    if state.section == "done":
        state.rows_after_total.append(row)
        return
    texts = row.words
    if is_seal_line(texts):
        units = [m.group(1) for t in texts[1:] if (m := UNIT_STATEMENT.match(t))]
        state.form.amount_unit = state.form.amount_unit or (units[0] if units else None)
        return  # 主管部门(盖章): … 单位:万元: the stamp's place, not the department's key
    # A key's value may read like a title (项目名称 | …补助经费支出绩效自评表): the key decides.
    if state.section == "meta" and is_title_row(row) and not any(_is_meta_key(c.text) for c in row.cells):
        _read_title(state, row)
        return
    if state.section == "meta" and _read_block_score(state, row):
        return
    if state.section in ("meta", "funds") and (pairs := _fund_pairs(row)):
        _read_fund_pairs(state, pairs)
        return
    if state.section in ("meta", "funds") and _read_meta(state, row):
        _note_unread_key(state, row)
        return
    if state.section == "meta":
        _note_unread_key(state, row)
    if state.section == "meta" and (m := _UNIT_LINE.search("".join(texts))):
        state.form.amount_unit = m.group(1) or m.group(2)  # 单位：万元 or （万元 printed above the table
        return
    if state.section in ("meta", "funds") and texts and texts[0].startswith(UNKEPT_BLOCKS):
        state.section = "unkept"  # until the goals' or the indicators' header
        return
    if state.section == "goals" and any(t.startswith(FUND_BLOCK_LABELS) for t in texts):
        state.section = "funds"  # 预算执行情况（10分）: the funds block follows the goals in this template
        _read_unit(state, row)
        return
    if state.section == "meta" and len(texts) == 1 and texts[0].startswith(FUND_BLOCK_LABELS):
        _read_unit(state, row)  # 年度预算申请(万元) on a row of its own, above the funds' header
        if m := _BLOCK_POINTS.search(texts[0]):
            state.fund_label_points = Decimal(m.group(1))  # 预算执行情况(万元)(20分): the header may not say it
    if fund_roles := _header_roles(row, FUND_HEADER_ROLES, minimum=3):
        state.section = "funds"
        state.fund_roles, state.fund_columns = tuple(fund_roles), fund_roles
        _read_unit(state, row)
        if "weight" not in fund_roles:  # 预算执行情况(万元)(20分): no 分值 column, the block label says it
            state.fund_points = next((Decimal(m.group(1)) for t in texts if t.startswith(FUND_BLOCK_LABELS)
                                      and (m := _BLOCK_POINTS.search(t))), state.fund_label_points)
        return
    if any(t.startswith(GOAL_LABELS) or t in GOAL_HEADERS for t in texts):
        state.section = "goals"
        if any(t in GOAL_HEADERS for t in texts):
            state.goal_columns = _goal_columns(row)
            return
    if indicator_roles := _indicator_header(row):
        state.section = "indicators"
        _take_indicator_header(state, row, indicator_roles)
        return
    if state.section == "meta" and state.form.year is None and len(joined := "".join(texts)) <= _YEAR_LINE_MAX \
            and (m := _YEAR.search(joined)) and not _DATE.search(joined):  # 2021年4月: a 填报日期, no year line
        state.form.year = int(m.group(1))
        return
    if state.section == "funds":
        _read_fund_row(state, row)
    elif state.section == "goals" and not (state.block_scores and _lone_points(row)):  # the block's 自评得分
        _read_goal_row(state, row)


def _read_table_row(state: _State, row: Row) -> None:
    for word in row.words:
        if total_word(word)[0]:
            _read_total(state, row)
            state.section = "done"
            return
    # The row's header words, read once for both tests: a repeated header, a second header row.
    roles = _header_roles(row, INDICATOR_HEADER_ROLES, minimum=0) or {}
    if (indicator_roles := _indicator_header(row, roles)) and not _splits_header(state, indicator_roles):
        # The header repeated on a continuation page: same columns, maybe shifted.
        _take_indicator_header(state, row, indicator_roles)
    else:
        _read_indicator_row(state, row, roles)


def _rows_scored_only(form: Form) -> bool:
    """Some row carries a 得分 and none a 分值."""
    return any(i.score is not None for i in form.indicators) and all(i.weight is None for i in form.indicators)


def _scores_nothing(state: _State) -> bool:
    """A template that scores nothing: an indicator header read without 分值/得分, and no points on the
    funds, the 总分 or any row."""
    form, funds = state.form, state.form.funds.total
    return (bool(state.indicator_columns) and not {"weight", "score"} & set(state.indicator_columns)
            and bool(form.indicators)
            and all(v is None for v in (funds.weight, funds.score, form.total.weight, form.total.score))
            and all(i.weight is None and i.score is None for i in form.indicators))


def _take_indicator_header(state: _State, row: Row, roles: dict[str, int]) -> None:
    """The indicator header's columns (first or repeated) become the table's; its merged labels wait.
    A header without 分值/得分 on a form with a 自评得分 column: that column, right of the last, is the
    rows' 得分."""
    if state.block_scores and not {"weight", "score"} & set(roles):
        roles = {**roles, "score": max(roles.values()) + 1}
    state.indicator_roles, state.indicator_columns = tuple(roles), roles
    state.indicator_boxes = header_boxes(row, roles)
    state.pending_labels.extend(lab for c in row.cells if (lab := read_label(c.text)))


# --- header: title, year, project, department ------------------------------------------------------


def _read_title(state: _State, row: Row) -> None:
    for cell in row.cells:
        text = title_text(clean_text(cell.text))
        if not text:
            continue
        if m := _YEAR.search(text) or _BRACKET_YEAR.search(text):
            # 2022年度 names the form's year; a page title's 2021年 (the project's) gives way to it.
            annual = m.group(0).endswith("度")
            if state.form.year is None or (annual and not state.year_annual):
                state.form.year, state.year_annual = int(m.group(1)), annual
            text = (text[: m.start()] + text[m.end():]).strip("()（） ")
        if "自评表" in text or "绩效自评" in text:
            state.form.title = re.sub(r"^[（(]?\s*[)）]?", "", text).strip()


@lru_cache(maxsize=1 << 14)
def _meta_key(raw: str) -> str | None:
    """The meta key a cell starts with (项目名称…), exactly 部门, or one OCR slip from a short key."""
    text = _HEADER_PARENS.sub("", compact(raw))  # 部门（单位）名称 is 部门名称
    key = next((k for k in META_KEYS if text.startswith(k)), None)
    if key is None and text.rstrip(":：") in META_KEYS_EXACT:
        key = text.rstrip(":：")
    if key is None and len(text) <= 5:  # one OCR slip in a key (项日名称, 主管官部门)
        key = next((k for k in META_KEYS if within_one_edit(text, k)), None)
    return key or clipped_key(text)


# A key and its colon printed after a value in the same cell: the value ends there.
_KEY_AFTER_VALUE = re.compile(r"(?<=\S)\s*(?=(?:" + "|".join(map(re.escape, (*META_KEYS, *OTHER_KEYS))) + r")\s*[:：])")


_OTHER_KEY_IN_VALUE = re.compile(r"(?<=\S)\s*(?:" + "|".join(map(re.escape, OTHER_KEYS)) + ")")


def _read_meta(state: _State, row: Row) -> bool:
    """Key/value cells: 项目名称 | 企业经济服务, or 项目名称：企业经济服务 in one cell."""
    cells = [c for c in row.cells if not c.is_empty]
    found = False
    for i, cell in enumerate(cells):
        key = _meta_key(cell.text)
        if key is None:
            continue
        found = True
        inline = clean_text(cell.text).split("：", 1)[-1].split(":", 1)[-1] if ":" in cell.text or "：" in cell.text else ""
        inline = inline if compact(inline) != compact(key) else ""
        value = inline.strip()
        if not value and i + 1 < len(cells) and not _is_meta_key(cells[i + 1].text):
            value = clean_text(cells[i + 1].text)
            if len(cells) == i + 3 and _value_goes_on(cells[i + 2].text):
                # 项目名称 | 昌州财行(2022)10号 | 国家统计局调查队专项经费: a value a single space cut,
                # the row's one key its only owner
                value = f"{value} {clean_text(cells[i + 2].text)}"
        if ":" in value or "：" in value:  # 单位名称:某局 填报日期:2023年4月6日
            value = _KEY_AFTER_VALUE.split(value, 1)[0].strip()
        if m := _OTHER_KEY_IN_VALUE.search(value):  # 某文化馆项目负责人田某联系电话…: cells run together
            value = value[:m.start()].strip()
        if (unit := _UNIT_LINE.fullmatch(compact(value))) and unit.group(1):
            # 主管部门(盖章):      单位:万元 — the key's cell is blank and the table's unit follows it
            state.form.amount_unit = state.form.amount_unit or unit.group(1)
            value = ""
        attr = META_KEYS.get(key) or META_KEYS_EXACT[key]
        read_under = state.meta_keys.get(attr)
        if value and (getattr(state.form, attr) is None or (read_under in YIELDING_KEYS and key not in YIELDING_KEYS)):
            setattr(state.form, attr, value)
            state.meta_keys[attr] = key
        elif not value and read_under in YIELDING_KEYS and key not in YIELDING_KEYS and i + 1 < len(cells):
            # 中央主管部门 | 文化和旅游部 | 地方主管部门 | 资金使用单位: the form's own key printed empty (the next
            # key follows at once), so the field is empty; the ministry was only standing in for it
            setattr(state.form, attr, None)
            state.meta_keys[attr] = key
    if found and state.form.year is None:
        for cell in cells:
            text = compact(cell.text)
            if (m := _YEAR.search(text)) and not _DATE.search(text) and (
                    m.group(0).endswith("度") or _YEAR_ALONE.fullmatch(text)):
                # (2022年度), 年度:2022年; not a 填报日期 (2022年7月5日) nor a project's name (2019年新型…扶持项目),
                # whose year is not the one the form evaluates
                state.form.year = int(m.group(1))
    return found


def _value_goes_on(text: str) -> bool:
    t = compact(text)
    return bool(t) and not _is_meta_key(text) and not t.startswith(OTHER_KEYS) and ":" not in t and "：" not in t \
        and not looks_numeric(t) and not t.endswith(("电话", "负责人", "联系人", "日期", "时间"))


KEY_SLIPS = 2  # characters OCR may get wrong in a four-character key (主营郴门 for 主管部门)


def _note_unread_key(state: _State, row: Row) -> None:
    """A key cell that no key matches but that is a couple of characters off one (OCR's 主营郴门): its
    field stays empty, and says so, instead of going quietly missing."""
    cells = [c for c in row.cells if not c.is_empty]
    if len(cells) < 2 or cells[0].source != "ocr":  # printed text does not misspell its keys: 项目类别 is no key
        return
    for cell in cells[:-1]:  # a key has its value after it
        text = compact(cell.text).rstrip(":：")
        if _is_meta_key(cell.text):
            continue
        for key, attr in META_KEYS.items():
            if len(key) == len(text) >= 4 and sum(a != b for a, b in zip(key, text, strict=True)) <= KEY_SLIPS \
                    and getattr(state.form, attr) is None:
                state.issue("key_unread", "warning", attr,
                            f"{cell.text.strip()!r} 像是 {key}，未能确认，{key}未读入 / looks like {key}: its value is not read")
                break


def _is_meta_key(raw: str) -> bool:
    return is_meta_key(_HEADER_PARENS.sub("", compact(raw)))  # 部门（单位）名称 is 部门名称


def _read_unit(state: _State, row: Row) -> None:
    for cell in row.cells:
        if m := _UNIT.search(compact(cell.text)):
            state.form.amount_unit = m.group(1)
            return


def _read_block_score(state: _State, row: Row) -> bool:
    """自评得分 among the key rows opens the column of block scores; the number under it (or beside
    it) is the form's 总分 as scored."""
    texts = [compact(c.text) for c in row.cells if not c.is_empty]
    if (at := next((k for k, t in enumerate(texts) if t in BLOCK_SCORE_HEADERS), None)) is not None:
        state.block_scores = True
        if at + 1 < len(texts) and is_points(texts[at + 1]):
            state.form.total.score = parse_number(texts[at + 1])
        return len(texts) <= 2
    if state.block_scores and state.form.total.score is None and _lone_points(row):
        state.form.total.score = parse_number(texts[0])
        return True
    return False


def _lone_points(row: Row) -> bool:
    texts = [compact(c.text) for c in row.cells if not c.is_empty]
    return len(texts) == 1 and is_points(texts[0])


# --- funds -----------------------------------------------------------------------------------------


def _fund_pairs(row: Row) -> list[tuple[str, Cell]] | None:
    """`预算数: | 2.38 | 执行数: | 2.38`, `转移支付预算数(A) | 5.8万 | 预算执行率(B/A) | 100%`: fund
    headers each with its value after it, the total row printed as label/value pairs (区域 forms), and
    maybe one number left after the last pair (the block's 自评得分). None for any other row."""
    cells = [c for c in row.cells if not c.is_empty]
    pairs: list[tuple[str, Cell]] = []
    k = 0
    while k + 1 < len(cells):
        role = header_role(cells[k].text, FUND_HEADER_ROLES)
        if role is None or role in ("note", "aside") or not _is_amountish(compact(cells[k + 1].text)):
            return None
        pairs.append((role, cells[k + 1]))
        k += 2
    if not pairs or (k < len(cells) and not is_points(compact(cells[k].text))):
        return None
    if k < len(cells):
        pairs.append(("", cells[k]))  # the number after the pairs: the block's score, if the form scores blocks
    return pairs


def _read_fund_pairs(state: _State, pairs: list[tuple[str, Cell]]) -> None:
    """The total row's cells from label/value pairs, over one line or two; the number after them is
    the block's score where the form has a 自评得分 column, and said where it has none."""
    state.section = "funds"
    roles = tuple(role for role, _ in pairs if role)
    known = () if state.fund_columns or state.fund_roles == DEFAULT_FUND_ROLES else state.fund_roles
    state.fund_roles, state.fund_columns = tuple(dict.fromkeys((*known, *roles))), {}
    aligned = {role: cell for role, cell in pairs if role}
    if (rest := next((cell for role, cell in pairs if not role), None)) is not None:
        if state.block_scores and "score" not in aligned:
            aligned["score"] = rest
        else:
            state.issue("value_unread", "error", "funds.total", f"「{clean_text(rest.text)}」不是可读的数值 / "
                        f"{clean_text(rest.text)!r} is printed here but is not a value")
    read = _fund_row(state, aligned, "total")
    total = state.form.funds.total
    update = {k: v for k in FundRow.model_fields if k != "provenance"
              and (v := getattr(read, k)) is not None and getattr(total, k) is None}
    provenance = {**(total.provenance or {}), **(read.provenance or {})} or None
    state.form.funds.total = total.model_copy(update={**update, "provenance": provenance})


def _header_roles(row: Row, table: HeaderTable, minimum: int) -> dict[str, int] | None:
    """Roles named by a header row, in printed order, with the column each was printed in."""
    roles: dict[str, int] = {}
    role_of = header_role_reader(table)
    for cell in row.cells:
        if not cell.is_empty and (role := role_of(cell.text)):
            if role not in roles:
                roles[role] = cell.col
            elif role == "target_op" and "aside" not in roles:
                # 指标性质 | 指标方向: the first says 正向/反向 (which way is better), the second is the operator.
                roles["aside"], roles["target_op"] = roles["target_op"], cell.col
                roles = dict(sorted(roles.items(), key=lambda kv: kv[1]))  # in printed order again
    if "target_op" in roles and "target_unit" in roles and "target" not in roles:
        # 指标性质 | ? | 度量单位: the one header between them is 指标值, however OCR read it (指标).
        between = [c.col for c in row.cells if not c.is_empty and roles["target_op"] < c.col < roles["target_unit"]]
        if len(between) == 1:
            roles = dict(sorted({**roles, "target": between[0]}.items(), key=lambda kv: kv[1]))
    # 得分计算方法 columns are printed by both tables: they tell neither apart.
    return roles if len(roles.keys() - _TEXT_ROLES) >= minimum else None


_TEXT_ROLES = frozenset({"aside"})


def _read_fund_row(state: _State, row: Row) -> None:
    cells = list(row.cells)
    key = label = None
    labelled = False  # a fund row's label found (its key may be None: a row of funds.more)
    for i, cell in enumerate(cells):
        text = compact(cell.text)
        if _UNIT.search(text) and ("资金" in text or _UNIT.fullmatch(text)):  # 项目资金(万元), or its (万元) alone
            state.form.amount_unit = state.form.amount_unit or _UNIT.search(text).group(1)
            cells[i] = _blank(cell)
            continue
        if text in ("万元", "元") and i:  # `地方资金 | 万元`: the unit printed in an empty amount cell
            state.form.amount_unit = state.form.amount_unit or text
            cells[i] = _blank(cell)
            continue
        if not labelled and (k := fund_row_key(cell.text)):
            key, label, labelled = (None if k == "more" else k), clean_text(cell.text), True
            cells[i] = _blank(cell)
        elif key is None and label is None and text and not _is_amountish(text):
            label = clean_text(cell.text)
            cells[i] = _blank(cell)
    if label is None and key is None:
        return
    values = _shift_overflow(_drop_page_numbers(state, cells, "funds"), state.fund_columns)
    if label is not None and FUND_BLOCK_PIECE.match(compact(label)) and key is None and state.last_fund is not None:
        # `资金 | 10 | 95.32% | 9.53`: a side label's piece over the rest of the row above (its one-line
        # cells printed lower than its first ones); `） | 32`: the rest of an amount cut at its width.
        key, label, above = state.last_fund
        values = _continue_cells(above, values)
        if key is None and state.form.funds.more:
            state.form.funds.more.pop()
        elif key is not None:
            setattr(state.form.funds, key, FundRow())
    state.last_fund = (key, label, values)
    # A header printed without the rows' label cell (年初预算数 first) puts every column one off the
    # rows' cells: its positions say nothing, the cells' grammar and arithmetic do.
    unlabelled = bool(state.fund_columns) and min(state.fund_columns.values()) == 0
    alignment = align_fund_row(values, state.fund_roles, None if unlabelled else state.fund_columns)
    aligned = alignment.by_role
    role_at = {col: role for role, col in state.fund_columns.items()}
    # Printed, but fits no column: never drop it silently, also when nothing of the row fits (a scan's
    # `上年结转资金 | o | o`, zeros read as letters, left the row empty and said nothing).
    for cell in alignment.skipped:
        where = f"funds.{key or 'more'}" + (f".{role_at[cell.col]}" if cell.col in role_at else "")
        state.issue("value_unread", "error", where, f"「{clean_text(cell.text)}」不是可读的数值 / {clean_text(cell.text)!r} is printed here but is not a value")
    more = state.form.funds.more
    more_label = BREAKDOWN_ROW.sub("", label or "").strip()  # 其中:中央财政补助 is the row 中央财政补助
    again = bool(more) and more[-1].label == more_label  # the row above has this label (区域 forms, below)
    if not aligned:
        if labelled and key is None and not any(c.text.strip() for c in values) and not again:
            # 地方资金 printed with its cells empty: a row of the form's (all null), as a 上年结转 row is
            more.append(LabeledFundRow(label=more_label))
        return
    fund = _fund_row(state, aligned, key or "more")
    if key == "total" and fund.weight is None and state.fund_points is not None:
        fund.weight = state.fund_points
    if key is None:
        if again and _budget_only(more[-1]) and _budget_only(fund):
            # `其中:中央补助 | 2.38` twice (区域 forms print 预算数: and 执行数: pairs): budget, then executed
            more[-1].executed = fund.annual_budget
            return
        more.append(LabeledFundRow(label=more_label, **fund.model_dump(exclude_none=True)))
    elif is_unread_fund_row(getattr(state.form.funds, key)):
        setattr(state.form.funds, key, fund)


def _shift_overflow(cells: list[Cell], columns: dict[str, int]) -> list[Cell]:
    """`(万元) | 年度资金总额 | 29 | …`: a piece of the block's merged label printed in front of the row's
    label pushes every value one column right, the last one past the header's last column. Values
    that run past the header by k columns while k cells stood before the row's label are moved back."""
    filled = [c for c in cells if not c.is_empty]
    if not filled or not columns:
        return cells
    overflow = filled[-1].col - max(columns.values())
    if overflow <= 0 or filled[0].col - overflow < min(columns.values()):
        return cells
    return [Cell(page=c.page, row=c.row, col=c.col - overflow, text=c.text, bbox=c.bbox, confidence=c.confidence,
                 source=c.source, weak=c.weak) for c in filled]


_CUT_AMOUNT_HEAD = re.compile(r"^\d[\d,]*\.$|^\d{1,3}(?:,\d{3})*,$")  # 5,027,788. or 5,027,


def _continue_cells(above: list[Cell], more: list[Cell]) -> list[Cell]:
    """The row above's cells and these; an amount cut at its width (5,027,788. / 32) joined."""
    above = [c for c in above if not c.is_empty]
    more = [c for c in more if not c.is_empty]
    if above and more and _CUT_AMOUNT_HEAD.match(compact(above[-1].text)) and compact(more[0].text).isdigit():
        head = above[-1]
        joined = Cell(page=head.page, row=head.row, col=head.col, text=compact(head.text) + compact(more[0].text),
                      source=head.source)
        return [*above[:-1], joined, *more[1:]]
    return [*above, *more]


_AMOUNTISH = re.compile(r"[-+]?[\d,.%万元—-]+")


def _is_amountish(text: str) -> bool:
    return bool(_AMOUNTISH.fullmatch(text))


def _fund_row(state: _State, aligned: dict[str, Cell], key: str) -> FundRow:
    values: dict[str, Decimal | None] = {}
    for role, cell in aligned.items():
        if role in ("note", "aside"):
            continue  # an explanation printed beside the amounts; FundRow has no place for it
        where = f"funds.{key}.{role}"
        try:
            if role in ("initial_budget", "annual_budget", "executed"):
                value, note = parse_amount(cell.text, state.form.amount_unit)
                if note:
                    code = "amount_repaired" if "misprinted" in note else "amount_converted"
                    state.issue(code, "warning", where, note)
            elif role == "execution_rate":
                value = parse_rate(cell.text)
            else:
                value = parse_number(cell.text)
        except ValueError:
            state.issue("number_unparsed", "error", where, f"「{clean_text(cell.text)}」不是数字 / {cell.text!r} is not a number")
            continue
        values[role] = value
    if _rate_printed_as_fraction(values):
        rate = values["execution_rate"]
        percent = rate.scaleb(2)  # 0.958 -> 95.8, keeping the printed digits
        percent = percent.quantize(Decimal(1)) if percent.as_tuple().exponent > 0 else percent
        values["execution_rate"] = percent
        state.issue("rate_as_fraction", "warning", f"funds.{key}.execution_rate",
                    f"执行率印为小数 {rate}，与全年执行数 / 全年预算数相符，读作 {percent}% / "
                    f"the rate is printed as a fraction ({rate}) that equals executed / budget: read as {percent}%")
    return FundRow(**values, provenance=_provenance(aligned))


def _rate_printed_as_fraction(values: dict[str, Decimal | None]) -> bool:
    """执行率 `0.958` beside 27.8 / 29: the rate as a fraction, as the sheet's cell held it, not 0.958%.
    Only the row's own arithmetic says so (within a unit of the printed last place: sheets truncate)."""
    rate, executed = values.get("execution_rate"), values.get("executed")
    budget = values.get("annual_budget") or values.get("initial_budget")
    if rate is None or not 0 < rate <= 1 or executed is None or not budget:
        return False
    ratio = executed / budget
    return abs(ratio - rate) <= Decimal(1).scaleb(rate.as_tuple().exponent) and abs(ratio * 100 - rate) > 1


# --- goals -----------------------------------------------------------------------------------------


def _goal_columns(row: Row) -> dict[str, int]:
    columns: dict[str, int] = {}
    for cell in row.cells:
        text = compact(cell.text)
        if not is_goal_header(text):
            continue
        if text.startswith(GOAL_ACTUAL_HEADERS):
            # 总体目标完成情况 | (总体目标) | 全年实际完成情况: the first of two is the block's label
            columns["actual"] = cell.col
        elif text.startswith(GOAL_EXPECTED_HEADERS):
            columns["expected"] = cell.col
    return columns


def _goal_key(columns: dict[str, int], col: int) -> str:
    """The goal column a cell stands in: the nearest header's; left of the only header, the actual's,
    it is the expected one (every template prints the expected goal before the actual)."""
    if "expected" not in columns and col < columns.get("actual", col):
        return "expected"
    return min(columns, key=lambda k: abs(columns[k] - col))


_FILL_PROMPT = re.compile(r"[（(]\d+字以[内下][)）]$")  # 说明…完成情况(100字以内): the template's prompt


# A text whose line ends inside a sentence (`…工作经费，`, `…达到>=`): its next line goes on with it.
_SENTENCE_GOES_ON = re.compile(r"[，、：:,<>=≥≤]$")


def _sentence_unfinished(text: str) -> bool:
    """`…略低于目标值，`, `…加强与相关部门的沟通协`: a sentence its line cut before its end."""
    t = compact(text)
    return bool(re.search(r"[，,]", t)) and not re.search(r"[。！？!?；;)）”\"]$", t)


def _read_goal_row(state: _State, row: Row) -> None:
    first = next((c for c in row.cells if not c.is_empty), None)
    written = state.goal_parts[state.goal_last or "expected"]
    if first is not None and NUMBERED_BLOCK.match(compact(first.text)) and written \
            and not _SENTENCE_GOES_ON.search(compact(written[-1].text)):
        state.section = "after_goals"  # the next numbered block of the template; the goals are read
        return
    texts = [c for c in row.cells if not c.is_empty
             and not compact(c.text).startswith(GOAL_LABELS + ("年度总体",))
             and compact(c.text) not in GOAL_LABEL_PARTS
             and header_role(c.text, INDICATOR_HEADER_ROLES) is None  # a wrapped header of the table below
             and read_label(c.text) is None]  # a label here belongs to the indicator table below
    unique = []
    for cell in texts:  # a cell spanning rows repeats: read it once
        if (cell.row, cell.col) not in state.goal_cells_read:
            state.goal_cells_read.add((cell.row, cell.col))
            unique.append(cell)
    if not unique:
        return
    if len(unique) == 1 and state.goal_parts["actual"] and state.goal_last == "actual":
        # A cell's lines after a row that printed both cells (`…提高。| 全年完成情况：抽检合格率为` /
        # `100%；…`): the row's last cell goes on, as a tool wrapping the row printed it.
        state.goal_parts["actual"].append(unique[0])
        return
    if len(unique) == 2 or not state.goal_columns:
        keys = ["expected", "actual"] if len(unique) >= 2 else ["expected"]
        for key, cell in zip(keys, unique, strict=False):
            state.goal_parts[key].append(cell)
        state.goal_parts["actual"].extend(unique[2:])
        state.goal_last = "actual" if len(unique) >= 2 else "expected"
        return
    for cell in unique:
        key = _goal_key(state.goal_columns, cell.col)
        state.goal_parts[key].append(cell)
        state.goal_last = key


_TRAILING_PAGE_NUMBER = re.compile(r"(?<=[。；;.!！？）)])\s*[-—–]\s*\d{1,4}\s*[-—–]\s*$")


_CLOSES_SENTENCE = re.compile(r"[。！？!?]$")


def _sentence_ends(cells: list[Cell]) -> list[int]:
    """Indexes k where cell k-1 closes a sentence and cell k starts the next: the cuts two goal texts allow."""
    return [k for k in range(1, len(cells)) if _CLOSES_SENTENCE.search(compact(cells[k - 1].text))]


def _finish_goals(state: _State) -> None:
    parts = state.goal_parts
    if not parts["actual"] and len(parts["expected"]) >= 2 and (
            split := split_goal_items([compact(c.text) for c in parts["expected"]])):
        # Both cells' lines came in one column (a dump that keeps one cell per line): their numbering parts them.
        cells = parts["expected"]
        parts["expected"], parts["actual"] = [cells[k] for k in split[0]], [cells[k] for k in split[1]]
    elif not parts["actual"] and "actual" in state.goal_columns and len(ends := _sentence_ends(parts["expected"])) == 1:
        # The header prints both columns, their texts came one per line: the one line that closes its
        # sentence before another starts is where the first cell ends.
        cells = parts["expected"]
        parts["expected"], parts["actual"] = cells[:ends[0]], cells[ends[0]:]
    texts = {}
    for key, parts in state.goal_parts.items():
        text = clean_text("".join(c.text for c in parts))
        if doubts := goal_doubts(text, [c for c in parts if c.source == "ocr"]):
            state.issue("low_confidence", "warning", f"goals.{key}", "；".join(doubts) + "，请核对原件 / "
                        "part of the goal text is doubtful: check it against the page")
        # A goal text running to the foot of a page can swallow the page's number (`…活动。- 18 -`).
        if m := _TRAILING_PAGE_NUMBER.search(text):
            state.issue("page_number_dropped", "warning", f"goals.{key}",
                        f"目标文字末尾的「{m.group(0).strip()}」像是页码，已去除 / {m.group(0).strip()!r} at the end of the "
                        "goal text looks like a page number; dropped")
            text = text[:m.start()]
        if _FILL_PROMPT.search(compact(text)):
            text = ""  # the cell still holds the template's instruction: nothing was filled in
        texts[key] = text or None
    state.form.goals = Goals(**texts)


# --- indicators ------------------------------------------------------------------------------------


def _indicator_header(row: Row, roles: dict[str, int] | None = None) -> dict[str, int] | None:
    """The indicator table's header: three roles or more, one of them name, weight or score.
    `roles`: the row's header roles (any number), when the caller has them already."""
    if len(row.cells) < 3:
        return None
    if roles is None:
        roles = _header_roles(row, INDICATOR_HEADER_ROLES, minimum=0) or {}
    if len(roles) < 3 or not ({"name", "weight", "score"} & set(roles)):
        return None
    return roles


def _splits_header(state: _State, roles: dict[str, int]) -> bool:
    """A second header row under the first (一级/二级/三级指标 | 指标性质 | 指标值 | 度量单位 beneath
    绩效指标 | 年度指标值 | … | 分值 | 得分): it names no points, the row above did."""
    return (bool({"target_op", "target_unit"} & set(roles)) and not {"weight", "score"} & set(roles)
            and bool({"weight", "score"} & set(state.indicator_roles)))


def _read_indicator_row(state: _State, row: Row, roles: dict[str, int]) -> None:
    cells = list(row.cells)
    sub_roles = roles if len(roles) >= 2 else None
    if sub_roles and {"target_op", "target_unit"} & set(sub_roles):
        # A second header row splitting 年度指标值 into 指标性质 / 指标值 / 度量单位.
        roles = list(state.indicator_roles)
        at = roles.index("target") if "target" in roles else len(roles)
        split = [r for r in sub_roles if r in ("target_op", "target", "target_unit")]
        # The same row may split 绩效指标 too (一级/二级/三级指标 under it): roles the first row lacks
        # and the second prints before the target come first, as printed.
        before = [r for r in sub_roles if r not in roles and r not in split and sub_roles[r] < sub_roles[split[0]]]
        state.indicator_roles = tuple(before + roles[:at] + split + roles[at + 1:])
        state.indicator_columns.update({r: sub_roles[r] for r in (*before, *split)})
        state.indicator_boxes.pop("target", None)
        state.indicator_boxes.update(header_boxes(row, {r: sub_roles[r] for r in (*before, *split)}))
        return
    labels: list[Label] = []
    for i, cell in enumerate(cells):
        if (label := read_label(cell.text)) is not None:
            if (label.level and {1, 2} <= {earlier.level for earlier in labels}
                    and compact(cell.text).rstrip(":：") != label.canonical):
                break  # 满意度指标 | 服务对象满意度指标 | 满意度: after both levels, a word short of a label is the name
            if label.level == 1 and labels and labels[-1].level == 1 and labels[-1].canonical == label.canonical \
                    and label.canonical in LEVEL1_AS_LEVEL2:
                # 满意度指标(10分) | 满意度指标 | …: the level-1 name again in the 二级指标 column is that level
                label = Label(2, LEVEL1_AS_LEVEL2[label.canonical], compact(cell.text).rstrip(":："))
            if label.level or label.weight is not None:  # keep a bare (50分): it weighs a block
                labels.append(label)
            cells[i] = _blank(cell)
    values = _drop_page_numbers(state, cells, "indicators")
    # Drawn tables (PDF pages, scans) are read by the header's columns; dumps by their texts.
    # (A text dump's first cell has no box: the common case answered before drawn() looks at every cell.)
    alignment = (align_by_boxes(values, state.indicator_boxes)
                 if row.cells and row.cells[0].bbox is not None and drawn(row) else None)
    if alignment is None:
        alignment = align_row(values, state.indicator_roles, state.indicator_columns)
    aligned = {k: v for k, v in alignment.by_role.items()
               if k not in ("l1", "l2") or _keep_unknown_label(state, k, v, row)}
    for role in ("l1", "l2"):
        if role in aligned:
            cell = aligned.pop(role)
            labels.append(Label(int(role[1]), clean_text(cell.text), clean_text(cell.text)))
    if not aligned:
        state.pending_labels.extend(labels)
        return
    blank_level2 = state.indicator_columns.get("l2", -1) in row.blank_spans
    state.indicator_rows.append(_IndicatorRow(row=row, labels=state.pending_labels + labels, cells=aligned,
                                              blank_level2=blank_level2, unread=alignment.skipped))
    state.pending_labels = []


def _keep_unknown_label(state: _State, role: str, cell: Cell, row: Row) -> bool:
    # Kept as printed; validate_form reports it (unknown_level1/2), once, on the indicator's field.
    # Not kept: the lower part of a merged label cut by a page break (经济效益 | 指标 overleaf), which
    # only completes the label printed above the break: the block goes on.
    return not _is_label_tail(state, int(role[1]), compact(cell.text), row)


def _is_label_tail(state: _State, level: int, text: str, row: Row) -> bool:
    """Whether `text` overleaf is the rest of the label above the page break; the label above then
    takes it (时效 | 指标: the block's label is 时效指标, not the part printed above the break)."""
    if not row.page_break_before or not state.indicator_rows or not text:
        return False
    labels = state.indicator_rows[-1].labels
    at = next((k for k in range(len(labels) - 1, -1, -1) if labels[k].level == level), None)
    if at is None:
        return False
    above = labels[at]
    whole = read_label(above.printed + text)
    if whole is not None and whole.level == level and not above.printed.endswith(text):
        labels[at] = Label(level, whole.canonical, whole.printed, above.weight if whole.weight is None else whole.weight)
    return above.canonical.endswith(text) or whole is not None


def _left_pack_cut_row(state: _State) -> None:
    """The text ends inside the table, in the middle of its last row (`= | 100 |` then nothing): the
    cells printed are the row's first ones, so they fill its columns from the left. Aligned as a
    whole row, the last number would be taken for 分值."""
    if state.section != "indicators" or not state.indicator_rows:
        return
    last = state.indicator_rows[-1]
    points = len({"weight", "score"} & set(last.cells))
    if points == 0:
        return
    roles = list(state.indicator_roles)
    if "name" not in roles or "name" not in last.cells:
        return
    value_roles = [r for r in roles[roles.index("name") + 1:] if r not in ("note", "aside")]
    cells = sorted((c for role, c in last.cells.items() if role in value_roles), key=lambda c: c.col)
    _score, placed = align_texts([c.text.strip() for c in cells], value_roles[:len(cells)])
    if any(p is None for p in placed):
        return
    packed = {value_roles[p]: c for c, p in zip(cells, placed, strict=True) if p is not None}
    if points == 2 and not (_weights_reach_total(state, last.cells) is False
                            and _weights_reach_total(state, packed) is True):
        return  # a row with both 分值 and 得分 moves only when the points then add up and did not before
    last.cells = {**{k: v for k, v in last.cells.items() if k not in value_roles}, **packed}


FULL_MARKS = 100  # a form's 总分 when it prints none


def _weights_reach_total(state: _State, last_cells: dict[str, Cell]) -> bool | None:
    """Whether the indicators' 分值, the last row read as `last_cells`, add up to 100 (with or
    without the funds' 分值); None when a 分值 does not read as a number."""
    try:
        weights = [parse_number(r.cells["weight"].text) for r in state.indicator_rows[:-1] if "weight" in r.cells]
        if "weight" in last_cells:
            weights.append(parse_number(last_cells["weight"].text))
    except ValueError:
        return None
    if any(w is None for w in weights):
        return None
    total = sum(weights)
    fund_weight = state.form.funds.total.weight or 0
    return total in (FULL_MARKS, FULL_MARKS - fund_weight)


def _resolve_indicators(state: _State) -> list[Indicator]:
    _left_pack_cut_row(state)
    rows = _join_split_names(state, _drop_placeholders(state.indicator_rows))
    canon = {lab.canonical for r in rows for lab in r.labels}
    cost_level1 = uses_cost_level1(canon)
    level2_of = _fill_level2(rows, cost_level1)
    indicators = []
    for r, (l2_label, l1_name) in zip(rows, level2_of, strict=True):
        indicators.append(_indicator(state, r, l2_label, l1_name, len(indicators)))
    _check_block_weights(state, rows, indicators, cost_level1)
    return indicators


def _check_block_weights(state: _State, rows: list[_IndicatorRow], indicators: list[Indicator],
                         cost_level1: bool) -> None:
    """`产出指标(50分)`: a printed block weight must equal the weights of the block's indicators."""
    declared: dict[tuple[str, str], Decimal] = {}
    for r, ind in zip(rows, indicators, strict=True):
        for label in r.labels:
            if label.weight is None:
                continue
            # 成本指标(10分) weighs the level-1 block in the template where 成本指标 is level 1.
            as_level1 = label.level != 2 or (cost_level1 and label.canonical == "成本指标")
            level = "level1" if as_level1 else "level2"
            name = getattr(ind, level)
            if name:
                declared.setdefault((level, name), label.weight)
    for (level, name), weight in declared.items():
        found = sum((i.weight for i in indicators if getattr(i, level) == name and i.weight is not None), Decimal(0))
        if found != weight:
            state.issue("block_weight_mismatch", "warning", "indicators",
                        f"{name}标注 {weight}分，其指标分值合计 {found} / {name} is printed with {weight}分 but its "
                        f"indicators' weights sum to {found}")


def _row_levels(r: _IndicatorRow, cost_level1: bool) -> tuple[Label | None, str | None]:
    """The explicit level-2 label and level-1 name printed in (or pending before) one row."""
    l2 = next((lab for lab in reversed(r.labels) if lab.level == 2
               and not (cost_level1 and lab.canonical == "成本指标")), None)
    l1 = next((lab.canonical for lab in reversed(r.labels) if lab.level == 1
               or (cost_level1 and lab.canonical == "成本指标")), None)
    return l2, l1


def _fill_level2(rows: list[_IndicatorRow], cost_level1: bool) -> list[tuple[Label | None, str | None]]:
    """Fill labels down their merged blocks; rows before a block's first label take it (backfill).

    A row whose printed level-1 contradicts the level-2 above it starts a new level-1 block, so it
    takes the next level-2 label printed under that level-1 instead.
    """
    explicit = [_row_levels(r, cost_level1) for r in rows]
    filled: list[tuple[Label | None, str | None]] = []
    current: Label | None = None
    previous_blank = False
    for r, (l2, l1) in zip(rows, explicit, strict=True):
        if l2 is not None:
            current = l2
        elif r.blank_level2 and not previous_blank and not r.row.page_break_before:
            # The upper part of a merged cell cut by a page break, its label printed in the lower
            # part: take the label that follows. (A blank part starting a page continues the one above.)
            current = None
        elif current is not None and l1 is not None and parent_of(current.canonical, cost_is_level1=cost_level1) not in (None, l1):
            current = None  # a new level-1 block whose level-2 label comes later
        previous_blank = r.blank_level2 and l2 is None
        filled.append((current, l1))
    # Backfill rows that had no label yet from the next label under a compatible level 1.
    for i in range(len(filled) - 1, -1, -1):
        l2, l1 = filled[i]
        if l2 is None:
            for later_l2, _ in filled[i + 1:]:
                if later_l2 is not None and (l1 is None or parent_of(later_l2.canonical, cost_is_level1=cost_level1) in (None, l1)):
                    filled[i] = (later_l2, l1)
                    break
    result = []
    current_l1: str | None = None
    for l2, l1 in filled:
        parent = parent_of(l2.canonical, cost_is_level1=cost_level1) if l2 else None
        level1 = parent or l1 or current_l1
        current_l1 = level1
        result.append((l2, level1))
    return result


def _drop_placeholders(rows: list[_IndicatorRow]) -> list[_IndicatorRow]:
    kept = []
    for r in rows:
        cells = r.cells
        if _placeholder_name(cells["name"].text if "name" in cells else "") and all(
                _placeholder_value(cells[k].text) for k in ("target", "actual", "weight", "score") if k in cells):
            continue  # template scaffolding: 指标2, ……, /
        if _unused_block(cells):
            continue  # `生态效益指标 | | | 0`: a block the form leaves unused, its points printed 0
        kept.append(r)
    return kept


def _unused_block(cells: dict[str, Cell]) -> bool:
    """No name, no target or actual, and only zeros for points."""
    points = [compact(cells[k].text) for k in ("weight", "score") if k in cells]
    return "name" not in cells and bool(points) and all(p in ("0", "0.0", "0.00") for p in points) \
        and all(_placeholder_value(cells[k].text) for k in ("target", "actual") if k in cells)


@lru_cache(maxsize=1 << 14)
def _placeholder_name(raw: str) -> bool:
    name = compact(raw)
    name = _NUMBERING.sub("", name) if not _PLACEHOLDER.match(name) else name
    return bool(_PLACEHOLDER.match(name or "-"))


@lru_cache(maxsize=1 << 14)
def _placeholder_value(raw: str) -> bool:
    value = compact(raw)
    return not value or bool(_PLACEHOLDER.match(value))


FRAGMENT_MAX_CHARS = 3  # what a cut text leaves of its next row (可, 满意): no name is this short and last


def _join_split_names(state: _State, rows: list[_IndicatorRow]) -> list[_IndicatorRow]:
    """A name split over a page break prints as a row with only a name fragment: join it."""
    out: list[_IndicatorRow] = []
    carry: _IndicatorRow | None = None
    level2: str | None = None  # the block the rows so far stand in
    for r in rows:
        if carry is not None and "name" in r.cells and _numbered_apart(carry.cells["name"].text, r.cells["name"].text):
            out.append(carry)  # 指标4.… with no values, then 指标5.…: a row printed empty, not half a name
            carry = None
        own = next((lab.canonical for lab in reversed(r.labels) if lab.level == 2), None)
        if carry is not None and own is not None and level2 is not None and own != level2 \
                and not any(lab.level == 2 for lab in carry.labels) and not r.row.page_break_before:
            # a named row printed empty, then the next block's label: no name goes across it (over a page
            # break it may: the merged label's text stands in the cell's part on the next page)
            out.append(carry)
            carry = None
        level2 = own or level2
        name_only = "name" in r.cells and not r.has_values()
        if name_only and _aside_sentence(state, r.cells["name"].text):
            continue  # the merged 得分计算方法 cell's text, printed between two rows: no name's part
        if name_only and carry is None and out and "note" in out[-1].cells and not r.labels \
                and _sentence_unfinished(out[-1].cells["note"].text):
            # `…略低于目标值，` / `主要原因是…`: the row's note wrapped onto lines of its own (html2text)
            out[-1].cells["note"] = _joined(out[-1].cells["note"], r.cells["name"])
            continue
        if name_only:
            if out and r.row.page_break_before and out[-1].has_values() and carry is None and not r.labels:
                prev = out[-1]
                prev.cells["name"] = _joined(prev.cells.get("name"), r.cells["name"])
                continue
            carry = r if carry is None else _IndicatorRow(carry.row, carry.labels + r.labels,
                                                           {"name": _joined(carry.cells["name"], r.cells["name"])})
            continue
        if carry is not None:
            if "name" in r.cells:
                r.cells["name"] = _joined(carry.cells["name"], r.cells["name"])
            else:
                r.cells["name"] = carry.cells["name"]
            r.labels = carry.labels + r.labels
            state.issue("name_joined", "warning", "indicators",
                        f"跨行的指标名称已合并为「{clean_text(r.cells['name'].text)}」 / indicator name joined across "
                        f"rows: {clean_text(r.cells['name'].text)!r}")
            carry = None
        out.append(r)
    end_of_text = state.form.total.weight is None and state.form.total.score is None  # no 总分: the copy stops here
    if carry is not None and end_of_text and len(compact(carry.cells["name"].text)) <= FRAGMENT_MAX_CHARS:
        # `可` after the last row: the page copy stops inside the next label (可持续影响指标); no row lost
        state.issue("text_ends_in_row", "warning", "indicators",
                    f"文字在表格中截断，末尾的「{clean_text(carry.cells['name'].text)}」已略去 / the text ends inside a row: "
                    f"{clean_text(carry.cells['name'].text)!r} dropped")
    elif carry is not None:
        state.issue("row_without_values", "warning", "indicators",
                    f"「{clean_text(carry.cells['name'].text)}」一行只有名称、没有数值，已略去 / row "
                    f"{clean_text(carry.cells['name'].text)!r} has a name but no values; dropped")
    return out


def _aside_sentence(state: _State, text: str) -> bool:
    """`定量指标计算:完成值达到指标值,记满分;…。` alone on a row, under a header with a 得分计算方法 column:
    that merged cell's text, printed beside the first row it spans. A name is no sentence."""
    return "aside" in state.indicator_roles and is_sentence(compact(text))


def _numbered_apart(first: str, second: str) -> bool:
    """Two names that each open with their own number (指标4. / 指标5:): two rows, never one name."""
    a, b = INDICATOR_NUMBER.match(compact(first)), INDICATOR_NUMBER.match(compact(second))
    return bool(a and b) and (a.group(1) or a.group(2)) != (b.group(1) or b.group(2))


def _joined(first: Cell | None, second: Cell) -> Cell:
    if first is None:
        return second
    return Cell(page=first.page, row=first.row, col=first.col, text=first.text.strip() + second.text.strip(),
                bbox=first.bbox, confidence=min(first.confidence, second.confidence), source=first.source,
                weak=join_weak(first.weak, second.weak))


def _indicator(state: _State, r: _IndicatorRow, l2: Label | None, l1: str | None, index: int) -> Indicator:
    cells = r.cells
    where = f"indicators[{index}]"
    op = cells.get("target_op")
    if op is not None and op.source == "ocr" and compact(op.text) in _FLAT_MARKS and "target" in cells \
            and looks_numeric(compact(cells["target"].text).rstrip("%")):
        # A 指标性质 cell holding one flat mark beside a number: not "none" (the row states a quantity),
        # so a = whose two strokes ran together at the scan's resolution. Said, since only its shape
        # told it from the dash.
        cells = {**cells, "target_op": replace(op, text="=")}
        state.issue("doubtful_value", "warning", f"{where}.target",
                    f"指标性质读作「{clean_text(op.text)}」，按「=」读取，请核对原件 / a flat mark read as a dash in "
                    "the operator column is taken for =")
    if op is not None and (sign := OPERATOR_WORDS.get(compact(op.text))):
        cells = {**cells, "target_op": replace(op, text=sign)}  # 大于等于 | 1 | 次 is >=1次
    target_parts = [cells[k].text for k in ("target_op", "target", "target_unit") if k in cells]
    numbers = _read_points(state, cells, where)
    target, actual = cells.get("target"), cells.get("actual")
    scanned = (target is not None and target.source == "ocr") or (actual is not None and actual.source == "ocr")
    for key, cell in cells.items() if scanned else ():  # a dump's values: no OCR confusion to look for
        if key in ("target", "actual") and cell.source == "ocr" and _LETTER_FOR_DIGIT.search(compact(cell.text)):
            state.issue("doubtful_value", "warning", f"{where}.{key}",
                        f"「{clean_text(cell.text)}」中应为数字处有字母 / {clean_text(cell.text)!r} has a letter where a "
                        "digit is expected")
    for cell in r.unread:
        state.issue("value_unread", "warning", where, f"本行的「{clean_text(cell.text)}」未能归入任何栏目 / "
                    f"{clean_text(cell.text)!r} is printed in this row but fits none of its columns")
    name = clean_text(cells["name"].text) if "name" in cells else None
    name = _NUMBERING.sub("", name) if name else name
    if "name" in cells and cells["name"].weak and (doubts := char_doubts([cells["name"]])):  # OCR's alone
        state.issue("low_confidence", "warning", f"{where}.level3", f"指标名称{'；'.join(doubts)}，请核对原件 / "
                    "part of the indicator name is doubtful: check it against the page")
    note = clean_text(cells["note"].text) if "note" in cells else None
    return Indicator(
        level1=l1,
        level2=l2.printed if l2 else None,
        level3=name or None,
        target=clean_value("".join(p.strip() for p in target_parts)) if target_parts else None,
        actual=clean_value(cells["actual"].text) if "actual" in cells else None,
        weight=numbers.get("weight"),
        score=numbers.get("score"),
        deviation_note=note or None,
        provenance=_provenance(cells),
    )


# --- total -----------------------------------------------------------------------------------------


def _read_total(state: _State, row: Row) -> None:
    printed = [total_word(compact(c.text)) for c in row.cells]
    full = next((Decimal(points) for is_total, points in printed if is_total and points), None)
    cells = [(_blank(c) if is_total else c) for c, (is_total, _) in zip(row.cells, printed, strict=True)]
    cells = _drop_page_numbers(state, cells, "total")
    # The 总分 row prints points only: its numbers go to 分值 and 得分, wherever the dump put them.
    roles = [r for r in state.indicator_roles if r in ("weight", "score")] or ["weight", "score"]
    aligned = align_row(cells, roles, state.indicator_columns).by_role
    points = _read_points(state, aligned, "total")
    state.total_texts = [compact(aligned[r].text) for r in ("weight", "score") if r in aligned]
    if full is not None and points.get("score") is None:
        # 总分(100分) | 95: the word carries the full points, the one number is the form's score.
        points = {"weight": full, "score": points.get("weight")}
        state.total_texts = [str(full), *state.total_texts]
    elif full is not None and points.get("weight") is None:
        points = {**points, "weight": full}
    state.form.total = Total(**points)


def _read_points(state: _State, cells: dict[str, Cell], where: str) -> dict[str, Decimal | None]:
    """分值 and 得分 of a row; one that does not read as a number is an error, never a guess."""
    numbers: dict[str, Decimal | None] = {}
    for key in ("weight", "score"):
        if key in cells:
            try:
                numbers[key] = parse_number(cells[key].text)
            except ValueError:
                state.issue("number_unparsed", "error", f"{where}.{key}", f"「{clean_text(cells[key].text)}」不是数字 / {cells[key].text!r} is not a number")
    return numbers


# --- shared helpers --------------------------------------------------------------------------------


def _blank(cell: Cell) -> Cell:
    return Cell(page=cell.page, row=cell.row, col=cell.col, text="", source=cell.source)


def _budget_only(row: FundRow) -> bool:
    return row.annual_budget is not None and all(
        v is None for v in (row.initial_budget, row.executed, row.weight, row.execution_rate, row.score))


def _drop_page_numbers(state: _State, cells: list[Cell], where: str) -> list[Cell]:
    for cell in cells:
        if not cell.is_empty and is_page_number(cell.text):
            break
    else:
        return cells  # the common case: nothing to drop, no copy
    out = []
    for cell in cells:
        if not cell.is_empty and is_page_number(cell.text):
            state.issue("page_number_dropped", "warning", where,
                        f"「{cell.text.strip()}」像是挤进表格的页码，未作数值读入 / {cell.text.strip()!r} looks like a page "
                        "number pushed into the table; not read as a value")
            out.append(_blank(cell))
        else:
            out.append(cell)
    return out


def _provenance(cells: dict[str, Cell]) -> dict[str, CellRef] | None:
    for c in cells.values():
        if c.bbox is not None:
            break
    else:
        return None  # no cell has a box (a text dump's): nothing to point at
    refs = {key: CellRef(page=c.page, bbox=c.bbox, source=c.source, confidence=round(c.confidence, 3))
            for key, c in cells.items() if c.bbox is not None}
    return refs or None
