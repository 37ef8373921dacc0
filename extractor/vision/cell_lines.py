"""Text lines of table cells from their ink, so the page-scale text detector runs only where needed.

The grid already bounds the text: a cell's ink (rules erased) that falls into clean horizontal bands,
each about one text line tall, is one line crop per band, recognised directly. What does not (lines
touching each other, a band much taller or flatter than a line, ink outside every cell) is left to
the detector, run on just those regions. Bands come from the y-extents of the ink's connected
pieces (a projection profile that ignores specks of noise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from extractor.grid import BBox
from extractor.vision.segments import Table


class LineSettings(BaseModel):
    """Tolerances of the band reading, in text heights (the median band height of the page)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    speck: float = Field(0.2, gt=0, description="ink pieces smaller than this on both sides are specks: "
                         "they neither make nor extend a line (noise, JPEG blocks)")
    glyph: float = Field(0.5, gt=0, description="ink pieces this long on a side are characters or radicals: "
                         "only they make bands")
    mark_ink: float = Field(0.04, gt=0, description="ink (in text heights squared) of a mark that is more than "
                            "noise: a full stop outside every band sends the cell to the detector")
    lone_glyphs: int = Field(2, ge=0, description="a piece of at most this many ink pieces may be noise: the "
                             "detector would not have boxed it, so its reading must be confident")
    faint: float = Field(0.6, gt=0, description="a lone piece fainter than this share of the page's typical "
                         "line contrast is doubtful")
    lone_conf: float = Field(0.6, ge=0, le=1, description="least confidence a lone piece's reading is kept at")
    mark_dark: float = Field(0.35, gt=0, le=1, description="share of the way from paper to the text's darkest "
                             "grey a small mark must reach to be print, not noise")
    attach: float = Field(1.0, ge=0, description="a small mark (as dark as print) this close to a line's end belongs "
                          "to it (a ， or 、 sits at the left of its own em, so one wrapped to the start is a whole em "
                          "from the next character)")
    ink_block_inch: float = Field(1 / 3, gt=0, description="neighbourhood (inches) ink is told from paper in")
    ink_offset: float = Field(20.0, gt=0, description="grey levels darker than the neighbourhood mean ink must be")
    speck_inch: float = Field(1 / 40, gt=0, description="ink pieces shorter than this (inches) are left out "
                              "of the text-height estimate")
    min_line: float = Field(0.6, gt=0, description="a band flatter than this is no text line (a dash, a dot)")
    max_line: float = Field(1.6, gt=0, description="a band taller than this is two touching lines or no text")
    stroke_gap: float = Field(0.2, ge=0, description="bands closer than this that together stay within "
                              "max_line are one line (the strokes of 二 or 三 written alone)")
    word_gap: float = Field(1.5, gt=0, description="a gap this wide inside a band starts a new piece")
    pad: float = Field(0.33, ge=0, description="margin around a line's ink, as the detector's boxes have")
    max_detect_share: float = Field(0.35, gt=0, le=1, description="when the regions left to the detector "
                                    "cover more of the page than this, one page-scale detection is cheaper")
    remnant_thin: float = Field(0.2, gt=0, description="ink thinner than this across a cell border ...")
    remnant_near: float = Field(0.3, gt=0, description="... and this close to it is what is left of its rule")
    min_text_px: float = Field(6.0, gt=0, description="smallest text height (px) the band reading trusts")


@dataclass(slots=True)
class CellLines:
    """Line pieces found from the ink, and the regions (page px) the detector must still read."""

    pieces: list[BBox] = field(default_factory=list)
    regions: list[BBox] = field(default_factory=list)
    judged: list[BBox] = field(default_factory=list)  # cells the bands read whole (lines, a dash, nothing)
    lone: list[BBox] = field(default_factory=list)  # faint pieces of one or two ink pieces: a digit, or noise
    text_h: float = 0.0


def text_ink(gray: np.ndarray, dpi: float, s: LineSettings) -> np.ndarray:
    """Ink of text as 255 on 0: smoothed and thresholded against a neighbourhood of about two
    lines, with a margin that leaves scanner noise and JPEG ringing out (the rule binarisation keeps
    faint grey ink, which on a noisy page is thousands of specks)."""
    block = max(15, int(dpi * s.ink_block_inch) | 1)
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, s.ink_offset)


def _bands(tops: np.ndarray, bottoms: np.ndarray, ink: np.ndarray) -> list[tuple[int, int, int]]:
    """Merged [top, bottom) intervals, each with the ink it holds."""
    out: list[tuple[int, int, int]] = []
    for t, b, a in sorted(zip(tops.tolist(), bottoms.tolist(), ink.tolist(), strict=True)):
        if out and t <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b), out[-1][2] + a)
        else:
            out.append((t, b, a))
    return out


def _join_strokes(bands: list[tuple[int, int, int]], text_h: float, s: LineSettings) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for t, b, _ in bands:
        if out and t - out[-1][1] < s.stroke_gap * text_h and b - out[-1][0] <= s.max_line * text_h:
            out[-1] = (out[-1][0], b)
        else:
            out.append((t, b))
    return out


def _line_pieces(stats: np.ndarray, big: np.ndarray, glyph: np.ndarray, band: tuple[int, int], text_h: float,
                 s: LineSettings, dark: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """Ink extents (x0, y0, x1, y1, glyph pieces) of the pieces of one band, split at wide gaps.
    Small marks low in the band (a full stop, a comma, a decimal point) extend a piece they touch;
    a speck of noise may lie anywhere, and is paler than print (`dark`: as dark as the text)."""
    top, bottom = band
    mid = stats[:, 1] + stats[:, 3] / 2
    inside = (mid >= top) & (mid <= bottom)
    core = np.flatnonzero(inside & glyph)
    order = core[np.argsort(stats[core, 0])]
    groups: list[list[int]] = []
    right = -1e9
    for i in order:
        x, end = int(stats[i, 0]), int(stats[i, 0] + stats[i, 2])
        if groups and x - right <= s.word_gap * text_h:
            groups[-1].append(int(i))
            right = max(right, end)
        else:
            groups.append([int(i)])
            right = end
    low = stats[:, 1] + stats[:, 3] / 2 >= (top + bottom) / 2
    small = np.flatnonzero(inside & big & ~glyph & low & dark)
    small = small[np.argsort(stats[small, 0])]
    pieces = []
    for g in groups:
        x0 = int(stats[g, 0].min())
        x1 = int((stats[g, 0] + stats[g, 2]).max())
        for i in small:
            sx0, sx1 = int(stats[i, 0]), int(stats[i, 0] + stats[i, 2])
            if x1 <= sx0 <= x1 + s.attach * text_h:
                x1 = max(x1, sx1)
        for i in small[::-1]:
            sx0, sx1 = int(stats[i, 0]), int(stats[i, 0] + stats[i, 2])
            if x0 - s.attach * text_h <= sx1 <= x0:
                x0 = min(x0, sx0)
        pieces.append((x0, top, x1, bottom, len(g)))
    return pieces


def _darkest(gray: np.ndarray, stats: np.ndarray) -> np.ndarray:
    return np.array([gray[y: y + h, x: x + w].min() for x, y, w, h, _ in stats.tolist()], float)


def _as_dark(gray: np.ndarray, stats: np.ndarray, which: np.ndarray, level: float) -> np.ndarray:
    """For the pieces flagged in `which`: whether their darkest grey reaches `level` (others False)."""
    out = np.zeros(len(stats), bool)
    idx = np.flatnonzero(which)
    if len(idx):
        out[idx] = _darkest(gray, stats[idx]) <= level
    return out


def _stray_marks(stats: np.ndarray, bands: list[tuple[int, int]], text_h: float, s: LineSettings) -> bool:
    """Ink bigger than a speck outside every band (a full stop wrapped onto a line of its own): the
    detector decides what it is."""
    for _x, y, _w, h, a in stats.tolist():
        mid = y + h / 2
        if a >= s.mark_ink * text_h ** 2 and not any(t <= mid <= b for t, b in bands):
            return True
    return False


def _rule_remnant(stats: np.ndarray, bbox: BBox, text_h: float, s: LineSettings) -> np.ndarray:
    """Ink left along a cell's border where its rule was erased: thin across the rule and lying on
    it. A flat character (一, a dash) sits inside the cell's padding instead."""
    x, y, w, h = (stats[:, i].astype(float) for i in range(4))
    near = s.remnant_near * text_h
    thin = s.remnant_thin * text_h
    flat = (h <= thin) & ((np.abs(y - bbox[1]) <= near) | (np.abs(y + h - bbox[3]) <= near))
    upright = (w <= thin) & ((np.abs(x - bbox[0]) <= near) | (np.abs(x + w - bbox[2]) <= near))
    return flat | upright


def find_cell_lines(clean: np.ndarray, tables: list[Table], dpi: float, settings: LineSettings) -> CellLines | None:
    """Line pieces of every cell and the regions left to the detector, or None when the page is
    better detected whole (no table, text too small to trust, or too much left over)."""
    if not tables:
        return None
    s = settings
    ink = text_ink(clean, dpi, s)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:].astype(np.int64)
    if not len(stats):
        return None
    h_img, w_img = ink.shape[:2]
    # Which cell each ink piece's middle lies in (-1: none). A cell map is one lookup per piece.
    owner = np.full((h_img, w_img), -1, np.int32)
    cells = [c for t in tables for c in t.cells]
    for k, cell in enumerate(cells):
        x0, y0, x1, y1 = (int(round(v)) for v in cell.bbox)
        owner[max(0, y0): max(0, y1), max(0, x0): max(0, x1)] = k
    cx = np.clip(stats[:, 0] + stats[:, 2] // 2, 0, w_img - 1)
    cy = np.clip(stats[:, 1] + stats[:, 3] // 2, 0, h_img - 1)
    where = owner[cy, cx]
    # Text height: the median height of the bands of all cells, from pieces of ink too big to be
    # noise (a stroke of a 5-pt character is longer than 1/40 inch).
    floor = max(3, int(dpi * s.speck_inch))
    big0 = np.maximum(stats[:, 2], stats[:, 3]) >= floor
    # Weighted by ink, so that specks of noise, each a band of its own, do not count.
    heights: list[tuple[int, int]] = []
    for k in range(len(cells)):
        idx = np.flatnonzero((where == k) & big0)
        if len(idx):
            heights += [(b - t, a) for t, b, a in _bands(stats[idx, 1], stats[idx, 1] + stats[idx, 3], stats[idx, 4])]
    if not heights:
        return CellLines(text_h=0.0) if not np.any(where < 0) else None
    heights.sort()
    weights = np.cumsum([a for _, a in heights])
    text_h = float(heights[int(np.searchsorted(weights, weights[-1] / 2))][0])
    if text_h < s.min_text_px:
        return None
    side = np.maximum(stats[:, 2], stats[:, 3])
    big = side >= max(3, s.speck * text_h)  # not a speck: may extend a line's ends (。 , .)
    glyph = side >= s.glyph * text_h  # a character or a radical: only these make bands
    out = CellLines(text_h=text_h)
    # A share of the way from paper to the darkest grey of typical characters: print reaches it, noise
    # does not (thin punctuation, blurred, is paler than the characters: not all of the way).
    sample = np.flatnonzero(glyph)[:: max(1, int(np.count_nonzero(glyph)) // 300)]
    paper = float(np.median(clean[::4, ::4]))
    darkest = float(np.median(_darkest(clean, stats[sample]))) if len(sample) else paper
    level = paper - s.mark_dark * (paper - darkest)
    for k, cell in enumerate(cells):
        idx = np.flatnonzero(where == k)
        idx = idx[~_rule_remnant(stats[idx], cell.bbox, text_h, s)]
        core = idx[glyph[idx]]
        if not len(core):
            out.judged.append(cell.bbox)
            marks = idx[big[idx] & (stats[idx, 4] >= s.mark_ink * text_h ** 2)]
            # A mark too small for a band but too big for a speck goes to the detector, unless all
            # such marks are flat: a short dash, which the scan route's dash check reads (the
            # detector, shown only the cell, boxes it and reads 一).
            if len(marks) and np.any(stats[marks, 3] >= s.min_line * text_h):
                out.regions.append(cell.bbox)
                out.judged.pop()
            continue
        bands = _join_strokes(_bands(stats[core, 1], stats[core, 1] + stats[core, 3], stats[core, 4]), text_h, s)
        if len(bands) == 1 and bands[0][1] - bands[0][0] < s.min_line * text_h:
            out.judged.append(cell.bbox)
            continue  # a lone flat mark: a dash, read by the scan route's dash check
        if any(not s.min_line * text_h <= b - t <= s.max_line * text_h for t, b in bands) or \
                _stray_marks(stats[idx[big[idx] & ~glyph[idx]]], bands, text_h, s):
            out.regions.append(cell.bbox)
            continue
        out.judged.append(cell.bbox)
        cx0, cy0, cx1, cy1 = cell.bbox
        found = [p for band in bands for p in _line_pieces(stats[idx], big[idx], glyph[idx], band, text_h, s,
                                                          _as_dark(clean, stats[idx], big[idx] & ~glyph[idx], level))]
        if len(found) >= 3 and len(found) == len(bands) and max(p[2] - p[0] for p in found) <= s.max_line * text_h:
            # One character per line, stacked: a vertical column, read as one re-stacked line.
            found = [(min(p[0] for p in found), found[0][1], max(p[2] for p in found), found[-1][3],
                      sum(p[4] for p in found))]
        for x0, y0, x1, y1, n in found:
            pad = s.pad * min(y1 - y0, s.max_line * text_h)
            piece = (max(cx0, x0 - pad), max(cy0, y0 - pad), min(cx1, x1 + pad), min(cy1, y1 + pad))
            out.pieces.append(piece)
            if n <= s.lone_glyphs:
                out.lone.append(piece)
    loose = np.flatnonzero((where < 0) & glyph)
    if len(loose):
        # Ink outside every cell (titles, notes, page numbers): character-sized pieces grouped into
        # blocks by a smear of one text height (which also takes in their dots and commas), each
        # block a region for the detector. Specks of noise alone make no block.
        mask = np.zeros((h_img, w_img), np.uint8)
        for i in loose:
            x, y, w, h = (int(v) for v in stats[i, :4])
            mask[y: y + h, x: x + w] = 255
        grow = max(3, int(text_h))
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * grow + 1, grow + 1)))
        _, _, blocks, _ = cv2.connectedComponentsWithStats(mask)
        for x, y, w, h, _a in blocks[1:]:
            out.regions.append((float(x), float(y), float(x + w), float(y + h)))
    if out.lone:
        # Of the lone pieces only the faint ones are doubtful: printed digits are as dark as the rest
        # of the page's text, a clump of scanner noise is not (measured contrast: ~110 against ~45).
        def contrast(b: BBox) -> float:
            crop = clean[int(b[1]): int(b[3]) + 1, int(b[0]): int(b[2]) + 1]
            return float(np.percentile(crop, 90) - np.percentile(crop, 3)) if crop.size else 0.0

        typical = float(np.median([contrast(b) for b in out.pieces]))
        out.lone = [b for b in out.lone if contrast(b) < s.faint * typical]
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in out.regions)
    if area > s.max_detect_share * h_img * w_img:
        return None
    return out
