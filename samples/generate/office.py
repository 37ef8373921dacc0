"""Forms written as real Office files: .xlsx (openpyxl) and .docx (python-docx), with real merged cells.

`render_xlsx(tables, look)` / `render_docx(tables, look)` draw the laid-out tables of
samples.generate.layout; `OfficeLook.random(seed)` varies what offices do: one sheet per form or all on
one sheet, the form moved off A1, typed numbers printed through number formats (`#,##0.00`, `0.00%`)
or plain text cells, a hidden helper column and a hidden scratch sheet, a print area; in Word a title
above the table or inside it, a page break or a paragraph between forms, the form wrapped in a one-cell
layout table. Every look prints the same values, so `layout.expected_result` is the expected result.
`to_legacy(data, "xls"|"doc")` converts through LibreOffice (when installed) for the legacy formats.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from samples.generate.layout import Table

_NUMERIC_ROLES = {"amount", "rate", "weight", "score", "fund_weight", "fund_score", "total_weight", "total_score"}


@dataclass(frozen=True, slots=True)
class OfficeLook:
    sheet_per_form: bool = True
    offset: tuple[int, int] = (0, 0)  # empty rows / columns before the form
    typed_numbers: bool = True  # numbers as numbers with a number format; else text cells
    hidden_column: bool = False  # a hidden helper column of junk after the form
    hidden_sheet: bool = False  # a hidden scratch sheet with junk values
    print_area: bool = False  # a print area around the form, with junk outside it
    title_in_table: bool = False  # docx: the title as a merged first row of the table
    wrapped: bool = False  # docx: the table inside a one-cell layout table
    break_between: bool = True  # docx: a page break between forms, else a paragraph

    @classmethod
    def random(cls, seed: int) -> OfficeLook:
        rng = random.Random(f"office-look-{seed}")
        return cls(sheet_per_form=rng.random() < 0.6, offset=(rng.choice([0, 0, 1, 2]), rng.choice([0, 0, 1])),
                   typed_numbers=rng.random() < 0.75, hidden_column=rng.random() < 0.2,
                   hidden_sheet=rng.random() < 0.2, print_area=rng.random() < 0.2,
                   title_in_table=rng.random() < 0.4, wrapped=rng.random() < 0.15, break_between=rng.random() < 0.7)


def typed_value(text: str, role: str) -> tuple[object, str | None]:
    """(value, number format) printing exactly `text` in Excel, or (text, None) when it is not a plain number."""
    if role not in _NUMERIC_ROLES or not text:
        return text, None
    percent = text.endswith("%")
    body = text[:-1] if percent else text
    if not re.fullmatch(r"-?[\d,]*\d(\.\d+)?", body) or ("," in body and not re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", body)):
        return text, None
    try:
        d = Decimal(body.replace(",", ""))
    except InvalidOperation:
        return text, None
    decimals = len(body.partition(".")[2])
    code = ("#,##0" if "," in body else "0") + ("." + "0" * decimals if decimals else "")
    if percent:
        return float(d / 100), code + "%"
    if decimals == 0 and not percent and "," not in body:
        return int(d), "General"
    return float(d), code


def render_xlsx(tables: list[Table], look: OfficeLook | None = None, *, seed: int = 0) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    look = look or OfficeLook()
    rng = random.Random(f"xlsx-{seed}")
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    top = look.offset[0] + 1
    for k, table in enumerate(tables):
        if k and look.sheet_per_form:
            sheet = book.create_sheet(f"Sheet{k + 1}" if rng.random() < 0.5 else f"表{k + 1}")
            top = look.offset[0] + 1
        left = look.offset[1] + 1
        start = top
        for line in table.title_lines:
            sheet.cell(top, left, line).alignment = Alignment(horizontal="center")
            if table.n_cols > 1:
                sheet.merge_cells(start_row=top, start_column=left, end_row=top, end_column=left + table.n_cols - 1)
            top += 1
        for cell in table.cells():
            value, code = typed_value(cell.text, cell.role) if look.typed_numbers else (cell.text, None)
            if value == "":
                value = None
            target = sheet.cell(top + cell.row, left + cell.col, value)
            if isinstance(value, str) and value.startswith("="):
                target.data_type = "s"  # a target such as =100% is text typed with a quote, not a formula
            if code:
                target.number_format = code
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(start_row=top + cell.row, start_column=left + cell.col,
                                  end_row=top + cell.row + cell.rowspan - 1, end_column=left + cell.col + cell.colspan - 1)
        end = top + table.n_rows - 1
        if look.hidden_column:  # past every form of the sheet: a hidden column holds nothing printed
            widest = table.n_cols if look.sheet_per_form else max(t.n_cols for t in tables)
            col = left + widest + 1
            for r in range(top, end + 1, 3):
                sheet.cell(r, col, f"辅助{r}")
            sheet.column_dimensions[get_column_letter(col)].hidden = True
        if look.print_area and look.sheet_per_form:
            sheet.print_area = f"{get_column_letter(left)}{start}:{get_column_letter(left + table.n_cols - 1)}{end}"
            sheet.cell(end + 3, left, "打印区域外的草稿")
        top = end + 3
    if look.hidden_sheet:
        scratch = book.create_sheet("草稿")
        scratch["A1"] = "项目名称"
        scratch["B1"] = "草稿数据"
        scratch.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_docx(tables: list[Table], look: OfficeLook | None = None, *, seed: int = 0) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK

    look = look or OfficeLook()
    doc = Document()
    for k, table in enumerate(tables):
        if k:
            if look.break_between:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            else:
                doc.add_paragraph("")
        if not look.title_in_table:
            for line in table.title_lines:
                doc.add_paragraph(line)
        extra = len(table.title_lines) if look.title_in_table else 0
        if look.wrapped:
            outer = doc.add_table(rows=1, cols=1)
            host = outer.cell(0, 0)
            grid = host.add_table(rows=table.n_rows + extra, cols=table.n_cols)
        else:
            grid = doc.add_table(rows=table.n_rows + extra, cols=table.n_cols)
        grid.style = "Table Grid"
        for i, line in enumerate(table.title_lines if look.title_in_table else []):
            merged = grid.cell(i, 0).merge(grid.cell(i, table.n_cols - 1)) if table.n_cols > 1 else grid.cell(i, 0)
            merged.text = line
        for cell in table.cells():
            target = grid.cell(extra + cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid.cell(extra + cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_legacy(data: bytes, fmt: str, timeout: float = 120) -> bytes:
    """An .xlsx/.docx converted to .xls/.doc (or .ods/.odt) by LibreOffice; raises if it is missing."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    source = "xlsx" if fmt in ("xls", "ods", "et") else "docx"
    # LibreOffice 7.4 drops python-docx tables when it writes .doc straight from .docx; through .odt they stay.
    steps = ["odt", fmt] if fmt == "doc" else [fmt]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, f"in.{source}")
        src.write_bytes(data)
        for step in steps:
            out = Path(tmp, step)
            subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                            "--convert-to", step, "--outdir", str(out), str(src)], check=True, capture_output=True,
                           timeout=timeout)
            src = out / f"{src.stem}.{step}"
        return src.read_bytes()
