"""the key-worker process: a case's network, agreements, assessments, support plans with aims
and actions, plan reviews and the evaluation at closing

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00

New tables only; every word typed, and every score and outcome, encrypted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    parent = target.split('.')[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f'fk_{table}_{column}_{parent}')
    )


def _common(table: str) -> list[sa.PrimaryKeyConstraint]:
    return [sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def upgrade() -> None:
    text, blob = storage.crypto.EncryptedText, storage.crypto.EncryptedJSON
    instant = storage.types.UTCDateTime
    op.create_table(
        'case_network',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('label', text(), nullable=False),
        sa.Column('added_at', instant(), nullable=False),
        _fk('case_network', 'case_id', 'cases.id'),
        *_common('case_network'),
    )
    op.create_table(
        'family_agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('standards', blob(), nullable=False),
        sa.Column('consequences', blob(), nullable=False),
        sa.Column('agreed_on', sa.Date(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', instant(), nullable=False),
        _fk('family_agreements', 'author_id', 'members.id'),
        _fk('family_agreements', 'case_id', 'cases.id'),
        *_common('family_agreements'),
    )
    op.create_table(
        'assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('factors', blob(), nullable=False),
        sa.Column('build_on', text(), nullable=True),
        sa.Column('reduce', text(), nullable=True),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', instant(), nullable=False),
        _fk('assessments', 'author_id', 'members.id'),
        _fk('assessments', 'case_id', 'cases.id'),
        *_common('assessments'),
    )
    op.create_table(
        'support_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('made_on', sa.Date(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', instant(), nullable=False),
        _fk('support_plans', 'author_id', 'members.id'),
        _fk('support_plans', 'case_id', 'cases.id'),
        *_common('support_plans'),
        sa.UniqueConstraint('case_id', name=op.f('uq_support_plans_case_id')),
    )
    op.create_table(
        'plan_aims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', text(), nullable=False),
        sa.Column('start_score', blob(), nullable=True),
        sa.Column('end_score', blob(), nullable=True),
        _fk('plan_aims', 'plan_id', 'support_plans.id'),
        *_common('plan_aims'),
    )
    op.create_table(
        'plan_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('network_id', sa.Integer(), nullable=True),
        sa.Column('text', text(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('quick_win', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', instant(), nullable=False),
        sa.Column('done_at', instant(), nullable=True),
        _fk('plan_actions', 'action_id', 'actions.id'),
        _fk('plan_actions', 'case_id', 'cases.id'),
        _fk('plan_actions', 'created_by_id', 'members.id'),
        _fk('plan_actions', 'network_id', 'case_network.id'),
        *_common('plan_actions'),
    )
    op.create_table(
        'plan_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('participants', blob(), nullable=False),
        sa.Column('agreement', text(), nullable=False),
        sa.Column('agreement_note', text(), nullable=True),
        sa.Column('marks', blob(), nullable=False),
        sa.Column('outcome', text(), nullable=False),
        sa.Column('next_review_on', sa.Date(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', instant(), nullable=False),
        _fk('plan_reviews', 'author_id', 'members.id'),
        _fk('plan_reviews', 'case_id', 'cases.id'),
        *_common('plan_reviews'),
    )
    op.create_table(
        'case_evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('worker_words', text(), nullable=True),
        sa.Column('impacts', blob(), nullable=False),
        sa.Column('counts', blob(), nullable=False),
        sa.Column('stepped_down_to', text(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', instant(), nullable=False),
        _fk('case_evaluations', 'author_id', 'members.id'),
        _fk('case_evaluations', 'case_id', 'cases.id'),
        *_common('case_evaluations'),
        sa.UniqueConstraint('case_id', name=op.f('uq_case_evaluations_case_id')),
    )
    for table in ('case_network', 'family_agreements', 'assessments', 'plan_actions'):
        with op.batch_alter_table(table) as batch:
            batch.create_index(batch.f(f'ix_{table}_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('plan_aims') as batch:
        batch.create_index(batch.f('ix_plan_aims_plan_id'), ['plan_id'], unique=False)
    with op.batch_alter_table('plan_reviews') as batch:
        batch.create_index('ix_plan_reviews_case_held', ['case_id', 'held_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plan_reviews') as batch:
        batch.drop_index('ix_plan_reviews_case_held')
    with op.batch_alter_table('plan_aims') as batch:
        batch.drop_index(batch.f('ix_plan_aims_plan_id'))
    for table in ('case_network', 'family_agreements', 'assessments', 'plan_actions'):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f'ix_{table}_case_id'))
    for table in (
        'case_evaluations',
        'plan_reviews',
        'plan_actions',
        'plan_aims',
        'support_plans',
        'assessments',
        'family_agreements',
        'case_network',
    ):
        op.drop_table(table)
