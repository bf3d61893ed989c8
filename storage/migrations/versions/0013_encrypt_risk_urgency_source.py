"""a visit's risk change and a flag's urgency and source encrypted like other content

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 15:00:00

They were kept in clear as short codes ("up", "today", "case"), so a copy of the
database showed which families' risk went up and which cases were flagged urgent.
Each column becomes encrypted text, and every value already stored is encrypted
in place (under the first of ``BEARINGS_DATA_KEYS``, which ``bearings migrate``
and start-up install before migrating). Nothing filters on them in SQL: the
metrics count open flags by urgency in Python.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

import storage.crypto
from storage.crypto import KeyRing


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# (table, column, its length in clear)
COLUMNS = (('visits', 'risk_change', 8), ('flags', 'urgency', 12), ('flags', 'source', 16))
BATCH = 500


def upgrade() -> None:
    for table, column, length in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(length=length),
                type_=storage.crypto.EncryptedText(),
                existing_nullable=False,
            )
        _convert(table, column, lambda ring, value: ring.encrypt(value))


def downgrade() -> None:
    for table, column, length in COLUMNS:
        _convert(table, column, lambda ring, value: ring.decrypt(value))
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=storage.crypto.EncryptedText(),
                type_=sa.String(length=length),
                existing_nullable=False,
            )


def _convert(table: str, column: str, change: Callable[[KeyRing, str], str]) -> None:
    """Rewrite every stored value of one column, a batch of rows at a time."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(f'SELECT id, {column} FROM {table} ORDER BY id')).all()
    if not rows:
        return  # an empty database migrates without keys
    ring = storage.crypto.key_ring()
    update = sa.text(f'UPDATE {table} SET {column} = :value WHERE id = :id')
    for start in range(0, len(rows), BATCH):
        connection.execute(
            update,
            [{'id': key, 'value': change(ring, value)} for key, value in rows[start : start + BATCH]],
        )
