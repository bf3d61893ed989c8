"""Where every flow's ending and step checks come from, and the start-up check that none is missing.

A module registers its endings (``@ending``) and checks (``@step_check``) when it is
imported; importing them here, once, means a new flow's ending module is added in
exactly one place.
"""

from bot.services import cases, notes, supervision, visits  # noqa: F401  (imported for their registrations)
from bot.services.flows import check_registrations


def check_flows() -> None:
    """Fail start-up when a flow file names an ending or check that no module registers."""
    check_registrations()
