"""The Celery app (`celery -A workers.app worker`). Redis from REDIS_URL, else an embedded queue on disk.

Settings chosen for long CPU tasks that must never lose a document: late acks with prefetch 1 (a
message is acknowledged only after its document is stored), requeue when a worker child dies, a
visibility timeout above the hard time limit (for the broker AND the result backend, which both read
it), and children recycled above a memory ceiling.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from workers.settings import Settings, get_settings

QUEUES = ("light", "heavy")


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings derived from the service settings (a pure function, so it can be tested)."""
    visibility = settings.effective_visibility_timeout
    config: dict[str, Any] = {
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.soft_time_limit,
        "task_time_limit": settings.hard_time_limit,
        "worker_max_memory_per_child": settings.max_memory_per_child_kb,
        "task_queues": [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
        "task_default_queue": "light",
        "task_track_started": False,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,  # a worker waits for the broker to come back, forever
        # An upload publishes within the request: fail fast and leave the document to the sweeper.
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5,
                                      "interval_max": 1},
        "worker_send_task_events": False,
        # On a broker connection loss a run in progress finishes and stores its result; the redelivered
        # message then finds the document done and is dropped. Cancelling would throw away OCR work.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "result_expires": 24 * 3600,
    }
    if settings.embedded:
        queue_dir = settings.queue_dir.resolve()
        config.update({
            "broker_url": "filesystem://",
            "broker_transport_options": {
                "data_folder_in": str(queue_dir / "messages"),
                "data_folder_out": str(queue_dir / "messages"),
                "control_folder": str(queue_dir / "control"),
                "processed_folder": str(queue_dir / "processed"),
                "store_processed": False,
                "polling_interval": 0.5,
            },
            "result_backend": None,
            "task_ignore_result": True,
            "worker_enable_remote_control": False,  # the filesystem transport has no fanout
        })
        return config
    transport = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": settings.restore_interval,
        "unacked_restore_throttle": 1,
        "socket_timeout": 30,
        "socket_connect_timeout": 5,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
    config.update({
        "broker_url": settings.redis_url,
        "result_backend": settings.redis_url,
        "broker_transport_options": transport,
        "result_backend_transport_options": {"visibility_timeout": visibility, "retry_policy": {"timeout": 5.0}},
        "task_ignore_result": False,
    })
    return config


def make_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    if settings.embedded:
        for sub in ("messages", "control", "processed"):
            (settings.queue_dir / sub).mkdir(parents=True, exist_ok=True)
    # workers.observe: stage metrics and a log line per task; workers.logs: JSON logs if configured.
    celery = Celery("docextract", include=["workers.tasks", "workers.observe", "workers.logs"], set_as_current=False)
    celery.conf.update(celery_config(settings))
    return celery


def __getattr__(name: str) -> Celery:
    # `celery -A workers.app` reads `app`; made on first use so that importing this module has no effects.
    if name == "app":
        made = make_app()
        made.set_current()
        globals()["app"] = made
        return made
    raise AttributeError(name)
