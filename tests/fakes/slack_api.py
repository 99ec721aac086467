"""A fake Slack Web API for tests, plus helpers that sign requests like Slack.

Point a real ``slack_sdk.WebClient(token=..., base_url=slack.base_url)`` (or a
slack-bolt ``App(client=...)``) at :class:`FakeSlackAPI`; every call is
recorded as a :class:`Call` and answered like Slack would.

How slack_sdk 3.x sends requests (the fake accepts all of them):

* Always ``POST <base_url><method>`` (even for "GET" methods such as
  ``conversations.replies``), token in ``Authorization: Bearer <token>``.
* Methods that carry blocks/attachments/views (``chat.postMessage``,
  ``chat.postEphemeral``, ``chat.update``, ``chat.scheduleMessage``,
  ``chat.unfurl``, ``views.open/push/update/publish``) send
  ``application/json;charset=utf-8``.
* Everything else (``auth.test``, ``chat.delete``, ``reactions.*``,
  ``conversations.*``, ``users.*``) sends ``application/x-www-form-urlencoded``
  (booleans as ``"1"``/``"0"``), and ``multipart/form-data`` when ``data=`` or
  files are given to ``api_call``. JSON-valued fields such as ``blocks`` then
  travel as JSON strings; the fake decodes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes._base import (
    CallLog,
    FakeHTTPServer,
    RawRequest,
    RawResponse,
    local_post,
    parse_form,
    parse_multipart,
)

__all__ = [
    "Call",
    "FakeSlackAPI",
    "command_body",
    "event_body",
    "interactive_body",
    "sign",
    "signed_post",
]

TEAM_ID = "T1"
BOT_USER_ID = "UBOT"
BOT_ID = "B1"
APP_ID = "A1"

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

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100  # modals and Home tabs allow 100 blocks
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255


@dataclass(frozen=True)
class Call:
    """One request received by the fake.

    ``params`` is the decoded body (JSON or form, with JSON-string fields such
    as ``blocks``/``view`` decoded); ``headers`` has lower-cased names.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlackAPI(FakeHTTPServer):
    """A threaded fake of the Slack Web API on 127.0.0.1.

    >>> with FakeSlackAPI(valid_token="xoxb-test") as slack:
    ...     client = WebClient(token="xoxb-test", base_url=slack.base_url)
    ...     client.chat_postMessage(channel="C1", text="hola")
    ...     slack.wait_for("chat.postMessage")

    ``valid_token``: if given, calls whose token differs get ``invalid_auth``
    (and ``not_authed`` without a token).
    """

    def __init__(self, valid_token: str | None = None) -> None:
        super().__init__()
        self.valid_token = valid_token
        self._log: CallLog[Call] = CallLog()
        self._lock = threading.Lock()
        self._failures: dict[str, deque[str]] = defaultdict(deque)
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._users: dict[str, dict[str, Any]] = {}
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "reactions.add": self._ok,
            "reactions.remove": self._ok,
            "views.open": self._view_needing("trigger_id", "interactivity_pointer"),
            "views.push": self._view_needing("trigger_id", "interactivity_pointer"),
            "views.publish": self._view_needing("user_id"),
            "views.update": self._view_needing("view_id", "external_id"),
            "conversations.replies": self._replies,
            "users.info": self._users_info,
        }

    # ----------------------------------------------------------------- URLs

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` expects: ``http://127.0.0.1:<port>/api/``."""
        return f"{self.root_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A ``response_url`` served by the fake; posts there are recorded as
        calls with method ``"response_url"`` and ``params["name"] == name``."""
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

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Define what ``users.info`` answers for ``user_id`` (merged over defaults)."""
        user = _default_user(user_id) | fields
        with self._lock:
            self._users[user_id] = user
        return user

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
        """Store a message (e.g. a user's thread) for ``conversations.replies``."""
        with self._lock:
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
        """Messages currently stored for ``channel`` (posted, updated, added)."""
        with self._lock:
            return [dict(m) for m in self._messages[channel]]

    # ------------------------------------------------------------- serving

    def handle(self, request: RawRequest) -> RawResponse:
        if request.path.startswith("/response/"):
            return self._handle_response_url(request)
        if not request.path.startswith("/api/"):
            return RawResponse(404, {"ok": False, "error": "not_found"})
        method = request.path.removeprefix("/api/")
        params = _decode_params(request)
        form_token = params.pop("token", None)
        token = _bearer(request.headers) or form_token
        self._log.append(Call(method, params, request.headers))

        if self.valid_token is not None:
            if not token:
                return _error("not_authed")
            if token != self.valid_token:
                return _error("invalid_auth")
        with self._lock:
            queue = self._failures.get(method)
            injected = queue.popleft() if queue else None
        if injected is not None:
            if injected == "ratelimited":
                return RawResponse(429, {"ok": False, "error": injected}, {"Retry-After": "1"})
            return _error(injected)
        handler = self._handlers.get(method)
        if handler is None:
            return _error("unknown_method")
        problem = _block_problem(method, params)
        if problem is not None:
            return RawResponse(
                200,
                {
                    "ok": False,
                    "error": "invalid_blocks",
                    "response_metadata": {"messages": [problem]},
                },
            )
        return RawResponse(200, handler(params))

    def _handle_response_url(self, request: RawRequest) -> RawResponse:
        name = request.path.removeprefix("/response/")
        params = _decode_params(request)
        params["name"] = name
        self._log.append(Call("response_url", params, request.headers))
        return RawResponse(200, {"ok": True})

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
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            return {"ok": False, "error": "no_text"}
        with self._lock:
            ts = self._next_ts()
            message = self._bot_message(params, ts)
            self._messages[str(channel)].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_found"}
        with self._lock:
            ts = self._next_ts()
        return {"ok": True, "message_ts": ts}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        with self._lock:
            message = self._bot_message(params, str(ts))
            stored = self._messages[str(channel)]
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
        channel, ts = params.get("channel"), params.get("ts")
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        with self._lock:
            stored = self._messages[str(channel)]
            stored[:] = [m for m in stored if m["ts"] != ts]
        return {"ok": True, "channel": channel, "ts": ts}

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
            thread = [dict(m) for m in self._messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        thread.sort(key=lambda m: float(m["ts"]))
        return {"ok": True, "messages": thread, "has_more": False}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        with self._lock:
            user = self._users.get(str(user_id)) or _default_user(str(user_id))
        return {"ok": True, "user": user}


# ------------------------------------------------------------------ helpers


def _error(error: str) -> RawResponse:
    return RawResponse(200, {"ok": False, "error": error})


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


def _text_of(obj: Any) -> str:
    """The ``text`` of a Block Kit text object (or "" if it has none)."""
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""


def _block_problem(method: str, params: dict[str, Any]) -> str | None:
    """Why Slack would reject the call's blocks with ``invalid_blocks``, or None."""
    if method in MESSAGE_BLOCK_METHODS:
        blocks, limit, pointer = params.get("blocks"), MAX_MESSAGE_BLOCKS, "/blocks"
    elif method in VIEW_METHODS:
        view = params.get("view")
        blocks = view.get("blocks") if isinstance(view, dict) else None
        limit, pointer = MAX_VIEW_BLOCKS, "/view/blocks"
    else:
        return None
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        return f"[ERROR] must be an array [json-pointer:{pointer}]"
    if len(blocks) > limit:
        return f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]"
    for index, block in enumerate(blocks):
        where = f"[json-pointer:{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return f"[ERROR] missing required field: type {where}]"
        kind = block["type"]
        if len(str(block.get("block_id", ""))) > MAX_BLOCK_ID:
            return f"[ERROR] must be less than {MAX_BLOCK_ID + 1} characters {where}/block_id]"
        if kind == "section":
            if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
                return f"[ERROR] must be less than {MAX_SECTION_TEXT + 1} characters {where}/text/text]"
            fields = block.get("fields") or []
            if len(fields) > MAX_SECTION_FIELDS:
                return f"[ERROR] no more than {MAX_SECTION_FIELDS} items allowed {where}/fields]"
            for f_index, item in enumerate(fields):
                if len(_text_of(item)) > MAX_SECTION_FIELD_TEXT:
                    return (
                        f"[ERROR] must be less than {MAX_SECTION_FIELD_TEXT + 1} characters "
                        f"{where}/fields/{f_index}/text]"
                    )
        elif kind == "header":
            if len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
                return f"[ERROR] must be less than {MAX_HEADER_TEXT + 1} characters {where}/text/text]"
        elif kind in ("context", "actions"):
            limit = MAX_CONTEXT_ELEMENTS if kind == "context" else MAX_ACTIONS_ELEMENTS
            if len(block.get("elements") or []) > limit:
                return f"[ERROR] no more than {limit} items allowed {where}/elements]"
    return None


# ----------------------------------------------- signed requests to an app

_event_ids = itertools.count(1)
_trigger_ids = itertools.count(1)


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
    envelope = {
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
    return json.dumps(envelope)


def command_body(
    command: str = "/puedopublicar",
    text: str = "",
    *,
    user_id: str = "U1",
    channel_id: str = "C1",
    response_url: str = "https://hooks.slack.com/commands/T1/1/x",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> str:
    """A slash-command payload (content type ``application/x-www-form-urlencoded``).

    Pass ``response_url=slack.response_url("name")`` to capture ``respond()``.
    """
    return urlencode(
        {
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
    )


def interactive_body(payload: dict[str, Any]) -> str:
    """An interactivity request: form-encoded ``payload=<json>``
    (content type ``application/x-www-form-urlencoded``)."""
    return urlencode({"payload": json.dumps(payload)})
