"""Observability through a real worker: JSON log lines with the document id and stage timings, and the
API's /metrics with documents by status, worker stage durations and the broker's queue depth."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from service_fixtures import RedisServer, Worker, variant, wait_for

from api.app import create_app
from workers.logs import JsonFormatter
from workers.settings import Settings

KEY = {"X-API-Key": "obs-key"}


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_json_logs_and_metrics_cover_a_document_end_to_end(
        redis_server: RedisServer, pg_url: str, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, database_url=pg_url,
                        api_keys="o:obs-key", log_format="json", concurrency=1)
    with TestClient(create_app(settings, sweep=False)) as client:
        worker = start_worker(settings, name="obs")
        files = [("files", ("good.txt", variant(1, "obs"))), ("files", ("bad.pdf", b"%PDF-1.7\n garbage"))]
        ids = {d["filename"]: d["id"] for d in client.post("/v1/documents", headers=KEY, files=files).json()["documents"]}

        def statuses() -> dict[str, Any] | None:
            docs = {name: client.get(f"/v1/documents/{i}", headers=KEY).json() for name, i in ids.items()}
            return docs if all(d["status"] in ("done", "failed") for d in docs.values()) else None

        docs = wait_for(statuses, 60, "both documents to finish")
        assert docs["good.txt"]["status"] == "done" and docs["bad.pdf"]["error_code"] == "corrupt_pdf"

        lines = []
        for raw in worker.text().splitlines():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                continue  # celery's banner is printed before logging is set up
        assert lines, "the worker wrote no JSON log lines"
        per_doc = {line["document_id"]: line for line in lines if line.get("document_id") and "stage_seconds" in line}
        good = per_doc[ids["good.txt"]]
        assert good["status"] == "done" and good["task_id"]
        assert {"sniff", "read_text", "reconcile", "validate"} <= set(good["stage_seconds"])
        assert all(0 <= v <= good["seconds"] for v in good["stage_seconds"].values())
        assert per_doc[ids["bad.pdf"]]["status"] == "failed"

        def scraped() -> str | None:
            body = client.get("/metrics").text
            return body if "docextract_task_runs" in body else None

        text = wait_for(scraped, 10, "worker metrics to reach /metrics")
        assert metric(text, "docextract_documents", status="done") == 1
        assert metric(text, "docextract_documents", status="failed") == 1
        assert (metric(text, "docextract_task_runs_total", status="done") or 0) >= 1
        assert (metric(text, "docextract_stage_seconds_count", stage="reconcile") or 0) >= 1
        assert (metric(text, "docextract_stage_seconds_count", stage="task") or 0) >= 2
        assert metric(text, "docextract_queue_messages", queue="light") == 0
        assert metric(text, "docextract_queue_messages", queue="unacked") is not None


def test_json_formatter_keeps_extra_fields_and_exceptions() -> None:
    import logging

    record = logging.LogRecord("docextract.worker", logging.ERROR, __file__, 1, "document %s broke", ("abc",), None)
    record.document_id, record.stage_seconds = "abc", {"read_text": 0.5}
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "document abc broke" and line["level"] == "ERROR"
    assert line["document_id"] == "abc" and line["stage_seconds"] == {"read_text": 0.5}
    assert "ValueError: boom" in line["exception"] and line["ts"].endswith("Z")
