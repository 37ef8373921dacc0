"""A LibreOffice print of a Word table, turned on the scanner: the page's lines decide its turn."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.ocr import get_engine
from extractor.vision.orient import rotate_quarter
from extractor.vision.scan import read_page_image
from samples.generate import prints
from samples.generate.converters import make_doc

pytestmark = pytest.mark.skipif(prints.missing("soffice") is not None, reason=str(prints.missing("soffice")))
TEST_BASE = 700_000  # neither the benches' documents nor the committed corpus
DPI = 150


@pytest.fixture(scope="module")
def continuation() -> np.ndarray:
    """The second page of a Word table printed by LibreOffice: equal narrow columns, every label wrapped
    to two characters a line, no line longer than a few characters (nothing wide to read it by)."""
    doc = make_doc(4, base=TEST_BASE, n_forms=1)
    pages = prints.rasterise(prints.office_pdf(doc.tables, "docx", prints.PrintLook.random(doc.seed)), DPI)
    assert len(pages) >= 2
    return pages[1]


@pytest.mark.parametrize("quarters", [0, 1, 3])
def test_a_word_tables_stacked_labels_do_not_turn_the_page(continuation: np.ndarray, quarters: int) -> None:
    scan = read_page_image(rotate_quarter(continuation, quarters), DPI, get_engine("rapidocr"), page=2)
    assert (scan.quarters + quarters) % 4 == 0
    assert scan.image.shape[0] > scan.image.shape[1]  # portrait, as printed
    assert sum(len(f.text) for f in scan.content.fragments) > 100
