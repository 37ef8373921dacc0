"""PDFs and scans go to the "heavy" queue and are read (with OCR loaded in the worker child)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import EXPECTED, SAMPLE, RedisServer, Worker, wait_for
from fastapi.testclient import TestClient

from api.app import create_app
from samples.generate.layout import Style, layout
from samples.generate.pdf import PdfStyle, render_pdf
from samples.generate.scan import ScanStyle, scan_pages, to_pdf
from workers.settings import Settings

KEY = {"X-API-Key": "heavy-key"}


def test_pdf_and_scan_are_processed_by_a_heavy_only_worker(
        redis_server: RedisServer, tmp_path: Path, start_worker: Callable[..., Worker]) -> None:
    form = json.loads(EXPECTED.read_text(encoding="utf-8"))["forms"][0]
    text_pdf = render_pdf([layout(form, Style.plain())], PdfStyle(), seed=0).pdf
    scanned = to_pdf(scan_pages(text_pdf, ScanStyle(dpi=200), seed=0), 200)
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_server.url, api_keys="h:heavy-key")
    with TestClient(create_app(settings, sweep=False)) as client:
        start_worker(settings, name="heavy", queues="heavy")
        response = client.post("/v1/documents", headers=KEY, files=[
            ("files", ("form.pdf", text_pdf)), ("files", ("scan.pdf", scanned)), ("files", (SAMPLE.name, SAMPLE.read_bytes()))])
        ids = {doc["filename"]: doc["id"] for doc in response.json()["documents"]}

        def status(name: str) -> dict[str, object]:
            return client.get(f"/v1/documents/{ids[name]}", headers=KEY).json()

        for name in ("form.pdf", "scan.pdf"):
            final = wait_for(lambda n=name: (s := status(n))["status"] in ("done", "failed") and s, 150, name)
            assert (final["status"], final["queue"]) == ("done", "heavy"), final
        results = {name: client.get(f"/v1/documents/{ids[name]}/result", headers=KEY).json()
                   for name in ("form.pdf", "scan.pdf")}
        assert results["form.pdf"]["source"]["route"] == "pdf-text"
        assert results["scan.pdf"]["source"]["route"] == "pdf-scan"
        for result in results.values():
            assert [f["project_name"] for f in result["forms"]] == [form["project_name"]]
        # The text dump waits on the light queue, which this worker does not consume.
        assert status(SAMPLE.name)["status"] == "queued"
