"""FastAPI app: upload documents, follow their status, read results, query forms.

Every route except the health checks and the schema needs an API key in X-API-Key, and a key only ever sees the
documents it uploaded (another key's document answers 404, as if it did not exist).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, FastAPI, File, HTTPException, Query, Request, Security, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, func, or_, select, text, tuple_
from sqlalchemy.orm import Session, sessionmaker

from api.metrics import install_metrics
from api.security import install_guards
from extractor.errors import ExtractionError
from extractor.form.codes import DEFAULT_LANG, Lang, api_message, clean_message, describe_failure
from extractor.sniff import sniff
from models import Result
from workers.app import make_app
from workers.blobs import TooLarge, blob_path, store_stream
from workers.corrections import awaiting_review
from workers.migrate import upgrade_to_head
from workers.settings import Settings, get_settings
from workers.storage import (
    ApiKey,
    Document,
    StoredForm,
    StoredResult,
    get_or_create_document,
    key_for,
    make_engine,
    make_sessions,
    reset_for_rerun,
    sync_env_keys,
    transaction,
    utcnow,
)
from workers.sweeper import Sweeper

audit = logging.getLogger("docextract.audit")
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="key issued by the operator")
ValidationStatus = Literal["passed", "warnings", "failed"]
T = TypeVar("T")


class DocumentStatus(BaseModel):
    id: str
    filename: str | None
    sha256: str
    media_type: str
    queue: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    attempts: int
    error_code: str | None
    error_message: str | None
    pipeline_version: str | None
    created_at: str
    finished_at: str | None
    error_explanation: str | None = None
    forms: int | None = None
    validation: ValidationStatus | None = None
    pages_done: int | None = Field(None, description="while running: pages read so far")
    pages_total: int | None = Field(None, description="while running: pages in the document")
    eta_seconds: int | None = Field(None, description="while running: seconds left at the pace of the pages read")


class Uploaded(BaseModel):
    id: str
    filename: str | None
    sha256: str
    status: str
    duplicate: bool


class UploadResponse(BaseModel):
    documents: list[Uploaded]


class FormSummary(BaseModel):
    document_id: str
    index: int
    year: int | None
    department: str | None
    project_name: str | None
    validation: ValidationStatus


class Selection(BaseModel):
    ids: list[str] = Field(min_length=1, max_length=1000)


class Refused(BaseModel):
    id: str
    reason: Literal["no_document"] = Field(description="no_document: not the key's, or deleted already")
    message: str


class Deleted(BaseModel):
    deleted: list[str] = Field(description="ids deleted, in the order asked")
    refused: list[Refused] = Field(description="ids not deleted, with why")


class Page(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class DocumentPage(Page[DocumentStatus]):
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last page")
    counts: dict[str, int] = Field(default_factory=dict,
                                   description="documents per status under the same filters (status aside)")


# Query values the database can take: PostgreSQL refuses NUL in text and OFFSET above a bigint
# (issue 14: both were 500s); a 422 says what is wrong instead.
NO_NUL = r"^[^\x00]*$"
# A file name is a label shown to people and stored as text: PostgreSQL refuses NUL (a 500 and an orphan
# blob before, issue 14); no control character belongs in one.
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f]")
MAX_OFFSET = 2**31 - 1
REVIEWED_HELP = ("false: documents with a form that needs a person (validation failed or warnings) and no review "
                 "mark, the documents of /v1/review/queue; true: finished documents with no such form (every "
                 "form that needed review is marked reviewed, or none needed it)")

def _join_pages(files: list[UploadFile], max_bytes: int) -> io.BytesIO:
    """The uploaded page images as one multi-page TIFF (extractor.routes.image.join_page_images), or a
    422 that says which page cannot be a page and why."""
    from extractor.options import ExtractOptions
    from extractor.routes.image import join_page_images

    datas = []
    for upload_file in files:
        data = upload_file.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise HTTPException(413, api_message("too_large", limit=f"{max_bytes:,}"))
        datas.append(data)
    for upload_file, data in zip(files, datas, strict=True):
        kind, media_type = sniff(data, upload_file.filename)
        if kind != "image":
            raise HTTPException(422, api_message("not_a_page", name=upload_file.filename or "?", media_type=media_type))
    try:
        return io.BytesIO(join_page_images(datas, ExtractOptions()))
    except ExtractionError as err:
        raise HTTPException(422, api_message("pages_refused", reason=describe_failure(err.code, err.message))) from err


def _page_bundle_name(files: list[UploadFile]) -> str:
    """The joined document's name: its first page's, marked with the page count (扫描.jpg → 扫描（共 3 页）.tif)."""
    first = (files[0].filename or "pages").rsplit(".", 1)[0]
    return f"{first}（共 {len(files)} 页）.tif"[:255]


def queue_for(head: bytes, filename: str | None) -> tuple[str, str]:
    """(queue, media type): text and HTML are light work, PDFs and images heavy (OCR)."""
    try:
        kind, media_type = sniff(head, filename)
    except ExtractionError:
        return "light", "application/octet-stream"  # the worker stores the precise failure
    return ("light" if kind in ("text", "html") else "heavy"), media_type


def eta_seconds(doc: Document, now: datetime) -> int | None:
    """Seconds left for a running document at the pace of its pages so far (none before the first page ends).

    The pace is taken when the page count was written (updated_at, set by that write), and the time since
    is counted off: measured from now, the estimate would grow while a long page is read."""
    if (doc.status != "running" or not doc.pages_done or not doc.pages_total or doc.started_at is None
            or doc.updated_at is None):
        return None
    per_page = max((doc.updated_at - doc.started_at).total_seconds(), 0.0) / doc.pages_done
    since = max((now - doc.updated_at).total_seconds(), 0.0)
    return max(round(per_page * max(doc.pages_total - doc.pages_done, 0) - since), 0)


def document_status(doc: Document, lang: Lang = DEFAULT_LANG, forms: tuple[int, str | None] | None = None
                    ) -> DocumentStatus:
    """`forms`: (form count, worst validation) when the caller counted them."""
    running = doc.status == "running"
    return DocumentStatus(
        pages_done=doc.pages_done if running else None, pages_total=doc.pages_total if running else None,
        eta_seconds=eta_seconds(doc, utcnow()),
        id=doc.id, filename=doc.filename, sha256=doc.sha256, media_type=doc.media_type, queue=doc.queue,
        status=doc.status, progress=doc.progress, attempts=doc.attempts, error_code=doc.error_code,
        error_message=clean_message(doc.error_message) or None, pipeline_version=doc.pipeline_version,
        created_at=doc.created_at.isoformat() + "Z",
        finished_at=doc.finished_at.isoformat() + "Z" if doc.finished_at else None,
        error_explanation=describe_failure(doc.error_code, doc.error_message, lang) if doc.status == "failed" else None,
        forms=forms[0] if forms else None, validation=forms[1] if forms else None)


WORST = {"failed": 2, "warnings": 1, "passed": 0}


def form_summaries(session: Session, ids: list[str]) -> dict[str, tuple[int, str | None]]:
    """document id -> (form count, worst validation) for the documents `ids`."""
    found: dict[str, tuple[int, str | None]] = {}
    if not ids:
        return found
    for document_id, validation in session.execute(select(StoredForm.document_id, StoredForm.validation)
                                                   .where(StoredForm.document_id.in_(ids))):
        count, worst = found.get(document_id, (0, None))
        if worst is None or WORST[validation] > WORST[worst]:
            worst = validation
        found[document_id] = (count + 1, worst)
    return found


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


ListSort = Literal["newest", "oldest", "filename"]


def sort_key(sort: ListSort) -> tuple[ColumnElement[Any], bool]:
    """(the column a listing is ordered by, descending); the document id breaks ties in the same direction."""
    if sort == "filename":
        return func.coalesce(Document.filename, ""), False
    return Document.created_at, sort == "newest"


def encode_cursor(sort: ListSort, doc: Document) -> str:
    value = (doc.filename or "") if sort == "filename" else doc.created_at.isoformat()
    raw = json.dumps([sort, value, doc.id], ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def after_cursor(cursor: str, sort: ListSort) -> ColumnElement[bool]:
    """The rows after `cursor` (a page's next_cursor) in the order of `sort`: keyset paging, so a page deep
    in 10,000 documents costs what the first does and rows added meanwhile do not shift the pages."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, last_id = json.loads(raw)
        key_value: Any = value if sort == "filename" else datetime.fromisoformat(value)
        if made_for != sort or not isinstance(last_id, str) or not isinstance(value, str):
            raise ValueError(made_for)
    except (ValueError, TypeError, UnicodeDecodeError) as err:
        raise HTTPException(422, api_message("bad_cursor")) from err
    column, descending = sort_key(sort)
    if descending:
        return tuple_(column, Document.id) < tuple_(key_value, last_id)
    return tuple_(column, Document.id) > tuple_(key_value, last_id)


def db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


Db = Annotated[Session, Depends(db)]


def caller(key: Annotated[str | None, Security(API_KEY_HEADER)], session: Db) -> ApiKey:
    row = key_for(session, key) if key else None
    # Hand the connection back now: an upload keeps this session open for the whole request while it
    # runs its own transactions, so holding it took two pooled connections per upload and exhausted
    # the pool (30 s waits, 500s) under 20 concurrent clients (bench/load_test.py). The row is detached
    # first: a rollback expires it, and the endpoint's first `key.id` would then check a connection out
    # again and hold it to the end of the request (60 concurrent uploads: 35 answered 503, issue 14).
    if row is not None:
        session.expunge(row)
    session.rollback()
    if row is None:
        raise HTTPException(401, api_message("key_required"),
                            headers={"WWW-Authenticate": "X-API-Key"})
    return row


Caller = Annotated[ApiKey, Depends(caller)]


def create_app(settings: Settings | None = None, *, sweep: bool = True) -> FastAPI:
    from api import review  # imports this module's Caller and Db

    settings = settings or get_settings()
    # One connection per API thread (and a few for the sweeper and the embedded queue): a request waits for
    # a thread, in order, rather than holding a thread while it waits up to 30 s for a connection.
    engine = make_engine(settings.effective_database_url, pool_size=settings.api_threads + 4)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(engine)
        with transaction(sessions) as session:
            sync_env_keys(session, settings.env_api_keys())
        settings.queue_dir.mkdir(parents=True, exist_ok=True)
        sweeper = Sweeper(sessions, settings, celery) if sweep else None
        if sweeper:
            sweeper.start()
        try:
            yield
        finally:
            if sweeper:
                sweeper.stop()
            engine.dispose()

    sessions = make_sessions(engine)
    celery = make_app(settings)  # the producer: publishes to this settings' broker
    app = FastAPI(title="docextract", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Performance self-evaluation forms (绩效自评表) to validated JSON.")
    install_guards(app, settings)
    app.state.settings, app.state.sessions = settings, sessions

    def own_document(session: Session, key: ApiKey, document_id: str) -> Document:
        doc = session.scalar(select(Document).where(Document.id == document_id,
                                                    Document.owner_key_id == key.id))
        if doc is None:
            raise HTTPException(404, api_message("no_document"))
        return doc

    @app.post("/v1/documents", status_code=202, response_model=UploadResponse)
    def upload(request: Request, key: Caller, files: Annotated[list[UploadFile], File()],
               pages: Annotated[bool, Query(description="the files are page images of one document, in "
                                                       "order (一份文件的各页图像，按页序)")] = False) -> UploadResponse:
        """Upload one or many files. The same file again (same key) returns the existing document.
        With `pages=true` the files are the page images of one document (a photo or scan per page), read
        as one: a form continued on the next page is one form."""
        from workers.tasks import enqueue, time_limits

        declared = int(request.headers.get("content-length") or 0)
        if declared > settings.max_upload_bytes * max(1, len(files)) + 1024 * 1024:
            raise HTTPException(413, api_message("too_large", limit=f"{settings.max_upload_bytes:,}"))
        for upload_file in files:  # before anything is stored: a refused upload leaves no orphan blob
            if upload_file.filename and _CONTROL_CHAR.search(upload_file.filename):
                raise HTTPException(422, api_message("bad_filename", name=repr(upload_file.filename)[1:-1][:200]))
        if pages:
            streams = [(_page_bundle_name(files), _join_pages(files, settings.max_upload_bytes))]
        else:
            streams = [(upload_file.filename, upload_file.file) for upload_file in files]
        stored = []
        for filename, stream in streams:
            try:
                sha256, _size, head = store_stream(settings.blob_dir, stream,
                                                   settings.max_upload_bytes * (len(files) if pages else 1))
            except TooLarge as err:
                raise HTTPException(413, f"{filename}: {err}") from err
            stored.append((filename, sha256, head))
        out = []
        for filename, sha256, head in stored:
            queue, media_type = queue_for(head, filename)
            doc, created = get_or_create_document(sessions, owner_key_id=key.id, sha256=sha256,
                                                  filename=(filename or None) and filename[:255],
                                                  media_type=media_type, queue=queue)
            if created:
                enqueue(celery, doc.id, queue, sessions, time_limits(settings, sha256))
            out.append(Uploaded(id=doc.id, filename=doc.filename, sha256=sha256, status=doc.status,
                                duplicate=not created))
        return UploadResponse(documents=out)

    @app.get("/v1/documents", response_model=DocumentPage)
    def list_documents(key: Caller, session: Db,
                       status: Literal["queued", "running", "done", "failed"] | None = None,
                       q: Annotated[str | None, Query(description="text in the file name or a form's "
                                                      "project or department", max_length=500,
                                                      pattern=NO_NUL)] = None,
                       year: Annotated[int | None, Query(description="a form of this year", ge=0, le=9999)] = None,
                       department: Annotated[str | None, Query(description="a form of this department",
                                                               max_length=500, pattern=NO_NUL)] = None,
                       validation: Annotated[ValidationStatus | None,
                                             Query(description="a form with this validation")] = None,
                       reviewed: Annotated[bool | None, Query(description=REVIEWED_HELP)] = None,
                       sort: ListSort = "newest",
                       cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page",
                                                           max_length=1000)] = None,
                       lang: Lang | None = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                       offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> DocumentPage:
        """The key's documents, newest first by default, filtered and paged; each with its form count and
        worst validation, and for a failed document the reason in `lang` (default: the server's language).
        Page with `cursor` (each page's `next_cursor`); `offset` is kept for old clients. `counts` are the
        documents per status under the same filters, for the page's status tabs."""
        query = select(Document).where(Document.owner_key_id == key.id)
        form_filter = []
        if year is not None:
            form_filter.append(StoredForm.year == year)
        if department:
            form_filter.append(StoredForm.department == department)
        if validation:
            form_filter.append(StoredForm.validation == validation)
        if form_filter:
            # IN (uncorrelated), not a correlated EXISTS: SQLite ran that once per document (minutes at 10,000).
            query = query.where(Document.id.in_(select(StoredForm.document_id).where(*form_filter)))
        if q:
            pattern = _like(q)
            in_forms = Document.id.in_(select(StoredForm.document_id).where(
                or_(StoredForm.project_name.ilike(pattern, escape="\\"),
                    StoredForm.department.ilike(pattern, escape="\\"))))
            query = query.where(or_(Document.filename.ilike(pattern, escape="\\"), in_forms))
        if reviewed is not None:
            waiting = Document.id.in_(awaiting_review())
            query = query.where(and_(Document.status == "done", ~waiting) if reviewed else waiting)
        counted = query.with_only_columns(Document.status, func.count()).group_by(Document.status)
        counts = {row_status: n for row_status, n in session.execute(counted)}
        if status:
            query = query.where(Document.status == status)
        total = counts.get(status, 0) if status else sum(counts.values())
        column, descending = sort_key(sort)
        order = (column.desc(), Document.id.desc()) if descending else (column, Document.id)
        if cursor:
            query = query.where(after_cursor(cursor, sort))
        rows = list(session.scalars(query.order_by(*order).limit(limit + 1).offset(offset)))
        more, rows = len(rows) > limit, rows[:limit]
        summaries = form_summaries(session, [doc.id for doc in rows])
        language = lang or settings.language
        return DocumentPage(total=total, limit=limit, offset=offset, counts=counts,
                            next_cursor=encode_cursor(sort, rows[-1]) if more else None,
                            items=[document_status(doc, language, summaries.get(doc.id, (0, None)))
                                   for doc in rows])

    def delete_owned(key: ApiKey, ids: list[str]) -> list[str]:
        """Delete the key's documents among `ids` with their result, forms and corrections (one transaction),
        then each original no document refers to any more; one audit line per document. The ids deleted."""
        with transaction(sessions) as session:
            rows = session.scalars(select(Document).where(Document.owner_key_id == key.id,
                                                          Document.id.in_(ids))).all()
            gone = [(doc.id, doc.filename, doc.sha256) for doc in rows]
            for doc in rows:
                session.delete(doc)
            session.flush()
            hashes = {sha256 for _, _, sha256 in gone}
            kept = set(session.scalars(select(Document.sha256).where(Document.sha256.in_(hashes)))) if hashes else set()
        for sha256 in hashes - kept:  # after the commit: a rolled-back delete keeps its original
            blob_path(settings.blob_dir, sha256).unlink(missing_ok=True)
        for document_id, filename, sha256 in gone:
            audit.info("document %s (%s, sha256 %s) deleted by key %s", document_id, filename, sha256, key.name)
        return [document_id for document_id, _, _ in gone]

    @app.delete("/v1/documents/{document_id}", status_code=204)
    def delete_document(document_id: str, key: Caller) -> Response:
        """Delete a document with its result, forms and corrections; the original file goes too unless
        another document has the same bytes. The deletion is logged (who, when, which file)."""
        if not delete_owned(key, [document_id]):
            raise HTTPException(404, api_message("no_document"))
        return Response(status_code=204)

    @app.post("/v1/documents/delete", response_model=Deleted)
    def delete_many(selection: Selection, key: Caller) -> Deleted:
        """Delete a selection (up to 1000 ids) as `DELETE /v1/documents/{id}` deletes one, whatever its
        status: results, forms, corrections and originals no other document shares go; each deletion is
        logged (who, which file). Ids the key does not own, or that are gone already, are refused."""
        wanted = list(dict.fromkeys(selection.ids))
        done = set(delete_owned(key, wanted))
        message = api_message("no_document")
        return Deleted(deleted=[i for i in wanted if i in done],
                       refused=[Refused(id=i, reason="no_document", message=message) for i in wanted if i not in done])

    @app.get("/v1/documents/{document_id}", response_model=DocumentStatus)
    def get_document(document_id: str, key: Caller, session: Db, lang: Lang | None = None) -> DocumentStatus:
        doc = own_document(session, key, document_id)
        return document_status(doc, lang or settings.language, form_summaries(session, [doc.id]).get(doc.id, (0, None)))

    @app.get("/v1/documents/{document_id}/result")
    def get_result(document_id: str, key: Caller, session: Db,
                   version: Literal["original", "corrected"] = "corrected") -> JSONResponse:
        """The stored result (the contract in /v1/schema). 409 while the document is not done.
        `corrected` (default): with reviewers' corrections applied and validated again (api.review)."""
        doc = own_document(session, key, document_id)
        stored = session.get(StoredResult, doc.id)
        if stored is None:
            detail: dict[str, Any] = {"status": doc.status, "error_code": doc.error_code,
                                      "error_message": clean_message(doc.error_message) or None,
                                      "message": api_message("no_result", status=doc.status)}
            raise HTTPException(409, detail)
        return review.versioned_result(session, doc, version)

    @app.post("/v1/documents/{document_id}/rerun", status_code=202, response_model=DocumentStatus)
    def rerun(document_id: str, key: Caller) -> DocumentStatus:
        """Process a finished document again (a newer pipeline); the new result replaces the old at once."""
        from workers.tasks import enqueue, time_limits

        with transaction(sessions) as session:
            doc = own_document(session, key, document_id)
            was = doc.status
            reset_for_rerun(session, doc.id)
        if was in ("done", "failed"):
            enqueue(celery, doc.id, doc.queue, sessions, time_limits(settings, doc.sha256))
        return document_status(doc)

    @app.post("/v1/documents/rerun", status_code=202, response_model=list[DocumentStatus])
    def rerun_many(selection: Selection, key: Caller) -> list[DocumentStatus]:
        """Re-run a selection (up to 1000 ids) of finished or failed documents; ids the key does not own are
        skipped, queued or running ones are left as they are."""
        from workers.tasks import enqueue, time_limits

        queued = []
        with transaction(sessions) as session:
            rows = session.scalars(select(Document).where(Document.owner_key_id == key.id,
                                                          Document.id.in_(selection.ids))).all()
            for doc in rows:
                if doc.status in ("done", "failed"):
                    reset_for_rerun(session, doc.id)
                    queued.append(doc)
        for doc in queued:
            enqueue(celery, doc.id, doc.queue, sessions, time_limits(settings, doc.sha256))
        return [document_status(doc, settings.language) for doc in rows]

    @app.get("/v1/forms", response_model=Page[FormSummary])
    def list_forms(key: Caller, session: Db, year: Annotated[int | None, Query(ge=0, le=9999)] = None,
                   department: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
                   q: Annotated[str | None, Query(description="text in the project or department name",
                                                  max_length=500, pattern=NO_NUL)] = None,
                   status: ValidationStatus | None = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> Page[FormSummary]:
        query = (select(StoredForm).join(Document, Document.id == StoredForm.document_id)
                 .where(Document.owner_key_id == key.id))
        if year is not None:
            query = query.where(StoredForm.year == year)
        if department:
            query = query.where(StoredForm.department == department)
        if status:
            query = query.where(StoredForm.validation == status)
        if q:
            pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(or_(StoredForm.project_name.ilike(pattern, escape="\\"),
                                    StoredForm.department.ilike(pattern, escape="\\")))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(StoredForm.document_id, StoredForm.index).limit(limit).offset(offset))
        items = [FormSummary(document_id=row.document_id, index=row.index, year=row.year,
                             department=row.department, project_name=row.project_name,
                             validation=row.validation) for row in rows]
        return Page[FormSummary](total=total, limit=limit, offset=offset, items=items)

    @app.get("/v1/schema")
    def schema() -> dict[str, Any]:
        """JSON Schema of a result."""
        return Result.model_json_schema(mode="serialization")

    registry = CollectorRegistry()
    registry.register(DocumentCounts(sessions))
    install_metrics(registry, settings)  # worker stage timings, broker queue depth
    latency = Histogram("docextract_http_request_seconds", "API request latency", ["method", "route", "status"],
                        registry=registry, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

    @app.middleware("http")
    async def time_requests(request: Request, call_next: Any) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")  # the template, not the id
        latency.labels(request.method, route, str(response.status_code)).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus: documents by status and queue (read from the database), request latencies."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        checks = {"database": _database_ok(sessions), "broker": _broker_ok(settings)}
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503)

    review.install(app)  # the review page at /ui/ and its correction, history and page-image routes
    return app


class DocumentCounts(Collector):
    """docextract_documents{status,queue}, counted in the database at scrape time: shared by every
    API process and worker, so any one API process reports the whole deployment."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("docextract_documents", "documents by status and queue", labels=["status", "queue"])
        try:
            with self.sessions() as session:
                rows = session.execute(select(Document.status, Document.queue, func.count())
                                       .group_by(Document.status, Document.queue)).all()
        except Exception:  # a scrape while the database is down reports no document counts
            rows = []
        for status, queue, count in rows:
            family.add_metric([status, queue], count)
        yield family


def _database_ok(sessions: sessionmaker[Session]) -> str:
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
    except Exception as err:
        return f"error: {type(err).__name__}"
    return "ok"


def _broker_ok(settings: Settings) -> str:
    if settings.embedded:
        queue_dir = settings.queue_dir / "messages"
        return "ok" if queue_dir.is_dir() else f"error: {queue_dir} missing"
    import redis

    try:
        client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as err:
        return f"error: {type(err).__name__}"
    return "ok"
