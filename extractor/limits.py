"""Wall-clock limits for one page of work, so a pathological page fails its own document quickly.

In the main thread (the CLI, a Celery prefork child) the limit interrupts the page with SIGALRM: the
exception is raised at the next Python bytecode, so a long C call (one OCR inference, one render) ends
first, which keeps the overrun to about one call. An outer SIGALRM timer (pytest-timeout, a caller's
own alarm) is kept: it is re-armed with its remaining time and still fires if it was due first.
Elsewhere (a thread) the limit is checked when the page ends.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from extractor.errors import LimitExceeded


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
