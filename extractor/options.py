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
    min_page_side: int = Field(
        8, ge=1, description="fewest pixels a rendered page may have on a side (a MediaBox of 0.001 pt)")
    max_image_pixels: int = Field(
        60_000_000, description="largest image embedded in a PDF page (width x height, before decoding)")
    max_chars_per_page: int = Field(
        50_000, description="most characters a PDF page's content streams may show (Tj/TJ strings)")
    max_drawing_ops_per_page: int = Field(
        50_000, description="most path operators (m l c v y re) in one PDF page's content streams")
    max_content_bytes_per_page: int = Field(
        50 * 1024 * 1024, description="largest decompressed content stream of one PDF page")
    max_grid_slots: int = Field(
        2_000_000, description="most table slots (rows x columns a cell covers) an HTML document may lay out")
    max_line_chars: int = Field(
        8 * 1024 * 1024, description="longest line (bytes) of a text dump, checked before decoding")
    max_repaired_fraction: float = Field(
        0.01, ge=0, le=1, description="most bad spots (bytes no codec reads, control characters) a text dump "
        "may hold, as a share of its characters, and still be read (each reported)")
    min_form_words: int = Field(
        3, ge=1, description="form words (extractor.form.vocabulary.FORM_WORDS) that make a file text when its "
        "first line says %PDF- but it is no PDF")
    max_number_chars: int = Field(
        40, description="longest number (characters) a reviewer's correction may send")
    memory_limit: int | None = Field(
        None, gt=0, description="bytes of address space one document may add (RLIMIT_AS while it is read; "
        "in a process that reads one document at a time: CLI, prefork child); None = no budget")
    max_seconds_per_page: float | None = Field(
        120.0, gt=0, description="wall-clock seconds for reading one page (OCR included); None = no limit")
    render_in_child: bool = Field(
        True, description="render PDF pages in a forked child that the page time limit can kill")
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
