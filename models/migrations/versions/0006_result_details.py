"""criterion_results: bonus, needs_review, scale value/label, method (issue 5)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("criterion_results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bonus", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("scale_value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("scale_label", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("method", sa.String(length=60), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("criterion_results", schema=None) as batch_op:
        for name in ("method", "scale_label", "scale_value", "needs_review", "bonus"):
            batch_op.drop_column(name)
