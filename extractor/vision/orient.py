"""Page orientation (0/90/180/270) and skew, fixed before anything reads the page."""

from __future__ import annotations

import math

import cv2
import numpy as np


def deskew_angle(gray: np.ndarray, max_angle: float = 5.0) -> float:
    """Degrees to rotate the page counter-clockwise (as `rotate` does) to level it, measured on long
    near-horizontal ruling lines, falling back to text-line blobs when the page has no rules."""
    small, _ = _shrink(gray, 1000)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 12)
    # Only pixels of wide ink runs can be rules: Hough over them alone is fast and ignores text.
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    lines = cv2.HoughLinesP(runs, 1, math.pi / 1800, threshold=150, minLineLength=small.shape[1] // 4,
                            maxLineGap=8)
    angles: list[tuple[float, float]] = []
    for x0, y0, x1, y1 in (lines.reshape(-1, 4) if lines is not None else []):
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if abs(angle) <= max_angle:
            angles.append((angle, math.hypot(x1 - x0, y1 - y0)))
    if not angles:
        return _text_skew(ink, max_angle)
    return _weighted_median(angles)


def _text_skew(ink: np.ndarray, max_angle: float) -> float:
    blobs = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 3)))
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles: list[tuple[float, float]] = []
    for c in contours:
        (_, _), (w, h), a = cv2.minAreaRect(c)
        if w < h:
            w, h, a = h, w, a - 90
        if w > 5 * h and w > 60:
            a = (a + 90) % 180 - 90
            if abs(a) <= max_angle:
                angles.append((a, w))
    return _weighted_median(angles) if angles else 0.0


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    pairs.sort()
    half, acc = sum(w for _, w in pairs) / 2, 0.0
    for value, weight in pairs:
        acc += weight
        if acc >= half:
            return value
    return pairs[-1][0]


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by `degrees` about the centre, keeping the size, white outside."""
    if abs(degrees) < 0.05:
        return image
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    border = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def rotate_quarter(image: np.ndarray, quarters: int) -> np.ndarray:
    """Rotate by quarters * 90 degrees clockwise."""
    return np.ascontiguousarray(np.rot90(image, k=-(quarters % 4)))


def is_sideways(gray: np.ndarray) -> bool:
    """A first guess that the page lies turned 90 or 270 degrees: its image is landscape, as a portrait
    form laid sideways on the scanner is. Only a guess (forms are printed landscape too): the scan route
    reads the page's lines to decide. The shape of the text's ink cannot tell it: a Word table's labels
    wrapped two characters a line stack into tall blocks on an upright page."""
    h, w = gray.shape[:2]
    return w > h


def _shrink(gray: np.ndarray, longest: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, longest / max(gray.shape[:2]))
    if scale >= 1.0:
        return gray, 1.0
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale
