"""Forms printed and scanned by code that is not ours: office prints, other rasterisers, scanner wear.

Our own PDF renderer (samples.generate.pdf) and pypdfium2 draw the scans the suite was tuned on. People's
scans come from spreadsheets and word processors, rasterised by whatever the scanner driver or the
archive uses. This module makes those:

  prints      `office_pdf(tables, "xlsx"|"docx", look)`: the laid-out tables written as a bordered .xlsx
              (narrow label columns, wrapped labels, fit-to-width page setup) or a Word table (equal
              columns, rows allowed to split over pages, optionally the first row repeated), printed to
              PDF by LibreOffice (`soffice --convert-to pdf`, private profile).
  rasterisers `rasterise(pdf, dpi, "pdftoppm"|"pdfium"|"gs")`: Poppler, PDFium and Ghostscript, each
              with its own anti-aliasing.
  wear        `wear(page, kind, seed, dpi)`: landscape (a portrait page laid sideways on a landscape
              bed), toner (ink spread), thin (1-px thinning), tint (paper tint with a gradient), broken
              (rules with gaps), skew; `turn(pages, quarters)` turns single pages by 90° steps.

Every look prints the same values, so `layout.expected_result` stays the expected result.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from samples.generate.layout import Table

TIMEOUT = 180
RASTERISERS = ("pdftoppm", "pdfium", "gs")
WEAR = ("landscape", "toner", "thin", "tint", "broken", "skew")
# Spreadsheet column widths (characters) by the role of the column's cells: label columns are narrow,
# so labels wrap to 2-4 characters a line, as in the offices' own templates.
_XLSX_WIDTHS = {"label": 5.0, "name": 18.0, "value": 9.0, "amount": 11.0}
_WIDTH_UNIT_PT = 5.25  # one Excel width unit (a digit of the default font) in points


@dataclass(frozen=True, slots=True)
class PrintLook:
    font_size: float = 10.0
    label_width: float = _XLSX_WIDTHS["label"]  # xlsx: characters of a label column
    fit_width: bool = True  # xlsx: the page setup scales the sheet to the paper's width
    repeat_first_row: bool = False  # docx: the table's first row repeats on every page
    landscape: bool = False

    @classmethod
    def random(cls, seed: int) -> PrintLook:
        rng = random.Random(f"print-{seed}")
        return cls(font_size=rng.choice([9.0, 10.0, 10.5, 11.0]), label_width=rng.choice([4.0, 5.0, 6.0, 8.0]),
                   fit_width=rng.random() < 0.8, repeat_first_row=rng.random() < 0.4)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def missing(tool: str) -> str | None:
    """Why `tool` (soffice, pdftoppm, gs) cannot run here, or None."""
    exe = {"soffice": soffice(), "pdftoppm": shutil.which("pdftoppm"), "gs": shutil.which("gs"),
           "pdfium": "pdfium"}[tool]
    if exe:
        return None
    package = {"soffice": "libreoffice-calc-nogui libreoffice-writer-nogui", "pdftoppm": "poppler-utils",
               "gs": "ghostscript"}[tool]
    return f"{tool} missing: apt-get install -y {package}"


def _column_kinds(table: Table) -> list[str]:
    kinds = ["value"] * table.n_cols
    for cell in table.cells():
        if cell.colspan != 1:
            continue
        if cell.role in ("level1", "level2", "perf", "label") and kinds[cell.col] == "value":
            kinds[cell.col] = "label"
        elif cell.role == "level3":
            kinds[cell.col] = "name"
        elif cell.role == "amount":
            kinds[cell.col] = "amount"
    return kinds


def write_xlsx(tables: list[Table], look: PrintLook) -> bytes:
    """All forms on one sheet with thin borders round every cell, as offices print them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="WenQuanYi Zen Hei", size=look.font_size)
    top = 1
    widths: dict[int, float] = {}
    for table in tables:
        for line in table.title_lines:
            sheet.cell(top, 1, line).alignment = Alignment(horizontal="center")
            sheet.cell(top, 1).font = font
            sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=max(1, table.n_cols))
            top += 1
        for col, kind in enumerate(_column_kinds(table)):
            width = look.label_width if kind == "label" else _XLSX_WIDTHS[kind]
            widths[col] = max(widths.get(col, 0.0), width)
        for cell in table.cells():
            target = sheet.cell(top + cell.row, 1 + cell.col, cell.text or None)
            target.data_type = "s"  # printed as typed (=100% is text, not a formula)
            target.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            target.font = font
            for r in range(cell.row, cell.row + cell.rowspan):
                for k in range(cell.col, cell.col + cell.colspan):
                    sheet.cell(top + r, 1 + k).border = border
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(start_row=top + cell.row, start_column=1 + cell.col,
                                  end_row=top + cell.row + cell.rowspan - 1, end_column=cell.col + cell.colspan)
        _row_heights(sheet, table, top, widths, look.font_size)
        top += table.n_rows + 2
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col + 1)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if look.landscape else "portrait"
    if look.fit_width:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_lines(text: str, width_units: float, font_size: float) -> int:
    """Lines a wrapped cell text takes: a CJK character is one em wide, a Latin one half."""
    ems = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)
    per_line = max(1.0, (width_units * _WIDTH_UNIT_PT - 4) / font_size)
    return max(1, -int(-ems // per_line))


def _row_heights(sheet, table: Table, top: int, widths: dict[int, float], font_size: float) -> None:
    """Row heights that hold their wrapped texts (LibreOffice does not grow rows of a written sheet):
    a merged cell's lines are shared among the rows it spans."""
    need = [1.0] * table.n_rows
    for cell in table.cells():
        width = sum(widths.get(k, _XLSX_WIDTHS["value"]) for k in range(cell.col, cell.col + cell.colspan))
        need_lines = _text_lines(cell.text, width, font_size) if cell.text else 1
        share = need_lines / cell.rowspan
        for r in range(cell.row, cell.row + cell.rowspan):
            need[r] = max(need[r], share)
    for r, lines in enumerate(need):
        sheet.row_dimensions[top + r].height = round(-(-lines // 1) * font_size * 1.3 + 4, 1)


def write_docx(tables: list[Table], look: PrintLook) -> bytes:
    """Each form a Word table of equal columns (labels wrap), a page break between forms."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(look.font_size)
    for k, table in enumerate(tables):
        if k:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for line in table.title_lines:
            doc.add_paragraph(line)
        grid = doc.add_table(rows=table.n_rows, cols=table.n_cols)
        grid.style = "Table Grid"
        if look.repeat_first_row:
            props = grid.rows[0]._tr.get_or_add_trPr()
            props.append(OxmlElement("w:tblHeader"))
            props[-1].set(qn("w:val"), "true")
        for cell in table.cells():
            target = grid.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def office_pdf(tables: list[Table], kind: str, look: PrintLook | None = None) -> bytes:
    """The tables as LibreOffice prints them from an .xlsx or a .docx."""
    look = look or PrintLook()
    data = write_xlsx(tables, look) if kind == "xlsx" else write_docx(tables, look)
    exe = soffice()
    if exe is None:
        raise RuntimeError(missing("soffice"))
    with tempfile.TemporaryDirectory(prefix="docextract-print-") as tmp:
        src = Path(tmp, f"form.{kind}")
        src.write_bytes(data)
        subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)], check=True, capture_output=True,
                       timeout=TIMEOUT)
        return Path(tmp, "form.pdf").read_bytes()


def rasterise(pdf: bytes, dpi: int, tool: str = "pdftoppm") -> list[np.ndarray]:
    """Grey page images of `pdf` drawn by Poppler, PDFium or Ghostscript."""
    if tool == "pdfium":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(pdf)
        try:
            return [np.asarray(p.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")) for p in doc]
        finally:
            doc.close()
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="docextract-raster-") as tmp:
        src = Path(tmp, "in.pdf")
        src.write_bytes(pdf)
        if tool == "pdftoppm":
            cmd = ["pdftoppm", "-r", str(dpi), "-gray", str(src), f"{tmp}/p"]
        elif tool == "gs":
            cmd = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pnggray", f"-r{dpi}",
                   "-dTextAlphaBits=4", "-dGraphicsAlphaBits=1", f"-sOutputFile={tmp}/p-%04d.png", str(src)]
        else:
            raise ValueError(f"unknown rasteriser {tool!r}")
        subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT)
        files = sorted(p for p in Path(tmp).iterdir() if p.name.startswith("p-"))
        return [np.asarray(Image.open(p).convert("L")) for p in files]


def wear(page: np.ndarray, kind: str, seed: int, dpi: int) -> np.ndarray:
    """One grey page with one kind of scanner or printer wear."""
    rng = np.random.default_rng(seed)
    img = page
    h, w = img.shape
    if kind == "landscape":
        # The portrait page laid sideways on a landscape bed, with the bed's margin around it.
        turned = np.rot90(img, k=1 if rng.random() < 0.5 else -1)
        margin = int(dpi * 0.3)
        bed = np.full((turned.shape[0] + 2 * margin, turned.shape[1] + 2 * margin), 250, np.uint8)
        bed[margin:margin + turned.shape[0], margin:margin + turned.shape[1]] = turned
        return bed
    if kind == "toner":
        # Ink spreads about a pixel round every stroke (a min filter darkens towards the ink).
        return cv2.erode(img, np.ones((2, 2), np.uint8))
    if kind == "thin":
        # Strokes lose a pixel: hairline rules break up, thin glyph strokes fade.
        return cv2.dilate(img, np.ones((2, 2), np.uint8))
    if kind == "tint":
        gx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        gy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        paper = 235 - 45 * (0.7 * gx + 0.3 * gy)  # yellowed paper, darker towards one side
        ink = img.astype(np.float32) / 255
        return np.clip(ink * paper + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    if kind == "broken":
        return _broken_rules(img, rng, dpi)
    if kind == "skew":
        angle = float(rng.choice([-1, 1]) * rng.uniform(1.0, 2.0))
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    raise ValueError(f"unknown wear {kind!r}")


def _broken_rules(img: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Rules with gaps: short white cuts through long ink runs, as a worn toner drum leaves them."""
    ink = (img < 160).astype(np.uint8)
    long_run = max(20, int(dpi * 0.4))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_run, 1)))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_run)))
    out = img.copy()
    ys, xs = np.nonzero(rules)
    if len(ys) == 0:
        return out
    gap = max(3, int(dpi * 0.03))
    for i in rng.choice(len(ys), size=min(len(ys), int(len(ys) * 0.004)), replace=False):
        y, x = int(ys[i]), int(xs[i])
        out[max(0, y - gap):y + gap, max(0, x - gap):x + gap][
            rules[max(0, y - gap):y + gap, max(0, x - gap):x + gap] > 0] = 255
    return out


def turn(pages: list[np.ndarray], quarters: list[int]) -> list[np.ndarray]:
    """Pages turned clockwise by their own number of quarter turns (page 2 sideways, page 3 upside down)."""
    return [np.ascontiguousarray(np.rot90(p, k=-(q % 4))) for p, q in zip(pages, quarters, strict=False)] \
        + pages[len(quarters):]
