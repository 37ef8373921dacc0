"""Faults caused for real: a worker killed with SIGKILL mid-task, Redis restarted mid-batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import RedisServer, Worker, variant, wait_for
from fastapi.testclient import TestClient

from api.app import create_app
from workers.settings import Settings

KEY = {"X-API-Key": "fault-key"}


def status_of(client: TestClient, document_id: str) -> dict[str, object]:
    return client.get(f"/v1/documents/{document_id}", headers=KEY).json()


def upload(client: TestClient, files: list[tuple[str, bytes]]) -> list[str]:
    response = client.post("/v1/documents", headers=KEY, files=[("files", f) for f in files])
    assert response.status_code == 202, response.text
    return [doc["id"] for doc in response.json()["documents"]]


@pytest.fixture
def slow_tasks(redis_server: RedisServer, pg_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    # Tasks sleep 3 s so they can be killed mid-run; the broker redelivers an unacknowledged message
    # 8 s after delivery (above the 6 s hard limit). The sweeper is off: the broker alone must recover.
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, database_url=pg_url,
                        api_keys="f:fault-key", test_task_delay=3, soft_time_limit=5, hard_time_limit=6,
                        visibility_timeout=8, restore_interval=1, concurrency=1)
    with TestClient(create_app(settings, sweep=False)) as client:
        yield client, settings


def test_worker_killed_mid_task_document_completes_after_restart(
        slow_tasks: tuple[TestClient, Settings], start_worker: Callable[..., Worker]) -> None:
    client, settings = slow_tasks
    worker = start_worker(settings, name="first")
    [doc_id] = upload(client, [("killed.txt", variant(1, "sigkill"))])
    wait_for(lambda: status_of(client, doc_id)["status"] == "running", 20, "the task to start")
    worker.kill()
    assert status_of(client, doc_id)["status"] == "running"
    start_worker(settings, name="second")
    final = wait_for(lambda: (s := status_of(client, doc_id))["status"] in ("done", "failed") and s, 40,
                     "the document to complete after the restart")
    assert final["status"] == "done"
    assert final["attempts"] == 2  # the killed run counted: a document that always kills fails after N


def test_pool_child_killed_mid_task_is_requeued_at_once(
        slow_tasks: tuple[TestClient, Settings], start_worker: Callable[..., Worker]) -> None:
    client, settings = slow_tasks
    worker = start_worker(settings, name="child")
    [doc_id] = upload(client, [("child.txt", variant(2, "child"))])
    wait_for(lambda: status_of(client, doc_id)["status"] == "running", 20, "the task to start")
    [child] = worker.children()
    import os
    import signal

    os.kill(child, signal.SIGKILL)
    final = wait_for(lambda: (s := status_of(client, doc_id))["status"] in ("done", "failed") and s, 20,
                     "the requeued document to complete")
    assert final["status"] == "done" and final["attempts"] == 2


def test_redis_restarted_mid_batch_every_document_completes(
        redis_server: RedisServer, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    # SQLite this time; Redis runs without persistence, so the restart loses the queued messages and
    # the sweeper (every second, for documents queued over 3 s) must publish them again.
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, api_keys="f:fault-key",
                        test_task_delay=0.15, requeue_after=3, sweep_interval=1, concurrency=2)
    with TestClient(create_app(settings)) as client:
        start_worker(settings, concurrency=2, name="batch")
        ids: list[str] = []
        for start in range(0, 50, 10):
            ids += upload(client, [(f"doc-{n}.txt", variant(n, "redis")) for n in range(start, start + 10)])
        assert len(set(ids)) == 50

        def done_count() -> int:
            return client.get("/v1/documents", headers=KEY, params={"status": "done", "limit": 1}).json()["total"]

        wait_for(lambda: done_count() >= 5, 60, "the batch to get going")
        redis_server.restart()
        assert done_count() < 50, "the batch finished before the restart; the test proved nothing"
        wait_for(lambda: done_count() == 50, 120, "every document to complete after the Redis restart")
        failed = client.get("/v1/documents", headers=KEY, params={"status": "failed"}).json()
        assert failed["total"] == 0, failed["items"]


def test_database_outage_mid_task_is_retried_with_backoff(
        slow_tasks: tuple[TestClient, Settings], pg_url: str, start_worker: Callable[..., Worker]) -> None:
    import psycopg
    from conftest import PG_ADMIN

    client, settings = slow_tasks
    worker = start_worker(settings, name="dbdown")
    [doc_id] = upload(client, [("outage.txt", variant(3, "outage"))])
    wait_for(lambda: status_of(client, doc_id)["status"] == "running", 20, "the task to start")
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        # The database goes away while the task sleeps: every connection is cut and new ones refused.
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        wait_for(lambda: "Retry in" in worker.text(), 20, "the task to schedule a retry")
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    final = wait_for(lambda: (s := status_of(client, doc_id))["status"] in ("done", "failed") and s, 40,
                     "the retried document to complete")
    assert final["status"] == "done", final


def test_upload_while_redis_is_down_is_kept_and_published_when_it_returns(
        redis_server: RedisServer, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    # requeue_after is long: only the "never published" mark can bring this document to a worker.
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, api_keys="f:fault-key",
                        requeue_after=600, sweep_interval=1)
    with TestClient(create_app(settings)) as client:
        start_worker(settings, name="outage")
        redis_server.stop()
        try:
            [doc_id] = upload(client, [("during-outage.txt", variant(4, "redis-down"))])
            assert status_of(client, doc_id)["status"] == "queued"
            assert client.get("/readyz").status_code == 503
        finally:
            redis_server.start()
        final = wait_for(lambda: (s := status_of(client, doc_id))["status"] in ("done", "failed") and s, 60,
                         "the document uploaded during the outage to complete")
        assert final["status"] == "done" and final["attempts"] == 1


def test_a_document_that_kills_its_worker_every_time_fails_after_max_attempts(
        slow_tasks: tuple[TestClient, Settings], start_worker: Callable[..., Worker]) -> None:
    import os
    import signal

    client, settings = slow_tasks
    worker = start_worker(settings, name="poison")
    [doc_id] = upload(client, [("poison.txt", variant(5, "poison"))])
    for attempt in range(1, settings.max_attempts + 1):
        wait_for(lambda a=attempt: (s := status_of(client, doc_id))["status"] == "running" and s["attempts"] == a,
                 30, f"start number {attempt}")
        for child in worker.children():  # the "crash": the pool child dies mid-task, every time
            os.kill(child, signal.SIGKILL)
    final = wait_for(lambda: (s := status_of(client, doc_id))["status"] in ("done", "failed") and s, 30,
                     "the poison document to be failed")
    assert (final["status"], final["error_code"]) == ("failed", "too_many_attempts")
    assert final["attempts"] == settings.max_attempts


def test_a_child_over_the_memory_ceiling_is_replaced_between_tasks(
        redis_server: RedisServer, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    from sqlalchemy import select

    from workers.storage import Document, make_engine, make_sessions

    # 50 MB: below what any child holds after importing the pipeline, so every child retires after a task.
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, api_keys="f:fault-key",
                        max_memory_per_child_kb=50_000, concurrency=1)
    with TestClient(create_app(settings, sweep=False)) as client:
        worker = start_worker(settings, name="memory")
        ids = upload(client, [(f"mem-{n}.txt", variant(n, "memory")) for n in range(3)])
        wait_for(lambda: all(status_of(client, i)["status"] == "done" for i in ids), 60, "the documents")
    with make_sessions(make_engine(settings.effective_database_url))() as session:
        claimants = set(session.scalars(select(Document.claimed_by).where(Document.id.in_(ids))))
    assert len(claimants) == 3, claimants  # one worker process, three different children
    assert "ForkPoolWorker-3" in worker.text()  # the pool's third child: two were retired
