"""Integration fixtures shared by several modules (each module sets its own ``clock``)."""

from __future__ import annotations

import pytest

from bot.clock import MovableClock
from storage.db import Database
from tests.team import SeededTeam, seed_team


@pytest.fixture
async def team(database: Database, clock: MovableClock) -> SeededTeam:
    """North Team and South Team, made through the real services (tests/team.py)."""
    return await seed_team(database, clock)
