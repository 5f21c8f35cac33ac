"""follow-up decisions: why a question got a probe or none

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_decision",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("gap", sa.String(length=20), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["interview_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("followup_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_followup_decision_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("followup_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_decision_session_id"))
    op.drop_table("followup_decision")
