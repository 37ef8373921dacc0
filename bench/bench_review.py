"""Latency of the review routes (in-process FastAPI TestClient, SQLite): corrections, the corrected
result as the log grows, history, page images of a text PDF and of a 200 dpi scan.

    python3 bench/bench_review.py [--edits 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from extractor.pipeline import extract_bytes
from samples.generate.layout import Style, layout
from samples.generate.pdf import PdfStyle, render_pdf
from samples.generate.scan import ScanStyle, scan_pages, to_pdf
from workers.settings import Settings
from workers.storage import store_result, transaction

REPO = Path(__file__).parents[1]
SAMPLE = REPO / "samples/sources/self-eval-2023-songjiang.txt"
EXPECTED = REPO / "samples/expected/self-eval-2023-songjiang.json"
HEADERS = {"X-API-Key": "bench-key"}


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(p50, max) in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--edits", type=int, default=100)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-review-"))
    app = create_app(Settings(data_dir=root, api_keys="bench:bench-key"), sweep=False)
    with TestClient(app) as client:
        data = SAMPLE.read_bytes()
        doc = client.post("/v1/documents", headers=HEADERS, files=[("files", (SAMPLE.name, data))]).json()
        doc_id = doc["documents"][0]["id"]
        result = extract_bytes(data, SAMPLE.name).model_dump(mode="json")
        with transaction(app.state.sessions) as session:
            store_result(session, doc_id, result)
        url = f"/v1/documents/{doc_id}"
        p50, worst = timed(lambda: client.get(url + "/result", headers=HEADERS, params={"version": "original"}), 30)
        print(f"GET result original (9 forms): p50 {p50:.1f} ms, max {worst:.1f} ms")
        forms = result["forms"]
        edits = [(n % len(forms), f"indicators[{n % len(forms[n % len(forms)]['indicators'])}].actual")
                 for n in range(args.edits)]
        times = []
        for k, (form, field) in enumerate(edits):
            started = time.perf_counter()
            response = client.post(f"{url}/forms/{form}/corrections", headers=HEADERS,
                                   json={"field": field, "value": f"{k}%"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
        print(f"POST correction ({args.edits} edits over {len(forms)} forms): p50 {statistics.median(times):.1f} ms, "
              f"last {times[-1]:.1f} ms, max {max(times):.1f} ms")
        p50, worst = timed(lambda: client.get(url + "/result", headers=HEADERS), 30)
        print(f"GET result corrected (after {args.edits} edits): p50 {p50:.1f} ms, max {worst:.1f} ms")
        p50, worst = timed(lambda: client.get(url + "/history", headers=HEADERS), 30)
        print(f"GET history ({args.edits} events): p50 {p50:.1f} ms, max {worst:.1f} ms")

        form = json.loads(EXPECTED.read_text())["forms"][2]
        pdf = render_pdf([layout(form, Style.plain())], PdfStyle(), seed=0).pdf
        scan = to_pdf(scan_pages(pdf, ScanStyle.preset("clean", 200, 0), 0), 200)
        for name, blob in (("text PDF", pdf), ("200 dpi scan PDF", scan)):
            up = client.post("/v1/documents", headers=HEADERS, files=[("files", (f"{name}.pdf", blob))]).json()
            page_url = f"/v1/documents/{up['documents'][0]['id']}/pages/1.png"
            for width in (1200, 2400):
                p50, worst = timed(lambda u=page_url, w=width: client.get(u, headers=HEADERS, params={"width": w}), 10)
                size = len(client.get(page_url, headers=HEADERS, params={"width": width}).content)
                print(f"GET page image, {name}, {width} px: p50 {p50:.0f} ms, max {worst:.0f} ms, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
