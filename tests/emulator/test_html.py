"""Telegram HTML: the strict parser, entities with UTF-16 offsets, and the HTTP round trip."""

from __future__ import annotations

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.emulator.html_text import HtmlError, parse_html

from .conftest import ApiCall


def test_all_supported_tags() -> None:
    source = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://example.org/?a=1&amp;b=2">l</a><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    parsed = parse_html(source)
    assert parsed.text == "bsieunskdpqlcx = 1qe👍"
    kinds = [entity["type"] for entity in parsed.entities]
    assert kinds == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]
    by_type = {entity["type"]: entity for entity in parsed.entities}
    assert by_type["text_link"]["url"] == "https://example.org/?a=1&b=2"
    assert by_type["pre"] == {"type": "pre", "language": "python", "offset": 13, "length": 5}
    assert by_type["custom_emoji"]["custom_emoji_id"] == "5368324170671202286"


def test_entities_and_offsets_in_utf16() -> None:
    parsed = parse_html("😀 <b>bold <i>both</i></b> &lt;&gt;&amp;&quot;&#65;&#x42;")
    assert parsed.text == '😀 bold both <>&"AB'
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
    ]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<p>x</p>", 'Unsupported start tag "p"'),
        ("<br>", 'Unsupported start tag "br"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<a>x</a>", 'Tag "a" must have attribute "href"'),
        ("<tg-emoji>x</tg-emoji>", "emoji-id"),
        ("1 < 2", 'Character "<" must be escaped'),
        ("2 > 1", 'Character ">" must be escaped'),
        ("R&D", 'Character "&" must be escaped'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ('<b class="x>y</b>', "Unclosed start tag"),
        ("é<b", "Unclosed start tag at byte offset 2"),
    ],
)
def test_malformed_html_is_rejected(source: str, fragment: str) -> None:
    with pytest.raises(HtmlError, match=None) as caught:
        parse_html(source)
    assert fragment in str(caught.value)


async def test_malformed_html_over_http(api: ApiCall) -> None:
    response = await api("sendMessage", chat_id=1, text="<b>x</i>", parse_mode="HTML")
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: can't parse entities: ")


async def test_html_round_trip_keeps_raw_and_plain(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    html = "<b>Check-in</b> for <i>Sam</i> &amp; team 🙂"
    sent = await bot.send_message(9, html, parse_mode="HTML")
    assert sent.text == "Check-in for Sam & team 🙂"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 8),
        ("italic", 13, 3),
    ]
    message = emu.last_bot_message(9)
    assert message is not None
    assert message.html == html and message.text == sent.text
    assert message.entities[0] == {"type": "bold", "offset": 0, "length": 8}


async def test_explicit_entities_without_parse_mode(emu: BotApiEmulator, api: ApiCall) -> None:
    entities = [{"type": "bold", "offset": 0, "length": 2}]
    response = await api("sendMessage", chat_id=1, text="Hi there", entities=entities)
    assert response.json()["result"]["entities"] == entities
    message = emu.last_bot_message(1)
    assert message is not None and message.html is None and message.entities == entities


async def test_surrounding_whitespace_is_trimmed_like_telegram(api: ApiCall) -> None:
    response = await api("sendMessage", chat_id=1, text="\n <b>x</b> \n", parse_mode="HTML")
    result = response.json()["result"]
    assert result["text"] == "x"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 1}]
