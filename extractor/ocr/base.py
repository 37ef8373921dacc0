"""The engine interface: detect text lines on a page, recognise cropped lines.

Routes never talk to an engine library directly. Splitting detection from recognition lets the
scan route detect once per page, cut boxes at cell borders and recognise only the pieces, and
read vertical text by re-stacking its characters (see extractor.vision.crops).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class TextBox:
    text: str
    bbox: BBox  # x0, y0, x1, y1 in pixels of the image that was read
    confidence: float


class OcrEngine(ABC):
    """An OCR engine. Subclasses load their models once, in __init__, and never download."""

    name: str = "base"

    @abstractmethod
    def detect(self, image: np.ndarray) -> list[BBox]:
        """Axis-aligned boxes of text lines in a BGR or grey image."""

    @abstractmethod
    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) per cropped single-line image, in the same order."""

    def read(self, image: np.ndarray) -> list[TextBox]:
        """Whole-image OCR: detect, then recognise every detected line."""
        boxes = self.detect(image)
        crops = [crop_box(image, box) for box in boxes]
        results = self.recognize(crops)
        return [TextBox(text, box, conf) for box, (text, conf) in zip(boxes, results, strict=True)]


def crop_box(image: np.ndarray, box: BBox, pad: int = 0) -> np.ndarray:
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    return image[max(0, int(y0) - pad): min(h, int(round(y1)) + pad),
                 max(0, int(x0) - pad): min(w, int(round(x1)) + pad)]


def to_bgr(image: np.ndarray) -> np.ndarray:
    """A contiguous 3-channel image: both engines' models take BGR."""
    if image.ndim == 2:
        return np.ascontiguousarray(np.stack([image] * 3, axis=-1))
    return np.ascontiguousarray(image)
