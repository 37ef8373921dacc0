"""The deployment: API + celery worker on a real Redis, results in a real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXPECTED, SAMPLE, RedisServer, Worker, score, variant, wait_for
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from workers.settings import Settings
from workers.storage import make_engine

KEY_A, KEY_B = {"X-API-Key": "key-a"}, {"X-API-Key": "key-b"}


@pytest.fixture(scope="module")
def deployment(redis_server: RedisServer, pg_url: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[TestClient, Worker, Settings]]:
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data, redis_url=redis_server.url, database_url=pg_url,
                        api_keys="a:key-a,b:key-b", concurrency=2)
    with TestClient(create_app(settings, sweep=False)) as client:
        worker = Worker(settings, data / "worker.log", concurrency=2).start()
        yield client, worker, settings
        worker.stop()


def upload(client: TestClient, headers: dict[str, str], *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    response = client.post("/v1/documents", headers=headers, files=[("files", f) for f in files])
    assert response.status_code == 202, response.text
    return response.json()["documents"]


def finished(client: TestClient, headers: dict[str, str], document_id: str, timeout: float = 60) -> dict[str, Any]:
    def status() -> dict[str, Any] | None:
        body = client.get(f"/v1/documents/{document_id}", headers=headers).json()
        return body if body["status"] in ("done", "failed") else None

    return wait_for(status, timeout, f"document {document_id} to finish")


def test_sample_through_api_and_worker_scores_perfectly(deployment: tuple[TestClient, Worker, Settings],
                                                        tmp_path: Path) -> None:
    client, _, settings = deployment
    [doc] = upload(client, KEY_A, (SAMPLE.name, SAMPLE.read_bytes()))
    assert finished(client, KEY_A, doc["id"])["status"] == "done"
    result = client.get(f"/v1/documents/{doc['id']}/result", headers=KEY_A)
    assert result.status_code == 200
    actual = tmp_path / "actual.json"
    actual.write_text(result.text, encoding="utf-8")
    assert score(EXPECTED, actual).startswith("field accuracy 1.0000"), score(EXPECTED, actual)
    # The form rows are queryable, and PostgreSQL stores the result as JSONB.
    expected_forms = json.loads(EXPECTED.read_text(encoding="utf-8"))["forms"]
    forms = client.get("/v1/forms", headers=KEY_A, params={"year": expected_forms[0]["year"]}).json()
    assert forms["total"] == len(expected_forms)
    with make_engine(settings.effective_database_url).connect() as connection:
        kind = connection.execute(text("SELECT jsonb_typeof(result) FROM results WHERE document_id = :id"),
                                  {"id": doc["id"]}).scalar_one()
    assert kind == "object"


def test_same_file_twice_is_one_document_and_one_run(deployment: tuple[TestClient, Worker, Settings]) -> None:
    client, worker, _ = deployment
    data = variant(1, "twice")
    first = upload(client, KEY_A, ("twice.txt", data), ("again.txt", data))
    second = upload(client, KEY_A, ("renamed.txt", data))
    assert first[0]["id"] == first[1]["id"] == second[0]["id"]
    assert [first[1]["duplicate"], second[0]["duplicate"]] == [True, True]
    status = finished(client, KEY_A, first[0]["id"])
    assert status["status"] == "done" and status["attempts"] == 1
    runs = [line for line in worker.text().splitlines() if "succeeded" in line and first[0]["id"] in line]
    assert len(runs) == 1, runs


def test_corrupt_file_fails_alone_with_a_stored_reason(deployment: tuple[TestClient, Worker, Settings]) -> None:
    client, _, _ = deployment
    good = [(f"good-{n}.txt", variant(n, "batch")) for n in range(3)]
    corrupt = ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n" + bytes(range(256)) * 4)
    empty = ("empty.txt", b"   \n")
    docs = upload(client, KEY_A, *good[:2], corrupt, empty, good[2])
    statuses = {doc["filename"]: finished(client, KEY_A, doc["id"]) for doc in docs}
    assert {name: s["status"] for name, s in statuses.items()} == {
        "good-0.txt": "done", "good-1.txt": "done", "good-2.txt": "done", "broken.pdf": "failed", "empty.txt": "failed"}
    assert statuses["empty.txt"]["error_code"] == "empty_input"
    assert statuses["broken.pdf"]["error_code"] and statuses["broken.pdf"]["error_message"]
    assert statuses["broken.pdf"]["queue"] == "heavy" and statuses["good-0.txt"]["queue"] == "light"
    refused = client.get(f"/v1/documents/{docs[2]['id']}/result", headers=KEY_A)
    assert refused.status_code == 409 and refused.json()["detail"]["error_code"] == statuses["broken.pdf"]["error_code"]


def test_keys_see_only_their_own_documents(deployment: tuple[TestClient, Worker, Settings]) -> None:
    client, worker, _ = deployment
    data = variant(7, "shared")
    [mine] = upload(client, KEY_A, ("mine.txt", data))
    assert finished(client, KEY_A, mine["id"])["status"] == "done"
    [theirs] = upload(client, KEY_B, ("theirs.txt", data))
    assert theirs["id"] != mine["id"] and not theirs["duplicate"]
    assert finished(client, KEY_B, theirs["id"])["status"] == "done"
    # b's record is its own: its filename, and a never sees it (404, as if it did not exist).
    assert client.get(f"/v1/documents/{theirs['id']}/result", headers=KEY_B).json()["source"]["filename"] == "theirs.txt"
    assert client.get(f"/v1/documents/{theirs['id']}", headers=KEY_A).status_code == 404
    assert client.get(f"/v1/documents/{mine['id']}/result", headers=KEY_B).status_code == 404
    listed_b = client.get("/v1/documents", headers=KEY_B).json()
    assert [doc["id"] for doc in listed_b["items"]] == [theirs["id"]]
    forms_b = client.get("/v1/forms", headers=KEY_B).json()["items"]
    assert forms_b and {form["document_id"] for form in forms_b} == {theirs["id"]}
    for headers in ({}, {"X-API-Key": "wrong"}):
        assert client.get("/v1/documents", headers=headers).status_code == 401
        assert client.post("/v1/documents", headers=headers, files=[("files", ("x.txt", b"x"))]).status_code == 401


def test_rerun_replaces_the_result_in_place(deployment: tuple[TestClient, Worker, Settings]) -> None:
    client, _, settings = deployment
    [doc] = upload(client, KEY_A, ("rerun.txt", variant(11, "rerun")))
    first = finished(client, KEY_A, doc["id"])
    before = client.get(f"/v1/documents/{doc['id']}/result", headers=KEY_A).json()
    assert client.post(f"/v1/documents/{doc['id']}/rerun", headers=KEY_A).status_code == 202
    second = wait_for(lambda: (s := client.get(f"/v1/documents/{doc['id']}", headers=KEY_A).json())["status"] == "done"
                      and s["finished_at"] != first["finished_at"] and s, 60, "the rerun to finish")
    assert second["attempts"] == 1
    assert client.get(f"/v1/documents/{doc['id']}/result", headers=KEY_A).json() == before
    with make_engine(settings.effective_database_url).connect() as connection:
        counts = connection.execute(text("SELECT (SELECT count(*) FROM results WHERE document_id = :id), "
                                         "(SELECT count(*) FROM forms WHERE document_id = :id)"), {"id": doc["id"]}).one()
    assert counts == (1, len(before["forms"]))


def test_a_failed_document_completes_when_rerun_after_the_fix(deployment: tuple[TestClient, Worker, Settings]) -> None:
    """The original goes missing from the shared folder (a failed disk, a wrong mount): the re-run fails with
    original_missing; the operator puts the file back, re-runs the selection, and it completes."""
    from workers.blobs import blob_path

    client, _, settings = deployment
    [doc] = upload(client, KEY_A, ("fixed-later.txt", variant(12, "fix")))
    first = finished(client, KEY_A, doc["id"])
    blob = blob_path(settings.blob_dir, doc["sha256"])
    parked = blob.with_name(blob.name + ".parked")
    blob.rename(parked)
    try:
        assert client.post("/v1/documents/rerun", headers=KEY_A, json={"ids": [doc["id"]]}).status_code == 202
        failed = wait_for(lambda: (s := client.get(f"/v1/documents/{doc['id']}", headers=KEY_A).json())["status"]
                          == "failed" and s, 60, "the re-run to fail without its original")
        assert failed["error_code"] == "original_missing" and failed["error_explanation"].startswith("原件已不在存储中")
    finally:
        parked.rename(blob)
    assert client.post("/v1/documents/rerun", headers=KEY_A, json={"ids": [doc["id"]]}).json()[0]["status"] == "queued"
    done = wait_for(lambda: (s := client.get(f"/v1/documents/{doc['id']}", headers=KEY_A).json())["status"] == "done"
                    and s, 60, "the re-run after the fix")
    assert done["error_code"] is None and done["finished_at"] != first["finished_at"] and done["forms"] > 0


def test_cursor_pages_on_postgresql(deployment: tuple[TestClient, Worker, Settings]) -> None:
    client, _, _ = deployment
    for sort in ("newest", "oldest", "filename"):
        everything = client.get("/v1/documents", headers=KEY_A, params={"limit": 1000, "sort": sort}).json()
        walked, cursor = [], None
        while True:
            page = client.get("/v1/documents", headers=KEY_A,
                              params={"limit": 2, "sort": sort, **({"cursor": cursor} if cursor else {})}).json()
            walked += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(walked) >= 3 and walked == [item["id"] for item in everything["items"]], sort
        assert sum(everything["counts"].values()) == everything["total"] == len(walked)
