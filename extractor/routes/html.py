"""HTML tables (Word/Excel "save as HTML", PP-Structure output) -> Grid with real spans.

Each <table> is laid out on its own occupancy map so rowspan/colspan land in the right columns;
a document of several tables (one per page, as OCR tools emit them) gets one page per table, so
a table continuing on the next page reads as a page break. Text outside tables (a title in <h1>,
a footnote in <p>) becomes a one-cell row in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from extractor.decode import decode_issues, decode_text
from extractor.errors import TOO_MANY_GRID_SLOTS, LimitExceeded
from extractor.grid import Cell, Grid
from extractor.options import ExtractOptions
from extractor.routes import RouteOutput

MAX_ROWSPAN = 500  # a hostile rowspan=1000000 must not allocate a million rows
MAX_COLSPAN = 60
MAX_CELLS = 200_000
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption", "title"}
_SKIP = {"script", "style", "head"}


def read_html(data: bytes, options: ExtractOptions) -> RouteOutput:
    decoded = decode_text(data, max_repaired_fraction=options.max_repaired_fraction)
    grid = html_to_grid(decoded.text, max_slots=options.max_grid_slots)
    return RouteOutput(grid=grid, route="html", pages=grid.pages, issues=decode_issues(decoded))


@dataclass
class _RawCell:
    text: list[str] = field(default_factory=list)
    rowspan: int = 1
    colspan: int = 1


@dataclass
class _Table:
    rows: list[list[_RawCell]] = field(default_factory=list)


class _Collector(HTMLParser):
    """Collects tables (rows of raw cells) and loose text blocks, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[_Table | str] = []
        self._tables: list[_Table] = []  # open tables, innermost last
        self._cell: _RawCell | None = None
        self._cell_depth = 0
        self._loose: list[str] = []
        self._skip = 0
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "table":
            if self._tables and self._cell is not None:
                self._cell_depth += 1  # a table inside a cell: its text joins the cell
                return
            self._flush_loose()
            self._tables.append(_Table())
        elif tag == "tr" and self._tables and not self._cell_depth:
            self._tables[-1].rows.append([])
        elif tag in ("td", "th") and self._tables and not self._cell_depth:
            if not self._tables[-1].rows:
                self._tables[-1].rows.append([])
            spans = dict(attrs)
            self._cell = _RawCell(rowspan=_span(spans.get("rowspan"), MAX_ROWSPAN),
                                  colspan=_span(spans.get("colspan"), MAX_COLSPAN))
            self._tables[-1].rows[-1].append(self._cell)
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise LimitExceeded(f"the HTML holds more than {MAX_CELLS:,} table cells", code="too_many_cells")
        elif tag in ("br", "p", "div") and self._cell is not None:
            self._cell.text.append("\n")
        elif tag in _BLOCKS or tag == "br":
            self._flush_loose()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "table":
            if self._cell_depth:
                self._cell_depth -= 1
            elif self._tables:
                self._cell = None
                self.items.append(self._tables.pop())
        elif tag in ("td", "th") and not self._cell_depth:
            self._cell = None
        elif tag in _BLOCKS:
            self._flush_loose()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.text.append(data)
        elif not self._tables:
            self._loose.append(data)

    def close(self) -> None:
        super().close()
        self._flush_loose()
        while self._tables:  # unclosed tables still count
            self.items.append(self._tables.pop(0))

    def _flush_loose(self) -> None:
        text = "".join(self._loose).strip()
        self._loose = []
        if text:
            self.items.append(text)


def _span(value: str | None, limit: int) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), limit))
    except ValueError:
        return 1


def html_to_grid(text: str, max_slots: int = ExtractOptions.model_fields["max_grid_slots"].default) -> Grid:
    """Every table laid out on its occupancy map; more than `max_slots` slots covered by spans in the
    whole document fails it (too_many_grid_slots) before the map grows: a 141 KB page of clamped
    rowspan/colspan cells would otherwise take gigabytes."""
    collector = _Collector()
    collector.feed(text)
    collector.close()
    grid = Grid()
    row = 0
    page = 1
    tables_seen = 0
    budget = [max_slots, max_slots]
    for item in collector.items:
        if isinstance(item, str):
            for line in item.split("\n"):
                if line.strip():
                    grid.add(Cell(page=page, row=row, col=0, text=line.strip(), source="html"))
                    row += 1
            continue
        if not item.rows:
            continue
        tables_seen += 1
        if tables_seen > 1:
            page += 1
        row = _place_table(grid, item, first_row=row, page=page, budget=budget)
    grid.pages = page
    return grid


def _place_table(grid: Grid, table: _Table, *, first_row: int, page: int, budget: list[int]) -> int:
    """Lay out one table's cells on an occupancy map; returns the next free row index. `budget` holds the
    slots the document may still cover and its limit."""
    taken: set[tuple[int, int]] = set()
    n_rows = len(table.rows)
    for r, raw_row in enumerate(table.rows):
        c = 0
        for raw in raw_row:
            while (r, c) in taken:
                c += 1
            rowspan = min(raw.rowspan, n_rows - r)
            budget[0] -= rowspan * raw.colspan
            if budget[0] < 0:
                raise LimitExceeded(f"the HTML's table cells cover more than {budget[1]:,} slots with their "
                                    "rowspan/colspan", code=TOO_MANY_GRID_SLOTS)
            for dr in range(rowspan):
                for dc in range(raw.colspan):
                    taken.add((r + dr, c + dc))
            grid.add(Cell(page=page, row=first_row + r, col=c, text="".join(raw.text).strip(),
                          rowspan=rowspan, colspan=raw.colspan, source="html"))
            c += raw.colspan
    return first_row + n_rows
