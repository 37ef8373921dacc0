"""Publish again the documents whose message was lost, so that no document is ever stranded.

Redis without persistence loses its queues on restart, the embedded queue deletes a message when it is
read, and a worker past its hard time limit is killed without a trace in the database. The database
is the source of truth: anything never published, running past the hard limit, or queued too long
while the broker holds fewer messages than the database has waiting documents, is published again.
A second message for a document is harmless: the task drops documents that are finished or busy.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from workers.app import QUEUES
from workers.settings import Settings
from workers.storage import claim_stalled, count_waiting, transaction, utcnow

log = logging.getLogger(__name__)


def sweep_once(sessions: sessionmaker[Session], settings: Settings, celery: Celery) -> int:
    from workers.tasks import enqueue, time_limits

    backlog = broker_backlog(settings)
    with transaction(sessions) as session:
        # A long backlog is not a loss: republish queued documents only when messages are missing.
        lost = backlog is None or backlog < count_waiting(session)
        stalled = [(doc.id, doc.queue, doc.sha256) for doc in claim_stalled(
            session, now=utcnow(), requeue_after=settings.requeue_after,
            hard_time_limit=settings.hard_time_limit, include_queued=lost, host=socket.gethostname())]
    published = sum(enqueue(celery, document_id, queue, sessions, time_limits(settings, sha256))
                    for document_id, queue, sha256 in stalled)
    if stalled:
        log.warning("sweeper: %d stalled documents published again (%d reached the broker)",
                    len(stalled), published)
    return len(stalled)


def broker_backlog(settings: Settings) -> int | None:
    """Messages the broker holds for the service (waiting plus delivered-but-unacknowledged), or None
    when it cannot be counted."""
    depths = broker_depths(settings, timeout=5)
    return None if depths is None else sum(depths.values())


def broker_depths(settings: Settings, *, timeout: float) -> dict[str, int] | None:
    """Messages per queue, and "unacked" for delivered but not yet acknowledged ("embedded": the
    local queue folder). None when the broker cannot be counted."""
    if settings.embedded:
        folder = settings.queue_dir / "messages"
        if not folder.is_dir():
            return None
        return {"embedded": sum(1 for name in os.listdir(folder) if name.endswith(".msg"))}
    import redis

    try:
        client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=timeout,
                                      socket_connect_timeout=timeout)
        with client.pipeline() as pipe:
            for queue in QUEUES:
                for key in redis_queue_keys(queue):
                    pipe.llen(key)
            pipe.hlen("unacked")
            counts = pipe.execute()
        client.close()
    except redis.RedisError:
        return None
    per_queue = len(redis_queue_keys(QUEUES[0]))
    depths = {queue: int(sum(counts[n * per_queue:(n + 1) * per_queue])) for n, queue in enumerate(QUEUES)}
    depths["unacked"] = int(counts[-1])
    return depths


def redis_queue_keys(queue: str) -> list[str]:
    """kombu's Redis lists for a queue: the plain one and one per priority step."""
    return [queue] + [f"{queue}\x06\x16{step}" for step in (3, 6, 9)]


class Sweeper(threading.Thread):
    """Runs sweep_once every settings.sweep_interval seconds until stopped."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, celery: Celery) -> None:
        super().__init__(name="docextract-sweeper", daemon=True)
        self.sessions, self.settings, self.celery = sessions, settings, celery
        self.stopped = threading.Event()

    def run(self) -> None:
        # A first round right away: after a crash and restart, stranded documents move at once.
        while not self.stopped.is_set():
            try:
                sweep_once(self.sessions, self.settings, self.celery)
            except Exception:  # the database or broker may be down now; try again next round
                log.exception("sweeper round failed")
            self.stopped.wait(self.settings.sweep_interval)

    def stop(self) -> None:
        self.stopped.set()
