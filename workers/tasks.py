"""The one task: extract a stored document by id and store its result.

The message carries only the document id; the bytes are read from the content-addressed store.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Celery, Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from celery.utils.log import get_task_logger
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from extractor.errors import ExtractionError
from extractor.options import ExtractOptions
from workers.blobs import free_bytes, read_blob
from workers.settings import Settings, get_settings
from workers.storage import (
    claim_document,
    defer_queued,
    make_engine,
    make_sessions,
    mark_unpublished,
    record_superseded,
    set_progress,
    shared_result,
    store_failure,
    store_result,
    transaction,
    utcnow,
)

log = get_task_logger(__name__)

# Worth retrying later: the database or the broker is unreachable, not the document's fault.
TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError, ConnectionError,
)
TASK_NAME = "docextract.process_document"


def pipeline_version() -> str:
    """What produced a result: extractor.PIPELINE_VERSION when the pipeline declares one, else the
    package version. Results are shared between keys only within one pipeline version."""
    import extractor

    declared = getattr(extractor, "PIPELINE_VERSION", None)
    if declared:
        return str(declared)
    try:
        return version("docextract")
    except PackageNotFoundError:
        return "unknown"


class _Database:
    """One engine per process, made lazily after the fork (a connection pool must not cross fork)."""

    def __init__(self) -> None:
        self.pid = -1
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None

    def get(self, settings: Settings) -> sessionmaker[Session]:
        if self.sessions is None or self.pid != os.getpid():
            self.engine = make_engine(settings.effective_database_url)
            self.sessions = make_sessions(self.engine)
            self.pid = os.getpid()
        assert self.sessions is not None
        return self.sessions


_database = _Database()


@worker_process_init.connect
def _fresh_pool_in_child(**_: Any) -> None:
    _database.pid = -1


def backoff(retries: int) -> int:
    """Seconds before transient retry number `retries` + 1: 2, 4, 8 … capped at 2 minutes."""
    return int(min(120, 2 ** (retries + 1)))


@shared_task(bind=True, name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, max_retries=12)
def process_document(self: Task, document_id: str) -> dict[str, str]:
    settings = get_settings()
    free = free_bytes(settings.data_dir)
    if free < settings.min_free_bytes:
        return _defer_for_space(self, document_id, settings, free)
    try:
        hard, soft = self.request.timelimit or (None, None)  # sized to the pages at enqueue (time_limits)
        status = run_document(document_id, settings, _database.get(settings),
                              allowed_starts=settings.max_attempts + self.request.retries,
                              retry=self.request.retries > 0, soft_limit=soft or settings.soft_time_limit)
    except TRANSIENT as err:
        log.warning("document %s: transient error, retrying: %s", document_id, err)
        raise self.retry(exc=err, countdown=backoff(self.request.retries)) from err
    return {"document_id": document_id, "status": status}


def _defer_for_space(task: Task, document_id: str, settings: Settings, free: int) -> dict[str, str]:
    """DATA_DIR is (nearly) full: nothing is claimed or written there, the message is retried with backoff.

    Writing on a full disk killed pool children with SIGBUS after every task (prometheus_client's mmap'd
    metric files cannot grow; issue 14), a crash loop. After max_retries (about 15 minutes of backoff) the
    document fails with storage_full; a rerun starts it again once space is back."""
    message = (f"the data disk ({settings.data_dir}) has {free:,} bytes free, below "
               f"DOCEXTRACT_MIN_FREE_BYTES={settings.min_free_bytes:,}; ")
    exhausted = task.request.retries >= (task.max_retries or 0)
    sessions = _database.get(settings)
    with transaction(sessions) as session:
        defer_queued(session, document_id, "storage_full",
                     message + ("the document was not processed" if exhausted else "processing is retried later"),
                     fail=exhausted)
    if exhausted:
        log.error("document %s failed: storage_full: %s", document_id, message)
        return {"document_id": document_id, "status": "failed"}
    countdown = backoff(task.request.retries)
    log.warning("document %s deferred %d s: storage_full: %s", document_id, countdown, message)
    raise task.retry(countdown=countdown)


PROGRESS_EVERY = 2.0  # seconds between progress writes: a 300-page scan must not write 300 times a second


def _progress_writer(sessions: sessionmaker[Session], document_id: str, token: str | None = None,
                     clock: Callable[[], float] = time.monotonic) -> Callable[[int, int], None]:
    """Per-page progress into the document row (5 % at the claim, 95 % when the last page starts), with the
    pages read and the page count (page x of y)."""
    last = [0.0]

    def write(done: int, total: int) -> None:
        now = clock()
        if done and now - last[0] < PROGRESS_EVERY:
            return  # the first call always writes: it brings the page count
        last[0] = now
        with transaction(sessions) as session:
            set_progress(session, document_id, round(0.05 + 0.9 * done / max(total, 1), 3), pages=(done, total),
                         token=token)

    return write


def run_document(document_id: str, settings: Settings, sessions: sessionmaker[Session],
                 allowed_starts: int, retry: bool = False, soft_limit: float | None = None) -> str:
    """Process one document; returns its final status ("skipped" when there was nothing to do,
    "superseded" when another run claimed the document meanwhile and this run's outcome was not stored).

    A transient error (database or broker down) propagates for the task to retry; anything the
    document itself causes is stored as its failure. Every write after the claim is fenced by the claim's
    token (workers.storage._owned), so a run that was stopped past its lease and resumed changes nothing."""
    from extractor.pipeline import extract_bytes  # the pipeline (and OCR models) load in the child, once

    version_now = pipeline_version()
    with transaction(sessions) as session:
        claimed = claim_document(session, document_id, max_attempts=allowed_starts, pipeline_version=version_now,
                                 worker=f"{socket.gethostname()}:{os.getpid()}",
                                 lease_seconds=settings.hard_time_limit, takeover=retry)
        reused = shared_result(session, claimed.sha256, version_now, document_id) if claimed.claim == "run" else None
    if claimed.claim != "run":
        return {"poison": "failed", "busy": "busy"}.get(claimed.claim, "skipped")
    worker = f"{socket.gethostname()}:{os.getpid()}"
    fence = _Fence(sessions, document_id, claimed.token, worker)
    try:
        if settings.test_task_delay:  # inside the try: a time limit that fires here ends the run like real work
            time.sleep(settings.test_task_delay)
        if reused is not None:
            result = reused
        else:
            data = read_blob(settings.blob_dir, claimed.sha256)
            extracted = extract_bytes(data, claimed.filename,
                                      ExtractOptions(on_page=_progress_writer(sessions, document_id, claimed.token),
                                                     memory_limit=_memory_limit(settings)))
            result = extracted.model_dump(mode="json")
        # The filename this key uploaded, even when another key's upload of the same bytes was processed.
        result["source"]["filename"] = claimed.filename
        with transaction(sessions) as session:  # two transactions per document: claim, then store
            stored = store_result(session, document_id, result, token=claimed.token)
        return "done" if stored else fence.superseded("done")
    except TRANSIENT:
        raise
    except ExtractionError as err:
        return fence.fail(err.code, err.message)
    except SoftTimeLimitExceeded:
        return fence.fail("time_limit", f"processing took longer than {soft_limit or settings.soft_time_limit:g} s "
                          "and was stopped")
    except FileNotFoundError:
        return fence.fail("original_missing",
                          "the uploaded original is not in the store (DOCEXTRACT_DATA_DIR must be shared by "
                          "the API and every worker)")
    except DBAPIError as err:  # the database refused this result (not an outage): fail it, do not loop
        return fence.fail("storage_error", f"the result could not be stored: {err.orig}")
    except Exception as err:  # a pipeline bug must fail this document, not loop it through the queue
        log.exception("document %s failed", document_id)
        return fence.fail("internal_error", f"{type(err).__name__}: {err}")


class _Fence:
    """The outcome writes of one run, each only while its claim token is the document's current one."""

    def __init__(self, sessions: sessionmaker[Session], document_id: str, token: str, worker: str) -> None:
        self.sessions, self.document_id, self.token, self.worker = sessions, document_id, token, worker

    def fail(self, code: str, message: str) -> str:
        from extractor.form.codes import clean_message

        message = clean_message(message) or message  # no `<_io.BytesIO object at 0x…>` for the user to read
        with transaction(self.sessions) as session:
            stored = store_failure(session, self.document_id, code, message, token=self.token)
        if not stored:
            return self.superseded("failed", code)
        log.info("document %s failed at %s: %s: %s", self.document_id, utcnow().isoformat(), code, message)
        return "failed"

    def superseded(self, outcome: str, error_code: str | None = None) -> str:
        with transaction(self.sessions) as session:
            record_superseded(session, self.document_id, token=self.token, worker=self.worker, outcome=outcome,
                              error_code=error_code)
        log.warning("document %s: this run (%s) was superseded by a later claim; its outcome (%s%s) was not "
                    "stored", self.document_id, self.worker, outcome, f" {error_code}" if error_code else "")
        return "superseded"


def count_pages(path: Path) -> int | None:
    """Pages of a stored PDF or image, read from its structure without rendering (pdfium loads the page
    tree lazily from the file; TIFF frames are counted by seeking); None for other kinds or a broken file."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(1024)
        if b"%PDF-" in head:
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(path))
            try:
                return len(doc)
            finally:
                doc.close()
        if head.startswith((b"II*\x00", b"MM\x00*")):
            from PIL import Image

            with Image.open(path) as image:
                return int(getattr(image, "n_frames", 1))
        if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"BM")):
            return 1
    except Exception:  # noqa: BLE001 - a broken file is the worker's to report, with its own code
        return None
    return None


def time_limits(settings: Settings, sha256: str) -> tuple[int, int] | None:
    """(soft, hard) seconds for this document's task, sized to its pages: task_base_seconds +
    page_time_budget × pages, never above DOCEXTRACT_HARD_TIME_LIMIT (which the claim lease, the
    visibility timeout and the sweeper are sized to). OCR and renders are long C calls that no signal
    interrupts; the hard limit kills the pool child, so a 1-page scan stuck in one is killed after 420 s
    instead of 1800 s (3 attempts: 21 min instead of 90). None (the worker's defaults) for text, HTML,
    Office files and anything whose pages cannot be counted."""
    from workers.blobs import blob_path

    pages = count_pages(blob_path(settings.blob_dir, sha256))
    if pages is None:
        return None
    hard = min(settings.hard_time_limit, settings.task_base_seconds + settings.page_time_budget * max(pages, 1))
    gap = settings.hard_time_limit - settings.soft_time_limit
    return max(hard // 2, hard - gap), hard


def enqueue(celery: Celery, document_id: str, queue: str, sessions: sessionmaker[Session] | None = None,
            limits: tuple[int, int] | None = None) -> bool:
    """Publish the document's task through `celery` (the API's producer app), with `limits` (soft, hard)
    from time_limits. False when the broker is unreachable: the document stays queued in the database
    and the sweeper publishes it later."""
    sized = {"soft_time_limit": limits[0], "time_limit": limits[1]} if limits else {}
    try:
        # ignore_result: the database holds every outcome, and a producer that subscribes to the result
        # backend fails outright (RuntimeError) while Redis is down instead of leaving the document queued.
        celery.send_task(TASK_NAME, args=[document_id], queue=queue, ignore_result=True, **sized)
    except TRANSIENT as err:
        log.warning("document %s: broker unavailable, left for the sweeper: %s", document_id, err)
        if sessions is not None:
            with transaction(sessions) as session:
                mark_unpublished(session, document_id)
        return False
    return True


def _memory_limit(settings: Settings) -> int | None:
    """The per-document budget, only where the task has its process to itself (a prefork child runs it
    in its main thread): RLIMIT_AS is per process, and the embedded queue's threads share the API's."""
    import threading

    if settings.memory_limit_mb is None or threading.current_thread() is not threading.main_thread():
        return None
    return settings.memory_limit_mb * 1024 * 1024
