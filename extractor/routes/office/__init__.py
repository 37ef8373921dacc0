"""Office files (.xlsx/.xlsm, .docx, and through LibreOffice .xls/.doc/.et/.wps/.ods/.odt) -> Grid.

The original file is the best input there is: merged cells are exact, numbers typed, nothing needs OCR.
Every cell comes with confidence 1.0, source `xlsx` or `docx`, and a box in cell units on its sheet or
Word table (column, row, end column, end row; 0-based, ends exclusive); `name_cells` turns those boxes
into `Sheet1!D12` or `table 2, row 3, column 1` on the result's provenance.

Nothing in a file is ever run: formulas give their cached values (never evaluated), macros are never
loaded (openpyxl drops vbaProject.bin; LibreOffice runs with macros disabled), external links are not
followed. An OOXML file is a ZIP, so it is checked like an archive before anything is unpacked: members,
declared and real sizes, compression ratio (zip bombs).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

from extractor.errors import CorruptInput, ExtractionError, LimitExceeded, UnsupportedInput
from extractor.options import ExtractOptions
from extractor.routes import RouteOutput
from extractor.sniff import DOC, DOCM, DOCX, ODS, ODT, OLE2, XLS, XLSB, XLSM, XLSX, office_media_type

# Limits, each failing its own document with its own code (module constants, as in the HTML route).
MAX_ZIP_MEMBERS = 2_000  # zip_too_many_members
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # office_too_large: all members together, uncompressed
MAX_MEMBER_BYTES = 100 * 1024 * 1024  # office_too_large: one member, uncompressed
MAX_RATIO = 150.0  # zip_bomb: uncompressed / compressed size of a member above 1 MiB
MAX_SHEETS = 100  # too_many_sheets
MAX_CELLS_PER_SHEET = 200_000  # too_many_cells (cells, and row entries, of one sheet or one Word table)
MAX_ROWS_PER_SHEET = 100_000  # too_many_rows: row entries in one sheet (a million empty formatted rows)

OOXML_WORKBOOKS = (XLSX, XLSM)
OOXML_DOCUMENTS = (DOCX, DOCM)
CONVERTED = {XLS: "xlsx", XLSB: "xlsx", ODS: "xlsx", DOC: "docx", ODT: "docx"}
_SOURCE_EXT = {XLS: "xls", XLSB: "xlsb", ODS: "ods", DOC: "doc", ODT: "odt"}


def encrypted(message: str = "the file is password-protected; save it without a password and upload it again"
              ) -> ExtractionError:
    return ExtractionError(message, code="encrypted_document")


def read_office(data: bytes, options: ExtractOptions) -> RouteOutput:
    media_type = office_media_type(data)
    if media_type in OOXML_WORKBOOKS or media_type in OOXML_DOCUMENTS:
        return read_ooxml(data, media_type)
    if media_type == OLE2 and "EncryptedPackage".encode("utf-16-le") in data:
        raise encrypted()  # a password-protected .xlsx/.docx: an OLE2 file around the encrypted package
    if media_type == OLE2 or media_type in (XLS, DOC):
        target = ole2_target(data)
        ext = "xls" if target == "xlsx" else "doc"
    else:
        checked_zip(data, ooxml=media_type == XLSB)  # .ods/.odt/.xlsb are ZIPs too: archive limits first
        target, ext = CONVERTED[media_type], _SOURCE_EXT[media_type]
    from extractor.routes.office.convert import convert

    converted = convert(data, target, options, source_ext=ext)
    return read_ooxml(converted, XLSX if target == "xlsx" else DOCX)


def read_ooxml(data: bytes, media_type: str) -> RouteOutput:
    archive = checked_zip(data)
    if media_type in OOXML_WORKBOOKS:
        from extractor.routes.office.xlsx import read_workbook

        return read_workbook(archive)
    from extractor.routes.office.docx import read_document

    return read_document(archive)


def checked_zip(data: bytes, *, ooxml: bool = True) -> zipfile.ZipFile:
    """The OOXML package as a ZipFile, after the archive limits (declared sizes; real sizes are bounded
    again by `read_member`)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise CorruptInput(f"the Office file is not a readable ZIP package: {err}", code="corrupt_document") from err
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LimitExceeded(f"the Office package holds {len(infos):,} parts, above the limit of {MAX_ZIP_MEMBERS:,}",
                            code="zip_too_many_members")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise encrypted("a part of the Office package is encrypted")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise LimitExceeded(f"{info.filename} is compressed {info.file_size / max(1, info.compress_size):,.0f}:1, "
                                f"above the limit of {MAX_RATIO:g}:1 (a zip bomb?)", code="zip_bomb")
        if info.file_size > MAX_MEMBER_BYTES:
            raise LimitExceeded(f"{info.filename} unpacks to {info.file_size:,} bytes, above the limit of "
                                f"{MAX_MEMBER_BYTES:,}", code="office_too_large")
        total += info.file_size
    if total > MAX_UNPACKED_BYTES:
        raise LimitExceeded(f"the Office package unpacks to {total:,} bytes, above the limit of "
                            f"{MAX_UNPACKED_BYTES:,}", code="office_too_large")
    if ooxml and "[Content_Types].xml" not in archive.namelist():
        raise UnsupportedInput("a ZIP archive that is not an Office workbook or document")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """One part of the package, stopping as soon as it passes `limit` or the ratio (sizes can lie)."""
    info = archive.getinfo(name)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    raise LimitExceeded(f"{name} unpacks to more than {limit:,} bytes", code="office_too_large")
                if len(out) > 1024 * 1024 and len(out) > MAX_RATIO * max(1, info.compress_size):
                    raise LimitExceeded(f"{name} unpacks more than {MAX_RATIO:g} times its compressed size "
                                        "(a zip bomb?)", code="zip_bomb")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as err:
        raise CorruptInput(f"{name} cannot be unpacked: {err}", code="corrupt_document") from err
    return bytes(out)


def ole2_target(data: bytes) -> str:
    """What a compound file converts to (xlsx or docx), or why it cannot be read (encrypted)."""
    try:
        import olefile
    except ImportError as err:
        raise UnsupportedInput("legacy Office files need the office extras: pip install 'docextract[office]'") from err
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as err:  # olefile raises OSError and others on damaged headers
        raise CorruptInput(f"the compound file (.xls/.doc) is damaged: {err}", code="corrupt_document") from err
    with ole:
        streams = {"/".join(entry).lower() for entry in ole.listdir()}
        if "encryptedpackage" in streams or "encryptioninfo" in streams:
            raise encrypted()
        if "workbook" in streams or "book" in streams:
            if _xls_has_filepass(ole.openstream("workbook" if "workbook" in streams else "book").read(1 << 16)):
                raise encrypted()
            return "xlsx"
        if "worddocument" in streams:
            fib = ole.openstream("worddocument").read(32)
            if len(fib) >= 12 and int.from_bytes(fib[10:12], "little") & 0x0100:  # FIB fEncrypted
                raise encrypted()
            return "docx"
    raise UnsupportedInput("a compound file that is neither an Excel workbook nor a Word document")


def _xls_has_filepass(stream: bytes) -> bool:
    """A BIFF workbook protected by a password has a FILEPASS record (0x002F) in its globals."""
    at = 0
    while at + 4 <= len(stream):
        kind = int.from_bytes(stream[at:at + 2], "little")
        size = int.from_bytes(stream[at + 2:at + 4], "little")
        if kind == 0x002F:
            return True
        if kind == 0x0085:  # BOUNDSHEET: past the place FILEPASS would be
            return False
        at += 4 + size
    return False


def name_cells(names: Callable[[int, tuple[float, float, float, float]], str | None]) -> Callable[[list], None]:
    """A RouteOutput.finish hook: every provenance ref of the forms gets `ref` = names(page, bbox)."""

    def finish(forms: list) -> None:
        for form in forms:
            rows = [form.funds.total, form.funds.appropriation, form.funds.carryover, form.funds.other,
                    *form.funds.more, *form.indicators]
            for row in rows:
                for ref in (row.provenance or {}).values():
                    if ref.bbox is not None and ref.source in ("xlsx", "docx"):
                        ref.ref = names(ref.page, ref.bbox)

    return finish
