"""The service tests' real parts (private redis-server, fresh PostgreSQL database, celery worker
subprocesses), loaded from tests/service/conftest.py under the module name `service_fixtures`."""

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

# Everything public, fixtures included (pytest finds fixtures by attribute). Also, without packages the
# test directories share the module name "conftest": whichever of the two was imported last is what
# `from conftest import X` in tests/service sees, so this one must offer all of the service names too.
globals().update({name: value for name, value in vars(service_fixtures).items()
                  if not name.startswith("_") and name not in globals()})
