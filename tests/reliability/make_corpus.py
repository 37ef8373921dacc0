"""Generate the bad-input corpus: hostile, broken and unreadable files, each with the code it must fail with.

Nothing here is a committed binary: every file is built from scratch (reportlab, Pillow, a tiny PDF
writer below, the synthetic form generator), so the corpus is reviewable as code and can be regrown.

    python tests/reliability/make_corpus.py --out /tmp/badcorpus     # files + manifest.json

Each case lists the outcomes it accepts, `|`-separated: an `ExtractionError.code` (the input cannot be
read at all), a result issue code for a readable file that is not a usable form (`no_form_found`,
`no_indicators`), or `forms` (a result with at least one form: the hostile part was survived). Most
cases accept exactly one. `options` are ExtractOptions overrides: small limits let a limit be crossed
by a small file, so the suite stays fast.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Case:
    name: str  # file name, extension included (the extension may lie: content decides the route)
    build: Callable[[], bytes]
    outcomes: str  # accepted outcomes, "|"-separated: error codes, issue codes, "forms"
    options: dict[str, Any] = field(default_factory=dict)
    why: str = ""


# --- building blocks ------------------------------------------------------------------------------


def _form_dicts(seed: int = 7, count: int = 1) -> list[dict]:
    from samples.generate.synth import synth_forms

    return synth_forms(seed, count)


def form_tsv(seed: int = 7) -> str:
    from samples.generate.layout import Style, layout
    from samples.generate.text import render_tsv

    forms = _form_dicts(seed)
    return render_tsv([layout(f, Style.plain()) for f in forms], forms_meta=forms)


def form_pdf(seed: int = 7) -> bytes:
    from samples.generate.layout import Style, layout
    from samples.generate.pdf import render_pdf

    return render_pdf([layout(f, Style.plain()) for f in _form_dicts(seed)], seed=seed).pdf


def text_pdf(lines: list[str], *, pages: int = 1, size: tuple[float, float] = (595, 842),
             encrypt: str | None = None) -> bytes:
    """A plain PDF with a text layer (Helvetica, ASCII) and no table."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = StandardEncryption(encrypt, ownerPassword=encrypt + "-owner", canPrint=0) if encrypt else None
    c = canvas.Canvas(buf, pagesize=size, encrypt=enc)
    for _ in range(pages):
        y = size[1] - 72
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Objects 1..n (bodies without `obj`/`endobj`) as a PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_PAGE_TEXT = _stream(b"BT /F1 14 Tf 72 760 Td (Quarterly newsletter: nothing to extract here.) Tj ET")
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_with_javascript() -> bytes:
    """An OpenAction and a page action that run JavaScript in a viewer. A reader must not run it."""
    js = b"app.alert('pwned'); this.exportDataObject({cName: 'x', nLaunch: 2});"
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript << /Names [(a) 5 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> /AA << /O 5 0 R >> >>",
        _PAGE_TEXT,
        b"<< /S /JavaScript /JS (" + js + b") >>",
        _FONT,
    ])


def pdf_with_embedded_form() -> bytes:
    """A visible page with no form and an attached file that IS a form: attachments are never read."""
    attached = form_tsv().encode("utf-8")
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(forms.txt) 7 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        _PAGE_TEXT,
        _stream(zlib.compress(attached), b"/Type /EmbeddedFile /Filter /FlateDecode"),
        _FONT,
        b"<< /Type /Filespec /F (forms.txt) /UF (forms.txt) /EF << /F 5 0 R >> >>",
    ])


def pdf_with_page_tree_loop() -> bytes:
    """The page tree points back at itself: a naive walker never ends."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])


def pdf_without_pages() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def _one_page_pdf(media_box: bytes, contents: bytes) -> bytes:
    """One page of the given MediaBox drawing `contents`, no text layer."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box + b"] /Contents 4 0 R >>",
        _stream(contents),
    ])


def pdf_huge_blank_page() -> bytes:
    """One 200 x 200 inch page with no text layer: rendering it for OCR would need 1.6 G pixels."""
    return _one_page_pdf(b"0 0 14400 14400", b"0 0 m 14400 14400 l S")


def pdf_thin_page() -> bytes:
    """A MediaBox of 0.001 x 842 pt: rendered, it is zero pixels wide (an OpenCV assertion before)."""
    return _one_page_pdf(b"0 0 0.001 842", b"0 0 m 1 1 l S")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height and carries one tiny IDAT: the header alone must stop it."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


def png_zlib_bomb() -> bytes:
    """A real decompression bomb: 12000 x 12000 white pixels (144 MB raw) in about 140 KB."""
    width = height = 12000
    row = b"\x00" + b"\xff" * width
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def png_metadata_bomb(chunk_type: bytes) -> bytes:
    """A 50 x 50 PNG carrying a zTXt or iCCP chunk that inflates to 64 MiB (about 65 KB compressed)."""
    from PIL import Image

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    buf = io.BytesIO()
    Image.new("L", (50, 50), 255).save(buf, "PNG")
    png = buf.getvalue()
    head = b"Comment\x00\x00" if chunk_type == b"zTXt" else b"icc\x00\x00"
    return png[:33] + chunk(chunk_type, head + zlib.compress(bytes(64 * 1024 * 1024), 9)) + png[33:]


def small_image(fmt: str, *, frames: int = 1, size: tuple[int, int] = (400, 300)) -> bytes:
    from PIL import Image, ImageDraw

    pages = []
    for n in range(frames):
        img = Image.new("L", size, 255)
        ImageDraw.Draw(img).text((20, 20 + n), f"page {n + 1}", fill=0)
        pages.append(img)
    buf = io.BytesIO()
    if frames > 1:
        pages[0].save(buf, format=fmt, save_all=True, append_images=pages[1:])
    else:
        pages[0].save(buf, format=fmt)
    return buf.getvalue()


def without_indicator_table(tsv: str) -> str:
    """The form's text up to its indicator table: header and funds only."""
    lines = tsv.split("\n")
    cut = next(i for i, line in enumerate(lines) if line.split("\t")[0].strip().startswith("绩效指标")
               or "一级指标" in line)
    return "\n".join(lines[:cut]) + "\n"


def enormous_cell(tsv: str, size: int = 2_000_000) -> str:
    """One cell of the form grows to `size` characters (a pasted blob)."""
    rng = random.Random(1)
    blob = "".join(rng.choice("资金项目绩效目标完成情况说明") for _ in range(size))
    lines = tsv.split("\n")
    target = next(i for i, line in enumerate(lines) if "\t" in line and i > 3)
    cells = lines[target].split("\t")
    cells[-1] = blob
    lines[target] = "\t".join(cells)
    return "\n".join(lines)


def deep_html(depth: int, tag: str = "div") -> bytes:
    return (f"<html><body>{('<' + tag + '>') * depth}深{('</' + tag + '>') * depth}</body></html>").encode()


def nested_tables(depth: int) -> bytes:
    return ("<html><body>" + "<table><tr><td>" * depth + "深" + "</td></tr></table>" * depth
            + "</body></html>").encode()


def html_span_bomb() -> bytes:
    cells = "".join(f'<td rowspan="100000000" colspan="100000000">{n}</td>' for n in range(50))
    return f"<html><body><table><tr>{cells}</tr></table></body></html>".encode()


def html_span_grid_bomb(cells: int = 3_000) -> bytes:
    """`cells` rows of one <td rowspan=100000 colspan=100000> each: clamped spans still cover millions
    of slots (issue 14: 3,000 cells, 141 KB, took 5.45 GB)."""
    rows = "".join(f'<tr><td rowspan="100000" colspan="100000">{n}</td></tr>' for n in range(cells))
    return f"<html><body><table>{rows}</table></body></html>".encode()


def _flate_page_pdf(content: bytes, resources: bytes = b"<< /Font << /F1 5 0 R >> >>",
                    extra: list[bytes] | None = None) -> bytes:
    import zlib

    packed = zlib.compress(content, 9)
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + resources + b" /Contents 4 0 R >>",
        _stream(packed, b"/Filter /FlateDecode"),
        _FONT,
        *(extra or []),
    ])


def pdf_many_pages(pages: int = 200_000) -> bytes:
    """A PDF of `pages` empty pages (about 70 bytes each): the page count alone is hostile."""
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages, *[page] * pages])


def pdf_huge_tj(chars: int = 2_000_000) -> bytes:
    """One `Tj` of `chars` characters in a ~3 KB PDF (issue 14: 2 M characters took 4.1 GB)."""
    return _flate_page_pdf(b"BT /F1 1 Tf 10 400 Td (" + b"A" * chars + b") Tj ET")


def pdf_many_segments(segments: int = 1_000_000) -> bytes:
    """`segments` line segments in one path (issue 14: 1 M segments, 44 KB, took 2.8 GB)."""
    return _flate_page_pdf(b"10 10 m 20 20 l\n" * segments + b"S")


def pdf_huge_image(side: int = 46_000) -> bytes:
    """A page that draws one side x side grey image (issue 14: 46k x 46k, 2 MB, took 2.44 GB and 207 s)."""
    import zlib

    packer = zlib.compressobj(9)
    row = bytes(side)
    packed = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(packed))
             + packed + b"\nendstream")
    return _flate_page_pdf(b"q 595 0 0 842 0 0 cm /Im1 Do Q", b"<< /XObject << /Im1 6 0 R >> >>", [image])


def pdf_slow_render(side: int = 7_000, copies: int = 20) -> bytes:
    """A page drawing `copies` different side x side images (each under max_image_pixels), on top of each
    other: one render, one long C call (issue 14: 207 s against a 120 s page limit)."""
    import zlib

    row = bytes(side)
    images = []
    for n in range(copies):
        packer = zlib.compressobj(6)
        packed = b"".join(packer.compress(row) for _ in range(side - 1)) + packer.compress(bytes([n]) * side)
        packed += packer.flush()
        images.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(packed))
                      + packed + b"\nendstream")
    names = b" ".join(b"/Im%d %d 0 R" % (n, 6 + n) for n in range(copies))
    draws = b"".join(b"q 595 0 0 842 0 0 cm /Im%d Do Q\n" % n for n in range(copies))
    return _flate_page_pdf(draws, b"<< /XObject << " + names + b" >> >>", images)


def one_line_dump(size: int = 50 * 1024 * 1024) -> bytes:
    """A text dump of one `size`-byte line (issue 14: 50 MB took 5.0 GB)."""
    return ("项目名称\t" + "测" * (size // 3)).encode()


def random_bytes(n: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def zip_of_forms() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("form.txt", form_tsv())
    return buf.getvalue()


def form_xlsx() -> bytes:
    from samples.generate.layout import Style, layout
    from samples.generate.office import render_xlsx

    return render_xlsx([layout(f, Style.plain()) for f in _form_dicts()])


def _rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    change(members)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buf.getvalue()


def xlsx_bomb() -> bytes:
    return _rezip(form_xlsx(), lambda m: m.__setitem__("xl/media/pad.bin", b"\0" * (40 << 20)))


def xlsx_empty_rows() -> bytes:
    def grow(m: dict[str, bytes]) -> None:
        rows = "".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in range(2000, 1_002_000))
        m["xl/worksheets/sheet1.xml"] = m["xl/worksheets/sheet1.xml"].replace(b"</sheetData>",
                                                                               rows.encode() + b"</sheetData>")
    return _rezip(form_xlsx(), grow)


def damaged_gb18030(text: str, bad: int = 4) -> bytes:
    """The dump in GB18030 with `bad` bytes overwritten by 0xFF (never valid in GB18030), each at the first
    byte of a line spread evenly over the dump: isolated damage, the rest intact."""
    data = bytearray(text.encode("gb18030"))
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A and i + 1 < len(data)]
    for n in range(bad):
        data[starts[(n + 1) * len(starts) // (bad + 1)]] = 0xFF
    return bytes(data)


def half_utf8_half_gbk(text: str) -> bytes:
    """The first half of the dump's lines in UTF-8, the rest in GBK (two dumps pasted together)."""
    lines = text.split("\n")
    half = len(lines) // 2
    return "\n".join(lines[:half]).encode("utf-8") + b"\n" + "\n".join(lines[half:]).encode("gbk")


def nul_in_head(text: str, at: int = 100) -> bytes:
    """One NUL byte early in a UTF-8 dump (inside the first 4 KB), between two characters."""
    data = text.encode("utf-8")
    while at < len(data) and (data[at] & 0xC0) == 0x80:  # not inside a character
        at += 1
    return data[:at] + b"\x00" + data[at:]


def pdf_banner(text: str) -> bytes:
    """A text dump whose first line is a converter's banner naming the PDF version it came from."""
    return ("%PDF-1.7 源文件转换\n" + text).encode("utf-8")


# --- the corpus -------------------------------------------------------------------------------------


def cases() -> list[Case]:
    tsv = form_tsv
    return [
        Case("empty.txt", lambda: b"", "empty_input"),
        Case("blank.txt", lambda: b" \n\t\r\n  ", "empty_input"),
        Case("too-big.txt", lambda: tsv().encode(), "file_too_large", {"max_bytes": 1000},
             "above max_bytes"),
        Case("random.bin", lambda: random_bytes(50_000), "undecodable_text", why="binary junk"),
        Case("zip-named.txt", zip_of_forms, "unsupported_input",
             why="an archive that is not an Office file given to extract (archives are for `ingest`)"),
        Case("utf32.txt", lambda: tsv().encode("utf-32"), "forms",
             why="UTF-32 with a BOM (which begins like UTF-16's): decoded as UTF-32"),
        Case("bom-then-junk.txt", lambda: b"\xef\xbb\xbf" + random_bytes(2_000, 11), "undecodable_text",
             why="a UTF-8 BOM followed by binary (found by the fuzzer)"),
        Case("big5.txt", lambda: "財政項目支出績效自評表\n項目名稱\t測試\n".encode("big5"), "text_converted",
             why="Big5 in traditional characters: decoded, converted to simplified and read (a form without its table)"),
        Case("gb18030-bad-bytes.txt", lambda: damaged_gb18030(tsv()), "text_repaired",
             why="4 damaged bytes in a GB18030 dump: read as GB18030, repaired and reported (was IBM855)"),
        Case("half-utf8-half-gbk.txt", lambda: half_utf8_half_gbk(tsv()), "text_repaired",
             why="half the lines UTF-8, half GBK: each line in its own encoding, reported"),
        Case("nul-in-head.txt", lambda: nul_in_head(tsv()), "text_repaired",
             why="one NUL in the first 4 KB of a UTF-8 dump: removed and reported (was undecodable_text)"),
        Case("pdf-banner.txt", lambda: pdf_banner(tsv()), "forms",
             why="`%PDF-` on a text dump's first line: not a PDF, read as text (was corrupt_pdf)"),
        Case("not-a-form.txt", lambda: "会议通知\n请各单位于周五前提交材料。\n".encode(), "no_form_found"),
        Case("no-indicators.txt", lambda: without_indicator_table(tsv()).encode(), "no_indicators",
             why="a form whose indicator table is missing"),
        Case("enormous-cell.txt", lambda: enormous_cell(tsv()).encode(), "forms",
             why="one 2 M-character cell: the form is still read, in seconds"),
        Case("slow-text.txt", lambda: enormous_cell(tsv()).encode(), "page_timeout",
             {"max_seconds_per_page": 0.05}, "a text dump that takes longer than one page's time limit"),
        Case("deep-divs.html", lambda: deep_html(100_000), "no_form_found",
             why="100 000 nested <div>s (recursion)"),
        Case("nested-tables.html", lambda: nested_tables(5_000), "no_form_found",
             why="5 000 tables nested in cells"),
        Case("span-bomb.html", html_span_bomb, "no_form_found",
             why="rowspan/colspan of 10^8 (allocation bomb)"),
        Case("script.html", lambda: b"<html><script>while(1){}</script><table><tr><td>x</td></tr></table></html>",
             "no_form_found", why="scripts are never run"),
        Case("form.xlsx", form_xlsx, "forms", why="an Excel workbook: merged cells and typed numbers"),
        Case("bomb.xlsx", xlsx_bomb, "zip_bomb", why="a workbook part compressed 40 000:1"),
        Case("empty-rows.xlsx", xlsx_empty_rows, "too_many_rows", why="a million empty formatted rows"),
        Case("truncated.xlsx", lambda: (lambda d: d[: len(d) // 2])(form_xlsx()), "corrupt_document"),
        Case("truncated-header.pdf", lambda: form_pdf()[:40], "corrupt_pdf"),
        Case("truncated-half.pdf", lambda: (lambda d: d[: len(d) // 2])(form_pdf()), "corrupt_pdf|no_form_found|forms",
             why="half a real form PDF: refused, or read as far as it goes"),
        Case("garbage.pdf", lambda: b"%PDF-1.7\n" + random_bytes(20_000, 5), "corrupt_pdf"),
        Case("no-pages.pdf", pdf_without_pages, "corrupt_pdf"),
        Case("page-loop.pdf", pdf_with_page_tree_loop, "corrupt_pdf"),
        Case("encrypted.pdf", lambda: text_pdf(["secret"], encrypt="s3cret"), "encrypted_pdf"),
        Case("javascript.pdf", pdf_with_javascript, "no_form_found", why="JavaScript is never run"),
        Case("embedded-form.pdf", pdf_with_embedded_form, "no_form_found",
             why="an attached form file is never extracted"),
        Case("not-a-form.pdf", lambda: text_pdf(["Minutes of the meeting", "Nothing tabular here."]),
             "no_form_found"),
        Case("many-pages.pdf", lambda: text_pdf(["page"], pages=4), "too_many_pages", {"max_pages": 3}),
        Case("huge-page.pdf", pdf_huge_blank_page, "page_too_large", why="1.6 G pixels at 200 dpi"),
        Case("thin-page.pdf", pdf_thin_page, "page_too_small",
             why="a 0.001 pt wide page (was internal_error with OpenCV's source path, issue 14)"),
        Case("corrupt.png", lambda: b"\x89PNG\r\n\x1a\n" + random_bytes(5_000, 9), "corrupt_image"),
        Case("truncated.png", lambda: small_image("PNG")[:300], "corrupt_image"),
        Case("truncated.jpg", lambda: small_image("JPEG")[:400], "corrupt_image"),
        Case("bomb-header.png", lambda: png_header_only(10_000, 10_000), "page_too_large",
             why="10^8 pixels declared"),
        Case("bomb-header-pil.png", lambda: png_header_only(30_000, 30_000), "page_too_large",
             why="9*10^8 pixels: above Pillow's own bomb limit, which raises at open"),
        Case("bomb-zlib.png", png_zlib_bomb, "page_too_large",
             why="a real zlib bomb: 144 MB of pixels in ~140 KB"),
        Case("ztxt-bomb.png", lambda: png_metadata_bomb(b"zTXt"), "corrupt_image",
             why="a zTXt chunk inflating to 64 MiB (Pillow refuses it; was internal_error: ValueError)"),
        Case("iccp-bomb.png", lambda: png_metadata_bomb(b"iCCP"), "corrupt_image",
             why="an iCCP colour profile inflating to 64 MiB (was internal_error: ValueError)"),
        Case("many-frames.tiff", lambda: small_image("TIFF", frames=4), "too_many_pages",
             {"max_pages": 3}),
        Case("slow-page.png", lambda: small_image("PNG", size=(1600, 1200)), "page_timeout",
             {"max_seconds_per_page": 0.05}, "OCR of one page past max_seconds_per_page"),
    ]


def accepted(case: Case) -> set[str]:
    return set(case.outcomes.split("|"))


def outcomes_of(result: Any) -> set[str]:
    """What a Result shows: its issue codes (document and forms) and "forms" if it has any."""
    codes = {issue.code for issue in result.issues}
    codes |= {issue.code for form in result.forms for issue in form.issues}
    return codes | ({"forms"} if result.forms else set())


def write_corpus(out: Path) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for case in cases():
        data = case.build()
        (out / case.name).write_bytes(data)
        manifest.append({"file": case.name, "outcomes": case.outcomes, "options": case.options,
                         "bytes": len(data), "why": case.why})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    manifest = write_corpus(args.out)
    print(f"wrote {len(manifest)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
