"""Typed errors: every input that cannot give a result fails with a stable code and one clear line."""

from __future__ import annotations


class ExtractionError(Exception):
    """An input that cannot be read at all. `code` is stable and documented in the README."""

    code = "extraction_failed"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class EmptyInput(ExtractionError):
    code = "empty_input"


class UnsupportedInput(ExtractionError):
    code = "unsupported_input"


class UndecodableText(ExtractionError):
    code = "undecodable_text"


class CorruptInput(ExtractionError):
    code = "corrupt_input"


class LimitExceeded(ExtractionError):
    code = "limit_exceeded"


class ModelMissing(ExtractionError):
    """An OCR model file is not where the engine expects it: nothing is downloaded at run time."""

    code = "ocr_model_missing"
