"""stages that act: the first contact, when a case entered its stage, the family meeting's
date, and the weekly engagement check

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:30:00

A case's stage was a label. Its reminders need to know when the first contact was (the
earliest visit note: filled in here for the cases that have one), since when the case has
been at its stage (filled in with the day it was opened), and the family meeting's date
once booked. Each Friday's engagement check is kept per case and week, the incident line
encrypted like every other free text; ``members.engagement_week`` says which week a
worker's check was last planned for (as the weekly summary's column does).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('first_contact_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('stage_since', sa.Date(), nullable=True))
        batch.add_column(sa.Column('meeting_on', sa.Date(), nullable=True))
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('engagement_week', sa.Date(), nullable=True))
    op.execute(
        "UPDATE cases SET first_contact_on = "
        "(SELECT MIN(visits.visited_on) FROM visits WHERE visits.case_id = cases.id)"
    )
    day = "DATE(opened_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(opened_at AS DATE)"
    op.execute(f"UPDATE cases SET stage_since = {day}")
    op.create_table(
        'engagement_checks',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('teams.id'), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('worker_id', sa.Integer(), sa.ForeignKey('members.id'), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('engagement', sa.String(8), nullable=True),
        sa.Column('incident', sa.Boolean(), nullable=True),
        sa.Column('incident_note', storage.crypto.EncryptedText(), nullable=True),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('case_id', 'week', name='uq_engagement_checks_case_week'),
    )
    op.create_index('ix_engagement_checks_team_week', 'engagement_checks', ['team_id', 'week'])


def downgrade() -> None:
    op.drop_index('ix_engagement_checks_team_week', table_name='engagement_checks')
    op.drop_table('engagement_checks')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and up, PostgreSQL): a batch copy of
    # ``members`` or ``cases`` would drop a table that others' foreign keys point at.
    op.execute("ALTER TABLE members DROP COLUMN engagement_week")
    for column in ('meeting_on', 'stage_since', 'first_contact_on'):
        op.execute(f"ALTER TABLE cases DROP COLUMN {column}")
