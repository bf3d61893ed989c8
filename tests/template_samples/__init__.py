"""Values for every template, at the sizes real teams reach (tests/e2e/test_every_template_fits.py).

Each template has a builder that makes its values from a ``Fill``: the same builder gives the
largest realistic values (``Largest``), values drawn by hypothesis and biased towards the
largest (``Drawn``), or markup-like strings in every free-text field (``Marked``). The values
are the view types the services pass (``CaseCard``, ``Caseload``, ``FlagView``, ``Digest``...),
paged with the page size the service uses, and the free text at its limit in the flow
definitions (prompts/flows/*.yaml ``max_length``), names at Telegram's 64, references at the
domain's 32.
"""

from tests.template_samples.fill import MARKUP, Drawn, Largest, Marked
from tests.template_samples.table import CAPTIONS, KEYBOARDS, SAMPLES

__all__ = ["CAPTIONS", "KEYBOARDS", "MARKUP", "SAMPLES", "Drawn", "Largest", "Marked"]
