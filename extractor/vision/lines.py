"""Ruling lines in a page image, tolerant of faint, broken and slightly skewed lines."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.vision.segments import Segment


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0. Adaptive, so faint grey lines and uneven light still come out as ink."""
    block = max(15, (min(gray.shape[:2]) // 60) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def line_masks(ink: np.ndarray, min_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical line masks: ink runs longer than `min_len` pixels.

    Broken lines are bridged by a short closing first; a thin dilation across the line keeps a
    slightly skewed line in one piece.
    """
    bridge = max(3, min_len // 10)
    h = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1)))
    h = cv2.morphologyEx(h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, bridge)))
    v = cv2.morphologyEx(v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)))
    h = cv2.dilate(h, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    v = cv2.dilate(v, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    return h, v


def mask_segments(mask: np.ndarray, horizontal: bool) -> list[Segment]:
    """One segment per connected line blob, positioned at the blob's centre line."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out: list[Segment] = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if horizontal:
            out.append(Segment(y + h / 2, float(x), float(x + w)))
        else:
            out.append(Segment(x + w / 2, float(y), float(y + h)))
    return out


def clear_beside(ink: np.ndarray, seg: Segment, horizontal: bool, dpi: float) -> bool:
    """True when a thin band on at least one side of the segment is mostly free of ink.

    A rule has paper (cell padding) beside it; a run of ink through the middle of a dense digit
    string, which closing and opening can also produce, has ink on both sides.
    """
    plane = ink if horizontal else ink.T
    gap, band = max(2, int(dpi / 60)), max(2, int(dpi / 40))
    pos, a, b = int(round(seg.pos)), int(seg.start), int(seg.end)
    cut = (b - a) // 10  # ends may touch crossing rules
    a, b = a + cut, b - cut
    if b <= a:
        return True
    above = plane[max(0, pos - gap - band): max(0, pos - gap), a:b]
    below = plane[pos + gap: pos + gap + band, a:b]
    dens = [float(np.count_nonzero(x)) / x.size if x.size else 0.0 for x in (above, below)]
    return min(dens) < 0.2


def image_segments(gray: np.ndarray, dpi: float) -> tuple[list[Segment], list[Segment], np.ndarray]:
    """(horizontal, vertical, rule pixels) for a deskewed grey page at `dpi`."""
    ink = binarize(gray)
    min_len = max(20, int(dpi * 0.25))  # a quarter inch: longer than any character stroke
    h, v = line_masks(ink, min_len)
    hs = [s for s in mask_segments(h, True) if clear_beside(ink, s, True, dpi)]
    vs = [s for s in mask_segments(v, False) if clear_beside(ink, s, False, dpi)]
    return hs, vs, cv2.bitwise_or(h, v)


def erase_lines(gray: np.ndarray, hs: list[Segment], vs: list[Segment], width: int,
                rules: np.ndarray | None = None) -> np.ndarray:
    """The page with ruling lines painted white, so text detection sees text only.

    With `rules` (the rule pixels of image_segments) only those pixels within `width` of a segment
    are painted: a digit printed flush against a rule (cells with no padding) keeps its strokes.
    """
    band = np.zeros(gray.shape[:2], np.uint8)
    for s in hs:
        y = int(round(s.pos))
        band[max(0, y - width): y + width + 1, int(s.start): int(s.end) + 1] = 255
    for s in vs:
        x = int(round(s.pos))
        band[int(s.start): int(s.end) + 1, max(0, x - width): x + width + 1] = 255
    if rules is not None:
        band = cv2.bitwise_and(band, rules)
    out = gray.copy()
    out[band > 0] = 255
    return out
