"""Alembic environment: always handed a live connection by workers.migrate (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

import workers.corrections  # noqa: F401  (its tables join Base.metadata)
from workers.storage import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through workers.migrate.upgrade_to_head (or `docextract serve`)")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
