"""The engine interface: detect text lines on a page, recognise cropped lines.

Routes never talk to an engine library directly. Splitting detection from recognition lets the
scan route detect once per page, cut boxes at cell borders and recognise only the pieces, and
read vertical text by re-stacking its characters (see extractor.vision.crops).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class TextBox:
    text: str
    bbox: BBox  # x0, y0, x1, y1 in pixels of the image that was read
    confidence: float


@dataclass(frozen=True, slots=True)
class LineRead:
    """One recognised line with what the engine knew of each character.

    `chars`: the engine's probability of each character of `text`; `xs`: each character's middle, in
    pixels of the crop (where its frame fired); both empty from an engine that tells only the mean.
    The mean is the line's `confidence`, so one doubtful character in a long line hides there."""

    text: str
    confidence: float
    chars: tuple[float, ...] = ()
    xs: tuple[float, ...] = ()

    def strip(self) -> LineRead:
        """Without the spaces at either end (and their scores)."""
        lead = len(self.text) - len(self.text.lstrip())
        end = len(self.text.rstrip())
        if lead == 0 and end == len(self.text):
            return self
        cut = slice(lead, max(lead, end))
        return LineRead(self.text[cut], self.confidence, self.chars[cut] if self.chars else (),
                        self.xs[cut] if self.xs else ())


class OcrEngine(ABC):
    """An OCR engine. Subclasses load their models once, in __init__, and never download."""

    name: str = "base"

    @abstractmethod
    def detect(self, image: np.ndarray) -> list[BBox]:
        """Axis-aligned boxes of text lines in a BGR or grey image."""

    def detect_region(self, image: np.ndarray) -> list[BBox]:
        """Boxes of text lines in a small part of a page, read at its own scale. Engines whose
        page detection enlarges small images (PP-OCR's to 736 px on the short side) override this:
        a strip of text 60 px tall gains nothing from being read 12 times larger."""
        return self.detect(image)

    @abstractmethod
    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) per cropped single-line image, in the same order."""

    def recognize_lines(self, crops: list[np.ndarray]) -> list[LineRead]:
        """Like recognize, with each character's probability and place where the engine tells them."""
        return [LineRead(text, conf) for text, conf in self.recognize(crops)]

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


class RecBatching(BaseModel):
    """How line crops are grouped into recognition batches.

    A recogniser's cost grows with the padded width of each batch. PP-OCR's reference code pads every
    crop to at least 320 px (a 6.7:1 line) in batches of six; a form's cells are mostly short (a
    score, a percentage: median about 2.5:1), so most of that work is padding. Crops here are sorted
    by width and batched with their like, padded only to a small floor.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    height: int = Field(48, gt=0, description="input height of the recognition model (PP-OCR: 48)")
    min_ratio: float = Field(
        2.0, gt=0, description="narrowest input as width/height: one-character crops read worse when "
        "the model sees them with no padding beside them ('0' as 'O')")
    slack: float = Field(1.2, ge=1.0, description="widest crop of a batch over its narrowest (padding waste)")
    max_columns: int = Field(3000, gt=0, description="most input columns (crops x width) in one batch")


def rec_width(shape: tuple[int, ...], height: int) -> int:
    """Width of a crop of `shape` scaled to the model's input height."""
    return max(1, math.ceil(height * shape[1] / max(1, shape[0])))


def plan_batches(widths: list[int], batching: RecBatching) -> list[list[int]]:
    """Indices of `widths` grouped into batches of similar width, narrowest first."""
    floor = math.ceil(batching.height * batching.min_ratio)
    order = sorted(range(len(widths)), key=widths.__getitem__)
    batches: list[list[int]] = []
    k = 0
    while k < len(order):
        limit = max(floor, widths[order[k]]) * batching.slack
        j = k + 1
        while j < len(order) and widths[order[j]] <= limit and \
                (j - k + 1) * max(floor, widths[order[j]]) <= batching.max_columns:
            j += 1
        batches.append(order[k:j])
        k = j
    return batches
