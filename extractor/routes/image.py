"""Page images (PNG, JPEG, TIFF incl. multi-page, BMP) -> Grid by OCR. Cell boxes are image pixels."""

from __future__ import annotations

import io

import numpy as np

from extractor.errors import CorruptInput, LimitExceeded
from extractor.limits import page_time_limit
from extractor.options import ExtractOptions
from extractor.routes import RouteOutput
from extractor.vision.assemble import PageContent, pages_to_grid

A4_WIDTH_INCHES = 8.27


def _dpi(info: dict, width: int) -> float:
    """The scan's resolution: from the file if plausible, else assume the page is A4 wide."""
    dpi = info.get("dpi")
    if dpi and 70 <= float(dpi[0]) <= 1200:
        return float(dpi[0])
    return max(72.0, width / A4_WIDTH_INCHES)


def read_image(data: bytes, options: ExtractOptions) -> RouteOutput:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from extractor.ocr import get_engine
    from extractor.vision.scan import read_page_image

    try:
        img = Image.open(io.BytesIO(data))  # lazy: reads the header only, no pixels yet
    except Image.DecompressionBombError as err:  # Pillow's own ceiling, above ours: same failure
        raise LimitExceeded(f"page 1 is too large: {err}", code="page_too_large") from err
    except (UnidentifiedImageError, OSError) as err:
        raise CorruptInput(f"the image cannot be read: {err}", code="corrupt_image") from err
    except ValueError as err:  # Pillow's own refusal of a zTXt/iTXt/iCCP chunk that unpacks past 1 MB
        raise CorruptInput("the image's metadata (a compressed text or colour-profile chunk) unpacks beyond "
                           "the safe limit (a decompression bomb); the image was not read",
                           code="corrupt_image") from err
    frames = getattr(img, "n_frames", 1)
    if frames > options.max_pages:
        raise LimitExceeded(f"the image has {frames} pages, above the limit of {options.max_pages}",
                            code="too_many_pages")
    engine = get_engine(options.ocr_engine)
    contents: list[PageContent] = []
    for index, frame in enumerate(ImageSequence.Iterator(img)):
        options.report_page(index, frames)
        w, h = frame.size
        if w * h > options.max_page_pixels:
            raise LimitExceeded(f"page {index + 1} is {w}x{h} = {w * h:,} pixels, above the limit of "
                                f"{options.max_page_pixels:,}", code="page_too_large")
        with page_time_limit(options.max_seconds_per_page, f"page {index + 1}"):
            try:
                gray = np.asarray(frame.convert("L"))
            except (OSError, ValueError, Image.DecompressionBombError) as err:
                raise CorruptInput(f"page {index + 1} of the image cannot be decoded: {err}",
                                   code="corrupt_image") from err
            scan = read_page_image(gray, _dpi(frame.info, w), engine, page=index + 1)
        if options.debug_dir is not None:
            from extractor.debug import write_scan_overlay
            write_scan_overlay(options.debug_dir, scan)
        contents.append(scan.content)
    grid = pages_to_grid(contents)
    grid.pages = len(contents)
    return RouteOutput(grid=grid, route="image", pages=len(contents))
