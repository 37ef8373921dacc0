"""Vertical label columns (项/目/名/称, one character per line) re-stacked for the line recogniser."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ocr import get_engine
from extractor.vision.crops import character_count, restack_vertical

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def vertical_column(text: str, size: int, leading: float) -> np.ndarray:
    """A column one character wide, lines `leading` × size apart (browsers use about 1.15–1.3)."""
    font = ImageFont.truetype(FONT, size)
    pitch = round(size * leading)
    image = Image.new("L", (size + 4, pitch * len(text) + 4), 255)
    draw = ImageDraw.Draw(image)
    for k, ch in enumerate(text):
        draw.text((2, 2 + k * pitch + (pitch - size) // 2), ch, font=font, fill=0)
    return np.array(image)


@pytest.mark.parametrize(("text", "leading"), [("年度总体目标", 1.25), ("项目名称", 1.3), ("主管部门", 1.0),
                                               ("绩效指标", 1.15)])
def test_characters_of_a_loosely_spaced_column_are_counted(text: str, leading: float) -> None:
    crop = vertical_column(text, 32, leading)
    assert character_count(crop) == len(text)


def test_restacked_column_reads_as_one_line() -> None:
    crop = vertical_column("年度总体目标", 32, 1.25)
    assert round(crop.shape[0] / crop.shape[1]) != 6  # height / width alone would cut wrongly
    ((text, score),) = get_engine("rapidocr").recognize([restack_vertical(crop)])
    assert text == "年度总体目标" and score > 0.9


def test_sliver_cells_at_a_page_cut_are_skipped_not_crashed_on() -> None:
    # A row fragment 3 px tall (an implied rule right under a drawn one) leaves no inside once inset;
    # OpenCV segfaults on an empty array, so such cells must be skipped.
    from extractor.vision.scan import _lone_dashes, _missed_text
    from extractor.vision.segments import Segment, tables_from_segments

    page = np.full((200, 300), 255, np.uint8)
    hs = [Segment(100, 10, 290), Segment(190, 10, 290)]
    vs = [Segment(x, 97, 190) for x in (10, 150, 290)]
    (table,) = tables_from_segments(hs, vs, 1.0)
    assert table.open_top and min(c.bbox[3] - c.bbox[1] for c in table.cells) <= 3
    assert _lone_dashes(page, [table], [], 20.0, 200) == []
    assert _missed_text(get_engine("rapidocr"), page, [table], [], 20.0, 200) == []
