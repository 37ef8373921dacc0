"""Toner gain: characters set tight in their cells, strokes thickened by a pixel, join across and
along the rules into runs as long as a short rule. They start and stop inside cells and have their
glyphs' bodies beside them, so they make no column or row of the table (page_tables)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractor.vision.scan import page_tables
from samples.generate import prints

FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"
DPI = 300
COLS = [
    [["其他", "资金", "总额"], ["预期目标"], ["围绕道路", "养护建设", "任务完成", "率达到"], ["质量", "指标"]],
    [["全年", "预算", "数"], ["实际完成"], ["已按计划", "完成各项", "工作"], ["抽检", "质量"]],
    [["执行", "率"], ["情况"], ["公共服务", "水平提升"], ["台"]],
    [["年初", "预算"], ["年度目标"], ["数据准确", "质量"], ["问题", "整改"]],
    [["上年", "结转", "资金"], ["总体"], ["人才队伍", "建设"], ["运维", "成本"]],
]


def _page() -> tuple[np.ndarray, int, int]:
    """A five-column table in 10.5 pt text with little leading, toner-worn at 300 dpi, read at 200."""
    pt = DPI / 72
    size = int(10.5 * pt)
    font = ImageFont.truetype(FONT, size)
    line, pad = int(size * 1.15), int(0.3 * pt)
    xs = [int(60 * pt) + int(i * 52.5 * pt) for i in range(6)]
    ys = [int(60 * pt)]
    for lines in COLS[0]:
        ys.append(ys[-1] + len(lines) * line + 2 * pad)
    img = Image.new("L", (xs[-1] + int(60 * pt), ys[-1] + int(60 * pt)), 255)
    draw = ImageDraw.Draw(img)
    for y in ys:
        draw.rectangle([xs[0], y, xs[-1], y + 1], fill=0)
    for x in xs:
        draw.rectangle([x, ys[0], x + 1, ys[-1]], fill=0)
    for c, column in enumerate(COLS):
        for r, lines in enumerate(column):
            for k, text in enumerate(lines):
                draw.text((xs[c] + int(5.5 * pt), ys[r] + pad + k * line + (line - size) // 2), text, font=font, fill=0)
    worn = prints.wear(np.array(img), "toner", 0, DPI)
    return cv2.resize(worn, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA), len(xs), len(ys)


def test_toner_thickened_strokes_make_no_column_rules() -> None:
    gray, n_x, n_y = _page()
    tables, _ = page_tables(gray, 200)
    assert len(tables) == 1
    assert (len(tables[0].xs), len(tables[0].ys)) == (n_x, n_y)
