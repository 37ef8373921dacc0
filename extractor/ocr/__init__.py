"""OCR engines behind one small interface (`OcrEngine`), one adapter per engine."""

from __future__ import annotations

from extractor.ocr.base import OcrEngine, TextBox, get_engine

__all__ = ["OcrEngine", "TextBox", "get_engine"]
