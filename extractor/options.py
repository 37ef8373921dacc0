"""Pipeline options as one validated model, with limits that keep a hostile input to its own job."""

from __future__ import annotations

from collections.abc import Callable
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
    on_page: Callable[[int, int], None] | None = Field(
        None, exclude=True, description="called as on_page(pages_done, pages_total) before each page is read")

    def report_page(self, done: int, total: int) -> None:
        """Progress for long documents; a failing callback never fails the document."""
        if self.on_page is not None:
            try:
                self.on_page(done, total)
            except Exception:  # noqa: BLE001 - progress is advisory
                pass
