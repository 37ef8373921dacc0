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


# Codes of the limits that refuse a hostile input early (ExtractOptions holds the numbers).
FILE_TOO_LARGE = "file_too_large"
PAGE_TIMEOUT = "page_timeout"
PAGE_TOO_SMALL = "page_too_small"  # a PDF page under min_page_side pixels on a side once rendered
IMAGE_TOO_LARGE = "image_too_large"  # an image embedded in a PDF page: max_image_pixels
TOO_MANY_CHARS = "too_many_chars"  # text shown by one PDF page: max_chars_per_page
TOO_MANY_DRAWING_OPS = "too_many_drawing_ops"  # path operators on one PDF page: max_drawing_ops_per_page
CONTENT_TOO_LARGE = "content_too_large"  # one PDF page's decompressed content: max_content_bytes_per_page
TOO_MANY_GRID_SLOTS = "too_many_grid_slots"  # HTML rowspan x colspan laid out: max_grid_slots
LINE_TOO_LONG = "line_too_long"  # one line of a text dump: max_line_chars
MEMORY_LIMIT = "memory_limit"  # one document's address-space budget: memory_limit
NUMBER_TOO_LONG = "number_too_long"  # a number a user sends: max_number_chars


class ModelMissing(ExtractionError):
    """An OCR model file is not where the engine expects it: nothing is downloaded at run time."""

    code = "ocr_model_missing"
