"""Stage timings of one extraction, collected without threading a timer through every call.

The pipeline marks its stages with `stage("read")`; a caller that wants the figures (a worker logging
and exporting them) opens `collect_stages()` around the call. With no collector open, `stage` only
costs a context-variable lookup.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[dict[str, float] | None] = ContextVar("docextract_stage_clock", default=None)


@contextmanager
def collect_stages() -> Iterator[dict[str, float]]:
    """Seconds per stage name for everything run inside the block (a stage run twice is summed)."""
    clock: dict[str, float] = {}
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    clock = _current.get()
    if clock is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        clock[name] = clock.get(name, 0.0) + time.perf_counter() - started


def open_clock() -> tuple[dict[str, float], object]:
    """collect_stages() for callers that start and stop in two callbacks (Celery's task signals)."""
    clock: dict[str, float] = {}
    return clock, _current.set(clock)


def close_clock(token: object) -> None:
    try:
        _current.reset(token)  # type: ignore[arg-type]
    except ValueError:  # opened in another context (a signal handler in another thread): just clear
        _current.set(None)
