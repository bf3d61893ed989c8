"""What the services need before the first update or delivery (service layer).

Called once by the composition root (``bot.app.build``) and by the tests' fixtures;
calling it again changes nothing.
"""

from __future__ import annotations

from bot.services.endings import check_flows, register_endings
from bot.services.local_time import use_default_zone


def prepare_services(*, default_timezone: str) -> None:
    """Register every flow ending, check, note offer and outbox composer, check the flow
    files against them, and take the ``DEFAULT_TIMEZONE`` setting."""
    register_endings()
    check_flows()
    use_default_zone(default_timezone)
