"""Detected text boxes -> pieces to recognise: cut at cell borders, vertical text re-stacked."""

from __future__ import annotations

import numpy as np

from extractor.grid import BBox
from extractor.vision.segments import Table


def split_at_cells(box: BBox, tables: list[Table], inset: float) -> list[BBox]:
    """The parts of a text box lying in different cells (a detector may run text of two
    neighbouring cells together). A part must be at least one character wide to count."""
    x0, y0, x1, y1 = box
    height = y1 - y0
    parts: list[BBox] = []
    for table in tables:
        for cell in table.cells:
            cx0, cy0, cx1, cy1 = cell.bbox
            ix0, iy0 = max(x0, cx0 + inset), max(y0, cy0 + inset)
            ix1, iy1 = min(x1, cx1 - inset), min(y1, cy1 - inset)
            if ix1 - ix0 >= 0.5 * min(height, cx1 - cx0) and iy1 - iy0 >= 0.4 * (y1 - y0):
                parts.append((ix0, y0 if iy0 - y0 < 0.25 * height else iy0, ix1, iy1))
    return parts or [box]


def is_vertical(box: BBox, char: float) -> bool:
    """A box much taller than wide, about one character wide: a column of stacked characters."""
    w, h = box[2] - box[0], box[3] - box[1]
    return h > 2.2 * w and w < 2.0 * char and h > 2.5 * char


def character_count(crop: np.ndarray) -> int:
    """How many characters a vertical column holds: the count whose even cuts cross the least ink.

    Lines are spaced more than a character is wide (line height 1.1–1.3 em), so height / width
    alone overcounts a long column; the even cuts of the right count fall in the gaps between
    characters.
    """
    h, w = crop.shape[:2]
    guess = max(1, round(h / max(w, 1)))
    gray = crop if crop.ndim == 2 else crop.mean(axis=2)
    dark = (gray < 0.5 * (float(gray.max()) + float(gray.min()))).mean(axis=1)

    def ink_at_cuts(n: int) -> float:
        return float(np.mean([dark[max(0, c - 1): c + 2].mean() for c in (round(k * h / n) for k in range(1, n))]))

    if guess < 3:
        return guess
    best, best_ink = guess, ink_at_cuts(guess)
    for n in range(guess - 1, max(2, round(guess * 0.7)) - 1, -1):  # fewer, never half (every other gap)
        ink = ink_at_cuts(n)
        if ink < best_ink - 0.02:
            best, best_ink = n, ink
    return best


def restack_vertical(crop: np.ndarray) -> np.ndarray:
    """Lay the characters of a vertical column side by side so a line recogniser can read them."""
    h, w = crop.shape[:2]
    n = character_count(crop)
    step = h / n
    tiles = [crop[int(i * step): int((i + 1) * step)] for i in range(n)]
    height = max(t.shape[0] for t in tiles)
    tiles = [np.pad(t, ((0, height - t.shape[0]), (0, 0)) + ((0, 0),) * (t.ndim - 2), constant_values=255)
             for t in tiles]
    return np.hstack(tiles)
