"""Page images (PNG, JPEG, TIFF incl. multi-page, BMP) -> Grid by OCR. Cell boxes are image pixels."""

from __future__ import annotations

import io
from typing import Any

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
    return read_images([data], options)


def read_images(files: list[bytes], options: ExtractOptions) -> RouteOutput:
    """The pages of one document, file after file and frame after frame (a multi-page TIFF, or one
    file per page from a scanner), numbered through: a form continued on the next file is one form."""
    from PIL import Image, ImageSequence

    from extractor.ocr import get_engine
    from extractor.vision.scan import read_page_image

    images = [_open(data, index, len(files)) for index, data in enumerate(files)]
    frames = sum(getattr(img, "n_frames", 1) for img in images)
    if frames > options.max_pages:
        raise LimitExceeded(f"the image{'s have' if len(files) > 1 else ' has'} {frames} pages, above the "
                            f"limit of {options.max_pages}", code="too_many_pages")
    engine = get_engine(options.ocr_engine)
    contents: list[PageContent] = []
    for img in images:
        for frame in ImageSequence.Iterator(img):
            index = len(contents)
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


def join_page_images(files: list[bytes], options: ExtractOptions) -> bytes:
    """Page images that are the pages of one document (a photo or scan per page), in the order given,
    as one multi-page TIFF: one file to store, queue and read as one document (a form continued on the
    next page is one form). Greyscale and lossless, which is what the scan route reads of each page;
    the limits are the image route's own, so a bomb fails here as it would there."""
    from PIL import Image, ImageSequence

    if not files:
        raise CorruptInput("no page images were given", code="empty_input")
    images = [_open(data, index, len(files)) for index, data in enumerate(files)]
    frames = sum(getattr(img, "n_frames", 1) for img in images)
    if frames > options.max_pages:
        raise LimitExceeded(f"the images have {frames} pages, above the limit of {options.max_pages}",
                            code="too_many_pages")
    pages = []
    resolutions: set[float] = set()
    for img in images:
        for frame in ImageSequence.Iterator(img):
            w, h = frame.size
            if w * h > options.max_page_pixels:
                raise LimitExceeded(f"page {len(pages) + 1} is {w}x{h} = {w * h:,} pixels, above the limit of "
                                    f"{options.max_page_pixels:,}", code="page_too_large")
            try:
                page = frame.convert("L")
            except (OSError, ValueError, Image.DecompressionBombError) as err:
                raise CorruptInput(f"page {len(pages) + 1} cannot be decoded: {err}", code="corrupt_image") from err
            pages.append(page)
            resolutions.add(_dpi(frame.info, w))
    # A TIFF's frames share the one resolution written: kept when every page agrees (one scanner);
    # else left out, and each page's is judged from its width as for an image that names none.
    resolution = {"dpi": (resolutions.pop(),) * 2} if len(resolutions) == 1 else {}
    out = io.BytesIO()
    pages[0].save(out, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                  **resolution)
    return out.getvalue()


def _open(data: bytes, index: int, files: int) -> Any:
    """The image's header (lazily: no pixels yet), or the failure that names it among `files`."""
    from PIL import Image, UnidentifiedImageError

    which = f"image {index + 1} of {files}" if files > 1 else "the image"
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as err:  # Pillow's own ceiling, above ours: same failure
        raise LimitExceeded(f"{'page 1' if files == 1 else which} is too large: {err}", code="page_too_large") from err
    except (UnidentifiedImageError, OSError) as err:
        raise CorruptInput(f"{which} cannot be read: {err}", code="corrupt_image") from err
    except ValueError as err:  # Pillow's own refusal of a zTXt/iTXt/iCCP chunk that unpacks past 1 MB
        raise CorruptInput(f"{which}'s metadata (a compressed text or colour-profile chunk) unpacks beyond "
                           f"the safe limit (a decompression bomb); {which} was not read", code="corrupt_image") from err
