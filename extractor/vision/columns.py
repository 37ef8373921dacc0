"""Body rows of a drawn table read by position: the header row's cells fix each column's role.

A PDF or a scan keeps every cell where it was printed, so the header cell above a value says what the
value is, whatever OCR made of its text; re-aligning the texts of a row by their looks (what dumps need,
which drop empty cells and shift the rest) would move a garbled value into its neighbour's role. The
x-range of each header cell is the role's; a body cell belongs to the role whose range holds its
centre. Position is compared in grid units (PDF points for PDF pages, OCRed pages included).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from extractor.align import Aligned
from extractor.grid import Cell, Row

GEOMETRY_SOURCES = frozenset({"pdf-text", "ocr"})


class ColumnGeometry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    slack: float = Field(0.2, description="share of a header cell's width a body cell's centre may fall outside "
                                          "it (a scanned page lies a little shifted from the one before)")


def drawn(row: Row) -> bool:
    """A row of a drawn table: every printed cell has a box from a PDF page or a scan."""
    return bool(row.cells) and all(c.bbox is not None and c.source in GEOMETRY_SOURCES for c in row.cells)


def header_boxes(row: Row, columns: dict[str, int]) -> dict[str, tuple[float, float]]:
    """The x-range of the header cell each role was printed in (roles -> column from the header row)."""
    by_col = {c.col: c for c in row.cells if c.bbox is not None}
    return {role: (by_col[col].bbox[0], by_col[col].bbox[2]) for role, col in columns.items()
            if col in by_col and by_col[col].bbox is not None}


def align_by_boxes(cells: Sequence[Cell], boxes: dict[str, tuple[float, float]],
                   geometry: ColumnGeometry | None = None) -> Aligned | None:
    """Each printed cell to the role under whose header it stands; None when the row does not fit
    the header (a cell under no header or two cells under one): the caller aligns by content then.

    A cell standing left of every header, over several rows, is the block's section label (绩效指标
    merged down the indicator block), whatever OCR read in it (绩指标, 绩): it takes no role.
    """
    geometry = geometry or ColumnGeometry()
    if not boxes:
        return None
    left_edge = min(x0 for x0, _ in boxes.values())
    by_role: dict[str, Cell] = {}
    for cell in cells:
        if cell.is_empty or cell.bbox is None:
            continue
        x0, _, x1, _ = cell.bbox
        centre = (x0 + x1) / 2
        if x1 <= left_edge + geometry.slack * (x1 - x0) and cell.rowspan > 1:
            continue  # the section label at the block's left edge
        under = [role for role, (h0, h1) in boxes.items()
                 if h0 - geometry.slack * (h1 - h0) <= centre <= h1 + geometry.slack * (h1 - h0)]
        if len(under) > 1:  # within the slack of two headers: the nearest centre decides
            under = [min(under, key=lambda r: abs((boxes[r][0] + boxes[r][1]) / 2 - centre))]
        if len(under) != 1 or under[0] in by_role:
            return None
        by_role[under[0]] = cell
    return Aligned(by_role=by_role, skipped=[])
