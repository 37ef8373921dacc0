"""Image route: real OCR on real rendered, degraded pages (PNG, multi-page TIFF), limits."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from scan_helpers import cell_matches, norm, render_form

from extractor.errors import CorruptInput, LimitExceeded, UnsupportedInput
from extractor.options import ExtractOptions
from extractor.pipeline import extract_pages
from extractor.routes.image import read_image
from samples.generate import prints
from samples.generate.converters import make_doc
from samples.generate.pdf import PdfStyle
from samples.generate.scan import ScanStyle, scan_pages, to_png, to_tiff


def test_skewed_noisy_200dpi_page_with_vertical_labels(tmp_path) -> None:
    form = render_form(1, PdfStyle(narrow_first_col=True, font="wqy-microhei"))
    style = ScanStyle(dpi=200, skew=1.5, blur=0.7, noise=9, light=0.1, jpeg=75)
    page = scan_pages(form.pdf, style, seed=2, pages=[0])[0]
    out = read_image(to_png(page, 200), ExtractOptions(debug_dir=tmp_path))
    assert out.route == "image" and out.pages == 1
    assert (tmp_path / "page-001.png").stat().st_size > 10_000
    # Boxes are pixels of the levelled page at 200 dpi: scale the rendered points by 200/72.
    hits, total = cell_matches(form.placed, out.grid.cells, 1, 200 / 72)
    assert hits >= 0.95 * total, (hits, total)
    # Lone dashes (not applicable) are read although the text detector skips them.
    dashes = [p for p in form.placed if p.page == 1 and p.kind == "cell" and p.text == "—"]
    assert dashes and len([c for c in out.grid.cells if c.text == "—"]) == len(dashes)
    labels = {norm(c.text) for c in out.grid.cells if c.col == 0}
    assert {"项目名称", "主管部门", "年度总体目标"} <= labels  # stacked vertically in the narrow column
    assert all(c.source == "ocr" for c in out.grid.cells)
    assert any(c.confidence < 1.0 for c in out.grid.cells)


def test_turned_pages_in_a_multipage_tiff() -> None:
    form = render_form(2)
    last = form.pages - 1
    upside_down = scan_pages(form.pdf, ScanStyle(dpi=150, blur=0.5, quarter_turns=2), pages=[last])[0]
    sideways = scan_pages(form.pdf, ScanStyle(dpi=150, blur=0.5, quarter_turns=1), pages=[last])[0]
    out = read_image(to_tiff([upside_down, sideways], 150), ExtractOptions())
    assert out.pages == 2
    placed = [p.__class__(1, p.text, p.bbox, p.kind, p.role) for p in form.placed if p.page == last + 1]
    for page in (1, 2):
        cells = [c for c in out.grid.cells if c.page == page]
        hits, total = cell_matches(placed, cells, 1, 150 / 72)
        assert hits >= 0.95 * total, (page, hits, total)


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) \
        + chunk(b"IEND", b"")


def test_image_limits_and_junk() -> None:
    small = Image.new("L", (400, 300), 255)
    buf = io.BytesIO()
    small.save(buf, format="PNG")
    with pytest.raises(LimitExceeded) as err:
        read_image(buf.getvalue(), ExtractOptions(max_page_pixels=100_000))
    assert err.value.code == "page_too_large"
    with pytest.raises(LimitExceeded) as err:
        read_image(to_tiff([np.asarray(small)] * 3, 100), ExtractOptions(max_pages=2))
    assert err.value.code == "too_many_pages"
    # A bomb: a PNG header claiming 40000 x 40000 pixels; the header alone must refuse it.
    with pytest.raises(LimitExceeded) as err:
        read_image(png_header_only(40_000, 40_000), ExtractOptions())
    assert err.value.code == "page_too_large"
    with pytest.raises(CorruptInput):
        read_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, ExtractOptions())


@pytest.mark.skipif(prints.missing("soffice") is not None, reason=str(prints.missing("soffice")))
def test_one_file_per_page_is_one_document() -> None:
    """A scanner that writes each page to its own file: the form continued on the second file (no
    header there, its rows split from the first page's) is one form, as in a multi-page TIFF."""
    doc = make_doc(4, base=700_000, n_forms=1)  # the tests' documents, not the benches'
    pages = prints.rasterise(prints.office_pdf(doc.tables, "docx", prints.PrintLook.random(doc.seed)), 150)
    assert len(pages) == 2
    result = extract_pages([(f"page-{i}.png", to_png(p, 150)) for i, p in enumerate(pages, 1)], ExtractOptions())
    assert result.source.route == "image" and result.source.pages == 2
    assert result.source.filename == "page-1.png"
    [form] = result.forms
    expected = doc.expected["forms"][0]
    assert form.pages == [1, 2]
    assert float(form.total.score or 0) == pytest.approx(float(expected["total"]["score"]))  # printed on the second page
    got = {norm(i.level3 or "") for i in form.indicators}
    missing = [i["level3"] for i in expected["indicators"] if norm(i["level3"]) not in got]
    assert len(expected["indicators"]) > 10 and len(missing) <= 1, missing


def test_only_page_images_are_joined() -> None:
    with pytest.raises(UnsupportedInput):
        extract_pages([("page-1.png", to_png(np.full((200, 150), 255, np.uint8), 100)), ("notes.txt", b"text")])
