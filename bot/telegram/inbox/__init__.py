"""The durable inbox (Telegram side): no update lost, none handled twice, each chat in order.

``UpdateInbox.receive`` commits fetched updates to the ``inbox`` table before
the poller confirms them to Telegram. Each update is then handled in one unit
of work that also marks its row handled and stores the replies; the replies
are sent after the commit. Marking rows done (their replies delivered) costs
no transaction of its own while the bot is busy: it goes along with the next
write. Start-up (``recover``) finishes whatever a crash left. Updates of one
chat run one after another; different chats run concurrently, up to a limit.

Telegram has no idempotent send, so replies that went out before a crash, not
yet marked done, go out again after it: at most one update's per chat. With
``REPLIES_IN_FLIGHT`` set, at most that many updates in all are between their
first reply going out and being marked done (each then marked at once, a write
of its own): 1 means a crash repeats at most one update's replies.

One module per job:

- ``updates``: reading raw updates (kind, chat, sender; text made storable) and
  ``ALLOWED_UPDATES``.
- ``update_inbox``: ``UpdateInbox``, which receives and stores updates, recovers
  what a previous run left, and takes each update through its turn: flood hold,
  order across processes, handling, replies, marked done.
- ``scheduling``: per-chat queues and a bounded pool of workers; retries an
  update that failed for want of the database.
- ``flood_hold``: flood control that holds updates back, never drops them.
- ``across_processes``: reply leases and a chat's order when several processes
  share a PostgreSQL inbox.
- ``handling``: one update in one unit of work, a handler's error or refusal
  rolled back and explained.
- ``in_hand``: the updates this process has taken, and marking them done
  along with the next write.
- ``stopping``: the signal that stops new work and cuts waits short.
"""

from bot.telegram.inbox.handling import HandlingObserver
from bot.telegram.inbox.update_inbox import UpdateInbox
from bot.telegram.inbox.updates import ALLOWED_UPDATES

__all__ = ["ALLOWED_UPDATES", "HandlingObserver", "UpdateInbox"]
