"""OCR engines behind one small interface (`OcrEngine`), one adapter per engine.

The registry lives here, not in base: adapters import base, and only this module imports adapters
(lazily, so an engine's library loads only when that engine is asked for).
"""

from __future__ import annotations

from functools import cache

from extractor.errors import UnsupportedInput
from extractor.ocr.base import OcrEngine, TextBox

__all__ = ["ENGINES", "OcrEngine", "TextBox", "get_engine"]

ENGINES = ("rapidocr", "paddleocr")


@cache
def get_engine(name: str) -> OcrEngine:
    """One engine instance per process and name: model loading costs seconds, reading milliseconds."""
    if name == "rapidocr":
        from extractor.ocr.rapid import RapidOcrEngine
        return RapidOcrEngine()
    if name == "paddleocr":
        from extractor.ocr.paddle import PaddleOcrEngine
        return PaddleOcrEngine()
    raise UnsupportedInput(f"unknown OCR engine {name!r}: use rapidocr or paddleocr", code="unknown_ocr_engine")
