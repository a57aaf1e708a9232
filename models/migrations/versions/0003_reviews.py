"""review workflow: rubric sources, disputes, calibration (issue 5)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_table(
        "rubric_sources",
        sa.Column("rubric_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("declared_version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_rubric_sources_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["rubrics.id"],
            name=op.f("fk_rubric_sources_rubric_id_rubrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rubric_id", name=op.f("pk_rubric_sources")),
    )

    op.create_table(
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("criterion_id", sa.String(length=100), nullable=False),
        sa.Column("rubric_id", sa.Uuid(), nullable=False),
        sa.Column("raised_by", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("disputed_verdict", sa.String(length=10), nullable=False),
        sa.Column("requested_verdict", sa.String(length=10), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "rejected",
                "changed",
                name="disputestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_verdict", sa.String(length=10), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_disputes_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["raised_by"], ["users.id"], name=op.f("fk_disputes_raised_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_disputes_resolved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"], ["rubrics.id"], name=op.f("fk_disputes_rubric_id_rubrics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_raised_by"), ["raised_by"], unique=False)
        batch_op.create_index(
            "uq_disputes_open_call_criterion",
            ["call_id", "criterion_id"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )

    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("rubric_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="calibrationstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("agreed", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_calibration_sessions_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["users.id"], name=op.f("fk_calibration_sessions_lead_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"], ["rubrics.id"], name=op.f("fk_calibration_sessions_rubric_id_rubrics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sessions")),
    )
    with op.batch_alter_table("calibration_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calibration_sessions_call_id"), ["call_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calibration_sessions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calibration_sessions_lead_id"), ["lead_id"], unique=False
        )

    op.create_table(
        "calibration_participants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_participants_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calibration_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_participants")),
        sa.UniqueConstraint(
            "session_id", "user_id", name="uq_calibration_participants_session_user"
        ),
    )
    with op.batch_alter_table("calibration_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calibration_participants_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calibration_participants_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("calibration_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_participants_user_id"))
        batch_op.drop_index(batch_op.f("ix_calibration_participants_session_id"))
    op.drop_table("calibration_participants")
    with op.batch_alter_table("calibration_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_sessions_lead_id"))
        batch_op.drop_index(batch_op.f("ix_calibration_sessions_created_at"))
        batch_op.drop_index(batch_op.f("ix_calibration_sessions_call_id"))
    op.drop_table("calibration_sessions")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("uq_disputes_open_call_criterion")
        batch_op.drop_index(batch_op.f("ix_disputes_raised_by"))
        batch_op.drop_index(batch_op.f("ix_disputes_created_at"))
        batch_op.drop_index(batch_op.f("ix_disputes_call_id"))
    op.drop_table("disputes")
    op.drop_table("rubric_sources")
