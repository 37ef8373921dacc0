"""Rendered form pages -> orientation, skew, rules and cells (OpenCV only, no OCR)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from extractor.vision.lines import image_segments
from extractor.vision.orient import deskew_angle, is_sideways, rotate, rotate_quarter
from extractor.vision.segments import tables_from_segments
from samples.generate.layout import Style, layout
from samples.generate.pdf import PdfStyle, render_pdf
from samples.generate.scan import ScanStyle, degrade, render_pages

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"
DPI = 150


@pytest.fixture(scope="module")
def rendered():
    form = json.loads(SAMPLE.read_text())["forms"][0]
    out = render_pdf([layout(form, Style.plain())], PdfStyle(line_gray=0.5, line_gaps=0.2, line_width=0.5), seed=4)
    return out, render_pages(out.pdf, DPI)


@pytest.mark.parametrize("angle", [-2.0, -0.7, 0.0, 1.3])
def test_skew_is_measured(rendered, angle: float) -> None:
    _, pages = rendered
    assert deskew_angle(rotate(pages[0], angle)) == pytest.approx(-angle, abs=0.15)


def test_sideways_pages_are_recognised(rendered) -> None:
    _, pages = rendered
    assert not is_sideways(pages[0])
    assert not is_sideways(rotate_quarter(pages[0], 2))
    assert is_sideways(rotate_quarter(pages[0], 1))
    assert is_sideways(rotate_quarter(pages[0], 3))


def test_cells_of_a_degraded_page_match_the_rendered_cells(rendered) -> None:
    out, pages = rendered
    style = ScanStyle(dpi=DPI, blur=0.8, noise=10, light=0.2, jpeg=60)
    page = degrade(pages[0], style, seed=1)
    hs, vs, _ = image_segments(page, DPI)
    tables = tables_from_segments(hs, vs, DPI * 0.04)
    assert len(tables) == 1
    truth = [p for p in out.placed if p.page == 1 and p.kind == "cell"]
    found = tables[0].cells
    assert len(found) == len(truth)
    scale = DPI / 72
    for cell in truth:
        cx, cy = (cell.bbox[0] + cell.bbox[2]) / 2 * scale, (cell.bbox[1] + cell.bbox[3]) / 2 * scale
        hit = [c for c in found if c.bbox[0] <= cx <= c.bbox[2] and c.bbox[1] <= cy <= c.bbox[3]]
        assert len(hit) == 1
        w = (cell.bbox[2] - cell.bbox[0]) * scale
        assert abs((hit[0].bbox[2] - hit[0].bbox[0]) - w) < 0.03 * w + 4
    # The merged 项目资金 label spans the five fund rows.
    assert max(c.rowspan for c in found) >= 5
    assert np.mean([c.colspan > 1 for c in found]) > 0
