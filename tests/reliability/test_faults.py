"""Faults the service tests do not cause yet, caused for real: the disk for originals full (a tiny tmpfs)
and PostgreSQL unavailable for 30 s while uploads arrive and a task runs. The promise checked: every
upload is either refused with a status the client can act on (507/503, never 500) or accepted, and
every accepted document ends done or failed with a reason. Nothing accepted is lost.

(Worker SIGKILL, pool-child SIGKILL and Redis restarts mid-batch: tests/service/test_service_faults.py.)
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from service_fixtures import PG_ADMIN, RedisServer, Worker, variant, wait_for

from api.app import create_app
from workers.settings import Settings

DISK_KEY, PG_KEY = {"X-API-Key": "disk-key"}, {"X-API-Key": "pg-key"}  # the database is shared per module
OUTAGE_SECONDS = float(os.environ.get("RELIABILITY_PG_OUTAGE", "30"))


def finished(client: TestClient, key: dict[str, str], ids: list[str], timeout: float) -> list[dict[str, Any]]:
    def poll() -> list[dict[str, Any]] | None:
        docs = [client.get(f"/v1/documents/{doc_id}", headers=key).json() for doc_id in ids]
        return docs if all(doc.get("status") in ("done", "failed") for doc in docs) else None

    return wait_for(poll, timeout, f"{len(ids)} accepted documents to finish", interval=0.5)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: a real filesystem that really fills up (skipped where mounting is not allowed)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the filesystem until about `leave` bytes remain."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as out:
        out.write(b"\0" * max(0, free - leave))
    return filler


def test_full_originals_disk_refuses_uploads_and_loses_nothing(
        small_disk: Path, redis_server: RedisServer, pg_url: str, start_worker: Callable[..., Worker]) -> None:
    # min_free_bytes=0: the API's refusals are under test here, so the worker runs on the last bytes
    # (the worker's own deferral on a full disk: the next test).
    settings = Settings(data_dir=small_disk / "data", redis_url=redis_server.url, database_url=pg_url,
                        api_keys="disk:disk-key", concurrency=1, min_free_bytes=0)
    with TestClient(create_app(settings, sweep=False)) as client:
        filler = fill(small_disk, leave=150_000)
        accepted: list[str] = []
        refused: list[bytes] = []
        for n in range(20):  # ~31 KB each: a few fit, then the disk is full
            data = variant(n, "disk")
            response = client.post("/v1/documents", headers=DISK_KEY, files=[("files", (f"d{n}.txt", data))])
            assert response.status_code in (202, 507), (response.status_code, response.text)
            if response.status_code == 202:
                accepted.append(response.json()["documents"][0]["id"])
            else:
                assert response.json()["error_code"] == "storage_full" and response.headers["retry-after"]
                refused.append(data)
        assert accepted and refused, (len(accepted), len(refused))
        # A part above 1 MiB is spooled to DATA_DIR/tmp while the body is parsed: full there too -> 507.
        spooled = client.post("/v1/documents", headers=DISK_KEY, files=[("files", ("big.txt", b"z" * 1_500_000))])
        assert spooled.status_code == 507, spooled.text
        listed = client.get("/v1/documents", headers=DISK_KEY, params={"limit": 1000}).json()
        assert sorted(doc["id"] for doc in listed["items"]) == sorted(accepted)  # refused = not recorded

        start_worker(settings, name="disk")
        docs = finished(client, DISK_KEY, accepted, 90)
        assert all(doc["status"] == "done" for doc in docs), [d for d in docs if d["status"] != "done"]

        filler.unlink()  # space again: the refused uploads now go through
        retried = client.post("/v1/documents", headers=DISK_KEY, files=[("files", ("again.txt", refused[0]))])
        assert retried.status_code == 202, retried.text
        [doc] = finished(client, DISK_KEY, [retried.json()["documents"][0]["id"]], 60)
        assert doc["status"] == "done"


def test_database_down_30s_refuses_uploads_then_everything_completes(
        redis_server: RedisServer, pg_url: str, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, database_url=pg_url,
                        api_keys="pg:pg-key", test_task_delay=2, concurrency=1)
    name = pg_url.rsplit("/", 1)[1]
    with TestClient(create_app(settings, sweep=False)) as client:
        worker = start_worker(settings, name="pgdown")
        response = client.post("/v1/documents", headers=PG_KEY, files=[("files", ("during.txt", variant(1, "pg")))])
        assert response.status_code == 202
        running_id = response.json()["documents"][0]["id"]
        wait_for(lambda: client.get(f"/v1/documents/{running_id}", headers=PG_KEY).json()["status"] == "running",
                 20, "the task to start")
        refused = 0
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            try:
                ends = time.monotonic() + OUTAGE_SECONDS
                while time.monotonic() < ends:
                    tag = uuid.uuid4().hex[:6]
                    up = client.post("/v1/documents", headers=PG_KEY,
                                     files=[("files", (f"x{tag}.txt", variant(refused, tag)))])
                    assert up.status_code == 503, (up.status_code, up.text)  # refused, never half-accepted
                    assert up.headers["retry-after"] and up.json()["error_code"] == "database_unavailable"
                    status = client.get(f"/v1/documents/{running_id}", headers=PG_KEY)
                    assert status.status_code == 503
                    refused += 1
                    time.sleep(1)
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert refused >= OUTAGE_SECONDS / 3
        assert "Retry in" in worker.text()  # the running task met the outage and scheduled a retry
        after = client.post("/v1/documents", headers=PG_KEY, files=[("files", ("after.txt", variant(2, "pg")))])
        assert after.status_code == 202
        docs = finished(client, PG_KEY, [running_id, after.json()["documents"][0]["id"]], 120)
        assert [doc["status"] for doc in docs] == ["done", "done"], docs
        listed = client.get("/v1/documents", headers=PG_KEY, params={"limit": 1000}).json()
        assert listed["total"] == 2  # the refused uploads left no record behind


def test_a_full_data_disk_defers_tasks_with_storage_full_and_never_crash_loops(
        small_disk: Path, redis_server: RedisServer, pg_url: str, start_worker: Callable[..., Worker]) -> None:
    """Issue 14 item 5: with DATA_DIR full, pool children died of SIGBUS after every task (76 times in 60 s
    for 5 documents: prometheus_client's mmap'd metric files cannot grow on a full disk). Now a task checks
    the free space first and defers with `storage_full`, backing off, until space returns."""
    settings = Settings(data_dir=small_disk / "data", redis_url=redis_server.url, database_url=pg_url,
                        api_keys="disk:disk-key", concurrency=1, min_free_bytes=256 * 1024)
    with TestClient(create_app(settings, sweep=False)) as client:
        ids = []
        for n in range(5):
            response = client.post("/v1/documents", headers=DISK_KEY,
                                   files=[("files", (f"full{n}.txt", variant(n, "full")))])
            assert response.status_code == 202, response.text
            ids.append(response.json()["documents"][0]["id"])
        filler = fill(small_disk, leave=0)
        worker = start_worker(settings, name="full")
        time.sleep(20)
        log = worker.text()
        crashes = log.count("exited with")
        assert crashes == 0 and "SIGBUS" not in log, log[-3000:]
        docs = [client.get(f"/v1/documents/{doc_id}", headers=DISK_KEY).json() for doc_id in ids]
        assert all(doc["status"] == "queued" and doc["error_code"] == "storage_full" for doc in docs), docs
        assert "storage_full" in log
        filler.unlink()  # space again: every deferred document completes on its next try
        docs = finished(client, DISK_KEY, ids, 120)
        assert all(doc["status"] == "done" and not doc["error_code"] for doc in docs), docs
        assert worker.text().count("exited with") == 0


def test_a_pdf_tasks_time_limit_is_sized_to_its_pages(
        redis_server: RedisServer, pg_url: str, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    """OCR and renders run as long C calls no signal interrupts; the Celery limits are the backstop, and
    for a PDF or image they are sized to its pages (task_base_seconds + page_time_budget × pages, capped by
    the hard limit). Each task sleeps 8 s: the 1-page PDF's limits (soft 4 s, hard 8 s) stop it, the text
    dump's (the worker's 50/60 s) do not."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from make_corpus import text_pdf

    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, database_url=pg_url,
                        api_keys="lim:lim-key", concurrency=1, test_task_delay=8, soft_time_limit=50,
                        hard_time_limit=60, task_base_seconds=4, page_time_budget=4)
    key = {"X-API-Key": "lim-key"}
    with TestClient(create_app(settings, sweep=False)) as client:
        worker = start_worker(settings, name="limits")
        response = client.post("/v1/documents", headers=key, files=[
            ("files", ("one-page.pdf", text_pdf(["page one"]))), ("files", ("dump.txt", variant(1, "limits")))])
        assert response.status_code == 202, response.text
        pdf_id, text_id = (doc["id"] for doc in response.json()["documents"])
        pdf, text = finished(client, key, [pdf_id, text_id], 60)
        assert (pdf["status"], pdf["error_code"]) == ("failed", "time_limit"), pdf
        assert "4 s" in pdf["error_message"], pdf
        assert text["status"] == "done", text
        assert "Soft time limit (4s) exceeded" in worker.text()
