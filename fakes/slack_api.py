"""A fake Slack Web API for tests, plus helpers that sign requests like Slack.

Point a real ``slack_sdk.WebClient(token=..., base_url=slack.base_url)`` (or a
slack-bolt ``App(client=...)``) at :class:`FakeSlackAPI`; every call is
recorded as a :class:`Call` and answered like Slack would — including the ways
Slack says no, so that code which works against the fake works against Slack.

How slack_sdk 3.x sends requests (the fake accepts all of them):

* Always ``POST <base_url><method>`` (even for "GET" methods such as
  ``conversations.replies``), token in ``Authorization: Bearer <token>``.
* Methods that carry blocks/attachments/views (``chat.postMessage``,
  ``chat.postEphemeral``, ``chat.update``, ``chat.scheduleMessage``,
  ``chat.unfurl``, ``views.open/push/update/publish``) send
  ``application/json;charset=utf-8``.
* Everything else (``auth.test``, ``chat.delete``, ``reactions.*``,
  ``conversations.*``, ``users.*``, ``apps.connections.open``) sends
  ``application/x-www-form-urlencoded`` (booleans as ``"1"``/``"0"``), and
  ``multipart/form-data`` when ``data=`` or files are given to ``api_call``.
  JSON-valued fields such as ``blocks`` then travel as JSON strings; the fake
  decodes them.

What the fake enforces, as Slack does (each limit is tested in
``tests/test_fakes.py``, section "Slack strictness"):

* **Block Kit** (:func:`block_problem`, :func:`message_problem`,
  :func:`view_problem`): only real block types; a ``section`` needs a
  non-empty ``text`` or ``fields``; text objects hold 1–3,000 characters
  (header 150, section field 2,000); buttons: text ≤ 75, ``value`` ≤ 2,000,
  ``action_id`` ≤ 255, ``url`` ≤ 3,000; 50 blocks per message, 100 per modal or
  Home tab; a modal's ``title``, ``submit`` and ``close`` ≤ 24 characters. A bad
  block answers ``invalid_blocks``, a bad view field ``invalid_arguments``,
  both with Slack's ``response_metadata.messages`` (``[ERROR] … [json-pointer:…]``).
  Message ``text`` over 40,000 characters answers ``msg_too_long``. Whitespace-only
  text counts as empty (Slack would show nothing), so the fake is, if anything,
  stricter there.
* **response_url** (:meth:`FakeSlackAPI.response_url`): at most 5 posts within
  30 minutes of being issued; then HTTP 404 ``used_url`` / ``expired_url``.
  Bodies are checked like ``chat.postMessage`` (HTTP 400 ``msg_too_long`` /
  ``invalid_blocks``).
* **Conversations**: ``chat.postMessage`` to a user id (``U…``/``W…``) posts in
  the DM with that user: the answer's ``channel`` is the DM's ``D…`` id (stable
  per user, see :meth:`FakeSlackAPI.dm_channel`) and the message is stored
  there. Any ``D…`` id is a DM with the bot. Other channels must be known
  (:meth:`FakeSlackAPI.add_channel`; ``C1`` "#general", with the bot in it, is
  known from the start) or the call answers ``channel_not_found``; posting in a
  public channel the bot is not a member of answers ``not_in_channel`` (a private
  one it is not in: ``channel_not_found``). ``strict_channels=False`` restores
  the old behaviour: every channel exists and the bot is in it.
* **Rate limits** (``rate_limits=True``, the default): per method and token, a
  sliding one-minute window sized by Slack's tiers (:data:`TIER_LIMITS`,
  :data:`METHOD_TIERS`); ``chat.postMessage`` is special: about one message per
  second per channel, with bursts of :data:`CHAT_POST_BURST`. Over the limit:
  HTTP 429, ``Retry-After: <seconds>`` and ``{"ok": false, "error": "ratelimited"}``
  (slack_sdk's ``RateLimitErrorRetryHandler`` honours it).
* **Tokens**: ``apps.connections.open`` needs the app-level token (``xapp-…``)
  registered by the Socket Mode fake (:mod:`fakes.slack_socket`); a bot
  token there, or an app token anywhere else, answers ``not_allowed_token_type``.
* **Files** (:meth:`FakeSlackAPI.add_file`, which returns the file object events carry):
  ``files.info`` needs ``file`` (``file_not_found`` for an unknown or missing id,
  ``file_deleted`` after :meth:`FakeSlackAPI.delete_file`) and, when the app's ``scopes`` are
  given, ``files:read`` (``missing_scope``). The file's ``url_private`` is served only to a
  ``GET`` with ``Authorization: Bearer <bot token>``; without it, or with another token, Slack
  redirects to its sign-in page (``302`` to an HTML page answered ``200``: a client that does
  not check gets HTML, not the file); an unknown file answers ``404``.

Time comes from ``clock`` (``time.monotonic`` unless given), so tests can move
it forward instead of sleeping.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import math
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from fakes._base import (
    CallLog,
    FakeHTTPServer,
    RawRequest,
    RawResponse,
    local_post,
    parse_form,
    parse_multipart,
)

__all__ = [
    "BLOCK_TYPES",
    "BOT_USER_ID",
    "CHAT_POST_BURST",
    "DEFAULT_CHANNEL",
    "METHOD_TIERS",
    "TIER_LIMITS",
    "Call",
    "FakeSlackAPI",
    "block_problem",
    "command_body",
    "command_payload",
    "event_body",
    "event_payload",
    "interactive_body",
    "mention_event",
    "message_event",
    "message_problem",
    "sign",
    "signed_post",
    "view_problem",
]

TEAM_ID = "T1"
BOT_USER_ID = "UBOT"
BOT_ID = "B1"
APP_ID = "A1"
#: Known from the start: "#general", public, with the bot (and U1) in it.
DEFAULT_CHANNEL = "C1"

# Fields that hold JSON objects/arrays; they arrive as strings in form bodies.
JSON_FIELDS = frozenset(
    {
        "blocks",
        "attachments",
        "view",
        "metadata",
        "user_auth_blocks",
        "unfurls",
        "chunks",
    }
)
# Methods whose blocks are checked against Block Kit limits.
MESSAGE_BLOCK_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
VIEW_METHODS = frozenset({"views.open", "views.publish", "views.update", "views.push"})
# Methods that take the app-level token (xapp-) instead of the bot token.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

# Block Kit (https://docs.slack.dev/reference/block-kit/blocks, .../block-elements, .../composition-objects).
BLOCK_TYPES = frozenset(
    {"section", "divider", "image", "actions", "context", "header", "input", "rich_text", "file", "video"}
)
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100  # modals and Home tabs allow 100 blocks
MAX_TEXT = 3000  # any text object
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ALT_TEXT = 2000
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_VIEW_TITLE = 24  # also submit and close
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
#: Message ``text`` (https://docs.slack.dev/reference/methods/chat.postMessage): msg_too_long above.
MAX_MESSAGE_TEXT = 40_000

#: A response_url takes at most 5 posts within 30 minutes.
MAX_RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = 30 * 60.0

#: Calls per sliding minute by tier (https://docs.slack.dev/apis/web-api/rate-limits): "1+", "20+",
#: "50+", "100+" per minute. Tier 1 "tolerates a small amount of burst behaviour": 3 calls.
TIER_LIMITS = {1: 3, 2: 20, 3: 50, 4: 100}
METHOD_TIERS = {
    "apps.connections.open": 1,
    "auth.test": 4,  # "special" in the docs, generous in practice
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "conversations.join": 3,
    "conversations.open": 3,
    "conversations.replies": 3,
    "conversations.history": 3,
    "reactions.add": 3,
    "reactions.remove": 2,
    "files.info": 4,
    "users.info": 4,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
#: chat.postMessage ("special"): one message per second per channel, short bursts allowed.
CHAT_POST_PER_SECOND = 1.0
CHAT_POST_BURST = 10
RATE_WINDOW = 60.0


@dataclass(frozen=True)
class Call:
    """One request received by the fake.

    ``params`` is the decoded body (JSON or form, with JSON-string fields such
    as ``blocks``/``view`` decoded); ``headers`` has lower-cased names;
    ``status`` and ``response`` are what the fake answered.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    response: Any = None


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool
    members: set[str] = field(default_factory=set)
    is_archived: bool = False


@dataclass
class _ResponseURL:
    issued: float
    uses: int = 0


@dataclass
class _File:
    info: dict[str, Any]  # what files.info answers
    content: bytes
    deleted: bool = False


#: Scopes that methods need when the fake is given the app's ``scopes`` (only those modelled).
METHOD_SCOPES = {"files.info": "files:read"}


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlackAPI(FakeHTTPServer):
    """A threaded fake of the Slack Web API on 127.0.0.1.

    >>> with FakeSlackAPI(valid_token="xoxb-test") as slack:
    ...     client = WebClient(token="xoxb-test", base_url=slack.base_url)
    ...     client.chat_postMessage(channel="C1", text="hola")
    ...     slack.wait_for("chat.postMessage")

    ``valid_token``: if given, calls whose token differs get ``invalid_auth``
    (and ``not_authed`` without a token).
    ``strict_channels``: unknown channels answer ``channel_not_found`` (default);
    False: every channel exists, with the bot in it.
    ``rate_limits``: enforce Slack's per-method rate limits (default).
    ``clock``: seconds, monotonic (rate limits and response_url lifetimes).
    ``scopes``: the bot token's scopes; if given, a method of :data:`METHOD_SCOPES` without
    its scope answers ``missing_scope`` (None: every scope granted).
    """

    def __init__(
        self,
        valid_token: str | None = None,
        *,
        strict_channels: bool = True,
        rate_limits: bool = True,
        clock: Callable[[], float] = time.monotonic,
        scopes: Iterable[str] | None = None,
    ) -> None:
        super().__init__()
        self.valid_token = valid_token
        self.scopes = None if scopes is None else frozenset(scopes)
        self.strict_channels = strict_channels
        self.rate_limits = rate_limits
        self._clock = clock
        #: Per-minute limits by method (a copy of the tiers: tests may tune one method).
        self.method_limits = {method: TIER_LIMITS[tier] for method, tier in METHOD_TIERS.items()}
        self.chat_post_burst = CHAT_POST_BURST
        self._log: CallLog[Call] = CallLog()
        self._lock = threading.Lock()
        self._failures: dict[str, deque[str]] = defaultdict(deque)
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, _Channel] = {}
        self._response_urls: dict[str, _ResponseURL] = {}
        self._windows: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._app_token: str | None = None
        self._socket_url: Callable[[], str] | None = None
        self._files: dict[str, _File] = {}
        self._file_ids = itertools.count(1)
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "reactions.add": self._reaction,
            "reactions.remove": self._reaction,
            "views.open": self._view_needing("trigger_id", "interactivity_pointer"),
            "views.push": self._view_needing("trigger_id", "interactivity_pointer"),
            "views.publish": self._view_needing("user_id"),
            "views.update": self._view_needing("view_id", "external_id"),
            "conversations.replies": self._replies,
            "conversations.history": self._history,
            "users.info": self._users_info,
            "files.info": self._files_info,
        }
        self.add_channel(DEFAULT_CHANNEL, name="general", members=[BOT_USER_ID, "U1"])

    # ----------------------------------------------------------------- URLs

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` expects: ``http://127.0.0.1:<port>/api/``."""
        return f"{self.root_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A ``response_url`` served by the fake; posts there are recorded as
        calls with method ``"response_url"`` and ``params["name"] == name``.

        Its 30 minutes start now (or at its first use, for a URL never issued here)."""
        with self._lock:
            self._response_urls.setdefault(name, _ResponseURL(self._clock()))
        return f"{self.root_url}/response/{name}"

    # ------------------------------------------------------------ recording

    @property
    def calls(self) -> list[Call]:
        """Every call so far (a snapshot), oldest first."""
        return self._log.all()

    def calls_to(self, method: str) -> list[Call]:
        """The calls to ``method`` so far, oldest first."""
        return self._log.to(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` arrived (``AssertionError`` on timeout)."""
        return self._log.wait_for(method, count, timeout)

    async def wait_for_async(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """:meth:`wait_for` for async tests, without blocking the event loop."""
        return await self._wait_in_thread(self._log, method, count, timeout)

    def clear_calls(self) -> None:
        """Forget the recorded calls (state such as stored messages is kept)."""
        self._log.clear()

    # ------------------------------------------------------ test controls

    def fail_next(self, method: str, error: str = "ratelimited") -> None:
        """Make the next call to ``method`` answer ``{"ok": false, "error": error}``.

        ``ratelimited`` is answered with HTTP 429 and ``Retry-After: 1`` like Slack.
        Calls stack: two ``fail_next`` make the next two calls fail.
        """
        with self._lock:
            self._failures[method].append(error)

    def reset_rate_limits(self) -> None:
        """Forget the calls counted for rate limits (as if a long pause had passed)."""
        with self._lock:
            self._windows.clear()
            self._buckets.clear()

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Define what ``users.info`` answers for ``user_id`` (merged over defaults)."""
        user = _default_user(user_id) | fields
        with self._lock:
            self._users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        members: Iterable[str] = (BOT_USER_ID,),
        is_private: bool | None = None,
        is_archived: bool = False,
    ) -> None:
        """Make ``channel_id`` exist. ``members`` are user ids (the bot is :data:`BOT_USER_ID`);
        ``is_private`` defaults to True for ``G…`` ids."""
        channel = _Channel(
            channel_id,
            name or channel_id.lower(),
            channel_id.startswith("G") if is_private is None else is_private,
            set(members),
            is_archived,
        )
        with self._lock:
            self._channels[channel_id] = channel

    def dm_channel(self, user_id: str) -> str:
        """The id of the DM between the bot and ``user_id`` (``U1`` → ``DU1``), stable per user."""
        return user_id if user_id.startswith("D") else f"D{user_id}"

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U1",
        ts: str | None = None,
        thread_ts: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Store a message (e.g. a user's thread) for ``conversations.replies``.

        An unknown channel is created (public, with the bot in it); a user id means their DM."""
        channel = self._resolve_user(channel)
        with self._lock:
            if not channel.startswith("D") and channel not in self._channels:
                self._channels[channel] = _Channel(channel, channel.lower(), channel.startswith("G"), {BOT_USER_ID})
            message: dict[str, Any] = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts or self._next_ts(),
                "team": TEAM_ID,
            }
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
            message.update(fields)
            self._messages[channel].append(message)
        return message

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """Messages currently stored for ``channel`` (posted, updated, added).

        A user id (``U…``/``W…``) means the DM with that user, as in ``chat.postMessage``."""
        with self._lock:
            return [dict(m) for m in self._messages[self._resolve_user(channel)]]

    def add_file(
        self,
        content: bytes,
        *,
        name: str,
        mimetype: str,
        filetype: str | None = None,
        title: str | None = None,
        user: str = "U1",
        file_id: str | None = None,
    ) -> dict[str, Any]:
        """Upload a file as ``user``; returns its file object (what ``files.info`` answers and
        what a ``file_share`` message event lists: :func:`message_event` ``files=[...]``).

        Its ``url_private`` (and ``url_private_download``) serve ``content`` to the bot token."""
        with self._lock:
            file_id = file_id or f"F{next(self._file_ids):09d}"
            path = f"/files-pri/{TEAM_ID}-{file_id}/{quote(name)}"
            created = int(time.time())
            info: dict[str, Any] = {
                "id": file_id,
                "created": created,
                "timestamp": created,
                "name": name,
                "title": title if title is not None else name,
                "mimetype": mimetype,
                "filetype": filetype or name.rpartition(".")[2].lower(),
                "pretty_type": (filetype or name.rpartition(".")[2]).upper(),
                "user": user,
                "user_team": TEAM_ID,
                "editable": False,
                "size": len(content),
                "mode": "hosted",
                "is_external": False,
                "external_type": "",
                "is_public": False,
                "public_url_shared": False,
                "display_as_bot": False,
                "username": "",
                "url_private": f"{self.root_url}{path}",
                "url_private_download": f"{self.root_url}/files-pri/{TEAM_ID}-{file_id}/download/{quote(name)}",
                "permalink": f"https://test.slack.com/files/{user}/{file_id}/{quote(name)}",
                "permalink_public": f"https://slack-files.com/{TEAM_ID}-{file_id}-0a1b2c",
                "has_rich_preview": False,
                "file_access": "visible",
            }
            self._files[file_id] = _File(info, content)
        return dict(info)

    @staticmethod
    def connect_stub(file: dict[str, Any]) -> dict[str, Any]:
        """The file object of a Slack Connect message: only its id; ``files.info`` tells the rest."""
        return {
            "id": file["id"],
            "created": file["created"],
            "timestamp": file["timestamp"],
            "file_access": "check_file_info",
        }

    def delete_file(self, file_id: str) -> None:
        """The uploader deletes the file: ``files.info`` answers ``file_deleted``, its URL 404."""
        with self._lock:
            self._files[file_id].deleted = True

    def enable_socket_mode(self, app_token: str, open_url: Callable[[], str]) -> None:
        """Accept ``app_token`` for ``apps.connections.open``, which answers ``open_url()``
        (used by :class:`fakes.slack_socket.FakeSocketMode`)."""
        with self._lock:
            self._app_token = app_token
            self._socket_url = open_url

    # ------------------------------------------------------------- serving

    def handle(self, request: RawRequest) -> RawResponse:
        if request.path.startswith(("/files-pri/", "/signin")):
            response = self._serve_file(request)
            self._log.append(Call("url_private", {"path": request.path}, request.headers, response.status, None))
            return response
        if request.path.startswith("/response/"):
            method = "response_url"
            params = _decode_params(request)
            response = self._response_url_post(request.path.removeprefix("/response/"), params)
            params["name"] = request.path.removeprefix("/response/")
        elif request.path.startswith("/api/"):
            method = request.path.removeprefix("/api/")
            params = _decode_params(request)
            form_token = params.pop("token", None)
            token = _bearer(request.headers) or form_token
            response = self._api_call(method, params, token)
        else:
            return RawResponse(404, {"ok": False, "error": "not_found"})
        self._log.append(Call(method, params, request.headers, response.status, response.payload))
        return response

    def _api_call(self, method: str, params: dict[str, Any], token: str | None) -> RawResponse:
        auth_error = self._auth_error(method, token)
        if auth_error is not None:
            return _error(auth_error)
        with self._lock:
            queue = self._failures.get(method)
            injected = queue.popleft() if queue else None
        if injected is not None:
            if injected == "ratelimited":
                return _ratelimited(1)
            return _error(injected)
        handler = self._handlers.get(method)
        if handler is None:
            return _error("unknown_method")
        needed = METHOD_SCOPES.get(method)
        if needed and self.scopes is not None and needed not in self.scopes:
            return RawResponse(
                200,
                {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(sorted(self.scopes))},
            )
        if self.rate_limits:
            retry_after = self._rate_limit(method, token or "", params)
            if retry_after is not None:
                return _ratelimited(retry_after)
        rejection = _rejection(method, params)
        if rejection is not None:
            return rejection
        return RawResponse(200, handler(params))

    def _auth_error(self, method: str, token: str | None) -> str | None:
        if method in APP_TOKEN_METHODS:
            if not token:
                return "not_authed"
            if not token.startswith("xapp-"):
                return "not_allowed_token_type"
            with self._lock:
                expected = self._app_token
            return None if token == expected else "invalid_auth"
        if token and token.startswith("xapp-"):
            return "not_allowed_token_type"
        if self.valid_token is not None:
            if not token:
                return "not_authed"
            if token != self.valid_token:
                return "invalid_auth"
        return None

    def _rate_limit(self, method: str, token: str, params: dict[str, Any]) -> float | None:
        """None if the call is within the limits (and counts it), else seconds to wait."""
        now = self._clock()
        with self._lock:
            if method == "chat.postMessage":
                key = (token, self._resolve_user(str(params.get("channel") or "")))
                tokens, updated = self._buckets.get(key, (float(self.chat_post_burst), now))
                tokens = min(float(self.chat_post_burst), tokens + (now - updated) * CHAT_POST_PER_SECOND)
                if tokens < 1:
                    self._buckets[key] = (tokens, now)
                    return (1 - tokens) / CHAT_POST_PER_SECOND
                self._buckets[key] = (tokens - 1, now)
                return None
            limit = self.method_limits.get(method)
            if limit is None:
                return None
            window = self._windows[(token, method)]
            while window and window[0] <= now - RATE_WINDOW:
                window.popleft()
            if len(window) >= limit:
                return window[0] + RATE_WINDOW - now
            window.append(now)
            return None

    def _response_url_post(self, name: str, params: dict[str, Any]) -> RawResponse:
        now = self._clock()
        with self._lock:
            state = self._response_urls.setdefault(name, _ResponseURL(now))
            if now - state.issued > RESPONSE_URL_LIFETIME:
                return RawResponse(404, {"ok": False, "error": "expired_url"})
            if state.uses >= MAX_RESPONSE_URL_USES:
                return RawResponse(404, {"ok": False, "error": "used_url"})
            rejection = _rejection("chat.postMessage", params)
            if rejection is not None:
                rejection.status = 400
                return rejection
            state.uses += 1
        return RawResponse(200, {"ok": True})

    # ------------------------------------------------------- conversations

    @staticmethod
    def _resolve_user(channel: str) -> str:
        """A user id stands for the DM with that user (as chat.postMessage takes it)."""
        return f"D{channel}" if channel[:1] in ("U", "W") else channel

    def _channel_error(self, channel: str, *, posting: bool = False) -> str | None:
        """Why the bot cannot use ``channel`` (``channel_not_found``, ``not_in_channel``...), or None.

        Call with the lock held."""
        if not channel or channel[:1] in ("U", "W"):
            return "channel_not_found"
        if channel.startswith("D"):
            return None
        known = self._channels.get(channel)
        if known is None:
            if self.strict_channels:
                return "channel_not_found"
            known = self._channels[channel] = _Channel(channel, channel.lower(), False, {BOT_USER_ID})
        if BOT_USER_ID not in known.members:
            if known.is_private:
                return "channel_not_found"
            if posting:
                return "not_in_channel"
        if posting and known.is_archived:
            return "is_archived"
        return None

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}  # MPIMs: not modelled
        if users[0] == BOT_USER_ID:
            return {"ok": False, "error": "cannot_dm_bot"}
        return {"ok": True, "channel": {"id": self.dm_channel(users[0])}}

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(params.get("channel") or "")
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None or (channel.is_private and BOT_USER_ID not in channel.members):
                return {"ok": False, "error": "channel_not_found"}
            if channel.is_archived:
                return {"ok": False, "error": "is_archived"}
            channel.members.add(BOT_USER_ID)
        return {"ok": True, "channel": {"id": channel_id, "name": channel.name, "is_member": True}}

    # ------------------------------------------------------------- methods

    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def _ok(params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    @staticmethod
    def _auth_test(params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test",
            "user": "puedopublicar",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            open_url = self._socket_url
        if open_url is None:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": open_url()}

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in params:
                message[key] = params[key]
        return message

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        target = str(params.get("channel") or "")
        if target == BOT_USER_ID:
            return {"ok": False, "error": "cannot_dm_bot"}
        channel = self._resolve_user(target)
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            return {"ok": False, "error": "no_text"}
        with self._lock:
            error = self._channel_error(channel, posting=True)
            if error is not None:
                return {"ok": False, "error": error}
            ts = self._next_ts()
            message = self._bot_message(params, ts)
            self._messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_user(str(params.get("channel") or ""))
        with self._lock:
            error = self._channel_error(channel, posting=True)
            if error is not None:
                return {"ok": False, "error": error}
            if not params.get("user"):
                return {"ok": False, "error": "user_not_found"}
            ts = self._next_ts()
        return {"ok": True, "message_ts": ts}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel") or ""), params.get("ts")
        with self._lock:
            error = self._channel_error(channel)
            if error is not None:
                return {"ok": False, "error": error}
            if not ts:
                return {"ok": False, "error": "message_not_found"}
            message = self._bot_message(params, str(ts))
            stored = self._messages[channel]
            for index, old in enumerate(stored):
                if old["ts"] == ts:
                    message = old | message
                    stored[index] = message
                    break
            else:  # lenient: updating a message the fake never saw is allowed
                stored.append(message)
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": params.get("text", ""),
            "message": message,
        }

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel") or ""), params.get("ts")
        with self._lock:
            error = self._channel_error(channel)
            if error is not None:
                return {"ok": False, "error": error}
            if not ts:
                return {"ok": False, "error": "message_not_found"}
            stored = self._messages[channel]
            stored[:] = [m for m in stored if m["ts"] != ts]
        return {"ok": True, "channel": channel, "ts": ts}

    def _reaction(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            error = self._channel_error(str(params.get("channel") or ""))
        return {"ok": False, "error": error} if error else {"ok": True}

    def _view_needing(self, *any_of: str) -> Handler:
        """A ``views.*`` handler requiring one of the ``any_of`` arguments."""

        def handler(params: dict[str, Any]) -> dict[str, Any]:
            if not any(params.get(name) for name in any_of):
                return {"ok": False, "error": "invalid_arguments"}
            return self._view(params)

        return handler

    def _view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = params.get("view_id")
        if not view_id:
            with self._lock:
                view_id = f"V{next(self._view_counter):010d}"
        result: dict[str, Any] = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type", "modal"),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": params.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{view_id}",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        } | view
        return {"ok": True, "view": result}

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), params.get("ts")
        with self._lock:
            error = self._channel_error(channel, posting=not channel.startswith("D"))
            if error is not None:
                return {"ok": False, "error": error}
            thread = [dict(m) for m in self._messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        thread.sort(key=lambda m: float(m["ts"]))
        # As Slack: the parent always comes first; ``oldest`` only bounds the replies.
        thread = [m for m in thread if m["ts"] == ts or _after(m, params)]
        return {"ok": True, "messages": _visible(thread, params), "has_more": False}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel's top-level messages, newest first, after ``oldest`` (exclusive unless
        ``inclusive``); replies in threads are not in the history, as in Slack."""
        channel = str(params.get("channel", ""))
        with self._lock:
            error = self._channel_error(channel, posting=not channel.startswith("D"))
            if error is not None:
                return {"ok": False, "error": error}
            messages = [
                dict(m)
                for m in self._messages.get(channel, [])
                if m.get("thread_ts") in (None, m["ts"]) and _after(m, params)
            ]
        messages.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(params.get("limit") or 100)
        return {"ok": True, "messages": _visible(messages[:limit], params), "has_more": len(messages) > limit}

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            stored = self._files.get(str(params.get("file") or ""))
            if stored is None:
                return {"ok": False, "error": "file_not_found"}
            if stored.deleted:
                return {"ok": False, "error": "file_deleted"}
            info = dict(stored.info)
        return {"ok": True, "file": info, "comments": [], "response_metadata": {"next_cursor": ""}}

    def _serve_file(self, request: RawRequest) -> RawResponse:
        """``url_private``: the file for the bot token; Slack's sign-in page for anyone else."""
        if request.path.startswith("/signin"):
            return RawResponse(200, SIGN_IN_PAGE, content_type="text/html; charset=utf-8")
        if request.verb != "GET":
            return RawResponse(405, b"Method Not Allowed", content_type="text/plain")
        token = _bearer(request.headers)
        if not token or (self.valid_token is not None and token != self.valid_token) or token.startswith("xapp-"):
            return RawResponse(302, b"", {"Location": f"{self.root_url}/signin?redir={quote(request.path)}"})
        match = re.fullmatch(rf"/files-pri/{TEAM_ID}-(F[0-9A-Z]+)/(?:download/)?[^/]+", request.path)
        with self._lock:
            stored = self._files.get(match.group(1)) if match else None
            if stored is None or stored.deleted or request.path.rpartition("/")[2] != quote(stored.info["name"]):
                return RawResponse(404, b"Not Found", content_type="text/plain")
            return RawResponse(200, stored.content, content_type=str(stored.info["mimetype"]))

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        with self._lock:
            user = self._users.get(str(user_id)) or _default_user(str(user_id))
        return {"ok": True, "user": user}


# ------------------------------------------------------------------ helpers


def _truthy(value: Any) -> bool:
    """A boolean parameter as slack_sdk sends it: ``True`` in JSON, ``"1"``/``"true"`` in a form."""
    return value is True or str(value).lower() in {"1", "true"}


def _after(message: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether ``message`` is within the request's ``oldest`` bound (and ``inclusive``)."""
    oldest = params.get("oldest")
    if oldest in (None, ""):
        return True
    ts, bound = float(message["ts"]), float(str(oldest))
    return ts >= bound if _truthy(params.get("inclusive")) else ts > bound


def _visible(messages: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Messages as the caller sees them: message metadata only with ``include_all_metadata``."""
    if _truthy(params.get("include_all_metadata")):
        return messages
    return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]


def _error(error: str) -> RawResponse:
    return RawResponse(200, {"ok": False, "error": error})


def _ratelimited(retry_after: float) -> RawResponse:
    seconds = max(math.ceil(retry_after), 1)
    return RawResponse(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)})


def _bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else None


def _decode_params(request: RawRequest) -> dict[str, Any]:
    """The request's parameters (query + body), JSON-string fields decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.media_type == "application/json":
        body = json.loads(request.body or b"{}")
        if isinstance(body, dict):
            params.update(body)
    elif request.media_type == "multipart/form-data":
        params.update(parse_multipart(request.body, request.headers["content-type"]))
    elif request.body:
        params.update(parse_form(request.body))
    for key in JSON_FIELDS & params.keys():
        value = params[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # left as sent if broken: the real API would answer invalid_* for it
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _default_user(user_id: str) -> dict[str, Any]:
    name = f"usuario.{user_id.lower()}"
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "real_name": "Usuaria de Prueba",
        "tz": "Europe/Madrid",
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "is_admin": False,
        "is_owner": False,
        "is_bot": False,
        "is_app_user": False,
        "locale": "es-ES",
        "profile": {
            "real_name": "Usuaria de Prueba",
            "display_name": name,
            "email": f"{name}@example.org",
            "team": TEAM_ID,
        },
    }


# --------------------------------------------------------------- Block Kit


def _rejection(method: str, params: dict[str, Any]) -> RawResponse | None:
    """Slack's answer to a call whose message or view it would refuse, or None."""
    text = params.get("text")
    if method in MESSAGE_BLOCK_METHODS and isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return _error("msg_too_long")
    if method in VIEW_METHODS:
        problem = _view_fields_problem(method, params.get("view"))
        if problem is not None:
            return RawResponse(
                200, {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [problem]}}
            )
    problem = block_problem(method, params)
    if problem is not None:
        return RawResponse(
            200,
            {"ok": False, "error": "invalid_blocks", "errors": [problem], "response_metadata": {"messages": [problem]}},
        )
    return None


def _too_long(limit: int, where: str) -> str:
    return f"[ERROR] must be less than {limit + 1} characters [json-pointer:{where}]"


def _text_problem(obj: Any, where: str, limit: int = MAX_TEXT, *, plain: bool = False) -> str | None:
    """Why a text object is invalid (wrong type, empty, over ``limit``), or None."""
    if not isinstance(obj, dict):
        return f"[ERROR] must be an object [json-pointer:{where}]"
    allowed = ("plain_text",) if plain else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        return f"[ERROR] must be one of: {', '.join(allowed)} [json-pointer:{where}/type]"
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return f"[ERROR] must be more than 0 characters [json-pointer:{where}/text]"
    if len(text) > limit:
        return _too_long(limit, f"{where}/text")
    return None


def _element_problem(element: Any, where: str) -> str | None:
    """Why an interactive element (button, image, input...) is invalid, or None."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return f"[ERROR] missing required field: type [json-pointer:{where}]"
    kind = element["type"]
    if len(str(element.get("action_id", ""))) > MAX_ACTION_ID:
        return _too_long(MAX_ACTION_ID, f"{where}/action_id")
    if "placeholder" in element:
        problem = _text_problem(element["placeholder"], f"{where}/placeholder", MAX_PLACEHOLDER, plain=True)
        if problem:
            return problem
    if kind == "button":
        problem = _text_problem(element.get("text"), f"{where}/text", MAX_BUTTON_TEXT, plain=True)
        if problem:
            return problem
        if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
            return _too_long(MAX_BUTTON_VALUE, f"{where}/value")
        if len(str(element.get("url", ""))) > MAX_URL:
            return _too_long(MAX_URL, f"{where}/url")
        if element.get("style") not in (None, "primary", "danger"):
            return f"[ERROR] must be one of: primary, danger [json-pointer:{where}/style]"
    elif kind == "image":
        return _image_problem(element, where)
    return None


def _image_problem(image: dict[str, Any], where: str) -> str | None:
    if not (image.get("image_url") or image.get("slack_file")):
        return f"[ERROR] missing required field: image_url [json-pointer:{where}]"
    if len(str(image.get("image_url", ""))) > MAX_URL:
        return _too_long(MAX_URL, f"{where}/image_url")
    alt = image.get("alt_text")
    if not isinstance(alt, str) or not alt:
        return f"[ERROR] missing required field: alt_text [json-pointer:{where}]"
    if len(alt) > MAX_ALT_TEXT:
        return _too_long(MAX_ALT_TEXT, f"{where}/alt_text")
    return None


def _one_block_problem(block: Any, where: str) -> str | None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return f"[ERROR] missing required field: type [json-pointer:{where}]"
    kind = block["type"]
    if kind not in BLOCK_TYPES:
        return f"[ERROR] unsupported type: {kind} [json-pointer:{where}/type]"
    if len(str(block.get("block_id", ""))) > MAX_BLOCK_ID:
        return _too_long(MAX_BLOCK_ID, f"{where}/block_id")
    if kind == "section":
        return _section_problem(block, where)
    if kind == "header":
        return _text_problem(block.get("text"), f"{where}/text", MAX_HEADER_TEXT, plain=True)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            return f"[ERROR] must provide at least 1 item [json-pointer:{where}/elements]"
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            return f"[ERROR] no more than {MAX_CONTEXT_ELEMENTS} items allowed [json-pointer:{where}/elements]"
        for index, element in enumerate(elements):
            at = f"{where}/elements/{index}"
            problem = (
                _image_problem(element, at)
                if isinstance(element, dict) and element.get("type") == "image"
                else _text_problem(element, at)
            )
            if problem:
                return problem
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            return f"[ERROR] must provide at least 1 item [json-pointer:{where}/elements]"
        if len(elements) > MAX_ACTIONS_ELEMENTS:
            return f"[ERROR] no more than {MAX_ACTIONS_ELEMENTS} items allowed [json-pointer:{where}/elements]"
        for index, element in enumerate(elements):
            problem = _element_problem(element, f"{where}/elements/{index}")
            if problem:
                return problem
    elif kind == "image":
        return _image_problem(block, where)
    elif kind == "input":
        problem = _text_problem(block.get("label"), f"{where}/label", MAX_LABEL, plain=True)
        if problem:
            return problem
        if "hint" in block:
            problem = _text_problem(block["hint"], f"{where}/hint", MAX_LABEL, plain=True)
            if problem:
                return problem
        return _element_problem(block.get("element"), f"{where}/element")
    elif kind == "rich_text":
        if not isinstance(block.get("elements"), list):
            return f"[ERROR] missing required field: elements [json-pointer:{where}]"
    elif kind == "file":
        for required in ("external_id", "source"):
            if not block.get(required):
                return f"[ERROR] missing required field: {required} [json-pointer:{where}]"
    elif kind == "video":
        for required in ("alt_text", "title", "thumbnail_url", "video_url"):
            if not block.get(required):
                return f"[ERROR] missing required field: {required} [json-pointer:{where}]"
    return None


def _section_problem(block: dict[str, Any], where: str) -> str | None:
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        return f"[ERROR] must provide either text or fields [json-pointer:{where}]"
    if text is not None:
        problem = _text_problem(text, f"{where}/text", MAX_SECTION_TEXT)
        if problem:
            return problem
    if fields is not None:
        if not isinstance(fields, list) or not fields:
            return f"[ERROR] must provide at least 1 item [json-pointer:{where}/fields]"
        if len(fields) > MAX_SECTION_FIELDS:
            return f"[ERROR] no more than {MAX_SECTION_FIELDS} items allowed [json-pointer:{where}/fields]"
        for index, item in enumerate(fields):
            problem = _text_problem(item, f"{where}/fields/{index}", MAX_SECTION_FIELD_TEXT)
            if problem:
                return problem
    if "accessory" in block:
        return _element_problem(block["accessory"], f"{where}/accessory")
    return None


def _blocks_problem(blocks: Any, limit: int, pointer: str) -> str | None:
    if not isinstance(blocks, list):
        return f"[ERROR] must be an array [json-pointer:{pointer}]"
    if len(blocks) > limit:
        return f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]"
    for index, block in enumerate(blocks):
        problem = _one_block_problem(block, f"{pointer}/{index}")
        if problem:
            return problem
    return None


def message_problem(blocks: Any) -> str | None:
    """Why Slack would refuse ``blocks`` in a message (``invalid_blocks``), or None."""
    return _blocks_problem(blocks, MAX_MESSAGE_BLOCKS, "/blocks")


def _view_fields_problem(method: str, view: Any) -> str | None:
    """Why Slack would refuse the view's own fields (``invalid_arguments``), or None."""
    if not isinstance(view, dict):
        return "[ERROR] must be an object [json-pointer:/view]"
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return "[ERROR] must be one of: modal, home [json-pointer:/view/type]"
    if kind == "home" and method in ("views.open", "views.push"):
        return "[ERROR] home views cannot be opened as modals [json-pointer:/view/type]"
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        return _too_long(MAX_PRIVATE_METADATA, "/view/private_metadata")
    if len(str(view.get("callback_id", ""))) > MAX_CALLBACK_ID:
        return _too_long(MAX_CALLBACK_ID, "/view/callback_id")
    if kind == "modal":
        if "title" not in view:
            return "[ERROR] missing required field: title [json-pointer:/view]"
        for name in ("title", "submit", "close"):
            if name in view:
                problem = _text_problem(view[name], f"/view/{name}", MAX_VIEW_TITLE, plain=True)
                if problem:
                    return problem
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and "submit" not in view:
            return "[ERROR] missing required field: submit (required with input blocks) [json-pointer:/view]"
    return None


def view_problem(view: Any, method: str = "views.open") -> str | None:
    """Why Slack would refuse ``view`` in ``method`` (a ``views.*`` method), or None."""
    problem = _view_fields_problem(method, view)
    if problem is not None:
        return problem
    return _blocks_problem(view.get("blocks", []), MAX_VIEW_BLOCKS, "/view/blocks")


def block_problem(method: str, params: dict[str, Any]) -> str | None:
    """Why Slack would reject the call's blocks with ``invalid_blocks``, or None."""
    if method in MESSAGE_BLOCK_METHODS:
        blocks = params.get("blocks")
        return None if blocks is None else message_problem(blocks)
    if method in VIEW_METHODS:
        view = params.get("view")
        blocks = view.get("blocks") if isinstance(view, dict) else None
        return None if blocks is None else _blocks_problem(blocks, MAX_VIEW_BLOCKS, "/view/blocks")
    return None


#: The name the fake's callers used before it was public.
_block_problem = block_problem


# ----------------------------------------------- signed requests to an app

_event_ids = itertools.count(1)
_trigger_ids = itertools.count(1)
_message_ts = itertools.count(1)

#: What Slack answers a request for a file without the right token (after its redirect).
SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html lang='en-US'><head><title>Slack</title></head>"
    b"<body><h1>Sign in to Test</h1><form action='/signin'></form></body></html>"
)


def sign(body: str, signing_secret: str, timestamp: int) -> str:
    """Slack's v0 signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    basestring = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), basestring, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_post(
    url: str,
    body: str,
    signing_secret: str,
    *,
    content_type: str,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> httpx.Response:
    """POST ``body`` to an app's endpoint signed exactly as Slack does.

    ``timestamp`` defaults to now (pass an old one to test replay rejection);
    ``headers`` are added last, so they can override the signature headers.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, signing_secret, ts),
    }
    all_headers.update(headers or {})
    return local_post(url, body.encode(), all_headers, timeout)


def event_payload(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> dict[str, Any]:
    """An Events API ``event_callback`` envelope (what Socket Mode carries as ``payload``).

    ``event_id`` defaults to a fresh ``Ev...`` id (Slack retries reuse the id).
    """
    return {
        "token": "verification-token",
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def event_body(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> str:
    """An Events API ``event_callback`` envelope (JSON; content type ``application/json``).

    ``event_id`` defaults to a fresh ``Ev...`` id (Slack retries reuse the id).
    """
    return json.dumps(event_payload(event, event_id=event_id, team_id=team_id, api_app_id=api_app_id))


def message_event(
    text: str = "",
    *,
    channel: str = "D1",
    user: str = "U1",
    files: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
    ts: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event as Slack sends it; with ``files`` (file objects from
    :meth:`FakeSlackAPI.add_file`), a ``file_share`` message. ``channel_type`` follows the id
    (``D…`` im, ``G…`` group, else channel)."""
    ts = ts or f"1710000000.{next(_message_ts):06d}"
    kind = "im" if channel.startswith("D") else "group" if channel.startswith("G") else "channel"
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "channel_type": kind,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if files:
        event |= {"subtype": "file_share", "files": files, "upload": False, "display_as_bot": False}
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def mention_event(
    text: str,
    *,
    channel: str = DEFAULT_CHANNEL,
    user: str = "U1",
    files: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """An ``app_mention`` event (``text`` should hold ``<@UBOT>``), with its ``files`` if any."""
    ts = f"1710000000.{next(_message_ts):06d}"
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if files:
        event |= {"files": files, "upload": False, "display_as_bot": False}
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def command_payload(
    command: str = "/puedopublicar",
    text: str = "",
    *,
    user_id: str = "U1",
    channel_id: str = DEFAULT_CHANNEL,
    response_url: str = "https://hooks.slack.com/commands/T1/1/x",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> dict[str, str]:
    """A slash command's fields (what Socket Mode carries as ``payload``)."""
    return {
        "token": "verification-token",
        "team_id": team_id,
        "team_domain": "test",
        "channel_id": channel_id,
        "channel_name": "general",
        "user_id": user_id,
        "user_name": f"usuario.{user_id.lower()}",
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"{next(_trigger_ids)}.1.abcdef",
    }


def command_body(
    command: str = "/puedopublicar",
    text: str = "",
    *,
    user_id: str = "U1",
    channel_id: str = DEFAULT_CHANNEL,
    response_url: str = "https://hooks.slack.com/commands/T1/1/x",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> str:
    """A slash-command payload (content type ``application/x-www-form-urlencoded``).

    Pass ``response_url=slack.response_url("name")`` to capture ``respond()``.
    """
    return urlencode(
        command_payload(
            command,
            text,
            user_id=user_id,
            channel_id=channel_id,
            response_url=response_url,
            trigger_id=trigger_id,
            team_id=team_id,
            api_app_id=api_app_id,
        )
    )


def interactive_body(payload: dict[str, Any]) -> str:
    """An interactivity request: form-encoded ``payload=<json>``
    (content type ``application/x-www-form-urlencoded``)."""
    return urlencode({"payload": json.dumps(payload)})
