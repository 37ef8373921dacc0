"""Structured logs: one JSON object per line, with the document id and stage timings when known.

Enabled with DOCEXTRACT_LOG_FORMAT=json for workers (Celery's logger signals) and `docextract serve`
(uvicorn's log config). Plain text stays the default for people reading a terminal.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from celery.signals import after_setup_logger, after_setup_task_logger

from workers.settings import get_settings

# Attributes a caller may attach with `extra=` and that are copied into the JSON object.
EXTRA_FIELDS = ("document_id", "status", "error_code", "queue", "seconds", "stage_seconds", "attempts", "worker")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                payload[name] = getattr(record, name)
        task_id = getattr(record, "task_id", None) or _current_task_id()
        if task_id and task_id != "???":
            payload["task_id"] = task_id
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def _current_task_id() -> str | None:
    try:
        from celery import current_task

        return current_task.request.id if current_task else None
    except Exception:  # outside a worker
        return None


def use_json(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())


@after_setup_logger.connect
@after_setup_task_logger.connect
def _json_for_celery(logger: logging.Logger, **_: Any) -> None:
    if get_settings().log_format == "json":
        use_json(logger)


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's `log_config` writing JSON lines to stderr (the API's own loggers included)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "loggers": {name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "docextract", "workers", "api")},
    }
