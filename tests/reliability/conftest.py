"""The service tests' real parts (private redis-server, fresh PostgreSQL database, celery worker
subprocesses), loaded under their own module name so both conftest files can coexist."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).parents[1] / "service" / "conftest.py"
_spec = importlib.util.spec_from_file_location("service_fixtures", _PATH)
assert _spec is not None and _spec.loader is not None
service_fixtures = importlib.util.module_from_spec(_spec)
sys.modules["service_fixtures"] = service_fixtures
_spec.loader.exec_module(service_fixtures)

# Fixtures are found by attribute: re-exporting them makes them available to this directory's tests.
pg_url = service_fixtures.pg_url
redis_server = service_fixtures.redis_server
start_worker = service_fixtures.start_worker
