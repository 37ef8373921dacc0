"""A stale run never overwrites a newer one (issue 14, item 4): every outcome write is a compare-and-set
on the run's claim token, and a run that lost its claim is recorded in `superseded_runs` instead.

Caused for real twice: two executions of the task body against SQLite and PostgreSQL, the stale one
finishing last; and two Celery workers on Redis + PostgreSQL, the first SIGSTOPped mid-task until the
broker redelivers to the second, then SIGCONTed after the second has finished the document.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_fixtures import SAMPLE, RedisServer, Worker, variant, wait_for
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from workers.blobs import blob_path, store_stream
from workers.migrate import upgrade_to_head
from workers.settings import Settings
from workers.storage import (
    Base,
    Document,
    StoredResult,
    SupersededRun,
    add_key,
    get_or_create_document,
    make_engine,
    make_sessions,
    reset_for_rerun,
    transaction,
)
from workers.tasks import run_document

KEY = {"X-API-Key": "race-key"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    yield url
    engine = make_engine(url)
    with engine.begin() as connection:  # the PostgreSQL database is shared by the module: empty it
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


def stored_document(sessions: sessionmaker[Session], blobs: Path) -> str:
    import io

    sha256, _, _ = store_stream(blobs, io.BytesIO(SAMPLE.read_bytes()), max_bytes=10**8)
    with transaction(sessions) as session:
        key_id = add_key(session, f"k-{os.urandom(4).hex()}", os.urandom(8).hex()).id
    doc, _ = get_or_create_document(sessions, owner_key_id=key_id, sha256=sha256, filename="race.txt",
                                    media_type="text/plain", queue="light")
    return doc.id


def snapshot(sessions: sessionmaker[Session], document_id: str) -> tuple[Document, StoredResult | None,
                                                                          list[SupersededRun]]:
    with sessions() as session:
        return (session.get(Document, document_id), session.get(StoredResult, document_id),
                list(session.scalars(select(SupersededRun).where(SupersededRun.document_id == document_id))))


@pytest.mark.parametrize("meanwhile", ["done", "original-gone", "rerun"])
def test_a_stale_run_finishing_last_changes_nothing(database_url: str, tmp_path: Path, meanwhile: str) -> None:
    """Run A claims and sleeps; run B takes the document over (as after a lease expiry) and finishes it;
    then A finishes: with a result ("done"), with a failure (its original deleted meanwhile), or after a
    rerun has queued the document again. A's outcome must change nothing and be recorded as superseded."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, test_task_delay=2.0)
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    sessions = make_sessions(engine)
    document_id = stored_document(sessions, settings.blob_dir)

    outcome: list[str] = []
    stale = threading.Thread(target=lambda: outcome.append(run_document(document_id, settings, sessions,
                                                                       allowed_starts=5)))
    stale.start()
    wait_for(lambda: snapshot(sessions, document_id)[0].status == "running", 10, "run A to claim")
    a_token = snapshot(sessions, document_id)[0].run_token
    fresh = settings.model_copy(update={"test_task_delay": 0.0})
    assert run_document(document_id, fresh, sessions, allowed_starts=5, retry=True) == "done"
    after_b, result_b, _ = snapshot(sessions, document_id)
    assert after_b.status == "done" and result_b is not None and stale.is_alive()
    if meanwhile == "original-gone":
        blob_path(settings.blob_dir, after_b.sha256).unlink()
    if meanwhile == "rerun":
        with transaction(sessions) as session:
            reset_for_rerun(session, document_id)
    stale.join(30)

    assert outcome == ["superseded"]
    final, result, superseded = snapshot(sessions, document_id)
    assert final.status == ("queued" if meanwhile == "rerun" else "done")
    assert final.error_code is None and final.attempts == (0 if meanwhile == "rerun" else 2)
    assert final.finished_at == after_b.finished_at
    assert result is not None and result.created_at == result_b.created_at  # B's result, not replaced
    assert [(run.run_token, run.outcome, run.error_code) for run in superseded] == [
        (a_token, "failed", "original_missing") if meanwhile == "original-gone" else (a_token, "done", None)]
    engine.dispose()


def test_a_stopped_worker_resumed_after_another_finished_changes_nothing(
        redis_server: RedisServer, pg_url: str, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    """The issue's own reproduction. Worker A is SIGSTOPped mid-task; the broker redelivers its message
    once the visibility timeout passes, worker B (whose claim lease is shorter than A's stop) takes the
    document over and finishes it; A is SIGCONTed, its soft time limit fires at once and its run ends in
    `time_limit`. Before the fence, that failure was stored over B's good result."""
    data_dir = tmp_path / "data"
    common = {"data_dir": data_dir, "redis_url": redis_server.url, "database_url": pg_url,
              "api_keys": "race:race-key", "restore_interval": 1, "concurrency": 1}
    # A sleeps 80 s in its task, with a soft limit (12 s) that its stop outlasts and a hard one (90 s) it does
    # not. B redelivers A's unacknowledged message after 8 s and takes over a claim older than 6 s.
    settings_a = Settings(**common, test_task_delay=80, soft_time_limit=12, hard_time_limit=90, visibility_timeout=100)
    settings_b = Settings(**common, soft_time_limit=5, hard_time_limit=6, visibility_timeout=8)
    with TestClient(create_app(settings_b, sweep=False)) as client:
        worker_a = start_worker(settings_a, name="stale")
        response = client.post("/v1/documents", headers=KEY, files=[("files", ("race.txt", variant(1, "race")))])
        assert response.status_code == 202, response.text
        document_id = response.json()["documents"][0]["id"]
        status = lambda: client.get(f"/v1/documents/{document_id}", headers=KEY).json()  # noqa: E731
        wait_for(lambda: status()["status"] == "running", 20, "worker A to start the task")
        assert worker_a.process is not None
        os.killpg(worker_a.process.pid, signal.SIGSTOP)
        try:
            start_worker(settings_b, name="fresh")
            done = wait_for(lambda: (s := status())["status"] in ("done", "failed") and s, 60,
                            "worker B to finish the redelivered document")
            assert done["status"] == "done" and done["attempts"] == 2, done
            engine = make_engine(pg_url)
            sessions = make_sessions(engine)
            _, result_b, _ = snapshot(sessions, document_id)
            assert result_b is not None
        finally:
            os.killpg(worker_a.process.pid, signal.SIGCONT)
        ended = re.compile(rf"document {document_id}: (\w+) in ")
        late = wait_for(lambda: ended.findall(worker_a.text()), 40, "worker A's late run to end")
        final, result, superseded = snapshot(sessions, document_id)
        assert final.status == "done" and final.error_code is None, (final.status, final.error_code)
        assert result is not None and result.created_at == result_b.created_at
        assert late == ["superseded"]
        assert [(run.outcome, run.error_code) for run in superseded] == [("failed", "time_limit")]
        assert superseded[0].worker and superseded[0].worker.endswith(f":{worker_a.children()[0]}")
        assert client.get(f"/v1/documents/{document_id}/result", headers=KEY).status_code == 200
        assert "superseded by a later claim" in worker_a.text()
        engine.dispose()
