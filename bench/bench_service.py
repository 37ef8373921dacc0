#!/usr/bin/env python3
"""Service benchmark: documents per minute with 1 and 2 worker processes, and API latency under load.

    python3 bench/bench_service.py [--docs 200] [--clients 20] [--repeat 3] [--sqlite] [--skip-latency]

Starts its own redis-server (free port, no persistence), a fresh PostgreSQL database (or SQLite with
--sqlite), `docextract serve --no-worker` and celery workers as subprocesses; prints a Markdown table.
Throughput is measured from the first task start to the last finish (stored timestamps), so worker
boot time is excluded; it is also reported wall-clock from worker launch.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workers.settings import Settings, settings_to_env  # noqa: E402
from workers.storage import Document, make_engine, make_sessions  # noqa: E402

SAMPLE = REPO / "samples/sources/self-eval-2023-songjiang.txt"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
KEY = "bench-key"
DOCEXTRACT = [sys.executable, "-c", "from extractor.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def document(n: int, tag: str) -> bytes:
    return SAMPLE.read_bytes() + f"\n附注 {tag}-{n}\n".encode()


def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCEXTRACT_") and k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(settings_to_env(settings))
    return env


class Stack:
    """redis-server + database + API for one measurement."""

    def __init__(self, root: Path, sqlite: bool) -> None:
        self.root = root
        self.redis_port, self.api_port = free_port(), free_port()
        self.redis = subprocess.Popen(["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL)
        self.db_name = None if sqlite else f"docextract_bench_{uuid.uuid4().hex[:8]}"
        if self.db_name:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.settings = Settings(data_dir=root / "data", redis_url=f"redis://127.0.0.1:{self.redis_port}/0",
                                 database_url=f"postgresql://postgres@127.0.0.1:5432/{self.db_name}" if self.db_name else None,
                                 api_keys=f"bench:{KEY}", concurrency=1)
        self.api = subprocess.Popen([*DOCEXTRACT, "serve", "--no-worker", "--port", str(self.api_port)],
                                    env=env_for(self.settings), stdout=open(root / "api.log", "wb"),
                                    stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.api_port}"
        wait_for(self._ready, 60, "the API")
        self.sessions = make_sessions(make_engine(self.settings.effective_database_url))
        self.workers: list[subprocess.Popen[bytes]] = []

    def _ready(self) -> bool:
        try:
            return httpx.get(self.url + "/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def start_workers(self, count: int) -> None:
        for n in range(count):
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", "light,heavy", "-c", "1",
                 "-n", f"bench{n}@%h", "--without-gossip", "--without-mingle", "--loglevel", "info"],
                env=env_for(self.settings), stdout=open(self.root / f"worker{n}.log", "wb"), stderr=subprocess.STDOUT))

    def workers_ready(self) -> bool:
        return all(b" ready." in (self.root / f"worker{n}.log").read_bytes() for n in range(len(self.workers)))

    def stop_workers(self) -> float:
        """Stop the workers; their CPU seconds (main process and reaped pool children), from wait4."""
        cpu = 0.0
        for process in self.workers:
            process.terminate()
        for process in self.workers:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            cpu += usage.ru_utime + usage.ru_stime
        self.workers = []
        return cpu

    def count(self, status: str) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Document).where(Document.status == status)) or 0

    def span_seconds(self) -> float:
        with self.sessions() as session:
            first, last = session.execute(select(func.min(Document.started_at), func.max(Document.finished_at))).one()
        return (last - first).total_seconds()

    def close(self) -> None:
        for process in [*self.workers, self.api]:
            process.terminate()
        for process in [*self.workers, self.api]:
            process.wait(30)
        self.sessions.kw["bind"].dispose()
        self.redis.terminate()
        self.redis.wait(10)
        if self.db_name:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


def upload_all(url: str, docs: int, tag: str) -> None:
    with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=60) as client:
        for start in range(0, docs, 20):
            files = [("files", (f"{tag}-{n}.txt", document(n, tag))) for n in range(start, min(docs, start + 20))]
            client.post("/v1/documents", files=files).raise_for_status()


def throughput(workers: int, docs: int, sqlite: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp), sqlite)
        try:
            upload_all(stack.url, docs, f"w{workers}")
            launched = time.monotonic()
            stack.start_workers(workers)
            wait_for(lambda: stack.count("done") + stack.count("failed") == docs, 1800, "the batch")
            wall = time.monotonic() - launched
            assert stack.count("done") == docs, f"{stack.count('failed')} documents failed"
            span = stack.span_seconds()
            cpu = stack.stop_workers()
            return {"docs_per_min": docs / span * 60, "wall_docs_per_min": docs / wall * 60, "span_s": span,
                    "cpu_s": cpu}
        finally:
            stack.close()


def idle_worker_cpu(sqlite: bool) -> float:
    """CPU seconds a worker spends starting and stopping with nothing to do (imports, connections)."""
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp), sqlite)
        try:
            stack.start_workers(1)
            wait_for(stack.workers_ready, 120, "an idle worker")
            return stack.stop_workers()
        finally:
            stack.close()


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} [{min(values):.0f}–{max(values):.0f}]"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def latency(clients: int, per_client: int, sqlite: bool) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Each client uploads `per_client` distinct documents one at a time and reads each one's status
    twice; no worker runs, so the API alone is measured."""
    times: dict[str, list[float]] = {"upload": [], "status": []}
    errors = {"upload": 0, "status": 0}
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp), sqlite)
        try:
            def client_run(c: int) -> None:
                with httpx.Client(base_url=stack.url, headers={"X-API-Key": KEY}, timeout=60) as client:
                    for n in range(per_client):
                        t0 = time.perf_counter()
                        try:
                            response = client.post("/v1/documents",
                                                   files=[("files", (f"l{c}-{n}.txt", document(n, f"lat{c}")))])
                            response.raise_for_status()
                        except httpx.HTTPError:
                            with lock:  # counted, not hidden: a dead client thread would shrink the sample
                                errors["upload"] += 1
                            continue
                        with lock:
                            times["upload"].append(time.perf_counter() - t0)
                        document_id = response.json()["documents"][0]["id"]
                        for _ in range(2):
                            s0 = time.perf_counter()
                            try:
                                client.get(f"/v1/documents/{document_id}").raise_for_status()
                            except httpx.HTTPError:
                                with lock:
                                    errors["status"] += 1
                                continue
                            with lock:
                                times["status"].append(time.perf_counter() - s0)

            threads = [threading.Thread(target=client_run, args=(c,)) for c in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            stack.close()
    return times, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--skip-latency", action="store_true", help="only documents per minute")
    parser.add_argument("--repeat", type=int, default=3, help="throughput runs per worker count")
    args = parser.parse_args()
    database = "SQLite" if args.sqlite else "PostgreSQL"
    size = len(document(0, "x"))
    print(f"# docextract service benchmark ({database}, Redis; {os.cpu_count()} CPUs; "
          f"{args.docs} text dumps of {size:,} bytes, 9 forms each)\n")
    print(f"Median of {args.repeat} runs (min–max in brackets); runs alternate 1 and 2 workers so that a "
          "changing background load hits both alike.\n")
    print("| worker processes | docs/min (first start to last finish) | docs/min (wall, incl. worker boot) "
          "| load avg during |")
    print("|---|---|---|---|")
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    loads: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.repeat):
        for workers in (1, 2):
            runs[workers].append(throughput(workers, args.docs, args.sqlite))
            loads[workers].append(os.getloadavg()[0])  # a shared machine explains a poor speed-up
    for workers in (1, 2):
        print(f"| {workers} | {spread([r['docs_per_min'] for r in runs[workers]])} | "
              f"{spread([r['wall_docs_per_min'] for r in runs[workers]])} | "
              f"{statistics.median(loads[workers]):.1f} |", flush=True)
    # CPU per document does not depend on what else the machine runs: the load-independent capacity.
    idle = idle_worker_cpu(args.sqlite)
    per_doc = statistics.median((r["cpu_s"] - idle * workers) / args.docs
                                for workers in (1, 2) for r in runs[workers])
    print(f"\nWorker CPU per document (all runs, minus {idle:.2f} s of start/stop per worker process): "
          f"{per_doc * 1000:.1f} ms, i.e. about {60 / per_doc:.0f} docs/min per fully available core "
          "(PostgreSQL/SQLite and Redis CPU not included).")
    if args.skip_latency:
        return
    times, errors = latency(args.clients, args.per_client, args.sqlite)
    print(f"\nAPI latency, {args.clients} concurrent clients, one uvicorn process, no worker running:\n")
    print("| request | ok | errors | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|---|---|")
    for name, values in times.items():
        values = values or [float("nan")]
        print(f"| {'POST /v1/documents (1 file)' if name == 'upload' else 'GET /v1/documents/{id}'} | {len(values)} | "
              f"{errors[name]} | {percentile(values, 50) * 1000:.0f} | {percentile(values, 99) * 1000:.0f} | "
              f"{statistics.mean(values) * 1000:.0f} |")


if __name__ == "__main__":
    main()
