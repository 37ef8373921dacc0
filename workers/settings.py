"""Every service setting in one validated model, read from DOCEXTRACT_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# env var -> field; the table in docs/service.md lists the same names.
_ENV = {
    "DOCEXTRACT_DATA_DIR": "data_dir",
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "DOCEXTRACT_API_KEYS": "api_keys",
    "DOCEXTRACT_MAX_UPLOAD_BYTES": "max_upload_bytes",
    "DOCEXTRACT_MAX_REQUEST_BYTES": "max_request_bytes",
    "DOCEXTRACT_CORS_ORIGINS": "cors_origins",
    "DOCEXTRACT_LOG_FORMAT": "log_format",
    "DOCEXTRACT_MAX_ATTEMPTS": "max_attempts",
    "DOCEXTRACT_SOFT_TIME_LIMIT": "soft_time_limit",
    "DOCEXTRACT_HARD_TIME_LIMIT": "hard_time_limit",
    "DOCEXTRACT_VISIBILITY_TIMEOUT": "visibility_timeout",
    "DOCEXTRACT_MAX_MEMORY_PER_CHILD_KB": "max_memory_per_child_kb",
    "DOCEXTRACT_MEMORY_LIMIT_MB": "memory_limit_mb",
    "DOCEXTRACT_CONCURRENCY": "concurrency",
    "DOCEXTRACT_REQUEUE_AFTER": "requeue_after",
    "DOCEXTRACT_SWEEP_INTERVAL": "sweep_interval",
    "DOCEXTRACT_RESTORE_INTERVAL": "restore_interval",
    "DOCEXTRACT_MIN_FREE_BYTES": "min_free_bytes",
    "DOCEXTRACT_API_THREADS": "api_threads",
    "DOCEXTRACT_TASK_BASE_SECONDS": "task_base_seconds",
    "DOCEXTRACT_PAGE_TIME_BUDGET": "page_time_budget",
    "DOCEXTRACT_TEST_TASK_DELAY": "test_task_delay",
    "DOCEXTRACT_TIMEZONE": "timezone",
    "DOCEXTRACT_LANGUAGE": "language",
}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Field(Path("data"), validate_default=True,
                           description="originals, the SQLite file and the embedded queue")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite:///DATA_DIR/docextract.db")
    redis_url: str | None = Field(None, description="broker and result backend; unset = embedded queue")
    api_keys: str = Field("", description="NAME:KEY pairs, comma separated, accepted besides stored keys")
    max_upload_bytes: int = Field(100 * 1024 * 1024, gt=0, description="largest file accepted by the API")
    max_request_bytes: int = Field(1024 * 1024 * 1024, gt=0,
                                   description="largest request body (all files of one upload), refused early")
    cors_origins: str = Field("", description="comma-separated origins allowed by CORS; empty = CORS closed")
    log_format: Literal["text", "json"] = Field("text", description="json: one JSON object per log line")
    max_attempts: int = Field(3, ge=1, description="task starts before a document is failed as poison")
    soft_time_limit: int = Field(1500, gt=0, description="seconds; the task stores a time_limit failure")
    hard_time_limit: int = Field(1800, gt=0, description="seconds; the worker child is killed")
    visibility_timeout: int | None = Field(None, gt=0, description="seconds; default hard limit + 10 min")
    max_memory_per_child_kb: int = Field(2_000_000, gt=0, description="recycle a worker child above this RSS")
    memory_limit_mb: int | None = Field(
        None, gt=0, description="MB of address space one document may add in a prefork child (memory_limit)")
    concurrency: int = Field(max(1, os.cpu_count() or 1), ge=1, description="worker processes per worker")
    requeue_after: int = Field(600, gt=0, description="seconds before a queued document is published again")
    sweep_interval: int = Field(60, gt=0, description="seconds between sweeps for stalled documents")
    restore_interval: int = Field(10, gt=0, description="seconds between Redis scans for unacked messages")
    task_base_seconds: int = Field(300, gt=0, description="hard time limit of a PDF/image task before its pages "
                                   "are counted in: start-up, model load, reconciling")
    page_time_budget: int = Field(120, gt=0, description="seconds per page added to a PDF/image task's hard time "
                                  "limit (capped by DOCEXTRACT_HARD_TIME_LIMIT)")
    api_threads: int = Field(40, ge=1, description="threads the API runs its endpoints in; its database pool "
                             "has as many connections plus 4 (sweeper, embedded queue), so a request queues for a "
                             "thread instead of timing out for a connection")
    min_free_bytes: int = Field(64 * 1024 * 1024, ge=0, description="free space DATA_DIR must have for a "
                                "task to start; below it the task is deferred with storage_full")
    test_task_delay: float = Field(0.0, ge=0, description="tests only: seconds each task sleeps first")
    timezone: str = Field("Asia/Shanghai", description="IANA zone the page, API and CLI show times in")
    language: Literal["zh", "en"] = Field("zh", description="default language of the page and messages")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)") from err
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Made absolute once: the API, its local worker and CLI commands may run from other folders.
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _limits_in_order(self) -> Settings:
        if self.soft_time_limit >= self.hard_time_limit:
            raise ValueError("DOCEXTRACT_SOFT_TIME_LIMIT must be below DOCEXTRACT_HARD_TIME_LIMIT")
        if self.visibility_timeout is not None and self.visibility_timeout <= self.hard_time_limit:
            # A shorter timeout redelivers a message while its first run is still alive.
            raise ValueError("DOCEXTRACT_VISIBILITY_TIMEOUT must be above DOCEXTRACT_HARD_TIME_LIMIT")
        return self

    @property
    def embedded(self) -> bool:
        return not self.redis_url

    @property
    def effective_visibility_timeout(self) -> int:
        return self.visibility_timeout or self.hard_time_limit + 600

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'docextract.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "originals"

    @property
    def queue_dir(self) -> Path:
        return self.data_dir / "queue"

    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    def env_api_keys(self) -> dict[str, str]:
        """NAME -> KEY from DOCEXTRACT_API_KEYS ("ops:s3cret,batch:other"); a bare KEY is named env-N."""
        keys: dict[str, str] = {}
        for n, item in enumerate(part.strip() for part in self.api_keys.split(",")):
            if not item:
                continue
            name, sep, key = item.partition(":")
            keys[name if sep else f"env-{n}"] = key if sep else name
        return keys


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    values = {field: environ[var] for var, field in _ENV.items() if environ.get(var, "") != ""}
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from_env()


def settings_to_env(settings: Settings) -> dict[str, str]:
    """The environment that reproduces `settings` in another process (a worker started by serve or a test)."""
    env: dict[str, str] = {}
    for var, field in _ENV.items():
        value = getattr(settings, field)
        if value is not None and value != "":
            env[var] = str(value.resolve() if isinstance(value, Path) else value)
    return env
