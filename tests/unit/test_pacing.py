"""The pacer keeps every send inside Telegram's limits, on a virtual clock.

Each test runs "lanes" the way delivery does (one coroutine per chat, its
messages one after another) against a clock that only moves when every lane is
waiting, and checks the send times against the emulator's own model of
Telegram's limits.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

from bot.sandbox.emulator.ratelimit import RateLimiter, RateLimits
from bot.telegram.pacing import PaceLimits, Pacer


class VirtualTime:
    """A clock and a sleep for the pacer: time jumps to the next sleeper's wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = 0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, self._order, future))
        self._order += 1
        await future

    async def run(self, *lanes: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.ensure_future(lane) for lane in lanes]
        while True:
            for _ in range(5):  # let every lane that can move reach its next sleep
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            assert self._sleepers, "every lane is stuck"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        for task in tasks:
            task.result()


def pacer(limits: PaceLimits | None = None) -> tuple[Pacer, VirtualTime]:
    clock = VirtualTime()
    return Pacer(limits, now=clock.time, sleep=clock.sleep), clock


async def send_all(
    chats: dict[int, int], limits: PaceLimits | None = None
) -> list[tuple[float, int]]:
    """Send ``chats[chat]`` messages to each chat, one lane per chat; (time, chat) of each."""
    the_pacer, clock = pacer(limits)
    sent: list[tuple[float, int]] = []

    async def lane(chat: int, count: int) -> None:
        for _ in range(count):
            turn = await the_pacer.wait_turn(chat)
            sent.append((clock.now, chat))
            the_pacer.finish(turn)

    await clock.run(*(lane(chat, count) for chat, count in chats.items()))
    return sorted(sent)


def most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_private_chat_gets_a_message_a_second_at_most() -> None:
    sent = await send_all({1001: 5})
    times = [at for at, _ in sent]
    assert times[0] == 0.0
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))
    assert times[-1] < 5.0  # paced, not stalled: about 1.1 s apart


async def test_a_group_gets_twenty_messages_a_minute_at_most() -> None:
    sent = await send_all({-5001: 45})
    times = [at for at, _ in sent]
    assert most_in_any_window(times, 60.0) <= 20
    assert times[-1] < 44 * 3.5


async def test_a_burst_to_forty_chats_and_a_group_passes_telegrams_own_limits() -> None:
    chats = {2000 + n: 3 for n in range(40)} | {-5001: 3}
    sent = await send_all(chats)
    telegram = RateLimiter(RateLimits())
    refused = [(at, chat) for at, chat in sent if telegram.check("send", chat, at) is not None]
    assert refused == []
    assert len(sent) == 123
    assert most_in_any_window([at for at, _ in sent], 1.0) <= 30


async def test_the_overall_rate_is_used_not_wasted() -> None:
    sent = await send_all({3000 + n: 1 for n in range(300)})
    times = [at for at, _ in sent]
    assert most_in_any_window(times, 1.0) <= 30
    # 300 messages at 30 a second take about 10 seconds, not more.
    assert 9.9 < times[-1] < 10.5


async def test_a_chat_waiting_its_turn_does_not_hold_up_the_others() -> None:
    sent = await send_all({-5001: 2, 1001: 4, 1002: 2, 1003: 1})
    to = {chat: [at for at, to_chat in sent if to_chat == chat] for chat in (-5001, 1001, 1002)}
    assert to[-5001][1] > 3.0  # the group's second message waits its three seconds...
    assert to[1002][1] < 1.5  # ...while a private chat's second goes after about one
    assert to[1001][3] >= 3.0  # and 1001's own four messages still took their three seconds


async def test_a_share_of_the_overall_rate_for_each_of_several_processes() -> None:
    sent = await send_all({3000 + n: 1 for n in range(90)}, PaceLimits().shared_by(3))
    assert most_in_any_window([at for at, _ in sent], 1.0) <= 10


async def test_the_pacer_keeps_time_between_runs() -> None:
    the_pacer, clock = pacer()

    async def one(chat: int) -> None:
        the_pacer.finish(await the_pacer.wait_turn(chat))

    await clock.run(one(1001))
    assert the_pacer.next_free(1001) > clock.now  # a second run may not send to 1001 at once
    await clock.run(one(1001))
    assert clock.now >= 1.0


async def test_sends_slow_to_answer_keep_their_place_in_the_window() -> None:
    """Telegram counts a request when it arrives, which may be as late as its answer: when
    each send takes 200 ms to answer, the 31st waits a second after the first one's answer,
    not a second after it started."""
    the_pacer, clock = pacer()
    started: list[float] = []

    async def lane(chat: int) -> None:
        turn = await the_pacer.wait_turn(chat)
        started.append(clock.now)
        await clock.sleep(0.2)
        the_pacer.finish(turn)

    await clock.run(*(lane(chat) for chat in range(1, 32)))
    assert max(started[:30]) < 1.0  # the first thirty were not held back
    assert started[30] >= 1.2  # the 31st went a second after the first answer
