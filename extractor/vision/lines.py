"""Ruling lines in a page image, tolerant of faint, broken and slightly skewed lines."""

from __future__ import annotations

import bisect

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


def _thin_pieces(mask: np.ndarray, horizontal: bool, thick: int) -> list[Segment]:
    """Line pieces of `mask` no thicker than `thick` across (a block of ink is no piece of a rule)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out: list[Segment] = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if (h if horizontal else w) <= thick:
            out.append(Segment(y + h / 2, float(x), float(x + w)) if horizontal
                       else Segment(x + w / 2, float(y), float(y + h)))
    return out


def _meets_rule(at: float, p: Segment, cross: list[Segment], near: float) -> bool:
    """True when the end of `p` at `at` meets an orthogonal rule (a cell side leaving a crossing)."""
    return any(c.start - near <= p.pos <= c.end + near and abs(c.pos - at) <= near for c in cross)


def grow_rules(rules: list[Segment], pieces: list[Segment], cross: list[Segment], pos_tol: float,
               gap: float) -> list[tuple[Segment, list[Segment]]]:
    """Rules with the short pieces of their broken stretches put back.

    A worn print or a thin scan cuts a rule into dashes; dashes shorter than a rule's least length
    are lost, and a cell side as short as one row may be nothing but such dashes. Pieces on one line
    (within pos_tol of the last one) with gaps under `gap` make a chain with the rules on that line.
    A chain keeps only the stretch from its first start anchor to its last end anchor: rules, and
    pieces whose first (last) end meets an orthogonal rule in `cross` (rules that cross two others).
    A chain of pieces alone also needs a rule of `cross`'s kind elsewhere on its line (the same
    column rule in other rows). Text flush against a rule starts at it but stops inside its cell, so
    its strokes neither lengthen a rule nor make one. Each chain comes with the rules it holds.
    """
    rule_set = set(rules)
    on_line = sorted(r.pos for r in rules)
    items = sorted([(r, True, True) for r in rules]
                   + [(p, _meets_rule(p.start, p, cross, pos_tol + 1), _meets_rule(p.end, p, cross, pos_tol + 1))
                      for p in pieces], key=lambda t: t[0].start)
    # Chains along the line, each member within pos_tol of the last one (a slight leftover skew
    # moves a long line by a few pixels end to end).
    chains: list[list[tuple[Segment, bool, bool]]] = []
    ends: list[float] = []
    for item in items:
        seg = item[0]
        best, best_d = -1, pos_tol
        for i, chain in enumerate(chains):
            d = abs(chain[-1][0].pos - seg.pos)
            if d <= best_d and seg.start <= ends[i] + gap:
                best, best_d = i, d
        if best < 0:
            chains.append([item])
            ends.append(seg.end)
        else:
            chains[best].append(item)
            ends[best] = max(ends[best], seg.end)
    out: list[tuple[Segment, list[Segment]]] = []
    for chain in chains:
        first = next((i for i, (_, starts, _) in enumerate(chain) if starts), None)
        last = next((i for i in range(len(chain) - 1, -1, -1) if chain[i][2]), None)
        if first is None or last is None or last < first:
            continue
        kept = [seg for seg, _, _ in chain[first: last + 1]]
        if not any(seg in rule_set for seg in kept):
            pos = kept[0].pos
            k = bisect.bisect_left(on_line, pos - 2 * pos_tol)
            if k >= len(on_line) or on_line[k] > pos + 2 * pos_tol:
                continue
        held = [seg for seg in kept if seg in rule_set]
        if len(kept) == 1:
            out.append((kept[0], held))
            continue
        weight = sum(seg.length for seg in kept) or 1.0
        pos = sum(seg.pos * seg.length for seg in kept) / weight
        out.append((Segment(pos, min(seg.start for seg in kept), max(seg.end for seg in kept)), held))
    return out


def clear_both_sides(ink: np.ndarray, seg: Segment, horizontal: bool, dpi: float, most: float = 0.25) -> bool:
    """True when the rows (columns) just beside the segment are mostly paper on both sides: a dash
    of a broken rule, not a stroke of a character (the character's body lies on one side of it)."""
    plane = ink if horizontal else ink.T
    near = max(3, int(dpi / 66))
    pos, a, b = int(round(seg.pos)), max(0, int(seg.start)), int(seg.end)
    for side in (-1, 1):
        rows = [pos + side * d for d in range(near, near + 3) if 0 <= pos + side * d < plane.shape[0]]
        if rows and float(np.count_nonzero(plane[rows, a:b])) / (len(rows) * max(1, b - a)) >= most:
            return False
    return True


def stands_out(ink: np.ndarray, seg: Segment, horizontal: bool, dpi: float, contrast: float) -> bool:
    """True when the densest row (column) of the segment holds `contrast` times the ink of the rows
    just beyond it on each side: a rule, even one with text printed flush against it (the text
    keeps a pixel or two of paper from it). A run along the foot of a line of digits, or a
    character's stroke, is barely denser than the glyph bodies it runs along."""
    plane = ink if horizontal else ink.T
    near = max(3, int(dpi / 50))
    pos, a, b = int(round(seg.pos)), max(0, int(seg.start)), int(seg.end)
    if b <= a:
        return False

    def density(rows: range) -> float:
        inside = [r for r in rows if 0 <= r < plane.shape[0]]
        return float(np.count_nonzero(plane[inside, a:b])) / (len(inside) * (b - a)) if inside else 0.0

    core = max(density(range(pos + d, pos + d + 1)) for d in range(-2, 3))
    return all(contrast * density(range(pos + side * near, pos + side * (near + 4), side)) <= core
               for side in (-1, 1))


def rule_remnant(ink: np.ndarray, seg: Segment, horizontal: bool, dpi: float, share: float,
                 contrast: float) -> bool:
    """True when what is left of a rule lies along `seg` (a grid unit's side, from one crossing rule
    to the next): ink pieces no thicker than a rule, touching no other ink, that line `share` of it
    within a few pixels of `seg` (a slight leftover skew moves a line) and stand out from what lies
    beside them (stands_out). A character's stroke on the line is joined to the rest of its glyph."""
    plane = ink if horizontal else ink.T
    near = max(3, int(dpi / 50))
    a, b = max(0, int(seg.start) + near), int(seg.end) - near  # not the crossing rules' own ink
    pos = int(round(seg.pos))
    top, bottom = pos - 4 * near, pos + 4 * near + 1
    if b - a < near or top < 0 or bottom > plane.shape[0]:
        return False
    window = np.ascontiguousarray(plane[top:bottom, a:b])
    n, labels, stats, _ = cv2.connectedComponentsWithStats(window, connectivity=8)
    thin = np.zeros(n, bool)
    thin[1:] = (stats[1:, 3] <= near) & (stats[1:, 1] >= 3 * near - 1) & (stats[1:, 1] + stats[1:, 3] <= 5 * near + 2)
    pieces = thin[labels]
    covered = float(np.count_nonzero(pieces.any(axis=0))) / (b - a)
    if covered < share:
        return False
    rows = np.count_nonzero(pieces, axis=1)
    line = top + int(np.argmax(rows))
    return stands_out(ink, Segment(float(line), float(a), float(b)), horizontal, dpi, contrast)


def _band_mask(shape: tuple[int, ...], hs: list[Segment], vs: list[Segment], half: int) -> np.ndarray:
    band = np.zeros(shape[:2], np.uint8)
    for s in hs:
        y = int(round(s.pos))
        band[max(0, y - half): y + half + 1, int(s.start): int(s.end) + 1] = 255
    for s in vs:
        x = int(round(s.pos))
        band[int(s.start): int(s.end) + 1, max(0, x - half): x + half + 1] = 255
    return band


def _mended(ink: np.ndarray, rules: list[Segment], chains: list[tuple[Segment, list[Segment]]],
            horizontal: bool, dpi: float) -> list[Segment]:
    """The rules as grown where the grown line still has paper beside it; elsewhere as found."""
    out: list[Segment] = []
    for seg, held in chains:
        if held == [seg]:
            out.append(seg)
        elif clear_beside(ink, seg, horizontal, dpi):
            out.append(seg)
        else:
            out.extend(held)
    return out


def image_segments(gray: np.ndarray, dpi: float) -> tuple[list[Segment], list[Segment], np.ndarray]:
    """(horizontal, vertical, rule pixels) for a deskewed grey page at `dpi`."""
    ink = binarize(gray)
    min_len = max(20, int(dpi * 0.25))  # a quarter inch: longer than any character stroke
    h, v = line_masks(ink, min_len)
    hs = [s for s in mask_segments(h, True) if clear_beside(ink, s, True, dpi)]
    vs = [s for s in mask_segments(v, False) if clear_beside(ink, s, False, dpi)]
    # Dashes of broken rules: ink runs from a twelfth of an inch, no thicker than a rule (dilated).
    hp, vp = line_masks(ink, max(8, int(dpi / 12)))
    hp, vp = cv2.subtract(hp, h), cv2.subtract(vp, v)
    thick, pos_tol, gap = max(5, int(dpi / 30)), max(3.0, dpi / 60), max(12.0, dpi * 0.2)
    # Rows first, then the cell sides against the grown rows (a side's stub meets a mended rule).
    # A dash has paper on both sides; a text stroke has its character's body on one.
    # Only runs with paper on both sides grow: a run along the foot of a line of digits (kept so
    # far, dropped later for meeting no rule) must not be carried out to the cell's sides.
    h_dash = [p for p in _thin_pieces(hp, True, thick) if clear_both_sides(ink, p, True, dpi)]
    h_seed = [s for s in hs if clear_both_sides(ink, s, True, dpi)]
    hs = [s for s in hs if s not in h_seed] + _mended(ink, h_seed, grow_rules(h_seed, h_dash, vs, pos_tol, gap),
                                                      True, dpi)
    v_dash = [p for p in _thin_pieces(vp, False, thick) if clear_both_sides(ink, p, False, dpi)]
    v_seed = [s for s in vs if clear_both_sides(ink, s, False, dpi)]
    vs = [s for s in vs if s not in v_seed] + _mended(ink, v_seed, grow_rules(v_seed, v_dash, hs, pos_tol, gap),
                                                      False, dpi)
    pieces = cv2.bitwise_and(cv2.bitwise_or(hp, vp), _band_mask(ink.shape, hs, vs, thick // 2 + 1))
    return hs, vs, cv2.bitwise_or(cv2.bitwise_or(h, v), pieces)


def erase_lines(gray: np.ndarray, hs: list[Segment], vs: list[Segment], width: int,
                rules: np.ndarray | None = None) -> np.ndarray:
    """The page with ruling lines painted white, so text detection sees text only.

    With `rules` (the rule pixels of image_segments) only those pixels within `width` of a segment
    are painted: a digit printed flush against a rule (cells with no padding) keeps its strokes.
    """
    band = _band_mask(gray.shape, hs, vs, width)
    if rules is not None:
        band = cv2.bitwise_and(band, rules)
    out = gray.copy()
    out[band > 0] = 255
    return out
