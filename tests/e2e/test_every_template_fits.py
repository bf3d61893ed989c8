"""Every template, with the largest data a real team has, is accepted by Telegram (issue 18.1),
and shows what people typed exactly as typed (issue 19.5).

Why: every word the bot says is a template (prompts/templates), and ``Replies`` is the one
place that turns a template's HTML into Bot API calls within Telegram's limits (splitting text
over 4,096 UTF-16 units, moving a long caption under its picture). A template that grows with
its data (a caseload, a digest, a note at its field limit, names full of emoji) is refused
with 400 only when a team is big enough, and the person then sees silence. So each template is
rendered with values built from the real view types at their largest (tests/template_samples/:
200 cases, 100 flags and actions, 64-character names, 32-character references, notes at their
``max_length``, emoji and right-to-left text), and with values hypothesis draws biased to that
size; the HTML goes through ``Replies`` as the bot sends it (a message, an edit of a message
for templates shown in place, a caption for a picture or a file) and each call is made with
``ApiCaller`` against the Bot API emulator, which enforces Telegram's rules. Every request must
be accepted. The caseload and a case's card also carry the buttons their handlers put under
them (``KEYBOARDS``): labels with the long references and names, callback data in 64 bytes.

The ``pdf_*`` templates (and the ``_pdf`` partial) are laid out into an exported PDF, never sent
to Telegram: they are rendered here with the same values to show that they render, and that is
all. The other partials (``_*``) are rendered on their own too; they reach Telegram inside the
templates that include them.

The markup check renders every template with markup-like text (``<b>x</b> &lt; &amp; <i>
</b>``) in every free-text field and reads the text as Telegram shows it: each value must be
there exactly as typed, and nothing of the template's own markup may show as ``&lt;`` or
``<b>`` (escaped twice).
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import meta
from telegram import Bot

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.emulator.html_text import parse_html
from bot.sandbox.emulator.media import TINY_PNG
from bot.telegram.calls import ApiCaller
from bot.telegram.replies import Keyboard, Replies
from prompts import TEMPLATES, _html, render
from tests.template_samples import CAPTIONS, KEYBOARDS, MARKUP, SAMPLES, Drawn, Largest, Marked

USER = 7001
EXAMPLES = 10

NAMES = sorted(path.name.removesuffix(".html.j2") for path in TEMPLATES.glob("*.html.j2"))
NOT_SENT = [n for n in NAMES if n.startswith(("_", "pdf_"))]
SENT = [n for n in NAMES if n not in NOT_SENT]
EDITED = {
    "actions", "agenda", "agenda_ticked", "agenda_workers", "bearings_result", "bearings_team",
    "case_card", "case_notes", "case_reassign", "case_reassigned", "case_workers", "caseload",
    "flag_message", "flags", "flow_answered", "flow_question", "forget_me", "forget_me_cancelled",
    "forget_me_done", "import_cancelled", "import_done", "import_expired", "import_preview",
    "invite_created", "join_declined", "joined", "note", "nudge_action", "nudge_case",
    "stuck_summary", "team",
}  # fmt: skip
"""Templates also shown in place of an earlier message (``Turn.replace``, ``Showing.show``, a
nudge or flag message edited by delivery): they go through ``Replies.edit`` as well."""


def _variables(name: str) -> set[str]:
    source = (TEMPLATES / f"{name}.html.j2").read_text(encoding="utf-8")
    return set(meta.find_undeclared_variables(_html().parse(source)))


WITH_VALUES = [n for n in NAMES if _variables(n)]


@dataclass
class Telegram:
    """The emulator, and a caller making Bot API calls to it as the bot does."""

    emulator: BotApiEmulator
    caller: ApiCaller

    async def deliver(self, name: str, text: str, keyboard: Keyboard | None = None) -> int:
        """Send a rendered template as the bot would; return how many calls it took. Fails
        when Telegram (the emulator) refuses any of them."""
        replies = Replies()
        caption = CAPTIONS.get(name)
        if caption == "photo":
            replies.send_photo(USER, TINY_PNG, text, keyboard)
        elif caption == "document":
            replies.send_document(USER, b"%PDF-1.4 sample", "sample.pdf", text)
        else:
            replies.send(USER, text, keyboard)
        if name in EDITED:
            shown = await self.caller.call("sendMessage", {"chat_id": USER, "text": "…"})
            assert shown.ok, shown.reason
            replies.edit(USER, shown.result["message_id"], text, keyboard)
        since = len(self.emulator.requests)
        for call in replies.calls:
            outcome = await self.caller.call(call["method"], call["params"])
            assert outcome.ok, f"{name}: {call['method']} refused: {outcome.reason}"
        refused = [
            (r.method, r.status, r.description)
            for r in self.emulator.requests[since:]
            if r.status >= 400
        ]
        assert refused == [], name
        return len(replies.calls)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def telegram() -> AsyncIterator[Telegram]:
    """One emulator for the whole file (a chat's messages do not affect the next template)."""
    async with BotApiEmulator() as emulator:
        emulator.send_message(USER, "/start", first_name="Sam")  # the private chat exists
        bot = Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url)
        await bot.initialize()
        try:
            # One attempt: a refusal is the finding, and a retry would only hide it.
            yield Telegram(emulator, ApiCaller(bot, max_attempts=1))
        finally:
            await bot.shutdown()


def test_every_template_has_sample_values_for_every_variable_it_uses() -> None:
    assert sorted(SAMPLES) == NAMES, "a template without sample values in tests/template_samples/"
    for name in NAMES:
        missing = _variables(name) - set(SAMPLES[name](Largest()))
        assert not missing, (name, missing)


@pytest.mark.parametrize("name", NOT_SENT)
def test_templates_that_never_reach_telegram_render_at_their_largest(name: str) -> None:
    render(name, **SAMPLES[name](Largest()))


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", SENT)
async def test_every_template_at_its_largest_is_accepted_by_telegram(
    telegram: Telegram, name: str
) -> None:
    values = SAMPLES[name](Largest())
    keyboard = KEYBOARDS[name](values) if name in KEYBOARDS else None
    await telegram.deliver(name, render(name, **values), keyboard)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", [n for n in WITH_VALUES if n in SENT])
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_every_template_with_any_realistic_values_is_accepted_by_telegram(
    telegram: Telegram, name: str, data: st.DataObject
) -> None:
    values = SAMPLES[name](Drawn(data))
    keyboard = KEYBOARDS[name](values) if name in KEYBOARDS else None
    await telegram.deliver(name, render(name, **values), keyboard)


MARKED = [n for n in WITH_VALUES if not n.startswith(("pdf_", "_pdf"))]


def shown_when_typed_with_markup(name: str) -> tuple[str, str, bool]:
    """The template rendered with markup-like text in every free-text field: the text as
    Telegram shows it, the value typed, and whether the template put that value in."""
    fill = Marked()
    text = render(name, **SAMPLES[name](fill))
    return parse_html(text).text, MARKUP, html.escape(MARKUP) in text


@pytest.mark.parametrize("name", MARKED)
def test_what_people_typed_is_shown_as_typed_never_escaped_twice(name: str) -> None:
    shown, typed, put_in = shown_when_typed_with_markup(name)
    if put_in:
        assert typed in shown, (name, shown)
    assert html.escape(typed) not in shown, (name, shown)  # escaped twice
    rest = shown.replace(typed, "")
    for markup in ("&lt;", "&gt;", "&amp;", "<b>", "</b>", "<i>", "</i>", "<u>", "<code>"):
        assert markup not in rest, (name, markup, shown)


def test_the_markup_check_reaches_the_templates_that_show_typed_text() -> None:
    showing = [name for name in MARKED if shown_when_typed_with_markup(name)[2]]
    assert len(showing) >= 60, showing
