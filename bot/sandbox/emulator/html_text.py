"""A strict parser for Telegram's HTML parse mode: plain text plus entities (UTF-16 offsets)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_SPECIAL = re.compile(r"[<>&]")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:.-]*")
_UNQUOTED = re.compile(r"[^\s\"'=<>`]+")
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z][a-zA-Z0-9]*);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; the message matches Telegram's wording."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text and its entities, as Telegram stores a formatted message."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    name: str
    entity: dict[str, Any] | None
    start: int


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts it."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _entity_at(text: str, at: int, fail: Callable[[str], HtmlError]) -> tuple[str, int]:
    """Decode the character reference starting at text[at]; return it and the index after it."""
    match = _ENTITY.match(text, at)
    if match is None:
        raise fail('Character "&" must be escaped as "&amp;" at byte offset {at}')
    body = match.group(1)
    if not body.startswith("#"):
        if body in _NAMED:
            return _NAMED[body], match.end()
        raise fail(f'Unsupported HTML entity "&{body};" at byte offset {{at}}')
    code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise fail(f'Invalid character entity "&{body};" at byte offset {{at}}')
    return chr(code), match.end()


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def fail(self, message: str, at: int) -> HtmlError:
        """Build an error whose {at} becomes the UTF-8 byte offset of index at."""
        byte = len(self.src[:at].encode("utf-8"))
        return HtmlError(message.replace("{at}", str(byte)))

    def emit(self, chunk: str) -> None:
        """Append plain text, advancing the UTF-16 offset."""
        self.out.append(chunk)
        self.offset += utf16_len(chunk)

    def run(self) -> ParsedText:
        """Parse the whole source."""
        src = self.src
        while self.pos < len(src):
            match = _SPECIAL.search(src, self.pos)
            end = match.start() if match else len(src)
            if end > self.pos:
                self.emit(src[self.pos : end])
                self.pos = end
            if match is None:
                break
            char = match.group()
            if char == "&":
                self.emit(self.entity())
            elif char == ">":
                raise self.fail('Character ">" must be escaped as "&gt;" at byte offset {at}', end)
            elif src.startswith("</", end):
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            name = self.stack[-1].name
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def entity(self) -> str:
        """Decode the character reference at the current position."""
        at = self.pos
        char, self.pos = _entity_at(self.src, at, lambda message: self.fail(message, at))
        return char

    def decode_value(self, raw: str, at: int) -> str:
        """Decode character references inside an attribute value."""
        if "&" not in raw:
            return raw
        parts: list[str] = []
        index = 0
        while (amp := raw.find("&", index)) >= 0:
            parts.append(raw[index:amp])
            char, index = _entity_at(
                raw, amp, lambda _: self.fail("Invalid attribute value at byte offset {at}", at)
            )
            parts.append(char)
        parts.append(raw[index:])
        return "".join(parts)

    def attributes(self, start: int) -> dict[str, str]:
        """Read a start tag's attributes up to its closing >."""
        src = self.src
        attrs: dict[str, str] = {}
        while True:
            while self.pos < len(src) and src[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(src):
                raise self.fail("Unclosed start tag at byte offset {at}", start)
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            name_match = _ATTR_NAME.match(src, self.pos)
            if name_match is None:
                raise self.fail(
                    "Expected equal sign in declaration of an attribute at byte offset {at}",
                    self.pos,
                )
            self.pos = name_match.end()
            value = ""
            if src.startswith("=", self.pos):
                self.pos += 1
                value = self.attribute_value(start)
            attrs[name_match.group().lower()] = value

    def attribute_value(self, start: int) -> str:
        """Read one quoted or unquoted attribute value."""
        src = self.src
        if self.pos >= len(src):
            raise self.fail("Unclosed start tag at byte offset {at}", start)
        quote = src[self.pos]
        if quote in "\"'":
            close = src.find(quote, self.pos + 1)
            if close < 0:
                raise self.fail("Unclosed start tag at byte offset {at}", start)
            raw = src[self.pos + 1 : close]
            at = self.pos
            self.pos = close + 1
            return self.decode_value(raw, at)
        match = _UNQUOTED.match(src, self.pos)
        if match is None:
            raise self.fail("Expected attribute value at byte offset {at}", self.pos)
        self.pos = match.end()
        return self.decode_value(match.group(), match.start())

    def start_tag(self) -> None:
        """Read a start tag and open its entity."""
        at = self.pos
        name_match = _TAG_NAME.match(self.src, at + 1)
        if name_match is None:
            raise self.fail('Character "<" must be escaped as "&lt;" at byte offset {at}', at)
        name = name_match.group().lower()
        self.pos = name_match.end()
        attrs = self.attributes(at)
        entity = self.entity_for(name, attrs, at)
        self.stack.append(_Open(name, entity, self.offset))

    def entity_for(self, name: str, attrs: dict[str, str], at: int) -> dict[str, Any] | None:
        """Return the entity a supported tag opens (None for code inside pre)."""
        if name in _SIMPLE:
            return {"type": _SIMPLE[name]}
        if name == "span":
            if attrs.get("class") != "tg-spoiler":
                raise self.fail('Tag "span" must have class "tg-spoiler" at byte offset {at}', at)
            return {"type": "spoiler"}
        if name == "a":
            href = attrs.get("href")
            if not href:
                raise self.fail('Tag "a" must have attribute "href" at byte offset {at}', at)
            return {"type": "text_link", "url": href}
        if name == "pre":
            return {"type": "pre"}
        if name == "code":
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.name == "pre" and parent.entity is not None:
                language = attrs.get("class", "")
                if language.startswith("language-") and len(language) > 9:
                    parent.entity["language"] = language[9:]
                return None
            return {"type": "code"}
        if name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
            return {"type": kind}
        if name == "tg-emoji":
            emoji_id = attrs.get("emoji-id")
            if not emoji_id:
                raise self.fail(
                    'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {at}', at
                )
            return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        raise self.fail(f'Unsupported start tag "{name}" at byte offset {{at}}', at)

    def end_tag(self) -> None:
        """Read an end tag, check nesting and close its entity."""
        at = self.pos
        close = self.src.find(">", at)
        if close < 0:
            raise self.fail("Unclosed end tag at byte offset {at}", at)
        name = self.src[at + 2 : close].strip().lower()
        self.pos = close + 1
        if not self.stack:
            raise self.fail("Unexpected end tag at byte offset {at}", at)
        top = self.stack[-1]
        if top.name != name:
            raise self.fail(
                f"Unmatched end tag at byte offset {{at}}, "
                f'expected "</{top.name}>", found "</{name}>"',
                at,
            )
        self.stack.pop()
        length = self.offset - top.start
        if top.entity is not None and length > 0:
            self.entities.append({**top.entity, "offset": top.start, "length": length})


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into plain text and entities; raise HtmlError like Telegram would."""
    return _Parser(source).run()


def strip_text(parsed: ParsedText) -> ParsedText:
    """Trim surrounding whitespace as Telegram does, moving and clipping entities to match."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)
