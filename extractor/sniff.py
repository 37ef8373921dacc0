"""Decide which route reads an input, from its bytes first and its name second."""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from extractor.errors import EmptyInput, UnsupportedInput

Kind = Literal["text", "html", "pdf", "image", "office"]

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)


def sniff(data: bytes, filename: str | None = None) -> tuple[Kind, str]:
    """Return (route kind, media type). Content wins over the file name, which can lie."""
    if not data or not data.strip():
        raise EmptyInput("the file is empty")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf", "application/pdf"
    for magic, media_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return "image", media_type
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) or head.startswith(_OLE2_MAGIC):
        return "office", office_media_type(data)
    lowered = head.lower()
    if b"<table" in data[:200_000].lower() or lowered.lstrip().startswith((b"<!doctype html", b"<html")):
        return "html", "text/html"
    if _looks_utf16(head):
        text_head = head.decode("utf-16", errors="ignore").lower()
        if "<table" in text_head or "<html" in text_head:
            return "html", "text/html"
    return "text", "text/plain"


def text_behind_pdf_marker(data: bytes, *, min_form_words: int, max_repaired_fraction: float) -> bool:
    """Whether a file sniffed as PDF (`%PDF-` in its first 1 KiB) that the PDF reader could not open is a
    text dump instead: one that decodes as text and prints at least `min_form_words` of the form's words.
    Asked only after the PDF reader failed, so a real PDF never pays for it."""
    from extractor.decode import decode_text
    from extractor.errors import UndecodableText
    from extractor.form.vocabulary import form_words_in
    from extractor.normalize import compact

    try:
        text = decode_text(data, max_repaired_fraction=max_repaired_fraction).text
    except UndecodableText:
        return False
    return form_words_in(compact(text[:1 << 20])) >= min_form_words


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
XLSB = "application/vnd.ms-excel.sheet.binary.macroEnabled.12"  # binary workbook: converted by LibreOffice
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCM = "application/vnd.ms-word.document.macroEnabled.12"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"
XLS = "application/vnd.ms-excel"
DOC = "application/msword"
OLE2 = "application/x-ole-storage"  # an encrypted OOXML file, or a compound file of another kind


def office_media_type(data: bytes) -> str:
    """The media type of an Office file (OOXML or ODF zip, OLE2 compound file), from its content.

    A ZIP that is neither OOXML nor ODF is refused with `unsupported_input`. Only the ZIP directory
    is read here (never a member), so a zip bomb costs nothing; when the directory is not in `data`
    (the first bytes of an upload) the local headers name the members instead."""
    if data.startswith(_OLE2_MAGIC):
        # Directory entry names are UTF-16LE; a small file holds its directory in the bytes given.
        if "EncryptedPackage".encode("utf-16-le") in data:
            return OLE2
        if "WordDocument".encode("utf-16-le") in data:
            return DOC
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return XLS
        return OLE2
    names: list[str]
    mimetype = b""
    whole = True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        # The first bytes of an upload, or a damaged file: the local headers name the members.
        whole = False
        names = [n.decode("utf-8", "replace") for n in _local_names(data)]
        if data[30:38] == b"mimetype":
            mimetype = data[38:38 + 80]
    if mimetype.startswith(ODS.encode()):
        return ODS
    if mimetype.startswith(ODT.encode()):
        return ODT
    ooxml = "[Content_Types].xml" in names or (not whole and any(n.startswith(("_rels/", "docProps/"))
                                                                  for n in names))
    if ooxml or not whole:
        if any(n.startswith("xl/") for n in names):
            if "xl/workbook.bin" in names:
                return XLSB
            return XLSM if "xl/vbaProject.bin" in names else XLSX
        if any(n.startswith("word/") for n in names):
            return DOCM if "word/vbaProject.bin" in names else DOCX
        if not whole and ooxml:  # an OOXML package seen in part: the reader says what it is, or that it is damaged
            return XLSX
    raise UnsupportedInput("a ZIP archive that is not an Office workbook or document (.xlsx, .docx, .ods, .odt); "
                           "upload its files one by one, or use `docextract ingest` for archives")


def _local_names(data: bytes) -> list[bytes]:
    """Member names from the ZIP local file headers in `data` (no directory needed)."""
    out: list[bytes] = []
    at = 0
    while len(out) < 64:
        at = data.find(b"PK\x03\x04", at)
        if at < 0 or at + 30 > len(data):
            break
        n = int.from_bytes(data[at + 26:at + 28], "little")
        out.append(data[at + 30:at + 30 + n])
        at += 30 + n
    return out
