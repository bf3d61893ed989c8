"""The Telegram side: python-telegram-bot wiring, the durable inbox, polling and sending."""
