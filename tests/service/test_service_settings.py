"""Settings and the Celery configuration derived from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from workers.app import celery_config
from workers.settings import Settings, settings_from_env, settings_to_env


def test_visibility_timeout_is_above_the_hard_limit_for_broker_and_result_backend() -> None:
    settings = Settings(redis_url="redis://h:1/0", soft_time_limit=100, hard_time_limit=120)
    config = celery_config(settings)
    broker = config["broker_transport_options"]["visibility_timeout"]
    backend = config["result_backend_transport_options"]["visibility_timeout"]
    assert broker == backend > config["task_time_limit"] == 120 > config["task_soft_time_limit"]
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert {q.name for q in config["task_queues"]} == {"light", "heavy"}


def test_embedded_default_needs_no_server(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path))
    assert config["broker_url"] == "filesystem://"
    folders = config["broker_transport_options"]
    assert folders["data_folder_in"] == folders["data_folder_out"] and folders["data_folder_in"].startswith(str(tmp_path))
    assert Settings(data_dir=tmp_path).effective_database_url == f"sqlite:///{tmp_path.resolve()}/docextract.db"


@pytest.mark.parametrize("values", [{"soft_time_limit": 60, "hard_time_limit": 60},
                                    {"hard_time_limit": 60, "soft_time_limit": 50, "visibility_timeout": 60}])
def test_limits_out_of_order_are_refused(values: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate(values)


def test_environment_round_trip_and_keys() -> None:
    settings = settings_from_env({"REDIS_URL": "redis://x:6379/1", "DOCEXTRACT_MAX_ATTEMPTS": "5",
                                  "DOCEXTRACT_API_KEYS": "ops:s3cret, bare-key ,", "DATABASE_URL": ""})
    assert (settings.redis_url, settings.max_attempts, settings.database_url) == ("redis://x:6379/1", 5, None)
    assert settings.env_api_keys() == {"ops": "s3cret", "env-1": "bare-key"}
    assert settings_from_env(settings_to_env(settings)) == settings.model_copy(
        update={"data_dir": settings.data_dir.resolve()})


def test_every_setting_is_documented() -> None:
    from workers.settings import _ENV

    table = (Path(__file__).parents[2] / "docs/service.md").read_text(encoding="utf-8")
    assert [var for var in _ENV if f"| `{var}` |" not in table] == []
