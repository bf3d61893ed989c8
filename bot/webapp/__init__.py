"""The supervisors' dashboard: a Telegram Mini App served by the bot's own HTTP server."""
