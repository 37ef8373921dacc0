"""Page progress of a running document (page x of y, for an ETA) and the index newest-first listing pages on.

Revision ID: 0003_pages_listing
Revises: 0002_corrections
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_pages_listing"
down_revision = "0002_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("pages_done", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pages_total", sa.Integer(), nullable=True))
    # The list's keyset: a key's documents by (created_at, id), read forwards or backwards.
    op.create_index("ix_documents_owner_created", "documents", ["owner_key_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_owner_created", "documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("pages_total")
        batch.drop_column("pages_done")
