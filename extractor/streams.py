"""A stream of cell texts (one cell per line, or a form flattened onto one line) -> table rows.

Such dumps drop empty cells and row boundaries. The form's grammar puts them back: its section
words (项目名称, 年初预算数, 预期目标, 一级指标, 总分) open sections, fund rows start at their labels,
and every indicator row ends with its two point columns (分值, 得分), so the run of numbers that
closes a row marks where the next one begins. Everything here reads the taxonomy, never a sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from extractor.align import align_texts, fit_name
from extractor.form.vocabulary import (
    BLOCK_SCORE_HEADERS,
    FUND_BLOCK_LABELS,
    GOAL_ACTUAL_HEADERS,
    GOAL_EXPECTED_HEADERS,
    GOAL_HEADERS,
    GOAL_LABEL_PARTS,
    GOAL_LABELS,
    HEADER_WORDS,
    INDICATOR_TOTAL_WORDS,
    META_KEYS_EXACT,
    META_PREFIXES,
    NUMBERED_BLOCK,
    SCAFFOLD,
    TABLE_END_WORDS,
    TOTAL_WORDS,
    is_fund_by_level,
    is_goal_header,
    is_meta_key,
    is_sentence,
    is_title,
    split_goal_items,
)
from extractor.normalize import compact, is_page_number, is_points, looks_numeric
from extractor.taxonomy import (
    FUND_HEADER_ROLES,
    INDICATOR_HEADER_ROLES,
    fund_row_key,
    header_role,
    header_role_reader,
    read_label,
    wrapped_header_pieces,
)

_META = META_PREFIXES
_TOTAL = TOTAL_WORDS
_TABLE_TOTAL = INDICATOR_TOTAL_WORDS
_GOAL_LABELS = GOAL_LABELS
_GOAL_HEADERS = GOAL_HEADERS
_SENTENCE = re.compile(r"[，。；,;！？]")


def _is_title(token: str) -> bool:
    return is_title(compact(token))


def tokens_to_rows(tokens: list[str], *, cells_may_split: bool = False) -> list[list[str]]:
    """`cells_may_split`: tokens came from splitting on spaces, so one cell may be several tokens."""
    tokens = rejoin_split_words(tokens, cells_may_split=cells_may_split)
    rows: list[list[str]] = []
    i = 0
    n = len(tokens)
    block_scores = False  # a 自评得分 column scores each block (BLOCK_SCORE_HEADERS)
    while i < n:
        token = tokens[i]
        t = compact(token)
        if t in BLOCK_SCORE_HEADERS and not block_scores:
            rows.append([token])
            block_scores = True
            i += 1
        elif _is_title(token):
            rows.append([token])
            i += 1
        elif is_meta_key(t):
            row, i = _meta_row(tokens, i, cells_may_split)
            rows.append(row)
        elif pairs := _pair_run(tokens, i):
            j = i + pairs
            if block_scores and j < n and is_points(tokens[j]):
                j += 1  # the block's 自评得分 after its last pair
            rows.append(tokens[i:j])
            body, i = _fund_rows(tokens, j)
            rows.extend(body)
        elif header_role(token, FUND_HEADER_ROLES) and _header_run(tokens, i, FUND_HEADER_ROLES) >= 3:
            j = i + _header_run(tokens, i, FUND_HEADER_ROLES)
            header = ["", *tokens[i:j]]  # fund rows print their label in the first column
            rows.append(header)
            text_last = header_role(tokens[j - 1], FUND_HEADER_ROLES) in _TEXT_ROLES
            body, i = _fund_rows(tokens, j, text_last=text_last)
            rows.extend(body)
            while i < n and _late_header_cell(tokens[i], header):
                # Drawing order: a header cell the rows came before (`得分` after the first rows).
                header.append(tokens[i])
                body, i = _fund_rows(tokens, i + 1, text_last=text_last)
                rows.extend(body)
        elif "资金" in t and re.search(r"[（(](万元|元)[)）]", t):
            rows.append([token])
            i += 1
        elif t.startswith(_GOAL_LABELS) or t in _GOAL_HEADERS:
            body, i = _goal_rows(tokens, i, block_scores=block_scores)
            rows.extend(body)
        elif header_role(token, INDICATOR_HEADER_ROLES) and _header_run(tokens, i, INDICATOR_HEADER_ROLES) >= 3:
            j = i + _header_run(tokens, i, INDICATOR_HEADER_ROLES)
            header, j = _wrapped_pieces_joined(tokens, tokens[i:j], j, INDICATOR_HEADER_ROLES)
            if block_scores and not {"weight", "score"} & {header_role(h, INDICATOR_HEADER_ROLES) for h in header}:
                header = [*header, BLOCK_SCORE_HEADERS[0]]  # the rows' 得分 is the 自评得分 column
                while j < n and is_points(tokens[j]):
                    j += 1  # the block's own score, on the header's row
            rows.append(header)
            body, i = _indicator_rows(tokens, j, header, lone_cells=cells_may_split)
            rows.extend(body)
        else:
            rows.append([token])
            i += 1
    return rows


_UNIT_ONLY = re.compile(r"^[（(](?:万元|元)[)）]$")
_OPERATOR_ONLY = re.compile(r"^(?:[<>=≥≤≧≦＞＜＝]+|\$?\\[gl]eq?)$")


def is_form_word(text: str) -> bool:
    """A word of the form's own vocabulary (a label, a header, a section or key word)."""
    return _is_word(text)


_HEADER_WORDS = frozenset(HEADER_WORDS)
_VOCABULARY_WORDS = sorted({*META_PREFIXES, *META_KEYS_EXACT, *GOAL_LABELS, *GOAL_HEADERS, *FUND_BLOCK_LABELS,
                            *TOTAL_WORDS, "绩效指标", "年度资金总额", *_HEADER_WORDS})


_EXACT_WORDS = frozenset(_VOCABULARY_WORDS)


def starts_form_word(text: str) -> bool:
    """`主管`, `分值`, `年度`: the start of one of the form's words (or one), never the end of another."""
    t = compact(text)
    return bool(t) and (_is_word(text) or any(w.startswith(t) for w in _VOCABULARY_WORDS))


def continues_form_word(text: str) -> bool:
    """`项目` + `名称`, `年度` + `总体`: a narrow column wraps the form's own words two characters a line."""
    t = compact(text)
    return len(t) >= 3 and any(w.startswith(t) for w in _VOCABULARY_WORDS)


def _is_word(text: str) -> bool:
    """A word of the form's own vocabulary: a label, a header, a section or key word."""
    return bool(read_label(text) or header_role(text, FUND_HEADER_ROLES)
                or header_role(text, INDICATOR_HEADER_ROLES) or compact(text).startswith(_META)
                or compact(text) in _GOAL_HEADERS + _GOAL_LABELS + _TOTAL)


def rejoin_split_words(tokens: list[str], *, cells_may_split: bool = False) -> list[str]:
    """Undo spaces a flattened dump put inside one cell: `$\\geq 85\\%$`, `(2023 年度)`, `绩效 指标`,
    and (in space-separated dumps) a sentence whose first words a space cut off (`培训人次 略低于…。`)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        while i + 1 < len(tokens):
            nxt = tokens[i + 1]
            opened = token.count("(") + token.count("（") > token.count(")") + token.count("）")
            if _OPERATOR_ONLY.match(compact(token)) or (opened and len(token) < 30 and not _is_word(nxt)) \
                    or (opened and _bracketed_header(token, tokens[i + 1:i + 4])) \
                    or _UNIT_ONLY.match(compact(nxt)) or (not _is_word(token) and _is_word(token + nxt)) \
                    or (cells_may_split and _starts_sentence(token, nxt)) or _completes_label(token, nxt) \
                    or _is_exact_header(token + nxt) or _points_of_block_label(token, nxt):
                token = token + " " + nxt
                i += 1
            else:
                break
        out.append(token)
        i += 1
    return out


def _bracketed_header(token: str, following: list[str]) -> bool:
    """`执行率(全年` `执行数/全年` `预算数)`: a header whose bracket a few tokens later closes is one cell,
    though its pieces read as headers of their own."""
    role = header_role(token, FUND_HEADER_ROLES) or header_role(token, INDICATOR_HEADER_ROLES)
    if role is None:
        return False
    text = token
    for piece in following:
        text += piece
        if ")" in piece or "）" in piece:
            return len(text) < 30
    return False


_POINTS_ONLY = re.compile(r"^[（(]\d+(?:\.\d+)?分[)）]$")


def _points_of_block_label(token: str, nxt: str) -> bool:
    """`预算执行情况(万元)` + `(20分)`: the funds block's points wrapped below its label."""
    return compact(token).startswith(FUND_BLOCK_LABELS) and bool(_POINTS_ONLY.match(compact(nxt)))


def _is_exact_header(text: str) -> bool:
    """`偏差原因分析及` + `改进措施`: two header-like halves of one header word of the vocabulary."""
    return compact(text) in _HEADER_WORDS


def _completes_label(token: str, nxt: str) -> bool:
    """`经济效益` + `指标`: a label read in full only with the short fragment wrapped below it."""
    return len(compact(nxt)) <= 3 and _is_wrapped_part(nxt) and read_label(token) is not None \
        and read_label(token + nxt) is not None


@cache
def _cjk_word() -> re.Pattern[str]:  # compiled when first used: CJK ranges are slow to compile, streams rare
    return re.compile(r"^[\u4e00-\u9fff]{1,8}$")


def _starts_sentence(token: str, nxt: str) -> bool:
    return bool(_cjk_word().match(token)) and not _is_word(token) and bool(_SENTENCE.search(nxt)) \
        and bool(_cjk_word().match(nxt[:1]))


# (B/A) printed under 执行率, (20分*执行率) under 得分: a formula of the header cell above
_FORMULA_ONLY = re.compile(r"^[（(](?:[A-Za-z][A-Za-z/×*\d%+\-]*|[^()（）]{0,10}[/×*][^()（）]{0,10})[)）]$")


def _header_run(tokens: list[str], i: int, table: tuple[tuple[str, tuple[str, ...]], ...]) -> int:
    j = i
    while j < len(tokens) and (header_role(tokens[j], table) or (j > i and _FORMULA_ONLY.match(compact(tokens[j])))):
        j += 1
    return j - i


_PIECE_MAX = 4  # characters of a header cell's first line (年度 / 指标值, 实际 / 完成值)
_PIECES_WINDOW = 12  # tokens after the header's words that may still be its cells


def _wrapped_pieces_joined(tokens: list[str], header: list[str], j: int,
                           table: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[list[str], int]:
    """A header whose cells wrapped, flattened line after line: `一级指标 二级指标 三级指标 年度 实际 分值
    得分 偏差原因… 指标值 完成值` (or `年度实际` glued). Each first-line piece joins the first later header
    word it completes into a header of that word's role (年度 + 指标值 = 年度指标值); taken only if every
    piece finds one."""
    k = j
    while k < len(tokens) and k - j < _PIECES_WINDOW and (
            header_role(tokens[k], table) or (len(compact(tokens[k])) <= 2 * _PIECE_MAX
                                              and _cjk_word().match(compact(tokens[k])) and not _is_word(tokens[k]))):
        k += 1
    window = [compact(t) for t in tokens[j:k]]
    pieces = [a for a, t in enumerate(window) if not header_role(t, table)]
    if not pieces:
        return header, j
    cells: list[list[str] | None] = [[t] for t in tokens[j:k]]
    taken: set[int] = set(pieces)
    role_of = header_role_reader(table)
    for a in pieces:
        found = wrapped_header_pieces(window[a], window, a + 1, taken, role_of)
        if found is None:
            return header, j
        cells[a] = [piece + window[b] for piece, b in found]
        for _, b in found:
            cells[b] = None
            taken.add(b)
    end = max(b for b, cell in enumerate(cells) if cell is None) + 1  # the last word used
    return header + [c for cell in cells[:end] if cell is not None for c in cell], j + end


def _meta_row(tokens: list[str], i: int, cells_may_split: bool) -> tuple[list[str], int]:
    """项目名称 X, or 主管部门 X 实施单位 Y: keys with the value that follows each."""
    row: list[str] = []
    while i < len(tokens) and is_meta_key(compact(tokens[i])) and len(row) < 4:
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
    return (_is_title(token) or t.startswith(_GOAL_LABELS) or t in _GOAL_HEADERS or t.startswith(FUND_BLOCK_LABELS)
            or bool(header_role(token, FUND_HEADER_ROLES)) or bool(header_role(token, INDICATOR_HEADER_ROLES)))


_TEXT_ROLES = ("note", "aside")  # columns of words, not values: 原因, 得分计算方法


def _fund_rows(tokens: list[str], i: int, *, text_last: bool = False) -> tuple[list[list[str]], int]:
    """`text_last`: the header's last column holds words (原因, 得分计算方法): a row's values may be
    followed by one text, its cell."""
    rows: list[list[str]] = []
    while i < len(tokens):
        t = compact(tokens[i])
        if t.startswith(FUND_BLOCK_LABELS):  # the block's merged label, printed among its rows
            rows.append([tokens[i]])
            i += 1
        elif fund_row_key(tokens[i]) or is_fund_by_level(t) or (t.endswith(("资金", "资金）", "资金)"))
                                                                and not _starts_section(tokens[i])):
            row = [tokens[i]]
            i += 1
            if i + 1 < len(tokens) and _label_rest(tokens[i]) and _valueish(tokens[i + 1]):
                row[0] += tokens[i]
                i += 1
            while i < len(tokens) and not fund_row_key(tokens[i]) and not _starts_section(tokens[i]) \
                    and _valueish(tokens[i]):
                row.append(tokens[i])
                i += 1
            if (text_last and len(row) > 1 and i < len(tokens) and not fund_row_key(tokens[i])
                    and not _starts_section(tokens[i]) and not compact(tokens[i]).startswith(FUND_BLOCK_LABELS)):
                row.append(tokens[i])
                i += 1
            rows.append(row)
        else:
            break
    return rows, i


def _late_header_cell(token: str, header: list[str]) -> bool:
    role = header_role(token, FUND_HEADER_ROLES)
    return role is not None and role not in {header_role(h, FUND_HEADER_ROLES) for h in header if h}


def _label_rest(token: str) -> bool:
    """`拨款` after `其中:当年财政`: the rest of a fund row's label wrapped in its narrow cell."""
    t = compact(token)
    return 0 < len(t) <= 4 and bool(_cjk_word().match(t)) and not _is_word(token) and not fund_row_key(token) \
        and not _starts_section(token)


def _valueish(token: str) -> bool:
    t = compact(token).rstrip("%").removesuffix("元").removesuffix("万")  # 4753.66万元, 100万, 30元
    return looks_numeric(t) or t in ("", "—", "-", "/", "——", "－") or is_page_number(token)


def _goal_rows(tokens: list[str], i: int, *, block_scores: bool = False) -> tuple[list[list[str]], int]:
    """`block_scores`: a number after the headers is the block's 自评得分, no goal text."""
    headers: list[str] = []
    texts: list[str] = []
    label: str | None = None  # 年度总体目标, kept for a block that prints no headers
    while i < len(tokens):
        t = compact(tokens[i])
        if is_goal_header(t):
            if headers or not t.startswith(GOAL_ACTUAL_HEADERS) or not _expected_header_follows(tokens, i):
                headers.append(tokens[i])
            i += 1  # an 实际 header before the 预期 one (年度目标完成情况 | 预期目标 | …) is the block's label
        elif block_scores and not texts and headers and is_points(tokens[i]):
            i += 1
        elif t.startswith(_GOAL_LABELS) or t in GOAL_LABEL_PARTS:
            label = label or tokens[i]
            i += 1
        elif _starts_section(tokens[i]) or read_label(tokens[i]) or (texts and NUMBERED_BLOCK.match(t)):
            break
        else:
            texts.append(tokens[i])
            i += 1
    rows = [headers] if headers else []
    if len(texts) > 2:
        if split := split_goal_items(texts):
            texts = [" ".join(texts[k] for k in split[0]), " ".join(texts[k] for k in split[1])]
        else:
            k = _second_text_start(texts)
            texts = [" ".join(texts[:k]), " ".join(texts[k:])]
    if texts:
        # Without headers the label says what the texts are: 年度总体目标 | expected | actual
        rows.append(texts if headers or label is None else [label, *texts])
    return rows, i


def _expected_header_follows(tokens: list[str], i: int) -> bool:
    return i + 1 < len(tokens) and compact(tokens[i + 1]).startswith(GOAL_EXPECTED_HEADERS)


def _pair_run(tokens: list[str], i: int) -> int:
    """`预算数: 2.38 执行数: 2.38`: fund headers each followed by its value (the total row printed as
    label/value pairs), at least two pairs; how many tokens they take, 0 for none."""
    j = i
    while j + 1 < len(tokens) and header_role(tokens[j], FUND_HEADER_ROLES) not in (None, "note", "aside") \
            and _valueish(tokens[j + 1]) and compact(tokens[j + 1]):
        j += 2
    return j - i if j - i >= 4 else 0


_RESTART = re.compile(r"^(?:<p>|[（(]?[1一][.、，,)）])")


def _second_text_start(texts: list[str]) -> int:
    """Where the 实际完成情况 text begins in goal words a flattened dump split on spaces, when their
    numbering did not say (split_goal_items)."""
    for k in range(1, len(texts)):
        if texts[k].startswith("<p>") or (_RESTART.match(texts[k]) and texts[k - 1].endswith(("。", "</p>", "；"))):
            return k
    # No numbering: the expected text ends its last sentence where the actual one begins (PDF text
    # wraps both cells over several lines, one after the other).
    ends = [k for k in range(1, len(texts)) if texts[k - 1].endswith(("。", "！", "</p>"))]
    return ends[0] if ends else 1


def _indicator_rows(tokens: list[str], i: int, header: list[str], *,
                    lone_cells: bool = False) -> tuple[list[list[str]], int]:
    """Indicator rows up to the 总分 row, then the 总分 row itself."""
    end = i
    while end < len(tokens) and not _is_title(tokens[end]) and compact(tokens[end]).rstrip(":：") not in _TABLE_TOTAL:
        if compact(tokens[end]).rstrip(":：") in TABLE_END_WORDS:  # 说明 and what follows is not the table
            rows = segment_rows([t for t in tokens[i:end] if not is_page_number(t)], header, lone_cells=lone_cells)
            resume = next((k for k in range(end, len(tokens)) if _is_title(tokens[k])), len(tokens))
            return rows, resume
        end += 1
    body = [t for t in tokens[i:end] if not is_page_number(t)]
    rows = segment_rows(body, header, lone_cells=lone_cells)
    if end < len(tokens) and compact(tokens[end]).rstrip(":：") in _TABLE_TOTAL:
        total = [tokens[end]]
        end += 1
        while end < len(tokens) and is_points(tokens[end]) and len(total) < 3:
            total.append(tokens[end])
            end += 1
        rows.append(total)
    return rows, end


def segment_rows(body: list[str], header: list[str], *, lone_cells: bool = False) -> list[list[str]]:
    """Cut a stream of indicator cells into rows, laid out in the header's columns.

    Every row has a name and a 分值 or 得分, so a row ends just after a point number (or after the
    note that follows one). Among those cut points, a dynamic programme picks the cuts whose rows
    align best with the header's roles (extractor.align): content decides where rows end.
    `lone_cells` (text whose cells a reader may have cut, PDF text in drawing order): a few cells
    that no row takes may stand alone rather than the whole table falling apart.
    """
    columns = {}
    for col, token in enumerate(header):
        role = header_role(token, INDICATOR_HEADER_ROLES)
        if role and role not in columns:
            columns[role] = col
    if "name" not in columns:
        columns = {role: col for col, role in enumerate(DEFAULT_ROLES)}
    roles = [r for r in sorted(columns, key=columns.get) if r not in ("l1", "l2")]
    roles.insert(roles.index("name") + 1, "name2")
    if "note" in roles:
        roles.insert(roles.index("note") + 1, "note2")
    width = max(columns.values()) + 1
    points = bool({"weight", "score"} & set(columns))
    if not points:
        body = _without_echoes(body)
    is_label = [read_label(t) is not None for t in body]
    if points:
        ends = {k + d for k, t in enumerate(body) if is_points(t) for d in (1, 2) if k + d <= len(body)}
    else:  # a template without 分值/得分 (县级专项资金绩效目标自评表): any cell may close a row
        ends = set(range(1, len(body) + 1))
    ends |= {k for k in range(1, len(body)) if is_label[k] and not is_label[k - 1]}  # labels open rows
    scaffold = [bool(SCAFFOLD.match(compact(t))) for t in body]
    ends |= {k for k in range(1, len(body)) if scaffold[k] != scaffold[k - 1]}  # scaffolding runs apart
    ends.add(len(body))
    longest = len(roles) + 6
    best = _cut_rows(body, is_label, roles, sorted(ends), longest, points=points)
    lone_cells = lone_cells or not points  # without points to cut by, a stray cell must not sink the table
    if len(body) not in best and not lone_cells:
        # The text cut off inside the last row (可持续影响指标 / 指标1:技): what aligns up to its few
        # cells is the table, and they stand alone after it.
        return _cut_last_row(body, best, is_label, roles, columns, width) or [[t] for t in body]
    if len(body) not in best:
        # Nothing aligns all the way (one cell the reader got wrong): let a cell stand alone where
        # no row takes it, at a price, so one bad cell costs its row and not the whole table.
        aligned = best
        best = _cut_rows(body, is_label, roles, list(range(1, len(body) + 1)), longest, lone_cost=LONE_CELL_COST,
                         points=points)
        if _lone_cells(best, len(body)) > max(MAX_LONE_CELLS, len(body) // 20):
            # not one bad cell: the text cut inside its last row, or a reading that does not fit (say so)
            return _cut_last_row(body, aligned, is_label, roles, columns, width) or [[t] for t in body]
    return _rows_from_cuts(body, best, len(body), is_label, roles, columns, width)


def _cut_last_row(body: list[str], best: dict[int, tuple[float, int, list[int | None] | None]], is_label: list[bool],
                  roles: list[str], columns: dict[str, int], width: int) -> list[list[str]] | None:
    """The text cut off inside its last row (可持续影响指标 / 指标1:技, or a row's labels, name and half its
    target): the rows up to it, then its few cells alone; None when no such cut explains the table."""
    tail = CUT_ROW_CELLS + sum(is_label[max(0, len(body) - CUT_ROW_CELLS - 3):])  # the row's own labels too
    cut = next((k for k in range(len(body) - 1, max(0, len(body) - tail) - 1, -1) if k in best), None)
    if cut is None or cut == 0 or any(is_points(t) for t in body[cut:]):
        return None
    return [*_rows_from_cuts(body, best, cut, is_label, roles, columns, width), *([t] for t in body[cut:])]


CUT_ROW_CELLS = 3  # cells of a last row the text cut off (its labels and a name fragment)


def _rows_from_cuts(body: list[str], best: dict[int, tuple[float, int, list[int | None] | None]], end: int,
                    is_label: list[bool], roles: list[str], columns: dict[str, int], width: int) -> list[list[str]]:
    """The rows of the best cuts of body[:end], laid out in the header's columns."""
    rows: list[list[str]] = []
    j = end
    while j > 0:
        _score, i, placed = best[j]
        if placed is None:
            rows.append([body[i]])
        else:
            rows.append(_lay_out(body[i:j], is_label[i:j], placed, roles, columns, width))
        j = i
    return rows[::-1]


# A full stop inside the text: sentences (a note's account of what happened), not an indicator's name.
_SENTENCE_INSIDE = re.compile(r"[。！？].")


def _without_echoes(body: list[str]) -> list[str]:
    """A name printed again one value later (name / 11个 / name / 0 / note): the dump repeated a merged
    cell's text in the next column's place; the repeat holds nothing of its own. Only a name-like text
    (a target printed again as its actual, 100% / 100%, stands next to itself and is kept)."""
    return [t for k, t in enumerate(body)
            if not (k >= 2 and t == body[k - 2] and t != body[k - 1] and _reads_as_name(t)
                    and read_label(t) is None and not _reads_as_name(body[k - 1]))]


LONE_CELL_COST = -8.0  # a cell no row takes: dearer than any fitted row's worst cell
MAX_LONE_CELLS = 2  # more than a few: not one bad cell but a reading that does not fit


def _lone_cells(best: dict[int, tuple[float, int, list[int | None] | None]], end: int) -> int:
    lone, j = 0, end
    while j > 0:
        _score, i, placed = best[j]
        lone += placed is None
        j = i
    return lone


def _cut_rows(body: list[str], is_label: list[bool], roles: list[str], ends: list[int], longest: int,
              *, lone_cost: float | None = None, points: bool = True
              ) -> dict[int, tuple[float, int, list[int | None] | None]]:
    """The best cuts of `body` into rows ending at `ends`: position -> (score, start, placement);
    with `lone_cost`, a single cell may also stand alone (placement None). `points`: every row
    prints a 分值 or 得分 (else a target or an actual)."""
    best: dict[int, tuple[float, int, list[int | None] | None]] = {0: (0.0, -1, [])}
    for j in ends:
        for i in [b for b in best if j - longest <= b < j]:
            fit = _row_fit(body[i:j], is_label[i:j], roles, points=points)
            if fit is None:
                continue
            total = best[i][0] + fit[0]
            if j not in best or total > best[j][0]:
                best[j] = (total, i, fit[1])
        if lone_cost is not None and j - 1 in best and (j not in best or best[j - 1][0] + lone_cost > best[j][0]):
            best[j] = (best[j - 1][0] + lone_cost, j - 1, None)
    return best


NAME_FIT = 3.0  # what a name-like text scores (extractor.align.fit_name)
NAME_MIN_CJK = 4  # 5000吨稻谷、500吨成品粮储备到位率 opens with a number and is a name all the same


def _reads_as_name(text: str) -> bool:
    return fit_name(text) >= NAME_FIT or len(_cjk().findall(text)) >= NAME_MIN_CJK


@cache
def _cjk() -> re.Pattern[str]:  # compiled when first used, as _cjk_word
    return re.compile(r"[\u4e00-\u9fff]")
DEFAULT_ROLES = ("l1", "l2", "name", "target", "actual", "weight", "score", "note")
PLACEHOLDER_TOKEN_COST = -0.5


def _row_fit(segment: list[str], labels: list[bool], roles: list[str], *,
             points: bool = True) -> tuple[float, list[int | None]] | None:
    lead = 0
    while lead < len(segment) and labels[lead]:
        lead += 1
    if any(labels[lead:]):
        return None  # labels stand before their row's name
    rest = segment[lead:]
    if all(SCAFFOLD.match(compact(t)) for t in rest):
        # Labels over template scaffolding only (生态效益指标 / 指标1 / ……): a row without values,
        # cheaper than forcing the scaffolding into a neighbour's cells.
        return PLACEHOLDER_TOKEN_COST * len(rest), [None] * len(rest)
    score, placed = align_texts(rest, roles)
    filled = {roles[p] for p in placed if p is not None}
    if not points:  # no points to close a row: its name must read as a name, not a value
        names = [t for t, p in zip(rest, placed, strict=True) if p is not None and roles[p] == "name"]
        if "name" not in filled or not {"target", "actual"} & filled or not _reads_as_name(names[0]) \
                or _SENTENCE_INSIDE.search(names[0]):
            return None
        return score, placed
    printed = len({"weight", "score"} & filled)
    if "name" not in filled or not printed:
        return None
    if "aside" in roles and any(p is not None and roles[p] == "name" and is_sentence(compact(t))
                                for t, p in zip(rest, placed, strict=True)):
        return None  # the 得分计算方法 cell's rule (…记满分;…记分。) in the name's place: no row of its own
    # A row prints both 分值 and 得分; one alone is possible but suspicious.
    return score - (0 if printed == 2 else 3), placed


def _lay_out(segment: list[str], labels: list[bool], placed: list[int | None], roles: list[str],
             columns: dict[str, int], width: int) -> list[str]:
    row = [""] * width
    label_tokens = [t for t, is_lab in zip(segment, labels, strict=True) if is_lab]
    cells = segment[len(label_tokens):]
    by_role = {roles[p]: t for t, p in zip(cells, placed, strict=True) if p is not None}
    if "name2" in by_role:
        by_role["name"] += by_role.pop("name2")
    if "note2" in by_role:
        by_role["note"] = by_role.get("note", "") + by_role.pop("note2")
    for role, text in by_role.items():
        row[columns[role]] = text
    extra = []
    for token in label_tokens:  # labels go to their own columns when the header has them
        label = read_label(token)
        if label and not label.level and label.weight is None:
            continue  # 绩效指标 repeated overleaf: the table's own heading, no level of this row
        column = columns.get(f"l{label.level}") if label and label.level else None
        if column is not None and not row[column]:
            row[column] = token
        else:
            extra.append(token)
    return extra + row


def _is_wrapped_part(text: str) -> bool:
    # A short fragment that is no word by itself: half of a label or header wrapped in a narrow cell.
    t = compact(text)
    return bool(t) and len(t) <= 8 and not _is_word(text) and not looks_numeric(t)


def rejoin_wrapped_rows(rows: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Row-keeping dumps wrap a narrow cell onto the next line (`可持续影` / `响指标`, `一级` / `指标`,
    `年度 实际` / `指标值 完成值`): a line of fragments joins its neighbour where together they make the
    form's own words."""
    pending: tuple[int, list[str]] | None = None
    pending_filled = 0
    for page, cells in rows:
        filled = _filled(cells, 5)  # most rows are full rows: counted once, no joining tried
        if pending is not None:
            prev = pending[1]
            if 0 < filled <= 2 and _points_wrapped_below(prev, cells):
                prev.extend(c for c in cells if c.strip())
                continue
            if filled <= 4:
                cells = list(cells)
                if _append_fragments(prev, cells):
                    continue
            if pending_filled <= 1:
                cells = list(cells)
                first = next((k for k, c in enumerate(cells) if c.strip()), None)
                prev_filled = [c for c in prev if c.strip()]
                if len(prev_filled) == 1 and first is not None and _is_wrapped_part(prev_filled[0]) \
                        and _is_word(prev_filled[0].strip() + cells[first].strip()):
                    cells[first] = prev_filled[0].strip() + cells[first].strip()  # it begins the cell below
                    pending, pending_filled = (page, cells), filled
                    continue
            yield pending
        pending, pending_filled = (page, list(cells)), filled
    if pending is not None:
        yield pending


def _points_wrapped_below(prev: list[str], cells: list[str]) -> bool:
    """`… 指标1:修缮建筑数量 <a long target> <a long actual>` then `7 7`: a row whose texts filled the
    line, its 分值 and 得分 wrapped onto the next. Only a row of words takes them: one that ends in a
    number has its points."""
    values = [c for c in cells if c.strip()]
    words = [c for c in prev if c.strip()]
    return bool(values) and all(is_points(v) for v in values) and len(words) >= 3 \
        and not looks_numeric(compact(words[-1]).rstrip("%"))


def _filled(cells: list[str], limit: int) -> int:
    """How many cells hold text, counted up to `limit` (a full row stops the count early)."""
    filled = 0
    for cell in cells:
        if cell and not cell.isspace():
            filled += 1
            if filled >= limit:
                break
    return filled


def _is_short_part(text: str) -> bool:
    t = compact(text)
    return bool(t) and len(t) <= 8 and not looks_numeric(t)


def _completes(cell: str, fragment: str) -> bool:
    """`年度` + `指标值`, `社会效益` + `指标`: together one word of the form, and not two words side by side."""
    return bool(cell) and _is_exact_word(cell + fragment) and not (_is_word(cell) and _is_word(fragment))


_PARENS = re.compile(r"[（(][^()（）]*[)）]")


def _is_exact_word(text: str) -> bool:
    """A label, or exactly one of the vocabulary's words (a unit in brackets aside): not a prefix match."""
    return read_label(text) is not None or _PARENS.sub("", compact(text)) in _EXACT_WORDS


def _append_fragments(prev: list[str], cells: list[str]) -> bool:
    """Append a line of fragments to the cells above they complete, in order; False if they do not."""
    filled = [c.strip() for c in cells if c.strip()]
    if not filled or len(filled) > 4 or not all(_is_short_part(f) for f in filled):
        return False
    targets: list[int] = []
    k = 0
    for fragment in filled:
        while k < len(prev) and not _completes(prev[k].strip(), fragment):
            k += 1
        if k == len(prev):
            return False
        targets.append(k)
        k += 1
    for k, fragment in zip(targets, filled, strict=True):
        prev[k] = prev[k].strip() + fragment
    return True
