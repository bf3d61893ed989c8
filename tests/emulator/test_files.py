"""Photos and documents: uploads stored with their bytes, file ids, getFile and downloads."""

from __future__ import annotations

import io

import httpx
import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


async def test_send_photo_stores_the_png(
    emu: BotApiEmulator, bot: telegram.Bot, png_bytes: bytes
) -> None:
    sent = await bot.send_photo(
        1, io.BytesIO(png_bytes), caption="<i>chart</i>", parse_mode="HTML", filename="chart.png"
    )
    assert sent.caption == "chart" and sent.caption_entities[0].type == "italic"
    largest = sent.photo[-1]
    assert (largest.width, largest.height, largest.file_size) == (3, 2, len(png_bytes))
    message = emu.last_bot_message(1)
    assert message is not None
    assert (message.kind, message.file_bytes, message.file_name) == (
        "photo",
        png_bytes,
        "chart.png",
    )
    assert (message.text, message.html) == ("chart", "<i>chart</i>")


async def test_send_document_and_reuse_by_file_id(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_document(1, io.BytesIO(b"name,score\nsam,3\n"), filename="notes.csv")
    assert sent.document is not None and sent.document.file_name == "notes.csv"
    again = await bot.send_document(2, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    message = emu.last_bot_message(2)
    assert message is not None and message.file_bytes == b"name,score\nsam,3\n"
    assert message.file_name == "notes.csv"


async def test_unknown_file_id_and_empty_upload(api: ApiCall, bot: telegram.Bot) -> None:
    response = await api("sendDocument", chat_id=1, document="not-a-file-id")
    assert response.json()["description"] == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )
    with pytest.raises(telegram.error.BadRequest, match="File must be non-empty"):
        await bot.send_document(1, io.BytesIO(b""), filename="empty.txt")


async def test_get_file_and_download(bot: telegram.Bot, png_bytes: bytes) -> None:
    sent = await bot.send_document(1, io.BytesIO(png_bytes), filename="p.png")
    assert sent.document is not None
    file = await bot.get_file(sent.document.file_id)
    assert file.file_size == len(png_bytes)
    assert bytes(await file.download_as_bytearray()) == png_bytes


async def test_user_media_can_be_downloaded(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    update = emu.send_media(1, "voice")
    file = await bot.get_file(update["message"]["voice"]["file_id"])
    assert (await file.download_as_bytearray()).startswith(b"OggS")


async def test_a_users_own_file_arrives_as_a_document_and_downloads_byte_for_byte(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    content = "\ufeffreference,key worker\nFAM-0142,@alex\n".encode()
    update = emu.send_document(7, content, "caseload.csv", mime_type="text/csv")
    document = update["message"]["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "caseload.csv",
        "text/csv",
        len(content),
    )
    file = await bot.get_file(document["file_id"])
    assert file.file_path is not None and file.file_path.endswith(".csv")
    assert bytes(await file.download_as_bytearray()) == content
    (sent,) = emu.transcript(7)
    assert (sent.kind, sent.file_name, sent.file_bytes) == ("document", "caseload.csv", content)
    with pytest.raises(ValueError, match="empty"):
        emu.send_document(7, b"", "empty.csv")


async def test_send_document_over_the_test_api(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        "/_emulator/send_document",
        json={"user_id": 8, "content_base64": "YSxiCjEsMgo=", "file_name": "t.csv"},
    )
    assert response.status_code == 200, response.text
    document = response.json()["result"]["message"]["document"]
    assert document["file_name"] == "t.csv" and document["file_size"] == 8
    assert "mime_type" not in document
    stored = emu.transcript(8)[0]
    assert stored.file_bytes == b"a,b\n1,2\n"
