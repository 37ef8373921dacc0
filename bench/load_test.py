#!/usr/bin/env python3
"""Bounded load test on loopback: N uploads from C concurrent clients, W worker processes, then an audit.

    python3 bench/load_test.py [--uploads 500] [--clients 20] [--workers 2] [--json out.json]

Everything runs on 127.0.0.1 and is torn down afterwards: its own redis-server, a fresh PostgreSQL
database, `docextract serve --no-worker` and W celery workers (bench/bench_service.Stack). The uploads mix
distinct copies of the sample dump, every default-limit file of the bad-input corpus
(tests/reliability/make_corpus.py, so some documents must fail with a reason) and re-uploads of the same
bytes (which must return the first upload's document, not a new one). Workers run while uploads arrive.

The audit fails the run (exit 1) unless every upload was accepted, every document ended done or failed
with a code and a message, no content became two documents, no document was processed twice, and every
done document has exactly one stored result. Reported: upload throughput and latency (p50/p99), processing
throughput (first start to last finish) and end-to-end latency (upload to finished, p50/p99).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests" / "reliability")]

from bench_service import KEY, Stack, document, percentile  # noqa: E402
from make_corpus import cases  # noqa: E402

from workers.storage import Document, StoredResult  # noqa: E402


@dataclass
class Upload:
    name: str
    data: bytes
    kind: str  # sample | bad | again


@dataclass
class Outcome:
    upload: Upload
    status: int
    seconds: float
    document_id: str | None
    duplicate: bool | None
    error: str | None = None


def plan(uploads: int, seed: int = 1) -> list[Upload]:
    """The upload mix: the bad-input corpus once, ~2.5 % repeats of earlier bytes, the rest distinct samples."""
    bad = [Upload(case.name, case.build(), "bad") for case in cases() if not case.options]
    repeats = max(1, uploads // 40)
    samples = [Upload(f"sample-{n}.txt", document(n, "load"), "sample") for n in range(uploads - len(bad) - repeats)]
    rng = random.Random(seed)
    again = [Upload(f"again-{n}-{u.name}", u.data, "again") for n, u in enumerate(rng.sample(samples, repeats))]
    mix = samples + bad
    rng.shuffle(mix)
    return mix + again  # repeats last, so the original upload has been answered first


def run_clients(url: str, jobs: list[Upload], clients: int) -> tuple[list[Outcome], float]:
    pending: queue.Queue[Upload] = queue.Queue()
    for job in jobs:
        pending.put(job)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=120) as client:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    response = client.post("/v1/documents", files=[("files", (job.name, job.data))])
                    seconds = time.perf_counter() - started
                    body = response.json() if response.status_code == 202 else None
                    doc = body["documents"][0] if body else None
                    outcome = Outcome(job, response.status_code, seconds, doc and doc["id"],
                                      doc and doc["duplicate"], None if doc else response.text[:200])
                except httpx.HTTPError as err:
                    outcome = Outcome(job, 0, time.perf_counter() - started, None, None, repr(err))
                with lock:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=client_loop, name=f"client-{n}") for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - began


def audit(stack: Stack, outcomes: list[Outcome]) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    refused = [o for o in outcomes if o.status != 202]
    problems += [f"upload {o.upload.name} not accepted: {o.status} {o.error}" for o in refused]
    by_sha: dict[str, set[str]] = {}
    created: Counter[str] = Counter()
    for o in outcomes:
        if o.document_id:
            sha = hashlib.sha256(o.upload.data).hexdigest()
            by_sha.setdefault(sha, set()).add(o.document_id)
            created[sha] += 0 if o.duplicate else 1
    problems += [f"content {sha[:12]} became {len(ids)} documents" for sha, ids in by_sha.items() if len(ids) > 1]
    problems += [f"content {sha[:12]} was created {n} times" for sha, n in created.items() if n != 1]
    with stack.sessions() as session:
        docs = session.scalars(select(Document)).all()
        results = dict(session.execute(select(StoredResult.document_id, func.count())
                                       .group_by(StoredResult.document_id)).all())
    accepted_ids = {o.document_id for o in outcomes if o.document_id}
    known = {doc.id for doc in docs}
    problems += [f"accepted document {i} is not in the database (lost)" for i in accepted_ids - known]
    problems += [f"document {i} was never handed to a client" for i in known - accepted_ids]
    for doc in docs:
        if doc.status not in ("done", "failed"):
            problems.append(f"document {doc.id} ({doc.filename}) still {doc.status}")
        elif doc.status == "failed" and not (doc.error_code and doc.error_message):
            problems.append(f"document {doc.id} ({doc.filename}) failed without a reason")
        elif doc.status == "done" and results.get(doc.id) != 1:
            problems.append(f"document {doc.id} done with {results.get(doc.id, 0)} results")
        if doc.attempts != 1:
            problems.append(f"document {doc.id} ({doc.filename}) ran {doc.attempts} times")
    bad_names = {case.name for case in cases() if not case.options}
    failures = Counter(doc.error_code for doc in docs if doc.status == "failed")
    unexpected = [doc.filename for doc in docs if doc.status == "failed" and doc.filename not in bad_names]
    problems += [f"sample {name} failed" for name in unexpected]
    starts = [doc.started_at for doc in docs if doc.started_at]
    ends = [doc.finished_at for doc in docs if doc.finished_at]
    span = (max(ends) - min(starts)).total_seconds() if starts and ends else float("nan")
    end_to_end = [(doc.finished_at - doc.created_at).total_seconds() for doc in docs if doc.finished_at]
    counts = Counter(doc.status for doc in docs)
    summary = {"documents": len(docs), "done": counts["done"], "failed": counts["failed"],
               "failed_by_code": dict(sorted(failures.items())), "distinct_contents": len(by_sha),
               "duplicates_answered": sum(1 for o in outcomes if o.duplicate),
               "processing_span_s": round(span, 2), "docs_per_min": round(len(docs) / span * 60, 1) if span else None,
               "end_to_end_p50_s": round(percentile(end_to_end, 50), 3) if end_to_end else None,
               "end_to_end_p99_s": round(percentile(end_to_end, 99), 3) if end_to_end else None}
    return summary, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=500)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for processing")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    jobs = plan(args.uploads)
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp), args.sqlite)
        try:
            stack.start_workers(args.workers)
            time.sleep(3)  # workers connect while the clients warm up; boot time is not measured
            outcomes, upload_wall = run_clients(stack.url, jobs, args.clients)
            accepted = len({o.document_id for o in outcomes if o.document_id})
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline and stack.count("done") + stack.count("failed") < accepted:
                time.sleep(0.5)
            summary, problems = audit(stack, outcomes)
        finally:
            stack.close()
    latencies = [o.seconds for o in outcomes]
    figures = {
        "uploads": len(outcomes), "clients": args.clients, "workers": args.workers, "cpus": os.cpu_count(),
        "database": "SQLite" if args.sqlite else "PostgreSQL",
        "accepted": sum(1 for o in outcomes if o.status == 202),
        "upload_wall_s": round(upload_wall, 2), "uploads_per_s": round(len(outcomes) / upload_wall, 1),
        "upload_p50_s": round(percentile(latencies, 50), 3), "upload_p99_s": round(percentile(latencies, 99), 3),
        **summary, "problems": len(problems),
    }
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    for problem in problems[:50]:
        print("PROBLEM:", problem, file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
