"""Domain rules: plain Python with no I/O, no Telegram, no SQL, no templates."""
