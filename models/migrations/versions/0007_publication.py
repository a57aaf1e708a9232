"""publication: provisional evaluations, not-scorable calls, "score anyway"

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # calls.status gains the value "not_scorable": a non-native enum (VARCHAR(20), no CHECK
    # constraint), so the column needs no change.
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scorability", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("score_anyway", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("provisional_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("provisional_criteria", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A not-scorable call goes back to "transcribed": the old code scores it.
    op.execute("UPDATE calls SET status = 'transcribed' WHERE status = 'not_scorable'")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        for name in ("provisional_criteria", "provisional_reason", "provisional"):
            batch_op.drop_column(name)
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("score_anyway")
        batch_op.drop_column("scorability")
