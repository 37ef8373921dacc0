"""RapidOCR adapter: the PP-OCR ONNX models bundled in the rapidocr wheel, run by onnxruntime."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from extractor.errors import ModelMissing
from extractor.ocr.base import BBox, OcrEngine, to_bgr


class RapidOcrEngine(OcrEngine):
    name = "rapidocr"

    def __init__(self, model_root: Path | None = None) -> None:
        import rapidocr
        from rapidocr import RapidOCR

        root = model_root or Path(rapidocr.__file__).parent / "models"
        # Fail fast instead of letting rapidocr fetch weights over the network.
        if not any(root.glob("*det*.onnx")) or not any(root.glob("*rec*.onnx")):
            raise ModelMissing(f"no RapidOCR det/rec ONNX models in {root}; reinstall the rapidocr wheel")
        # The 0/180 line classifier flips short crops (">=90%" read upside down as "%06<="), so it is
        # off; orientation is decided once per page by extractor.vision.orient instead.
        # Threads per inference: all cores by default; a machine running several workers sets
        # DOCEXTRACT_OCR_THREADS so they do not fight over the cores.
        threads = int(os.environ.get("DOCEXTRACT_OCR_THREADS", "-1"))
        self._ocr = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "warning",
                                     "Global.model_root_dir": str(root),
                                     "EngineConfig.onnxruntime.intra_op_num_threads": threads})
        self._det = self._ocr._load_det_model()
        self._rec = self._ocr._load_rec_model()

    def detect(self, image: np.ndarray) -> list[BBox]:
        out = self._ocr(to_bgr(image), use_det=True, use_cls=False, use_rec=False)
        if getattr(out, "boxes", None) is None or len(out.boxes) == 0:
            return []
        boxes = [
            (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
            for q in np.asarray(out.boxes)
        ]
        return sorted(boxes, key=lambda b: (b[1], b[0]))

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        valid = [i for i, c in enumerate(crops) if c.size and c.shape[0] >= 4 and c.shape[1] >= 4]
        if not valid:
            return results
        out = self._rec(TextRecInput(img=[to_bgr(crops[i]) for i in valid]))
        for i, text, score in zip(valid, out.txts or (), out.scores, strict=False):
            results[i] = (str(text), float(score))
        return results

