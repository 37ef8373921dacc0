"""Wall-clock limits for one page of work, so a pathological page fails its own document quickly.

In the main thread (the CLI, a Celery prefork child) the limit interrupts the page with SIGALRM: the
exception is raised at the next Python bytecode, so a long C call (one OCR inference, one render) ends
first, which keeps the overrun to about one call. An outer SIGALRM timer (pytest-timeout, a caller's
own alarm) is kept: it is re-armed with its remaining time and still fires if it was due first.
Elsewhere (a thread) the limit is checked when the page ends.
"""

from __future__ import annotations

import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from extractor.errors import MEMORY_LIMIT, LimitExceeded


def page_timeout_error(seconds: float, what: str) -> LimitExceeded:
    return LimitExceeded(f"{what} took longer than the limit of {seconds:g} s per page", code="page_timeout")


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def page_time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Raise LimitExceeded(code="page_timeout") if the block runs longer than `seconds` (None: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    start = time.monotonic()
    if not _can_use_alarm():
        yield
        if time.monotonic() - start > seconds:
            raise page_timeout_error(seconds, what)
        return

    outer_handler: Any = signal.getsignal(signal.SIGALRM)
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer_due = start + outer_left if outer_left > 0 else None
    mine_due = start + seconds

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if outer_due is not None and now >= outer_due - 1e-3 and callable(outer_handler):
            signal.signal(signal.SIGALRM, outer_handler)  # the outer deadline came first: its turn
            outer_handler(signum, frame)
            return
        if now >= mine_due - 1e-3:
            raise page_timeout_error(seconds, what)
        signal.setitimer(signal.ITIMER_REAL, max(1e-3, mine_due - now))  # woken early: sleep again

    signal.signal(signal.SIGALRM, on_alarm)
    first_due = min(mine_due, outer_due) if outer_due is not None else mine_due
    signal.setitimer(signal.ITIMER_REAL, max(1e-3, first_due - start))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_due is not None:
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, outer_due - time.monotonic()), outer_interval)


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


@contextmanager
def memory_budget(limit: int | None) -> Iterator[None]:
    """Let the block add at most `limit` bytes of address space (soft RLIMIT_AS), so a document that would
    take gigabytes fails alone with `memory_limit` (MemoryError mapped) instead of the kernel's OOM killer
    taking the worker. RLIMIT_AS is per process: use it where one document is read at a time (the CLI, a
    Celery prefork child), not in a threaded server. The earlier soft limit is restored afterwards."""
    if not limit or not hasattr(resource, "RLIMIT_AS"):
        yield
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        target = _address_space() + limit
        if hard != resource.RLIM_INFINITY:
            target = min(target, hard)
        if soft != resource.RLIM_INFINITY:
            target = min(target, soft)
        resource.setrlimit(resource.RLIMIT_AS, (target, hard))
    except (OSError, ValueError):  # no /proc, or not permitted: read without a budget
        yield
        return
    try:
        yield
    except MemoryError as err:
        raise LimitExceeded(f"reading the document needed more than its memory budget of {limit:,} bytes",
                            code=MEMORY_LIMIT) from err
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
