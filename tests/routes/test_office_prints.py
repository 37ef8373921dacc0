"""Forms as LibreOffice prints them from .xlsx and .docx: the text-layer route reads every row."""

from __future__ import annotations

import pytest

from extractor.options import ExtractOptions
from extractor.pipeline import extract_bytes
from samples.generate import prints
from samples.generate.converters import make_doc

pytestmark = pytest.mark.skipif(prints.missing("soffice") is not None, reason=str(prints.missing("soffice")))
TEST_BASE = 700_000  # neither the benches' documents nor the committed corpus


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_office_prints_read_back(kind: str) -> None:
    doc = make_doc(1, base=TEST_BASE, n_forms=2)
    pdf = prints.office_pdf(doc.tables, kind, prints.PrintLook(repeat_first_row=kind == "docx"))
    result = extract_bytes(pdf, f"print-{kind}.pdf", ExtractOptions())
    assert result.source.route == "pdf-text" and result.source.pages >= 2
    expected = [[(i["level3"], i["weight"], i["score"]) for i in f["indicators"]] for f in doc.expected["forms"]]
    got = [[(i.level3, float(i.weight) if i.weight is not None else None,
             float(i.score) if i.score is not None else None) for i in f.indicators] for f in result.forms]
    assert got == [[(n, float(w) if w is not None else None, float(s) if s is not None else None)
                    for n, w, s in form] for form in expected]


def test_rasterisers_and_wear_keep_the_page() -> None:
    doc = make_doc(1, base=TEST_BASE, n_forms=1)
    pdf = prints.office_pdf(doc.tables, "xlsx")
    for tool in prints.RASTERISERS:
        if prints.missing(tool):
            continue
        page = prints.rasterise(pdf, 100, tool)[0]
        assert page.ndim == 2 and 1100 <= page.shape[0] <= 1200 and page.min() < 100  # A4 at 100 dpi, inked
        for kind in prints.WEAR:
            worn = prints.wear(page, kind, 1, 100)
            if kind == "landscape":
                assert worn.shape[1] > worn.shape[0]
            else:
                assert worn.shape == page.shape and (worn != page).any(), kind
