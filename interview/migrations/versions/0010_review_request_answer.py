"""a candidate's request for a human review is open until a person answers it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_request") as batch:
        batch.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("answered_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("answered_via", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch.create_foreign_key(
            "fk_review_request_answered_by_user_account",
            "user_account",
            ["answered_by"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("review_request") as batch:
        batch.drop_constraint("fk_review_request_answered_by_user_account", type_="foreignkey")
        batch.drop_column("answer")
        batch.drop_column("answered_via")
        batch.drop_column("answered_by")
        batch.drop_column("answered_at")
