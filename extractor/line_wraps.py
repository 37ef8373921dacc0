"""Table rows printed one visual line each, cells one space apart, wrapped cells spilling onto the
lines above and below the row's line (pdfplumber's `extract_text`, pdfminer per line).

A drawn table's cells are centred in their row: a one-line cell sits on the row's middle line (its
*anchor*), a cell of two lines has one piece just above and one just below it, a cell of three
lines one above, one on the anchor and one below. Without positions, which wrapped piece belongs
to which column is told by the form's grammar: every way of putting the wrapped cells among the
anchor's cells is aligned with the header's roles (extractor.align) and the best one is the row.
Merged labels (一级/二级指标) stand on lines of their own, at the middle of the rows they span; the
spans are found as in the positional reading (extractor.layout), by height on the page (a row of
two-line cells prints three lines for two) and page by page (a label cut by a page break prints in
its part on one page, centred there). Points cut around a row's line that then holds none (`0.` /
`5`, `1` / `0`) make it the row's; the total's cut points go back into it. A label cut in its narrow column
(满意 / 度指 / 标) is rebuilt from the pieces heading the lines below its first, and stands at their
middle; 成本指标 is level 1 when the newer template's 经济/社会/生态环境成本指标 are beneath it. A note
of many lines beside a name of two shares the rings of lines around the anchor with it: a sentence
(，。；) in the name's column says the outer lines are the note's.

The funds block is read the same way, its placements judged by each row's 执行率 against its amounts
(a row label alone, 上年结转资金, is an empty row);
key cells wrapped around their value (项目 / value / 名称) go back in front of it; other lines are passed
on as single-spaced rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import combinations
from math import comb

from extractor.align import align_texts, fit_amount, fit_points, fit_rate
from extractor.form.vocabulary import (
    FUND_BLOCK_PIECE,
    FUND_HEADER_ROLES,
    FUND_ROWS,
    GOAL_LABEL_PARTS,
    GOAL_LABELS,
    INDICATOR_HEADER_ROLES,
    INDICATOR_TOTAL_WORDS,
    is_goal_header,
    is_meta_key,
    is_title,
)
from extractor.layout import Piece, Row, label_spans
from extractor.normalize import compact, is_page_number, parse_amount, parse_number
from extractor.taxonomy import (
    LEVEL1,
    LEVEL2_PARENT,
    SUPER_LABELS,
    Label,
    fund_row_key,
    header_role,
    read_label,
    uses_cost_level1,
)

_OPEN_LABEL = re.compile(r"^(.*指标)[(（](\d+(?:\.\d+)?)分?$")  # 产出指标(45分 whose `)` wrapped
_LABEL_DEBRIS = frozenset({")", "）", "分)", "分）", "绩效", "指标", "绩效指标", "绩", "效"})
_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_WRAPPED = 4  # wrapped cells of one row tried in every place; more are joined in order
# ... except in a fund row whose anchor is short enough that every place is still cheap (年度资 / 10 10 /
# 金总额: its amounts all wrapped around its one-line 分值 and 得分; the row's rate judges them)
MAX_PLACEMENTS = 210
_HEADER_MIN_WORDS = 3
HEADER_PIECES_MAX = 8  # words of a header wrapped onto the line above or below its own


def line_wrap_rows(text: str) -> list[tuple[int, list[str]]]:
    """(page, cells) rows of the whole text: lines outside the tables as they are, each funds block and
    indicator table (one per form) rebuilt from its anchors, wrapped pieces and labels."""
    raw = text.split("\n")
    counters = _bare_counters(raw)
    pages = _pages(text, counters)
    # A page's counter (`1/6`, `第 2 页`) printed inside a table that runs on is no cell of it.
    lines = _join_wrapped_keys([[] if k in counters or is_page_number(line.strip()) else _tokens(line.replace("\f", " "))
                                for k, line in enumerate(raw)])
    rows: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(lines):
        header_at = next((k for k in range(i, len(lines)) if _is_header_line(lines, k)), None)
        fund_at = next((k for k in range(i, header_at if header_at is not None else len(lines))
                        if _fund_words(lines[k]) >= _HEADER_MIN_WORDS), None)
        if fund_at is not None:  # the funds block comes first in a form
            start = fund_at - 1 if fund_at > i and _is_fund_fragment(lines[fund_at - 1]) else fund_at
            rows.extend((pages[k], lines[k]) for k in range(i, start) if lines[k])
            end = next((k for k in range(fund_at + 1, len(lines)) if lines[k] and _ends_funds(lines[k])), len(lines))
            rows.extend((pages[fund_at], cells) for cells in _fund_rows(lines, start, end))
            i = end
            continue
        if header_at is None:
            break
        # The goal texts between the funds and the indicator table: two columns whose lines interleave.
        if (goals := _goal_block(lines, i, header_at)) is not None:
            at, stop, row = goals
            rows.extend((pages[k], lines[k]) for k in range(i, at + 1) if lines[k])
            rows.append((pages[at], row))
            for k in range(at + 1, stop):
                lines[k] = []
            i = at + 1
        # The header's own line is the fullest of the few that name columns (年度指标 / 一级指标 … / 值).
        header_at = max(range(header_at, min(header_at + 3, len(lines))),
                        key=lambda k: (_whole_header_words(lines[k]), _header_words(lines[k]), -k))
        if header_at > i and (lead := _header_lead(lines[header_at - 1])) is not None:
            if lead:  # the tail of the text above shares the line with the header's upper pieces
                rows.append((pages[header_at - 1], lines[header_at - 1][:lead]))
                lines[header_at - 1] = lines[header_at - 1][lead:]
            start = header_at - 1
            # A header cell of three lines or more reaches one line further up (偏差原因分 / 析及改进措 / 施).
            if start - 1 > i and _is_header_fragment(lines[start - 1]) and _header_words(lines[start - 1]) < 2:
                start -= 1
        else:
            start = header_at
        rows.extend((pages[k], lines[k]) for k in range(i, start) if lines[k])
        end = next((k for k in range(header_at + 1, len(lines)) if lines[k] and (_is_total(lines[k][0])
                                                                                 or _is_title(lines[k]))), len(lines))
        if end < len(lines) and _is_total(lines[end][0]):
            _join_cut_total(lines, end)
        rows.extend((pages[header_at], cells) for cells in _table_rows(lines, start, header_at, end, pages))
        i = end
    rows.extend((pages[k], lines[k]) for k in range(i, len(lines)) if lines[k])
    return rows


_UNIT_LABEL = re.compile(r"^[（(]万?元[)）]$")


_FORMULA_REST = re.compile(r"^(?:[\d.,%\\]+\S*|\S*\$)$")  # `300`, `90\%`, `元$`: a formula's next word


def _tokens(line: str) -> list[str]:
    """A line's cells, a space apart; a formula's words (`$\\geq 300`) stay one cell."""
    out: list[str] = []
    for token in line.split():
        if out and out[-1].count("$") % 2 == 1 and _FORMULA_REST.match(token):
            out[-1] += " " + token
        else:
            out.append(token)
    return out


def _is_key_word(text: str) -> bool:
    """A word a key cell prints: 项目名称, 主管部门, 其中:当年财政拨款, （万元）."""
    t = compact(text)
    return is_meta_key(t) or fund_row_key(text) is not None or bool(_UNIT_LABEL.match(t))


def _join_wrapped_keys(lines: list[list[str]]) -> list[list[str]]:
    """Key cells wrapped around their row's line (`项目` / `公共体育设施建设项目` / `名称`,
    `实施单` / `主管部门 西湖区财政局 西湖区财政局` / `位`): the pieces above and below that make a
    key go back into the row, the key before the value it names (the first value no key names)."""
    out = [list(tokens) for tokens in lines]
    for a in range(1, len(out) - 1):
        up, anchor, down = out[a - 1], out[a], out[a + 1]
        if not up or not anchor or len(up) != len(down) or len(up) > 2:
            continue
        keys = [u + d for u, d in zip(up, down, strict=True)]
        # Both pieces are words (a dash `—` above `上年结转资` is a cell of the row above, not a key's head).
        if not all(_CJK.search(piece) for piece in (*up, *down)):
            continue
        if not all(_is_key_word(k) for k in keys) or any(_is_key_word(u) for u in up):
            continue
        for key in keys:
            anchor = _put_key(anchor, key)
        out[a - 1], out[a], out[a + 1] = [], anchor, []
    return out


def _put_key(tokens: list[str], key: str) -> list[str]:
    if _UNIT_LABEL.match(compact(key)) or not tokens or not is_meta_key(compact(tokens[0])):
        return [key, *tokens]
    # 主管部门 X Y: the wrapped key names Y, the value after the last keyed one.
    keyed = [k for k, t in enumerate(tokens) if is_meta_key(compact(t))]
    at = keyed[-1] + 2
    return [*tokens[:at], key, *tokens[at:]] if at < len(tokens) else [*tokens, key]


def _is_title(tokens: list[str]) -> bool:
    return len(tokens) == 1 and is_title(tokens[0])


def _pages(text: str, counters: frozenset[int] = frozenset()) -> list[int]:
    """Each line's page: pages part at form feeds, or after a line that is a page's counter alone."""
    page, out = 1, []
    for k, line in enumerate(text.split("\n")):
        out.append(page)
        page += line.count("\f") or is_page_number(line.strip()) or k in counters
    return out


_BARE_NUMBER = re.compile(r"^\d{1,3}$")
PAGE_LINES_MIN = 10  # lines of a page at least: counters closer than this are a table's numbers


def _bare_counters(lines: list[str]) -> frozenset[int]:
    """Lines holding a page's bare counter (`1`, then `2` a page further, …: pages joined by a newline,
    each ending in its footer's number): whole numbers alone on their line counting the pages 1, 2, 3
    in order, a page's worth of lines apart and the last near the text's end, two at least. A cut
    weight alone on its line (`1` / `0`) counts nothing."""
    alone = [(k, int(line.strip())) for k, line in enumerate(lines) if _BARE_NUMBER.match(line.strip())]
    found: list[int] = []
    for k, n in alone:
        if n == len(found) + 1 and k - (found[-1] if found else -1) >= PAGE_LINES_MIN:
            found.append(k)
    tail = sum(1 for line in lines[found[-1] + 1:] if line.strip()) if found else 0
    if len(found) < 2 or tail > (len(lines) - found[0]) / len(found) * 1.5:
        return frozenset()
    return frozenset(found)


Table = tuple[tuple[str, tuple[str, ...]], ...]  # a header's words by role (extractor.form.vocabulary)


def _words_of(table: Table, tokens: list[str]) -> int:
    """How many tokens name a column of the table."""
    return sum(header_role(t, table) is not None for t in tokens)


def _piece_of(table: Table, token: str) -> bool:
    """A column's word, or a piece of one a narrow cell cut (年度指 of 年度指标值, 值)."""
    text = compact(token)
    return header_role(token, table) is not None or any(
        w.startswith(text) or w.endswith(text) for _role, words in table for w in words)


def _header_words(tokens: list[str]) -> int:
    return _words_of(INDICATOR_HEADER_ROLES, tokens)


_WHOLE_HEADER_WORDS = frozenset(w for _role, words in INDICATOR_HEADER_ROLES for w in words)


def _is_header_line(lines: list[list[str]], k: int) -> bool:
    """The indicator header's own line: it names columns, or its words with the pieces cut onto the lines
    just above and below it, paired in order (`一级指 指标性 … 得` / `二级指标 三级指标` / `标 质 … 分`: a
    template of narrow columns whose every other word wrapped), name enough of them."""
    words = _header_words(lines[k])
    if words >= _HEADER_MIN_WORDS:
        return True
    if not words or k < 1 or k + 1 >= len(lines):
        return False
    up, down = lines[k - 1], lines[k + 1]
    if len(up) != len(down) or not _is_header_fragment(up) or not _is_header_fragment(down):
        return False
    joined = [u + d for u, d in zip(up, down, strict=True)]
    return words + _words_of(INDICATOR_HEADER_ROLES, joined) >= _HEADER_MIN_WORDS


def _whole_header_words(tokens: list[str]) -> int:
    """Header words printed whole (一级指标, 指标性质), not pieces a narrow cell cut (指标, 实际完)."""
    return sum(compact(t) in _WHOLE_HEADER_WORDS for t in tokens)


def _is_header_piece(token: str) -> bool:
    return _piece_of(INDICATOR_HEADER_ROLES, token)


def _is_header_fragment(tokens: list[str]) -> bool:
    return bool(tokens) and len(tokens) <= HEADER_PIECES_MAX and all(_is_header_piece(t) for t in tokens)


def _header_lead(tokens: list[str]) -> int | None:
    """How many tokens at the start of a line above the header are not header pieces, when the rest
    are (None when the line holds none)."""
    lead = 0
    while lead < len(tokens) and not _is_header_piece(tokens[lead]):
        lead += 1
    return lead if lead < len(tokens) and _is_header_fragment(tokens[lead:]) else None


_NUMBER_PIECE = re.compile(r"^\.?\d+\.?$")
_WHOLE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
TOTAL_POINTS = 100  # a form's 分值 add up to this: the total's 分值, and its 得分 no more


def _join_cut_total(lines: list[list[str]], at: int) -> None:
    """The total's 分值 and 得分 cut around its line (`10 99` / `总分` / `0 .4`, `1 9` / `总分 0 6.` /
    `0 3`, `97.` / `总分 100` / `7`): the lines just above and below, numbers' pieces alone and as many,
    go back into it, each number its pieces top to bottom (through its middle on the total's line, or
    beside a number printed whole there), the 分值 first and no less than the 得分."""
    if at < 1 or at + 1 >= len(lines):
        return
    up, (label, *middle), down = lines[at - 1], lines[at], lines[at + 1]
    if not up or len(up) != len(down) or not all(_NUMBER_PIECE.match(t) for t in (*up, *middle, *down)):
        return
    pairs = [u + d for u, d in zip(up, down, strict=True)]
    candidates = [[u + m + d for u, m, d in zip(up, middle, down, strict=True)]] if len(middle) == len(up) else []
    if not middle:
        candidates.append(pairs)
    elif all(_WHOLE_NUMBER.match(t) for t in middle):
        candidates.extend(_interleavings(middle, pairs))
    for numbers in candidates:
        if len(numbers) == 2 and all(_WHOLE_NUMBER.match(n) for n in numbers) \
                and TOTAL_POINTS >= float(numbers[0]) >= float(numbers[1]):
            lines[at - 1], lines[at], lines[at + 1] = [], [label, *numbers], []
            return


def _is_total(token: str) -> bool:
    return compact(token).rstrip(":：").startswith(INDICATOR_TOTAL_WORDS)


# --- the goal texts ----------------------------------------------------------------------------

GOAL_LINES_MAX = 16  # lines of the two goal texts tried in every split between the columns
FULL_LINE_SLACK = 2  # display columns: a cut line ends a character short of its column's width at most
_GOAL_LABEL = "年度总体目标"


def _goal_block(lines: list[list[str]], start: int, end: int) -> tuple[int, int, list[str]] | None:
    """预期目标 | 实际完成情况, then the two texts side by side, each wrapped in its column, their lines
    interleaved by height without positions (the shorter text's lines stand among the longer's, and
    share a line with one where they meet the same height). Each text's lines are as wide as its
    column but the last: the split of the lines between the columns that keeps that, the shorter
    text centred, gives (header line, last line, [expected, actual]); None when nothing splits so."""
    at = next((k for k in range(start, end) if len(lines[k]) == 2 and all(is_goal_header(compact(t)) for t in lines[k])), None)
    if at is None:
        return None
    stop = at + 1
    parts: list[list[str]] = []
    while stop < end and lines[stop]:
        tokens = [t for t in lines[stop] if not (len(compact(t)) <= len(_GOAL_LABEL) and compact(t) in _GOAL_LABEL)]
        if tokens and (_is_header_fragment(lines[stop]) or _header_lead_at(lines[stop])):
            break  # the indicator table's header (its pieces above its own line)
        if len(tokens) > 2:
            return None
        parts.append(tokens)
        stop += 1
    singles = [k for k, tokens in enumerate(parts) if len(tokens) == 1]
    if len(parts) < 2 or len(singles) > GOAL_LINES_MAX or len(singles) == len(parts) == 0:
        return None
    best: tuple[tuple[int, float, bool], list[str]] | None = None
    for mask in range(1 << len(singles)):
        side = {k: (mask >> n) & 1 for n, k in enumerate(singles)}
        columns: tuple[list[tuple[int, str]], list[tuple[int, str]]] = ([], [])
        for k, tokens in enumerate(parts):
            if len(tokens) == 2:
                columns[0].append((k, tokens[0]))
                columns[1].append((k, tokens[1]))
            elif tokens:
                columns[side[k]].append((k, tokens[0]))
        if not columns[0] or not columns[1]:
            continue
        short = sum(_short_lines([t for _, t in column]) for column in columns)
        middle = [sum(k for k, _ in column) / len(column) for column in columns]
        # Swapped columns split alike: then the text that starts first is the one printed first (预期目标).
        key = (short, abs(middle[0] - middle[1]), columns[0][0][0] > columns[1][0][0])
        if best is None or key < best[0]:
            best = (key, ["".join(t for _, t in column) for column in columns])
    if best is None or best[0][0] > 0:
        return None
    return at, stop, best[1]


def _short_lines(texts: list[str]) -> int:
    """Lines of one cell narrower than its widest but the last: none when the cell wrapped at its width."""
    if len(texts) < 2:
        return 0
    full = max(_width(t) for t in texts)
    return sum(_width(t) < full - FULL_LINE_SLACK for t in texts[:-1]) + (_width(texts[-1]) > full)


def _header_lead_at(tokens: list[str]) -> bool:
    return _header_words(tokens) >= 1 and _header_lead(tokens) is not None


# --- the funds block ---------------------------------------------------------------------------



def _fund_words(tokens: list[str]) -> int:
    return _words_of(FUND_HEADER_ROLES, tokens)


_FORMULA_PIECE = re.compile(r"[（(]?[A-Z/]{1,3}[)）]?|[（(][A-Z/]{0,3}|[A-Z/]{0,3}[)）]")  # (B/A) cut: (B/ / A)


_FORMULA_TAIL = re.compile(r"[（(][A-Z/]{0,3}[)）]?$")  # 全年预算数(A) cut as 全年预算 / 数(A)


def _is_fund_piece(token: str) -> bool:
    text = compact(token)
    word = _FORMULA_TAIL.sub("", text)
    return _piece_of(FUND_HEADER_ROLES, token) or bool(_FORMULA_PIECE.fullmatch(text)) \
        or (word != text and bool(word) and _piece_of(FUND_HEADER_ROLES, word))


def _is_fund_fragment(tokens: list[str]) -> bool:
    return bool(tokens) and len(tokens) <= HEADER_PIECES_MAX and all(_is_fund_piece(t) for t in tokens) and _fund_words(tokens) < 3


def _ends_funds(tokens: list[str]) -> bool:
    first = compact(tokens[0])
    return first.startswith(GOAL_LABELS) or first in GOAL_LABEL_PARTS or is_goal_header(first) or _is_title(tokens) \
        or _header_words(tokens) >= _HEADER_MIN_WORDS


def _fund_rows(lines: list[list[str]], start: int, end: int) -> list[list[str]]:
    """The funds block: its header (words wrapped above and below put back where the rows fit them),
    then each row from its anchor and the pieces wrapped around it (a label 其中:当年财政拨 / 款, an
    amount cut at its width 148242940. / 85)."""
    head = start
    while head < min(start + 3, end) and lines[head] and all(_is_fund_piece(t) for t in lines[head]):
        head += 1
    block = [lines[k] for k in range(start, max(head, start + 1))]
    # Three lines: the middle one is the header's own (its one-line words centred), the others wrap.
    if len(block) == 3:
        up, anchor, down = block
    elif len(block) == 2:
        first, second = block
        up, anchor, down = ([], first, second) if _fund_words(first) >= _fund_words(second) else (first, second, [])
    else:
        up, anchor, down = [], block[0], []
    # A line left empty by the block's label (`（元）`) may still be a row's own line, its cells all
    # wrapped around it (`98,118,249` / `（元）` / `.06`): kept while the anchors are found.
    rest = [(k, [t for t in lines[k] if not FUND_BLOCK_PIECE.match(compact(t))]) for k in range(start + len(block), end)
            if lines[k]]
    anchors = _fund_anchors(rest)
    keep = [n for n, (_k, cells) in enumerate(rest) if cells or n in anchors]
    anchors = [keep.index(n) for n in anchors]
    rest = [rest[n] for n in keep]
    shares = _share_pieces(anchors, len(rest)) if anchors else []
    pieces = [(rest[n][1], _wrapped_cells([rest[j][1] for j in ups], [rest[j][1] for j in downs]))
              for n, (ups, downs) in zip(anchors, shares, strict=True)]
    header = anchor
    if up or down:
        wrapped = [u + d for u, d in zip(up, down, strict=True)] if len(up) == len(down) else up + down
        best_score = float("-inf")
        for order in _interleavings(anchor, wrapped):
            roles = ["name", *(r for r in (header_role(t, FUND_HEADER_ROLES) for t in order) if r)]
            score = sum(_fund_evidence(_best_row(cells, wraps, roles, _fund_evidence)[0], roles)
                        for cells, wraps in pieces) - ORDER_TIE * _inversions(roles)
            if score > best_score:
                header, best_score = order, score
    columns = {"name": 0}
    for col, word in enumerate(header):
        role = header_role(word, FUND_HEADER_ROLES)
        if role and role not in columns:
            columns[role] = col + 1
    roles = sorted(columns, key=columns.get)
    out = [["", *header]]
    if not anchors:
        return out + [cells for _k, cells in rest]
    for cells, wraps in pieces:
        out.append(_lay_out(_best_row(cells, wraps, roles, _fund_evidence)[0], roles, columns, len(header) + 1))
    return out


ORDER_TIE = 0.01  # when the rows cannot tell, the columns stand in the order templates usually print
_USUAL_ORDER = [role for role, _words in FUND_HEADER_ROLES]


_USUAL_INDICATOR_ORDER = ["l1", "l2", "name", "target_op", "target", "target_unit", "actual", "weight", "score", "note"]


def _inversions(roles: list[str], usual: list[str] = _USUAL_ORDER) -> int:
    rank = [usual.index(r) for r in roles if r in usual]
    return sum(a > b for k, a in enumerate(rank) for b in rank[k + 1:])


RATE_AGREES = 4.0
OVERSPENT = 1.0
MAX_RATE = 1000  # percent: an execution rate above this is an amount in the wrong column  # a row whose 执行率 is its 全年执行数 / 全年预算数 proves the columns (extractor.align)


def _fund_evidence(cells: list[str], roles: list[str]) -> float:
    """How well a fund row reads under `roles`: the cells' fit, and its rate against its amounts."""
    score, placed = align_texts(cells, roles)
    by_role = {roles[p]: cells[k] for k, p in enumerate(placed) if p is not None}
    try:
        rate = parse_number(by_role["execution_rate"].rstrip("%％")) if "execution_rate" in by_role else None
        executed = parse_amount(by_role["executed"], None)[0] if "executed" in by_role else None
        budget = parse_amount(by_role["annual_budget"], None)[0] if "annual_budget" in by_role else None
    except (ValueError, KeyError):
        return score
    if rate is not None and (rate > MAX_RATE or "," in by_role["execution_rate"]):
        return score - RATE_AGREES  # 5,539,168.42 is an amount, not a rate
    if rate is not None and executed is not None and budget:
        miss = float(abs(executed / budget * 100 - rate))  # percentage points: the nearer, the surer
        score += RATE_AGREES * (1 - miss) if miss <= 1 else -RATE_AGREES
    elif rate is None and executed is not None and budget and executed > budget:
        score -= OVERSPENT  # no rate to tell: a row spends its budget or less far more often than more
    return score


_CUT_AMOUNT = re.compile(r"^[\d,]+\.?\d*$")


def _fund_anchors(rest: list[tuple[int, list[str]]]) -> list[int]:
    """The fund rows' own lines. A line whose neighbours pair up piece by piece into amounts and
    labels (`其中:当年财政 48,213,720.6 …` / `—` / `拨款 9 86 84`) is a row's middle whatever it
    holds; the others by their own look."""
    pieces: set[int] = set()
    anchors: set[int] = set()
    for n in range(1, len(rest) - 1):
        (above, up), (line, _cells), (below, down) = rest[n - 1], rest[n], rest[n + 1]
        if above != line - 1 or below != line + 1 or len(up) != len(down) or len(up) < 2 or n - 1 in anchors:
            continue
        if all(_cut_value(u, d) or fund_row_key(u + d) is not None for u, d in zip(up, down, strict=True)):
            anchors.add(n)
            pieces.update((n - 1, n + 1))
    anchors.update(n for n, (_k, cells) in enumerate(rest) if n not in pieces and cells and _is_fund_anchor(cells))
    anchors.update(n for n in range(len(rest)) if n not in pieces and _is_empty_fund_row(rest, n))
    return sorted(anchors)


def _is_empty_fund_row(rest: list[tuple[int, list[str]]], n: int) -> bool:
    """A row's whole label alone on its line (上年结转资金, no amounts: an empty row), unless a line
    next to it names the same row (`其中：当年` / … / `财政拨款`: a label's pieces around its values)."""
    cells = rest[n][1]
    if len(cells) != 1 or (key := _whole_fund_key(cells[0])) is None:
        return False
    return all(fund_row_key(rest[m][1][0]) != key for m in (n - 1, n + 1) if 0 <= m < len(rest) and rest[m][1])


def _whole_fund_key(text: str) -> str | None:
    """The row a label names by one of its words printed whole, ending it (not a wrapped piece:
    当年财政拨, 上年结转资 of 上年结转资金)."""
    words = compact(text).removeprefix("其中").lstrip(":：")
    key = next((key for key, names in FUND_ROWS if any(words.endswith(w) for w in names)), None)
    names = dict(FUND_ROWS).get(key, ())
    if any(words.endswith(name[:k]) for name in names for k in range(2, len(name))):
        return None  # a longer word of the row goes on from its end on the next line
    return key


_VALUE_REST = re.compile(r"^[\d,]*\.?\d*%?$")


def _cut_value(up: str, down: str) -> bool:
    """`58,153,891.` / `56`, `55,649,6` / `57.00`, `100.00` / `%`: an amount or rate its column cut."""
    return bool(down and _CUT_AMOUNT.match(up) and _VALUE_REST.match(down) and (up + down).count(".") <= 1
                and (fit_amount(up + down) > 0 or fit_rate(up + down) > 0))


def _is_fund_anchor(cells: list[str]) -> bool:
    """A fund row's own line: its label with a value, or three values (a label wrapped around
    them); a piece of a label beside a piece of an amount (其中:当年财 126006499.) is not one."""
    values = sum(fit_amount(t) > 0 or fit_rate(t) > 0 or t in ("—", "-", "/") for t in cells)
    return values >= 3 or (values >= 1 and fund_row_key(cells[0]) is not None)


# --- the header --------------------------------------------------------------------------------


def _header(lines: list[list[str]], start: int, header_at: int, end: int | None = None) -> tuple[list[str], int]:
    """The header's words in printed order, and the first body line. Words wrapped onto the lines
    above and below the header's own line (年度指 / 标值, 偏差原因分 / 析及改进措 / 施) are put back
    where the body rows fit them."""
    anchor = lines[header_at]
    ups = [lines[k] for k in range(start, header_at)]
    downs: list[list[str]] = []
    k = header_at + 1
    while (k < len(lines) and len(downs) < len(ups) + 1 and _is_header_fragment(lines[k])
           and _whole_header_words(lines[k]) < _whole_header_words(anchor)):
        downs.append(lines[k])
        k += 1
    if not ups and not downs:
        return anchor, header_at + 1
    wrapped = _wrapped_cells(ups, downs)
    # Body rows to judge the orders by: this table's (not the next form's funds), less the pieces of
    # labels wrapped in their narrow columns (满意 / 度指 / 标).
    stop = min(k + 40, len(lines) if end is None else end)
    _labels, used = _wrapped_labels(lines, k, stop)
    body = [[t for n, t in enumerate(lines[i]) if (i, n) not in used] for i in range(k, stop)]
    samples = [t for t in body if len(t) >= 4 and _points_count(t) >= 1][:12]
    best, best_score = anchor + [w[0] + w[1] for w in wrapped], float("-inf")
    whole = {compact(a) for a in anchor if compact(a) in _WHOLE_HEADER_WORDS}
    for order, _odd, joins, _joined in _candidate_rows(anchor, wrapped):
        if any(w in compact(t) and compact(t) != w for t in order for w in whole):
            continue  # a header word printed whole (一级指标) is no wrapped word's middle line
        every = [r for r in (header_role(t, INDICATOR_HEADER_ROLES) for t in order) if r]
        if _labels_not_first(every):
            continue  # the hierarchy's columns (一级/二级/三级指标) come first in every template
        roles = [r for r in every if r not in ("l1", "l2")]
        score = (sum(align_texts([t for t in s if not _is_label_token(t)], roles)[0] for s in samples)
                 + JOIN_TIE * joins - ORDER_TIE * _inversions(roles, _USUAL_INDICATOR_ORDER))
        if score > best_score:
            best, best_score = order, score
    return best, k


def _labels_not_first(roles: list[str]) -> bool:
    """Whether a value column (分值, 年度指标值, …) stands before one of the hierarchy's columns."""
    last_label = max((k for k, r in enumerate(roles) if r in ("l1", "l2", "name")), default=-1)
    return any(r not in ("l1", "l2", "name") for r in roles[:last_label])


def _interleavings(fixed: list[str], extra: list[str]) -> list[list[str]]:
    n = len(fixed) + len(extra)
    out = []
    for places in combinations(range(n), len(extra)):
        it_fixed, it_extra = iter(fixed), iter(extra)
        out.append([next(it_extra) if k in places else next(it_fixed) for k in range(n)])
    return out


# --- the body ----------------------------------------------------------------------------------


def _is_label_token(token: str) -> bool:
    return read_label(token) is not None or token in _LABEL_DEBRIS or bool(_OPEN_LABEL.match(compact(token)))


def _label_of(token: str) -> tuple[Label | None, str]:
    if m := _OPEN_LABEL.match(compact(token)):
        token = f"{m.group(1)}({m.group(2)}分)"
    return read_label(token), token


_CUT_POINTS = re.compile(r"^\d+\.$")


def _ends_cut_points(rest: list[tuple[int, list[str]]], k: int) -> bool:
    """`工作计划完成 10.` / `时效指标 10.5 …` / `时限 5`: a line whose one number ends points cut two
    lines up, around the row's own line, is that row's lower line, not a row."""
    if k < 2 or _points_count(rest[k][1]) != 1 or not _is_anchor(rest[k - 1][1]):
        return False
    digits = [t for t in rest[k][1] if t.isdigit()]
    return len(digits) == 1 and any(_CUT_POINTS.match(t) for t in rest[k - 2][1])


_POINTS_HEAD = re.compile(r"^\d+\.?$")  # `0.` or `10`: the upper piece of points cut around their row's line
_POINTS_REST = re.compile(r"^\.?\d+$")  # `5` or `.5`: the lower piece
_TARGET_LIKE = re.compile(r"^(?:[<>=≥≤≧≦＞＜＝]|\d)")  # a row's own line prints its target (≥95%, = 100)


def _cut_points_middles(rest: list[tuple[int, list[str]]]) -> set[int]:
    """Lines whose row's points were all cut around them (`0. 0.` / `抽检批次 ≥3人 3人` / `5 5`,
    `项目完成时 10 10` / `≤15天 14天` / `限 .5 .5`): the line between is the row's own, though it holds
    no points. The pieces pair in order, as many above as below, each pair one number with one point."""
    out: set[int] = set()
    for k in range(1, len(rest) - 1):
        (above, up), (line, cells), (below, down) = rest[k - 1], rest[k], rest[k + 1]
        if above != line - 1 or below != line + 1:
            continue
        heads = [t for t in up if _POINTS_HEAD.match(t)]
        tails = [t for t in down if _POINTS_REST.match(t)]
        # Whole numbers cut (`1` / `0`) only around a line that prints a target and no points, between
        # lines that print none: two rows' own lines (points, targets) around a third's are no pieces.
        whole = _points_count(cells) == 0 and any(_TARGET_LIKE.match(t) for t in cells) and not any(
            _TARGET_LIKE.match(t) for t in (*up, *down) if t not in heads and t not in tails)
        if heads and len(heads) == len(tails) and all(
                ((h + t).count(".") == 1 or whole) and not (h + t).endswith(".") and fit_points(h + t) > 0
                for h, t in zip(heads, tails, strict=True)):
            out.add(k)
    return out


def _points_count(tokens: list[str]) -> int:
    # `10.` is a number its cell cut (`10.` / `5` around the anchor), no points of this line.
    return sum(fit_points(t) > 0 and not t.endswith(".") for t in tokens)


def _table_rows(lines: list[list[str]], start: int, header_at: int, end: int,
                pages: list[int] | None = None) -> list[list[str]]:
    header, body_start = _header(lines, start, header_at, end)
    columns: dict[str, int] = {}
    for col, word in enumerate(header):
        role = header_role(word, INDICATOR_HEADER_ROLES)
        if role and role not in columns:
            columns[role] = col
    roles = [r for r in sorted(columns, key=columns.get) if r not in ("l1", "l2")]
    width = len(header)
    # Labels out of every line; what is left is a row's anchor or a wrapped piece.
    labels: dict[int, list[Piece]] = {1: [], 2: []}
    wrapped_labels, used = _wrapped_labels(lines, body_start, end)
    for label, printed, line in wrapped_labels:
        if label.level in labels:
            labels[label.level].append(Piece(line=line, x0=0, x1=0, text=printed))
    rest: list[tuple[int, list[str]]] = []
    for i in range(body_start, end):
        cells = []
        for n, token in enumerate(lines[i]):
            if (i, n) in used:
                continue
            if not _is_label_token(token):
                cells.append(token)
                continue
            label, printed = _label_of(token)
            line = _label_line(lines, i, token, end)
            if (joined := _completed_label(lines, i, token, end)) is not None:
                label, printed, line = joined
            if label is not None and label.level in labels:
                labels[label.level].append(Piece(line=line, x0=0, x1=0, text=printed))
        if cells:
            rest.append((i, cells))
    _cost_to_level1(labels)
    middles = _cut_points_middles(rest)
    cut_ends = {k + d for k in middles for d in (-1, 1)}
    anchors = [k for k, (_i, cells) in enumerate(rest)
               if k in middles or (k not in cut_ends and _is_anchor(cells) and not _ends_cut_points(rest, k))]
    if not anchors:
        return [header] + [cells for _i, cells in rest]
    rows: list[Row] = []
    texts: list[list[str]] = []
    shapes: list[RowShape] = []
    printed: list[str] = []
    for k, (ups, downs) in zip(anchors, _share_pieces(anchors, len(rest)), strict=True):
        cells, odd = _best_indicator_row(rest[k][1], _wrapped_variants([rest[j][1] for j in ups], [rest[j][1] for j in downs]), roles)
        texts.append(_lay_out(cells, roles, columns, width))
        printed.append(" ".join(cells))
        shapes.append((rest[k][0], [rest[j][0] for j in ups], [rest[j][0] for j in downs], odd))
    # The labels stand at the middle of their spans in height on the page, not in counted lines: a
    # row of one line counts one, one of two-line cells three (its one-line cells between) for two.
    height_of = _page_heights(shapes)
    for (line, *_shape), (middle, tall), text in zip(shapes, _row_middles(shapes), printed, strict=True):
        # label_spans cuts half a line outside a row's top and bottom: the row's edges, half a line in.
        rows.append(Row(anchor=line, cells=[Piece(line=middle, x0=0, x1=1, text=text)],
                        top=middle - tall / 2 + 0.5, bottom=middle + tall / 2 - 0.5))
    page_of = (lambda line: pages[min(int(line), len(pages) - 1)]) if pages else (lambda _line: 1)
    # A merged label cut by a page break prints in its part on one page, centred there: each page's
    # labels span its rows, those heading a page left to the label above (continued).
    inner: list[tuple[Row, str]] = []
    outer: list[tuple[Row, str]] = []
    for n, page in enumerate(sorted({page_of(row.anchor) for row in rows})):
        on_page = [row for row in rows if page_of(row.anchor) == page]
        placed = {level: sorted((Piece(line=height_of(p.line), x0=0, x1=0, text=p.text) for p in pieces
                                 if page_of(p.line) == page), key=lambda p: p.line)
                  for level, pieces in labels.items()}
        # Level 2 first: a level-1 label spans whole level-2 spans.
        inner_here = label_spans(placed[2], on_page, continued=n > 0)
        outer += label_spans(placed[1], on_page, continued=n > 0, inner=frozenset(row.anchor for row, _ in inner_here))
        inner += inner_here
    # A label goes in the column of the level it was read at (成本指标 is either).
    at = {id(row): k for k, row in enumerate(rows)}
    for level, spans in ((1, outer), (2, inner)):
        column = columns.get(f"l{level}")
        for row, label in spans:
            cells = texts[at[id(row)]]
            if column is not None and not cells[column]:
                cells[column] = label
    return [header, *texts]


ROW_PADDING = 0.5  # lines: a cell's padding above and below its text, in all
RowShape = tuple[int, list[int], list[int], bool]  # a row's line, its pieces' lines above and below, odd


def _row_lines(ups: list[int], downs: list[int], odd: bool) -> int:
    """How many lines the row's tallest cell prints: its pieces around the anchor, and the anchor's
    line when that cell has a middle line there (odd)."""
    reach = max(len(ups), len(downs))
    return 1 if not reach else 2 * reach + odd


def _row_middles(rows: list[RowShape]) -> list[tuple[float, float]]:
    """Each row's middle and height on the page, in lines, the rows stacked from the first."""
    out: list[tuple[float, float]] = []
    bottom = 0.0
    for _line, ups, downs, odd in rows:
        tall = _row_lines(ups, downs, odd) + ROW_PADDING
        out.append((bottom + tall / 2, tall))
        bottom += tall
    return out


def _page_heights(rows: list[RowShape]) -> Callable[[float], float]:
    """Text line (counted) -> height on the page: each row's lines where its cells print them (one-line
    cells at its middle, a cell of 2k lines half a line either side of it, of 2k + 1 a line apart), a
    line between them (a label's own) in proportion."""
    known: dict[float, float] = {}
    for (line, ups, downs, odd), (middle, _tall) in zip(rows, _row_middles(rows), strict=True):
        step = 0.0 if odd else 0.5
        known[line] = middle
        for n, up in enumerate(sorted(ups, reverse=True)):
            known.setdefault(up, middle - (n + 1 - step))
        for n, down in enumerate(sorted(downs)):
            known.setdefault(down, middle + (n + 1 - step))
    points = sorted(known.items())

    def height(line: float) -> float:
        if line <= points[0][0]:
            return points[0][1] - (points[0][0] - line)
        if line >= points[-1][0]:
            return points[-1][1] + (line - points[-1][0])
        for (a, ya), (b, yb) in zip(points, points[1:], strict=False):
            if a <= line <= b:
                return ya + (yb - ya) * (line - a) / (b - a)
        return line

    return height


LABEL_LEAD = 2  # a line's label pieces come first: one of the level-1 column, one of the level-2 column
LABEL_PIECE_GAP = 3  # lines: a label's next piece is one line down, other cells' lines between at most two
LABEL_WIDTH_SLACK = 2  # display columns: `(40` / `分)` print narrower than two 汉字 of the same width
_LABEL_NAMES = frozenset({*LEVEL1, *LEVEL2_PARENT, *SUPER_LABELS})
_WEIGHT_PART = re.compile(r"[（(](?:\d+(?:\.\d*)?(?:分?[)）]|分)?)?")  # `(`, `(40`, `(40分`, `(40分)`
_WEIGHT_WHOLE = re.compile(r"[（(]\d+(?:\.\d+)?分?[)）]")

Chain = tuple[str, list[tuple[int, int]]]  # a label's text so far and its pieces (line, token index)


def _label_viable(text: str) -> bool:
    """Whether `text` begins a taxonomy label, or is one with the start of its weight (产出指标(40)."""
    return bool(text) and any(name.startswith(text) or (text.startswith(name) and _WEIGHT_PART.fullmatch(text[len(name):]))
               for name in _LABEL_NAMES)


def _label_complete(text: str) -> bool:
    return text in _LABEL_NAMES or any(text.startswith(name) and _WEIGHT_WHOLE.fullmatch(text[len(name):])
                                       for name in _LABEL_NAMES)


def _leading(tokens: list[str], i: int, used: set[tuple[int, int]]) -> list[int]:
    """The first tokens of a line not yet taken: where the hierarchy's columns print."""
    return [n for n in range(len(tokens)) if (i, n) not in used][:LABEL_LEAD]


def _follow_label(lines: list[list[str]], i: int, n: int, end: int, used: set[tuple[int, int]]) -> Chain | None:
    """A label wrapped in its narrow column (`满意` / `度指` / `标`, `产出` / `指标` / `(40` / `分)`): the
    pieces that continue it, each at the head of one of the next lines and no wider than the first
    (a full line of the column); the longest complete label they make, or None."""
    text, pieces = compact(lines[i][n]), [(i, n)]
    width = _width(text)
    best: Chain | None = (text, list(pieces)) if _label_complete(text) else None
    while True:
        taken = used | set(pieces)
        step = next(((j, m) for j in range(pieces[-1][0] + 1, min(pieces[-1][0] + 1 + LABEL_PIECE_GAP, end))
                     for m in _leading(lines[j], j, taken)
                     if compact(lines[j][m]) and _label_viable(text + compact(lines[j][m]))
                     and _width(compact(lines[j][m])) <= width + LABEL_WIDTH_SLACK), None)
        if step is None:
            return best
        text += compact(lines[step[0]][step[1]])
        pieces.append(step)
        if _label_complete(text):
            best = (text, list(pieces))


def _wrapped_labels(lines: list[list[str]], start: int, end: int) -> tuple[list[tuple[Label, str, float]], set[tuple[int, int]]]:
    """Labels whose pieces head lines of the table body, each at the middle line of its pieces, and
    the (line, token) pieces they took."""
    used: set[tuple[int, int]] = set()
    found: list[tuple[Label, str, float]] = []
    for i in range(start, end):
        for n in _leading(lines[i], i, used):
            if (i, n) in used or not _label_viable(compact(lines[i][n])):
                continue
            chain = _follow_label(lines, i, n, end, used)
            if chain is None or (label := read_label(chain[0])) is None:
                continue
            text, pieces = chain
            used.update(pieces)
            found.append((label, text, (pieces[0][0] + pieces[-1][0]) / 2))
    return found, used


def _cost_to_level1(labels: dict[int, list[Piece]]) -> None:
    """成本指标 reads as level 2 alone; in the newer template (经济/社会/生态环境成本指标 beneath it) it is
    a level-1 label, and its span holds theirs."""
    if not uses_cost_level1({read_label(p.text).canonical for p in labels[2] if read_label(p.text)}):
        return
    cost = [p for p in labels[2] if (label := read_label(p.text)) is not None and label.canonical == "成本指标"]
    labels[2] = [p for p in labels[2] if p not in cost]
    labels[1] = sorted([*labels[1], *cost], key=lambda p: p.line)


def _completed_label(lines: list[list[str]], i: int, token: str, end: int) -> tuple[Label | None, str, float] | None:
    """`服务对象满意度` / `指标` a line or two below: the label wrapped in its narrow cell."""
    if read_label(token + "指标") is None or token.endswith("指标"):
        return None
    for j in range(i + 1, min(i + 3, end)):
        if "指标" in lines[j]:
            label = read_label(token + "指标")
            return label, token + "指标", (i + j) / 2
    return None


def _label_line(lines: list[list[str]], i: int, token: str, end: int) -> float:
    """A label's line; one whose closing bracket wrapped (`产出指标(45分` / `)`) stands between its two."""
    if not _OPEN_LABEL.match(compact(token)):
        return float(i)
    closing = next((j for j in range(i + 1, min(i + 3, end)) if any(t in (")", "）", "分)", "分）") for t in lines[j])), None)
    return (i + closing) / 2 if closing is not None else float(i)


def _is_anchor(cells: list[str]) -> bool:
    """A row's own line: its 分值 and 得分, or a value beside a name."""
    return len(cells) >= 2 and _points_count(cells) >= 1


def _share_pieces(anchors: list[int], n: int) -> list[tuple[list[int], list[int]]]:
    """Which wrapped lines go with which anchor: the pieces between two anchors are cut once, the
    first ones to the row above, the rest to the row below, so that every row has about as many
    lines above its anchor as below (its cells are centred). A small dynamic programme over the gaps."""
    gaps = [list(range(a + 1, b)) for a, b in zip([-1, *anchors], [*anchors, n], strict=True)]
    # cut[g] = how many lines of gap g go to the anchor above it (gap 0: none, the last gap: all).
    options = [[0]] + [list(range(len(g) + 1)) for g in gaps[1:-1]] + [[len(gaps[-1])]] if len(gaps) > 1 else [[0]]
    best: dict[int, tuple[int, list[int]]] = {c: (0, [c]) for c in options[0]}
    for g in range(1, len(gaps)):
        nxt: dict[int, tuple[int, list[int]]] = {}
        for c in options[g]:
            for prev, (cost, path) in best.items():
                ups, downs = len(gaps[g - 1]) - prev, c
                total = cost + abs(ups - downs)
                if c not in nxt or total < nxt[c][0]:
                    nxt[c] = (total, [*path, c])
        best = nxt
    _cost, cuts = min(best.values())
    return [(gaps[i][cuts[i]:], gaps[i + 1][:cuts[i + 1]]) for i in range(len(anchors))]


Wrap = tuple[str, str, int]  # a wrapped cell: its part above the anchor, below it, the width of one full line


def _wrapped_cells(ups: list[list[str]], downs: list[list[str]], apart: frozenset[int] = frozenset(),
                   floating: list[int] | None = None) -> list[Wrap]:
    """Cells wrapped around the anchor, each as (the part above the anchor, the part below): the
    line just above pairs with the line just below, piece by piece, and lines further out wrap the
    same cells as the lines inside them (the tallest, longest ones when fewer), but for the rings
    (0 the innermost pair of lines) in `apart`, whose pieces are cells of their own. `floating`
    collects the cells a line further out added beside those inside it: where they stand among
    them no line tells (a cell of three lines, its middle on the anchor, beside cells of two)."""
    ups = [list(u) for u in ups]
    downs = [list(d) for d in downs]
    cells: list[Wrap] = []
    ring = -1
    while ups or downs:
        ring += 1
        up = ups.pop() if ups else []
        down = downs.pop(0) if downs else []
        inner = len(cells)
        if up and down and len(up) != len(down):  # no pairing: each line's pieces are cells of their own
            cells = _nest([(u, "", _width(u)) for u in up], cells) + [("", d, 0) for d in down]
        else:
            pairs = [(u, d, _width(u)) for u, d in zip(up, down, strict=True)] if up and down else \
                [(u, "", _width(u)) for u in up] + [("", d, 0) for d in down]
            cells = cells + pairs if ring in apart else _nest(pairs, cells)
        if floating is not None and inner:
            floating.extend(range(inner, len(cells)))
    return cells


SENTENCE_MARKS = re.compile(r"[，。；！？,;]")  # a note's or a goal's punctuation: no name or value holds it
MAX_APART_RINGS = 3  # rings tried apart from the cells inside them (2^3 ways at most)
SENTENCE_IN_NAME = 3.0  # as much as a name's whole fit: a sentence in the 三级指标 column is a note's piece
MAX_FLOATING = 2  # cells of a further ring tried in every place among those inside


def _wrapped_variants(ups: list[list[str]], downs: list[list[str]]) -> list[list[tuple[list[Wrap], int]]]:
    """The ways to nest the wrapped lines worth judging, in groups of (cells, the mask of those that
    must be a middle line's cell): as `_wrapped_cells` nests them, and with a cell a line further out
    added (its place among the inner ones unknown) in every place where it is the cell of three lines
    centred on an anchor cell; then, when a sentence is among them (a note of many lines beside a name
    of two), with outer rings standing as cells of their own (the note's lines around its middle on
    the anchor, not the name's)."""
    floating: list[int] = []
    base = _wrapped_cells(ups, downs, floating=floating)
    group = [(base, 0)]
    if 0 < len(floating) <= MAX_FLOATING:
        group += _moves(base, floating)
    groups = [group]
    rings = max(len(ups), len(downs))
    if rings < 2 or not any(SENTENCE_MARKS.search(t) for line in (*ups, *downs) for t in line):
        return groups
    outer = range(1, min(rings, MAX_APART_RINGS + 1))
    seen = [base]
    for mask in range(1, 1 << len(outer)):
        apart = frozenset(r for n, r in enumerate(outer) if mask >> n & 1)
        if (cells := _wrapped_cells(ups, downs, apart)) not in seen:
            seen.append(cells)
            groups.append([(cells, 0)])
    return groups


def _moves(cells: list[Wrap], floating: list[int]) -> list[tuple[list[Wrap], int]]:
    """The cells with the floating ones (indices) put in every other order-keeping place among the
    others, each with the mask of where they went."""
    fixed = [c for k, c in enumerate(cells) if k not in floating]
    free = [cells[k] for k in floating]
    n = len(cells)
    out = []
    for places in combinations(range(n), len(free)):
        if list(places) == floating:
            continue
        it_fixed, it_free = iter(fixed), iter(free)
        out.append(([next(it_free) if k in places else next(it_fixed) for k in range(n)],
                     sum(1 << k for k in places)))
    return out


def _indicator_score(cells: list[str], roles: list[str]) -> float:
    """A row's fit to the roles, less a sentence put in the name's column."""
    score, placed = align_texts(cells, roles)
    return score - SENTENCE_IN_NAME * sum(p is not None and roles[p] == "name" and bool(SENTENCE_MARKS.search(t))
                                          for t, p in zip(cells, placed, strict=True))


def _best_indicator_row(anchor: list[str], groups: list[list[list[Wrap]]], roles: list[str]) -> tuple[list[str], bool]:
    """The best row over the ways the wrapped lines nest: within a group each middle line taken
    counts (MIDDLE_JOIN), between groups the row's fit alone."""
    best: tuple[float, list[str], bool] | None = None
    for group in groups:
        inner: tuple[float, list[str], bool] | None = None
        for wrapped, must_join in group:
            cells, odd, score = _scored_row(anchor, wrapped, roles, _indicator_score, MIDDLE_JOIN, must_join)
            if inner is None or score > inner[0] + VARIANT_TIE:
                inner = (score, cells, odd)
        assert inner is not None
        score = _indicator_score(inner[1], roles)
        if best is None or score > best[0] + VARIANT_TIE:
            best = (score, inner[1], inner[2])
    assert best is not None
    return best[1], best[2]


VARIANT_TIE = 1e-9  # the usual nesting wins a tie


def _nest(outer: list[Wrap], inner: list[Wrap]) -> list[Wrap]:
    """Pieces from lines further out: when as many as the cells inside, each goes on its cell; else
    each goes on the cell whose full lines are as wide (a cell of four lines), or is a cell of its
    own (a cell of three lines, its middle on the anchor)."""
    if not inner:
        return outer
    if len(outer) == len(inner) and all(not o[2] or not i[2] or abs(o[2] - i[2]) <= WIDTH_SLACK
                                        for o, i in zip(outer, inner, strict=True)):
        return [(o[0] + i[0], i[1] + o[1], i[2]) for o, i in zip(outer, inner, strict=True)]
    inner = list(inner)
    extra: list[Wrap] = []
    for top, bottom, width in outer:
        same = [k for k, cell in enumerate(inner) if cell[2] and abs(cell[2] - width) <= WIDTH_SLACK]
        if not same:
            extra.append((top, bottom, width))
            continue
        k = max(same, key=lambda j: len(inner[j][0] + inner[j][1]))
        inner[k] = (top + inner[k][0], inner[k][1] + bottom, inner[k][2])
    return inner + extra


def _width(text: str) -> int:
    """Display columns: wide and full-width characters (汉字, `，`, `（`) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


JOIN_TIE = 0.01  # as good either way: a piece as wide as the cell's full lines is its middle line
# In an indicator row more than a tie, and more than a note's fit: the pieces above and below the
# anchor's first cell, as wide as the upper one, are the name of three lines centred on the row's line
# (人均培训 / 成本偏差 … / 率), not a note of two lines beside a name of one, which a note column of the
# very same width would need.
MIDDLE_JOIN = 1.0
WIDTH_SLACK = 1  # display columns: two full lines of one cell are as wide, give or take a half-width character


def _align_score(cells: list[str], roles: list[str]) -> float:
    return align_texts(cells, roles)[0]


def _best_row(anchor: list[str], wrapped: list[Wrap], roles: list[str],
              judge: Callable[[list[str], list[str]], float] = _align_score) -> tuple[list[str], bool]:
    """The anchor's cells with the wrapped ones put where the row aligns best with the roles. A
    wrapped cell may instead be the cell whose middle line the anchor holds: its upper part as wide
    as that anchor piece (both full lines of the cell)."""
    cells, odd, _score = _scored_row(anchor, wrapped, roles, judge, JOIN_TIE)
    return cells, odd


def _scored_row(anchor: list[str], wrapped: list[Wrap], roles: list[str],
                judge: Callable[[list[str], list[str]], float], join: float,
                must_join: int = 0) -> tuple[list[str], bool, float]:
    """_best_row, with its score (each middle line taken worth `join`); the wrapped cells in the mask
    `must_join` only around the anchor cell that is their middle line."""
    if not wrapped:
        return anchor, True, judge(anchor, roles)
    if len(wrapped) > MAX_WRAPPED and (judge in (_align_score, _indicator_score) or comb(len(anchor) + len(wrapped), len(wrapped)) > MAX_PLACEMENTS):
        head, tail = wrapped[: MAX_WRAPPED - 1], wrapped[MAX_WRAPPED - 1:]
        wrapped = [*head, ("".join(w[0] for w in tail), "".join(w[1] for w in tail), 0)]
        must_join &= (1 << (MAX_WRAPPED - 1)) - 1
    best, best_score, best_odd = [*anchor, *(w[0] + w[1] for w in wrapped)], float("-inf"), False
    for cells, odd, joins, joined in _candidate_rows(anchor, wrapped):
        if must_join & ~joined:
            continue
        score = judge(cells, roles) + JOIN_TIE * joins + (join - JOIN_TIE) * (joined & 1 << len(wrapped) > 0)
        if score > best_score:
            best, best_score, best_odd = cells, score, odd
    return best, best_odd, best_score


def _candidate_rows(anchor: list[str], wrapped: list[Wrap]) -> list[tuple[list[str], bool, int, int]]:
    """Every order-keeping way to place each wrapped cell: between anchor cells, or around the
    anchor cell that is its middle line; and whether the tallest cell took a middle line (an odd
    count of lines)."""
    out: list[tuple[list[str], bool, int]] = []
    tallest = max(range(len(wrapped)), key=lambda k: len(wrapped[k][0]) + len(wrapped[k][1]))

    def place(k: int, a: int, row: list[str], odd: bool, joins: int, joined: int = 0) -> None:
        if k == len(wrapped):
            out.append((row + anchor[a:], odd, joins, joined))
            return
        top, bottom, width = wrapped[k]
        for b in range(a, len(anchor) + 1):
            place(k + 1, b, row + anchor[a:b] + [top + bottom], odd, joins, joined)
            if b < len(anchor) and top and bottom and _is_middle(top, width, anchor[b]):
                # (bit len(wrapped): the row's first cell, its name, is one of three lines)
                place(k + 1, b + 1, row + anchor[a:b] + [top + anchor[b] + bottom], odd or k == tallest, joins + 1,
                      joined | 1 << k | (1 << len(wrapped) if not row and b == 0 and _WORDS.match(anchor[b]) else 0))

    place(0, 0, [], False, 0)
    return out


_WORDS = re.compile(r"^[\u4e00-\u9fff（）()、]+$")  # a name's middle line: words, no value's digits or signs


def _is_middle(top: str, width: int, piece: str) -> bool:
    return bool(_CJK.search(piece) and _CJK.search(top)) and fit_points(piece) <= 0 \
        and abs(width - _width(piece)) <= WIDTH_SLACK


def _lay_out(cells: list[str], roles: list[str], columns: dict[str, int], width: int) -> list[str]:
    _score, placed = align_texts(cells, roles)
    row = [""] * width
    for text, p in zip(cells, placed, strict=True):
        if p is None:
            continue
        column = columns[roles[p]]
        row[column] = f"{row[column]}{text}" if row[column] else text
    return row
