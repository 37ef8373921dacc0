"""PDFs and scans go to the "heavy" queue and are read (with OCR loaded in the worker child)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pypdfium2
from conftest import EXPECTED, SAMPLE, RedisServer, Worker, wait_for
from fastapi.testclient import TestClient
from PIL import Image

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
        # The same scan as one PNG per page, uploaded as the pages of one document.
        pngs = []
        for page in scan_pages(text_pdf, ScanStyle(dpi=200), seed=0):
            buffer = io.BytesIO()
            Image.fromarray(page).save(buffer, format="PNG", dpi=(200, 200))
            pngs.append(buffer.getvalue())
        joined = client.post("/v1/documents?pages=true", headers=KEY, files=[
            ("files", (f"page-{i + 1}.png", png)) for i, png in enumerate(pngs)]).json()["documents"]
        assert len(joined) == 1
        ids[joined[0]["filename"]] = joined[0]["id"]

        def status(name: str) -> dict[str, object]:
            return client.get(f"/v1/documents/{ids[name]}", headers=KEY).json()

        seen: list[tuple[int, int, int | None]] = []  # (page being read, pages, ETA) of the running scan

        def finished(name: str) -> dict[str, object] | None:
            now = status(name)
            if name == "scan.pdf" and now["status"] == "running" and now["pages_total"]:
                seen.append((now["pages_done"] + 1, now["pages_total"], now["eta_seconds"]))  # type: ignore[operator]
            return now if now["status"] in ("done", "failed") else None

        pages_name = f"page-1（共 {len(pngs)} 页）.tif"
        for name in ("form.pdf", "scan.pdf", pages_name):
            final = wait_for(lambda n=name: finished(n), 150, name, interval=0.1)
            assert (final["status"], final["queue"]) == ("done", "heavy"), final
        # The worker said which page of how many it was reading, and once a page was done, the time left.
        pages = len(pypdfium2.PdfDocument(scanned))
        scan_seen = [entry for entry in seen if entry[1] == pages]
        assert scan_seen and all(1 <= page <= pages for page, _, _ in scan_seen), seen
        etas = [eta for page, _, eta in scan_seen if page >= 2]
        assert etas and all(eta is not None for eta in etas), seen
        assert etas == sorted(etas, reverse=True), seen  # counts down while the last page is read
        results = {name: client.get(f"/v1/documents/{ids[name]}/result", headers=KEY).json()
                   for name in ("form.pdf", "scan.pdf", pages_name)}
        assert results["form.pdf"]["source"]["route"] == "pdf-text"
        assert results["scan.pdf"]["source"]["route"] == "pdf-scan"
        assert (results[pages_name]["source"]["route"], results[pages_name]["source"]["pages"]) == ("image", len(pngs))
        # Read as one document: the form continued on the next page image is one form, whole.
        assert len(results[pages_name]["forms"][0]["indicators"]) == len(results["scan.pdf"]["forms"][0]["indicators"])
        for result in results.values():
            assert [f["project_name"] for f in result["forms"]] == [form["project_name"]]
        # The text dump waits on the light queue, which this worker does not consume.
        assert status(SAMPLE.name)["status"] == "queued"
