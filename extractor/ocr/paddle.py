"""PaddleOCR adapter for users who keep PaddleOCR inference models on disk.

Model directories come from DOCEXTRACT_PADDLE_DET_DIR / DOCEXTRACT_PADDLE_REC_DIR (or the
constructor). Nothing is downloaded: a missing directory is a ModelMissing error before paddle loads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from extractor.errors import ModelMissing, UnsupportedInput
from extractor.ocr.base import BBox, OcrEngine


def _model_dir(given: Path | None, env: str) -> Path:
    value = given or (Path(os.environ[env]) if os.environ.get(env) else None)
    if value is None:
        raise ModelMissing(f"PaddleOCR needs local model directories: set {env}")
    if not value.is_dir() or not any(value.glob("*.pdmodel")) and not any(value.glob("*.json")):
        raise ModelMissing(f"no PaddleOCR inference model in {value} ({env})")
    return value


class PaddleOcrEngine(OcrEngine):
    name = "paddleocr"

    def __init__(self, det_dir: Path | None = None, rec_dir: Path | None = None) -> None:
        det = _model_dir(det_dir, "DOCEXTRACT_PADDLE_DET_DIR")
        rec = _model_dir(rec_dir, "DOCEXTRACT_PADDLE_REC_DIR")
        try:
            from paddleocr import PaddleOCR
        except ImportError as err:
            raise UnsupportedInput("the paddleocr engine needs: pip install 'docextract[paddle]'",
                                   code="ocr_engine_unavailable") from err
        self._ocr: Any = PaddleOCR(det_model_dir=str(det), rec_model_dir=str(rec), use_angle_cls=False,
                                   lang="ch", show_log=False)

    def detect(self, image: np.ndarray) -> list[BBox]:
        found = self._ocr.ocr(image, det=True, rec=False, cls=False)[0] or []
        boxes = [(min(p[0] for p in q), min(p[1] for p in q), max(p[0] for p in q), max(p[1] for p in q))
                 for q in found]
        return sorted(boxes, key=lambda b: (b[1], b[0]))

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        for crop in crops:
            res = self._ocr.ocr(crop, det=False, rec=True, cls=False)[0] or [("", 0.0)]
            text, score = res[0]
            out.append((str(text), float(score)))
        return out
