"""Storage layer: SQLAlchemy models, engine and unit of work, encryption, migrations.

Knows SQL and the database; knows nothing of Telegram.
"""
