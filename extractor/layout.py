"""Text laid out by position (`pdftotext -layout` and its kind) -> table rows.

A PDF-to-text tool that keeps the layout prints each visual line of the page with its words at
their x positions. A table cell whose text wraps then spreads over several visual lines: a
vertically centred cell puts its pieces above and below the line that holds the row's one-line
cells (the row's anchor), a top-aligned one below it. Merged labels (一级/二级指标, 项目资金) sit at
the middle (or top) of the rows they span, on lines of their own or beside another row's values.

The rows come back from the page's geometry and the form's grammar, never from one template:
    lines_to_pieces -> regions (by the form's header rows) -> anchors (lines with a row's values)
    -> pieces_to_rows (a wrapped piece joins the cell it overlaps, in the nearest row)
    -> labels_to_spans (a merged label heads the rows whose middle it marks)
Character columns are only roughly physical (CJK text is narrower in columns than on paper, and
later words of a crowded line are pushed or pulled), so x is used for overlap and order, never for
exact column edges.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractor.form.vocabulary import (
    FUND_BLOCK_LABELS,
    INDICATOR_TOTAL_WORDS,
    TITLE,
    is_goal_header,
    is_meta_key,
)
from extractor.normalize import compact, is_page_number, looks_numeric
from extractor.streams import starts_form_word
from extractor.taxonomy import FUND_HEADER_ROLES, INDICATOR_HEADER_ROLES, header_role, read_label

_GAP = re.compile(r"\S+(?: \S+)*")  # words with single spaces between them: one run of a line
_CJK = r"\u3400-\u9fff\uff01-\uff5e\u3000-\u303f"
_CELL_SPACE = re.compile(rf"(?<=[{_CJK}])\s(?=[{_CJK}\d])|(?<=[\d%])\s(?=[\d+-])|(?<=[(（])\s(?=[{_CJK}])")
_CLOSED = re.compile(r"(?:指标|标|[)）])$")  # a label piece that ends its label


@dataclass
class Piece:
    """One cell's text on one visual line, at character columns x0..x1."""

    line: float  # a wrapped label's pieces joined: the middle of its lines
    x0: int
    x1: int
    text: str


@dataclass
class Row:
    anchor: int  # the visual line of the row's one-line cells
    cells: list[Piece] = field(default_factory=list)
    parts: list[Piece] = field(default_factory=list)  # every piece as printed, on its own line
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
        opened = head.endswith(("(", "（"))  # `项目资金 ( 政拨款`: a wrapped label's bracket, then a cell
        if head.count("$") % 2 == 0 and (_balanced(head) or opened):  # never inside $…$ or (…)
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
    if pieces and is_meta_key(compact(pieces[0].text)):
        return True
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
    kinds = [_header_kind(p) for p in pieces]
    region = _regions(kinds, pieces, region_before)
    labels = _take_labels(pieces, kinds, region)
    candidates = [bool(p) and kinds[i] != "band" and _is_anchor(p, kinds[i]) and (region[i] != "goals" or bool(kinds[i]))
                  for i, p in enumerate(pieces)]
    anchors = [i for i, c in enumerate(candidates) if c and not _is_wrap_line(i, pieces, candidates, kinds)]
    goal_lines = [i for i, r in enumerate(region) if r == "goals" and kinds[i] is None and pieces[i]]
    rows = _pieces_to_rows(pieces, anchors, region, goal_lines)
    for block, column in labels:
        _labels_to_spans(column, [r for r in rows if region[r.anchor] == block and kinds[r.anchor] is None])
    by_line = {row.anchor: row for row in rows}
    out: list[list[str]] = []
    for i in sorted(by_line):
        row = by_line[i]
        cells = [*row.labels, *(_cell_text(p) for p in sorted(row.cells, key=lambda p: p.x0))]
        if cells:
            out.append(cells)
    return out, next((r for r in reversed(region) if r is not None), region_before)


def _is_wrap_line(i: int, pieces: list[list[Piece]], candidates: list[bool], kinds: list[str | None]) -> bool:
    """A line of a 3-line row's top or bottom pieces (`其中:当年财   6253.4` over `7019.19万 6381.08万 —`):
    a fuller neighbour holds cells in the columns this line leaves empty, and none in its own."""
    if kinds[i] is not None:
        return False
    for j in (i - 1, i + 1):
        if 0 <= j < len(pieces) and candidates[j] and kinds[j] is None and len(pieces[j]) > len(pieces[i]) \
                and not any(_overlap(a, b) > 0 for a in pieces[i] for b in pieces[j]):
            return True
    return False


def _regions(kinds: list[str | None], pieces: list[list[Piece]], region_before: str | None) -> list[str | None]:
    """Each line's block: from a header row (and the wrapped header words just above it) until the
    next; the indicator table ends a line after its total row (whose numbers may wrap)."""
    for i, kind in enumerate(kinds):  # a header row wrapped over lines: its fullest line is its anchor
        if kind in ("funds", "indicators"):
            same = [j for j in range(i, min(i + 3, len(kinds))) if kinds[j] == kind]
            fullest = max(same, key=lambda j: len(pieces[j]))
            for j in same:
                if j != fullest:
                    kinds[j] = None
    region: list[str | None] = []
    current = region_before if region_before != "after" else None
    total_at: int | None = None
    for i, (kind, line) in enumerate(zip(kinds, pieces, strict=True)):
        if line and is_meta_key(compact(line[0].text)) and kind is None:
            current = "meta"  # a new form's key rows
        if kind is not None:
            current = kind
            for j in (i - 1, i - 2):
                if j >= 0 and kinds[j] in (None, "goals") and pieces[j] and all(_is_header_part(p.text) for p in pieces[j]):
                    region[j] = kind
                    kinds[j] = "band"
                else:
                    break
        elif current == "indicators" and line and compact(line[0].text).startswith(INDICATOR_TOTAL_WORDS):
            total_at = i
        if total_at is not None and i >= total_at + 2 and current == "indicators":
            current = "after"
        region.append(current)
    return region


def _is_header_part(text: str) -> bool:
    t = re.sub(r"[(（][^)）]*$", "", compact(text))  # 执行率(B/A: its bracket closes on the next line
    return bool(t) and (header_role(t, INDICATOR_HEADER_ROLES) is not None or header_role(t, FUND_HEADER_ROLES) is not None
                        or starts_form_word(t))


def _take_labels(pieces: list[list[Piece]], kinds: list[str | None],
                 region: list[str | None]) -> list[tuple[str, list[Piece]]]:
    """Remove the merged labels left of a block's first cells; return them by column, left to right.

    A block's rows start at one x (their first own cell); what lies wholly left of it is a label."""
    columns: list[tuple[str, list[Piece]]] = []
    for block in ("funds", "goals", "indicators"):
        lines = [i for i, r in enumerate(region) if r == block and kinds[i] is None and pieces[i]]
        firsts = [_first_own(pieces[i]) for i in lines if any(_is_number(p.text) for p in pieces[i])]
        starts = Counter(p.x0 for p in firsts if p is not None and not _is_number(p.text))
        if not starts:
            continue
        # Rows start at one x (a few characters either way, centred names further right): the
        # leftmost x that several rows share. Wrapped names leave a row's first cell further right.
        edge = min((x for x, n in starts.items() if n >= 2), default=starts.most_common(1)[0][0])
        found: list[Piece] = []
        for i in lines:
            while pieces[i] and pieces[i][0].x1 <= edge and pieces[i][0].x0 < edge - 1 \
                    and not compact(pieces[i][0].text).startswith(INDICATOR_TOTAL_WORDS):
                found.append(pieces[i].pop(0))
        columns.extend((block, column) for column in _label_columns(found))
    return columns


def _first_own(line: list[Piece]) -> Piece | None:
    """The first piece of a line that is no label: where a block's rows start."""
    for piece in line:
        if compact(piece.text).startswith(INDICATOR_TOTAL_WORDS):
            return piece
        if read_label(piece.text) is None and compact(piece.text) not in ("绩效指标", *FUND_BLOCK_LABELS) \
                and not compact(piece.text).startswith(FUND_BLOCK_LABELS):
            return piece if len(line) >= 2 else None
    return None


def _label_columns(found: list[Piece]) -> list[list[Piece]]:
    """Label pieces by column (x0 within a few characters of each other), wrapped pieces joined."""
    columns: list[list[Piece]] = []
    for piece in sorted(found, key=lambda p: p.x0):
        if columns and piece.x0 - columns[-1][-1].x0 <= 3:
            columns[-1].append(piece)
        else:
            columns.append([piece])
    joined: list[list[Piece]] = []
    for column in columns:
        labels: list[Piece] = []
        for piece in sorted(column, key=lambda p: p.line):
            last = labels[-1] if labels else None
            if last is not None and piece.line - last.line <= 2 and not _CLOSED.search(compact(last.text)):
                labels[-1] = Piece((last.line + piece.line) / 2, min(last.x0, piece.x0), max(last.x1, piece.x1),
                                   last.text + piece.text)
            else:
                labels.append(piece)
        joined.append(labels)
    return joined


def _pieces_to_rows(pieces: list[list[Piece]], anchors: list[int], region: list[str | None],
                    goal_lines: list[int]) -> list[Row]:
    """Each anchor line is a row; every other piece joins the nearest row (within its block), in the
    cell it overlaps, or as a cell of its own there (a wrapped cell with nothing on the anchor line)."""
    rows = {i: Row(anchor=i, cells=[_copy(p) for p in pieces[i]], parts=list(pieces[i]), top=i, bottom=i)
            for i in anchors}
    if goal_lines:  # the goals block: one row of wrapped texts, whatever lines they take
        first = goal_lines[0]
        rows[first] = Row(anchor=first, top=first, bottom=first)
        for i in goal_lines:
            for piece in pieces[i]:
                _join(rows[first], piece)
    order = sorted(rows)
    for i, line in enumerate(pieces):
        if not line or i in rows or i in goal_lines:
            continue
        if region[i] in (None, "after") or TITLE.search(compact(" ".join(p.text for p in line))):
            rows[i] = Row(anchor=i, cells=[_copy(p) for p in line], parts=list(line), top=i, bottom=i)
            order = sorted(rows)  # a title, a note under the table: a row alone
            continue
        for piece in line:
            target = _nearest_row(piece, order, pieces, region)
            if target is None:
                rows.setdefault(i, Row(anchor=i, top=i, bottom=i))
                _join(rows[i], piece)
            else:
                _join(rows[target], piece)
        order = sorted(rows)
    return list(rows.values())


def _copy(piece: Piece) -> Piece:
    return Piece(piece.line, piece.x0, piece.x1, piece.text)


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
        return mirrored[0] if len(mirrored) == 1 else candidates[0]  # else a top-aligned cell goes on
    return min(candidates, key=lambda a: abs(a - i))


def _join(row: Row, piece: Piece) -> None:
    row.top, row.bottom = min(row.top, piece.line), max(row.bottom, piece.line)
    row.parts.append(piece)
    host = max(row.cells, key=lambda c: _overlap(c, piece), default=None)
    if host is None or _overlap(host, piece) <= 0:
        row.cells.append(_copy(piece))
    elif piece.line > host.line:
        host.text, host.x1, host.line = host.text + piece.text, max(host.x1, piece.x1), piece.line
    else:
        host.text, host.x0 = piece.text + host.text, min(host.x0, piece.x0)


def _overlap(a: Piece, b: Piece) -> int:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _labels_to_spans(column: list[Piece], rows: list[Row]) -> None:
    """A merged label heads the rows it spans. Centred labels mark their span's middle: each span ends
    where its label's line is the middle of the span; top-aligned labels stand at their first row."""
    span_rows = sorted((r for r in rows if r.cells), key=lambda r: r.anchor)
    if not span_rows or not column:
        return
    centred = column[0].line > span_rows[0].anchor + 0.5
    start = 0
    for k, piece in enumerate(column):
        candidates = [j for j in range(start, len(span_rows))
                      if k + 1 >= len(column) or span_rows[j].anchor < column[k + 1].line]
        if not candidates:
            break
        if centred:
            top = span_rows[start].top
            end = min(candidates, key=lambda j: abs((top + span_rows[j].bottom) / 2 - piece.line))
            head = start
        else:
            head = min(candidates, key=lambda j: abs(span_rows[j].anchor - piece.line))
            end = max(candidates)
        span_rows[head].labels.append(piece.text)
        start = end + 1
        if start >= len(span_rows):
            break


def _cell_text(piece: Piece) -> str:
    return piece.text
