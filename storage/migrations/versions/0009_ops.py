"""operations: inbox reply leases and shared periodic job runs

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_runs',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('started_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('finished_at', storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_runs')),
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
    op.drop_table('job_runs')
