"""the week each member's weekly summary and bearings prompt were last planned for

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 17:50:00

The planner asked "which workers have no outbox row for this week's summary?"
with an anti-join on the outbox's key, which on PostgreSQL cost about 35 ms a
query at 10,000 workers with nothing due. Two plain date columns on the member
answer it instead. They start empty: the first tick after the upgrade finds
every worker "not yet planned", plans this week's summaries and prompts again
(the outbox ignores keys it already has, so nobody is sent anything twice) and
fills them in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('summary_week', sa.Date(), nullable=True))
        batch.add_column(sa.Column('prompt_week', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.drop_column('prompt_week')
        batch.drop_column('summary_week')
