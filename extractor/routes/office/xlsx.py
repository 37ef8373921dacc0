"""Excel workbooks (.xlsx/.xlsm, and what LibreOffice converts to it) -> Grid.

Every visible worksheet is read (hidden ones only when nothing else is), within its print area when it
has one; hidden rows and columns are left out, as they are not printed. Merged ranges become spans.
Values are the ones the file stores: a formula gives its cached result (never evaluated; none cached
reads as an empty cell) and numbers are printed through their number format (`100.00%`,
`298,052,694.96`). One sheet is one page of the grid.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile

from extractor.errors import CorruptInput, LimitExceeded
from extractor.grid import Cell, Grid
from extractor.routes import RouteOutput
from extractor.routes.office import (
    MAX_CELLS_PER_SHEET,
    MAX_ROWS_PER_SHEET,
    MAX_SHEETS,
    encrypted,
    name_cells,
    read_member,
)
from extractor.routes.office.numfmt import format_value
from models import Issue

_SHEET = re.compile(rb"<(?:\w+:)?sheet[\s/>]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_FORMULA_NO_VALUE = re.compile(rb"</(?:\w+:)?f>\s*</(?:\w+:)?c>|<(?:\w+:)?f\b[^>]*/>\s*</(?:\w+:)?c>")


def read_workbook(archive: zipfile.ZipFile) -> RouteOutput:
    try:
        import openpyxl
        from openpyxl.cell.cell import MergedCell
        from openpyxl.utils import get_column_letter, range_boundaries
    except ImportError as err:
        from extractor.errors import UnsupportedInput

        raise UnsupportedInput("Excel input needs openpyxl: pip install 'docextract[office]'") from err
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        declared = len(_SHEET.findall(read_member(archive, "xl/workbook.xml")))
        if declared > MAX_SHEETS:
            raise LimitExceeded(f"the workbook has {declared:,} sheets, above the limit of {MAX_SHEETS:,}",
                                code="too_many_sheets")
    uncached = 0
    for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
        xml = read_member(archive, name)
        rows = len(_ROW.findall(xml))
        if rows > MAX_ROWS_PER_SHEET:
            raise LimitExceeded(f"{name} has {rows:,} row entries, above the limit of {MAX_ROWS_PER_SHEET:,} "
                                "(empty formatted rows count too)", code="too_many_rows")
        cells = len(_CELL.findall(xml))
        if cells > MAX_CELLS_PER_SHEET:
            raise LimitExceeded(f"{name} has {cells:,} cells, above the limit of {MAX_CELLS_PER_SHEET:,}",
                                code="too_many_cells")
        uncached += len(_FORMULA_NO_VALUE.findall(xml))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every extension it does not read
            book = openpyxl.load_workbook(io.BytesIO(_bytes_of(archive)), data_only=True, keep_vba=False,
                                          keep_links=False, rich_text=False)
    except (LimitExceeded, CorruptInput):
        raise
    except Exception as err:  # openpyxl raises KeyError, ValueError, TypeError … on damaged parts
        if "encrypt" in str(err).lower():
            raise encrypted() from err
        raise CorruptInput(f"the workbook cannot be read: {type(err).__name__}: {err}",
                           code="corrupt_document") from err
    sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"] or list(book.worksheets)
    grid = Grid()
    titles: list[str] = []
    first_row = 0
    for ws in sheets:
        if len(ws._cells) > MAX_CELLS_PER_SHEET:
            raise LimitExceeded(f"sheet {ws.title!r} has {len(ws._cells):,} cells, above the limit of "
                                f"{MAX_CELLS_PER_SHEET:,}", code="too_many_cells")
        page = len(titles) + 1
        placed = _place_sheet(grid, ws, page, first_row, MergedCell, range_boundaries)
        if placed is None:
            continue
        titles.append(ws.title)
        first_row = placed
    grid.pages = max(1, len(titles))
    issues = []
    if uncached:
        issues.append(Issue(code="formula_not_cached", severity="warning", field=None,
                            message=f"{uncached} formula cell(s) carry no saved result and read as empty "
                                    "(formulas are never evaluated; open and save the file in Excel to store them)"))

    def cell_name(page: int, bbox: tuple[float, float, float, float]) -> str | None:
        if not 1 <= page <= len(titles):
            return None
        c0, r0, c1, r1 = (int(v) for v in bbox)
        ref = f"{get_column_letter(c0 + 1)}{r0 + 1}"
        if (c1 - c0, r1 - r0) != (1, 1):
            ref += f":{get_column_letter(c1)}{r1}"
        return f"{_quote_sheet(titles[page - 1])}!{ref}"

    return RouteOutput(grid=grid, route="xlsx", pages=grid.pages, issues=issues, finish=name_cells(cell_name))


def _bytes_of(archive: zipfile.ZipFile) -> bytes:
    stream = archive.fp
    if isinstance(stream, io.BytesIO):
        return stream.getvalue()
    raise CorruptInput("the workbook is not in memory", code="corrupt_document")


def _quote_sheet(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff.]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def _place_sheet(grid: Grid, ws, page: int, first_row: int, merged_cell_type, range_boundaries) -> int | None:
    """Add one sheet's printed cells to the grid; returns the next free grid row (None: nothing printed)."""
    bounds = _print_area(ws, range_boundaries)
    hidden_rows = {r for r, dim in ws.row_dimensions.items() if dim.hidden}
    hidden_cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min and dim.max and dim.max - dim.min < 20_000:
            hidden_cols.update(range(dim.min, dim.max + 1))
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)

    def printed(r: int, c: int) -> bool:
        if r in hidden_rows or c in hidden_cols:
            return False
        return bounds is None or any(c0 <= c <= c1 and r0 <= r <= r1 for c0, r0, c1, r1 in bounds)

    found: list[tuple[int, int, str, int, int]] = []
    for (r, c), cell in ws._cells.items():
        if isinstance(cell, merged_cell_type) or not printed(r, c):
            continue
        text = format_value(cell.value, cell.number_format).strip()
        rowspan, colspan = spans.get((r, c), (1, 1))
        if not text and rowspan == 1 and colspan == 1:
            continue
        if rowspan > 1:
            rowspan -= sum(1 for k in range(r + 1, r + rowspan) if k in hidden_rows)
        if colspan > 1:
            colspan -= sum(1 for k in range(c + 1, c + colspan) if k in hidden_cols)
        found.append((r, c, text, rowspan, colspan))
    if not any(f[2] for f in found):
        return None
    found.sort()
    # Dense rows and columns: hidden and empty ones leave no gap (a span counts what is printed).
    rows = sorted({f[0] for f in found} | _covered(found, 0, 3, hidden_rows, spans))
    cols = sorted({f[1] for f in found} | _covered(found, 1, 4, hidden_cols, spans))
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(cols)}
    for r, c, text, rowspan, colspan in found:
        end_r = _dense_end(rows, r, rowspan, hidden_rows)
        end_c = _dense_end(cols, c, colspan, hidden_cols)
        height, width = spans.get((r, c), (1, 1))
        grid.add(Cell(page=page, row=first_row + row_at[r], col=col_at[c], text=text,
                      rowspan=max(1, end_r - row_at[r]), colspan=max(1, end_c - col_at[c]),
                      bbox=(c - 1, r - 1, c - 1 + width, r - 1 + height), confidence=1.0, source="xlsx"))
    return first_row + len(rows)


def _covered(found: list, at: int, span_at: int, hidden: set[int], spans: dict) -> set[int]:
    """Printed lines a merged range covers beyond its first (a merged row holds no cell of its own)."""
    out: set[int] = set()
    for f in found:
        height, width = spans.get((f[0], f[1]), (1, 1))
        n = height if at == 0 else width
        out.update(k for k in range(f[at] + 1, f[at] + n) if k not in hidden)
    return out


def _dense_end(used: list[int], start: int, span: int, hidden: set[int]) -> int:
    """Dense index just past a span starting at sheet line `start` covering `span` printed lines."""
    import bisect

    last = start
    left = span - 1
    k = start
    while left > 0:
        k += 1
        if k not in hidden:
            left -= 1
            last = k
    return bisect.bisect_right(used, last)


def _print_area(ws, range_boundaries) -> list[tuple[int, int, int, int]] | None:
    area = ws.print_area
    if not area:
        return None
    out = []
    for part in (area if isinstance(area, list | tuple) else str(area).split(",")):
        ref = str(part).rsplit("!", 1)[-1].replace("$", "")
        try:
            c0, r0, c1, r1 = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if None in (c0, r0, c1, r1):
            c0, r0, c1, r1 = c0 or 1, r0 or 1, c1 or 16_384, r1 or 1_048_576
        out.append((c0, r0, c1, r1))
    return out or None
