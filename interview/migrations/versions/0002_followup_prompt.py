"""follow-up prompts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_prompt",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("gap", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["interview_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "question_id", "n"),
    )
    with op.batch_alter_table("followup_prompt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_followup_prompt_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("followup_prompt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_prompt_session_id"))
    op.drop_table("followup_prompt")
