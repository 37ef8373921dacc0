"""docextract's extraction pipeline: bytes -> pages -> grid of cells -> forms -> validated result."""

from extractor.errors import ExtractionError
from extractor.pipeline import ExtractOptions, extract_bytes, extract_path

# Bump when the same input can give a different result: the service keys shared and stored results
# by it, so a new version re-extracts instead of serving results of the old rules.
PIPELINE_VERSION = "2026.12.01-1"

__all__ = ["PIPELINE_VERSION", "ExtractOptions", "ExtractionError", "extract_bytes", "extract_path"]
