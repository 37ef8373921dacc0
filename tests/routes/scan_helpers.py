"""Documents for the PDF/scan route tests, rendered by the project's own generators."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium

from samples.generate.layout import Style, layout
from samples.generate.pdf import PdfStyle, Placed, Rendered, render_pdf

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"


def sample_forms() -> list[dict]:
    return json.loads(SAMPLE.read_text())["forms"]


def render_form(index: int, style: PdfStyle | None = None, garble: bool = False) -> Rendered:
    return render_pdf([layout(sample_forms()[index], Style.plain())], style or PdfStyle(), seed=index,
                      garble=garble)


def keep_pages(pdf: bytes, pages: list[int]) -> bytes:
    """A PDF of some pages (0-based) of another."""
    src = pdfium.PdfDocument(pdf)
    out = pdfium.PdfDocument.new()
    out.import_pages(src, pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cell_matches(placed: list[Placed], cells: list, page: int, scale: float) -> tuple[int, int]:
    """(matching, total) non-empty rendered cells of `page` whose text the grid holds at the same place."""
    truth = [p for p in placed if p.page == page and p.kind == "cell" and p.text]
    hits = 0
    for p in truth:
        cx, cy = (p.bbox[0] + p.bbox[2]) / 2 * scale, (p.bbox[1] + p.bbox[3]) / 2 * scale
        for c in cells:
            if c.bbox and c.bbox[0] <= cx <= c.bbox[2] and c.bbox[1] <= cy <= c.bbox[3]:
                hits += norm(c.text) == norm(p.text)
                break
    return hits, len(truth)
