"""Every word is a template: autoescaped, strict, and every refusal has one."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import UndefinedError

from bot.domain.invites import InviteState
from bot.domain.roles import Role
from bot.sandbox.emulator.html_text import parse_html
from bot.services.access import Person
from bot.services.team_admin import SETTING_KEYS
from prompts import TEMPLATES, command_menu, known_commands, label, render

ROOT = Path(__file__).resolve().parents[2]


def test_what_a_person_typed_is_shown_exactly_as_typed() -> None:
    typed = "<b>bold</b> </i> & <script>alert(1)</script>"
    person = Person(1, 1, "North & <Team>", Role.WORKER, typed)
    html = render("start_member", person=person)
    assert "&lt;b&gt;bold&lt;/b&gt; &lt;/i&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render("invite_created")


def test_every_refusal_the_code_raises_has_a_template() -> None:
    sources = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]
    codes = {
        code
        for source in sources
        for code in re.findall(r'Refusal\(\s*"([a-z_]+)"', source.read_text())
    }
    # Invites are refused by state: Refusal(f"invite_{state.value}").
    codes |= {f"invite_{state.value}" for state in InviteState if state is not InviteState.VALID}
    assert {"not_a_member", "supervisors_only", "invite_unknown"} <= codes
    codes.discard("already_done")  # answered on the button itself, not with a message
    missing = sorted(c for c in codes if not (TEMPLATES / f"refusal_{c}.html.j2").exists())
    assert missing == []


def test_labels_and_menus_render() -> None:
    assert label("join_confirm", team_name="North Team") == "Yes, join North Team"
    assert ("help", "What I can do") in command_menu("default")
    assert {"start", "help", "invite", "linkgroup"} <= known_commands()


def test_command_descriptions_fit_telegram_limits() -> None:
    for role in ("default", "worker", "supervisor", "group"):
        for command, description in command_menu(role):
            assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
            assert 1 <= len(description) <= 256


def test_a_flags_news_shows_its_reference_in_bold_not_as_escaped_markup() -> None:
    flag = SimpleNamespace(reference="FAM-0552 <i>&", outcome="Rang the school", state="open")
    for news in ("ack", "call", "agenda", "resolve", "chased"):
        html = render("flag_news", news=news, by="Sam", flag=flag)
        shown = parse_html(html).text  # what Telegram shows
        assert "&lt;" not in shown and "<b>" not in shown, shown
        assert "your flag on FAM-0552 <i>&" in shown
    plain = render("flag_news", news="ack", by="Sam", flag=SimpleNamespace(reference=None))
    assert parse_html(plain).text.strip() == "✓ Sam has acknowledged your flag."


@pytest.mark.parametrize("setting", sorted(SETTING_KEYS))
def test_every_setting_of_teamsettings_has_words_for_its_news(setting: str) -> None:
    """A new /teamsettings choice without words would fail when saved, or tell the other
    supervisors of an empty change."""
    saved = render("team_setting_saved", setting=setting, team_name="North Team")
    assert saved.startswith("✓ Saved North Team's ") and "'s ." not in saved
