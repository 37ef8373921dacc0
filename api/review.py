"""The review page and its endpoints: corrections, review marks, history, page images, CSV.

`install(app)` mounts the page (api/static, plain HTML/CSS/JS shipped in the package) at /ui/ and adds
the routes below. Every route needs the same X-API-Key as the rest of the API and only sees the key's
own documents. Corrections are stored by workers.corrections; the stored result is never changed.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import Caller, Db
from extractor.confidence import review_priority
from extractor.form.codes import Lang, api_message, catalogue, field_label
from workers.blobs import blob_path
from workers.corrections import (
    INDICATOR_FIELDS,
    CorrectionError,
    apply_edit,
    corrected_result,
    corrections_for,
    history,
    reviewed_forms,
    set_reviewed,
)
from workers.csvsafe import csv_cell
from workers.storage import ApiKey, Document, StoredForm, StoredResult, transaction

STATIC = Path(__file__).parent / "static"
Version = Literal["original", "corrected"]
# A rendered page is at most this wide: enough to read a scan, small enough to send quickly.
MAX_PAGE_WIDTH = 2400

router = APIRouter()


class Edit(BaseModel):
    field: str = Field(description="path as in Issue.field: indicators[3].score, funds.total.executed, project_name")
    value: str | int | float | None = Field(description="the corrected value; empty or null clears the field")


class ReviewMark(BaseModel):
    reviewed: bool = True


class PageInfo(BaseModel):
    page: int
    width: float
    height: float
    unit: Literal["pt", "px"] = Field(description="unit of provenance bboxes on this page: PDF points or pixels")


class Pages(BaseModel):
    pages: list[PageInfo]


def own_document(session: Session, key: ApiKey, document_id: str) -> Document:
    doc = session.scalar(select(Document).where(Document.id == document_id, Document.owner_key_id == key.id))
    if doc is None:
        raise HTTPException(404, api_message("no_document"))
    return doc


def stored_result(session: Session, doc: Document) -> dict[str, Any]:
    stored = session.get(StoredResult, doc.id)
    if stored is None:
        raise HTTPException(409, {"status": doc.status, "error_code": doc.error_code,
                                  "error_message": doc.error_message})
    return stored.result


def result_version(session: Session, doc: Document, version: Version) -> dict[str, Any]:
    """The result as extracted, or with the reviewers' corrections (the same when nobody corrected it)."""
    original = stored_result(session, doc)
    if version == "original":
        return original
    return corrected_result(original, corrections_for(session, doc.id))


@router.get("/v1/review/config")
def review_config(request: Request, key: Caller) -> dict[str, Any]:
    """What the page needs to know: the key's name (the author of corrections), the confidence below
    which a field is doubted (extractor.confidence.ConfidenceSettings.doubt_below), the server's default
    language and the time zone times are shown in."""
    from extractor.confidence import ConfidenceSettings

    settings = request.app.state.settings
    return {"key_name": key.name, "low_confidence": ConfidenceSettings().doubt_below, "language": settings.language,
            "timezone": settings.timezone}


class Labels(BaseModel):
    fields: list[str] = Field(max_length=5000)
    lang: Lang = "zh"


@router.post("/v1/review/labels")
def review_labels(labels: Labels) -> dict[str, str]:
    """Field paths in form terms (`indicators[2].actual` -> `第 3 行 实际完成值`), by extractor.form.codes.field_label."""
    return {path: field_label(path, labels.lang) for path in labels.fields}


@router.get("/v1/review/catalogue")
def review_catalogue(lang: Lang = "zh") -> dict[str, Any]:
    """The issue codes' explanations and the form's words in `lang` (extractor.form.codes), for the page."""
    return catalogue(lang)


def _priorities(session: Session, document_ids: list[str]) -> dict[tuple[str, int], tuple[int, int, float, int]]:
    """Each waiting form's evidence, from its result as corrected."""
    keys = {}
    for document_id in document_ids:
        stored = session.get(StoredResult, document_id)
        if stored is not None:
            result = corrected_result(stored.result, corrections_for(session, document_id))
            keys.update({(document_id, n): review_priority(f) for n, f in enumerate(result.get("forms") or [])})
    return keys


@router.get("/v1/review/queue")
def review_queue(key: Caller, session: Db, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                 offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Forms that need a person: validation `failed` or `warnings` and not marked reviewed, by the
    evidence (extractor.confidence.review_priority: errors first, then the most doubtful, notes last),
    then in upload order."""
    rows = session.execute(
        select(StoredForm, Document.filename).join(Document, Document.id == StoredForm.document_id)
        .where(Document.owner_key_id == key.id, StoredForm.validation != "passed")
        .order_by(Document.created_at, StoredForm.document_id, StoredForm.index)).all()
    done = reviewed_forms(session, sorted({form.document_id for form, _ in rows}))
    waiting = [(form, filename) for form, filename in rows if (form.document_id, form.index) not in done]
    priority = _priorities(session, sorted({form.document_id for form, _ in waiting}))
    waiting.sort(key=lambda item: priority.get((item[0].document_id, item[0].index), (3, 0, 1.0, 0)))  # stable
    items = [{"document_id": form.document_id, "filename": filename, "index": form.index,
              "project_name": form.project_name, "department": form.department, "validation": form.validation}
             for form, filename in waiting[offset:offset + limit]]
    return {"total": len(waiting), "limit": limit, "offset": offset, "items": items}


@router.get("/v1/documents/{document_id}/history")
def get_history(document_id: str, key: Caller, session: Db) -> dict[str, Any]:
    """Every correction and review mark (who, when, old and new value) and each form's review state."""
    doc = own_document(session, key, document_id)
    return {"document_id": doc.id, **history(stored_result(session, doc), corrections_for(session, doc.id))}


@router.post("/v1/documents/{document_id}/forms/{form_index}/corrections")
def post_correction(request: Request, document_id: str, form_index: int, edit: Edit, key: Caller) -> dict[str, Any]:
    """Correct one value of one form. The answer is the corrected form, validated again."""
    with transaction(request.app.state.sessions) as session:
        doc = own_document(session, key, document_id)
        try:
            row, form = apply_edit(session, doc.id, form_index, edit.field, edit.value, key.name)
        except LookupError as err:
            raise HTTPException(404, str(err)) from err
        except CorrectionError as err:
            raise HTTPException(422, str(err)) from err
        return {"form_index": form_index, "form": form,
                "event": {"id": row.id, "field": row.field, "author": row.author}}


@router.post("/v1/documents/{document_id}/forms/{form_index}/review")
def post_review(request: Request, document_id: str, form_index: int, mark: ReviewMark, key: Caller) -> dict[str, Any]:
    """Mark a form reviewed (or take the mark back)."""
    with transaction(request.app.state.sessions) as session:
        doc = own_document(session, key, document_id)
        try:
            row = set_reviewed(session, doc.id, form_index, mark.reviewed, key.name)
        except LookupError as err:
            raise HTTPException(404, str(err)) from err
        return {"form_index": form_index, "reviewed": mark.reviewed, "author": row.author,
                "at": row.created_at.isoformat() + "Z"}


@router.get("/v1/documents/{document_id}/indicators.csv")
def indicators_csv(document_id: str, key: Caller, session: Db, version: Version = "corrected") -> Response:
    """One line per indicator of every form (UTF-8 with BOM, so spreadsheet programs read the CJK text)."""
    doc = own_document(session, key, document_id)
    result = result_version(session, doc, version)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["form_index", "year", "department", "project_name", *INDICATOR_FIELDS])
    for n, form in enumerate(result.get("forms", [])):
        for ind in form.get("indicators", []):
            writer.writerow([n, *(_csv_value(form.get(f)) for f in ("year", "department", "project_name")),
                             *(_csv_value(ind.get(f)) for f in INDICATOR_FIELDS)])
    stem = Path(doc.filename or doc.id).stem
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(stem)}-indicators.csv"})


def _csv_value(value: Any) -> str:
    return "" if value is None else str(csv_cell(value))


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


# --- page images ---------------------------------------------------------------------------------

def _original(request: Request, doc: Document) -> Path:
    path = blob_path(request.app.state.settings.blob_dir, doc.sha256)
    if not path.exists():
        raise HTTPException(404, "the original is not stored on this server")
    return path


@lru_cache(maxsize=64)
def page_sizes(path: Path, kind: str) -> tuple[tuple[float, float], ...]:
    """(width, height) of every page in the unit provenance bboxes use: PDF points for PDFs (the PDF route
    scales OCR pixels by 72/dpi), pixels for images. Originals are content-addressed, so caching by path
    is safe."""
    if kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return tuple(tuple(pdf[i].get_size()) for i in range(len(pdf)))  # type: ignore[misc]
        finally:
            pdf.close()
    from PIL import Image, ImageSequence

    with Image.open(path) as img:
        return tuple((float(frame.size[0]), float(frame.size[1])) for frame in ImageSequence.Iterator(img))


def _kind(doc: Document) -> str | None:
    if doc.media_type == "application/pdf":
        return "pdf"
    if doc.media_type.startswith("image/"):
        return "image"
    return None


@router.get("/v1/documents/{document_id}/pages", response_model=Pages)
def get_pages(request: Request, document_id: str, key: Caller, session: Db) -> Pages:
    """The original's pages with their size in bbox units; empty for text and HTML (no page to show)."""
    doc = own_document(session, key, document_id)
    kind = _kind(doc)
    if kind is None:
        return Pages(pages=[])
    try:
        sizes = page_sizes(_original(request, doc), kind)
    except HTTPException:
        raise
    except Exception as err:  # a corrupt original has no pages to show; its failure is on the document
        raise HTTPException(422, f"the original cannot be opened: {type(err).__name__}") from err
    unit: Literal["pt", "px"] = "pt" if kind == "pdf" else "px"
    return Pages(pages=[PageInfo(page=n, width=w, height=h, unit=unit) for n, (w, h) in enumerate(sizes, 1)])


@router.get("/v1/documents/{document_id}/pages/{page}.png")
def get_page_image(request: Request, document_id: str, page: int, key: Caller, session: Db,
                   width: Annotated[int, Query(ge=100, le=MAX_PAGE_WIDTH)] = 1200) -> Response:
    """Page `page` (1-based) of the original as PNG, `width` pixels wide."""
    doc = own_document(session, key, document_id)
    kind = _kind(doc)
    if kind is None:
        raise HTTPException(404, "this document has no pages to show (text or HTML)")
    path = _original(request, doc)
    sizes = page_sizes(path, kind)
    if not 1 <= page <= len(sizes):
        raise HTTPException(404, f"the document has {len(sizes)} pages")
    png = render_page_png(path, kind, page - 1, width)
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{doc.sha256}-{page}-{width}"'})


def render_page_png(path: Path, kind: str, index: int, width: int) -> bytes:
    from PIL import Image, ImageSequence

    if kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            pdf_page = pdf[index]
            image = pdf_page.render(scale=width / pdf_page.get_width()).to_pil()
            if image.width != width:  # pdfium rounds the bitmap size up; keep pixels proportional to points
                image = image.resize((width, round(pdf_page.get_height() * width / pdf_page.get_width())))
        finally:
            pdf.close()
    else:
        with Image.open(path) as img:
            frame = next(f for i, f in enumerate(ImageSequence.Iterator(img)) if i == index)
            image = frame.convert("L" if frame.mode in ("1", "L", "I;16") else "RGB")
            image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    without_colour(image).save(buf, format="PNG", compress_level=3)
    return buf.getvalue()


def without_colour(image: Any) -> Any:
    """Greyscale when the page has no colour (most forms): a third of the PNG size, a quarter of the
    time. A page with a red seal or coloured marks keeps its colours."""
    if image.mode != "RGB":
        return image
    import numpy as np

    thumb = np.asarray(image.reduce(4), dtype=np.int16)
    spread = thumb.max(axis=2) - thumb.min(axis=2)
    return image if np.count_nonzero(spread > 40) > spread.size * 0.0005 else image.convert("L")


# --- the page ------------------------------------------------------------------------------------

# The page runs only its own files; page images are blob: URLs made from authenticated fetches.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class PageFiles(StaticFiles):
    """api/static with a Content-Security-Policy on every file."""

    async def get_response(self, path: str, scope: Any) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Content-Security-Policy"] = PAGE_CSP
        return response


def install(app: FastAPI) -> None:
    """Add the review routes and the page (at /ui/; / redirects there)."""
    app.include_router(router)
    app.mount("/ui", PageFiles(directory=STATIC, html=True), name="ui")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        """The API reference, offline: /openapi.json rendered by api/static/docs.js (Swagger UI needs a CDN)."""
        return FileResponse(STATIC / "docs.html", headers={"Content-Security-Policy": PAGE_CSP})

    icon = favicon_bytes()

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(icon, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})


def favicon_bytes() -> bytes:
    """A 32 px icon drawn once: the page's blue square with a white 表 grid (no file to ship)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (29, 79, 145, 255))
    draw = ImageDraw.Draw(image)
    for at in (8, 16, 24):
        draw.line([(4, at), (28, at)], fill="white", width=2)
    draw.line([(12, 8), (12, 24)], fill="white", width=2)
    draw.rectangle([4, 8, 28, 24], outline="white", width=2)
    buf = io.BytesIO()
    image.save(buf, format="ICO", sizes=[(32, 32)])
    return buf.getvalue()


def versioned_result(session: Session, doc: Document, version: Version) -> JSONResponse:
    """GET /v1/documents/{id}/result?version=…, called by api.app."""
    return JSONResponse(result_version(session, doc, version))
