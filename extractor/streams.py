"""A stream of cell texts (one cell per line, or a form flattened onto one line) -> table rows.

Such dumps drop empty cells and row boundaries. The form's grammar puts them back: its section
words (项目名称, 年初预算数, 预期目标, 一级指标, 总分) open sections, fund rows start at their labels,
and every indicator row ends with its two point columns (分值, 得分), so the run of numbers that
closes a row marks where the next one begins. Everything here reads the taxonomy, never a sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractor.normalize import compact, is_page_number, looks_numeric, parse_number
from extractor.taxonomy import (
    FUND_HEADER_ROLES,
    INDICATOR_HEADER_ROLES,
    fund_row_key,
    header_role,
    read_label,
)

_META = ("项目名称", "主管部门", "实施单位", "部门名称", "单位名称", "预算部门")
_TOTAL = ("总分", "总计", "合计得分", "总得分")
_GOAL_LABELS = ("年度总体目标", "总体目标")
_GOAL_HEADERS = ("预期目标", "实际完成情况", "全年实际完成情况")
_SENTENCE = re.compile(r"[，。；,;！？]")


def _is_points(token: str) -> bool:
    if not looks_numeric(token):
        return False
    value = parse_number(token)
    return value is not None and 0 <= value <= 100


def _is_title(token: str) -> bool:
    t = compact(token)
    return ("自评表" in t or "绩效自评" in t) and len(t) <= 40


def tokens_to_rows(tokens: list[str], *, cells_may_split: bool = False) -> list[list[str]]:
    """`cells_may_split`: tokens came from splitting on spaces, so one cell may be several tokens."""
    tokens = rejoin_split_words(tokens)
    rows: list[list[str]] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        t = compact(token)
        if _is_title(token):
            rows.append([token])
            i += 1
        elif t.startswith(_META):
            row, i = _meta_row(tokens, i, cells_may_split)
            rows.append(row)
        elif header_role(token, FUND_HEADER_ROLES) and _header_run(tokens, i, FUND_HEADER_ROLES) >= 3:
            j = i + _header_run(tokens, i, FUND_HEADER_ROLES)
            rows.append(["", *tokens[i:j]])  # fund rows print their label in the first column
            body, i = _fund_rows(tokens, j)
            rows.extend(body)
        elif "资金" in t and re.search(r"[（(](万元|元)[)）]", t):
            rows.append([token])
            i += 1
        elif t.startswith(_GOAL_LABELS) or t in _GOAL_HEADERS:
            body, i = _goal_rows(tokens, i)
            rows.extend(body)
        elif header_role(token, INDICATOR_HEADER_ROLES) and _header_run(tokens, i, INDICATOR_HEADER_ROLES) >= 3:
            j = i + _header_run(tokens, i, INDICATOR_HEADER_ROLES)
            rows.append(tokens[i:j])
            body, i = _indicator_rows(tokens, j, _words_per_row(tokens[i:j]))
            rows.extend(body)
        else:
            rows.append([token])
            i += 1
    return rows


_UNIT_ONLY = re.compile(r"^[（(](?:万元|元)[)）]$")
_OPERATOR_ONLY = re.compile(r"^(?:[<>=≥≤≧≦＞＜＝]+|\$?\\[gl]eq?)$")


def _is_word(text: str) -> bool:
    """A word of the form's own vocabulary: a label, a header, a section or key word."""
    return bool(read_label(text) or header_role(text, FUND_HEADER_ROLES)
                or header_role(text, INDICATOR_HEADER_ROLES) or compact(text).startswith(_META)
                or compact(text) in _GOAL_HEADERS + _GOAL_LABELS + _TOTAL)


def rejoin_split_words(tokens: list[str]) -> list[str]:
    """Undo spaces a flattened dump put inside one cell: `$\\geq 85\\%$`, `(2023 年度)`, `绩效 指标`."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        while i + 1 < len(tokens):
            nxt = tokens[i + 1]
            opened = token.count("(") + token.count("（") > token.count(")") + token.count("）")
            if _OPERATOR_ONLY.match(compact(token)) or (opened and len(token) < 30) \
                    or _UNIT_ONLY.match(compact(nxt)) or (not _is_word(token) and _is_word(token + nxt)):
                token = token + " " + nxt
                i += 1
            else:
                break
        out.append(token)
        i += 1
    return out


def _header_run(tokens: list[str], i: int, table: tuple[tuple[str, tuple[str, ...]], ...]) -> int:
    j = i
    while j < len(tokens) and header_role(tokens[j], table):
        j += 1
    return j - i


def _meta_row(tokens: list[str], i: int, cells_may_split: bool) -> tuple[list[str], int]:
    """项目名称 X, or 主管部门 X 实施单位 Y: keys with the value that follows each."""
    row: list[str] = []
    while i < len(tokens) and compact(tokens[i]).startswith(_META) and len(row) < 4:
        row.append(tokens[i])
        i += 1
        if re.search("[:：].", tokens[i - 1]):
            continue  # the value is inline
        value: list[str] = []
        while i < len(tokens) and not _starts_section(tokens[i]) and not compact(tokens[i]).startswith(_META):
            value.append(tokens[i])
            i += 1
            if not (cells_may_split and _continues_value(tokens, i)):
                break
        row.append(" ".join(value))
    return row, i


def _continues_value(tokens: list[str], i: int) -> bool:
    # A value split by a space (a flattened line) goes on until the next key or section word.
    return i < len(tokens) and not _starts_section(tokens[i]) and not compact(tokens[i]).startswith(_META) \
        and not re.search(r"[（(](万元|元)[)）]", tokens[i]) and not fund_row_key(tokens[i])


def _starts_section(token: str) -> bool:
    t = compact(token)
    return (_is_title(token) or t.startswith(_GOAL_LABELS) or t in _GOAL_HEADERS or t.startswith("项目资金")
            or bool(header_role(token, FUND_HEADER_ROLES)) or bool(header_role(token, INDICATOR_HEADER_ROLES)))


def _fund_rows(tokens: list[str], i: int) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    while i < len(tokens):
        t = compact(tokens[i])
        if fund_row_key(tokens[i]) or (t.endswith(("资金", "资金）", "资金)")) and not _starts_section(tokens[i])):
            row = [tokens[i]]
            i += 1
            while i < len(tokens) and not fund_row_key(tokens[i]) and not _starts_section(tokens[i]) \
                    and _valueish(tokens[i]):
                row.append(tokens[i])
                i += 1
            rows.append(row)
        else:
            break
    return rows, i


def _valueish(token: str) -> bool:
    t = compact(token).rstrip("%").removesuffix("万").removesuffix("元")
    return looks_numeric(t) or t in ("", "—", "-", "/", "——", "－") or is_page_number(token)


def _goal_rows(tokens: list[str], i: int) -> tuple[list[list[str]], int]:
    headers: list[str] = []
    texts: list[str] = []
    while i < len(tokens):
        t = compact(tokens[i])
        if t.startswith(_GOAL_LABELS) or t in ("年度", "总体", "目标"):
            i += 1
        elif t in _GOAL_HEADERS or t.startswith(("预期目标", "实际完成")):
            headers.append(tokens[i])
            i += 1
        elif _starts_section(tokens[i]) or read_label(tokens[i]):
            break
        else:
            texts.append(tokens[i])
            i += 1
    rows = [headers] if headers else []
    if len(texts) > 2:
        k = _second_text_start(texts)
        texts = [" ".join(texts[:k]), " ".join(texts[k:])]
    if texts:
        rows.append(texts)
    return rows, i


_RESTART = re.compile(r"^(?:<p>|[（(]?[1一][.、，,)）])")


def _second_text_start(texts: list[str]) -> int:
    """Where the 实际完成情况 text begins in goal words a flattened dump split on spaces."""
    for k in range(1, len(texts)):
        if texts[k].startswith("<p>") or (_RESTART.match(texts[k]) and texts[k - 1].endswith(("。", "</p>", "；"))):
            return k
    return 1


def _words_per_row(header: list[str]) -> int:
    """Cells from the name up to the points: name, target (maybe 指标性质/指标值/度量单位), actual."""
    roles = [header_role(t, INDICATOR_HEADER_ROLES) for t in header]
    if "name" not in roles:
        return 3
    start = roles.index("name")
    end = next((k for k, r in enumerate(roles) if r in ("weight", "score") and k > start), len(roles))
    return max(2, len(dict.fromkeys(r for r in roles[start:end] if r)))


def _indicator_rows(tokens: list[str], i: int, width: int = 3) -> tuple[list[list[str]], int]:
    """Indicator rows end with their 分值 and 得分: the last two of each run of point numbers."""
    end = i
    while end < len(tokens) and not _is_title(tokens[end]) and compact(tokens[end]) not in _TOTAL:
        end += 1
    body = tokens[i:end]
    rows = list(_split_on_points(body, width))
    if end < len(tokens) and compact(tokens[end]) in _TOTAL:
        total = [tokens[end]]
        end += 1
        while end < len(tokens) and _is_points(tokens[end]) and len(total) < 3:
            total.append(tokens[end])
            end += 1
        rows.append(total)
    return rows, end


def _is_sentence(token: str) -> bool:
    return bool(_SENTENCE.search(token)) or len(compact(token)) > 30


def _split_on_points(body: list[str], width: int) -> Iterator[list[str]]:
    # Positions of the (分值, 得分) pair closing each row.
    closes: list[int] = []
    k = 0
    while k < len(body):
        if _is_points(body[k]):
            start = k
            while k < len(body) and _is_points(body[k]):
                k += 1
            if k - start >= 2:
                closes.append(k)  # exclusive end of the pair
        else:
            k += 1
    previous_end = 0
    last_row: list[str] | None = None
    for close in closes:
        segment = body[previous_end:close - 2]
        labels = [t for t in segment if read_label(t)]
        words = [t for t in segment if not read_label(t)]
        # Leading sentences are the previous row's 偏差原因 note; empty cells were dropped, so
        # the rest is this row's name and values. Beyond `width` words, short leading
        # fragments are a name a space split.
        notes = []
        while len(words) > 2 and _is_sentence(words[0]):
            notes.append(words.pop(0))
        if len(words) > width:
            extra, words = words[:-width], words[-width:]
            if any(_is_sentence(t) for t in extra):
                notes.extend(extra)
            else:
                words[0] = "".join(extra) + words[0]
        if notes and last_row is not None:
            last_row.append("".join(notes))
        row = labels + words + body[close - 2:close]
        yield row
        last_row = row
        previous_end = close
    tail = body[previous_end:]
    if tail and last_row is not None:
        last_row.append("".join(tail))
