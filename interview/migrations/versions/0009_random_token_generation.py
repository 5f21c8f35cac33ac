"""unguessable token generations: a random 62-bit number per user instead of a counter

Every user gets a fresh random generation, so every token issued before this upgrade (under
whatever key signed it) stops working once: people sign in again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column(
            "token_generation",
            existing_type=sa.Integer(),
            type_=sa.BigInteger(),
            existing_nullable=False,
            existing_server_default="0",
        )
    users = sa.table("user_account", sa.column("id", sa.String), sa.column("token_generation"))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(token_generation=secrets.randbits(62))
        )


def downgrade() -> None:
    # A 62-bit generation does not fit the old column: everyone starts again from 0.
    users = sa.table("user_account", sa.column("token_generation"))
    op.get_bind().execute(users.update().values(token_generation=0))
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column(
            "token_generation",
            existing_type=sa.BigInteger(),
            type_=sa.Integer(),
            existing_nullable=False,
            existing_server_default="0",
        )
