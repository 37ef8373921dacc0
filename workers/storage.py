"""Tables and the few transactions the service runs on them (SQLAlchemy 2; SQLite or PostgreSQL).

Timestamps are naive UTC so that SQLite and PostgreSQL compare them the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from models import Result

Status = Literal["queued", "running", "done", "failed"]
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    return uuid.uuid4().hex


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "env": from DOCEXTRACT_API_KEYS, revoked when it leaves the variable; "cli": `docextract keys add`.
    origin: Mapped[str] = mapped_column(String(10), default="cli")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Document(Base):
    __tablename__ = "documents"
    # One record per key and content: the same file from the same key is one document.
    __table_args__ = (UniqueConstraint("owner_key_id", "sha256", name="uq_documents_owner_sha256"),
                      Index("ix_documents_owner_created", "owner_key_id", "created_at", "id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    media_type: Mapped[str] = mapped_column(String(100))
    queue: Mapped[str] = mapped_column(String(20))
    owner_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # While running: pages read so far and the document's pages (page x of y, and the ETA from started_at).
    pages_done: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    pipeline_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The current run's fencing token, new at every claim: only the run holding it may store an outcome.
    run_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class StoredResult(Base):
    __tablename__ = "results"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SupersededRun(Base):
    """A run that finished after another run had claimed its document (a worker stopped past its lease,
    then resumed): what it would have stored, kept for the record instead of stored."""

    __tablename__ = "superseded_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    run_token: Mapped[str] = mapped_column(String(32))
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome: Mapped[str] = mapped_column(String(10))  # "done" or "failed"
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StoredForm(Base):
    __tablename__ = "forms"
    __table_args__ = (UniqueConstraint("document_id", "index", name="uq_forms_document_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    department: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    project_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    validation: Mapped[str] = mapped_column(String(10), index=True)


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """`pool_size`: the connections the process may use at once, sized to its own concurrency (the API's
    thread pool; a worker child runs one task). Overflow above it is slack for short bursts."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker writes; busy_timeout waits instead of failing on a lock.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session, session.begin():
        yield session


# --- API keys ---------------------------------------------------------------------------------

def add_key(session: Session, name: str, key: str, origin: str = "cli") -> ApiKey:
    row = ApiKey(name=name, key_hash=hash_key(key), origin=origin)
    session.add(row)
    session.flush()
    return row


def sync_env_keys(session: Session, keys: dict[str, str]) -> None:
    """Store operator keys from the environment (hashed) so documents can reference them; an env key
    no longer in the environment is revoked (its documents stay)."""
    for name, key in keys.items():
        row = session.scalar(select(ApiKey).where(ApiKey.name == name))
        if row is None:
            add_key(session, name, key, origin="env")
        elif row.origin == "env" and (not hmac.compare_digest(row.key_hash, hash_key(key)) or row.revoked_at):
            row.key_hash, row.revoked_at = hash_key(key), None
        elif row.origin != "env":
            raise ValueError(f"DOCEXTRACT_API_KEYS names {name!r}, a key made with `docextract keys add`")
    for row in session.scalars(select(ApiKey).where(ApiKey.origin == "env", ApiKey.revoked_at.is_(None))):
        if row.name not in keys:
            row.revoked_at = utcnow()


def key_for(session: Session, presented: str) -> ApiKey | None:
    """The live key matching `presented`. Only its sha256 is stored; the final check is constant-time."""
    digest = hash_key(presented)
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None)))
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return row


# --- documents --------------------------------------------------------------------------------

def get_or_create_document(sessions: sessionmaker[Session], *, owner_key_id: int, sha256: str,
                           filename: str | None, media_type: str, queue: str) -> tuple[Document, bool]:
    """(document, created). A concurrent upload of the same file by the same key loses the insert race
    on the unique constraint and gets the winner's record."""
    for _ in range(2):
        with sessions() as session:
            existing = session.scalar(select(Document).where(Document.owner_key_id == owner_key_id,
                                                             Document.sha256 == sha256))
            if existing is not None:
                return existing, False
            doc = Document(owner_key_id=owner_key_id, sha256=sha256, filename=filename,
                           media_type=media_type, queue=queue, status="queued", enqueued_at=utcnow())
            session.add(doc)
            try:
                session.commit()
                return doc, True
            except IntegrityError:
                session.rollback()
    raise RuntimeError(f"could not create or find the document for {sha256}")


Claim = Literal["run", "skip", "busy", "poison"]


@dataclass(frozen=True)
class ClaimedDocument:
    claim: Claim
    sha256: str = ""
    filename: str | None = None
    attempts: int = 0
    token: str = ""


def claim_document(session: Session, document_id: str, *, max_attempts: int, pipeline_version: str,
                   worker: str, lease_seconds: int, takeover: bool = False,
                   now: datetime | None = None) -> ClaimedDocument:
    """Start a run of the document for `worker` ("host:pid").

    The attempt is counted before any work, so a document that kills its worker every time fails after
    `max_attempts` starts instead of being redelivered forever. A document another live run holds
    (started less than `lease_seconds` ago by a process that still exists) is "busy": that run's own
    unacknowledged message covers it, so a duplicate message is dropped rather than run twice.
    `takeover`: this message continues a run that ended in a transient error (a task retry)."""
    now = now or utcnow()
    doc = session.scalar(select(Document).where(Document.id == document_id).with_for_update())
    if doc is None or doc.status in ("done", "failed"):
        return ClaimedDocument("skip")
    if (not takeover and doc.status == "running" and doc.started_at is not None
            and doc.started_at > now - timedelta(seconds=lease_seconds) and claimant_alive(doc.claimed_by, worker)):
        return ClaimedDocument("busy")
    if doc.attempts >= max_attempts:
        _fail(doc, "too_many_attempts",
              f"processing was started {doc.attempts} times without finishing (the worker died or "
              "timed out each time); the document is not retried again")
        return ClaimedDocument("poison", doc.sha256, doc.filename, doc.attempts)
    doc.attempts += 1
    doc.status, doc.progress, doc.started_at, doc.claimed_by = "running", 0.05, now, worker
    doc.pages_done = doc.pages_total = None  # an earlier attempt's pages say nothing about this one
    doc.pipeline_version = pipeline_version
    doc.error_code = doc.error_message = None
    doc.run_token = new_id()
    return ClaimedDocument("run", doc.sha256, doc.filename, doc.attempts, doc.run_token)


def claimant_alive(claimed_by: str | None, me: str) -> bool:
    """Whether the run recorded as "host:pid" may still be going. On this host it is checked (a killed
    pool child is gone at once); another host's run is trusted until its lease ends."""
    if not claimed_by or claimed_by == me:  # this process runs one task at a time: its old run is over
        return False
    host, _, pid_text = claimed_by.rpartition(":")
    my_host = me.rpartition(":")[0]
    if host != my_host or not pid_text.isdigit():
        return True
    return pid_running(int(pid_text))


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: not running
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def mark_unpublished(session: Session, document_id: str) -> None:
    """The broker did not take the document's message: the sweeper publishes it on its next round."""
    session.execute(update(Document).where(Document.id == document_id, Document.status == "queued")
                    .values(enqueued_at=None))


def count_waiting(session: Session) -> int:
    """Documents that should have a message in the broker (queued or running)."""
    return session.scalar(select(func.count()).select_from(Document)
                          .where(Document.status.in_(("queued", "running")))) or 0


def _fail(doc: Document, code: str, message: str) -> None:
    doc.status, doc.error_code, doc.error_message = "failed", code, message
    doc.finished_at, doc.run_token = utcnow(), None


def defer_queued(session: Session, document_id: str, code: str, message: str, *, fail: bool = False) -> None:
    """Say why a queued document waits (its message is retried later), or fail it with `fail`. Only a
    document still queued is touched: a run elsewhere owns the others."""
    values: dict[str, Any] = {"error_code": code, "error_message": message}
    if fail:
        values.update(status="failed", finished_at=utcnow(), run_token=None)
    session.execute(update(Document).where(Document.id == document_id, Document.status == "queued").values(**values))


def set_progress(session: Session, document_id: str, progress: float,
                 pages: tuple[int, int] | None = None, *, token: str | None = None) -> None:
    """`pages`: (pages read, pages in the document). `token`: only while that run's claim is current."""
    extra = {"pages_done": pages[0], "pages_total": pages[1]} if pages else {}
    fence = [] if token is None else [Document.run_token == token]
    session.execute(update(Document).where(Document.id == document_id, Document.status == "running", *fence)
                    .values(progress=progress, **extra))


def _owned(session: Session, document_id: str, token: str | None) -> Document | None:
    """The document, locked for an outcome write, or None when the write must not happen: the document is
    gone, or `token` (the writing run's claim) is no longer the current one. The check is a conditional
    UPDATE, a compare-and-set that takes the row's write lock (PostgreSQL) or the database's (SQLite) in
    the same statement, so no other claim can slip in between check and write. A run whose token is current
    may store even if the sweeper requeued the document meanwhile (nobody claimed it since); a new claim or
    a rerun changes the token, and the late run then changes nothing."""
    if token is not None:
        fenced = update(Document).where(Document.id == document_id, Document.run_token == token)
        if session.execute(fenced.values(updated_at=utcnow())).rowcount != 1:
            return None
    return session.get(Document, document_id, with_for_update=True, populate_existing=True)


def store_failure(session: Session, document_id: str, code: str, message: str, *,
                  token: str | None = None) -> bool:
    """Mark the document failed; False (nothing written) when `token` no longer owns it."""
    doc = _owned(session, document_id, token)
    if doc is None:
        return False
    _fail(doc, code, message)
    return True


def record_superseded(session: Session, document_id: str, *, token: str, worker: str, outcome: str,
                      error_code: str | None = None) -> None:
    if session.get(Document, document_id) is not None:
        session.add(SupersededRun(document_id=document_id, run_token=token, worker=worker, outcome=outcome,
                                  error_code=error_code))


def store_result(session: Session, document_id: str, result: dict[str, Any], *, token: str | None = None) -> bool:
    """Replace the document's result and form rows and mark it done, in the caller's one transaction:
    readers see the old result or the new one, never a mix. With `token` (the run's claim), only while that
    claim is the current one; False when nothing was written."""
    doc = _owned(session, document_id, token)
    if doc is None:
        return False
    old_result = session.get(StoredResult, document_id)
    if old_result is not None:
        session.delete(old_result)
    for old_form in session.scalars(select(StoredForm).where(StoredForm.document_id == document_id)):
        session.delete(old_form)
    session.flush()
    result = without_nul(result)
    session.add(StoredResult(document_id=document_id, result=result))
    # A rerun keeps a reviewer's corrections: the queryable rows follow the corrected forms.
    from workers.corrections import corrected_result, corrections_for

    log = corrections_for(session, document_id)
    session.add_all(form_rows(document_id, corrected_result(result, log) if log else result))
    doc.status, doc.progress, doc.finished_at = "done", 1.0, utcnow()
    doc.error_code = doc.error_message = None
    doc.run_token = None
    return True


def without_nul(value: Any) -> Any:
    """The value with NUL characters removed from every string: PostgreSQL text and JSONB refuse them,
    and a NUL read from a broken dump is never part of a form."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def form_rows(document_id: str, result: dict[str, Any]) -> list[StoredForm]:
    """The queryable summary of each form in a result."""
    parsed = Result.model_validate(result)
    return [StoredForm(document_id=document_id, index=n, year=form.year,
                       department=_clip(form.department), project_name=_clip(form.project_name),
                       validation=form.validation)
            for n, form in enumerate(parsed.forms)]


def _clip(value: str | None) -> str | None:
    return value[:255] if value else value


def shared_result(session: Session, sha256: str, pipeline_version: str, document_id: str) -> dict[str, Any] | None:
    """A finished result for the same bytes by the same pipeline (another key's upload): reused, not redone."""
    return session.scalar(
        select(StoredResult.result).join(Document, Document.id == StoredResult.document_id)
        .where(Document.sha256 == sha256, Document.pipeline_version == pipeline_version,
               Document.status == "done", Document.id != document_id).limit(1))


def reset_for_rerun(session: Session, document_id: str) -> Document | None:
    """Queue a finished document again; its current result stays readable until the new one replaces it."""
    doc = session.get(Document, document_id, with_for_update=True)
    if doc is None or doc.status in ("queued", "running"):
        return doc
    doc.status, doc.progress, doc.attempts, doc.enqueued_at = "queued", 0.0, 0, utcnow()
    doc.error_code = doc.error_message = None
    doc.run_token = None  # a run still alive from before the rerun must not store over the new one
    return doc


def claim_stalled(session: Session, *, now: datetime, requeue_after: int, hard_time_limit: int,
                  include_queued: bool = True, host: str | None = None) -> list[Document]:
    """Documents whose message may have been lost: never published (the broker was down at upload),
    queued too long (only with `include_queued`: the broker restarted without persistence, the embedded
    queue was read by a process that died), running past the hard time limit, or running on `host` (this
    machine) by a process that no longer exists. Each is stamped with a new enqueued_at in the same
    statement, so two sweepers never publish it twice."""
    queued_before = now - timedelta(seconds=requeue_after)
    started_before = now - timedelta(seconds=hard_time_limit + requeue_after)
    stale_queued = Document.enqueued_at.is_(None)
    if include_queued:
        stale_queued = or_(stale_queued, Document.enqueued_at < queued_before)
    stale_running = (Document.started_at < started_before) & (
        or_(Document.enqueued_at.is_(None), Document.enqueued_at < started_before))
    if host:
        stale_running = or_(stale_running, Document.claimed_by.startswith(f"{host}:", autoescape=True))
    candidates = session.scalars(select(Document).where(or_(
        (Document.status == "queued") & stale_queued,
        (Document.status == "running") & stale_running,
    )).limit(1000)).all()
    claimed = []
    for doc in candidates:
        if (doc.status == "running" and host and doc.started_at is not None and doc.started_at >= started_before
                and claimant_alive(doc.claimed_by, f"{host}:-1")):
            continue  # a live run on this machine, inside its time limit
        stamp = update(Document).where(Document.id == doc.id, Document.status == doc.status,
                                       Document.enqueued_at.is_(None) if doc.enqueued_at is None
                                       else Document.enqueued_at == doc.enqueued_at,
                                       Document.claimed_by.is_(None) if doc.claimed_by is None
                                       else Document.claimed_by == doc.claimed_by)
        if session.execute(stamp.values(enqueued_at=now, status="queued")).rowcount == 1:
            claimed.append(doc)
    return claimed
