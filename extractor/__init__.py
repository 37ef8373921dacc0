"""docextract's extraction pipeline: bytes -> pages -> grid of cells -> forms -> validated result."""

from extractor.errors import ExtractionError
from extractor.pipeline import ExtractOptions, extract_bytes, extract_path

__all__ = ["ExtractOptions", "ExtractionError", "extract_bytes", "extract_path"]
