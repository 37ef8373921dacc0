"""Long documents report progress page by page (the service writes it into the document row)."""

from __future__ import annotations

import json
from pathlib import Path

from extractor.options import ExtractOptions
from extractor.pipeline import extract_bytes
from samples.generate.layout import Style, layout
from samples.generate.pdf import render_pdf

EXPECTED = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"


def test_each_page_is_reported_before_it_is_read_and_a_broken_callback_is_harmless() -> None:
    forms = json.loads(EXPECTED.read_text(encoding="utf-8"))["forms"][:2]
    pdf = render_pdf([layout(f, Style.plain()) for f in forms]).pdf
    seen: list[tuple[int, int]] = []
    result = extract_bytes(pdf, "two.pdf", ExtractOptions(on_page=lambda done, total: seen.append((done, total))))
    pages = result.source.pages
    assert pages and pages >= 2 and len(result.forms) == 2
    assert seen == [(i, pages) for i in range(pages)]

    def broken(done: int, total: int) -> None:
        raise RuntimeError("progress sink down")

    assert len(extract_bytes(pdf, "two.pdf", ExtractOptions(on_page=broken)).forms) == 2
