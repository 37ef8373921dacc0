"""A text layer's clipped characters (a merged cell's text cut by a page break) are not read."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractor.options import ExtractOptions
from extractor.routes.pdf import read_pdf
from samples.generate.pdf import FONTS, register_fonts


def _page_with_clipped_label() -> bytes:
    """A ruled 2 x 2 table; the label of its left column is drawn again above the table and off the
    page, clipped away, as LibreOffice prints a merged cell cut by a page break."""
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    top, mid, bottom = height - 100, height - 130, height - 160
    for y in (top, mid, bottom):
        c.line(50, y, 350, y)
    for x in (50, 150, 350):
        c.line(x, top, x, bottom)
    font = next(iter(FONTS))
    c.setFont(font, 10)
    c.drawString(60, top - 20, "绩效指标")
    c.drawString(160, top - 20, "产出数量")
    c.drawString(60, mid - 20, "效益指标")
    c.drawString(160, mid - 20, "满意度")
    c.saveState()
    path = c.beginPath()
    path.rect(50, bottom, 300, top - bottom)
    c.clipPath(path, stroke=0, fill=0)
    c.drawString(60, top + 12, "标签")  # just above the table: hidden by the clip
    c.drawString(60, height + 30, "页外")  # off the page
    c.restoreState()
    c.drawString(60, top + 40, "标题文字")  # above the table and visible: kept
    c.showPage()
    c.save()
    return buf.getvalue()


def test_clipped_characters_are_dropped_and_visible_ones_kept() -> None:
    grid = read_pdf(_page_with_clipped_label(), ExtractOptions()).grid
    texts = [cell.text for cell in grid.cells]
    assert "标题文字" in texts
    assert "绩效指标" in texts and "满意度" in texts
    assert not any("标签" in t or "页外" in t for t in texts), texts
