"""RapidOCR adapter: the PP-OCR ONNX models bundled in the rapidocr wheel, run by onnxruntime."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from extractor.errors import ModelMissing
from extractor.ocr.base import BBox, LineRead, OcrEngine, RecBatching, plan_batches, rec_width, to_bgr


def without_spinning(ocr: Any, threads: int = -1) -> None:
    """Rebuild a RapidOCR instance's loaded sessions with idle threads that sleep instead of spinning.

    onnxruntime's workers busy-wait between the many small runs of a page (one per batch of line
    crops), which on two cores doubles the CPU time of recognition for the same wall time (measured:
    4.0 against 7.6 CPU-s on one page set); the cores it burns belong to the other workers.
    DOCEXTRACT_OCR_SPIN=1 keeps onnxruntime's default.
    """
    import onnxruntime as ort

    for model in (ocr.text_det, ocr.text_cls, ocr.text_rec):
        if model is None:
            continue
        old = model.session.session
        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        opts.enable_cpu_mem_arena = False
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        if 1 <= threads <= (os.cpu_count() or 1):
            opts.intra_op_num_threads = threads
        model.session.session = ort.InferenceSession(old._model_path, sess_options=opts,
                                                     providers=old.get_providers())


class RapidOcrEngine(OcrEngine):
    name = "rapidocr"

    def __init__(self, model_root: Path | None = None, batching: RecBatching | None = None) -> None:
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
        if os.environ.get("DOCEXTRACT_OCR_SPIN", "0") != "1":
            without_spinning(self._ocr, threads)
        self.batching = batching or RecBatching(height=int(self._rec.rec_image_shape[1]))

    def detect(self, image: np.ndarray) -> list[BBox]:
        out = self._ocr(to_bgr(image), use_det=True, use_cls=False, use_rec=False)
        if getattr(out, "boxes", None) is None or len(out.boxes) == 0:
            return []
        boxes = [
            (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
            for q in np.asarray(out.boxes)
        ]
        return sorted(boxes, key=lambda b: (b[1], b[0]))

    def detect_region(self, image: np.ndarray) -> list[BBox]:
        from rapidocr.ch_ppocr_det.utils import DetPreProcess

        img = to_bgr(image)
        h, w = img.shape[:2]
        # Only the rounding to multiples of 32 the network needs; no enlarging.
        data = DetPreProcess(max(h, w, 32), "max", self._det.mean, self._det.std)(img)
        if data is None or min(h, w) < 8:
            return []
        polys, _ = self._det.postprocess_op(self._det.session(data), (h, w))
        boxes = [(float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
                 for q in np.asarray(polys)]
        return sorted(boxes, key=lambda b: (b[1], b[0]))

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(r.text, r.confidence) for r in self.recognize_lines(crops)]

    def recognize_lines(self, crops: list[np.ndarray]) -> list[LineRead]:
        # Batched here rather than by rapidocr's TextRecognizer, which pads every crop to 320 px
        # (see RecBatching); resizing and normalising are the same as there.
        results: list[LineRead] = [LineRead("", 0.0)] * len(crops)
        valid = [i for i, c in enumerate(crops) if c.size and c.shape[0] >= 4 and c.shape[1] >= 4]
        height = self.batching.height
        widths = [rec_width(crops[i].shape, height) for i in valid]
        floor = int(np.ceil(height * self.batching.min_ratio))
        for batch in plan_batches(widths, self.batching):
            width = max(floor, max(widths[b] for b in batch))
            data = np.zeros((len(batch), 3, height, width), np.float32)
            for row, b in enumerate(batch):
                line = cv2.resize(to_bgr(crops[valid[b]]), (widths[b], height)).astype(np.float32)
                data[row, :, :, :widths[b]] = line.transpose(2, 0, 1) / 127.5 - 1.0
            preds = self._rec.session(data)
            stride = width / preds.shape[1]  # input columns per output frame
            for row, b in enumerate(batch):
                # Crop pixels per input column: the crop was scaled to widths[b] columns.
                results[valid[b]] = self._decode(preds[row], stride * crops[valid[b]].shape[1] / widths[b])
        return results

    def _decode(self, frames: np.ndarray, px_per_frame: float) -> LineRead:
        """CTC greedy decoding as rapidocr's CTCLabelDecode does it (a character per run of equal
        non-blank frames, scored by its first frame; the line by the mean), keeping each character's
        score and the crop column its frame stands at."""
        index = frames.argmax(axis=1)
        prob = frames.max(axis=1)
        keep = index != 0  # 0 is CTC's blank
        keep[1:] &= index[1:] != index[:-1]
        at = np.flatnonzero(keep)
        if not len(at):
            return LineRead("", 0.0)
        table = self._rec.postprocess_op.character
        chars = tuple(round(float(p), 5) for p in prob[at])
        return LineRead("".join(table[i] for i in index[at]), round(float(np.mean(chars)), 5), chars,
                        tuple(round(float((f + 0.5) * px_per_frame), 1) for f in at))
