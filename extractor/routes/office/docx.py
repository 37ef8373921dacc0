"""Word documents (.docx, and what LibreOffice converts to it) -> Grid.

The body is read in order: each table is laid out on its grid columns (`gridSpan` -> colspan, `gridBefore`
skipped columns, `vMerge` restart/continue -> rowspan) and starts a new page, as in the HTML route, so a
form continuing in a second table reads as a page break; text outside tables becomes one-cell rows. A table
of one cell that holds tables (a layout frame) is unwrapped; any other table inside a cell gives its text to
that cell. Content controls (`w:sdt`) are looked through; deleted text and field codes are not text.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass, field

from extractor.errors import CorruptInput, LimitExceeded, UnsupportedInput
from extractor.grid import Cell, Grid
from extractor.routes import RouteOutput
from extractor.routes.office import MAX_CELLS_PER_SHEET, name_cells

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_CELLS = MAX_CELLS_PER_SHEET  # cells in the whole document


@dataclass
class _Raw:
    text: str
    col: int
    row: int
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _Table:
    cells: list[_Raw] = field(default_factory=list)
    n_rows: int = 0


def read_document(archive: zipfile.ZipFile) -> RouteOutput:
    try:
        from docx import Document
    except ImportError as err:
        raise UnsupportedInput("Word input needs python-docx: pip install 'docextract[office]'") from err
    fp = archive.fp
    data = fp.getvalue() if isinstance(fp, io.BytesIO) else b""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = Document(io.BytesIO(data)).element.body
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors … on damaged parts
        raise CorruptInput(f"the Word document cannot be read: {type(err).__name__}: {err}",
                           code="corrupt_document") from err
    reader = _Reader()
    reader.block(body)
    grid = reader.grid
    grid.pages = max(1, reader.page)

    def cell_name(page: int, bbox: tuple[float, float, float, float]) -> str | None:
        c0, r0, c1, r1 = (int(v) for v in bbox)
        rows = f"row {r0 + 1}" if r1 - r0 <= 1 else f"rows {r0 + 1}-{r1}"
        cols = f"column {c0 + 1}" if c1 - c0 <= 1 else f"columns {c0 + 1}-{c1}"
        return f"table {page}, {rows}, {cols}"

    return RouteOutput(grid=grid, route="docx", pages=grid.pages, finish=name_cells(cell_name))


class _Reader:
    def __init__(self) -> None:
        self.grid = Grid()
        self.row = 0
        self.page = 0  # tables seen: the page of the grid
        self.cells = 0

    def block(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "p":
                for line in paragraph_text(child).split("\n"):
                    if line.strip():
                        self.grid.add(Cell(page=max(1, self.page), row=self.row, col=0, text=line.strip(),
                                           source="docx"))
                        self.row += 1
            elif tag == W + "tbl":
                frame = _frame_content(child)
                if frame is not None:
                    self.block(frame)
                    continue
                self.table(parse_table(child))
            elif tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "smartTag"):
                inner = child.find(W + "sdtContent") if tag == W + "sdt" else child
                if inner is not None:
                    self.block(inner)

    def table(self, table: _Table) -> None:
        if not table.cells:
            return
        self.cells += len(table.cells)
        if self.cells > MAX_CELLS:
            raise LimitExceeded(f"the Word document holds more than {MAX_CELLS:,} table cells", code="too_many_cells")
        self.page += 1
        for raw in table.cells:
            self.grid.add(Cell(page=self.page, row=self.row + raw.row, col=raw.col, text=raw.text.strip(),
                               rowspan=raw.rowspan, colspan=raw.colspan,
                               bbox=(raw.col, raw.row, raw.col + raw.colspan, raw.row + raw.rowspan),
                               confidence=1.0, source="docx"))
        self.row += table.n_rows


def _children(element, tag: str):
    """Direct children with `tag`, looking through content controls and tracked insertions."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "customXml", W + "ins", W + "smartTag"):
            inner = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if inner is not None:
                yield from _children(inner, tag)


def _frame_content(tbl):
    """The cell of a one-cell table that holds tables (a layout frame), else None."""
    rows = list(_children(tbl, W + "tr"))
    if len(rows) != 1:
        return None
    cells = list(_children(rows[0], W + "tc"))
    if len(cells) != 1 or not list(_children(cells[0], W + "tbl")):
        return None
    return cells[0]


def _val(element, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    return found.get(W + "val", "")


def parse_table(tbl) -> _Table:
    out = _Table()
    open_: dict[int, _Raw] = {}  # grid column -> the cell a vMerge continue extends
    for r, tr in enumerate(_children(tbl, W + "tr")):
        before = _val(tr, f"{W}trPr/{W}gridBefore")
        col = int(before) if before and before.isdigit() else 0
        still_open: dict[int, _Raw] = {}
        for tc in _children(tr, W + "tc"):
            span_text = _val(tc, f"{W}tcPr/{W}gridSpan")
            span = max(1, min(int(span_text), 64)) if span_text and span_text.isdigit() else 1
            vmerge = _val(tc, f"{W}tcPr/{W}vMerge")
            if vmerge is not None and vmerge != "restart" and col in open_:
                above = open_[col]
                above.rowspan = r - above.row + 1
                still_open[col] = above
                col += span
                continue
            raw = _Raw(text=cell_text(tc), col=col, row=r, colspan=span)
            out.cells.append(raw)
            if len(out.cells) > MAX_CELLS:
                raise LimitExceeded(f"a Word table holds more than {MAX_CELLS:,} cells", code="too_many_cells")
            if vmerge == "restart":
                still_open[col] = raw
            col += span
        open_ = still_open
        out.n_rows = r + 1
    return out


def cell_text(tc) -> str:
    parts: list[str] = []
    for child in tc:
        if child.tag == W + "p":
            parts.append(paragraph_text(child))
        elif child.tag == W + "tbl":  # a table inside the cell: its text joins the cell
            nested = parse_table(child)
            by_row: dict[int, list[str]] = {}
            for raw in nested.cells:
                if raw.text.strip():
                    by_row.setdefault(raw.row, []).append(raw.text.strip())
            parts.extend(" ".join(texts) for _, texts in sorted(by_row.items()))
        elif child.tag in (W + "sdt", W + "customXml"):
            inner = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if inner is not None:
                parts.append(cell_text(inner))
    return "\n".join(p for p in parts if p.strip())


def paragraph_text(p) -> str:
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == W + "t":
            out.append(child.text or "")
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag in (W + "del", W + "instrText", W + "delText", MC_FALLBACK, W + "pPr", W + "rPr"):
            continue
        else:
            _collect(child, out)
