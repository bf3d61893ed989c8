"""Refusals: the domain's way of saying no, mapped to a template in one place."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request the person may not make, or that cannot be done; ``code`` names the template.

    The template ``refusal_<code>.html.j2`` explains it to the person, with
    ``details`` as its variables.
    """

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details
