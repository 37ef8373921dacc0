"""One page image -> PageContent: orientation, deskew, ruling lines, cells, OCR of cell pieces.

Text is detected once per page (on the page with rules erased) and only the detected pieces are
recognised; there is no second pass per cell. The 0/180 decision compares recognition confidence
of a few lines read both ways, instead of a per-line classifier that flips short crops.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from extractor.grid import BBox, WeakSpot
from extractor.normalize import normalise_operators
from extractor.ocr.base import LineRead, OcrEngine, crop_box
from extractor.vision.assemble import Fragment, PageContent
from extractor.vision.cell_lines import CellLines, LineSettings, find_cell_lines, text_ink
from extractor.vision.crops import is_vertical, restack_vertical, split_at_cells
from extractor.vision.lines import binarize, erase_lines, image_segments, rule_remnant, stands_out
from extractor.vision.orient import deskew_angle, is_sideways, rotate, rotate_quarter
from extractor.vision.segments import (
    RuleMending,
    Segment,
    Table,
    drop_loose,
    mend_rules,
    open_sides,
    tables_from_segments,
    text_gap_sides,
    with_sides,
)

DET_LONG_SIDE = 1280  # detection input size: 9-pt text stays ~14 px tall on A4; time drops by 2/3
WORK_DPI = 200  # finer scans are read at this resolution


class ReadSettings(BaseModel):
    """What the recognition step keeps of the engine's own doubts, in text heights where a length."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weak_char: float = Field(0.9, ge=0, le=1, description="a character read below this is kept on its cell as a "
                             "weak spot (extractor.confidence decides which ones a reviewer is asked about)")
    gap_pitch: float = Field(1.8, gt=1, description="two CJK characters this many times the line's character "
                             "pitch apart, with ink between them, had a character between them the engine "
                             "did not read (a full-width ， or 、 takes a whole em)")
    gap_pairs: int = Field(4, ge=2, description="CJK neighbours a line needs for its pitch to be told (the frames "
                           "of a spaced-out four-character label, 项目名称, stand unevenly)")
    gap_core: float = Field(0.6, ge=0, description="ink is looked for this many pitches clear of each character's "
                            "middle (their own strokes reach about half a pitch)")
    mark_reach: float = Field(1.0, gt=0, description="how far past a line piece's end a mark it left out is "
                              "looked for: a ， 、 。 or ” sits in the first half of its em")
    mark_side: float = Field(0.2, gt=0, description="least side of a mark (smaller ink is a speck)")
    mark_ink: float = Field(0.03, gt=0, description="least ink of a mark, in text heights squared (a stroke of ”)")
    mark_foot: float = Field(0.33, ge=0, description="a line's box below its characters' foot (the band "
                             "reading's margin)")
    mark_context: float = Field(4.0, gt=0, description="how much of the line before a lone mark (in text "
                                "heights) is read with it")
    mark_conf: float = Field(0.8, ge=0, le=1, description="least confidence a mark read on its own is kept at")
    mark_centre: float = Field(1.0, ge=0, description="a mark wrapped alone in a centred cell stands within this "
                               "many text heights of the middle of the line above it")
    border: float = Field(0.2, ge=0, description="ink this close to a cell's border may be what is left of its rule")
    sign_least: float = Field(0.5, gt=0, description="least height and width of a ≥ / ≤ glyph, in text heights")
    sign_most: float = Field(1.6, gt=0, description="most height and width of a ≥ / ≤ glyph, in text heights")
    sign_bar: float = Field(0.7, gt=0, le=1, description="share of a ≥ / ≤ glyph's width its bar inks (a chevron's "
                            "rows ink much less)")
    sign_lean: float = Field(0.3, gt=0, le=1, description="how far (share of the glyph's width) a chevron's tip "
                             "stands from its arms' ends on the side it points to; half of it is too close to tell")
    glyph: float = Field(0.5, gt=0, description="ink this long on a side is a character, not a mark")


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


class OrientSettings(BaseModel):
    """How a page's quarter turn is told from its text lines: their shape and how well they read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sample: int = Field(6, ge=1, description="longest text lines read per candidate half turn")
    wide: float = Field(1.5, gt=1, description="a text-line box this many times longer than tall runs across "
                        "the page (its mirror runs down it); squarer boxes tell nothing")
    margin: float = Field(0.05, ge=0, description="mean confidence upside down must gain over the page as it "
                          "lies, or one look over the other, to win")
    settled: float = Field(0.97, ge=0, le=1, description="a look whose lines read at least this well ...")
    tall_share: float = Field(0.2, ge=0, le=1, description="... and of whose lines at most this share run down "
                              "the page is upright (or upside down) without looking at the page turned a "
                              "quarter: a turned page's stacked two-character labels read as turned glyphs "
                              "almost as well as upright ones, but their lines stand tall")


@dataclass(slots=True)
class _Look:
    """The page read as it lies in one quarter turn: its structure, its line boxes and how they read."""

    quarters: int  # clockwise quarter turns from the page as it came
    gray: np.ndarray
    tables: list[Table]
    clean: np.ndarray
    lines: CellLines | None
    boxes: list[BBox]
    direct: list[BBox]
    lone: list[BBox]
    half: int | None = None  # 0 as it lies, 2 upside down; None: no line long enough to tell
    conf: float = 0.0  # mean confidence of the sample in that half turn
    tall: float = 0.0  # share of the detector's line boxes (wide or tall ones) that run down the page

    def settled(self, s: OrientSettings) -> bool:
        return self.half is not None and self.conf >= s.settled and self.tall <= s.tall_share


def _tall_share(boxes: list[BBox], s: OrientSettings) -> float:
    """The share of the line boxes longer one way than the other that stand tall: lines that run down
    the page (it lies a quarter turned). 0.0 when there are none: the cells' bands read every line."""
    wide = sum(1 for b in boxes if (b[2] - b[0]) >= s.wide * (b[3] - b[1]))
    tall = sum(1 for b in boxes if (b[3] - b[1]) >= s.wide * (b[2] - b[0]))
    return tall / (tall + wide) if tall + wide else 0.0


def _upright_half(engine: OcrEngine, gray: np.ndarray, boxes: list[BBox], s: OrientSettings) -> tuple[int | None, float]:
    """Whether the page reads as it lies (0) or upside down (2), with the mean confidence it reads at.

    Upright text reads with confidence near 1.0 and turned text lower; the longest lines wider than
    tall are read as they lie and upside down. The page stays as it lies unless upside down reads
    clearly better. None: no line wide enough to tell (a near-empty page, or one turned a quarter)."""
    wide = sorted((b for b in boxes if (b[2] - b[0]) >= s.wide * (b[3] - b[1])), key=lambda b: b[2] - b[0],
                  reverse=True)[:s.sample]
    if not wide:
        return None, 0.0
    crops = [crop_box(gray, box) for box in wide]
    conf = [c for _, c in engine.recognize(crops + [rotate_quarter(c, 2) for c in crops])]
    as_lies, upside_down = sum(conf[:len(wide)]) / len(wide), sum(conf[len(wide):]) / len(wide)
    if upside_down > as_lies + s.margin:
        return 2, upside_down
    return 0, as_lies


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


def page_tables(gray: np.ndarray, dpi: float, mending: RuleMending | None = None) -> tuple[list[Table], np.ndarray]:
    """The ruled tables of a levelled page, with the rules of a worn print put back (`mending`;
    None: RuleMending's defaults), and the page's rule pixels."""
    hs, vs, rules = image_segments(gray, dpi)
    tol = _rule_tol(dpi)
    ink = binarize(gray)
    mending = mending or RuleMending()

    def is_rule(seg: Segment, horizontal: bool) -> bool:
        return stands_out(ink, seg, horizontal, dpi, mending.contrast)

    def is_firm(seg: Segment, horizontal: bool) -> bool:
        return stands_out(ink, seg, horizontal, dpi, mending.loose_contrast)

    def mend(h: list[Segment], v: list[Segment]) -> tuple[list[Segment], list[Segment]]:
        return mend_rules(h, v, tol, mending, is_rule)

    def prune(h: list[Segment], v: list[Segment]) -> tuple[list[Segment], list[Segment]]:
        return drop_loose(h, v, tol, mending.overshoot * tol, is_firm)

    tables = tables_from_segments(hs, vs, tol, mend, prune)
    # Sides of the grid no rule covers but what is left of one lines: dashes too short or too
    # far apart to be found as pieces. The tables are built again with them.
    found_h: list[Segment] = []
    found_v: list[Segment] = []
    for table in tables:
        open_h, open_v = open_sides(table, tol)
        found_h += [g for g in open_h if rule_remnant(ink, g, True, dpi, mending.remnant_share, mending.contrast)]
        found_v += [g for g in open_v if rule_remnant(ink, g, False, dpi, mending.remnant_share, mending.contrast)]
    if found_h or found_v:
        tables = tables_from_segments(hs + found_h, vs + found_v, tol, mend, prune)
    return tables, rules


def _rule_tol(dpi: float) -> float:
    """How far apart two rules may lie and be one (a few pixels of leftover skew)."""
    return max(4.0, dpi * 0.04)


def _sides_from_text(tables: list[Table], pieces: list[BBox], char: float, dpi: float,
                     mending: RuleMending | None = None) -> list[Table]:
    """Tables with the sides of merged cells put back where their text shows two cells (text_gap_sides)."""
    mending = mending or RuleMending()
    tol = _rule_tol(dpi)
    out = []
    for table in tables:
        hs, vs = text_gap_sides(table, pieces, mending.text_gap * char, tol)
        out.append(with_sides(table, hs, vs, tol) if hs or vs else table)
    return out


def _structure(gray: np.ndarray, dpi: float) -> tuple[list[Table], np.ndarray]:
    tables, rules = page_tables(gray, dpi)
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
            if text == "—":
                # A thin = whose faint gap closed in the ink: told from the grey page around the mark.
                a, b = max(0, by - 2), max(0, bx - 2)
                near = np.ascontiguousarray(inside[a:by + bh + 2, b:bx + bw + 2])
                if _leading_strokes(clean, near, (max(0, x0 + inset) + b, max(0, y0 + inset) + a), text_h) == 2:
                    text = "="
            # In the middle band of the cell, or level with a text line beside it clear of the border
            # (cells printed top-aligned: a = on the first line of a tall row): what is left of an
            # erased rule lies along the border.
            mid = y0 + inset + by + bh / 2
            level = min(mid - y0, y1 - mid) >= 0.5 * text_h and any(
                f.bbox[1] <= mid <= f.bbox[3] and (f.bbox[2] <= x0 or f.bbox[0] >= x1) for f in frags)
            if abs(mid - (y0 + y1) / 2) <= 0.25 * (y1 - y0) or level:
                left, top = x0 + inset + bx, y0 + inset + by
                found.append(Fragment(text, (float(left), float(top), float(left + bw), float(top + bh)), 0.85))
    return found


COMPARISONS = frozenset((">=", "<=", ">", "<", "=", "!="))  # 指标性质 signs, as normalise_operators writes them
EQUALS_WIDEST = 1.8  # text heights: an equals sign's strokes are at most this long
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
                    if (mark is not None and mark[0] == "=") or (
                            mark is None or mark[0] == "—") and _leading_strokes(clean, inside, (x0, y0), text_h) == 2:
                        frag = Fragment("=" + text[1:], frag.bbox, frag.confidence)
        out.append(frag)
    return out


# A Latin letter alone or before a number, its bar maybe read as = (`V=90%`).
_LETTER_FOR_SIGN = re.compile(r"^[A-Za-z]=?(?=$|\s*\d)")


def _signs_by_shape(clean: np.ndarray, frags: list[Fragment], text_h: float, s: ReadSettings) -> list[Fragment]:
    """A Latin letter read alone or before a number whose glyph is a chevron over a bar is ≥ or ≤: a
    sign printed alone (a 指标性质 column) or in a Word font reads as N, V or M, which no target
    starts with. The chevron's tip tells which: on the right, ≥; on the left, ≤. The letter's own low
    score stays on the fragment when the tip stands too near the middle to tell."""
    out: list[Fragment] = []
    ink = None
    for frag in frags:
        if m := _LETTER_FOR_SIGN.match(frag.text):
            if ink is None:
                ink = binarize(clean)
            x0, y0, x1, y1 = (int(round(v)) for v in frag.bbox)
            sign = _comparison_glyph(np.ascontiguousarray(ink[max(0, y0):y1, max(0, x0):x1]), text_h, s)
            if sign is not None:
                op, sure = sign
                weak = tuple(frag.weak or ())
                if not sure:
                    weak = (WeakSpot("", op, frag.text[m.end():m.end() + 3], min(frag.confidence, s.weak_char - 0.01)),
                            *weak)
                frag = Fragment(op + frag.text[m.end():], frag.bbox, frag.confidence, weak or frag.weak)
        out.append(frag)
    return out


def _comparison_glyph(ink: np.ndarray, text_h: float, s: ReadSettings) -> tuple[str, bool] | None:
    """(≥ or ≤, told surely) when a piece's first glyph is a chevron over a flat bar, else None."""
    if ink.shape[0] < 4 or ink.shape[1] < 4:
        return None
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    blobs = [st for st in stats[1:] if st[4] >= max(4.0, 0.02 * text_h * text_h)]
    if not blobs:
        return None
    # The first glyph: ink from the first column up to the first column of paper after it.
    left = min(st[0] for st in blobs)
    keep = np.zeros_like(ink)
    for st in blobs:
        if st[0] < left + text_h:
            keep[st[1]:st[1] + st[3], st[0]:st[0] + st[2]] = ink[st[1]:st[1] + st[3], st[0]:st[0] + st[2]]
    cols = keep.any(axis=0)
    gap = np.flatnonzero(~cols[left:])
    right = left + (int(gap[0]) if len(gap) else keep.shape[1] - left)
    glyph = keep[:, left:right]
    rows = np.flatnonzero(glyph.any(axis=1))
    if not len(rows):
        return None
    glyph = glyph[rows[0]:rows[-1] + 1]
    h, w = glyph.shape
    if not (s.sign_least * text_h <= h <= s.sign_most * text_h and s.sign_least * text_h <= w <= s.sign_most * text_h):
        return None
    cover = np.count_nonzero(glyph, axis=1) / w
    # The bar: the lowest rows, inked across the glyph, with a row above them inked much less.
    bar = h
    while bar > 0 and cover[bar - 1] >= s.sign_bar:
        bar -= 1
    if bar == h or h - bar > 0.3 * h or bar < 0.5 * h:
        return None
    top = glyph[:bar]
    top = top[:max(1, int(np.flatnonzero(top.any(axis=1))[-1]) + 1)] if top.any() else top
    if top.shape[0] < 0.4 * h or cover[:top.shape[0]].max() >= s.sign_bar:
        return None  # a letter's own strokes, or a second bar: no chevron
    xs = np.arange(w)
    third = max(1, top.shape[0] // 3)

    def centre(band: np.ndarray) -> float | None:
        mass = band.sum(axis=0).astype(np.float64)
        return float((mass * xs).sum() / mass.sum() / max(1, w - 1)) if mass.sum() else None

    ends = [centre(top[:third]), centre(top[-third:])]
    tip = centre(top[third:-third] if top.shape[0] > 2 * third else top[third:third + 1])
    if tip is None or None in ends:
        return None
    lean = tip - (ends[0] + ends[1]) / 2  # > 0: the tip on the right (>)
    if abs(lean) < s.sign_lean / 2:
        return None
    return (">=" if lean > 0 else "<=", abs(lean) >= s.sign_lean)


def _leading_strokes(gray: np.ndarray, ink: np.ndarray, at: tuple[int, int], text_h: float) -> int:
    """How many flat strokes, one above the other and of one length, the ink of a piece starts with;
    0 when it starts with no flat mark. Told from the grey page, not the ink's pieces: a faint 1-px
    gap between the strokes of a thin = closes in the ink, and a = printed close to its number
    touches it there (`—100%`, `—0起` for `=100%`, `=0起`). The mark runs from the first inked column
    to where the ink stands taller than a stroke."""
    cols = np.flatnonzero(ink.any(axis=0))
    if not len(cols):
        return 0
    thin = 0.35 * text_h
    end = cols[0]
    while end < ink.shape[1]:
        rows = np.flatnonzero(ink[:, end])
        if not len(rows) or rows[-1] - rows[0] + 1 > thin:
            break
        end += 1
    width = end - cols[0]
    if not 0.3 * text_h <= width <= EQUALS_WIDEST * text_h:
        return 0
    band = np.flatnonzero(ink[:, cols[0]:end].any(axis=1))
    top, bottom = band[0], band[-1] + 1
    if bottom - top > thin:
        return 0  # the strokes' ends stand apart: a slanted mark, not flat strokes
    x, y = at
    # The strokes' middle columns only (their ends fade); a pixel of margin above and below.
    a, b = cols[0] + width // 5, end - width // 5
    grey = gray[max(0, y + top - 1):y + bottom + 1, x + a:x + b].astype(np.float32)
    if grey.shape[0] < 3 or grey.shape[1] < 2:
        return 0
    profile = grey.mean(axis=1)
    paper = float(np.percentile(gray[max(0, y):y + ink.shape[0], x:x + ink.shape[1]], 90))
    dark = profile < (paper + float(profile.min())) / 2
    runs = np.flatnonzero(np.diff(np.concatenate(([0], dark.astype(np.int8), [0]))) == 1)
    if len(runs) != 2:
        return len(runs)
    # Of one length (二 has a shorter upper stroke): each stroke's dark columns, across its own rows.
    rows = np.flatnonzero(dark)
    split = rows[np.flatnonzero(np.diff(rows) > 1)[0]] + 1
    threshold = (paper + float(profile.min())) / 2
    whole = gray[max(0, y + top - 1):y + bottom + 1, x + cols[0]:x + end].astype(np.float32)
    lengths = [int(np.count_nonzero(part.min(axis=0) < threshold)) for part in (whole[:split], whole[split:])]
    return 2 if min(lengths) >= 0.85 * max(lengths) else 0


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
    # Up to a full-width ＝ (an em, about 1.5 text heights: LibreOffice prints a spreadsheet's = so).
    if len(blobs) != 2 or not all(_flat_bar(b, text_h, EQUALS_WIDEST) for b in blobs):
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


def _is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.category(ch).startswith("P") for ch in text)


def _marks_past_end(ink: np.ndarray, piece: BBox, others: list[BBox], tables: list[Table], text_h: float,
                s: ReadSettings) -> float | None:
    """The right end of the marks just past a line piece's end that the piece left out (a trailing
    、 。 ” the band reading did not take for print), or None. Only marks: ink the size of a character
    there is the next word, and ink another piece holds is read with that piece."""
    x0, y0, x1, y1 = piece
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    cell = next((c.bbox for t in tables for c in t.cells
                 if c.bbox[0] <= mid_x <= c.bbox[2] and c.bbox[1] <= mid_y <= c.bbox[3]), None)
    if cell is None:
        return None
    # Not up to the cell's border: what is left of an erased rule stands there.
    a, b = int(x1) + 1, int(min(cell[2] - s.border * text_h, x1 + s.mark_reach * text_h))
    top, bottom = int(y0), int(np.ceil(y1))
    if b - a < 2:
        return None
    _, _, stats, _ = cv2.connectedComponentsWithStats(np.ascontiguousarray(ink[top:bottom, a:b]), connectivity=8)
    ends = []
    for x, y, w, h, area in stats[1:]:
        side = max(w, h)
        if side < s.mark_side * text_h or area < s.mark_ink * text_h ** 2:
            continue  # a speck
        if y == 0 or y + h >= bottom - top:
            continue  # cut by the strip's top or foot: a stroke of the line above or below
        if side >= s.glyph * text_h or x + w >= b - a:
            return None  # a character, or ink going on past the reach: the next word, not a mark
        bx0, bx1 = a + x, a + x + w
        if any(o[0] <= bx0 <= o[2] and o[1] <= mid_y <= o[3] for o in others):
            continue
        ends.append(bx1)
    return float(max(ends)) if ends else None


def _gaps(read: LineRead, ink: np.ndarray, left: float, piece: BBox, s: ReadSettings) -> list[WeakSpot]:
    """Places between two CJK characters of a line a character-wide apart beyond the line's pitch,
    with ink there: a character (mostly a punctuation mark) the engine read nothing for."""
    text, xs = read.text, read.xs
    pairs = [(i, xs[i + 1] - xs[i]) for i in range(len(text) - 1)
             if "\u4e00" <= text[i] <= "\u9fff" and "\u4e00" <= text[i + 1] <= "\u9fff"]
    if len(pairs) < s.gap_pairs:
        return []
    pitch = float(np.median([g for _, g in pairs]))
    top, bottom = int(piece[1]), int(np.ceil(piece[3]))
    found = []
    for i, gap in pairs:
        if gap < s.gap_pitch * pitch:
            continue
        a, b = int(left + xs[i] + s.gap_core * pitch), int(left + xs[i + 1] - s.gap_core * pitch)
        if b > a and np.count_nonzero(ink[top:bottom, a:b]) >= s.mark_ink * pitch ** 2:
            found.append(WeakSpot(text[max(0, i - 3): i + 1], "", text[i + 1: i + 4], 0.0))
    return found


def _read_pieces(engine: OcrEngine, clean: np.ndarray, ink: np.ndarray, pieces: list[BBox],
                 crops: list[np.ndarray], tables: list[Table], text_h: float,
                 s: ReadSettings) -> list[tuple[LineRead, tuple[WeakSpot, ...] | None, BBox]]:
    """Recognise the line pieces, with each one's weak spots: characters read below `weak_char`,
    ink between characters read as nothing, and marks past the piece's end. A piece that left a
    mark out is read again with the mark; the longer reading (and box) stands when it adds only
    punctuation."""
    reads = [r.strip() for r in engine.recognize_lines(crops)]
    longer: dict[int, BBox] = {}
    for k, piece in enumerate(pieces):
        if reads[k].text and piece[2] - piece[0] > piece[3] - piece[1]:
            end = _marks_past_end(ink, piece, pieces[:k] + pieces[k + 1:], tables, text_h, s)
            if end is not None:
                longer[k] = (piece[0], piece[1], end + (piece[3] - piece[1]) / 4, piece[3])
    boxes = list(pieces)
    lost: set[int] = set()
    if longer:
        again = [r.strip() for r in engine.recognize_lines([crop_box(clean, b, pad=1) for b in longer.values()])]
        for (k, box), r in zip(longer.items(), again, strict=True):
            extra = r.text[len(reads[k].text):] if r.text.startswith(reads[k].text) else ""
            if _is_mark(extra):
                reads[k], boxes[k] = r, box
            else:
                lost.add(k)  # the mark stays unread: said on the cell
    out = []
    for k, (box, r) in enumerate(zip(boxes, reads, strict=True)):
        weak = [WeakSpot(r.text[max(0, i - 3): i], ch, r.text[i + 1: i + 4], p)
                for i, (ch, p) in enumerate(zip(r.text, r.chars, strict=False)) if p < s.weak_char]
        if r.xs and box[2] - box[0] > box[3] - box[1]:  # not a restacked vertical column
            weak += _gaps(r, ink, int(box[0]) - 1, box, s)
        if k in lost:
            weak.append(WeakSpot(r.text[-4:], "", "", 0.0))
        out.append((r, tuple(weak) if r.chars or weak else None, box))
    return out


def _unread_ink(engine: OcrEngine, clean: np.ndarray, ink: np.ndarray, tables: list[Table],
                frags: list[Fragment], text_h: float, s: ReadSettings) -> list[Fragment]:
    """Ink inside a cell that no recognised piece covers, in a cell that holds text: a mark wrapped
    alone onto a line of its own (a goal's last 。), or a character the detector passed over. A mark
    is read on its own and kept when it reads as punctuation; anything else becomes a weak spot of
    the piece read just before it, so its cell says it was read short. Returns the marks read."""
    if not tables or not frags:
        return []
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:]
    side = np.maximum(stats[:, 2], stats[:, 3])
    stats = stats[(side >= s.mark_side * text_h) & (stats[:, 4] >= s.mark_ink * text_h ** 2)]
    if not len(stats):
        return []
    cx, cy = stats[:, 0] + stats[:, 2] / 2, stats[:, 1] + stats[:, 3] / 2
    edge = s.border * text_h
    marks: list[tuple[int, BBox]] = []  # (the piece before it, the mark's box to read)
    for table in tables:
        for cell in table.cells:
            x0, y0, x1, y1 = cell.bbox
            mine = [k for k, f in enumerate(frags) if x0 <= (f.bbox[0] + f.bbox[2]) / 2 <= x1
                    and y0 <= (f.bbox[1] + f.bbox[3]) / 2 <= y1]
            if not mine:
                continue  # an empty cell's ink is the missed-text and dash checks' business
            inside = np.flatnonzero((stats[:, 0] >= x0 + edge) & (stats[:, 1] >= y0 + edge)
                                    & (stats[:, 0] + stats[:, 2] <= x1 - edge) & (stats[:, 1] + stats[:, 3] <= y1 - edge))
            for i in inside:
                if any(frags[k].bbox[0] <= cx[i] <= frags[k].bbox[2] and frags[k].bbox[1] <= cy[i] <= frags[k].bbox[3]
                       for k in mine):
                    continue
                # The piece read just before it: on a line above, or to its left on its line.
                before = [k for k in mine if frags[k].bbox[3] < cy[i] or
                          (frags[k].bbox[1] <= cy[i] <= frags[k].bbox[3] and frags[k].bbox[2] <= cx[i])]
                k = max(before, key=lambda k: (frags[k].bbox[1], frags[k].bbox[0])) if before else mine[0]
                bx, by, bw, bh = (float(v) for v in stats[i, :4])
                tall = frags[k].bbox[3] - frags[k].bbox[1]
                left = min(frags[j].bbox[0] for j in mine)
                # Where a wrapped line starts: at the left (a cell aligned left), or about the middle of
                # the line above (a centred cell: LibreOffice prints a spreadsheet's cells centred).
                middle = (frags[k].bbox[0] + frags[k].bbox[2]) / 2
                starts = bx <= left + text_h or abs(bx + bw / 2 - middle) <= s.mark_centre * text_h
                if before and max(bw, bh) < s.glyph * text_h and starts \
                        and by + bh <= frags[k].bbox[3] + tall:
                    # A mark wrapped alone: at the start of the line under the last one read. It sits
                    # low in its line (。，、): a box as tall as the line before it, standing on the
                    # mark's foot as that line's box stands on its characters'.
                    foot = by + bh + s.mark_foot * text_h
                    marks.append((k, (bx - text_h / 4, foot - tall, bx + bw + text_h / 2, foot)))
                    continue
                f = frags[k]
                spot = WeakSpot(f.text[-4:] if before else "", "", "" if before else f.text[:4], 0.0)
                if spot not in (f.weak or ()):
                    frags[k] = Fragment(f.text, f.bbox, f.confidence, (*(f.weak or ()), spot))
    if not marks:
        return []
    # A mark alone reads as 0 or o: it is read after the end of the line before it (a few characters
    # of it, enough for context and cheap), as it was printed to follow.
    found: list[Fragment] = []
    crops = []
    for k, box in marks:
        x0, y0, x1, y1 = frags[k].bbox
        line = crop_box(clean, (max(x0, x1 - s.mark_context * text_h), y0, x1, y1), pad=1)
        mark = crop_box(clean, box, pad=1)
        if mark.shape[0] != line.shape[0] and mark.size:
            mark = cv2.resize(mark, (max(1, round(mark.shape[1] * line.shape[0] / mark.shape[0])), line.shape[0]))
        crops.append(np.hstack([line, mark]) if mark.size and line.size else line)
    reads = engine.recognize_lines(crops)
    for (k, box), r in zip(marks, reads, strict=True):
        r = r.strip()
        # The line's end read back, then one mark: a mark; anything else is not told apart from noise.
        if len(r.text) >= 2 and _is_mark(r.text[-1]) and r.chars[-1] >= s.mark_conf \
                and frags[k].text.endswith(r.text[-2]):
            found.append(Fragment(r.text[-1], box, r.chars[-1], ()))
            continue
        f = frags[k]
        spot = WeakSpot(f.text[-4:], "", "", 0.0)
        if spot not in (f.weak or ()):
            frags[k] = Fragment(f.text, f.bbox, f.confidence, (*(f.weak or ()), spot))
    return found


def _overlaps(frags: list[Fragment], text_h: float) -> None:
    """Two pieces of one line that cover the same ink (a band piece and a detector box both read
    it): the words there are in the text twice. Said on the later piece."""
    for k, f in enumerate(frags):
        for g in frags[:k]:
            mid = (f.bbox[1] + f.bbox[3]) / 2
            if g.bbox[1] <= mid <= g.bbox[3] and min(f.bbox[2], g.bbox[2]) - max(f.bbox[0], g.bbox[0]) >= text_h:
                frags[k] = Fragment(f.text, f.bbox, f.confidence, (*(f.weak or ()), WeakSpot(f.text[:6], "", "", 0.0, True)))
                break


def read_page_image(image: np.ndarray, dpi: float, engine: OcrEngine, page: int, scale: float = 1.0) -> ScanPage:
    """OCR one page. `scale` converts pixels to the grid's unit (72/dpi for PDF pages, 1 for images)."""
    gray = to_gray(image)
    work = min(1.0, WORK_DPI / dpi)
    if work < 0.95:
        # 200 dpi holds 8-pt text well; reading a 300 dpi page at full size only costs time.
        gray = cv2.resize(gray, None, fx=work, fy=work, interpolation=cv2.INTER_AREA)
        dpi, scale = dpi * work, scale / work
    # A first guess only (a landscape image is mostly a portrait page turned); the lines decide.
    guess = 1 if is_sideways(gray) else 0
    gray = rotate_quarter(gray, guess)
    skew = deskew_angle(gray)
    gray = rotate(gray, skew)
    settings = LineSettings()
    orient = OrientSettings()

    def find(gray_clean: np.ndarray, found_tables: list[Table]) -> tuple[CellLines | None, list[BBox], list[BBox], list[BBox]]:
        # Cells whose ink is clean lines give their line crops directly; the detector reads the rest.
        cell_lines = find_cell_lines(gray_clean, found_tables, dpi, settings)
        if cell_lines is None:
            return None, _detect(engine, gray_clean), [], []
        return cell_lines, _detect_regions(engine, gray_clean, cell_lines), cell_lines.pieces, cell_lines.lone

    def look(quarters: int, levelled: np.ndarray) -> _Look:
        found_tables, clean = _structure(levelled, dpi)
        lines, boxes, direct, lone = find(clean, found_tables)
        half, conf = _upright_half(engine, clean, boxes + direct, orient)
        # The detector's boxes alone tell the lines' direction: band pieces are horizontal by construction.
        return _Look(quarters, levelled, found_tables, clean, lines, boxes, direct, lone, half, conf,
                     _tall_share(boxes, orient))

    chosen = first = look(guess, gray)
    if not first.settled(orient):
        # Lines that stand tall or read poorly: the page may lie a quarter turned. The levelled page
        # turned back to how it came (or on a quarter) is read as well; the better reading wins, and
        # on a tie the look whose lines run across the page.
        back = -1 if guess else 1
        # Levelled again on its own: the skew measured on the first look ran across the page as it lay
        # (a one-row 总分 page read 1.5° askew otherwise).
        turned = rotate_quarter(gray, back)
        extra = deskew_angle(turned)
        second = look(guess + back, rotate(turned, extra))
        if second.half is not None and (first.half is None or second.conf > first.conf + orient.margin or (
                second.conf >= first.conf - orient.margin and second.tall < first.tall)):
            chosen = second
        elif first.half is None and guess:
            chosen = second  # nothing to read either by: the page as it came, not the guess
        if chosen is second:
            skew += extra
    quarters, gray, tables, clean = chosen.quarters, chosen.gray, chosen.tables, chosen.clean
    lines, boxes, direct, lone = chosen.lines, chosen.boxes, chosen.direct, chosen.lone
    bands_current = True  # the bands were read on the page as it now lies
    if chosen.half == 2:
        # Upside down: the boxes turn with the page (the bands were read on the page before the turn).
        quarters += 2
        h, w = gray.shape[:2]
        gray = rotate_quarter(gray, 2)
        tables, clean = _structure(gray, dpi)
        boxes, direct, lone = (_turn_boxes(found, 2, w, h) for found in (boxes, direct, lone))
        bands_current = False
    heights = [b[3] - b[1] for b in boxes + direct]
    char = float(np.median(heights)) if heights else dpi / 7
    inset = max(1.0, dpi / 100)
    pieces: list[BBox] = list(direct)
    for box in boxes:
        pieces.extend(split_at_cells(box, tables, inset) if tables else [box])
    tables = _sides_from_text(tables, pieces, char, dpi)
    crops = []
    for piece in pieces:
        crop = crop_box(clean, piece, pad=1)
        crops.append(restack_vertical(crop) if is_vertical(piece, char) else crop)
    text_h = lines.text_h if lines is not None and lines.text_h else char / 1.5
    ink = text_ink(clean, dpi, settings)
    read = _read_pieces(engine, clean, ink, pieces, crops, tables, text_h, ReadSettings())
    unsure = set(lone)
    frags = [Fragment(r.text, box, r.confidence, weak) for piece, (r, weak, box) in zip(pieces, read, strict=True)
             if r.text and (r.confidence >= settings.lone_conf or piece not in unsure)]
    # Judged cells are those of the page the bands were read on; a turned page has other cells.
    judged = frozenset(lines.judged) if lines is not None and bands_current else frozenset()
    frags += _missed_text(engine, clean, tables, frags, char / 1.5, dpi, judged)
    frags += _lone_dashes(clean, tables, frags, char / 1.5, dpi)
    frags = _equals_by_shape(clean, frags, char / 1.5)
    frags = _signs_by_shape(clean, frags, char / 1.5, ReadSettings())
    frags += _unread_ink(engine, clean, ink, tables, frags, text_h, ReadSettings())
    _overlaps(frags, text_h)
    h, w = gray.shape[:2]
    content = PageContent(page=page, width=float(w), height=float(h), tables=tables, fragments=frags,
                          source="ocr", scale=scale)
    return ScanPage(image=gray, content=content, boxes=pieces, quarters=quarters, skew=skew)
