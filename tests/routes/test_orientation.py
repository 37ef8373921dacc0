"""Orientation decided page by page: a sideways page after upright ones is turned, and read."""

from __future__ import annotations

import pytest

from extractor.ocr import get_engine
from extractor.options import ExtractOptions
from extractor.pipeline import extract_bytes
from extractor.vision.scan import _turn_boxes, read_page_image
from samples.generate.prints import turn
from samples.generate.scan import ScanStyle, scan_pages, to_pdf
from tests.routes.scan_helpers import norm, render_form, sample_forms

DPI = 150


@pytest.fixture(scope="module")
def pages() -> list:
    rendered = render_form(1)
    upright = scan_pages(rendered.pdf, ScanStyle(dpi=DPI, blur=0.4))
    assert len(upright) >= 2
    return upright


def test_a_pdf_whose_second_page_is_turned_reads_every_row(pages) -> None:
    turned = turn(pages, [0, 1])  # page 1 upright, page 2 turned 90° clockwise
    result = extract_bytes(to_pdf(turned, DPI), "turned.pdf", ExtractOptions())
    expected = sample_forms()[1]["indicators"]
    got = {norm(i.level3 or "") for f in result.forms for i in f.indicators}
    assert len(expected) > 10
    missing = [i["level3"] for i in expected if norm(i["level3"]) not in got]
    assert len(missing) <= 1, missing


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_each_quarter_turn_is_undone(pages, quarters: int) -> None:
    page = turn([pages[-1]], [quarters])[0]
    scan = read_page_image(page, DPI, get_engine("rapidocr"), page=1)
    assert (scan.quarters + quarters) % 4 == 0
    assert scan.image.shape[0] > scan.image.shape[1]  # portrait again


def test_boxes_follow_a_turned_page() -> None:
    assert _turn_boxes([(30, 10, 80, 20)], 1, 200, 100) == [(80, 30, 90, 80)]
    assert _turn_boxes([(30, 10, 80, 20)], 2, 200, 100) == [(120, 80, 170, 90)]
    assert _turn_boxes([(30, 10, 80, 20)], 3, 200, 100) == [(10, 120, 20, 170)]
