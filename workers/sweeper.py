"""Publish again the documents whose message was lost, so that no document is ever stranded.

Redis without persistence loses its queues on restart, the embedded queue deletes a message when it is
read, and a worker past its hard time limit is killed without a trace in the database. The database
is the source of truth: anything queued too long, or running past the hard limit, is published again.
A second message for a document is harmless: the task skips documents that are already finished.
"""

from __future__ import annotations

import logging
import threading

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from workers.settings import Settings
from workers.storage import claim_stalled, transaction, utcnow

log = logging.getLogger(__name__)


def sweep_once(sessions: sessionmaker[Session], settings: Settings, celery: Celery) -> int:
    from workers.tasks import enqueue

    with transaction(sessions) as session:
        stalled = [(doc.id, doc.queue) for doc in claim_stalled(
            session, now=utcnow(), requeue_after=settings.requeue_after,
            hard_time_limit=settings.hard_time_limit)]
    published = sum(enqueue(celery, document_id, queue) for document_id, queue in stalled)
    if stalled:
        log.warning("sweeper: %d stalled documents published again (%d reached the broker)",
                    len(stalled), published)
    return len(stalled)


class Sweeper(threading.Thread):
    """Runs sweep_once every settings.sweep_interval seconds until stopped."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, celery: Celery) -> None:
        super().__init__(name="docextract-sweeper", daemon=True)
        self.sessions, self.settings, self.celery = sessions, settings, celery
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.settings.sweep_interval):
            try:
                sweep_once(self.sessions, self.settings, self.celery)
            except Exception:  # the database or broker may be down now; try again next round
                log.exception("sweeper round failed")

    def stop(self) -> None:
        self.stopped.set()
