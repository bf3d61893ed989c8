"""Thin Telegram adapters: parse the update, call one service, render, reply.

``register`` adds every handler to the application in order: group chats
first (commands only), then private commands and buttons, then the fallbacks
that answer anything else with a short menu.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import fallback, groups, help, invites, onboarding

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler in the order they must be tried."""
    application.add_error_handler(fallback.record_error)

    # Group chats: only the bot's own commands, never case content.
    application.add_handler(CommandHandler("linkgroup", groups.link_group, GROUPS))
    application.add_handler(MessageHandler(GROUPS & filters.COMMAND, groups.private_only))

    # Private chats: commands.
    application.add_handler(CommandHandler("start", onboarding.start, PRIVATE))
    application.add_handler(CommandHandler("help", help.show_help, PRIVATE))
    application.add_handler(CommandHandler("invite", invites.invite, PRIVATE))
    application.add_handler(CommandHandler("linkgroup", groups.link_group_in_private, PRIVATE))

    # Buttons.
    application.add_handler(CallbackQueryHandler(onboarding.confirm_join, pattern=r"^j:"))
    application.add_handler(CallbackQueryHandler(onboarding.decline_join, pattern=r"^jx$"))
    application.add_handler(CallbackQueryHandler(invites.invite_chosen, pattern=r"^inv:"))
    application.add_handler(CallbackQueryHandler(fallback.stale_button))

    # Anything else in private: a short menu.
    application.add_handler(MessageHandler(PRIVATE, fallback.menu))
