"""The sandbox: a local Bot API emulator, the real bot against it, and a terminal chat."""
