"""The one intermediate every route produces: a grid of cells with spans, boxes and provenance.

Text dumps give cells without boxes; HTML gives spans; PDFs and scans give both, plus the OCR
confidence. Everything after this module reads only a `Grid`, never the input it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from models import Issue

CellSource = Literal["text", "html", "pdf-text", "ocr", "xlsx", "docx"]
BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in page units (pixels for scans)


@dataclass(frozen=True, slots=True)
class WeakSpot:
    """A place in an OCR cell's text the engine was unsure of: a character it read at a low
    probability (`char`), or ink it gave no character for (`char` empty: a punctuation mark lost
    between `before` and `after`, or after the line's end)."""

    before: str
    char: str
    after: str
    probability: float  # the character's; 0 for ink left unread
    twice: bool = False  # `before` is a piece overlapping the one read before it: the same ink read twice


def join_weak(a: tuple[WeakSpot, ...] | None, b: tuple[WeakSpot, ...] | None) -> tuple[WeakSpot, ...] | None:
    """The weak spots of two pieces of text joined; None only when neither piece was scored."""
    return None if a is None and b is None else (a or ()) + (b or ())


@dataclass(slots=True, eq=False, init=False)  # not frozen: built by the thousand per document; treat as immutable
class Cell:
    page: int  # 1-based
    row: int  # 0-based, counted over the whole document so pages follow one another
    col: int  # 0-based
    text: str
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox | None = None
    confidence: float = 1.0
    source: CellSource = "text"
    # OCR: the characters (and unread ink) the engine doubted; None when it told no character's score.
    weak: tuple[WeakSpot, ...] | None = None
    # Computed once: every stage asks it of every cell.
    is_empty: bool = field(init=False, repr=False, compare=False)

    # Written out (the dataclass's own would call a __post_init__ for is_empty: a call more per cell).
    def __init__(self, page: int, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1,
                 bbox: BBox | None = None, confidence: float = 1.0, source: CellSource = "text",
                 weak: tuple[WeakSpot, ...] | None = None) -> None:
        self.page = page
        self.row = row
        self.col = col
        self.text = text
        self.rowspan = rowspan
        self.colspan = colspan
        self.bbox = bbox
        self.confidence = confidence
        self.source = source
        self.weak = weak
        self.is_empty = not text.strip()


@dataclass(slots=True)
class Grid:
    """Cells of one document in reading order. Rows may differ in length (text dumps do)."""

    cells: list[Cell] = field(default_factory=list)
    pages: int = 1
    # Issues a reader found while building the rows, by the row (index) of the form they concern:
    # what it could not place (the block-order reader says so here).
    issues: dict[int, list[Issue]] = field(default_factory=dict)

    def add(self, cell: Cell) -> None:
        self.cells.append(cell)

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)


@dataclass(slots=True)
class Row:
    """One row of the grid as the reconciler sees it: its printed cells in column order.

    Empty cells are left out (each cell knows its column). A cell spanning several rows appears
    in each row it covers (a merged 一级指标 label belongs to every row beside it); a cell spanning
    several columns appears once, in its first column. `page_break_before` marks the first row of
    a new page.
    """

    index: int
    page: int
    cells: list[Cell]
    page_break_before: bool = False
    width: int = 0  # columns the row spans on paper, empty ones included
    # Columns covered by an EMPTY cell merged over several rows: a block whose label is printed
    # elsewhere (a merged cell cut by a page break keeps its text in one part only).
    blank_spans: tuple[int, ...] = ()
    _words: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def words(self) -> tuple[str, ...]:
        """The printed cells as compact text (NFKC, no whitespace), for matching form words."""
        if self._words is None:
            from extractor.normalize import compact  # the grid does not depend on text rules at import

            self._words = tuple([compact(c.text) for c in self.cells])
        return self._words

    @property
    def texts(self) -> list[str]:
        """Cell texts column by column, "" where a cell is empty."""
        dense = [""] * max(self.width, max((c.col + 1 for c in self.cells), default=0))
        for cell in self.cells:
            dense[cell.col] = cell.text
        return dense

    def is_blank(self) -> bool:
        return not self.cells


def grid_to_rows(grid: Grid) -> list[Row]:
    """Expand row spans into the rows they cover; rows keep their printed cells in column order."""
    rows = _rows_in_order(grid.cells)
    return rows if rows is not None else _rows_regrouped(grid.cells)


def _rows_regrouped(cells: list[Cell]) -> list[Row]:
    """Any grid: cells grouped by row, merged cells repeated in each row they cover."""
    by_row: dict[int, dict[int, Cell]] = {}
    widths: dict[int, int] = {}
    blank: dict[int, list[int]] = {}
    for cell in cells:
        first = cell.row
        end = cell.col + cell.colspan
        if widths.get(first, 0) < end:
            widths[first] = end
        if not cell.is_empty:
            placed = by_row.get(first)
            if placed is None:
                placed = by_row[first] = {}
            placed[cell.col] = cell
        elif cell.rowspan > 1:
            blank.setdefault(first, []).append(cell.col)
        if cell.rowspan == 1:
            continue  # most cells: no rows below to cover
        for r in range(first + 1, first + cell.rowspan):  # rows a merged cell covers below its first
            if widths.get(r, 0) < cell.col + 1:
                widths[r] = cell.col + 1
            if not cell.is_empty:
                by_row.setdefault(r, {})[cell.col] = cell
            else:
                blank.setdefault(r, []).append(cell.col)
    rows: list[Row] = []
    last_page = None
    for r in sorted(widths):
        placed = by_row.get(r)
        if placed:
            cells = [placed[c] for c in sorted(placed)]
            page = min([cell.page for cell in cells])
        else:
            page, cells = last_page or 1, []
        spans = blank.get(r)
        rows.append(Row(r, page, cells, last_page is not None and page != last_page, widths[r],
                        tuple(sorted(spans)) if spans else ()))
        last_page = page
    return rows


def _rows_in_order(cells: list[Cell]) -> list[Row] | None:
    """grid_to_rows in one pass for a grid without row spans whose cells come row by row, columns
    rising (every text dump's): the same rows, no regrouping. None for any other grid."""
    rows: list[Row] = []
    last_page: int | None = None
    current: int | None = None
    placed: list[Cell] = []
    page = width = 0
    last_col = -1
    for cell in cells:
        if cell.rowspan != 1:
            return None
        r, col = cell.row, cell.col
        if r != current:
            if current is not None:
                if r < current:
                    return None
                if not placed:
                    page = last_page or 1
                rows.append(Row(current, page, placed, last_page is not None and page != last_page, width))
                last_page = page
            current, placed, width = r, [], 0
        elif col <= last_col:
            return None
        last_col = col
        if col + cell.colspan > width:
            width = col + cell.colspan
        if not cell.is_empty:
            if not placed or cell.page < page:
                page = cell.page
            placed.append(cell)
    if current is not None:
        if not placed:
            page = last_page or 1
        rows.append(Row(current, page, placed, last_page is not None and page != last_page, width))
    return rows


def rows_from_texts(rows: Iterable[tuple[int, list[str]]], *, source: CellSource = "text") -> Grid:
    """Build a grid from (page, cell texts) rows, one cell per column, no spans."""
    cells: list[Cell] = []
    pages = 1
    for r, (page, texts) in enumerate(rows):
        pages = max(pages, page)
        # Positional arguments: a few hundred nanoseconds less per cell, over thousands of cells.
        cells += [Cell(page, r, c, text, 1, 1, None, 1.0, source)
                  for c, text in enumerate(texts) if text and not text.isspace()]
    return Grid(cells=cells, pages=pages)


def iter_nonempty(cells: Iterable[Cell]) -> Iterator[Cell]:
    return (c for c in cells if not c.is_empty)
