"""Bearings: a Telegram assistant for key workers in social care and their supervisors."""
