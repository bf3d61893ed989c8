"""Which chat an update belongs to, for per-chat ordering."""

from __future__ import annotations

from bot.telegram.inbox.updates import chat_key, sender_key


def test_messages_belong_to_their_chat() -> None:
    assert chat_key({"update_id": 1, "message": {"chat": {"id": -500}, "from": {"id": 7}}}) == -500


def test_button_presses_belong_to_the_chat_of_their_message() -> None:
    update = {"update_id": 2, "callback_query": {"from": {"id": 7}, "message": {"chat": {"id": 7}}}}
    assert chat_key(update) == 7


def test_updates_without_a_chat_fall_back_to_the_sender() -> None:
    assert chat_key({"update_id": 3, "inline_query": {"from": {"id": 42}}}) == 42
    assert chat_key({"update_id": 4, "something_new": 1}) == 0


def test_flood_control_counts_updates_against_the_person_who_sent_them() -> None:
    in_a_group = {"update_id": 5, "message": {"chat": {"id": -500}, "from": {"id": 7}}}
    press = {"update_id": 6, "callback_query": {"from": {"id": 8}, "message": {"chat": {"id": 8}}}}
    channel = {"update_id": 7, "channel_post": {"chat": {"id": -900}, "text": "news"}}
    assert [sender_key(u) for u in (in_a_group, press, channel)] == [7, 8, -900]
