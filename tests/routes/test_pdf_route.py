"""PDF route: text layer per page, OCR fallback for missing or garbled layers, limits and broken files."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfgen import canvas
from scan_helpers import cell_matches, keep_pages, norm, render_form

from extractor.errors import CorruptInput, LimitExceeded
from extractor.grid import grid_to_rows
from extractor.options import ExtractOptions
from extractor.routes.pdf import read_pdf
from samples.generate.pdf import PdfStyle
from samples.generate.scan import ScanStyle, scan_pages, to_pdf


@pytest.fixture(scope="module")
def form0():
    return render_form(0, PdfStyle(size=9.0, padding=2.0))


def test_text_layer_pdf_gives_every_cell_with_boxes_in_points(form0) -> None:
    out = read_pdf(form0.pdf, ExtractOptions())
    assert out.route == "pdf-text" and out.pages == form0.pages >= 2 and not out.issues
    for page in range(1, form0.pages + 1):
        hits, total = cell_matches(form0.placed, [c for c in out.grid.cells if c.page == page], page, 1.0)
        assert hits == total
    assert all(c.source == "pdf-text" and c.bbox is not None for c in out.grid.cells)
    rows = grid_to_rows(out.grid)
    assert norm(rows[0].texts[0]) == "财政项目支出绩效自评表"  # the title is a one-cell row
    assert "2023" in rows[1].texts[0]
    # Page-number footers are not cells; rows are numbered across the page break.
    assert not any(norm(c.text) in ("-1-", "-2-") for c in out.grid.cells)
    assert any(r.page_break_before for r in rows)
    assert [r.index for r in rows] == list(range(len(rows)))


def test_merged_label_is_one_cell_with_rowspan(form0) -> None:
    out = read_pdf(form0.pdf, ExtractOptions())
    funds = [c for c in out.grid.cells if norm(c.text).startswith("项目资金")]
    assert len(funds) == 1 and funds[0].rowspan == 5
    rows = [r for r in grid_to_rows(out.grid) if r.cells and r.cells[0] is funds[0]]
    assert len(rows) == 5


def test_garbled_text_layer_is_ocred_not_trusted(form0) -> None:
    garbled = render_form(0, PdfStyle(size=9.0, padding=2.0), garble=True)
    last = form0.pages - 1
    out = read_pdf(keep_pages(garbled.pdf, [last]), ExtractOptions())
    assert out.route == "pdf-scan"
    assert [i.code for i in out.issues] == ["text_layer_untrusted"]
    assert {c.source for c in out.grid.cells} == {"ocr"}
    placed = [p.__class__(1, p.text, p.bbox, p.kind, p.role) for p in form0.placed if p.page == last + 1]
    hits, total = cell_matches(placed, out.grid.cells, 1, 1.0)
    assert hits >= 0.95 * total


def test_mixed_document_uses_the_layer_where_it_has_one(form0) -> None:
    scanned = to_pdf(scan_pages(form0.pdf, ScanStyle(dpi=200, blur=0.5, noise=6), pages=[1]), 200)
    mixed = keep_pages(form0.pdf, [0])
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(mixed)
    doc.import_pages(pdfium.PdfDocument(scanned), [0])
    buf = io.BytesIO()
    doc.save(buf)
    out = read_pdf(buf.getvalue(), ExtractOptions())
    assert out.route == "pdf-scan" and not out.issues
    assert {c.source for c in out.grid.cells if c.page == 1} == {"pdf-text"}
    assert {c.source for c in out.grid.cells if c.page == 2} == {"ocr"}
    hits, total = cell_matches(form0.placed, [c for c in out.grid.cells if c.page == 2], 2, 1.0)
    assert hits >= 0.95 * total
    # The continuation page is aligned to page 1's columns: 得分 of the 总分 row sits under 得分.
    rows = grid_to_rows(out.grid)
    header = next(r for r in rows if "三级指标" in [norm(t) for t in r.texts])
    total_row = next(r for r in rows if r.texts and norm(r.texts[0]) == "总分")
    score_col = [norm(t) for t in header.texts].index("得分")
    assert norm(total_row.texts[score_col]) == "100"
    assert 0 < min(c.confidence for c in out.grid.cells if c.page == 2 and c.text) <= 1.0


def test_limits_and_broken_files(form0) -> None:
    with pytest.raises(LimitExceeded) as err:
        read_pdf(form0.pdf, ExtractOptions(max_pages=1))
    assert err.value.code == "too_many_pages"
    with pytest.raises(CorruptInput) as err:
        read_pdf(b"%PDF-1.4\n1 0 obj garbage\n%%EOF", ExtractOptions())
    assert err.value.code == "corrupt_pdf"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(72, 720, "hidden")
    c.save()
    with pytest.raises(CorruptInput) as err:
        read_pdf(buf.getvalue(), ExtractOptions())
    assert err.value.code == "encrypted_pdf" and "password" in err.value.message
    scanned = to_pdf(scan_pages(form0.pdf, ScanStyle(dpi=150), pages=[0]), 150)
    with pytest.raises(LimitExceeded) as err:
        read_pdf(scanned, ExtractOptions(max_page_pixels=1_000_000))
    assert err.value.code == "page_too_large"


def test_scan_with_an_invisible_text_layer_uses_the_layer_in_cells_found_in_the_image(form0) -> None:
    """A 'searchable' scan: page image plus invisible text (render mode 3) and no vector rules."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics

    from samples.generate.pdf import register_fonts
    from samples.generate.scan import to_png

    page = scan_pages(form0.pdf, ScanStyle(dpi=150, blur=0.4), pages=[1])[0]
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.2756, 841.8898))
    c.drawImage(ImageReader(io.BytesIO(to_png(page, 150))), 0, 0, 595.2756, 841.8898)
    short = [p for p in form0.placed if p.page == 2 and p.kind == "cell" and 0 < len(p.text) <= 6]
    for p in short:
        text = c.beginText()
        text.setTextRenderMode(3)
        text.setFont("wqy-zenhei", 8)
        width = pdfmetrics.stringWidth(p.text, "wqy-zenhei", 8)
        text.setTextOrigin((p.bbox[0] + p.bbox[2] - width) / 2, 841.8898 - (p.bbox[1] + p.bbox[3]) / 2 - 3)
        text.textLine(p.text)
        c.drawText(text)
    c.save()
    out = read_pdf(buf.getvalue(), ExtractOptions())
    assert out.route == "pdf-text"
    assert {c.source for c in out.grid.cells} == {"pdf-text"}
    placed = [p.__class__(1, p.text, p.bbox, p.kind, p.role) for p in short]
    hits, total = cell_matches(placed, out.grid.cells, 1, 1.0)
    assert hits == total > 20
