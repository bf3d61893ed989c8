"""indexes for the planner at scale

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 13:30:00

The planner's tick reads only what can be due: open actions by due date, closed
cases by when they were closed, flags waiting across teams, idle open flows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_actions_status_due', 'actions', ['status', 'due_on'], unique=False)
    op.create_index(
        'ix_cases_closed',
        'cases',
        ['closed_at'],
        unique=False,
        sqlite_where=sa.text('closed_at IS NOT NULL'),
        postgresql_where=sa.text('closed_at IS NOT NULL'),
    )
    op.create_index('ix_flags_state_raised', 'flags', ['state', 'raised_at'], unique=False)
    op.create_index(
        'ix_flow_sessions_status_updated', 'flow_sessions', ['status', 'updated_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_flow_sessions_status_updated', table_name='flow_sessions')
    op.drop_index('ix_flags_state_raised', table_name='flags')
    op.drop_index('ix_cases_closed', table_name='cases')
    op.drop_index('ix_actions_status_due', table_name='actions')
