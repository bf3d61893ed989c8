"""erasure: a member's row can be emptied (no Telegram id) and says when

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', storage.types.UTCDateTime(), nullable=True))
        batch_op.alter_column('telegram_user_id', existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    # Erased members have no Telegram id; going back needs one, so they get a placeholder
    # that no Telegram user can have (user ids are positive).
    op.execute("UPDATE members SET telegram_user_id = -id WHERE telegram_user_id IS NULL")
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('telegram_user_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column('erased_at')
