"""Worker-side observability: per-task stage timings as Prometheus metrics and one JSON-able log line.

Celery runs tasks in forked pool children, so metrics use prometheus_client's multiprocess mode: each
process writes its own files under DATA_DIR/metrics/<host>/ and the API merges them at /metrics
(api.metrics). The directory must be chosen before prometheus_client is first imported, which is why
this module sets PROMETHEUS_MULTIPROC_DIR at import; Celery imports it with the task module (workers.app
`include`), in the worker's main process, before the pool forks.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from celery.signals import task_postrun, task_prerun

from extractor.timing import close_clock, open_clock
from workers.blobs import free_bytes
from workers.settings import Settings, get_settings
from workers.tasks import TASK_NAME

log = logging.getLogger("docextract.worker")


def metrics_dir(settings: Settings, host: str | None = None) -> Path:
    """DATA_DIR/metrics/<host>: one folder per machine, so pids of different machines never collide."""
    return settings.data_dir / "metrics" / (host or socket.gethostname())


def _multiprocess_ready() -> bool:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        return True
    if "prometheus_client" in sys.modules:  # too late for multiprocess mode in this process
        return False
    folder = metrics_dir(get_settings())
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder.resolve())
    return True


EXPORTED = _multiprocess_ready()

from prometheus_client import Counter, Histogram  # noqa: E402  (after the directory is chosen)

STAGE_SECONDS = Histogram("docextract_stage_seconds", "seconds per pipeline stage (sniff, read_<kind>, "
                          "reconcile, validate) and per task (task)", ["stage"],
                          buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
TASK_RUNS = Counter("docextract_task_runs", "task runs by outcome (done, failed, skipped, busy, retry, superseded)",
                    ["status"])

_open: dict[str, tuple[float, dict[str, float], object]] = {}


@task_prerun.connect
def _task_started(task_id: str, task: Any, **_: Any) -> None:
    if getattr(task, "name", None) != TASK_NAME:
        return
    clock, token = open_clock()
    _open[task_id] = (time.perf_counter(), clock, token)


@task_postrun.connect
def _task_finished(task_id: str, task: Any, args: Any = None, retval: Any = None, state: str | None = None,
                   **_: Any) -> None:
    started = _open.pop(task_id, None)
    if started is None:
        return
    began, clock, token = started
    close_clock(token)
    seconds = time.perf_counter() - began
    status = retval.get("status", "unknown") if isinstance(retval, dict) else (state or "unknown").lower()
    settings = get_settings()
    if free_bytes(settings.data_dir) >= settings.min_free_bytes:
        # The metric files are mmap'd: touching a new page on a full disk is SIGBUS, not an error to catch.
        for name, spent in clock.items():
            STAGE_SECONDS.labels(name).observe(spent)
        STAGE_SECONDS.labels("task").observe(seconds)
        TASK_RUNS.labels(status).inc()
    document_id = args[0] if args else None
    log.info("document %s: %s in %.3f s", document_id, status, seconds,
             extra={"document_id": document_id, "status": status, "seconds": round(seconds, 4),
                    "stage_seconds": {name: round(value, 4) for name, value in clock.items()},
                    "worker": f"{socket.gethostname()}:{os.getpid()}"})
