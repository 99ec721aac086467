"""The fake Telegram Bot API is as strict as the real one: each limit is rejected with
Telegram's HTTP status and ``description``, and the boundary value is accepted.

Requests go either through a real python-telegram-bot ``Bot`` (what the adapter does) or,
to check the exact error shape, as raw HTTP. The fake's clock is fixed in most tests
(``clock=lambda: T0`` plus :meth:`FakeTelegramAPI.advance_time`), so flood windows and
callback query ages are exact.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from fakes._base import local_client_options
from fakes.telegram_api import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_MESSAGE_LENGTH,
    BotAPIError,
    FakeTelegramAPI,
    FloodRule,
    FloodRules,
    check_reply_markup,
    check_text,
    utf16_len,
)

T0 = 1_000.0
PRIVATE = 42
GROUP = -1001234567890
EMOJI = "😀"  # outside the BMP: 1 code point, 2 UTF-16 units, 4 UTF-8 bytes
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# pytest's repr of RetryAfter reads the deprecated int-valued retry_after
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def tg() -> Iterator[FakeTelegramAPI]:
    """A fake whose time stands still unless a test advances it."""
    with FakeTelegramAPI(clock=lambda: T0) as fake:
        yield fake


def _bot(tg: FakeTelegramAPI) -> Bot:
    return Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)


def _raw(tg: FakeTelegramAPI, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """POST a JSON request to the fake; (HTTP status, decoded body)."""
    with httpx.Client(**local_client_options(5.0)) as client:
        response = client.post(f"{tg.base_url}{tg.token}/{method}", json=params)
    return response.status_code, response.json()


def _keyboard(data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Botón", "callback_data": data}]]}


def _error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


# ------------------------------------------------------------------ call log


def test_a_call_is_logged_only_once_its_effect_is_stored(tg: FakeTelegramAPI) -> None:
    """A test woken by ``wait_for("sendMessage")`` must find the message already stored,
    however slowly the fake handled it."""
    handler = tg._methods["sendMessage"]

    def slow(params: dict[str, Any]) -> Any:
        time.sleep(0.3)
        return handler(params)

    tg._methods["sendMessage"] = slow
    worker = threading.Thread(target=_raw, args=(tg, "sendMessage"), kwargs={"chat_id": PRIVATE, "text": "hola"})
    worker.start()
    try:
        tg.wait_for("sendMessage", timeout=5)
        assert [m["text"] for m in tg.messages_in(PRIVATE)] == ["hola"]
    finally:
        worker.join(5)


# ------------------------------------------------------------------ message length


def test_text_length_is_counted_in_utf16_units(tg: FakeTelegramAPI) -> None:
    too_long = EMOJI + "x" * 4095  # 4,096 code points, 4,097 UTF-16 units
    assert len(too_long) == MAX_MESSAGE_LENGTH and utf16_len(too_long) == MAX_MESSAGE_LENGTH + 1
    assert _raw(tg, "sendMessage", chat_id=PRIVATE, text=too_long) == (
        400,
        _error(400, "Bad Request: message is too long"),
    )
    status, body = _raw(tg, "sendMessage", chat_id=PRIVATE, text=EMOJI * 2048)  # exactly 4,096 units
    assert status == 200 and body["result"]["text"] == EMOJI * 2048
    # Telegram trims the text before measuring it
    assert _raw(tg, "sendMessage", chat_id=PRIVATE, text=" \n" + "x" * 4096 + "\n ")[0] == 200


@pytest.mark.asyncio
async def test_html_text_length_is_measured_after_parsing(tg: FakeTelegramAPI) -> None:
    async with _bot(tg) as bot:
        # tags count nothing, an escape counts one, an emoji two
        fits = "<b>" + "&lt;" * 4094 + "</b>" + f"<i>{EMOJI}</i>"
        message = await bot.send_message(PRIVATE, fits, parse_mode="HTML")
        assert utf16_len(message.text or "") == 4096
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(PRIVATE, "&amp;" + fits, parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.edit_message_text("x" + EMOJI * 2048, chat_id=PRIVATE, message_id=message.message_id)
        edited = await bot.edit_message_text(EMOJI * 2048, chat_id=PRIVATE, message_id=message.message_id)
        assert isinstance(edited, type(message))
        assert edited.text == EMOJI * 2048


@pytest.mark.asyncio
async def test_caption_length_is_1024_utf16_units(tg: FakeTelegramAPI) -> None:
    async with _bot(tg) as bot:
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await bot.send_photo(PRIVATE, "AgACAgQAAx0-foto", caption=EMOJI + "x" * 1023)
        sent = await bot.send_photo(
            PRIVATE, "AgACAgQAAx0-foto", caption="<b>" + EMOJI * 512 + "</b>", parse_mode="HTML"
        )
        assert sent.caption == EMOJI * 512 and sent.caption_entities[0].length == 1024
        uploaded = await bot.send_document(PRIVATE, b"%PDF-1.4", filename="guia.pdf", caption="x" * 1024)
        assert uploaded.document is not None and uploaded.document.file_name == "guia.pdf"
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await bot.edit_message_caption(chat_id=PRIVATE, message_id=sent.message_id, caption="x" * 1025)
        edited = await bot.edit_message_caption(chat_id=PRIVATE, message_id=sent.message_id, caption="")
        assert isinstance(edited, type(sent)) and edited.caption is None
    assert _raw(tg, "sendPhoto", chat_id=PRIVATE, photo="AgAC", caption="y" * 1025) == (
        400,
        _error(400, "Bad Request: message caption is too long"),
    )


def test_check_text_is_the_fakes_validator() -> None:
    assert check_text("<b>a &amp; b</b>", "HTML") == ("a & b", [{"offset": 0, "length": 5, "type": "bold"}])
    assert check_text(EMOJI * 512, caption=True)[0] == EMOJI * 512
    cases: list[tuple[str, str | None, bool, str]] = [
        (EMOJI * 2049, None, False, "Bad Request: message is too long"),
        ("x" * 1025, None, True, "Bad Request: message caption is too long"),
        ("<b> </b>", "HTML", False, "Bad Request: message text is empty"),
        ("<b>x", "HTML", False, "Bad Request: can't parse entities: Can't find end tag"),
    ]
    for text, parse_mode, caption, description in cases:
        with pytest.raises(BotAPIError) as err:
            check_text(text, parse_mode, caption=caption)
        assert (err.value.code, err.value.description[: len(description)]) == (400, description)
    assert (MAX_MESSAGE_LENGTH, MAX_CAPTION_LENGTH, MAX_CALLBACK_DATA_BYTES) == (4096, 1024, 64)


# ------------------------------------------------------------------- callback data


@pytest.mark.asyncio
async def test_callback_data_is_limited_to_64_utf8_bytes(tg: FakeTelegramAPI) -> None:
    fits = "fb:" + "ñ" * 30 + "x"  # 34 characters, 64 bytes
    too_long = "fb:" + "ñ" * 31  # 34 characters, 65 bytes
    assert len(fits.encode()) == 64 and len(too_long.encode()) == 65
    async with _bot(tg) as bot:
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(
                PRIVATE,
                "hola",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data=too_long)]]),
            )
        sent = await bot.send_message(
            PRIVATE, "hola", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data=fits)]])
        )
        assert sent.reply_markup is not None
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.edit_message_reply_markup(
                chat_id=PRIVATE,
                message_id=sent.message_id,
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("No", callback_data="x" * 65)]]),
            )
    assert _raw(tg, "sendMessage", chat_id=PRIVATE, text="hola", reply_markup=_keyboard(EMOJI * 17)) == (
        400,
        _error(400, "Bad Request: BUTTON_DATA_INVALID"),
    )
    assert _raw(tg, "sendMessage", chat_id=PRIVATE, text="hola", reply_markup=_keyboard(EMOJI * 16))[0] == 200


def test_check_reply_markup_is_the_fakes_validator() -> None:
    check_reply_markup(_keyboard("x" * 64))
    check_reply_markup({"inline_keyboard": [[{"text": "BOE", "url": "https://www.boe.es"}]]})
    check_reply_markup(None)
    bad = {
        "BUTTON_DATA_INVALID": [_keyboard("x" * 65), _keyboard("")],
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard": [
            {"inline_keyboard": [[{"text": "solo texto"}]]}
        ],
        'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays': [
            {"inline_keyboard": [{"text": "x"}]}
        ],
        "can't parse inline keyboard button: InlineKeyboardButton must be an Object": [{"inline_keyboard": [["x"]]}],
        'can\'t parse inline keyboard button: Field "text" must be of type String': [
            {"inline_keyboard": [[{"callback_data": "x"}]]}
        ],
    }
    for reason, markups in bad.items():
        for markup in markups:
            with pytest.raises(BotAPIError) as err:
                check_reply_markup(markup)
            assert err.value.description == f"Bad Request: {reason}"


# ---------------------------------------------------------------- callback queries


@pytest.mark.asyncio
async def test_callback_query_can_be_answered_once_and_in_time(tg: FakeTelegramAPI) -> None:
    message = tg.message_update("hola")["message"]
    first = tg.callback_update("si", message=message)["callback_query"]["id"]
    late = tg.new_callback_query_id()
    async with _bot(tg) as bot:
        assert await bot.answer_callback_query(first, text="¡Gracias!")
        with pytest.raises(BadRequest, match="Query is too old"):  # answered twice
            await bot.answer_callback_query(first)
        with pytest.raises(BadRequest, match="Query is too old"):  # never issued
            await bot.answer_callback_query("123")
        tg.advance_time(15 * 60)
        on_time = tg.new_callback_query_id()
        tg.advance_time(15 * 60)  # exactly the time-to-live: still valid
        assert await bot.answer_callback_query(on_time)
        with pytest.raises(BadRequest, match="Query is too old"):  # 30 minutes old
            await bot.answer_callback_query(late)
        with pytest.raises(BadRequest, match="Message_too_long"):
            await bot.answer_callback_query(tg.new_callback_query_id(), text="x" * 201)
        assert await bot.answer_callback_query(tg.new_callback_query_id(), text="x" * 200)
    assert _raw(tg, "answerCallbackQuery", callback_query_id=late) == (400, _error(400, QUERY_INVALID))


def test_callback_query_ttl_is_configurable() -> None:
    with FakeTelegramAPI(clock=lambda: T0, callback_query_ttl=15) as tg:
        query = tg.new_callback_query_id()
        tg.advance_time(16)
        assert _raw(tg, "answerCallbackQuery", callback_query_id=query) == (400, _error(400, QUERY_INVALID))


# -------------------------------------------------------------------- blocked bot


@pytest.mark.asyncio
async def test_blocked_bot_gets_403(tg: FakeTelegramAPI) -> None:
    tg.block_bot(PRIVATE)
    async with _bot(tg) as bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(PRIVATE, "hola")
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_chat_action(PRIVATE, "typing")
        assert await bot.send_message(PRIVATE + 1, "hola")  # other chats are fine
        tg.unblock_bot(PRIVATE)
        assert await bot.send_message(PRIVATE, "hola")
    tg.block_bot(PRIVATE)
    assert _raw(tg, "sendMessage", chat_id=PRIVATE, text="hola") == (
        403,
        _error(403, "Forbidden: bot was blocked by the user"),
    )
    tg.block_bot(GROUP)
    assert _raw(tg, "sendMessage", chat_id=GROUP, text="hola") == (
        403,
        _error(403, "Forbidden: bot was kicked from the supergroup chat"),
    )
    assert tg.messages_in(PRIVATE)[-1]["text"] == "hola" and len(tg.messages_in(PRIVATE)) == 1


# ------------------------------------------------------------------ flood control


def _send(tg: FakeTelegramAPI, chat_id: int, text: str = "hola") -> tuple[int, dict[str, Any]]:
    return _raw(tg, "sendMessage", chat_id=chat_id, text=text)


def test_private_chat_allows_a_burst_then_one_message_per_second(tg: FakeTelegramAPI) -> None:
    for _ in range(10):
        assert _send(tg, PRIVATE)[0] == 200
    assert _send(tg, PRIVATE) == (429, _error(429, "Too Many Requests: retry after 1", retry_after=1))
    assert _send(tg, PRIVATE + 1)[0] == 200  # another chat has its own limit
    tg.advance_time(1)
    assert _send(tg, PRIVATE)[0] == 200
    assert _send(tg, PRIVATE)[0] == 429
    tg.advance_time(5)
    assert [_send(tg, PRIVATE)[0] for _ in range(6)] == [200] * 5 + [429]


def test_group_allows_20_messages_in_any_minute(tg: FakeTelegramAPI) -> None:
    for _ in range(20):
        assert _send(tg, GROUP)[0] == 200
    assert _send(tg, GROUP) == (429, _error(429, "Too Many Requests: retry after 60", retry_after=60))
    tg.advance_time(3)  # a leaky bucket (PTB's AIORateLimiter) would let one more through here
    assert _send(tg, GROUP) == (429, _error(429, "Too Many Requests: retry after 57", retry_after=57))
    assert _send(tg, -200300400)[0] == 200  # another group has its own minute
    tg.advance_time(57)
    assert [_send(tg, GROUP)[0] for _ in range(21)] == [200] * 20 + [429]


def test_group_window_slides(tg: FakeTelegramAPI) -> None:
    for _ in range(10):
        assert _send(tg, GROUP)[0] == 200
    tg.advance_time(30)
    for _ in range(10):
        assert _send(tg, GROUP)[0] == 200
    assert _send(tg, GROUP) == (429, _error(429, "Too Many Requests: retry after 30", retry_after=30))
    tg.advance_time(30)  # the first ten leave the window, the last ten stay
    assert [_send(tg, GROUP)[0] for _ in range(11)] == [200] * 10 + [429]


def test_overall_limit_is_about_30_messages_per_second(tg: FakeTelegramAPI) -> None:
    for chat in range(1, 31):
        assert _send(tg, chat)[0] == 200
    status, body = _send(tg, 31)
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    tg.advance_time(0.05)  # 30/s refills 1.5 messages
    assert [_send(tg, chat)[0] for chat in (32, 33)] == [200, 429]


def test_rejected_requests_do_not_count(tg: FakeTelegramAPI) -> None:
    for _ in range(25):
        assert _send(tg, GROUP, "x" * 4097)[0] == 400
    for _ in range(20):
        assert _send(tg, GROUP)[0] == 200


@pytest.mark.asyncio
async def test_chat_actions_count_only_when_configured() -> None:
    with FakeTelegramAPI(clock=lambda: T0) as tg:
        async with _bot(tg) as bot:
            for _ in range(25):
                assert await bot.send_chat_action(GROUP, "typing")
            assert await bot.send_message(GROUP, "respuesta")
    with FakeTelegramAPI(clock=lambda: T0, chat_actions_count=True) as tg:
        async with _bot(tg) as bot:
            for _ in range(19):
                assert await bot.send_chat_action(GROUP, "typing")
            assert await bot.send_message(GROUP, "respuesta")
            with pytest.raises(RetryAfter) as err:  # the "typing…" used up the group's minute
                await bot.send_message(GROUP, "otra")
            assert "retry in 60" in str(err.value).lower()
            with pytest.raises(RetryAfter):
                await bot.send_chat_action(GROUP, "typing")


def test_flood_rules_are_configurable_and_can_be_turned_off() -> None:
    rules = FloodRules(private=FloodRule(1, 1.0, burst=2), group=None, overall=None)
    with FakeTelegramAPI(clock=lambda: T0, flood_rules=rules) as tg:
        assert [_send(tg, PRIVATE)[0] for _ in range(3)] == [200, 200, 429]
        assert [_send(tg, GROUP)[0] for _ in range(30)] == [200] * 30
        tg.reset_flood_control()
        assert _send(tg, PRIVATE)[0] == 200
    with FakeTelegramAPI(clock=lambda: T0, flood_control=False) as tg:
        assert {_send(tg, GROUP)[0] for _ in range(40)} == {200}
    with pytest.raises(ValueError):
        FloodRule(0, 1.0)


# ------------------------------------------------------------------------ files


@pytest.mark.asyncio
async def test_get_file_serves_what_a_user_sent(tg: FakeTelegramAPI) -> None:
    update = tg.photo_update([b"small", b"large photo"], caption="@puedopublicar_bot ¿puedo?")
    message = update["message"]
    small, large = message["photo"]
    assert (small["width"], large["width"], large["file_size"]) == (320, 640, 11)
    assert message["caption_entities"] == [{"offset": 0, "length": 18, "type": "mention"}]
    async with _bot(tg) as bot:
        file = await bot.get_file(large["file_id"])
        assert (file.file_unique_id, file.file_size) == (large["file_unique_id"], 11)
        assert file.file_path == f"{tg.base_file_url}{tg.token}/photos/file_2.jpg"
        assert bytes(await file.download_as_bytearray()) == b"large photo"
        document = tg.document_update(b"%PDF-1.4", file_name="informe.pdf", mime_type="application/pdf")
        pdf = await bot.get_file(document["message"]["document"]["file_id"])
        assert pdf.file_path is not None and pdf.file_path.endswith("/documents/file_3.pdf")
        assert document["message"]["document"]["file_name"] == "informe.pdf"
        assert "caption" not in document["message"]


@pytest.mark.asyncio
async def test_get_file_refuses_unknown_and_too_big_files(tg: FakeTelegramAPI) -> None:
    big = tg.new_file(b"\0" * (MAX_DOWNLOAD_BYTES + 1))
    limit = tg.new_file(b"\0" * MAX_DOWNLOAD_BYTES)
    async with _bot(tg) as bot:
        with pytest.raises(BadRequest, match="Invalid file_id"):
            await bot.get_file("no-existe")
        with pytest.raises(BadRequest, match="File is too big"):
            await bot.get_file(big["file_id"])
        assert (await bot.get_file(limit["file_id"])).file_size == MAX_DOWNLOAD_BYTES
    assert _raw(tg, "getFile") == (400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"})
    with httpx.Client(**local_client_options(5.0)) as client:
        path = f"{tg.base_file_url}123456:OTRO/documents/file_2"
        assert client.get(path).status_code == 401
        assert client.get(f"{tg.base_file_url}{tg.token}/documents/file_99").status_code == 404


def test_media_updates_keep_telegrams_caption_limit(tg: FakeTelegramAPI) -> None:
    sticker = {
        "file_id": "S1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    update = tg.media_update("sticker", sticker, chat_type="supergroup")
    assert update["message"]["sticker"] == sticker and "text" not in update["message"]
    assert tg.media_update("video", {"file_id": "V1"}, caption="x" * MAX_CAPTION_LENGTH)["message"]["caption"]
    with pytest.raises(BotAPIError, match="message caption is too long"):
        tg.media_update("video", {"file_id": "V1"}, caption="x" * (MAX_CAPTION_LENGTH + 1))
