"""The scan route's recognition keeps what a line piece left out: a mark past its end is read with the
line, a mark wrapped alone onto a line of its own is read on its own, and ink nothing reads is said on
the cell. Real rendered text and the real engine; the pieces stand where the band reading puts them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ocr import get_engine
from extractor.ocr.base import crop_box
from extractor.vision.assemble import Fragment
from extractor.vision.cell_lines import LineSettings, text_ink
from extractor.vision.scan import ReadSettings, _equals_by_shape, _read_pieces, _signs_by_shape, _unread_ink
from extractor.vision.segments import Table, TableCell

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SIZE = 28  # text height in px: 8-pt text at 200 dpi is about 26
CELL = (10.0, 10.0, 700.0, 130.0)


def page(lines: list[str], mark: str = "") -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """A white page with one cell holding `lines`, and each line's ink box; `mark` follows the first
    line with the space before it of a font that centres its punctuation in the em."""
    font = ImageFont.truetype(FONT, SIZE)
    img = Image.new("L", (720, 140), 255)
    draw = ImageDraw.Draw(img)
    boxes = []
    for k, text in enumerate(lines):
        x, y = 30, 25 + k * 45
        draw.text((x, y), text, font=font, fill=0)
        boxes.append(tuple(float(v) for v in draw.textbbox((x, y), text, font=font)))
    if mark:
        draw.text((boxes[0][2] + 0.4 * SIZE, 25), mark, font=font, fill=0)
    return np.asarray(img).copy(), boxes


def table() -> Table:
    return Table(ys=[CELL[1], CELL[3]], xs=[CELL[0], CELL[2]], cells=[TableCell(0, 0, 1, 1, CELL)])


def padded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    pad = 0.33 * SIZE
    return box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad


@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("rapidocr")
    return get_engine("rapidocr")


def test_a_mark_past_a_pieces_end_is_read_with_its_line(engine) -> None:
    clean, (box,) = page(["升级改造基础设施"], mark="、")
    # The piece as the band reading made it when it took the 、 for a speck: up to 施, padded.
    piece = padded(box)
    ink = text_ink(clean, 200, LineSettings())
    ((read, weak, got),) = _read_pieces(engine, clean, ink, [piece], [crop_box(clean, piece, pad=1)], [table()],
                                        SIZE, ReadSettings())
    assert read.text == "升级改造基础设施、"
    assert got[2] > piece[2] and not [w for w in weak if not w.char]


def test_a_mark_alone_on_the_last_line_is_read_and_other_unread_ink_is_said(engine) -> None:
    clean, (line, _) = page(["把控项目进度，无安全事故发生", "。"])
    frags = [Fragment("把控项目进度，无安全事故发生", padded(line), 0.99)]
    ink = text_ink(clean, 200, LineSettings())
    found = _unread_ink(engine, clean, ink, [table()], frags, SIZE, ReadSettings())
    assert [f.text for f in found] == ["。"]
    assert found[0].bbox[1] >= line[3] - 2  # below the line: it joins the cell's text after it
    # A character no piece covers is not read here (the detector passed over it): it is said.
    clean, (line, _) = page(["把控项目进度，无安全事故发生", "工作"])
    frags = [Fragment("把控项目进度，无安全事故发生", padded(line), 0.99)]
    ink = text_ink(clean, 200, LineSettings())
    assert _unread_ink(engine, clean, ink, [table()], frags, SIZE, ReadSettings()) == []
    assert [(w.before, w.char) for w in frags[0].weak] == [("事故发生", "")]


def test_a_mark_wrapped_alone_in_a_centred_cell_is_read_with_its_line(engine) -> None:
    # LibreOffice prints a spreadsheet's cells centred: the wrapped 。 stands under the line's middle.
    font = ImageFont.truetype(FONT, SIZE)
    img = Image.new("L", (720, 140), 255)
    draw = ImageDraw.Draw(img)
    text = "把控项目进度，无安全事故发生"
    line = draw.textbbox((0, 0), text, font=font)
    x = (720 - (line[2] - line[0])) // 2
    draw.text((x, 25), text, font=font, fill=0)
    line = tuple(float(v) for v in draw.textbbox((x, 25), text, font=font))
    mark = draw.textbbox((0, 0), "。", font=font)
    draw.text((360 - (mark[2] - mark[0]) // 2, 70), "。", font=font, fill=0)
    clean = np.asarray(img).copy()
    frags = [Fragment(text, padded(line), 0.99)]
    found = _unread_ink(engine, clean, text_ink(clean, 200, LineSettings()), [table()], frags, SIZE, ReadSettings())
    assert [f.text for f in found] == ["。"]
    assert not frags[0].weak


def flat_strokes(widths: tuple[int, int], grey: int, touching: bool) -> tuple[np.ndarray, Fragment]:
    """Two flat 2-px strokes a pale pixel apart (a thin = at 200 dpi, as a 300 dpi print comes out
    when scaled down), centred on each other, then 100% after them, close enough to touch or not."""
    font = ImageFont.truetype(FONT, SIZE)
    img = Image.new("L", (300, 80), 255)
    draw = ImageDraw.Draw(img)
    x0 = 20
    for k, width in enumerate(widths):
        left = x0 + (max(widths) - width) // 2
        draw.rectangle((left, 38 + 3 * k, left + width - 1, 39 + 3 * k), fill=grey if k == 0 else 90)
    digits = x0 + max(widths) - (2 if touching else -4)
    draw.text((digits, 22), "100%", font=font, fill=0)
    right = draw.textbbox((digits, 22), "100%", font=font)[2]
    return np.asarray(img).copy(), Fragment("—100%", (x0 - 6.0, 22.0, right + 6.0, 62.0), 0.9)


def test_a_thin_equals_sign_read_as_a_dash_is_told_by_its_strokes() -> None:
    for touching in (False, True):
        clean, frag = flat_strokes((34, 34), 165, touching)
        assert [f.text for f in _equals_by_shape(clean, [frag], SIZE / 1.2)] == ["=100%"], touching
    # 二's upper stroke is shorter: no equals sign; nor is one stroke alone.
    clean, frag = flat_strokes((22, 34), 165, False)
    assert [f.text for f in _equals_by_shape(clean, [frag], SIZE / 1.2)] == ["—100%"]
    clean, frag = flat_strokes((34, 34), 255, False)
    assert [f.text for f in _equals_by_shape(clean, [frag], SIZE / 1.2)] == ["—100%"]


SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"  # LibreOffice's face for a Word table's signs


def printed(text: str, font_path: str = SERIF) -> tuple[np.ndarray, Fragment]:
    font = ImageFont.truetype(font_path, SIZE)
    img = Image.new("L", (300, 80), 255)
    draw = ImageDraw.Draw(img)
    draw.text((20, 20), text, font=font, fill=0)
    box = draw.textbbox((20, 20), text, font=font)
    return np.asarray(img).copy(), Fragment("", (box[0] - 6.0, box[1] - 6.0, box[2] + 6.0, box[3] + 6.0), 0.5)


def test_a_comparison_sign_read_as_a_letter_is_told_by_its_chevron() -> None:
    for text, read, want in (("≥95%", "N95%", ">=95%"), ("≤200", "M200", "<=200"), ("≥", "V", ">="), ("≤", "M", "<="),
                             ("≥90%", "V=90%", ">=90%")):
        clean, frag = printed(text)
        (got,) = _signs_by_shape(clean, [Fragment(read, frag.bbox, 0.5)], SIZE / 1.2, ReadSettings())
        assert got.text == want, text
    # Letters that are letters stay: no bar under a chevron.
    for text in ("N5", "V", "M2", "L3", "E"):
        clean, frag = printed(text)
        (got,) = _signs_by_shape(clean, [Fragment(text, frag.bbox, 0.9)], SIZE / 1.2, ReadSettings())
        assert got.text == text, text


def test_an_equals_sign_alone_on_the_first_line_of_a_tall_cell_is_read() -> None:
    from extractor.vision.scan import _lone_dashes

    # Word prints a table's cells top-aligned: a = in its 指标性质 cell stands on the row's first line,
    # level with the value beside it, far above the middle of a row three lines tall.
    img = Image.new("L", (300, 160), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 32, 56, 34), fill=0)
    draw.rectangle((40, 38, 56, 40), fill=0)
    draw.text((170, 22), "100", font=ImageFont.truetype(FONT, SIZE), fill=0)
    cells = [TableCell(0, 0, 1, 1, (10.0, 10.0, 150.0, 150.0)), TableCell(0, 1, 1, 1, (150.0, 10.0, 290.0, 150.0))]
    tab = Table(ys=[10.0, 150.0], xs=[10.0, 150.0, 290.0], cells=cells)
    beside = [Fragment("100", (165.0, 20.0, 220.0, 52.0), 0.99)]
    assert [f.text for f in _lone_dashes(np.asarray(img).copy(), [tab], beside, SIZE / 1.2, 200)] == ["="]
    # Alone in the row (nothing level with it), ink that high in a tall cell may be what is left of a rule.
    assert _lone_dashes(np.asarray(img).copy(), [tab], [], SIZE / 1.2, 200) == []
