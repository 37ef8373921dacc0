"""`docextract serve` out of the box: no Redis, no PostgreSQL; then `ingest` and `export` against it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import EXPECTED, SAMPLE, free_port, process_env, score, variant, wait_for

from workers.settings import Settings

DOCEXTRACT = [sys.executable, "-c", "from extractor.cli import main; main()"]


class Served:
    def __init__(self, url: str, settings: Settings, key: str) -> None:
        self.url, self.settings, self.key = url, settings, key

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("embedded")
    settings = Settings(data_dir=root / "data", concurrency=1, sweep_interval=2)
    port = free_port()
    env = process_env(settings)
    env["REDIS_URL"] = ""  # explicit: no broker server anywhere
    log = open(root / "serve.log", "wb")
    process = subprocess.Popen([*DOCEXTRACT, "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(url + "/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, 60, "docextract serve to be ready")
        # No key was configured, so serve made one and wrote it beside the data.
        key = (settings.data_dir / "api-key").read_text().strip()
        assert (settings.data_dir / "api-key").stat().st_mode & 0o077 == 0
        wait_for(lambda: b"Connected to filesystem://" in (root / "serve.log").read_bytes(), 30,
                 "the local worker on the embedded queue")
        yield Served(url, settings, key)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_sample_through_the_embedded_default_scores_perfectly(served: Served, tmp_path: Path) -> None:
    response = httpx.post(served.url + "/v1/documents", headers=served.headers,
                          files=[("files", (SAMPLE.name, SAMPLE.read_bytes()))])
    assert response.status_code == 202
    document_id = response.json()["documents"][0]["id"]

    def done() -> bool:
        return httpx.get(f"{served.url}/v1/documents/{document_id}", headers=served.headers).json()["status"] == "done"

    wait_for(done, 60, "the embedded worker to process the sample")
    actual = tmp_path / "actual.json"
    actual.write_text(httpx.get(f"{served.url}/v1/documents/{document_id}/result", headers=served.headers).text)
    assert score(EXPECTED, actual).startswith("field accuracy 1.0000"), score(EXPECTED, actual)
    assert (served.settings.data_dir / "docextract.db").exists()
    assert not any(p.name == SAMPLE.name for p in served.settings.blob_dir.rglob("*"))  # stored by hash only


def run_cli(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCEXTRACT, *args], capture_output=True, text=True,
                          env=process_env(settings), timeout=120)


def test_ingest_a_zip_resumes_and_fails_on_a_corrupt_file(served: Served, tmp_path: Path) -> None:
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(24):  # above 20 waiting: statuses are read from the paged listing
            zf.writestr(f"forms/ingest-{n:02}.txt", variant(n, "ingest"))
        zf.writestr("forms/corrupt.pdf", b"%PDF-1.4\n%%EOF garbage" + bytes(range(200)))
        zf.writestr("__MACOSX/forms/._ingest-0.txt", b"resource fork")
    state = tmp_path / "state.json"
    args = ["ingest", str(archive), "--server", served.url, "--api-key", served.key, "--state", str(state),
            "--timeout", "90"]
    first = run_cli(*args, settings=served.settings)
    assert first.returncode == 1, first.stderr
    assert "汇总 summary: 24 已完成 done, 1 失败 failed" in first.stdout
    assert "corrupt.pdf" in first.stderr
    recorded = json.loads(state.read_text())
    assert sorted(recorded) == ["forms/corrupt.pdf"] + [f"forms/ingest-{n:02}.txt" for n in range(24)]
    # Resumed: nothing is uploaded again (the ids stay), and the summary is the same.
    second = run_cli(*args, settings=served.settings)
    assert "汇总 summary: 24 已完成 done, 1 失败 failed" in second.stdout
    assert {k: v["id"] for k, v in json.loads(state.read_text()).items()} == {k: v["id"] for k, v in recorded.items()}
    listed = httpx.get(served.url + "/v1/documents", headers=served.headers, params={"limit": 1000}).json()
    assert sum(1 for doc in listed["items"] if doc["filename"].startswith("ingest-")) == 24


def test_export_jsonl_and_csv_from_the_store(served: Served) -> None:
    httpx.post(served.url + "/v1/documents", headers=served.headers,
               files=[("files", ("export.txt", variant(99, "export")))])
    wait_for(lambda: all(d["status"] in ("done", "failed") for d in httpx.get(
        served.url + "/v1/documents", headers=served.headers, params={"limit": 1000}).json()["items"]), 60,
        "every document to finish")
    jsonl = run_cli("export", "--format", "jsonl", settings=served.settings)
    assert jsonl.returncode == 0, jsonl.stderr
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    lines = [line for line in lines if line["status"] == "done"]  # failed documents are listed too
    done_ids = {d["id"] for d in httpx.get(served.url + "/v1/documents", headers=served.headers,
                                           params={"status": "done", "limit": 1000}).json()["items"]}
    assert {line["document_id"] for line in lines} == done_ids
    expected_forms = len(json.loads(EXPECTED.read_text())["forms"])
    table = run_cli("export", "--format", "csv", settings=served.settings)
    assert table.stdout.startswith("\ufeff")  # for Excel
    rows = [row for row in csv.DictReader(io.StringIO(table.stdout.removeprefix("\ufeff"))) if row["status"] == "done"]
    assert len(rows) == sum(len(line["result"]["forms"]) for line in lines) == expected_forms * len(done_ids)
    assert {row["validation"] for row in rows} <= {"passed", "warnings", "failed"}

    # A reviewer's correction is what the export hands downstream, as the API serves it.
    doc_id = sorted(done_ids)[0]
    corrected = httpx.post(f"{served.url}/v1/documents/{doc_id}/forms/0/corrections", headers=served.headers,
                           json={"field": "project_name", "value": "已更正的项目"})
    assert corrected.status_code == 200, corrected.text
    again = run_cli("export", "--format", "jsonl", settings=served.settings)
    exported = {json.loads(line)["document_id"]: json.loads(line)["result"] for line in again.stdout.splitlines()}
    assert exported[doc_id] is not None
    assert exported[doc_id]["forms"][0]["project_name"] == "已更正的项目"


def test_keys_made_on_the_command_line_work_until_revoked(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = Settings(data_dir=tmp_path / "data")
    made = run_cli("keys", "add", "batch", settings=settings)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert len(key) >= 32
    assert not any(key.encode() in path.read_bytes() for path in settings.data_dir.glob("docextract.db*"))
    assert run_cli("keys", "add", "batch", settings=settings).returncode != 0  # names are unique
    with TestClient(create_app(settings, sweep=False)) as client:
        assert client.get("/v1/documents", headers={"X-API-Key": key}).status_code == 200
        assert client.get("/docs").status_code == 200
        assert run_cli("keys", "revoke", "batch", settings=settings).returncode == 0
        assert client.get("/v1/documents", headers={"X-API-Key": key}).status_code == 401
    assert "batch\trevoked" in run_cli("keys", "list", settings=settings).stdout


def test_serve_killed_mid_task_the_document_completes_after_a_restart(tmp_path: Path) -> None:
    """The embedded queue deletes a message when it is read: after a crash of the whole service, the
    sweeper finds the run's process gone and publishes the document again."""
    import os
    import signal

    settings = Settings(data_dir=tmp_path / "data", api_keys="k:crash-key", concurrency=1, sweep_interval=1,
                        test_task_delay=4)
    headers = {"X-API-Key": "crash-key"}

    def start() -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        env = process_env(settings)
        process = subprocess.Popen([*DOCEXTRACT, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                                   stdout=open(tmp_path / f"serve-{port}.log", "wb"), stderr=subprocess.STDOUT,
                                   start_new_session=True)
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(url + "/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, 60, "docextract serve")
        return process, url

    first, url = start()
    try:
        response = httpx.post(url + "/v1/documents", headers=headers,
                              files=[("files", ("crash.txt", variant(8, "crash")))])
        document_id = response.json()["documents"][0]["id"]
        wait_for(lambda: httpx.get(f"{url}/v1/documents/{document_id}", headers=headers).json()["status"]
                 == "running", 30, "the local worker to start the document")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # API, local worker and its children, all at once
        first.wait(10)
    second, url = start()
    try:
        final = wait_for(lambda: (s := httpx.get(f"{url}/v1/documents/{document_id}", headers=headers).json())
                         ["status"] in ("done", "failed") and s, 60, "the document to complete after the restart")
        assert final["status"] == "done" and final["attempts"] == 2
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
