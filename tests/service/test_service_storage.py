"""Storage transactions on SQLite and on a real PostgreSQL database."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Form, Issue, Result, Source
from workers.migrate import upgrade_to_head
from workers.storage import (
    Base,
    Document,
    StoredForm,
    StoredResult,
    add_key,
    claim_document,
    claim_stalled,
    get_or_create_document,
    make_engine,
    make_sessions,
    store_result,
    transaction,
    utcnow,
)

HOST = socket.gethostname()


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade_to_head(engine)
    upgrade_to_head(engine)  # idempotent: every worker runs it at startup
    made = make_sessions(engine)
    yield made
    with engine.begin() as connection:  # the PostgreSQL database is shared by the module: empty it
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


def new_document(sessions: sessionmaker[Session], sha: str = "a" * 64) -> Document:
    with transaction(sessions) as session:
        key_id = add_key(session, f"k-{os.urandom(4).hex()}", os.urandom(8).hex()).id
    doc, created = get_or_create_document(sessions, owner_key_id=key_id, sha256=sha, filename="f.txt",
                                          media_type="text/plain", queue="light")
    assert created
    return doc


def claim(sessions: sessionmaker[Session], doc: Document, worker: str, max_attempts: int = 3) -> str:
    with transaction(sessions) as session:
        return claim_document(session, doc.id, max_attempts=max_attempts, pipeline_version="t",
                              worker=worker, lease_seconds=600).claim


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_migrations_build_exactly_the_models(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        diff = compare_metadata(MigrationContext.configure(session.connection()), Base.metadata)
    assert diff == []


def test_concurrent_uploads_of_one_file_make_one_document(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        key_id = add_key(session, "racer", "secret").id

    def create(_: int) -> tuple[str, bool]:
        doc, created = get_or_create_document(sessions, owner_key_id=key_id, sha256="b" * 64, filename="x",
                                              media_type="text/plain", queue="light")
        return doc.id, created

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert len({doc_id for doc_id, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1


def test_attempts_are_counted_and_a_poison_document_fails(sessions: sessionmaker[Session]) -> None:
    doc = new_document(sessions)
    # Each start by a process that then died counts; the fourth start fails the document.
    assert [claim(sessions, doc, f"{HOST}:{dead_pid()}") for _ in range(4)] == ["run", "run", "run", "poison"]
    with sessions() as session:
        stored = session.get(Document, doc.id)
        assert stored is not None
        assert (stored.status, stored.attempts, stored.error_code) == ("failed", 3, "too_many_attempts")
    assert claim(sessions, doc, f"{HOST}:{dead_pid()}") == "skip"


def test_a_duplicate_message_for_a_live_run_is_dropped(sessions: sessionmaker[Session]) -> None:
    doc = new_document(sessions)
    assert claim(sessions, doc, f"{HOST}:{os.getpid()}") == "run"  # this test process: alive
    assert claim(sessions, doc, f"{HOST}:{dead_pid()}") == "busy"
    assert claim(sessions, doc, "another-host:1") == "busy"


def sample_result(forms: list[Form]) -> dict[str, object]:
    return Result(source=Source(sha256="c" * 64, media_type="text/plain", route="text"), forms=forms).model_dump(
        mode="json")


def test_a_new_result_replaces_the_old_one_and_its_forms(sessions: sessionmaker[Session]) -> None:
    doc = new_document(sessions)
    first = [Form(year=2023, project_name="甲"), Form(year=2023, project_name="乙",
                                                    issues=[Issue(code="x", severity="error", message="m")])]
    with transaction(sessions) as session:
        store_result(session, doc.id, sample_result(first))
    with sessions() as session:
        rows = session.scalars(select(StoredForm).order_by(StoredForm.index)).all()
        assert [(r.project_name, r.validation) for r in rows] == [("甲", "passed"), ("乙", "failed")]
    with transaction(sessions) as session:
        store_result(session, doc.id, sample_result([Form(year=2024, project_name="丙")]))
    with sessions() as session:
        assert [(r.year, r.project_name) for r in session.scalars(select(StoredForm))] == [(2024, "丙")]
        assert session.scalar(select(func.count()).select_from(StoredResult)) == 1
        stored = session.get(StoredResult, doc.id)
        assert stored is not None and stored.result["forms"][0]["project_name"] == "丙"


def test_nul_characters_are_dropped_so_postgresql_accepts_the_result(sessions: sessionmaker[Session]) -> None:
    doc = new_document(sessions)
    with transaction(sessions) as session:
        store_result(session, doc.id, sample_result([Form(project_name="道路\x00养护")]))
    with sessions() as session:
        stored = session.get(StoredResult, doc.id)
        assert stored is not None and stored.result["forms"][0]["project_name"] == "道路养护"
        assert session.scalar(select(StoredForm.project_name)) == "道路养护"


def test_stalled_documents_are_claimed_once(sessions: sessionmaker[Session]) -> None:
    old, fresh = new_document(sessions, "d" * 64), new_document(sessions, "e" * 64)
    with transaction(sessions) as session:
        session.get(Document, old.id).enqueued_at = utcnow() - timedelta(seconds=120)  # type: ignore[union-attr]
    now = utcnow()
    with transaction(sessions) as session:
        assert claim_stalled(session, now=now, requeue_after=60, hard_time_limit=30, include_queued=False) == []
    with transaction(sessions) as session:
        assert [d.id for d in claim_stalled(session, now=now, requeue_after=60, hard_time_limit=30)] == [old.id]
    with transaction(sessions) as session:  # stamped: the next sweep leaves it alone
        assert claim_stalled(session, now=now, requeue_after=60, hard_time_limit=30) == []
    assert fresh.id != old.id


def test_a_run_whose_process_died_on_this_host_is_claimed_at_once(sessions: sessionmaker[Session]) -> None:
    dead, alive, remote = (new_document(sessions, c * 64) for c in "fgh")
    assert claim(sessions, dead, f"{HOST}:{dead_pid()}") == "run"
    assert claim(sessions, alive, f"{HOST}:{os.getpid()}") == "run"
    assert claim(sessions, remote, "elsewhere:1") == "run"
    with transaction(sessions) as session:
        stalled = claim_stalled(session, now=utcnow(), requeue_after=600, hard_time_limit=600,
                                include_queued=False, host=HOST)
        assert [doc.id for doc in stalled] == [dead.id]
    with sessions() as session:
        assert session.get(Document, dead.id).status == "queued"  # type: ignore[union-attr]


def test_page_progress_is_written_to_a_running_document_at_most_every_few_seconds(
        sessions: sessionmaker[Session]) -> None:
    from workers import tasks

    doc = new_document(sessions, "c" * 64)
    assert claim(sessions, doc, f"{HOST}:{os.getpid()}") == "run"
    clock = iter([99.0, 101.5, 102.0, 104.5])  # the third call comes too soon after the second to be written
    write = tasks._progress_writer(sessions, doc.id, clock=lambda: next(clock))
    write(0, 10)  # the first page starts: written at once, it brings the page count
    with sessions() as session:
        first = session.get(Document, doc.id)
        assert (first.progress, first.pages_done, first.pages_total) == (0.05, 0, 10)  # type: ignore[union-attr]
    progress = []
    for done in (4, 5, 8):
        write(done, 10)
        with transaction(sessions) as session:
            row = session.get(Document, doc.id)
            progress.append((row.progress, row.pages_done))  # type: ignore[union-attr]
    assert progress == [(0.41, 4), (0.41, 4), (0.77, 8)]
    # A new attempt (this process's earlier run is over) starts without the last one's pages.
    assert claim(sessions, doc, f"{HOST}:{os.getpid()}") == "run"
    with sessions() as session:
        again = session.get(Document, doc.id)
        assert (again.pages_done, again.pages_total) == (None, None)  # type: ignore[union-attr]
