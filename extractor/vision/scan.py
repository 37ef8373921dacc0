"""One page image -> PageContent: orientation, deskew, ruling lines, cells, OCR of cell pieces.

Text is detected once per page (on the page with rules erased) and only the detected pieces are
recognised; there is no second pass per cell. The 0/180 decision compares recognition confidence
of a few lines read both ways, instead of a per-line classifier that flips short crops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.grid import BBox
from extractor.normalize import normalise_operators
from extractor.ocr.base import OcrEngine, crop_box
from extractor.vision.assemble import Fragment, PageContent
from extractor.vision.cell_lines import CellLines, LineSettings, find_cell_lines
from extractor.vision.crops import is_vertical, restack_vertical, split_at_cells
from extractor.vision.lines import binarize, erase_lines, image_segments
from extractor.vision.orient import deskew_angle, is_sideways, rotate, rotate_quarter
from extractor.vision.segments import Table, tables_from_segments

DET_LONG_SIDE = 1280  # detection input size: 9-pt text stays ~14 px tall on A4; time drops by 2/3
WORK_DPI = 200  # finer scans are read at this resolution


@dataclass(slots=True)
class ScanPage:
    """Everything learnt about one page image, kept for the debug overlay."""

    image: np.ndarray  # the levelled grey page the boxes refer to
    content: PageContent
    boxes: list[BBox] = field(default_factory=list)
    quarters: int = 0
    skew: float = 0.0


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _detect(engine: OcrEngine, gray: np.ndarray) -> list[BBox]:
    scale = min(1.0, DET_LONG_SIDE / max(gray.shape[:2]))
    small = gray if scale >= 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return [(x0 / scale, y0 / scale, x1 / scale, y1 / scale) for x0, y0, x1, y1 in engine.detect(small)]


ORIENT_SAMPLE = 4  # text lines read per candidate orientation
ORIENT_MARGIN = 0.05  # mean confidence a turn must gain over the page as it lies


def _quarters_to_upright(engine: OcrEngine, gray: np.ndarray, boxes: list[BBox]) -> tuple[int | None, float]:
    """Clockwise quarter turns that make the page upright, read from the text itself.

    Upright text reads with confidence near 1.0 and turned text far lower. Lines wider than tall
    are read as they lie and upside down (0 or 2 turns); lines taller than wide (a turned page's
    lines, or a column of stacked characters) turned either way (1 or 3). The orientation whose
    sample reads best wins; the page stays as it lies unless a turn reads clearly better. A cheap
    layout guess (is_sideways) only chooses the first look; it never decides alone. None: no line
    long enough to tell (a near-empty page). With the turn comes the mean confidence it read at.
    """
    def long_side(b: BBox) -> float:
        return max(b[2] - b[0], b[3] - b[1])

    wide = sorted((b for b in boxes if (b[2] - b[0]) >= 2.0 * (b[3] - b[1])), key=long_side, reverse=True)
    tall = sorted((b for b in boxes if (b[3] - b[1]) >= 2.0 * (b[2] - b[0])), key=long_side, reverse=True)
    samples = {0: wide[:ORIENT_SAMPLE], 2: wide[:ORIENT_SAMPLE], 1: tall[:ORIENT_SAMPLE], 3: tall[:ORIENT_SAMPLE]}
    crops: list[np.ndarray] = []
    owners: list[int] = []
    for quarters, sample in samples.items():
        if quarters in (1, 3) and len(sample) < (2 if len(wide) >= 2 else 1):
            continue  # one tall box beside lines is a stacked label; on a near-empty page it is the text
        for box in sample:
            crops.append(rotate_quarter(crop_box(gray, box), quarters))
            owners.append(quarters)
    if not crops:
        return None, 0.0
    read = engine.recognize(crops)
    score: dict[int, list[float]] = {}
    for quarters, (_, conf) in zip(owners, read, strict=True):
        score.setdefault(quarters, []).append(conf)
    mean = {q: sum(v) / len(v) for q, v in score.items()}
    best = max(mean, key=lambda q: mean[q])
    if best == 0 or mean[best] <= mean.get(0, 0.0) + ORIENT_MARGIN:
        return 0, mean.get(0, 0.0)
    return best, mean[best]


def _turn_boxes(boxes: list[BBox], quarters: int, width: float, height: float) -> list[BBox]:
    """Boxes of a `width` x `height` page after `quarters` clockwise turns of the page."""
    out = []
    for box in boxes:
        x0, y0, x1, y1 = box
        w, h = width, height
        for _ in range(quarters % 4):  # one clockwise turn: (x, y) -> (h - y, x) on an h x w page
            x0, y0, x1, y1 = h - y1, x0, h - y0, x1
            w, h = h, w
        out.append((x0, y0, x1, y1))
    return sorted(out, key=lambda b: (b[1], b[0]))


def _detect_regions(engine: OcrEngine, clean: np.ndarray, lines: CellLines) -> list[BBox]:
    """Detection over just the regions the cells' bands left open, each at the page's detection
    scale with a white margin (the detector misses text that touches the image edge)."""
    scale = min(1.0, DET_LONG_SIDE / max(clean.shape[:2]))
    margin = max(4, int(lines.text_h))
    boxes: list[BBox] = []
    for region in lines.regions:
        x0, y0 = max(0, int(region[0])), max(0, int(region[1]))
        crop = np.pad(crop_box(clean, region), margin, constant_values=255)
        small = crop if scale >= 1.0 else cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        boxes += [(x0 + bx0 / scale - margin, y0 + by0 / scale - margin, x0 + bx1 / scale - margin,
                   y0 + by1 / scale - margin) for bx0, by0, bx1, by1 in engine.detect_region(small)]
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def _structure(gray: np.ndarray, dpi: float) -> tuple[list[Table], np.ndarray]:
    hs, vs, rules = image_segments(gray, dpi)
    tol = max(4.0, dpi * 0.04)
    tables = tables_from_segments(hs, vs, tol)
    line_w = max(2, int(dpi / 60))
    # Only rules that made a table are erased (other long ink runs may be strokes of characters),
    # and only their own pixels: text printed flush against a rule keeps its strokes.
    return tables, erase_lines(gray, [s for t in tables for s in t.h_lines],
                               [s for t in tables for s in t.v_lines], line_w, rules)


def _interior(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int, inset: int) -> np.ndarray | None:
    """A cell's inside less `inset`, or None when nothing is left (a sliver of a row at a page cut,
    a cell partly off the page): OpenCV crashes on an empty array."""
    h, w = ink.shape[:2]
    a, b = max(0, y0 + inset), min(h, y1 - inset)
    c, d = max(0, x0 + inset), min(w, x1 - inset)
    if b - a < 2 or d - c < 2:
        return None
    return np.ascontiguousarray(ink[a:b, c:d])


def _lone_dashes(clean: np.ndarray, tables: list[Table], frags: list[Fragment], text_h: float,
                 dpi: float) -> list[Fragment]:
    """A cell holding only a dash (—, "not applicable"): text detectors skip a single thin stroke,
    so an otherwise empty cell is checked for one short, flat blob of ink."""
    found: list[Fragment] = []
    ink = None
    inset = max(3, int(dpi / 25))
    for table in tables:
        for cell in table.cells:
            x0, y0, x1, y1 = (int(v) for v in cell.bbox)
            if any(x0 <= (f.bbox[0] + f.bbox[2]) / 2 <= x1 and y0 <= (f.bbox[1] + f.bbox[3]) / 2 <= y1
                   for f in frags):
                continue
            if ink is None:
                ink = binarize(clean)
            inside = _interior(ink, x0, y0, x1, y1, inset)
            if inside is None:
                continue
            n, _, stats, _ = cv2.connectedComponentsWithStats(inside)
            blobs = [st for st in stats[1:] if st[4] >= max(4.0, 0.02 * text_h * text_h)]
            mark = _flat_mark(blobs, text_h)
            if mark is None:
                continue
            text, (bx, by, bw, bh) = mark
            # In the middle band of the cell: what is left of an erased rule lies along the border.
            mid = y0 + inset + by + bh / 2
            if abs(mid - (y0 + y1) / 2) <= 0.25 * (y1 - y0):
                left, top = x0 + inset + bx, y0 + inset + by
                found.append(Fragment(text, (float(left), float(top), float(left + bw), float(top + bh)), 0.85))
    return found


COMPARISONS = frozenset((">=", "<=", ">", "<", "=", "!="))  # 指标性质 signs, as normalise_operators writes them
FLAT_READINGS = frozenset("一—-－_二")  # what a recogniser makes of = (two flat strokes) read alone


def _equals_by_shape(clean: np.ndarray, frags: list[Fragment], text_h: float) -> list[Fragment]:
    """A flat reading (一, —, 二) alone or before a number whose ink there is two strokes of one
    length, one above the other, is an equals sign: at small sizes the recogniser reads = as a dash
    (`—100%` for `=100%`)."""
    out: list[Fragment] = []
    ink = None
    for frag in frags:
        text = frag.text
        if text[:1] in FLAT_READINGS and (len(text) == 1 or text[1].isdigit()):
            if ink is None:
                ink = binarize(clean)
            x0, y0, x1, y1 = (int(round(v)) for v in frag.bbox)
            inside = np.ascontiguousarray(ink[max(0, y0):y1, max(0, x0):x1])
            if inside.shape[0] >= 2 and inside.shape[1] >= 2:
                _, _, stats, _ = cv2.connectedComponentsWithStats(inside)
                blobs = [st for st in stats[1:] if st[4] >= max(4.0, 0.02 * text_h * text_h)]
                if blobs:
                    # The first character's strokes: those starting within a narrow em of the first ink.
                    left = min(st[0] for st in blobs)
                    first = [st for st in blobs if st[0] < left + 0.5 * text_h]
                    mark = _flat_mark(first, text_h)
                    if mark is not None and mark[0] == "=":
                        frag = Fragment("=" + text[1:], frag.bbox, frag.confidence)
        out.append(frag)
    return out


def _flat_bar(st: np.ndarray, text_h: float, widest: float) -> bool:
    """A flat stroke about a character wide (at most `widest` text heights)."""
    bw, bh = st[2], st[3]
    return 0.3 * text_h <= bw <= widest * text_h and bh <= 0.3 * text_h and bw >= 3 * bh


def _flat_mark(blobs: list[np.ndarray], text_h: float) -> tuple[str, tuple[int, int, int, int]] | None:
    """A mark made of flat strokes alone: one, a dash (—); two of one length one above the other, an
    equals sign (=, the 指标性质 of a target met exactly). Text detectors box neither. The strokes of
    二 differ in length (the upper one is shorter), so it is no equals sign."""
    if len(blobs) == 1 and _flat_bar(blobs[0], text_h, 2.5) and blobs[0][2] >= 0.4 * text_h:
        bx, by, bw, bh, _ = blobs[0]
        return "—", (int(bx), int(by), int(bw), int(bh))
    if len(blobs) != 2 or not all(_flat_bar(b, text_h, 1.2) for b in blobs):
        return None
    top, low = sorted(blobs, key=lambda b: b[1])
    left, right = max(top[0], low[0]), min(top[0] + top[2], low[0] + low[2])
    widths = sorted((int(top[2]), int(low[2])))
    gap = low[1] - (top[1] + top[3])
    if right - left < 0.85 * widths[1] or widths[0] < 0.85 * widths[1] or not 0 < gap <= 0.5 * text_h:
        return None
    x0, y0 = min(top[0], low[0]), top[1]
    return "=", (int(x0), int(y0), int(max(top[0] + top[2], low[0] + low[2]) - x0), int(low[1] + low[3] - y0))


def _missed_text(engine: OcrEngine, clean: np.ndarray, tables: list[Table], frags: list[Fragment],
                 text_h: float, dpi: float, judged: frozenset[BBox] = frozenset()) -> list[Fragment]:
    """Text in cells the detector left empty: a lone digit printed flush against a rule (分值 "5") is
    easy to miss at detection size. Glyph-sized ink in an empty cell is recognised as it stands.
    Of the cells in `judged` (their ink read line by line already) only those holding two or more
    pieces that are no dash or = are looked at: a pair of signs flatter than a line (>=)."""
    ink = None
    inset = max(3, int(dpi / 40))
    boxes: list[BBox] = []
    signs: list[bool] = []  # the box is a judged cell's
    for table in tables:
        for cell in table.cells:
            x0, y0, x1, y1 = (int(v) for v in cell.bbox)
            if x1 - x0 <= 2 * inset or y1 - y0 <= 2 * inset or any(
                    x0 <= (f.bbox[0] + f.bbox[2]) / 2 <= x1 and y0 <= (f.bbox[1] + f.bbox[3]) / 2 <= y1
                    for f in frags):
                continue
            if ink is None:
                ink = binarize(clean)
            inside = _interior(ink, x0, y0, x1, y1, inset)
            if inside is None:
                continue
            _, _, stats, _ = cv2.connectedComponentsWithStats(inside)
            # Pieces of ink, not specks; together they must stand about a character tall (a digit may
            # come apart in two when binarised).
            glyphs = [st for st in stats[1:] if st[4] >= 0.01 * text_h ** 2]
            if not glyphs or sum(st[4] for st in glyphs) < 0.05 * text_h ** 2:
                continue
            # A cell the bands judged holds a dash or = (the dash check's) or a small pair of signs
            # flatter than a text line (>=, <= printed in ASCII), which is read here.
            if cell.bbox in judged and (len(glyphs) < 2 or _flat_mark(
                    [st for st in stats[1:] if st[4] >= max(4.0, 0.02 * text_h * text_h)], text_h) is not None):
                continue
            tall = max(st[1] + st[3] for st in glyphs) - min(st[1] for st in glyphs)
            if not (0.4 if cell.bbox in judged else 0.5) * text_h <= tall <= 1.6 * text_h:
                continue
            pad = 0.25 * text_h
            gx0 = min(st[0] for st in glyphs) + x0 + inset - pad
            gy0 = min(st[1] for st in glyphs) + y0 + inset - pad
            gx1 = max(st[0] + st[2] for st in glyphs) + x0 + inset + pad
            gy1 = max(st[1] + st[3] for st in glyphs) + y0 + inset + pad
            boxes.append((float(max(x0, gx0)), float(max(y0, gy0)), float(min(x1, gx1)), float(min(y1, gy1))))
            signs.append(cell.bbox in judged)
    if not boxes:
        return []
    read = engine.recognize([crop_box(clean, b) for b in boxes])
    # What a judged cell gives is kept only as a comparison sign (what 指标性质 holds): the noise of
    # a heavy scan in an empty cell can read as letters with some confidence.
    return [Fragment(text.strip(), box, conf) for box, (text, conf), sign in zip(boxes, read, signs, strict=True)
            if text.strip() and conf >= 0.6 and (not sign or normalise_operators(text.strip()) in COMPARISONS)]


def read_page_image(image: np.ndarray, dpi: float, engine: OcrEngine, page: int, scale: float = 1.0) -> ScanPage:
    """OCR one page. `scale` converts pixels to the grid's unit (72/dpi for PDF pages, 1 for images)."""
    gray = to_gray(image)
    work = min(1.0, WORK_DPI / dpi)
    if work < 0.95:
        # 200 dpi holds 8-pt text well; reading a 300 dpi page at full size only costs time.
        gray = cv2.resize(gray, None, fx=work, fy=work, interpolation=cv2.INTER_AREA)
        dpi, scale = dpi * work, scale / work
    quarters = 1 if is_sideways(gray) else 0
    gray = rotate_quarter(gray, quarters)
    skew = deskew_angle(gray)
    gray = rotate(gray, skew)
    tables, clean = _structure(gray, dpi)
    # Cells whose ink is clean lines give their line crops directly; the detector reads the rest.
    settings = LineSettings()

    def find(gray_clean: np.ndarray, found_tables: list[Table]) -> tuple[CellLines | None, list[BBox], list[BBox], list[BBox]]:
        cell_lines = find_cell_lines(gray_clean, found_tables, dpi, settings)
        if cell_lines is None:
            return None, _detect(engine, gray_clean), [], []
        return cell_lines, _detect_regions(engine, gray_clean, cell_lines), cell_lines.pieces, cell_lines.lone

    lines, boxes, direct, lone = find(clean, tables)
    bands_current = True  # the bands were read on the page as it now lies
    turn, conf = _quarters_to_upright(engine, clean, boxes + direct)
    if quarters and turn in (0, 2):
        # Only the layout guess turned the page sideways, and turned text can read about as well as
        # upright (narrow columns of two-character lines stack into tall blocks; CJK glyphs read
        # turned). The page as it came is read too, and wins when it reads better upright or upside
        # down by the same margin a turn must gain.
        gray0 = rotate_quarter(gray, -quarters)
        tables0, clean0 = _structure(gray0, dpi)
        found0 = find(clean0, tables0)
        turn0, conf0 = _quarters_to_upright(engine, clean0, found0[1] + found0[2])
        if turn0 in (0, 2) and conf0 > conf + ORIENT_MARGIN:
            quarters, gray, tables, clean, turn = 0, gray0, tables0, clean0, turn0
            lines, boxes, direct, lone = found0
    if turn is None:
        turn = -quarters % 4  # nothing to read it by: the page as it came, not the layout guess
    if turn:
        # Turn the page; a half turn takes the boxes with it, a quarter turn reads the page again
        # (lines found across a turned page are not the lines of the upright one).
        quarters += turn
        h, w = gray.shape[:2]
        gray = rotate_quarter(gray, turn)
        tables, clean = _structure(gray, dpi)
        if turn == 2:
            boxes, direct, lone = (_turn_boxes(found, 2, w, h) for found in (boxes, direct, lone))
            bands_current = False
        else:
            lines, boxes, direct, lone = find(clean, tables)
    heights = [b[3] - b[1] for b in boxes + direct]
    char = float(np.median(heights)) if heights else dpi / 7
    inset = max(1.0, dpi / 100)
    pieces: list[BBox] = list(direct)
    for box in boxes:
        pieces.extend(split_at_cells(box, tables, inset) if tables else [box])
    crops = []
    for piece in pieces:
        crop = crop_box(clean, piece, pad=1)
        crops.append(restack_vertical(crop) if is_vertical(piece, char) else crop)
    read = engine.recognize(crops)
    unsure = set(lone)
    frags = [Fragment(text.strip(), piece, conf) for piece, (text, conf) in zip(pieces, read, strict=True)
             if text.strip() and (conf >= settings.lone_conf or piece not in unsure)]
    # Judged cells are those of the page the bands were read on; a turned page has other cells.
    judged = frozenset(lines.judged) if lines is not None and bands_current else frozenset()
    frags += _missed_text(engine, clean, tables, frags, char / 1.5, dpi, judged)
    frags += _lone_dashes(clean, tables, frags, char / 1.5, dpi)
    frags = _equals_by_shape(clean, frags, char / 1.5)
    h, w = gray.shape[:2]
    content = PageContent(page=page, width=float(w), height=float(h), tables=tables, fragments=frags,
                          source="ocr", scale=scale)
    return ScanPage(image=gray, content=content, boxes=pieces, quarters=quarters, skew=skew)
