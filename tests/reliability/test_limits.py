"""The per-page wall-clock limit: interrupts in the main thread, keeps an outer SIGALRM timer (such as
pytest-timeout's) working, and falls back to a check at the end in other threads."""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import pytest

from extractor.errors import LimitExceeded
from extractor.limits import page_time_limit


class OuterFired(Exception):
    pass


def busy(seconds: float) -> None:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        time.sleep(0.005)


@pytest.fixture
def outer_alarm() -> object:
    def fire(signum: int, frame: FrameType | None) -> None:
        raise OuterFired

    previous = signal.signal(signal.SIGALRM, fire)
    remaining = signal.setitimer(signal.ITIMER_REAL, 0)
    yield fire
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
    if remaining[0] > 0:
        signal.setitimer(signal.ITIMER_REAL, *remaining)


def test_a_slow_page_is_interrupted_with_page_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as err, page_time_limit(0.05, "page 3"):
        busy(2)
    assert err.value.code == "page_timeout" and "page 3" in err.value.message
    assert time.monotonic() - started < 0.5


def test_an_outer_timer_due_first_still_fires_and_one_due_later_is_kept(outer_alarm: object) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    with pytest.raises(OuterFired), page_time_limit(5, "page 1"):
        busy(2)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    with page_time_limit(5, "page 2"):
        busy(0.05)
    left, _ = signal.getitimer(signal.ITIMER_REAL)
    assert 1.5 < left < 2.0  # re-armed with what was left, not reset and not lost
    assert signal.getsignal(signal.SIGALRM) is outer_alarm


def test_in_a_thread_the_limit_is_checked_when_the_page_ends() -> None:
    caught: list[BaseException] = []

    def run() -> None:
        try:
            with page_time_limit(0.02, "page 1"):
                busy(0.1)
        except LimitExceeded as err:
            caught.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert len(caught) == 1 and caught[0].code == "page_timeout"  # type: ignore[attr-defined]
    with page_time_limit(None, "no limit"):
        busy(0.01)
