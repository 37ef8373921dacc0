"""Text laid out by position (`pdftotext -layout` and its kind) -> table rows.

A PDF-to-text tool that keeps the layout prints each visual line of the page with its words at
their x positions. A table cell whose text wraps then spreads over several visual lines: a
vertically centred cell puts its pieces above and below the line that holds the row's one-line
cells (the row's anchor), a top-aligned one below it. Merged labels (一级/二级指标, 项目资金) sit at
the middle (or top) of the rows they span, on lines of their own or beside another row's values.

The rows come back from the page's geometry and the form's grammar, never from one template:
    lines_to_pieces -> regions (by the form's header rows) -> anchors (lines with a row's values)
    -> pieces_to_rows (a wrapped piece joins the cell it overlaps, in the nearest row)
    -> label_spans (a merged label heads the rows whose middle it marks; inner levels first)
Character columns are only roughly physical (CJK text is narrower in columns than on paper, and
later words of a crowded line are pushed or pulled), so x is used for overlap and order, never for
exact column edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.form.vocabulary import (
    FUND_BLOCK_LABELS,
    FUND_ROWS,
    GOAL_LABELS,
    HEADER_WORDS,
    INDICATOR_TOTAL_WORDS,
    META_KEYS,
    TITLE,
    is_goal_header,
    is_meta_key,
)
from extractor.normalize import compact, is_page_number, looks_numeric
from extractor.streams import starts_form_word
from extractor.taxonomy import (
    FUND_HEADER_ROLES,
    INDICATOR_HEADER_ROLES,
    fund_row_key,
    header_role,
    read_label,
)

_GAP = re.compile(r"\S+(?: \S+)*")  # words with single spaces between them: one run of a line
_CJK = r"\u3400-\u9fff\uff01-\uff5e\u3000-\u303f"
_CELL_SPACE = re.compile(rf"(?<=[{_CJK})）])\s(?=[{_CJK}\d<>=≥≤≧≦$])|(?<=[\d%.,])\s(?=[\d+-])|(?<=[(（%\d])\s(?=[{_CJK}])"
                         rf"|(?<=\$)\s(?=[{_CJK}\d$])"  # `$\geq 12场$ 12场`: a closed formula ends its cell
                         rf"|(?<=[(（][A-Za-z])\s(?=[{_CJK}])")  # `全年预算数(A 全年执行数`: a header's letter, wrapped
_ANNOTATION = re.compile(r"^(?:[(（]?[A-Za-z/+\-*×]{1,4}[)）]?|[)）])$")  # (A), /A), or a bracket's `)` alone
_CLOSED = re.compile(r"(?:指标|标|[)）])$")  # a label piece that ends its label


@dataclass
class Piece:
    """One cell's text on one visual line, at character columns x0..x1."""

    line: float  # a wrapped label's pieces joined: the middle of its lines
    x0: int
    x1: int
    text: str
    parts: list[tuple[float, str]] = field(default_factory=list)  # a cell's lines joined: (line, text)


@dataclass
class Row:
    anchor: int  # the visual line of the row's one-line cells
    cells: list[Piece] = field(default_factory=list)
    top: float = 0.0  # the first and last visual lines the row's cells take
    bottom: float = 0.0
    labels: list[str] = field(default_factory=list)  # merged labels this row heads, left to right


def line_to_pieces(line: str, index: int) -> list[Piece]:
    """Runs of text at 2+ spaces apart; a single space between two CJK words (or two numbers) parts
    two cells that a crowded line pushed together (CJK text never spaces its own words)."""
    pieces: list[Piece] = []
    for run in _GAP.finditer(line):
        start = run.start()
        for part in _split_crowded(run.group()):
            offset = run.group().find(part, start - run.start())
            x0 = run.start() + offset
            pieces.append(Piece(index, x0, x0 + len(part), part))
            start = x0 + len(part)
    return pieces


def _split_crowded(run: str) -> list[str]:
    parts: list[str] = []
    pos = 0
    for m in _CELL_SPACE.finditer(run):
        head = run[pos:m.start()]
        # Never inside $…$ or (…), unless the bracket does not close on this line: `项目资金 ( 政拨款`,
        # `满意度指标(1 服务对象满意` are a wrapped label's first line, then the next cell.
        unclosed = not any(c in run[m.end():] for c in ")）")
        if head.count("$") % 2 == 0 and (_balanced(head) or unclosed):
            parts.append(head)
            pos = m.end()
    parts.append(run[pos:])
    return [p for p in parts if p]


def _balanced(text: str) -> bool:
    return text.count("(") + text.count("（") <= text.count(")") + text.count("）")


_VALUE = re.compile(r"^[<>=≥≤≧≦﹦]*[-+]?\d[\d,，.]*(?:万元|万|亿元|元|%|分)?$")


def _is_number(text: str) -> bool:
    """A number as a cell prints it: 95.32%, 1,146.71万, 10."""
    t = compact(text)
    return bool(_VALUE.match(t)) or looks_numeric(t)


def _header_kind(pieces: list[Piece]) -> str | None:
    """Which of the form's header rows a line is: the indicator table's, the funds', the goals'."""
    texts = [compact(p.text) for p in pieces]
    if sum(header_role(t, INDICATOR_HEADER_ROLES) is not None for t in texts) >= 3:
        return "indicators"
    if sum(header_role(t, FUND_HEADER_ROLES) is not None for t in texts) >= 2:
        return "funds"
    if any(is_goal_header(t) for t in texts) and not any(_is_number(t) for t in texts):
        return "goals"
    return None


def _is_anchor(pieces: list[Piece], kind: str | None) -> bool:
    if kind is not None:
        return True
    if pieces and (is_meta_key(compact(pieces[0].text)) or fund_row_key(pieces[0].text) is not None):
        return True  # a key row, a fund row (maybe empty: 其他资金 alone)
    return len(pieces) >= 2 and any(_is_number(p.text) for p in pieces)


def layout_rows(text: str) -> list[tuple[int, list[str]]]:
    """Every page's rows as (page, cell texts): pages are parted by form feeds; a table goes on
    from one page to the next."""
    rows: list[tuple[int, list[str]]] = []
    region: str | None = None
    for page, page_text in enumerate(text.split("\f"), start=1):
        cells, region = page_to_rows(page_text.split("\n"), region)
        rows.extend((page, c) for c in cells)
    return rows


def page_to_rows(lines: list[str], region_before: str | None = None) -> tuple[list[list[str]], str | None]:
    """One page's rows, and the block the page ends in."""
    pieces = [[] if is_page_number(line.strip()) else line_to_pieces(line, i) for i, line in enumerate(lines)]
    _drop_page_footer(pieces)
    _join_stacked_words(pieces)
    kinds = [_header_kind(p) for p in pieces]
    region, band_of = _regions(kinds, pieces, region_before)
    labels = _take_labels(pieces, kinds, region)
    candidates = [bool(p) and kinds[i] != "band" and _is_anchor(p, kinds[i]) and (region[i] != "goals" or bool(kinds[i]))
                  for i, p in enumerate(pieces)]
    points = [_has_points(p) for p in pieces]  # the lines holding a row's 分值/得分
    anchors = [i for i, c in enumerate(candidates)
               if c and not _is_wrap_line(i, pieces, candidates, kinds, points=points if region[i] == "indicators" else None)
               and not (region[i] == "indicators" and _is_target_line(i, points, candidates, kinds))]
    anchors = _centre_mirrored(anchors, pieces, kinds)
    goal_lines = [i for i, r in enumerate(region) if r == "goals" and kinds[i] is None and pieces[i]]
    _part_goal_texts(pieces, goal_lines)
    rows = _pieces_to_rows(pieces, anchors, region, goal_lines, band_of)
    # Inner levels first (an outer label spans whole inner spans); labels are put on rows left to right.
    inner: dict[range, frozenset[int]] = {}
    placed: list[list[tuple[Row, str]]] = []
    for block, span, column in reversed(labels):
        body = [r for r in rows if r.anchor in span and region[r.anchor] == block and kinds[r.anchor] is None]
        # On a page that goes on with a table, the first rows may still be under the last page's labels.
        spans = label_spans(column, body, continued=region_before == block and span.start == 0,
                            inner=inner.get(span, frozenset()))
        if spans:
            inner[span] = frozenset(row.anchor for row, _ in spans)
        placed.append(spans)
    for spans in reversed(placed):
        for row, label in spans:
            row.labels.append(label)
    by_line = {row.anchor: row for row in rows}
    # Where the funds' row labels end: a funds header printed right of it has an empty cell above them.
    label_ends = [min(r.cells, key=lambda p: p.x0).x1 for r in rows
                  if r.cells and region[r.anchor] == "funds" and kinds[r.anchor] is None]
    out: list[list[str]] = []
    for i in sorted(by_line):
        row = by_line[i]
        cells = [*row.labels, *(p.text for p in sorted(row.cells, key=lambda p: p.x0))]
        if kinds[i] == "funds" and row.cells and label_ends and min(p.x0 for p in row.cells) >= min(label_ends):
            cells = ["", *cells]
        if cells:
            out.append(cells)
    return out, next((r for r in reversed(region) if r is not None), region_before)


_GOAL_EDGE_SLACK = 4  # characters: how far a crowded line's one space may stand from the column's edge
_GOAL_COLUMN_GAP = 10  # characters: a line starting this far right of the leftmost starts in the second column


def _part_goal_texts(pieces: list[list[Piece]], goal_lines: list[int]) -> None:
    """The two goal texts side by side: a crowded line runs the first into the second with one space
    (`…；2. 全年完成情况：…`). The second column starts where the lines' other pieces start right of
    the first ones; a piece across that edge parts at its space nearest to it."""
    if len(goal_lines) < 2:
        return
    lefts = sorted({line[0].x0 for i in goal_lines if (line := pieces[i])})
    starts = [p.x0 for i in goal_lines for p in pieces[i][1:]] + [x for x in lefts if x > lefts[0] + _GOAL_COLUMN_GAP]
    if not starts:
        return
    edge = min(starts)
    for i in goal_lines:
        for k, p in enumerate(pieces[i]):
            if p.x0 >= edge or p.x1 <= edge:
                continue
            spaces = [m.start() for m in re.finditer(" ", p.text)
                      if abs(p.x0 + m.start() + 1 - edge) <= _GOAL_EDGE_SLACK]
            if not spaces:
                continue
            cut = min(spaces, key=lambda at: abs(p.x0 + at + 1 - edge))
            head, tail = p.text[:cut], p.text[cut + 1:]
            pieces[i][k:k + 1] = [Piece(p.line, p.x0, p.x0 + cut, head), Piece(p.line, p.x0 + cut + 1, p.x1, tail)]
            break


def _drop_page_footer(pieces: list[list[Piece]]) -> None:
    """A page's last line, a bare number after a blank line, is its page number (`2`), not a cell."""
    filled = [i for i, line in enumerate(pieces) if line]
    if len(filled) >= 2:
        last = filled[-1]
        line = pieces[last]
        if len(line) == 1 and re.fullmatch(r"\d{1,4}", line[0].text) and not pieces[last - 1] and filled[-2] < last - 1:
            pieces[last] = []


def _join_stacked_words(pieces: list[list[Piece]]) -> None:
    """A narrow key cell wraps its word two characters a line (`项目` / `名称`, `年度资金总` / `额`),
    its value on the line between: join the pieces into the word, on the middle line."""
    for i, line in enumerate(pieces):
        for p in list(line):
            if len(compact(p.text)) > 6 or _is_key_word(p.text):
                continue
            for step in (1, 2):
                below = [q for q in pieces[i + step] if _overlap(p, q) > 0] if i + step < len(pieces) else []
                if len(below) == 1 and len(compact(below[0].text)) <= 6 and _is_key_word(p.text + below[0].text):
                    q = below[0]
                    home = i + 1 if step == 2 else i
                    line.remove(p)
                    pieces[i + step].remove(q)
                    joined = Piece(home, min(p.x0, q.x0), max(p.x1, q.x1), p.text + q.text)
                    pieces[home].append(joined)
                    pieces[home].sort(key=lambda piece: piece.x0)
                    break


def _is_key_word(text: str) -> bool:
    """项目名称, 主管部门, 年度资金总额, 上年结转资金: a key or row label exactly (a value merely mentions one)."""
    t = compact(text)
    return (is_meta_key(t) and (len(t) <= 6 or t.rstrip(":：") in META_KEYS)) or any(t == w or t == "其中" + w for _, words in FUND_ROWS for w in words)


def _centre_mirrored(anchors: list[int], pieces: list[list[Piece]], kinds: list[str | None]) -> list[int]:
    """Two lines that hold pieces in the same columns, with a line between whose pieces are in other
    columns, are one row's wrapped tops and bottoms (`其中：本年财 46,734,893.5` / `—` / `政拨款 3`):
    the row's anchor is the line between them."""
    out = set(anchors)
    for i in anchors:
        j, mid = i + 2, i + 1
        if j not in out or mid >= len(pieces) or not pieces[mid] or kinds[i] or kinds[j] or kinds[mid]:
            continue
        top, bottom, middle = pieces[i], pieces[j], pieces[mid]
        paired = all(any(_overlap(a, b) > 0 for a in top) for b in bottom) and \
            all(any(_overlap(a, b) > 0 for b in bottom) for a in top)
        apart = not any(_overlap(m, o) > 0 for m in middle for o in (*top, *bottom))
        if paired and apart:
            out -= {i, j}
            out.add(mid)
    return sorted(out)


def _is_wrap_line(i: int, pieces: list[list[Piece]], candidates: list[bool], kinds: list[str | None],
                  *, points: list[bool] | None = None) -> bool:
    """A line of a 3-line row's top or bottom pieces (`其中:当年财   6253.4` over `7019.19万 6381.08万 —`):
    a fuller neighbour holds cells in the columns this line leaves empty, and none in its own. In the
    indicator table (`points`: which lines hold 分值/得分) the line with the row's points is its own line,
    whatever its neighbours."""
    if kinds[i] is not None:
        return False
    mine = points is not None and points[i]
    for j in (i - 1, i + 1):
        if 0 <= j < len(pieces) and candidates[j] and kinds[j] is None and len(pieces[j]) > len(pieces[i]) \
                and not any(_overlap(a, b) > 0 for a in pieces[i] for b in pieces[j]) \
                and not (mine and points is not None and not points[j]):
            return True
    return False


_POINTS = re.compile(r"^\d{1,3}(?:\.\d+)?分?$")


def _has_points(line: list[Piece]) -> bool:
    return any(_POINTS.match(compact(p.text)) for p in line)


def _is_target_line(i: int, points: list[bool], candidates: list[bool], kinds: list[str | None]) -> bool:
    """An indicator row's upper or lower line holding a wrapped name and a target (`≤300万` over `元`):
    a neighbour holds the row's 分值/得分 (`points`), printed once on the row's own line; this one holds none."""
    if kinds[i] is not None or points[i]:
        return False
    return any(0 <= j < len(points) and candidates[j] and kinds[j] is None and points[j] for j in (i - 1, i + 1))


def _regions(kinds: list[str | None], pieces: list[list[Piece]],
             region_before: str | None) -> tuple[list[str | None], dict[int, int]]:
    """Each line's block: from a header row until the next; the indicator table ends a line after its
    total row (whose numbers may wrap). A header row wrapped over lines is one row: its fullest line
    is its anchor, the lines of header words above and below it are its band (line -> anchor)."""
    band_of: dict[int, int] = {}
    for i, kind in enumerate(kinds):
        if kind in ("funds", "indicators"):
            same = [j for j in range(i, min(i + 3, len(kinds))) if kinds[j] == kind]
            fullest = max(same, key=lambda j: len(pieces[j]))
            for step in (-1, 1):
                j = fullest + step
                while 0 <= j < len(kinds) and abs(j - fullest) <= 2 and pieces[j] and (
                        kinds[j] == kind or (kinds[j] in (None, "goals") and all(_is_header_part(p.text) for p in pieces[j]))):
                    band_of[j] = fullest
                    kinds[j] = "band"
                    j += step
    region: list[str | None] = []
    current = region_before if region_before != "after" else None
    total_at: int | None = None
    for i, (kind, line) in enumerate(zip(kinds, pieces, strict=True)):
        if line and is_meta_key(compact(line[0].text)) and kind is None:
            current = "meta"  # a new form's key rows
        if kind == "band":
            kind = kinds[band_of[i]]
        if kind is not None:
            if current != kind:
                total_at = None
            current = kind
        elif current == "indicators" and line and compact(line[0].text).startswith(INDICATOR_TOTAL_WORDS):
            total_at = i
        if total_at is not None and i >= total_at + 2 and current == "indicators":
            current = "after"
        region.append(current)
    return region, band_of


def _is_header_part(text: str) -> bool:
    t = re.sub(r"[(（][^)）]*$", "", compact(text))  # 执行率(B/A: its bracket closes on the next line
    if _ANNOTATION.match(t):
        return True  # (A), (B), /A): a header's formula letters, wrapped under it
    return bool(t) and (header_role(t, INDICATOR_HEADER_ROLES) is not None or header_role(t, FUND_HEADER_ROLES) is not None
                        or starts_form_word(t) or any(w.endswith(t) for w in HEADER_WORDS))


def _take_labels(pieces: list[list[Piece]], kinds: list[str | None],
                 region: list[str | None]) -> list[tuple[str, range, list[Piece]]]:
    """Remove the merged labels left of each block's rows; return them by block (its lines) and
    column, left to right. A page may end one form's table and hold the next's: each is its own block.

    A block's columns are the runs of pieces that start at about one x; the leftmost ones whose
    texts (wrapped pieces joined) are labels of the taxonomy are label columns, and the first column
    that is not ends them. Centred labels of one level start at different x (经济成本指标 two
    characters left of 数量指标): label columns of the same level are one column."""
    columns: list[tuple[str, range, list[Piece]]] = []
    for block, span in _block_runs(region):
        lines = [i for i in span if kinds[i] is None and pieces[i]]
        column_of: dict[int, int] = {}  # piece id -> merged label column
        levels: list[int | None] = []
        # 总分 under the last labels (printed in their column) is the total row's own cell, never a label.
        loose = [p for i in lines for p in pieces[i] if not compact(p.text).startswith(INDICATOR_TOTAL_WORDS)]
        for cluster in _x_clusters(loose):
            stacks = _join_wrapped(cluster) if cluster else []
            if not stacks or sum(_is_label(p.text) for p in stacks) * 2 < len(stacks):
                break
            level = _level_of(stacks)
            if level is None or level not in levels:
                levels.append(level)
            index = levels.index(level) if level is not None else len(levels) - 1
            column_of.update((id(p), index) for p in cluster)
        found: list[list[Piece]] = [[] for _ in levels]
        for i in lines:
            while pieces[i] and id(pieces[i][0]) in column_of:
                piece = pieces[i].pop(0)
                found[column_of[id(piece)]].append(piece)
        columns.extend((block, span, _join_wrapped(column)) for column in found if column)
    return columns


def _block_runs(region: list[str | None]) -> list[tuple[str, range]]:
    """The runs of consecutive lines in one labelled block (funds, goals, indicators)."""
    runs: list[tuple[str, range]] = []
    start = 0
    for i in range(1, len(region) + 1):
        if i == len(region) or region[i] != region[start]:
            if region[start] in ("funds", "goals", "indicators"):
                runs.append((region[start], range(start, i)))
            start = i
    return runs


def _level_of(stacks: list[Piece]) -> int | None:
    """The taxonomy level most of a column's labels have (0 for 绩效指标), None when none is known."""
    levels = [label.level for p in stacks if (label := read_label(p.text)) is not None]
    return max(set(levels), key=levels.count) if levels else None


def _x_clusters(found: list[Piece]) -> list[list[Piece]]:
    """Pieces by column, left to right: x0 within a few characters of the last one's, and starting
    inside the column's text (a narrow 绩效 / 指标 column ends just before its neighbour begins)."""
    columns: list[list[Piece]] = []
    for piece in sorted(found, key=lambda p: p.x0):
        if columns and piece.x0 - columns[-1][-1].x0 <= 3 and piece.x0 < max(p.x1 for p in columns[-1]):
            columns[-1].append(piece)
        else:
            columns.append([piece])
    return columns


def _is_label(text: str) -> bool:
    """A merged label's text: a taxonomy label, 绩效指标, 项目资金(万元), 年度总体目标."""
    t = compact(text)
    if compact(t).startswith(INDICATOR_TOTAL_WORDS) or fund_row_key(t) is not None:
        return False
    return read_label(t) is not None or t == "绩效指标" or t.startswith(FUND_BLOCK_LABELS) or t.startswith(GOAL_LABELS)


def _join_wrapped(column: list[Piece]) -> list[Piece]:
    """One column's label pieces, top to bottom, a label wrapped over lines joined into one."""
    labels: list[Piece] = []
    for piece in sorted(column, key=lambda p: p.line):
        last = labels[-1] if labels else None
        if last is not None and piece.line - last.line <= 2 and not _CLOSED.search(compact(last.text)):
            labels[-1] = Piece((last.line + piece.line) / 2, min(last.x0, piece.x0), max(last.x1, piece.x1),
                               last.text + piece.text)
        else:
            labels.append(piece)
    return labels


def _pieces_to_rows(pieces: list[list[Piece]], anchors: list[int], region: list[str | None],
                    goal_lines: list[int], band_of: dict[int, int]) -> list[Row]:
    """Each anchor line is a row; every other piece joins the nearest row (within its block), in the
    cell it overlaps, or as a cell of its own there (a wrapped cell with nothing on the anchor line)."""
    rows = {i: Row(anchor=i, cells=[_copy(p) for p in pieces[i]], top=i, bottom=i)
            for i in anchors}
    if goal_lines:  # the goals block: one row of wrapped texts, whatever lines they take
        first = goal_lines[0]
        rows[first] = Row(anchor=first, top=first, bottom=first)
        for i in goal_lines:
            for piece in pieces[i]:
                _join(rows[first], piece)
    order = sorted(rows)
    hosts = _run_anchors(pieces, set(anchors), set(goal_lines))
    for i, line in enumerate(pieces):
        if not line or i in rows or i in goal_lines:
            continue
        if i in band_of and band_of[i] in rows:
            for piece in line:
                _join(rows[band_of[i]], piece)
            continue
        if region[i] in (None, "after") or TITLE.search(compact(" ".join(p.text for p in line))):
            rows[i] = Row(anchor=i, cells=[_copy(p) for p in line], top=i, bottom=i)
            order = sorted(rows)  # a title, a note under the table: a row alone
            continue
        for piece in line:
            inside = hosts.get(id(piece))
            target = _nearest_row(piece, inside or order, pieces, region)
            if target is None:
                rows.setdefault(i, Row(anchor=i, top=i, bottom=i))
                _join(rows[i], piece)
            else:
                _join(rows[target], piece)
        order = sorted(rows)
    return list(rows.values())


def _run_anchors(pieces: list[list[Piece]], anchors: set[int], skip: set[int]) -> dict[int, list[int]]:
    """A tall cell (a note over seven lines) is one run of pieces, one column, line after line, that may
    step over a line with nothing in its column (its row's anchor, a label's `)` printed apart): its
    pieces belong to an anchor whose own piece is in the run, or that the run steps over, never to the
    row the top piece happens to be nearest. Returns, per loose piece (by id), the anchors of its run."""
    parent: dict[int, int] = {}

    def root(k: int) -> int:
        while parent.setdefault(k, k) != k:
            k = parent[k]
        return k

    nodes = [(i, p) for i, line in enumerate(pieces) if i not in skip for p in line]
    by_line: dict[int, list[Piece]] = {}
    for i, p in nodes:
        by_line.setdefault(i, []).append(p)
    for i, p in nodes:
        for step in (1, 2):
            if step == 2 and any(_overlap(p, q) > 0 for q in by_line.get(i + 1, [])):
                break
            for q in by_line.get(i + step, []):
                if _overlap(p, q) > 0 and not (i in anchors and i + step in anchors):
                    parent[root(id(q))] = root(id(p))
    spans: dict[int, tuple[int, int]] = {}
    for i, p in nodes:
        lo, hi = spans.get(root(id(p)), (i, i))
        spans[root(id(p))] = (min(lo, i), max(hi, i))
    out: dict[int, list[int]] = {}
    for i, p in nodes:
        if i in anchors:
            continue
        lo, hi = spans[root(id(p))]
        inside = [a for a in anchors if lo <= a <= hi]
        if inside:
            out[id(p)] = sorted(inside)
    return out


def _copy(piece: Piece) -> Piece:
    return Piece(piece.line, piece.x0, piece.x1, piece.text, list(piece.parts))


def _nearest_row(piece: Piece, order: list[int], pieces: list[list[Piece]], region: list[str | None]) -> int | None:
    """The row a wrapped piece belongs to: the nearest one in its block. Between two rows at the same
    distance, the one whose cell is centred on this line (its piece mirrored on the other side)."""
    i = int(piece.line)
    before = max((a for a in order if a < i), default=None)
    after = min((a for a in order if a > i), default=None)
    candidates = [a for a in (before, after) if a is not None and abs(a - i) <= 6 and region[a] == region[i]]
    if not candidates:
        return None
    if len(candidates) == 2 and abs(candidates[0] - i) == abs(candidates[1] - i):
        mirrored = [a for a in candidates
                    if 0 <= 2 * a - i < len(pieces) and any(_overlap(p, piece) > 0 for p in pieces[2 * a - i])]
        if len(mirrored) == 1:
            return mirrored[0]
        # Both rows have a piece on the far side: the row whose own line leaves this column empty is
        # the one whose two-line cell straddles it.
        empty = [a for a in candidates if not any(_overlap(p, piece) > 0 for p in pieces[a])]
        return empty[0] if len(empty) == 1 else candidates[0]  # else a top-aligned cell goes on
    return min(candidates, key=lambda a: abs(a - i))


def _join(row: Row, piece: Piece) -> None:
    row.top, row.bottom = min(row.top, piece.line), max(row.bottom, piece.line)
    host = max(row.cells, key=lambda c: _overlap(c, piece), default=None)
    if host is None or _overlap(host, piece) <= 0:
        row.cells.append(_copy(piece))
        return
    # Lines join in page order, whichever order they arrive in (two lines above a tall cell's anchor).
    host.parts = sorted([*(host.parts or [(host.line, host.text)]), (piece.line, piece.text)], key=lambda lt: lt[0])
    host.text = "".join(text for _, text in host.parts)
    host.x0, host.x1 = min(host.x0, piece.x0), max(host.x1, piece.x1)
    if piece.line > host.line:
        host.line = piece.line


def _overlap(a: Piece, b: Piece) -> int:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def label_spans(column: list[Piece], rows: list[Row], *, continued: bool = False,
                inner: frozenset[int] = frozenset()) -> list[tuple[Row, str]]:
    """A merged label heads the rows it spans. The spans cover the block's rows in order, one per
    label; a centred label marks its span's middle, a top-aligned one its first line. The partition
    is the one whose spans sit best on their labels (a small dynamic programme, not a greedy walk,
    so that one label a line off does not shift every span after it). An outer level's span is a
    union of the inner level's: `inner` holds the anchors of the inner spans' first rows, and a span that starts
    elsewhere costs as much as a label a line off. Returns each label with the first row it heads."""
    body = sorted((r for r in rows if r.cells), key=lambda r: r.anchor)
    totals = [k for k, r in enumerate(body) if compact(min(r.cells, key=lambda c: c.x0).text).startswith(INDICATOR_TOTAL_WORDS)]
    body = body[:totals[0]] if totals else body  # the total row is no indicator: no label spans it
    if not body or not column or len(column) > len(body):
        return []
    n = len(body)
    # Row edges: half-way between one row's last line and the next row's first.
    cuts = [body[0].top - 0.5] + [(body[j].bottom + body[j + 1].top) / 2 for j in range(n - 1)] + [body[-1].bottom + 0.5]
    firsts = frozenset(k for k, r in enumerate(body) if r.anchor in inner)
    spans = min((_best_spans(column, cuts, centred, continued, firsts) for centred in (True, False)),
                key=lambda found: found[0])[1]
    return [(body[first], label.text) for label, first in zip(column, spans, strict=True)]


_SKIP_COST = 0.25  # per row left to the previous page's label: cheaper than a label a line off
_UNNESTED_COST = 1.0  # an outer span that cuts through an inner one: as bad as a label a line off


def _best_spans(column: list[Piece], cuts: list[float], centred: bool, continued: bool,
                inner: frozenset[int] = frozenset()) -> tuple[float, list[int]]:
    """The spans' first rows and their cost: centred labels mark their span's middle, top-aligned
    ones its first line. Whichever fits the labels better is how the table was printed."""
    n, k = len(cuts) - 1, len(column)

    def cost(label: Piece, first: int, last: int) -> float:
        mark = (cuts[first] + cuts[last + 1]) / 2 if centred else cuts[first] + 0.5
        unnested = _UNNESTED_COST if inner and first not in inner else 0.0  # inner: first rows' indices
        return abs(mark - label.line) + unnested

    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(k + 1)]  # best[j][e]: labels < j cover rows < e
    back = [[0] * (n + 1) for _ in range(k + 1)]
    for b in range(n + 1 if continued else 1):
        best[0][b] = b * _SKIP_COST
    for j in range(1, k + 1):
        for e in range(j, n + 1):
            for b in range(j - 1, e):
                c = best[j - 1][b] + cost(column[j - 1], b, e - 1)
                if c < best[j][e]:
                    best[j][e], back[j][e] = c, b
    if best[k][n] == inf:
        return inf, []
    firsts: list[int] = []
    e = n
    for j in range(k, 0, -1):
        e = back[j][e]
        firsts.append(e)
    return best[k][n], firsts[::-1]
