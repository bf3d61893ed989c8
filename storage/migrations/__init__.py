"""Alembic migrations for Bearings, driven from code (see ``storage.schema``)."""
