"""Pipeline options as one validated model, with limits that keep a hostile input to its own job."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class ExtractOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ocr_engine: str = Field("rapidocr", description="OCR engine adapter: rapidocr (bundled) or paddleocr")
    debug_dir: Path | None = Field(None, description="write per-page PNGs with cells and OCR boxes here")
    max_bytes: int = Field(200 * 1024 * 1024, description="largest input accepted")
    max_pages: int = Field(500, description="most pages read from one document")
    max_page_pixels: int = Field(60_000_000, description="largest page image (decompression bombs)")
    max_seconds_per_page: float | None = Field(
        120.0, gt=0, description="wall-clock seconds for reading one page (OCR included); None = no limit")
    render_dpi: int = Field(200, description="DPI for rendering PDF pages that need OCR")
