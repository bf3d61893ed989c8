"""Where flow endings, step checks and outbox composers come from; the start-up check.

A module registers its endings (``@ending``), checks (``@step_check``) and outbox
composers (``@composer``) when it is imported; importing them here, once, means a
new flow's ending module is added in exactly one place.
"""

from bot.services import (  # noqa: F401  (imported for their registrations)
    availability,
    bearings,
    cases,
    erasure,
    flags,
    notes,
    stuck,
    supervision,
    visits,
)
from bot.services.flows import check_registrations


def check_flows() -> None:
    """Fail start-up when a flow file names an ending or check that no module registers."""
    check_registrations()
