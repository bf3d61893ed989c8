"""What Telegram shows a person beside their message box: the commands of their role and,
for a supervisor when the dashboard is served, a menu button that opens it."""

from __future__ import annotations

from bot.telegram.turn import Turn
from prompts import command_menu

SUPERVISOR = "supervisor"


def show_role_menu(turn: Turn, chat_id: int, role: str) -> None:
    """The command menu for ``role`` in this private chat; with the dashboard served, its
    menu button too (the dashboard for a supervisor, Telegram's default for anyone else)."""
    turn.replies.set_commands(chat_id, command_menu(role))
    url = turn.settings.dashboard_url
    if url is not None:
        turn.replies.set_menu_button(chat_id, url if role == SUPERVISOR else None, "menu_dashboard")
