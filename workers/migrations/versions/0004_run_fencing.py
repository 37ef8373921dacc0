"""Fenced writes: a run token per claim on documents, and the record of runs that finished too late.

Revision ID: 0004_run_fencing
Revises: 0003_pages_listing
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_run_fencing"
down_revision = "0003_pages_listing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("run_token", sa.String(32), nullable=True))
    op.create_table(
        "superseded_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("run_token", sa.String(32), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_superseded_runs_document_id", "superseded_runs", ["document_id"])


def downgrade() -> None:
    op.drop_table("superseded_runs")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("run_token")
