"""Line crops of cells from their ink bands, on rendered and degraded form pages (OpenCV only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.ocr.base import RecBatching, plan_batches
from extractor.vision.cell_lines import LineSettings, find_cell_lines
from extractor.vision.lines import erase_lines, image_segments
from extractor.vision.segments import tables_from_segments
from samples.generate.layout import Style, layout
from samples.generate.pdf import PdfStyle, render_pdf
from samples.generate.scan import ScanStyle, degrade, render_pages

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"
DPI = 150


@pytest.fixture(scope="module")
def rendered():
    form = json.loads(SAMPLE.read_text())["forms"][0]
    out = render_pdf([layout(form, Style.plain())], PdfStyle(), seed=2)
    return out, render_pages(out.pdf, DPI)


def _inside(box, cell) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]


@pytest.mark.parametrize("style", [None, ScanStyle(dpi=DPI, blur=0.8, noise=12, light=0.2, jpeg=55)])
def test_cell_text_is_found_as_lines_or_left_to_the_detector(rendered, style) -> None:
    out, pages = rendered
    page = pages[0] if style is None else degrade(pages[0], style, seed=3)
    hs, vs, rules = image_segments(page, DPI)
    tables = tables_from_segments(hs, vs, DPI * 0.04)
    clean = erase_lines(page, [s for t in tables for s in t.h_lines], [s for t in tables for s in t.v_lines],
                        max(2, int(DPI / 60)), rules)
    found = find_cell_lines(clean, tables, DPI, LineSettings())
    assert found is not None
    scale = DPI / 72
    truth = [(tuple(v * scale for v in p.bbox), p.text) for p in out.placed if p.page == 1 and p.kind == "cell"]
    filled = [bbox for bbox, text in truth if text.strip() and text.strip() not in {"—", "-"}]
    empty = [bbox for bbox, text in truth if not text.strip()]
    read = [b for b in filled if any(_inside(p, b) for p in found.pieces)]
    left = [b for b in filled if any(_inside(r, b) or _inside(b, r) for r in found.regions)]
    # No text is lost: every filled cell has line crops or goes to the detector; most need no detector.
    assert all(b in read or b in left for b in filled)
    assert len(read) >= 0.85 * len(filled)
    # Empty cells give no crop, and no crop crosses out of the cell it was found in.
    assert not [b for b in empty if any(_inside(p, b) for p in found.pieces)]
    cells = [c.bbox for t in tables for c in t.cells]
    for p in found.pieces:
        home = [c for c in cells if _inside(p, c)]
        assert len(home) == 1 and home[0][0] <= p[0] and p[2] <= home[0][2]
    assert 0.09 * DPI < found.text_h < 0.2 * DPI  # 9-10.5 pt text


def test_too_much_left_over_means_one_page_detection(rendered) -> None:
    _, pages = rendered
    hs, vs, _ = image_segments(pages[0], DPI)
    tables = tables_from_segments(hs, vs, DPI * 0.04)
    assert find_cell_lines(pages[0], [], DPI, LineSettings()) is None  # no grid: nothing bounds the text
    # Every cell thrown to the detector (no band is "clean" when a line may be at most 0.1 text tall).
    strict = LineSettings(max_line=0.1, min_line=0.05, max_detect_share=0.05)
    assert find_cell_lines(pages[0], tables, DPI, strict) is None


def test_batches_group_similar_widths_and_cover_every_crop() -> None:
    widths = [40, 700, 96, 120, 118, 2400, 100, 330, 99, 50]
    batching = RecBatching(min_ratio=2.0, slack=1.2, max_columns=400)
    batches = plan_batches(widths, batching)
    assert sorted(i for b in batches for i in b) == list(range(len(widths)))
    floor = 96
    for b in batches:
        ws = [max(floor, widths[i]) for i in b]
        assert max(ws) <= 1.2 * min(ws)
        assert len(b) == 1 or len(b) * max(ws) <= 400
    assert [widths[i] for i in batches[-1]] == [2400]  # a crop wider than the budget goes alone
