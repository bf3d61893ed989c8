"""caseload import: members' Telegram usernames, and previews waiting for Confirm

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 10:00:00

A caseload file names each case's key worker by Telegram username or by name, so a
member's username is kept (encrypted, like their name); it starts empty and is filled
in as each member next writes to the bot. A file sent in chat is read and checked, and
its rows wait, encrypted, in ``pending_imports`` until the supervisor confirms or
cancels (or the preview expires and the planner purges it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.add_column(
            sa.Column('telegram_username', storage.crypto.EncryptedText(), nullable=True)
        )
    op.create_table(
        'pending_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('rows', storage.crypto.EncryptedJSON(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['member_id'], ['members.id'], name=op.f('fk_pending_imports_member_id_members')
        ),
        sa.ForeignKeyConstraint(
            ['team_id'], ['teams.id'], name=op.f('fk_pending_imports_team_id_teams')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_imports')),
        sa.UniqueConstraint('member_id', name=op.f('uq_pending_imports_member_id')),
    )
    with op.batch_alter_table('pending_imports') as batch:
        batch.create_index(batch.f('ix_pending_imports_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pending_imports') as batch:
        batch.drop_index(batch.f('ix_pending_imports_expires_at'))
    op.drop_table('pending_imports')
    with op.batch_alter_table('members') as batch:
        batch.drop_column('telegram_username')
