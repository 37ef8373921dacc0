"""Tables and text fragments of each page -> one Grid for the document.

Used by both PDF routes and the image route: a fragment is a PDF character or an OCR line piece;
a fragment belongs to the table cell holding its centre; fragments outside every table become
one-row text lines (title, year line, signatures) in reading order. Page numbers are dropped.
A table that lines up with the last table seen (the tail of a table on the next page) takes that
table's column numbers, found by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from extractor.form.vocabulary import is_meta_key
from extractor.grid import BBox, Cell, CellSource, Grid, WeakSpot, join_weak
from extractor.taxonomy import FUND_HEADER_ROLES, INDICATOR_HEADER_ROLES, header_role
from extractor.vision.segments import Table

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－]*(第\s*)?\d{1,4}\s*(页)?(\s*[/／共]\s*(共\s*)?\d{1,4}\s*页?)?[\s\-—–－]*$"
    r"|^\s*(page|p\.)\s*\d+(\s*(of|/)\s*\d+)?\s*$"
    # "- 17 -" through scanner noise: the dashes come back as dots or tildes, but on both sides.
    r"|^[\s.·~\-—–－]+\d{1,4}[\s.·~\-—–－]+$",
    re.IGNORECASE,
)


class PageGeometry(BaseModel):
    """Tolerances of reading tables across pages, as shares of a page or a row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column_tolerance: float = Field(0.015, description="share of the page width two column rules may differ by")
    page_foot: float = Field(
        0.8, description="a table ending below this share of the page height fills its page: its last row may "
        "go on overleaf even when both parts are closed by a rule (Word and LibreOffice draw one at the cut)")
    split_share: float = Field(
        0.5, description="a closed first row overleaf continues the row above when it fills at most this share "
        "of the columns the row above filled, all among them")


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str
    bbox: BBox
    confidence: float = 1.0
    weak: tuple[WeakSpot, ...] | None = None  # OCR: the characters the engine doubted (vision.scan)


@dataclass(slots=True)
class PageContent:
    """What one page holds, in the page's own units (PDF points or image pixels)."""

    page: int
    width: float
    height: float
    tables: list[Table]
    fragments: list[Fragment]
    source: CellSource
    scale: float = 1.0  # multiply boxes by this for the grid's unit (points per pixel for scans)


@dataclass(slots=True)
class _Item:
    top: float
    rows: int
    cells: list[tuple[int, int, int, int, str, BBox, float]] = field(default_factory=list)  # r, c, rs, cs, ...
    table: Table | None = None
    lines: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> text lines held
    weak: dict[tuple[int, int], tuple[WeakSpot, ...] | None] = field(default_factory=dict)  # (row, col) -> doubts


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def join_fragments(frags: list[Fragment]) -> tuple[str, float]:
    """Text of fragments in reading order: lines top to bottom, left to right within a line.

    Wrapped CJK lines join without a space; a space is kept only between two Latin words.
    """
    if not frags:
        return "", 1.0
    lines: list[list[Fragment]] = []
    top = bottom = 0.0  # extent of the last line, kept as it grows: one pass, not a rescan per fragment
    for f in sorted(frags, key=lambda f: (f.bbox[1] + f.bbox[3]) / 2):
        mid = (f.bbox[1] + f.bbox[3]) / 2
        if lines and top <= mid <= bottom:
            lines[-1].append(f)
            top, bottom = min(top, f.bbox[1]), max(bottom, f.bbox[3])
            continue
        lines.append([f])
        top, bottom = f.bbox[1], f.bbox[3]
    pieces: list[tuple[str, bool]] = []
    for line in lines:
        line.sort(key=lambda f: f.bbox[0])
        parts: list[tuple[str, bool]] = []
        for prev, f in zip([None, *line[:-1]], line, strict=True):
            height = f.bbox[3] - f.bbox[1]
            gap = f.bbox[0] - prev.bbox[2] if prev is not None else 0.0
            parts.append((f.text, gap > 0.3 * height))
        pieces.append((_glue_all(parts), True))
    text = _glue_all(pieces, letters_only=True)
    return text.strip(), min(f.confidence for f in frags)


def weak_spots(frags: list[Fragment]) -> tuple[WeakSpot, ...] | None:
    """The fragments' doubted places, top to bottom; None when no fragment was scored by character."""
    if all(f.weak is None for f in frags):
        return None
    return tuple(w for f in sorted(frags, key=lambda f: (f.bbox[1], f.bbox[0])) for w in f.weak or ())


def count_lines(frags: list[Fragment]) -> int:
    """Text lines the fragments make (a fragment whose middle is inside the last line joins it)."""
    bottoms: list[tuple[float, float]] = []
    for f in sorted(frags, key=lambda f: (f.bbox[1] + f.bbox[3]) / 2):
        mid = (f.bbox[1] + f.bbox[3]) / 2
        if bottoms and bottoms[-1][0] <= mid <= bottoms[-1][1]:
            bottoms[-1] = (bottoms[-1][0], max(bottoms[-1][1], f.bbox[3]))
        else:
            bottoms.append((f.bbox[1], f.bbox[3]))
    return len(bottoms)


def _glue(left: str, right: str, spaced: bool, letters_only: bool = False) -> str:
    """Join two pieces; a space only between Latin words (a number wrapped over lines stays whole)."""
    if not left or not right:
        return left + right
    if left[-1] == " " or right[0] == " ":
        return left + right
    kind = str.isalpha if letters_only else str.isalnum
    if spaced and left[-1].isascii() and kind(left[-1]) and right[0].isascii() and kind(right[0]):
        return left + " " + right
    return left + right


def _glue_all(parts: list[tuple[str, bool]], letters_only: bool = False) -> str:
    """`_glue` over a sequence of (piece, spaced) in one join: linear, where repeated `_glue` copied the
    growing text for every piece (quadratic on a line of 200 000 characters)."""
    out: list[str] = []
    last = ""
    for right, spaced in parts:
        if not right:
            continue
        if last and _glue(last, right[0], spaced, letters_only) != last + right[0]:
            out.append(" ")
        out.append(right)
        last = right[-1]
    return "".join(out)


def _inside(bbox: BBox, box: BBox) -> bool:
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def page_items(content: PageContent) -> list[_Item]:
    """Tables with their cell texts and the text lines around them, top to bottom."""
    items: list[_Item] = []
    loose = list(content.fragments)
    for table in content.tables:
        item = _Item(top=table.ys[0], rows=len(table.ys) - 1, table=table)
        mine = [f for f in loose if _inside(f.bbox, table.bbox)]
        ids = {id(f) for f in mine}
        loose = [f for f in loose if id(f) not in ids]
        for cell in table.cells:
            held = [f for f in mine if _inside(f.bbox, cell.bbox)]
            text, conf = join_fragments(held)
            item.lines[cell.row, cell.col] = count_lines(held)
            item.weak[cell.row, cell.col] = weak_spots(held)
            item.cells.append((cell.row, cell.col, cell.rowspan, cell.colspan, text, cell.bbox, conf))
        items.append(item)
    for line in _text_lines(loose):
        text, conf = join_fragments(line)
        bbox = (min(f.bbox[0] for f in line), min(f.bbox[1] for f in line),
                max(f.bbox[2] for f in line), max(f.bbox[3] for f in line))
        margin = 0.12 * content.height
        if is_page_number(text) and (bbox[1] < margin or bbox[3] > content.height - margin):
            continue
        if text:
            items.append(_Item(top=bbox[1], rows=1, cells=[(0, 0, 1, 1, text, bbox, conf)],
                               weak={(0, 0): weak_spots(line)}))
    items.sort(key=lambda it: it.top)
    return items


def _text_lines(frags: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into lines; a wide gap (three line heights) starts a new cell of its own."""
    lines: list[list[Fragment]] = []
    top = bottom = 0.0  # extent of the current line, kept as it grows (no rescan: linear, not quadratic)
    for f in sorted(frags, key=lambda f: (f.bbox[1] + f.bbox[3]) / 2):
        mid = (f.bbox[1] + f.bbox[3]) / 2
        if lines and top <= mid <= bottom:
            lines[-1].append(f)
            top, bottom = min(top, f.bbox[1]), max(bottom, f.bbox[3])
        else:
            lines.append([f])
            top, bottom = f.bbox[1], f.bbox[3]
    out: list[list[Fragment]] = []
    for line in lines:
        line.sort(key=lambda f: f.bbox[0])
        height = max(f.bbox[3] - f.bbox[1] for f in line)
        group = [line[0]]
        for f in line[1:]:
            if f.bbox[0] - group[-1].bbox[2] > 3 * height:
                out.append(group)
                group = []
            group.append(f)
        out.append(group)
    return out


def _column_map(xs: list[float], frame: list[float], tol: float) -> list[int] | None:
    """Index in `frame` of every x in `xs`, or None when the two tables do not line up."""
    out: list[int] = []
    for x in xs:
        best = min(range(len(frame)), key=lambda i: abs(frame[i] - x))
        if abs(frame[best] - x) > tol:
            return None
        out.append(best)
    if out[0] != 0 or out[-1] != len(frame) - 1 or out != sorted(set(out)):
        return None
    return out


_NUMBER_CELL = re.compile(r"^[-+]?\d[\d,.]*%?$")


def is_cut_row(upper: dict[int, tuple[str, int]], lower: dict[int, tuple[str, int]]) -> bool:
    """Whether two table rows at either side of an unruled page break are one row cut in two.

    Both map a column to (text, lines). Two whole rows of a table each fill their short cells
    (分值, 得分, a one-line name) with a line of their own; a row cut in two leaves every short
    value on one side, so at most one column holds a one-line text on both sides.
    """
    both = [c for c in upper if c in lower and upper[c][0] and lower[c][0]]
    return sum(upper[c][1] == 1 and lower[c][1] == 1 for c in both) < 2


def is_split_row(upper: dict[int, tuple[str, int]], lower: dict[int, tuple[str, int]], share: float) -> bool:
    """Whether a row closed by rules at a page's foot goes on in the closed first row overleaf (a word
    processor splits a tall row and rules both parts). The lower part holds only what overflowed:
    a few of the columns the upper part filled and nothing elsewhere; a whole next row fills its own
    short cells (分值, 得分) or columns the upper part left empty."""
    filled_up = {c for c, (text, _) in upper.items() if text}
    filled_low = {c for c, (text, _) in lower.items() if text}
    if len(filled_up) < 3 or not filled_low or not filled_low <= filled_up:
        return False
    # A number (分值, 得分, a rate) fits on its cell's first line, so it is never overflow: a lower part
    # that leaves every number column of the upper part empty is what its wrapped texts left over, however
    # many of them wrapped (Word splits a row of two-character lines in most of its columns).
    numbers = {c for c, (text, _) in upper.items() if _NUMBER_CELL.match(compact_text(text))}
    return len(filled_low) <= share * len(filled_up) or (len(numbers) >= 2 and not numbers & filled_low)


def pages_to_grid(pages: list[PageContent], geometry: PageGeometry | None = None) -> Grid:
    """One grid for the document: rows numbered across pages, continuation tables aligned.

    A table whose column rules all fall on those of the last table seen (outer edges included) takes
    that table's column numbers: the tail of a table on the next page, a lone 总分 row, or the next form
    of the same template (where the numbering is the same anyway). Positions compare in grid units, so
    a text-layer page (points) and an OCRed page (pixels) of one PDF line up too. A row cut in two by
    a page break (the table ends its page with no bottom rule and goes on at the top of the next with
    no top rule) is joined back into one row; so is a row a word processor split and ruled at both
    parts, when its table fills the page and the part overleaf holds only overflow (is_split_row).
    """
    geometry = geometry or PageGeometry()
    grid = Grid(pages=max((p.page for p in pages), default=1))
    row = 0
    frame: list[float] | None = None  # column lines, in grid units, of the last table that set them
    cut: dict[int, int] = {}  # grid index -> text lines, of the cells of a row left open at a page's foot
    cut_closed = False  # that row has a rule under it (the page was full)
    head: tuple[str, ...] = ()  # texts of the first row of the table that set the frame
    for content in pages:
        s = content.scale
        tol = geometry.column_tolerance * content.width * s
        items = page_items(content)
        for n, item in enumerate(items):
            cols = None
            joined = False
            if item.table is not None:
                xs = [x * s for x in item.table.xs]
                cols = _column_map(xs, frame, tol) if frame is not None else None
                if cols is None:
                    frame = xs
                    cols = list(range(len(xs)))
                    head = _first_row(item)
                elif n == 0 and item.rows > 1 and head and _first_row(item) == head and _is_header_row(head):
                    _drop_first_row(item)  # a header row the word processor repeats on every page
                if n == 0 and cut and (item.table.open_top or cut_closed) \
                        and _renumber_cut(grid, cut, xs, cols, tol):
                    upper = {grid.cells[i].col: (grid.cells[i].text, k) for i, k in cut.items()}
                    lower = {cols[c]: (text, item.lines.get((r, c), 0))
                             for r, c, rs, _cs, text, _b, _f in item.cells if r == 0 and rs == 1}
                    if item.table.open_top and not cut_closed:
                        joined = is_cut_row(upper, lower)
                    else:  # every cell of the first row counts here, merged ones too
                        first = {cols[c]: (text, 0) for r, c, _rs, _cs, text, _b, _f in item.cells if r == 0}
                        joined = is_split_row(upper, first, geometry.split_share)
            base = row - 1 if joined else row
            added = len(grid.cells)
            for r, c, rs, cs, text, bbox, conf in item.cells:
                col, colspan = (cols[c], cols[c + cs] - cols[c]) if cols is not None else (c, cs)
                cell = Cell(page=content.page, row=base + r, col=col, text=text, rowspan=rs, colspan=colspan,
                            bbox=(bbox[0] * s, bbox[1] * s, bbox[2] * s, bbox[3] * s),
                            confidence=round(conf, 4), source=content.source, weak=item.weak.get((r, c)))
                if joined and r == 0:
                    join_cut_cell(grid, cell)
                else:
                    grid.add(cell)
            row = base + item.rows
            cut = {}
            full = item.table is not None and item.table.ys[-1] >= geometry.page_foot * content.height
            if n == len(items) - 1 and item.table is not None and (item.table.open_bottom or full):
                cut_closed = not item.table.open_bottom
                last = row - 1
                lines = {(base + r, cols[c] if cols is not None else c): k for (r, c), k in item.lines.items()}
                cut = {i: lines.get((c.row, c.col), 0) for i, c in enumerate(grid.cells[added:], start=added)
                       if c.row == last and c.rowspan == 1}
    return grid


def _is_header_row(texts: tuple[str, ...]) -> bool:
    """A row a word processor repeats: column headers (分值, 年度指标值…) or the table's key row (项目名称),
    not a data row that happens to open two pages alike."""
    return any(is_meta_key(t) for t in texts) or sum(
        header_role(t, INDICATOR_HEADER_ROLES) is not None or header_role(t, FUND_HEADER_ROLES) is not None
        for t in texts if t) >= 2


def _first_row(item: _Item) -> tuple[str, ...]:
    return tuple(compact_text(text) for r, _c, _rs, _cs, text, _b, _f in sorted(item.cells, key=lambda t: t[1])
                 if r == 0)


def compact_text(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _drop_first_row(item: _Item) -> None:
    """Leave out a table's first row (cells starting below it move up one row)."""
    item.cells = [(r - 1, c, rs, cs, text, b, f) for r, c, rs, cs, text, b, f in item.cells if r > 0]
    item.lines = {(r - 1, c): k for (r, c), k in item.lines.items() if r > 0}
    item.weak = {(r - 1, c): k for (r, c), k in item.weak.items() if r > 0}
    item.rows -= 1


def _renumber_cut(grid: Grid, cut: dict[int, int], xs: list[float], cols: list[int], tol: float) -> bool:
    """Number the cut row's cells by the lower part's columns (found by position); False when the
    two parts' column rules do not line up."""
    renumbered: dict[int, Cell] = {}
    for i in cut:
        c = grid.cells[i]
        if c.bbox is None:
            return False
        ends = []
        for x in (c.bbox[0], c.bbox[2]):
            k = min(range(len(xs)), key=lambda j: abs(xs[j] - x))
            if abs(xs[k] - x) > tol:
                return False
            ends.append(cols[k])
        renumbered[i] = Cell(page=c.page, row=c.row, col=ends[0], text=c.text, rowspan=c.rowspan,
                             colspan=max(1, ends[1] - ends[0]), bbox=c.bbox, confidence=c.confidence,
                             source=c.source, weak=c.weak)
    for i, c in renumbered.items():
        grid.cells[i] = c
    return True


def join_cut_cell(grid: Grid, cell: Cell) -> None:
    """Put the lower part of a cell cut by a page break together with its upper part in the grid.

    The upper part is the cell of the same column that covers the cut row. The joined text reads on
    from the upper part. A lower part that also spans rows below the cut keeps them as its own cell,
    as any merged cell cut at a page break does.
    """
    i, upper = next(((i, c) for i, c in enumerate(grid.cells)
                     if c.col == cell.col and c.row <= cell.row < c.row + c.rowspan), (-1, None))
    if upper is None:
        grid.add(cell)
        return
    if cell.rowspan == 1 or upper.rowspan == 1:
        text = _glue(upper.text, cell.text, spaced=True, letters_only=True)
        keep, rowspan = (upper, upper.rowspan) if cell.rowspan == 1 else (cell, cell.rowspan)
        grid.cells[i] = Cell(page=keep.page, row=upper.row if keep is upper else cell.row, col=keep.col, text=text,
                             rowspan=rowspan, colspan=keep.colspan, bbox=keep.bbox,
                             confidence=min(upper.confidence, cell.confidence), source=keep.source,
                             weak=join_weak(upper.weak, cell.weak))
        return
    grid.add(Cell(page=cell.page, row=cell.row + 1, col=cell.col, text=cell.text, rowspan=cell.rowspan - 1,
                  colspan=cell.colspan, bbox=cell.bbox, confidence=cell.confidence, source=cell.source,
                  weak=cell.weak))
