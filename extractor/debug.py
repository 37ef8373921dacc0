"""Per-page PNG overlays for `--debug-dir`: cells (green; merged cells blue), text boxes (red)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from extractor.vision.assemble import PageContent
from extractor.vision.scan import ScanPage


def _draw(gray: np.ndarray, content: PageContent, boxes: list[tuple[float, float, float, float]],
          scale: float) -> np.ndarray:
    img = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)

    def pt(x: float, y: float) -> tuple[int, int]:
        return int(round(x * scale)), int(round(y * scale))

    for table in content.tables:
        for cell in table.cells:
            merged = cell.rowspan > 1 or cell.colspan > 1
            x0, y0, x1, y1 = cell.bbox
            cv2.rectangle(img, pt(x0 + 1, y0 + 1), pt(x1 - 1, y1 - 1), (255, 0, 0) if merged else (0, 170, 0),
                          3 if merged else 1)
    for x0, y0, x1, y1 in boxes:
        cv2.rectangle(img, pt(x0, y0), pt(x1, y1), (0, 0, 255), 1)
    return img


def _write(directory: Path, page: int, img: np.ndarray) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"page-{page:03d}.png"
    cv2.imwrite(str(path), img)
    return path


def write_scan_overlay(directory: Path, scan: ScanPage) -> Path:
    """Overlay on the levelled page image the OCR worked on (boxes in its pixels)."""
    return _write(directory, scan.content.page, _draw(scan.image, scan.content, scan.boxes, 1.0))


def write_text_overlay(directory: Path, gray: np.ndarray, content: PageContent, scale: float) -> Path:
    """Overlay for a text-layer page rendered at `scale` pixels per point; boxes are characters."""
    boxes = [f.bbox for f in content.fragments if f.text.strip()]
    return _write(directory, content.page, _draw(gray, content, boxes, scale))
