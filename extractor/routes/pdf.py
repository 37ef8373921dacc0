"""PDF -> Grid, decided page by page: the text layer where it can be trusted, OCR where not.

Boxes of every cell are in PDF points, origin top-left, for text-layer and OCRed pages alike
(OCR pixels are scaled by 72/dpi), so one document has one unit.
"""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import numpy as np

from extractor.errors import (
    CONTENT_TOO_LARGE,
    IMAGE_TOO_LARGE,
    PAGE_TOO_SMALL,
    TOO_MANY_CHARS,
    TOO_MANY_DRAWING_OPS,
    CorruptInput,
    ExtractionError,
    LimitExceeded,
)
from extractor.limits import page_time_limit
from extractor.options import ExtractOptions
from extractor.routes import RouteOutput
from extractor.textlayer import distrust_reason, edge_chars, text_page_content, vector_tables
from extractor.vision.assemble import PageContent, pages_to_grid
from models import Issue


def _open(data: bytes, max_pages: int) -> tuple[Any, Any]:
    import pdfplumber
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise CorruptInput("the PDF is encrypted and needs a password", code="encrypted_pdf") from err
        raise CorruptInput(f"the PDF cannot be opened: {err}", code="corrupt_pdf") from err
    # Counted by pdfium before pdfplumber parses every page object: a 200 000-page PDF cost 65 s and
    # 825 MB in pdfminer before too_many_pages (issue 14).
    n = len(doc)
    if n > max_pages:
        doc.close()
        raise LimitExceeded(f"the PDF has {n} pages, above the limit of {max_pages}", code="too_many_pages")
    try:
        plumber = pdfplumber.open(io.BytesIO(data))
        _ = plumber.pages  # parses the page tree: a broken one fails here, not halfway
    except Exception as err:  # pdfminer raises many unrelated types for broken files
        doc.close()
        raise CorruptInput(f"the PDF's structure is broken: {err}", code="corrupt_pdf") from err
    return doc, plumber


_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>", re.S)
_PATH_OP = re.compile(rb"(?<![A-Za-z0-9_.])(?:[mlcvy]|re)(?![A-Za-z0-9_])")


def _stream_bytes(stream: Any, limit: int, where: str) -> bytes:
    """A content stream decompressed, refused as soon as it passes `limit` bytes (a zlib bomb)."""
    from pdfminer.pdftypes import resolve1

    stream = resolve1(stream)
    filters = stream.get_filters()
    if len(filters) == 1 and getattr(filters[0][0], "name", filters[0][0]) in ("FlateDecode", "Fl"):
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(stream.rawdata or b"", limit + 1)
        except zlib.error:
            data = b""
    else:
        data = stream.get_data() if filters else (stream.rawdata or b"")
    if len(data) > limit:
        raise LimitExceeded(f"{where}: its content is above the limit of {limit:,} bytes",
                            code=CONTENT_TOO_LARGE)
    return data


def check_page_content(page_obj: Any, index: int, options: ExtractOptions) -> None:
    """Refuse a page before pdfminer lays it out or pdfium renders it: images above max_image_pixels,
    text above max_chars_per_page, path operators above max_drawing_ops_per_page (each costs a Python
    object in pdfminer, so a 2 KB page could otherwise take gigabytes)."""
    from pdfminer.pdftypes import resolve1

    where = f"page {index + 1}"
    resources = resolve1(page_obj.resources) or {}
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    for ref in xobjects.values() if isinstance(xobjects, dict) else ():
        obj = resolve1(ref)
        attrs = getattr(obj, "attrs", None) or {}
        if getattr(attrs.get("Subtype"), "name", None) != "Image":
            continue
        try:
            pixels = int(resolve1(attrs.get("Width", 0))) * int(resolve1(attrs.get("Height", 0)))
        except (TypeError, ValueError):
            continue
        if pixels > options.max_image_pixels:
            raise LimitExceeded(f"{where} embeds an image of {pixels:,} pixels, above the limit of "
                                f"{options.max_image_pixels:,}", code=IMAGE_TOO_LARGE)
    chars = ops = 0
    for stream in page_obj.contents or ():
        try:
            data = _stream_bytes(stream, options.max_content_bytes_per_page, where)
        except LimitExceeded:
            raise
        except Exception:  # noqa: BLE001 - a broken stream is pdfminer's to report (or skip)
            continue
        chars += sum(len(m) - 2 if m[:1] == b"(" else (len(m) - 2) // 2 for m in _STRING.findall(data))
        ops += len(_PATH_OP.findall(data))
    if chars > options.max_chars_per_page:
        raise LimitExceeded(f"{where} shows about {chars:,} characters, above the limit of "
                            f"{options.max_chars_per_page:,}", code=TOO_MANY_CHARS)
    if ops > options.max_drawing_ops_per_page:
        raise LimitExceeded(f"{where} draws {ops:,} path operators, above the limit of "
                            f"{options.max_drawing_ops_per_page:,}", code=TOO_MANY_DRAWING_OPS)


def render_page(doc: Any, index: int, dpi: int, max_pixels: int, killable: bool = False) -> np.ndarray:
    """A page as a grey image, refused before rendering if it would exceed max_pixels. `killable`: render
    in a child process that a page time limit can kill (see _render_in_child)."""
    page = doc[index]
    w, h = page.get_size()
    pixels = (w * dpi / 72) * (h * dpi / 72)
    if pixels > max_pixels:
        raise LimitExceeded(f"page {index + 1} would render to {pixels:,.0f} pixels at {dpi} dpi, above "
                            f"the limit of {max_pixels:,}", code="page_too_large")
    min_side = ExtractOptions.model_fields["min_page_side"].default
    if min(w, h) * dpi / 72 < min_side:
        raise CorruptInput(f"page {index + 1} is {w:g} x {h:g} pt: too small to read (under {min_side} pixels "
                           f"on a side at {dpi} dpi)", code=PAGE_TOO_SMALL)
    if killable:
        return _render_in_child(page, dpi)
    pixels_array = page.render(scale=dpi / 72, grayscale=True).to_numpy()
    return np.array(pixels_array[..., 0] if pixels_array.ndim == 3 else pixels_array)


def _render_in_child(page: Any, dpi: int) -> np.ndarray:
    """Render in a forked child while this process waits in Python: one render is one C call that SIGALRM
    cannot interrupt (a page drawing a big image 20 times ran 207 s against a 120 s limit), but the wait
    can be, and the child is then killed, so the page fails with page_timeout on time. os.fork, not
    multiprocessing: a Celery prefork child may not start multiprocessing children."""
    import os
    import select
    import signal
    import struct

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, write, leave without running any of the parent's exit handlers
        code = 0
        try:
            os.close(read_fd)
            array = page.render(scale=dpi / 72, grayscale=True).to_numpy()
            array = np.ascontiguousarray(array[..., 0] if array.ndim == 3 else array, dtype=np.uint8)
            with os.fdopen(write_fd, "wb") as out:
                out.write(struct.pack("<QQ", *array.shape))
                out.write(memoryview(array).cast("B"))
        except BaseException:  # noqa: BLE001 - the parent sees a short read
            code = 1
        os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], 0.05)  # SIGALRM (page_time_limit) lands here
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    data = b"".join(chunks)
    if len(data) < 16:
        raise CorruptInput("the page could not be rendered (the renderer failed)", code="corrupt_pdf")
    height, width = struct.unpack("<QQ", data[:16])
    if len(data) != 16 + height * width:
        raise CorruptInput("the page could not be rendered (the renderer failed)", code="corrupt_pdf")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(height, width).copy()


def _killable(options: ExtractOptions) -> bool:
    """Renders go to a child when a page limit is set and fork exists (POSIX); otherwise in-process."""
    import os

    return bool(options.max_seconds_per_page) and options.render_in_child and hasattr(os, "fork")


def _image_tables_for_text(doc: Any, index: int, options: ExtractOptions) -> list[Any]:
    """Cells of a page whose text layer is fine but whose table is a picture (a searchable scan)."""
    from extractor.vision.lines import image_segments
    from extractor.vision.segments import scale_table, tables_from_segments

    dpi = 100  # rules need no more; the text comes from the layer
    hs, vs, _ = image_segments(render_page(doc, index, dpi, options.max_page_pixels,
                                           killable=_killable(options)), dpi)
    return [scale_table(t, 72 / dpi) for t in tables_from_segments(hs, vs, dpi * 0.04)]


INK_DPI = 100  # enough to see whether a character's box holds any ink
INK_LEVEL = 200  # grey below this is ink
RULE_CLEARANCE_PT = 1.5  # a rule drawn at a table's edge reaches this far (anti-aliased) from it


def _without_hidden(doc: Any, index: int, chars: list[dict[str, Any]], tables: list[Any],
                    options: ExtractOptions) -> list[dict[str, Any]]:
    """The page's characters less those a clip hides: a text layer holds the clipped part of a merged
    cell cut by a page break too (its label would leak into the next row's name). Only characters
    beside a table's top or bottom edge are looked at, on a coarse render."""
    suspects = edge_chars(chars, tables)
    if not suspects:
        return chars
    gray = render_page(doc, index, INK_DPI, options.max_page_pixels, killable=_killable(options))
    k = INK_DPI / 72
    hidden = set()
    for i in suspects:
        c = chars[i]
        top, bottom, left, right = float(c["top"]), float(c["bottom"]), float(c["x0"]), float(c["x1"])
        # Only the part of the glyph outside the table it stands over or under (a table's rule is ink).
        cx = (left + right) / 2
        for t in tables:
            if t.bbox[0] <= cx <= t.bbox[2]:
                if bottom > t.bbox[1] > top and (top + bottom) / 2 < t.bbox[1]:
                    bottom = t.bbox[1] - RULE_CLEARANCE_PT
                elif top < t.bbox[3] < bottom and (top + bottom) / 2 > t.bbox[3]:
                    top = t.bbox[3] + RULE_CLEARANCE_PT
        y0, y1 = int(top * k), int(np.ceil(bottom * k))
        x0, x1 = int(left * k), int(np.ceil(right * k))
        box = gray[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
        if not box.size or int(box.min()) >= INK_LEVEL:  # off the page, or no ink where it stands
            hidden.add(i)
    return [c for i, c in enumerate(chars) if i not in hidden] if hidden else chars


def read_pdf(data: bytes, options: ExtractOptions) -> RouteOutput:
    doc, plumber = _open(data, options.max_pages)
    try:
        n = len(doc)
        if n == 0:
            raise CorruptInput("the PDF has no pages", code="corrupt_pdf")
        if len(plumber.pages) != n:  # a looped or broken page tree: the two parsers disagree
            raise CorruptInput(f"the PDF's page tree is inconsistent ({n} or {len(plumber.pages)} pages)",
                               code="corrupt_pdf")
        return _read_pages(doc, plumber, n, options)
    finally:
        plumber.close()
        doc.close()


def _read_pages(doc: Any, plumber: Any, n: int, options: ExtractOptions) -> RouteOutput:
    """The pages one by one. pdfplumber wraps whatever is raised while pdfminer lays a page out in a
    PdfminerException, our own page_timeout included: it is unwrapped, anything else is corrupt_pdf."""
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return _read_pages_unwrapped(doc, plumber, n, options)
    except PdfminerException as err:
        inner = err.args[0] if err.args else None
        if isinstance(inner, ExtractionError):
            raise inner from None
        raise CorruptInput(f"the PDF's content cannot be read ({type(inner).__name__})", code="corrupt_pdf") from None


def _read_pages_unwrapped(doc: Any, plumber: Any, n: int, options: ExtractOptions) -> RouteOutput:
    contents: list[PageContent] = []
    issues: list[Issue] = []
    scanned = 0
    for i in range(n):
        options.report_page(i, n)
        with page_time_limit(options.max_seconds_per_page, f"page {i + 1}"):
            page = plumber.pages[i]
            check_page_content(page.page_obj, i, options)
            chars = page.chars
            tables = vector_tables(page.edges)
            if not tables and chars and page.images:
                tables = _image_tables_for_text(doc, i, options)
            reason = distrust_reason(chars, tables)
            if reason is None:
                chars = _without_hidden(doc, i, chars, tables, options)
                contents.append(text_page_content(i + 1, float(page.width), float(page.height), chars, tables))
                _debug_text_page(doc, i, contents[-1], options)
                continue
            scanned += 1
            if reason != "no text layer":
                issues.append(Issue(code="text_layer_untrusted", severity="warning", field=None,
                                    message=f"page {i + 1}: text layer not used ({reason}); the page was OCRed"))
            contents.append(_ocr_page(doc, i, options, page.images))
    with page_time_limit(options.max_seconds_per_page, "assembling the pages"):
        grid = pages_to_grid(contents)
    grid.pages = n
    route = "pdf-scan" if scanned else "pdf-text"
    return RouteOutput(grid=grid, route=route, pages=n, issues=issues)


def scan_dpi(images: list[dict[str, Any]], default: int) -> int:
    """Render a scanned page at its own resolution (150–300 dpi): no detail is invented or thrown away."""
    best = max(images, key=lambda im: float(im["x1"]) - float(im["x0"]), default=None)
    if best is None or float(best["x1"]) - float(best["x0"]) < 200:
        return default
    native = best["srcsize"][0] * 72 / (float(best["x1"]) - float(best["x0"]))
    return int(min(300, max(150, round(native))))


def _ocr_page(doc: Any, index: int, options: ExtractOptions, images: list[dict[str, Any]]) -> PageContent:
    from extractor.ocr import get_engine
    from extractor.vision.scan import read_page_image

    dpi = scan_dpi(images, options.render_dpi)
    gray = render_page(doc, index, dpi, options.max_page_pixels, killable=_killable(options))
    scan = read_page_image(gray, dpi, get_engine(options.ocr_engine), page=index + 1, scale=72 / dpi)
    if options.debug_dir is not None:
        from extractor.debug import write_scan_overlay
        write_scan_overlay(options.debug_dir, scan)
    return scan.content


def _debug_text_page(doc: Any, index: int, content: PageContent, options: ExtractOptions) -> None:
    if options.debug_dir is None:
        return
    from extractor.debug import write_text_overlay

    dpi = 100
    write_text_overlay(options.debug_dir, render_page(doc, index, dpi, options.max_page_pixels), content, dpi / 72)
