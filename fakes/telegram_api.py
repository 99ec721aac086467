"""A fake Telegram Bot API for tests, plus update builders and a webhook helper.

Point a real python-telegram-bot 22 ``Bot``/``Application`` at
:class:`FakeTelegramAPI`::

    with FakeTelegramAPI() as tg:
        app = (
            Application.builder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )

How PTB 22 talks to the Bot API (the fake accepts all of it):

* URL = ``base_url + token + "/" + method``: PTB appends the token to
  ``base_url`` (default ``"https://api.telegram.org/bot"``) unless it contains
  ``{token}``; so :attr:`FakeTelegramAPI.base_url` is
  ``"http://127.0.0.1:<port>/bot"``. File URLs likewise from ``base_file_url``.
* Always ``POST``, body ``application/x-www-form-urlencoded`` where each value
  is JSON-encoded **except strings, which are sent raw** (so ``chat_id=42``,
  ``reply_markup={"inline_keyboard": ...}``, ``text=hola``); with file uploads
  ``multipart/form-data``. The fake decodes values back to Python objects.
* Errors: 401/404 -> ``InvalidToken``, 400 -> ``BadRequest``, 403 ->
  ``Forbidden``, 409 -> ``Conflict``, and ``parameters.retry_after`` ->
  ``RetryAfter``.

Limits enforced like Telegram (same HTTP status and ``description``):

* text 1-4,096 and captions 0-1,024 **UTF-16 code units** after entity parsing
  and trimming ("Bad Request: message is too long" / "message caption is too
  long"): an emoji counts 2, ``<b>`` and ``&amp;`` count 0 and 1
  (:func:`check_text`, usable without a server);
* ``callback_data`` 1-64 **UTF-8 bytes** ("Bad Request: BUTTON_DATA_INVALID";
  :func:`check_reply_markup`);
* ``answerCallbackQuery`` only for a query built by :meth:`FakeTelegramAPI.callback_update`
  (or :meth:`FakeTelegramAPI.new_callback_query_id`), once, within
  ``callback_query_ttl`` seconds of fake time; otherwise "Bad Request: query is
  too old and response timeout expired or query ID is invalid";
* a chat whose user blocked the bot (:meth:`FakeTelegramAPI.block_bot`): 403
  "Forbidden: bot was blocked by the user";
* files (:meth:`FakeTelegramAPI.new_file`, used by :meth:`FakeTelegramAPI.photo_update` and
  :meth:`FakeTelegramAPI.document_update`): ``getFile`` needs a known ``file_id`` ("Bad
  Request: invalid file_id") and refuses files over :data:`MAX_DOWNLOAD_BYTES` ("Bad
  Request: file is too big"), as Telegram does for bots; the file is then served at
  ``base_file_url + token + "/" + file_path`` (401 with another token, 404 for an unknown path);
* flood control (:class:`FloodRules`, on by default): per private chat about 1
  message/s with short bursts, per group 20 messages in any minute, overall about
  30 messages/s; beyond that HTTP 429 "Too Many Requests: retry after N" with
  ``parameters.retry_after``. Chat actions count only with
  ``chat_actions_count=True``. Fake time is ``clock() +`` :meth:`FakeTelegramAPI.advance_time`.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import httpx

from fakes._base import (
    CallLog,
    FakeHTTPServer,
    RawRequest,
    RawResponse,
    local_client_options,
    local_post,
    parse_form,
    parse_multipart,
)

__all__ = [
    "DEFAULT_FLOOD_RULES",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_DOWNLOAD_BYTES",
    "MAX_MESSAGE_LENGTH",
    "BotAPIError",
    "Call",
    "FakeTelegramAPI",
    "FloodRule",
    "FloodRules",
    "TelegramHTMLError",
    "carry_out_webhook_reply",
    "check_reply_markup",
    "check_text",
    "parse_telegram_html",
    "post_webhook_update",
    "post_webhook_update_async",
    "utf16_len",
    "webhook_reply_call",
]

DEFAULT_TOKEN = "123456:TEST-token"
BOT_USERNAME = "puedopublicar_bot"
#: Text of a message, in UTF-16 code units after entity parsing.
MAX_MESSAGE_LENGTH = 4096
#: Caption of a photo/document, in UTF-16 code units after entity parsing.
MAX_CAPTION_LENGTH = 1024
#: ``callback_data`` of an inline button, in UTF-8 bytes.
MAX_CALLBACK_DATA_BYTES = 64
#: Text of an ``answerCallbackQuery`` notification, in characters.
MAX_CALLBACK_ANSWER_LENGTH = 200
#: Default lifetime of a callback query id (fake time, seconds).
CALLBACK_QUERY_TTL = 15 * 60
#: The largest file a bot can download with ``getFile``.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

# Parameters that are strings in the Bot API: PTB sends them raw, never as JSON.
STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "action",
        "language_code",
        "business_connection_id",
        "ip_address",
        "message_effect_id",
        "data",
        "emoji",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "photo",
        "document",
        "file_id",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
#: What a blocked (private) or kicked (group) bot gets, by chat type.
FORBIDDEN = {
    "private": "Forbidden: bot was blocked by the user",
    "group": "Forbidden: bot was kicked from the group chat",
    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
    "channel": "Forbidden: bot is not a member of the channel chat",
}
#: Methods that send a message (and count for flood control).
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
#: Fields of an inline keyboard button that give it an action.
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


@dataclass(frozen=True)
class Call:
    """One Bot API request: canonical method name and decoded parameters."""

    method: str
    params: dict[str, Any]


class BotAPIError(Exception):
    """A Bot API error: ``code`` (HTTP status), ``description`` as Telegram words it.

    Raised by the method handlers (the fake turns it into the error response) and by
    :func:`check_text` / :func:`check_reply_markup`.
    """

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def response(self) -> RawResponse:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return RawResponse(self.code, payload)


def _bad_request(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


# ------------------------------------------------------------- HTML parsing


class TelegramHTMLError(ValueError):
    """Telegram's "can't parse entities" reason, worded like the real API."""


_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the parsed text
    language: str | None = None  # set by <code class="language-x"> inside <pre>


class _TelegramHTMLParser(HTMLParser):
    """Telegram's HTML parse mode on top of :class:`html.parser.HTMLParser`.

    Produces the plain text and the entities; raises :class:`TelegramHTMLError`
    with the wording (and UTF-8 byte offsets) of Telegram's parser.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.parts: list[str] = []
        self.length = 0  # UTF-16 units emitted so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    # positions

    def _index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def _stray_lt(self, index: int) -> TelegramHTMLError:
        """Explain a ``<`` that is not a well-formed tag, as Telegram would."""
        offset = self._byte_offset(index)
        rest = self.source[index + 1 :]
        if rest.startswith("/"):
            if not self.stack or ">" in rest:
                return TelegramHTMLError(f"Unexpected end tag at byte offset {offset}")
            return TelegramHTMLError(f"Unclosed end tag at byte offset {offset}")
        name = re.match(r"[^\s>]*", rest)
        tag = name.group(0) if name else ""
        if len(tag) == len(rest):
            return TelegramHTMLError(f"Unclosed start tag at byte offset {offset}")
        if tag.lower() not in _ALLOWED_TAGS:
            return TelegramHTMLError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        return TelegramHTMLError(f"Unclosed start tag at byte offset {offset}")

    # HTMLParser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._byte_offset(self._index())
        if tag not in _ALLOWED_TAGS:
            raise TelegramHTMLError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attributes = {k: v or "" for k, v in attrs}
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise TelegramHTMLError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise TelegramHTMLError("Invalid custom emoji identifier specified")
        self.stack.append(_OpenTag(tag, attributes, self.length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._byte_offset(self._index())
        raise TelegramHTMLError(f'Unsupported start tag "{tag}/" at byte offset {offset}')

    def handle_endtag(self, tag: str) -> None:
        offset = self._byte_offset(self._index())
        if not self.stack:
            raise TelegramHTMLError(f"Unexpected end tag at byte offset {offset}")
        top = self.stack[-1]
        if top.name != tag:
            raise TelegramHTMLError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", found "</{tag}>"'
            )
        self.stack.pop()
        self._close_entity(top)

    def _close_entity(self, tag: _OpenTag) -> None:
        length = self.length - tag.start
        css = tag.attrs.get("class", "")
        if tag.name == "code" and css.startswith("language-") and self.stack:
            parent = self.stack[-1]
            if parent.name == "pre" and parent.start == tag.start:
                parent.language = css.removeprefix("language-")
                return
        if length == 0:
            return
        entity: dict[str, Any] = {"offset": tag.start, "length": length}
        if tag.name == "a":
            href = tag.attrs.get("href", "")
            if not href:
                return
            entity["type"] = "text_link"
            entity["url"] = href
        elif tag.name == "blockquote":
            expandable = "expandable" in tag.attrs
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        elif tag.name == "tg-emoji":
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        else:
            entity["type"] = _ENTITY_TYPES[tag.name]
            if tag.name == "pre" and tag.language:
                entity["language"] = tag.language
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise self._stray_lt(self._index() + data.index("<"))
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        if name in _NAMED_ENTITIES:
            self._emit(_NAMED_ENTITIES[name])
            return
        # Telegram keeps unknown named entities literally.
        index = self._index()
        end = index + 1 + len(name)
        if self.source[end : end + 1] == ";":
            end += 1
        self._emit(self.source[index:end])

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            char = chr(code)
        except (ValueError, OverflowError):
            char = f"&#{name};"
        if 0xD800 <= ord(char[0]) <= 0xDFFF and len(char) == 1:
            raise TelegramHTMLError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        self._emit(char)

    # Comments, declarations and processing instructions are unsupported tags.

    def handle_comment(self, data: str) -> None:
        raise self._stray_lt(self._index())

    def handle_decl(self, decl: str) -> None:
        raise self._stray_lt(self._index())

    def handle_pi(self, data: str) -> None:
        raise self._stray_lt(self._index())

    def unknown_decl(self, data: str) -> None:
        raise self._stray_lt(self._index())


def parse_telegram_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``parse_mode="HTML"`` text like Telegram: ``(plain_text, entities)``.

    Raises :class:`TelegramHTMLError` (the part after ``can't parse entities:``).
    """
    parser = _TelegramHTMLParser(source)
    parser.feed(source)
    parser.close()
    if parser.stack:
        raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1].name}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), entities


# ------------------------------------------------------------ validation


def check_text(
    text: Any,
    parse_mode: str | None = None,
    *,
    entities: list[dict[str, Any]] | None = None,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Validate a message text (or, with ``caption=True``, a caption) like Telegram.

    Returns ``(plain_text, entities)``; raises :class:`BotAPIError` (400) with Telegram's
    description: "can't parse entities: ...", "message text is empty", "message is too
    long" (> :data:`MAX_MESSAGE_LENGTH`) or "message caption is too long" (>
    :data:`MAX_CAPTION_LENGTH`). Lengths are UTF-16 code units of the text after entity
    parsing, without leading and trailing whitespace (Telegram trims it). Usable without
    a server, e.g. on every message a renderer produces.
    """
    if text is None:
        if caption:
            return "", []
        raise _bad_request("message text is empty")
    plain = str(text)
    found: list[dict[str, Any]] = list(entities or [])
    if str(parse_mode or "").lower() == "html":
        try:
            plain, found = parse_telegram_html(plain)
        except TelegramHTMLError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
    length = utf16_len(plain.strip())
    if caption:
        if length > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return plain, found
    if length == 0:
        raise _bad_request("message text is empty")
    if length > MAX_MESSAGE_LENGTH:
        raise _bad_request("message is too long")
    return plain, found


def check_reply_markup(markup: Any) -> None:
    """Validate an inline keyboard like Telegram (other markups are not checked).

    Raises :class:`BotAPIError` (400): "BUTTON_DATA_INVALID" for a ``callback_data``
    that is not 1-:data:`MAX_CALLBACK_DATA_BYTES` UTF-8 bytes, "can't parse inline
    keyboard button: Text buttons are unallowed in the inline keyboard" for a button
    without an action, and Telegram's parse errors for a malformed keyboard.
    """
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            if not isinstance(button.get("text"), str):
                raise _bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
            if not BUTTON_ACTIONS & button.keys():
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")


# ---------------------------------------------------------- flood control


@dataclass(frozen=True)
class FloodRule:
    """``limit`` messages per ``period`` seconds.

    Without ``burst``: a sliding window, at most ``limit`` messages in any ``period``
    seconds. With ``burst``: a token bucket holding up to ``burst`` messages, refilled
    at ``limit / period`` per second (so short bursts pass, the sustained rate does not).
    """

    limit: int
    period: float
    burst: int | None = None

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0 or (self.burst is not None and self.burst < 1):
            raise ValueError("a flood rule needs limit >= 1, period > 0 and burst >= 1")


@dataclass(frozen=True)
class FloodRules:
    """Telegram's flood limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

    * ``private``: "avoid sending more than one message per second" in a chat, short bursts
      tolerated: a bucket of ``burst`` messages refilled at 1/s;
    * ``group``: "not more than 20 messages per minute" in a group: a sliding window (a
      leaky bucket of 20 per 60 s, like PTB's ``AIORateLimiter``, lets ~39 through in the
      first minute, and Telegram answers 429 to that);
    * ``overall``: "not more than 30 messages per second or so" for the whole bot: a
      bucket of 30 refilled at 30/s.

    ``None`` disables a rule. Only sent messages count (a rejected request does not).
    """

    private: FloodRule | None = FloodRule(1, 1.0, burst=10)
    group: FloodRule | None = FloodRule(20, 60.0)
    overall: FloodRule | None = FloodRule(30, 1.0, burst=30)


DEFAULT_FLOOD_RULES = FloodRules()


class _Limiter:
    """The state of one :class:`FloodRule` for one key (a chat, or the whole bot)."""

    def __init__(self, rule: FloodRule, now: float) -> None:
        self.rule = rule
        self.events: deque[float] = deque()  # sliding window
        self.tokens = float(rule.burst or 0)  # token bucket
        self.updated = now

    def _refill(self, now: float) -> None:
        rule = self.rule
        if rule.burst is None:
            while self.events and now - self.events[0] >= rule.period:
                self.events.popleft()
            return
        elapsed = max(now - self.updated, 0.0)
        self.tokens = min(float(rule.burst), self.tokens + elapsed * rule.limit / rule.period)
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one more message is allowed (0: allowed now)."""
        self._refill(now)
        rule = self.rule
        if rule.burst is None:
            if len(self.events) < rule.limit:
                return 0.0
            return self.events[len(self.events) - rule.limit] + rule.period - now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) * rule.period / rule.limit

    def record(self, now: float) -> None:
        self._refill(now)
        if self.rule.burst is None:
            self.events.append(now)
        else:
            self.tokens -= 1.0

    def idle(self, now: float) -> bool:
        """Nothing left to remember (the state can be dropped)."""
        self._refill(now)
        return not self.events if self.rule.burst is None else self.tokens >= float(self.rule.burst)


def _flood_error(wait: float) -> BotAPIError:
    retry_after = max(math.ceil(wait), 1)
    return BotAPIError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


# ---------------------------------------------------------------- the fake

Method = Callable[[dict[str, Any]], Any]


class FakeTelegramAPI(FakeHTTPServer):
    """A threaded fake of the Telegram Bot API on 127.0.0.1.

    ``token``: the only accepted bot token; others get HTTP 401 (PTB raises
    ``telegram.error.InvalidToken``). The bot's id is the token's numeric prefix.

    ``flood_control``: answer 429 beyond ``flood_rules`` (see :class:`FloodRules`).
    ``chat_actions_count``: whether ``sendChatAction`` counts (and can be refused) like a
    message. Telegram documents limits on messages only, but in practice "typing…" used
    up a group's 20 per minute; with ``True`` a test can reproduce that.
    ``callback_query_ttl``: how long (fake time) a callback query can be answered.
    ``clock``: the fake's time source (seconds); :meth:`advance_time` adds to it.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = BOT_USERNAME,
        flood_control: bool = True,
        flood_rules: FloodRules = DEFAULT_FLOOD_RULES,
        chat_actions_count: bool = False,
        callback_query_ttl: float = CALLBACK_QUERY_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.token = token
        self.flood_control = flood_control
        self.flood_rules = flood_rules
        self.chat_actions_count = chat_actions_count
        self.callback_query_ttl = callback_query_ttl
        self._clock = clock
        self._time_offset = 0.0
        prefix = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": "Puedo publicar",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._log: CallLog[Call] = CallLog()
        self._cond = threading.Condition()  # guards all state below
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._chats: dict[str, dict[str, Any]] = {}
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._failures: dict[str, deque[BotAPIError]] = defaultdict(deque)
        self._files: dict[str, bytes] = {}  # file_path -> content
        self._file_ids: dict[str, str] = {}  # file_id -> file_path
        self._file_counter = itertools.count(1)
        self._blocked: set[str] = set()
        self._callback_queries: dict[str, float] = {}  # id -> fake time it was created
        self._limiters: dict[tuple[str, str], _Limiter] = {}  # (rule, key) -> state
        self._flood_checks = 0
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._methods: dict[str, Method] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "answerCallbackQuery": self._answer_callback_query,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "close": self._true,
            "logOut": self._true,
        }
        # The Bot API matches method names case-insensitively.
        self._by_lower = {name.lower(): name for name in self._methods}

    # ----------------------------------------------------------------- URLs

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` / ``ApplicationBuilder.base_url``: ``.../bot``."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``Bot(base_file_url=...)``: ``http://127.0.0.1:<port>/file/bot``."""
        return f"{self.root_url}/file/bot"

    # ------------------------------------------------------------ recording

    @property
    def calls(self) -> list[Call]:
        """Every call so far (a snapshot), oldest first."""
        return self._log.all()

    def calls_to(self, method: str) -> list[Call]:
        """The calls to ``method`` (canonical camelCase name), oldest first."""
        return self._log.to(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` arrived (``AssertionError`` on timeout).

        Do not call it from a coroutine running PTB's loop: use
        :meth:`wait_for_async` there, or the bot's handlers will never run.
        """
        return self._log.wait_for(method, count, timeout)

    async def wait_for_async(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """:meth:`wait_for` for async tests, without blocking the event loop."""
        return await self._wait_in_thread(self._log, method, count, timeout)

    def clear_calls(self) -> None:
        """Forget the recorded calls (updates, chats and messages are kept)."""
        self._log.clear()

    # ------------------------------------------------------ test controls

    def fail_next(
        self,
        method: str,
        retry_after: int = 1,
        *,
        error_code: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next call to ``method`` fail once.

        By default a flood-control 429 with ``parameters.retry_after`` (PTB
        raises ``RetryAfter``). With ``error_code`` (and ``description``) any
        other error, e.g. ``error_code=403, description="Forbidden: bot was
        blocked by the user"``.
        """
        if error_code is None:
            error = BotAPIError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        else:
            error = BotAPIError(error_code, description or f"Error {error_code}")
        with self._cond:
            self._failures[method].append(error)

    def block_bot(self, chat_id: int | str) -> None:
        """The user of ``chat_id`` blocks the bot (in a group: the bot is kicked).

        Sending to, or editing in, that chat then fails with 403 ("Forbidden: bot was
        blocked by the user" in a private chat); PTB raises ``telegram.error.Forbidden``.
        """
        with self._cond:
            self._blocked.add(str(chat_id))

    def unblock_bot(self, chat_id: int | str) -> None:
        """Undo :meth:`block_bot`."""
        with self._cond:
            self._blocked.discard(str(chat_id))

    def now(self) -> float:
        """The fake's current time: ``clock()`` plus every :meth:`advance_time`."""
        return self._clock() + self._time_offset

    def advance_time(self, seconds: float) -> None:
        """Move the fake's time forward: flood windows refill, callback queries age."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._cond:
            self._time_offset += seconds

    def reset_flood_control(self) -> None:
        """Forget every message counted for flood control."""
        with self._cond:
            self._limiters.clear()

    def new_callback_query_id(self) -> str:
        """A fresh callback query id that ``answerCallbackQuery`` accepts (once, in time).

        :meth:`callback_update` uses it; call it directly to answer a query with a bare ``Bot``.
        """
        with self._cond:
            return self._new_callback_query_id_locked()

    def _new_callback_query_id_locked(self) -> str:
        query_id = str(4_000_000_000 + next(self._callback_ids))
        self._callback_queries[query_id] = self.now()
        return query_id

    def add_chat(self, chat_id: int | str, chat_type: str = "private", **fields: Any) -> dict[str, Any]:
        """Register a chat; messages sent to ``chat_id`` will carry it."""
        chat = _default_chat(chat_id, chat_type) | fields
        with self._cond:
            self._chats[str(chat_id)] = chat
        return dict(chat)

    def chat(self, chat_id: int | str) -> dict[str, Any]:
        """The registered chat, or the default one for ``chat_id``."""
        with self._cond:
            return dict(self._chat_locked(chat_id))

    def get_message(self, chat_id: int | str, message_id: int) -> dict[str, Any] | None:
        """The current state of a stored message (after edits), or None."""
        with self._cond:
            message = self._messages.get((str(chat_id), message_id))
            return dict(message) if message is not None else None

    def messages_in(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Stored messages of a chat (the bot's and the built user ones), oldest first."""
        with self._cond:
            found = [dict(m) for (chat, _), m in self._messages.items() if chat == str(chat_id)]
        return sorted(found, key=lambda m: int(m["message_id"]))

    def add_file(self, file_path: str, content: bytes) -> str:
        """Serve ``content`` at ``base_file_url + token + "/" + file_path``."""
        with self._cond:
            self._files[file_path] = content
        return f"{self.base_file_url}{self.token}/{file_path}"

    def new_file(self, content: bytes, *, folder: str = "documents", suffix: str = "") -> dict[str, Any]:
        """Store a file a user sent; returns its ``{file_id, file_unique_id, file_size}`` (what a
        ``PhotoSize`` or a ``Document`` carries), which ``getFile`` then resolves."""
        with self._cond:
            number = next(self._file_counter)
            file_id = f"AgAC{number:06d}-fake-file-id"
            path = f"{folder}/file_{number}{suffix}"
            self._files[path] = content
            self._file_ids[file_id] = path
        return {"file_id": file_id, "file_unique_id": f"AQAD{number:06d}", "file_size": len(content)}

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates not yet confirmed by a ``getUpdates`` offset."""
        with self._cond:
            return list(self._updates)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for ``getUpdates`` (adds an ``update_id`` if missing)."""
        with self._cond:
            if "update_id" not in update:
                update = {"update_id": next(self._update_ids)} | update
            self._updates.append(update)
            self._updates.sort(key=lambda u: int(u["update_id"]))
            self._cond.notify_all()
        return update

    # ------------------------------------------------------- update builders

    def user(self, user_id: int = 424242, username: str | None = "usuaria_prueba") -> dict[str, Any]:
        """A Telegram ``User`` object for a human."""
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Ana",
            "last_name": "Prueba",
            "language_code": "es",
        }
        if username:
            user["username"] = username
        return user

    def message_update(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int = 424242,
        username: str | None = "usuaria_prueba",
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """A ``message`` update (not queued: pass it to :meth:`push_update`).

        ``chat_id`` defaults to ``user_id`` in private chats and to a fixed
        negative id otherwise. Unless ``entities`` is given, a ``bot_command``
        entity is added when the text starts with ``/`` and a ``mention`` for
        each ``@<bot username>`` (offsets in UTF-16 units, as Telegram does).
        The chat is registered and the message stored, so the bot can reply to it.
        """
        found = self._auto_entities(text) if entities is None else entities
        body: dict[str, Any] = {"text": text, **({"entities": found} if found else {})}
        return self._message_update(
            body,
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
            username=username,
            reply_to=reply_to,
            message_id=message_id,
        )

    def photo_update(self, sizes: bytes | list[bytes], *, caption: str | None = None, **where: Any) -> dict[str, Any]:
        """A photo message: ``sizes`` are the photo's versions, smallest first (Telegram sends
        several; one is enough), each stored for ``getFile``. ``where``: as for
        :meth:`message_update` (chat, user, ``reply_to``…)."""
        versions = [sizes] if isinstance(sizes, bytes) else sizes
        photo = []
        for number, content in enumerate(versions):
            width = 320 * (number + 1)
            photo.append(
                self.new_file(content, folder="photos", suffix=".jpg") | {"width": width, "height": width * 3 // 4}
            )
        return self.media_update("photo", photo, caption=caption, **where)

    def document_update(
        self,
        content: bytes,
        *,
        file_name: str,
        mime_type: str | None,
        caption: str | None = None,
        **where: Any,
    ) -> dict[str, Any]:
        """A file sent as a document (a PDF, a photo sent uncompressed…), stored for ``getFile``."""
        suffix = "." + file_name.rpartition(".")[2] if "." in file_name else ""
        document = self.new_file(content, suffix=suffix) | {"file_name": file_name}
        if mime_type is not None:
            document["mime_type"] = mime_type
        return self.media_update("document", document, caption=caption, **where)

    def media_update(
        self,
        field: str,
        media: dict[str, Any] | list[dict[str, Any]],
        *,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        **where: Any,
    ) -> dict[str, Any]:
        """A message carrying ``media`` in ``field`` (``"photo"``, ``"document"``, ``"video"``,
        ``"sticker"``…) and an optional caption (with mention entities added as in
        :meth:`message_update`). Captions are limited like Telegram's (1,024 UTF-16 units)."""
        body: dict[str, Any] = {field: media}
        if caption is not None:
            check_text(caption, caption=True)
            body["caption"] = caption
            found = self._auto_entities(caption) if caption_entities is None else caption_entities
            if found:
                body["caption_entities"] = found
        return self._message_update(body, **where)

    def _message_update(
        self,
        body: dict[str, Any],
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int = 424242,
        username: str | None = "usuaria_prueba",
        reply_to: dict[str, Any] | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        if chat_id is None:
            chat_id = user_id if chat_type == "private" else _DEFAULT_GROUP_IDS[chat_type]
        with self._cond:
            chat = self._chats.get(str(chat_id))
            if chat is None or chat["type"] != chat_type:
                chat = _default_chat(chat_id, chat_type)
                if chat_type == "private":
                    chat |= {"first_name": "Ana", "last_name": "Prueba"}
                    if username:
                        chat["username"] = username
                self._chats[str(chat_id)] = chat
            message: dict[str, Any] = {
                "message_id": message_id or next(self._message_ids),
                "from": self.user(user_id, username),
                "chat": dict(chat),
                "date": int(time.time()),
                **body,
            }
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._messages[(str(chat_id), message["message_id"])] = message
            return {"update_id": next(self._update_ids), "message": message}

    def callback_update(self, data: str, *, message: dict[str, Any], user_id: int = 424242) -> dict[str, Any]:
        """A ``callback_query`` update for a button with ``callback_data == data``
        pressed on ``message`` (typically a message the bot sent).

        Its id is registered: ``answerCallbackQuery`` accepts it once, within
        ``callback_query_ttl`` seconds of fake time (see :meth:`advance_time`)."""
        with self._cond:
            query = {
                "id": self._new_callback_query_id_locked(),
                "from": self.user(user_id),
                "message": message,
                "chat_instance": "-4242424242424242424",
                "data": data,
            }
            return {"update_id": next(self._update_ids), "callback_query": query}

    def _auto_entities(self, text: str) -> list[dict[str, Any]]:
        entities: list[dict[str, Any]] = []
        command_end = 0
        command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
        if command:
            command_end = command.end()
            entities.append(
                {
                    "offset": 0,
                    "length": utf16_len(command.group()),
                    "type": "bot_command",
                }
            )
        mention = re.compile(rf"(?<![\w@])@{re.escape(self.bot_user['username'])}(?!\w)", re.IGNORECASE)
        for match in mention.finditer(text, command_end):
            entities.append(
                {
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                    "type": "mention",
                }
            )
        return entities

    # ------------------------------------------------------------- serving

    def on_stop(self) -> None:
        with self._cond:
            self._cond.notify_all()  # release long polls

    def handle(self, request: RawRequest) -> RawResponse:
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", request.path)
        if file_match:  # PTB percent-encodes the path (the token's ":" too), as any client may
            return self._serve_file(unquote(file_match.group(1)), unquote(file_match.group(2)))
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)", request.path)
        if match is None:
            return BotAPIError(404, "Not Found").response()
        token, raw_method = match.groups()
        method = self._by_lower.get(raw_method.lower(), raw_method)
        params = _decode_params(request)
        try:
            return self._call(token, method, params)
        finally:  # logged once handled, so a test woken by the call sees what it changed
            self._log.append(Call(method, params))

    def _call(self, token: str, method: str, params: dict[str, Any]) -> RawResponse:
        if token != self.token:
            return BotAPIError(401, "Unauthorized").response()
        with self._cond:
            queue = self._failures.get(method)
            injected = queue.popleft() if queue else None
        if injected is not None:
            return injected.response()
        handler = self._methods.get(method)
        if handler is None:
            return BotAPIError(404, "Not Found: method not found").response()
        try:
            result = handler(params)
        except BotAPIError as error:
            return error.response()
        return RawResponse(200, {"ok": True, "result": result})

    def _serve_file(self, token: str, file_path: str) -> RawResponse:
        with self._cond:
            content = self._files.get(file_path)
        if token != self.token:
            return BotAPIError(401, "Unauthorized").response()
        if content is None:
            return BotAPIError(404, "Not Found").response()
        return RawResponse(200, content)

    # ------------------------------------------------------------- methods

    @staticmethod
    def _true(params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int_param(params, "offset")
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        deadline = time.monotonic() + min(timeout, 1.0)
        with self._cond:
            if self.webhook_url:
                raise BotAPIError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if offset is not None:
                if offset < 0:  # the last -offset updates; older ones are forgotten
                    del self._updates[: max(len(self._updates) + offset, 0)]
                else:  # confirms every update below offset
                    self._updates[:] = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self.stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return list(self._updates[:limit])

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        with self._cond:
            path = self._file_ids.get(file_id)
            content = self._files.get(path) if path is not None else None
        if path is None or content is None:
            raise _bad_request("invalid file_id")
        if len(content) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        unique = next((f"AQAD{n}" for n in re.findall(r"^AgAC(\d+)-", file_id)), file_id)
        return {"file_id": file_id, "file_unique_id": unique, "file_size": len(content), "file_path": path}

    def _chat_locked(self, chat_id: Any) -> dict[str, Any]:
        """The registered chat, else a default by the id's sign (400 for unknown @names)."""
        chat = self._chats.get(str(chat_id))
        if chat is not None:
            return chat
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, int) and chat_id > 0:
            return _default_chat(chat_id, "private")
        if isinstance(chat_id, int):
            return _default_chat(chat_id, "supergroup" if str(chat_id).startswith("-100") else "group")
        raise _bad_request("chat not found")

    def _parse_text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """Validate ``text`` like Telegram: entity parsing, emptiness, length."""
        return check_text(params.get("text"), params.get("parse_mode"), entities=params.get("entities"))

    def _parse_caption(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """Validate ``caption`` like Telegram: entity parsing, length (may be empty)."""
        return check_text(
            params.get("caption"), params.get("parse_mode"), entities=params.get("caption_entities"), caption=True
        )

    @staticmethod
    def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
        """The validated inline keyboard of a request (other markups are not echoed)."""
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None

    def _target_chat_locked(self, chat_id: Any) -> dict[str, Any]:
        """The chat a message goes to: 400 without one, 403 if the bot was blocked there."""
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        chat = self._chat_locked(chat_id)
        if str(chat["id"]) in self._blocked or str(chat_id) in self._blocked:
            raise BotAPIError(403, FORBIDDEN.get(str(chat["type"]), FORBIDDEN["private"]))
        return chat

    def _admit_locked(self, chat: dict[str, Any]) -> None:
        """Count one message to ``chat`` for flood control, or raise the 429."""
        if not self.flood_control:
            return
        now = self.now()
        rules = self.flood_rules
        chat_rule = rules.private if chat["type"] == "private" else rules.group
        wanted = [("overall", "", rules.overall), ("chat", str(chat["id"]), chat_rule)]
        limiters = []
        for name, key, rule in wanted:
            if rule is None:
                continue
            limiter = self._limiters.get((name, key))
            if limiter is None or limiter.rule != rule:
                limiter = self._limiters[(name, key)] = _Limiter(rule, now)
            limiters.append(limiter)
        wait = max((limiter.wait(now) for limiter in limiters), default=0.0)
        if wait > 0:
            raise _flood_error(wait)
        for limiter in limiters:
            limiter.record(now)
        self._flood_checks += 1
        if self._flood_checks % 1000 == 0:  # forget chats that are quiet again
            for quiet in [k for k, limiter in self._limiters.items() if limiter.idle(now)]:
                del self._limiters[quiet]

    def _new_message_locked(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """A message from the bot to ``chat`` (reply, thread and inline keyboard from ``params``).

        Raises before counting it for flood control if the replied-to message is missing.
        """
        message: dict[str, Any] = {
            "message_id": 0,
            "from": _bot_from(self.bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        markup = self._inline_markup(params)
        if markup is not None:
            message["reply_markup"] = markup  # only inline keyboards are echoed
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
        reply = self._reply_target_locked(chat["id"], params)
        if reply is not None:
            message["reply_to_message"] = reply
        self._admit_locked(chat)
        message["message_id"] = next(self._message_ids)
        self._messages[(str(chat["id"]), message["message_id"])] = message
        return message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._parse_text(params)
        with self._cond:
            chat = self._target_chat_locked(params.get("chat_id"))
            message = self._new_message_locked(chat, params)
            message["text"] = text
            if entities:
                message["entities"] = entities
            return dict(message)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "photo")

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "document")

    def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """``sendPhoto``/``sendDocument``: a file id, URL or upload, and a caption."""
        if not params.get(kind):
            raise _bad_request(f"there is no {kind} in the request")
        caption, entities = self._parse_caption(params)
        with self._cond:
            chat = self._target_chat_locked(params.get("chat_id"))
            message = self._new_message_locked(chat, params)
            file_id = f"{kind}-{message['message_id']}"
            if kind == "photo":
                message["photo"] = [{"file_id": file_id, "file_unique_id": file_id, "width": 640, "height": 480}]
            else:
                upload = params[kind]
                name = upload.get("filename") if isinstance(upload, dict) else None
                message["document"] = {"file_id": file_id, "file_unique_id": file_id, "file_name": name or "file"}
            if caption:
                message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
            return dict(message)

    def _reply_target_locked(self, chat_id: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
            chat_id = reply_parameters.get("chat_id", chat_id)
        else:
            reply_id = params.get("reply_to_message_id")
            allow_missing = bool(params.get("allow_sending_without_reply"))
        if reply_id is None:
            return None
        target = self._messages.get((str(chat_id), int(reply_id)))
        if target is None:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        with self._cond:
            chat = self._target_chat_locked(params.get("chat_id"))
            if self.chat_actions_count:
                self._admit_locked(chat)
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        """Once per query built by :meth:`callback_update`, within ``callback_query_ttl``."""
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        with self._cond:
            created = self._callback_queries.pop(str(params.get("callback_query_id") or ""), None)
            if created is None or self.now() - created > self.callback_query_ttl:
                raise _bad_request(QUERY_INVALID)
        return True

    def _editable_locked(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """The stored bot message to edit, or None for inline messages."""
        if params.get("inline_message_id"):
            return None
        self._target_chat_locked(params.get("chat_id"))
        key = (str(params.get("chat_id")), _int_param(params, "message_id") or 0)
        message = self._messages.get(key)
        if message is None:
            raise _bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        return message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text, entities = self._parse_text(params)
        new_markup = self._inline_markup(params)
        with self._cond:
            message = self._editable_locked(params)
            if message is None:
                return True
            if "text" not in message:
                raise _bad_request("there is no text in the message to edit")
            unchanged = (
                message.get("text") == text
                and message.get("entities", []) == entities
                and message.get("reply_markup") == new_markup
            )
            if unchanged:
                raise _bad_request(NOT_MODIFIED)
            message["text"] = text
            message.pop("entities", None)
            if entities:
                message["entities"] = entities
            # like Telegram: editing text without reply_markup removes the keyboard
            _set_markup(message, new_markup)
            message["edit_date"] = int(time.time())
            return dict(message)

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        caption, entities = self._parse_caption(params)
        new_markup = self._inline_markup(params)
        with self._cond:
            message = self._editable_locked(params)
            if message is None:
                return True
            if "photo" not in message and "document" not in message:
                raise _bad_request("there is no caption in the message to edit")
            unchanged = (
                message.get("caption", "") == caption
                and message.get("caption_entities", []) == entities
                and message.get("reply_markup") == new_markup
            )
            if unchanged:
                raise _bad_request(NOT_MODIFIED)
            message.pop("caption", None)
            message.pop("caption_entities", None)
            if caption:
                message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
            _set_markup(message, new_markup)
            message["edit_date"] = int(time.time())
            return dict(message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        new_markup = self._inline_markup(params)
        with self._cond:
            message = self._editable_locked(params)
            if message is None:
                return True
            if message.get("reply_markup") == new_markup:
                raise _bad_request(NOT_MODIFIED)
            _set_markup(message, new_markup)
            message["edit_date"] = int(time.time())
            return dict(message)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        key = (str(params.get("chat_id")), _int_param(params, "message_id") or 0)
        with self._cond:
            if self._messages.pop(key, None) is None:
                raise _bad_request("message to delete not found")
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if url and not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not SECRET_RE.match(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        with self._cond:
            self.webhook_url = url
            self.webhook_secret = str(secret) if secret is not None else None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self.webhook_url = ""
            self.webhook_secret = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            info: dict[str, Any] = {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self.webhook_url:
                info["max_connections"] = 40
        return info

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands is empty")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_RE.match(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._cond:
            self._commands[self._commands_key(params)] = [dict(c) for c in commands]
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self._commands.pop(self._commands_key(params), None)
        return True


# ------------------------------------------------------------------ helpers

_DEFAULT_GROUP_IDS = {
    "group": -200300400,
    "supergroup": -1001002003004,
    "channel": -1009998887776,
}


def _default_chat(chat_id: int | str, chat_type: str) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = "Ana"
    else:
        chat["title"] = "Grupo de prueba" if chat_type != "channel" else "Canal de prueba"
    return chat


def _bot_from(bot_user: dict[str, Any]) -> dict[str, Any]:
    """The ``from`` of the bot's own messages (no capability flags)."""
    keys = ("id", "is_bot", "first_name", "username")
    return {k: bot_user[k] for k in keys}


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup


def _int_param(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    return int(value)


def _decode_value(name: str, value: Any) -> Any:
    """Undo PTB's encoding: every non-string value was JSON-dumped."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channelusername"


def _decode_params(request: RawRequest) -> dict[str, Any]:
    """Query + body parameters (JSON, form or multipart) as Python values."""
    raw: dict[str, Any] = dict(request.query)
    if request.media_type == "application/json":
        body = json.loads(request.body or b"{}")
        if isinstance(body, dict):
            for key, value in body.items():
                # a JSON body carries real types, but reply_markup may still be a string
                raw[key] = _decode_value(key, value) if key == "reply_markup" else value
            return raw
    elif request.media_type == "multipart/form-data":
        raw.update(parse_multipart(request.body, request.headers["content-type"]))
    elif request.body:
        raw.update(parse_form(request.body))
    return {key: _decode_value(key, value) for key, value in raw.items()}


def _webhook_headers(secret_token: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if secret_token is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
    return headers


def post_webhook_update(
    url: str,
    update: dict[str, Any],
    secret_token: str | None,
    timeout: float = 5.0,
    *,
    api: FakeTelegramAPI | None = None,
) -> httpx.Response:
    """POST ``update`` to a bot's webhook like Telegram does (JSON body, and the
    ``X-Telegram-Bot-Api-Secret-Token`` header when ``secret_token`` is given).

    With ``api``, a Bot API call in the reply (a webhook reply: ``{"method": …}``) is carried
    out on that fake, as Telegram does (:func:`carry_out_webhook_reply`).

    Blocking: from a coroutine that shares the loop with PTB's webhook server,
    use :func:`post_webhook_update_async` (or ``asyncio.to_thread``).
    """
    response = local_post(url, json.dumps(update).encode(), _webhook_headers(secret_token), timeout)
    if api is not None:
        carry_out_webhook_reply(api, response, timeout)
    return response


async def post_webhook_update_async(
    url: str,
    update: dict[str, Any],
    secret_token: str | None,
    timeout: float = 5.0,
    *,
    api: FakeTelegramAPI | None = None,
) -> httpx.Response:
    """:func:`post_webhook_update` for coroutines (does not block the event loop)."""
    async with httpx.AsyncClient(**local_client_options(timeout)) as client:
        response = await client.post(
            url,
            content=json.dumps(update).encode(),
            headers=_webhook_headers(secret_token),
        )
        if api is not None and (call := webhook_reply_call(response)) is not None:
            method, params = call
            await client.post(f"{api.base_url}{api.token}/{method}", json=params)
    return response


def webhook_reply_call(response: httpx.Response) -> tuple[str, dict[str, Any]] | None:
    """The Bot API call a webhook's 200 reply carries (``{"method": "sendMessage", …}``), if any."""
    if response.status_code != 200 or not response.content:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("method"), str):
        return None
    params = dict(body)
    return str(params.pop("method")), params


def carry_out_webhook_reply(api: FakeTelegramAPI, response: httpx.Response, timeout: float = 5.0) -> bool:
    """Do what Telegram does with a webhook's reply: make the Bot API call it carries, on ``api``
    (through HTTP, so a subclass sees it as any other call). Returns whether there was one."""
    call = webhook_reply_call(response)
    if call is None:
        return False
    method, params = call
    local_post(
        f"{api.base_url}{api.token}/{method}",
        json.dumps(params).encode(),
        {"Content-Type": "application/json"},
        timeout,
    )
    return True
