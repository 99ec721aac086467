"""The fake Slack and Telegram APIs behave like the real services for the real
client libraries (slack_sdk / slack-bolt and python-telegram-bot), over real
sockets on 127.0.0.1. Every wait is bounded by a timeout.
"""

from __future__ import annotations

import functools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fakes._base import local_client_options
from fakes.slack_api import (
    BLOCK_TYPES,
    CHAT_POST_BURST,
    FakeSlackAPI,
    command_body,
    event_body,
    interactive_body,
    mention_event,
    message_event,
    signed_post,
)
from fakes.telegram_api import (
    FakeTelegramAPI,
    post_webhook_update_async,
    utf16_len,
)

SLACK_TOKEN = "xoxb-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FORM = "application/x-www-form-urlencoded"

# (path, headers, body) -> (status, headers, body)
Responder = Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


# ---------------------------------------------------------------- helpers


class _RecordingHTTPServer:
    """A throwaway 127.0.0.1 server standing in for an app's HTTP endpoint;
    ``respond`` computes each answer."""

    def __init__(self, respond: Responder) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                status, out_headers, out = outer.respond(self.path, headers, body)
                self.send_response(status)
                for name, value in out_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.respond = respond
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/slack/events"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _bolt_server(app: App) -> _RecordingHTTPServer:
    """Serve a real Bolt ``App`` over HTTP, as the production adapters do."""

    def respond(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        request = BoltRequest(
            body=body.decode("utf-8"),
            query=urlsplit(path).query,
            headers={k: [v] for k, v in headers.items()},
        )
        response = app.dispatch(request)
        out_headers = {k: ", ".join(v) for k, v in response.headers.items()}
        return response.status, out_headers, response.body.encode("utf-8")

    return _RecordingHTTPServer(respond)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# ------------------------------------------------------------ Slack fixtures


@pytest.fixture
def slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlackAPI) -> WebClient:
    return WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)


# ------------------------------------------------------------- Slack tests


def test_slack_base_url_and_auth_test(slack: FakeSlackAPI, client: WebClient) -> None:
    assert slack.base_url == f"http://127.0.0.1:{slack.port}/api/"
    response = client.auth_test()
    assert response["ok"] is True
    assert (response["user_id"], response["bot_id"], response["team_id"]) == (
        "UBOT",
        "B1",
        "T1",
    )
    [call] = slack.calls_to("auth.test")
    assert call.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    assert call.headers["content-type"] == FORM  # slack_sdk posts a form here


def test_slack_post_message_records_decoded_json(slack: FakeSlackAPI, client: WebClient) -> None:
    blocks = [_section("*¿Puedo publicar?*"), {"type": "divider"}]
    first = client.chat_postMessage(channel="C1", text="hola", blocks=blocks, thread_ts="1.2")
    second = client.chat_postMessage(channel="C1", text="otra")
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == blocks
    assert first["message"]["thread_ts"] == "1.2"
    assert float(second["ts"]) > float(first["ts"])
    [call, _] = slack.wait_for("chat.postMessage", count=2, timeout=1)
    assert call.headers["content-type"].startswith("application/json")
    assert call.params == {
        "channel": "C1",
        "text": "hola",
        "blocks": blocks,
        "thread_ts": "1.2",
    }


def test_slack_form_encoded_blocks_are_decoded(slack: FakeSlackAPI, client: WebClient) -> None:
    blocks = [_section("por formulario")]
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})
    [call] = slack.calls_to("chat.postMessage")
    assert call.headers["content-type"] == FORM
    assert call.params["blocks"] == blocks


def test_slack_update_delete_views_and_reads(slack: FakeSlackAPI, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="borrador")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final", blocks=[_section("final")])
    assert (updated["channel"], updated["ts"], updated["text"]) == (
        "C1",
        posted["ts"],
        "final",
    )
    assert slack.messages_in("C1")[0]["text"] == "final"

    home = {"type": "home", "blocks": [_section("Inicio")]}
    published = client.views_publish(user_id="U1", view=home)
    assert published["view"]["id"].startswith("V")
    assert published["view"]["type"] == "home"
    assert slack.calls_to("views.publish")[0].params["view"] == home
    opened = client.views_open(
        trigger_id="1.1.x",
        view={
            "type": "modal",
            "title": {"type": "plain_text", "text": "T"},
            "blocks": [],
        },
    )
    again = client.views_update(
        view_id=opened["view"]["id"],
        view={
            "type": "modal",
            "title": {"type": "plain_text", "text": "T2"},
            "blocks": [],
        },
    )
    assert again["view"]["id"] == opened["view"]["id"]

    client.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")
    client.reactions_remove(channel="C1", timestamp=posted["ts"], name="eyes")
    assert slack.calls_to("reactions.add")[0].params == {
        "channel": "C1",
        "timestamp": posted["ts"],
        "name": "eyes",
    }
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="solo tú")
    assert ephemeral["message_ts"]

    slack.add_message("C1", "¿Puedo publicar esto?", user="U1", ts="1699999999.000001")
    client.chat_postMessage(channel="C1", text="Sí", thread_ts="1699999999.000001")
    replies = client.conversations_replies(channel="C1", ts="1699999999.000001")
    assert [m["text"] for m in replies["messages"]] == ["¿Puedo publicar esto?", "Sí"]
    user = client.users_info(user="U1")["user"]
    assert user["id"] == "U1" and user["profile"]["display_name"]
    assert client.chat_delete(channel="C1", ts=posted["ts"])["ok"]


def test_slack_history_and_message_metadata(slack: FakeSlackAPI, client: WebClient) -> None:
    question = slack.add_message("C1", "¿Puedo?", user="U1", ts="1699999999.000001")["ts"]
    meta = {"event_type": "respuesta", "event_payload": {"delivery": "event:Ev1"}}
    top = client.chat_postMessage(channel="C1", text="arriba", metadata=meta)["ts"]
    client.chat_postMessage(channel="C1", text="en hilo", thread_ts=question, metadata=meta)
    # history: top-level only, newest first, after ``oldest`` (exclusive), metadata on request
    history = client.conversations_history(channel="C1", oldest=question)["messages"]
    assert [m["text"] for m in history] == ["arriba"] and "metadata" not in history[0]
    [shown] = client.conversations_history(channel="C1", oldest=question, include_all_metadata=True)["messages"]
    assert shown["metadata"] == meta and shown["ts"] == top
    inclusive = client.conversations_history(channel="C1", oldest=question, inclusive=True)["messages"]
    assert [m["text"] for m in inclusive] == ["arriba", "¿Puedo?"]
    # replies: the parent always, then the replies after ``oldest``
    replies = client.conversations_replies(channel="C1", ts=question, oldest=question, include_all_metadata=True)
    assert [m["text"] for m in replies["messages"]] == ["¿Puedo?", "en hilo"]
    assert replies["messages"][1]["metadata"] == meta


def test_slack_invalid_token_and_unknown_method(slack: FakeSlackAPI) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=slack.base_url, timeout=5)
    with pytest.raises(SlackApiError) as err:
        wrong.auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        WebClient(token=SLACK_TOKEN, base_url=slack.base_url).api_call("no.such")
    assert err.value.response["error"] == "unknown_method"


def test_slack_fail_next(slack: FakeSlackAPI, client: WebClient) -> None:
    slack.fail_next("chat.postMessage")  # ratelimited by default
    slack.fail_next("chat.update", error="message_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hola")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["retry-after"] == "1"
    assert client.chat_postMessage(channel="C1", text="hola")["ok"]
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel="C1", ts="1.1", text="x")


@pytest.mark.parametrize(
    "blocks",
    [
        [_section(f"b{i}") for i in range(51)],
        [_section("x" * 3001)],
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}],
    ],
    ids=["51-blocks", "long-section", "long-header", "big-context"],
)
def test_slack_invalid_blocks(slack: FakeSlackAPI, client: WebClient, blocks: list[dict[str, Any]]) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == blocks  # recorded anyway


def test_slack_limits_are_inclusive(client: WebClient) -> None:
    blocks = [_section("x" * 3000)] * 49 + [{"type": "header", "text": {"type": "plain_text", "text": "x" * 150}}]
    assert client.chat_postMessage(channel="C1", text="x", blocks=blocks)["ok"]


def test_slack_views_allow_100_blocks(client: WebClient) -> None:
    # modals and Home tabs take up to 100 blocks (messages: 50)
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": [_section("x")] * 100})["ok"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [_section("x")] * 101})
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_publish(user_id="", view={"type": "home", "blocks": []})


def test_slack_wait_for_blocks_until_call_or_times_out(slack: FakeSlackAPI, client: WebClient) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="tarde"))
    timer.start()
    try:
        assert slack.wait_for("chat.postMessage", timeout=3)[0].params["text"] == "tarde"
    finally:
        timer.join()
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"chat\.delete"):
        slack.wait_for("chat.delete", timeout=0.2)
    assert time.monotonic() - started < 1


def test_slack_response_url(slack: FakeSlackAPI) -> None:
    url = slack.response_url("r1")
    assert url == f"http://127.0.0.1:{slack.port}/response/r1"
    response = WebhookClient(url, timeout=5).send(text="hecho", response_type="ephemeral")
    assert response.status_code == 200
    [call] = slack.calls_to("response_url")
    assert call.params == {"name": "r1", "text": "hecho", "response_type": "ephemeral"}


def test_signed_post_verifies_with_slack_sdk() -> None:
    seen: list[tuple[dict[str, str], bytes]] = []

    def respond(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        seen.append((headers, body))
        return 200, {}, b""

    body = command_body(text="¿puedo publicar una foto?")
    with _RecordingHTTPServer(respond) as server:
        assert signed_post(server.url, body, SIGNING_SECRET, content_type=FORM).status_code == 200
        old = int(time.time()) - 600
        signed_post(server.url, body, SIGNING_SECRET, content_type=FORM, timestamp=old)
    verifier = SignatureVerifier(SIGNING_SECRET)
    (fresh_headers, fresh_body), (old_headers, old_body) = seen
    assert fresh_body.decode() == body
    assert fresh_headers["Content-Type"] == FORM
    assert verifier.is_valid_request(fresh_body, fresh_headers)
    assert not SignatureVerifier("other-secret").is_valid_request(fresh_body, fresh_headers)
    assert not verifier.is_valid_request(old_body, old_headers)  # replay window
    assert (
        verifier.is_valid(
            old_body,
            old_headers["X-Slack-Request-Timestamp"],
            old_headers["X-Slack-Signature"],
        )
        is False
    )


def test_bolt_app_end_to_end(slack: FakeSlackAPI) -> None:
    app = App(
        client=WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5),
        signing_secret=SIGNING_SECRET,
    )
    assert slack.calls_to("auth.test")  # Bolt verifies its token at start-up

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], say: Say) -> None:
        say(text=f"Hola <@{event['user']}>", thread_ts=event["ts"])

    @app.command("/puedopublicar")
    def on_command(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        ack()
        respond(text=f"Consulta recibida: {command['text']}")

    @app.action("aprobar")
    def on_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="Aprobado")

    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> ¿puedo publicar?",
        "ts": "1700000100.000100",
        "channel": "C1",
        "event_ts": "1700000100.000100",
    }
    action = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "ana", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "verification-token",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": "C1", "name": "general"},
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "C1",
        },
        "message": {"type": "message", "ts": "1700000000.000100", "text": "¿Aprobar?"},
        "trigger_id": "1.1.abc",
        "response_url": slack.response_url("action"),
        "actions": [
            {
                "action_id": "aprobar",
                "block_id": "b1",
                "type": "button",
                "value": "1",
                "action_ts": "1.1",
            }
        ],
    }
    with _bolt_server(app) as server:
        response = signed_post(
            server.url,
            event_body(mention),
            SIGNING_SECRET,
            content_type="application/json",
        )
        assert response.status_code == 200
        [post] = slack.wait_for("chat.postMessage")
        assert post.params["channel"] == "C1"
        assert post.params["text"] == "Hola <@U1>"
        assert post.params["thread_ts"] == mention["ts"]

        body = command_body(text="una foto", response_url=slack.response_url("cmd"))
        assert signed_post(server.url, body, SIGNING_SECRET, content_type=FORM).status_code == 200
        [responded] = slack.wait_for("response_url")
        assert responded.params["name"] == "cmd"
        assert responded.params["text"] == "Consulta recibida: una foto"

        assert signed_post(server.url, interactive_body(action), SIGNING_SECRET, content_type=FORM).status_code == 200
        [update] = slack.wait_for("chat.update")
        assert update.params["ts"] == "1700000000.000100"

        forged = signed_post(server.url, body, "wrong-secret", content_type=FORM)
        stale = signed_post(
            server.url,
            body,
            SIGNING_SECRET,
            content_type=FORM,
            timestamp=int(time.time()) - 600,
        )
        assert (forged.status_code, stale.status_code) == (401, 401)


# ------------------------------------------------------- Slack strictness
# The fake refuses what Slack refuses, with Slack's error shape, and accepts the boundary value.


class _Clock:
    """A clock moved by hand (rate-limit windows, response_url lifetimes)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _slack_error(call: Callable[[], Any]) -> Any:
    """The response of a call that must fail (SlackApiError)."""
    with pytest.raises(SlackApiError) as err:
        call()
    return err.value.response


def _button(text: str = "Votar", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "action_id": "votar", "text": {"type": "plain_text", "text": text}, "value": value}


def _actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


@pytest.mark.parametrize(
    ("ok", "bad", "message"),
    [
        (
            _button(value="v" * 2000),
            _button(value="v" * 2001),
            "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
        ),
        (
            _button(text="b" * 75),
            _button(text="b" * 76),
            "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
    ],
    ids=["button-value-2000", "button-text-75"],
)
def test_slack_button_limits(client: WebClient, ok: dict[str, Any], bad: dict[str, Any], message: str) -> None:
    assert client.chat_postMessage(channel="C1", text="x", blocks=[_actions(ok)])["ok"]
    response = _slack_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks=[_actions(bad)]))
    assert response.status_code == 200
    assert response["error"] == "invalid_blocks"
    assert response["response_metadata"]["messages"] == [message]


@pytest.mark.parametrize("method", ["views.open", "views.push", "views.update"])
def test_slack_modal_title_limit(client: WebClient, method: str) -> None:
    target = {"view_id": "V1"} if method == "views.update" else {"trigger_id": "1.1.x"}

    def call(title: str, **labels: str) -> Any:
        view: dict[str, Any] = {"type": "modal", "title": {"type": "plain_text", "text": title}}
        view |= {name: {"type": "plain_text", "text": text} for name, text in labels.items()}
        return client.api_call(method, json={**target, "view": view | {"blocks": [_section("x")]}})

    assert call("t" * 24, submit="s" * 24, close="c" * 24)["ok"]
    for bad, pointer in [
        (lambda: call("t" * 25), "/view/title/text"),
        (lambda: call("T", submit="s" * 25), "/view/submit/text"),
        (lambda: call("T", close="c" * 25), "/view/close/text"),
        (lambda: call(""), "/view/title/text"),
    ]:
        response = _slack_error(bad)
        assert response["error"] == "invalid_arguments"
        [message] = response["response_metadata"]["messages"]
        assert message.endswith(f"[json-pointer:{pointer}]")


@pytest.mark.parametrize(
    "block",
    [
        {"type": "section"},
        {"type": "section", "text": {"type": "mrkdwn", "text": ""}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "  \n"}},
        {"type": "section", "fields": []},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": ""}]},
    ],
    ids=["no-text-nor-fields", "empty-text", "blank-text", "no-fields", "empty-field"],
)
def test_slack_empty_section_is_rejected(client: WebClient, block: dict[str, Any]) -> None:
    response = _slack_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks=[block]))
    assert response["error"] == "invalid_blocks"
    assert response["response_metadata"]["messages"][0].startswith("[ERROR] must ")


def test_slack_section_with_text_or_fields_is_accepted(client: WebClient) -> None:
    fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Ley*"}, {"type": "plain_text", "text": "x"}]}
    assert client.chat_postMessage(channel="C1", text="x", blocks=[_section("x"), fields])["ok"]


REAL_BLOCKS: dict[str, dict[str, Any]] = {
    "section": _section("x"),
    "divider": {"type": "divider"},
    "image": {"type": "image", "image_url": "https://example.org/a.png", "alt_text": "a"},
    "actions": _actions(_button()),
    "context": {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}]},
    "header": {"type": "header", "text": {"type": "plain_text", "text": "x"}},
    "input": {
        "type": "input",
        "label": {"type": "plain_text", "text": "x"},
        "element": {"type": "plain_text_input", "action_id": "t"},
    },
    "rich_text": {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "x"}]}],
    },
    "file": {"type": "file", "external_id": "F1", "source": "remote"},
    "video": {
        "type": "video",
        "alt_text": "v",
        "title": {"type": "plain_text", "text": "v"},
        "thumbnail_url": "https://example.org/t.png",
        "video_url": "https://example.org/v",
    },
}


def test_slack_only_real_block_types(client: WebClient) -> None:
    assert set(REAL_BLOCKS) == BLOCK_TYPES
    assert client.chat_postMessage(channel="C1", text="x", blocks=list(REAL_BLOCKS.values()))["ok"]
    for kind in ("markdown_table", "button", "Section", "mrkdwn"):
        post = functools.partial(client.chat_postMessage, channel="C1", text="x", blocks=[{"type": kind}])
        response = _slack_error(post)
        assert response["error"] == "invalid_blocks"
        assert response["response_metadata"]["messages"] == [
            f"[ERROR] unsupported type: {kind} [json-pointer:/blocks/0/type]"
        ]


def test_slack_message_text_limit(client: WebClient) -> None:
    assert client.chat_postMessage(channel="C1", text="x" * 40_000)["ok"]
    assert _slack_error(lambda: client.chat_postMessage(channel="C1", text="x" * 40_001))["error"] == "msg_too_long"


def test_slack_response_url_uses_size_and_lifetime() -> None:
    clock = _Clock()
    with FakeSlackAPI(clock=clock) as slack:
        hook = WebhookClient(slack.response_url("r"), timeout=5)

        def error(response: Any) -> tuple[int, str]:
            return response.status_code, json.loads(response.body)["error"]

        # too big: refused (and not counted as a use)
        assert error(hook.send(text="x" * 40_001)) == (400, "msg_too_long")
        too_many = hook.send(text="x", blocks=[_section("b")] * 51)
        assert error(too_many) == (400, "invalid_blocks")
        assert "no more than 50 items" in json.loads(too_many.body)["response_metadata"]["messages"][0]
        # at most five uses
        assert hook.send(text="x" * 40_000).status_code == 200
        assert hook.send(text="x", blocks=[_section("b")] * 50).status_code == 200
        for _ in range(3):
            assert hook.send(text="más").status_code == 200
        assert error(hook.send(text="la sexta")) == (404, "used_url")
        # 30 minutes
        fresh = WebhookClient(slack.response_url("r2"), timeout=5)
        clock.advance(30 * 60)
        assert fresh.send(text="justo a tiempo").status_code == 200
        clock.advance(1)
        assert error(fresh.send(text="tarde")) == (404, "expired_url")
        statuses = [c.status for c in slack.calls_to("response_url")]
        assert statuses == [400, 400, 200, 200, 200, 200, 200, 404, 200, 404]


def test_slack_post_to_a_user_opens_a_dm(slack: FakeSlackAPI, client: WebClient) -> None:
    first = client.chat_postMessage(channel="U1", text="hola")
    again = client.chat_postMessage(channel="U1", text="otra")
    other = client.chat_postMessage(channel="W2", text="¿y tú?")
    dm = first["channel"]
    assert dm.startswith("D") and dm == again["channel"] == slack.dm_channel("U1")
    assert other["channel"].startswith("D") and other["channel"] != dm
    assert [m["text"] for m in slack.messages_in(dm)] == ["hola", "otra"]
    assert slack.messages_in("U1") == slack.messages_in(dm)  # a user id reads their DM
    assert slack.calls_to("chat.postMessage")[0].params["channel"] == "U1"  # recorded as sent
    assert client.conversations_open(users="U1")["channel"]["id"] == dm
    assert client.chat_update(channel=dm, ts=first["ts"], text="editado")["ok"]
    assert slack.messages_in(dm)[0]["text"] == "editado"
    assert _slack_error(lambda: client.chat_update(channel="U1", ts=first["ts"], text="x"))["error"] == (
        "channel_not_found"  # updates need the D… id
    )
    assert _slack_error(lambda: client.chat_postMessage(channel="UBOT", text="x"))["error"] == "cannot_dm_bot"


def test_slack_unknown_channels_and_membership(slack: FakeSlackAPI, client: WebClient) -> None:
    for call in (
        lambda: client.chat_postMessage(channel="C404", text="x"),
        lambda: client.chat_postEphemeral(channel="C404", user="U1", text="x"),
        lambda: client.chat_update(channel="C404", ts="1.1", text="x"),
        lambda: client.chat_delete(channel="C404", ts="1.1"),
        lambda: client.reactions_add(channel="C404", timestamp="1.1", name="eyes"),
        lambda: client.conversations_replies(channel="C404", ts="1.1"),
    ):
        assert _slack_error(call)["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="D404", text="x")["ok"]  # any DM with the bot
    assert client.chat_postMessage(channel="C1", text="x")["ok"]  # #general is known, the bot is in it

    slack.add_channel("C2", name="random", members=["U1"])  # public, without the bot
    assert _slack_error(lambda: client.chat_postMessage(channel="C2", text="x"))["error"] == "not_in_channel"
    assert client.conversations_join(channel="C2")["ok"]
    assert client.chat_postMessage(channel="C2", text="x")["ok"]

    slack.add_channel("G1", members=["U1"])  # private, without the bot: Slack hides it
    assert _slack_error(lambda: client.chat_postMessage(channel="G1", text="x"))["error"] == "channel_not_found"
    assert _slack_error(lambda: client.conversations_join(channel="G1"))["error"] == "channel_not_found"
    slack.add_channel("C3", is_archived=True)
    assert _slack_error(lambda: client.chat_postMessage(channel="C3", text="x"))["error"] == "is_archived"


def test_slack_lenient_channels_on_request() -> None:
    with FakeSlackAPI(strict_channels=False) as slack:
        client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
        assert client.chat_postMessage(channel="C404", text="x")["ok"]


def test_slack_rate_limit_tiers_per_method_and_token() -> None:
    clock = _Clock()
    with FakeSlackAPI(clock=clock) as slack:
        ana = WebClient(token="xoxb-ana", base_url=slack.base_url, timeout=5)
        luis = WebClient(token="xoxb-luis", base_url=slack.base_url, timeout=5)

        def remove(client: WebClient) -> Any:
            return client.reactions_remove(channel="C1", timestamp="1.1", name="eyes")

        for _ in range(20):  # reactions.remove is Tier 2: 20 per minute
            remove(ana)
        response = _slack_error(lambda: remove(ana))
        assert (response.status_code, response["error"]) == (429, "ratelimited")
        assert response.headers["retry-after"] == "60"
        assert remove(luis)["ok"]  # another token has its own budget
        assert ana.reactions_add(channel="C1", timestamp="1.1", name="eyes")["ok"]  # another method too
        clock.advance(30)
        assert _slack_error(lambda: remove(ana)).headers["retry-after"] == "30"  # a sliding minute
        clock.advance(30)
        assert remove(ana)["ok"]
        assert [c.status for c in slack.calls_to("reactions.remove")][-4:] == [429, 200, 429, 200]

        for _ in range(50):  # Tier 3: 50 per minute
            ana.chat_delete(channel="C1", ts="1.1")
        assert _slack_error(lambda: ana.chat_delete(channel="C1", ts="1.1")).status_code == 429
        for _ in range(100):  # Tier 4: 100 per minute
            ana.users_info(user="U1")
        assert _slack_error(lambda: ana.users_info(user="U1")).status_code == 429


def test_slack_chat_post_message_is_limited_per_channel() -> None:
    clock = _Clock()
    with FakeSlackAPI(clock=clock) as slack:
        client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
        for _ in range(CHAT_POST_BURST):  # a burst is fine...
            client.chat_postMessage(channel="C1", text="x")
        response = _slack_error(lambda: client.chat_postMessage(channel="C1", text="x"))
        assert (response.status_code, response["error"], response.headers["retry-after"]) == (429, "ratelimited", "1")
        assert client.chat_postMessage(channel="D1", text="x")["ok"]  # ...and per channel
        clock.advance(1)  # one message per second
        assert client.chat_postMessage(channel="C1", text="x")["ok"]
        assert _slack_error(lambda: client.chat_postMessage(channel="C1", text="x")).status_code == 429
        clock.advance(CHAT_POST_BURST)
        for _ in range(CHAT_POST_BURST):
            client.chat_postMessage(channel="C1", text="x")


def test_slack_retry_handler_gets_through_a_rate_limit(slack: FakeSlackAPI, client: WebClient) -> None:
    for _ in range(CHAT_POST_BURST):
        client.chat_postMessage(channel="C1", text="ráfaga")
    patient = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
    patient.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    started = time.monotonic()
    assert patient.chat_postMessage(channel="C1", text="por fin")["ok"]  # waited Retry-After: 1
    assert 1 <= time.monotonic() - started < 5
    assert [c.status for c in slack.calls_to("chat.postMessage")][-2:] == [429, 200]


def test_slack_rate_limits_can_be_turned_off() -> None:
    with FakeSlackAPI(rate_limits=False) as slack:
        client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
        for _ in range(3 * CHAT_POST_BURST):
            client.chat_postMessage(channel="C1", text="x")
        for _ in range(25):
            client.reactions_remove(channel="C1", timestamp="1.1", name="eyes")


# ------------------------------------------------------------ Slack files


def _get(url: str, token: str | None = None, *, follow: bool = False) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(**local_client_options(5.0), follow_redirects=follow) as http:
        return http.get(url, headers=headers)


def test_slack_files_info_and_url_private_for_the_bot_token(slack: FakeSlackAPI, client: WebClient) -> None:
    file = slack.add_file(b"\x89PNG\r\n\x1a\nfoto", name="cartel de fiestas.png", mimetype="image/png")
    assert file["id"].startswith("F") and file["size"] == 12 and file["filetype"] == "png"
    info = client.files_info(file=file["id"])["file"]
    assert info == file  # what events carry is what files.info tells
    response = _get(info["url_private"], SLACK_TOKEN)
    assert (response.status_code, response.content) == (200, b"\x89PNG\r\n\x1a\nfoto")
    assert response.headers["content-type"] == "image/png"
    assert _get(info["url_private_download"], SLACK_TOKEN).content == b"\x89PNG\r\n\x1a\nfoto"
    [served, _] = slack.calls_to("url_private")
    assert served.status == 200 and served.headers["authorization"] == f"Bearer {SLACK_TOKEN}"


def test_slack_url_private_demands_the_bot_token(slack: FakeSlackAPI) -> None:
    file = slack.add_file(b"%PDF-1.4 secreto", name="informe.pdf", mimetype="application/pdf")
    for token in (None, "xoxb-otro", "xapp-1-app-token"):
        redirected = _get(file["url_private"], token)
        assert redirected.status_code == 302 and "/signin" in redirected.headers["location"]
        # followed, as a browser (or a careless client) would: Slack's sign-in page, not the file
        page = _get(file["url_private"], token, follow=True)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert b"secreto" not in page.content
    missing = file["url_private"].replace(file["id"], "F999999999")
    assert _get(missing, SLACK_TOKEN).status_code == 404
    assert _get(file["url_private"].rsplit("/", 1)[0] + "/otro.pdf", SLACK_TOKEN).status_code == 404
    with httpx.Client(**local_client_options(5.0)) as http:
        assert http.post(file["url_private"], headers={"Authorization": f"Bearer {SLACK_TOKEN}"}).status_code == 405


def test_slack_files_info_errors(client: WebClient, slack: FakeSlackAPI) -> None:
    for missing in ("F404", ""):
        with pytest.raises(SlackApiError) as err:
            client.files_info(file=missing)
        assert err.value.response["error"] == "file_not_found"
    file = slack.add_file(b"x", name="a.jpg", mimetype="image/jpeg")
    slack.delete_file(file["id"])
    with pytest.raises(SlackApiError) as err:
        client.files_info(file=file["id"])
    assert err.value.response["error"] == "file_deleted"
    assert _get(file["url_private"], SLACK_TOKEN).status_code == 404
    with FakeSlackAPI(valid_token=SLACK_TOKEN, scopes=["chat:write"]) as narrow:
        scoped = WebClient(token=SLACK_TOKEN, base_url=narrow.base_url, timeout=5)
        file = narrow.add_file(b"x", name="a.jpg", mimetype="image/jpeg")
        with pytest.raises(SlackApiError) as err:
            scoped.files_info(file=file["id"])
        assert (err.value.response["error"], err.value.response["needed"]) == ("missing_scope", "files:read")


def test_slack_file_events_and_connect_stubs(slack: FakeSlackAPI) -> None:
    file = slack.add_file(b"x", name="foto.jpg", mimetype="image/jpeg", user="U2")
    dm = message_event("mira", files=[file])
    assert (dm["subtype"], dm["channel_type"], dm["files"]) == ("file_share", "im", [file])
    assert "subtype" not in message_event("hola") and message_event("x", channel="C1")["channel_type"] == "channel"
    mention = mention_event("<@UBOT> ¿puedo?", files=[file], thread_ts="1.2")
    assert mention["type"] == "app_mention" and mention["files"] == [file] and mention["thread_ts"] == "1.2"
    stub = FakeSlackAPI.connect_stub(file)
    assert stub == {
        "id": file["id"],
        "created": file["created"],
        "timestamp": file["timestamp"],
        "file_access": "check_file_info",
    }
    assert json.loads(event_body(dm))["event"]["files"][0]["url_private"] == file["url_private"]


# --------------------------------------------------------- Telegram fixtures


@pytest.fixture
def tg() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as fake:
        yield fake


def _bot(tg: FakeTelegramAPI, token: str | None = None) -> Bot:
    return Bot(token or tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)


def _application(tg: FakeTelegramAPI) -> Application[Any, Any, Any, Any, Any, Any]:
    return Application.builder().token(tg.token).base_url(tg.base_url).base_file_url(tg.base_file_url).build()


KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="si")]])


# ---------------------------------------------------------- Telegram tests


@pytest.mark.asyncio
async def test_telegram_get_me(tg: FakeTelegramAPI) -> None:
    assert tg.base_url == f"http://127.0.0.1:{tg.port}/bot"
    async with _bot(tg) as bot:
        me = await bot.get_me()
        assert bot.base_url == f"{tg.base_url}{tg.token}"
    assert (me.id, me.username, me.is_bot) == (123456, "puedopublicar_bot", True)
    assert me.can_join_groups is True
    assert tg.calls_to("getMe")


@pytest.mark.asyncio
async def test_telegram_wrong_token(tg: FakeTelegramAPI) -> None:
    with pytest.raises(InvalidToken):
        async with _bot(tg, "123456:WRONG"):
            pass


@pytest.mark.asyncio
async def test_telegram_send_message_html(tg: FakeTelegramAPI) -> None:
    text = '<b>Hola</b> &amp; adiós 😀 <i>x</i> <a href="https://boe.es">BOE</a>'
    async with _bot(tg) as bot:
        message = await bot.send_message(chat_id=42, text=text, parse_mode="HTML", reply_markup=KEYBOARD)
    assert message.text == "Hola & adiós 😀 x BOE"
    assert message.chat.id == 42 and message.chat.type == "private"
    assert message.from_user is not None and message.from_user.username == "puedopublicar_bot"
    spans = [(e.type, e.offset, e.length) for e in message.entities]
    # offsets are in UTF-16 units: 😀 counts 2
    assert spans == [("bold", 0, 4), ("italic", 16, 1), ("text_link", 18, 3)]
    assert message.parse_entity(message.entities[1]) == "x"
    assert message.reply_markup == KEYBOARD
    [call] = tg.calls_to("sendMessage")
    assert call.params["chat_id"] == 42
    assert call.params["text"] == text
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Sí", "callback_data": "si"}]]}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>sin cerrar", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b>mal</i>",
            'Unmatched end tag at byte offset 6, expected "</b>", found "</i>"',
        ),
        ("línea<br>otra", 'Unsupported start tag "br" at byte offset 6'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_telegram_malformed_html(tg: FakeTelegramAPI, text: str, reason: str) -> None:
    async with _bot(tg) as bot:
        with pytest.raises(BadRequest, match="an't parse entities") as err:
            await bot.send_message(chat_id=42, text=text, parse_mode="HTML")
    # PTB strips "Bad Request: " and .capitalize()s the rest (lower-casing it)
    assert reason.lower() in err.value.message.lower()


@pytest.mark.asyncio
async def test_telegram_message_length(tg: FakeTelegramAPI) -> None:
    async with _bot(tg) as bot:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(chat_id=42, text="x" * 4097)
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(chat_id=42, text="<b>" + "x" * 4097 + "</b>", parse_mode="HTML")
        assert await bot.send_message(chat_id=42, text="x" * 4096)
        # the limit applies after entity parsing: tags and escapes do not count
        assert await bot.send_message(chat_id=42, text="<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="text is empty"):
            await bot.send_message(chat_id=42, text="<b> </b>", parse_mode="HTML")


@pytest.mark.asyncio
# pytest's repr of RetryAfter reads the deprecated int-valued retry_after
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_telegram_flood_control(tg: FakeTelegramAPI) -> None:
    tg.fail_next("sendMessage", retry_after=1)
    async with _bot(tg) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(chat_id=42, text="hola")
        assert (await bot.send_message(chat_id=42, text="hola")).text == "hola"


@pytest.mark.asyncio
async def test_telegram_edits_and_chat_types(tg: FakeTelegramAPI) -> None:
    tg.add_chat(-100777, "supergroup", title="Funcionarios")
    async with _bot(tg) as bot:
        sent = await bot.send_message(chat_id=-100777, text="¿Puedo?", reply_markup=KEYBOARD)
        assert sent.chat.type == "supergroup" and sent.chat.title == "Funcionarios"
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text(
                "¿Puedo?",
                chat_id=-100777,
                message_id=sent.message_id,
                reply_markup=KEYBOARD,
            )
        edited = await bot.edit_message_text(
            "<i>Sí</i>", chat_id=-100777, message_id=sent.message_id, parse_mode="HTML"
        )
        assert isinstance(edited, type(sent)) and edited.text == "Sí" and edited.reply_markup is None
        stored = tg.get_message(-100777, sent.message_id)
        assert stored is not None and "reply_markup" not in stored and stored["edit_date"]
        with pytest.raises(BadRequest, match="not found"):
            await bot.edit_message_reply_markup(chat_id=-100777, message_id=999, reply_markup=KEYBOARD)
        assert await bot.send_chat_action(chat_id=-100777, action="typing")


@pytest.mark.asyncio
async def test_telegram_commands_and_webhook_state(tg: FakeTelegramAPI) -> None:
    async with _bot(tg) as bot:
        assert await bot.set_my_commands([("consulta", "Pregunta si puedes publicar algo")])
        assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
            ("consulta", "Pregunta si puedes publicar algo")
        ]
        with pytest.raises(BadRequest):
            await bot.set_webhook("http://insecure.example.org/tg")
        assert await bot.set_webhook("https://bot.example.org/tg", secret_token="s3cr3t")
        info = await bot.get_webhook_info()
        assert info.url == "https://bot.example.org/tg"
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""


@pytest.mark.asyncio
async def test_telegram_get_updates_offset_and_long_poll(tg: FakeTelegramAPI) -> None:
    first = tg.push_update(tg.message_update("uno"))
    second = tg.push_update(tg.message_update("dos"))
    async with _bot(tg) as bot:
        updates = await bot.get_updates(timeout=0)
        assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
        assert updates[1].message is not None and updates[1].message.text == "dos"
        confirmed = await bot.get_updates(offset=second["update_id"], timeout=0)
        assert [u.update_id for u in confirmed] == [second["update_id"]]
        started = time.monotonic()
        assert await bot.get_updates(offset=second["update_id"] + 1, timeout=30) == ()
        assert time.monotonic() - started < 2  # long polls are capped at 1 s
    assert tg.pending_updates == []


def test_telegram_update_builders_entities(tg: FakeTelegramAPI) -> None:
    bot = _bot(tg)
    raw = tg.message_update("/consulta@puedopublicar_bot 😀 @PuedoPublicar_bot ¿puedo?", chat_type="group")
    update = Update.de_json(raw, bot)
    assert update.message is not None and update.effective_chat is not None
    assert update.effective_chat.type == "group" and update.effective_chat.id < 0
    parsed = {e.type: text for e, text in update.message.parse_entities().items()}
    assert parsed == {
        "bot_command": "/consulta@puedopublicar_bot",
        "mention": "@PuedoPublicar_bot",
    }
    second = tg.message_update("hola")
    assert second["update_id"] == raw["update_id"] + 1
    assert "entities" not in second["message"]
    assert utf16_len("😀") == 2


@pytest.mark.asyncio
async def test_telegram_application_polling(tg: FakeTelegramAPI) -> None:
    app = _application(tg)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("¡Hola! ¿Qué quieres publicar?", reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Anotado")
        await query.edit_message_reply_markup(None)

    async def mentioned(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Te leo", do_quote=True)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.Entity("mention"), mentioned))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            tg.push_update(tg.message_update("/start"))
            [reply] = await tg.wait_for_async("sendMessage")
            assert reply.params["chat_id"] == 424242
            assert reply.params["text"] == "¡Hola! ¿Qué quieres publicar?"

            bot_message = tg.messages_in(424242)[-1]
            assert bot_message["reply_markup"] == KEYBOARD.to_dict()
            tg.push_update(tg.callback_update("si", message=bot_message))
            await tg.wait_for_async("answerCallbackQuery")
            [edit] = await tg.wait_for_async("editMessageReplyMarkup")
            assert edit.params["message_id"] == bot_message["message_id"]

            question = tg.message_update("@puedopublicar_bot ¿puedo?", chat_type="supergroup")
            tg.push_update(question)
            replies = await tg.wait_for_async("sendMessage", count=2)
            assert replies[1].params["chat_id"] == question["message"]["chat"]["id"]
            assert replies[1].params["reply_parameters"]["message_id"] == question["message"]["message_id"]
        finally:
            await app.updater.stop()
            await app.stop()
    assert tg.pending_updates == []  # the final getUpdates offset confirmed everything
    assert tg.calls_to("deleteWebhook")  # PTB's polling bootstrap


@pytest.mark.asyncio
async def test_telegram_application_webhook(tg: FakeTelegramAPI) -> None:
    app = _application(tg)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())

    app.add_handler(MessageHandler(filters.TEXT, echo))
    port = _free_port()
    url = f"http://127.0.0.1:{port}/tg"
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg",
            webhook_url="https://bot.example.org/tg",
            secret_token="s3cr3t",
        )
        try:
            assert (tg.webhook_url, tg.webhook_secret) == (
                "https://bot.example.org/tg",
                "s3cr3t",
            )
            response = await post_webhook_update_async(url, tg.message_update("hola"), "s3cr3t")
            assert response.status_code == 200
            [reply] = await tg.wait_for_async("sendMessage")
            assert reply.params["text"] == "HOLA"
            forged = await post_webhook_update_async(url, tg.message_update("x"), "wrong")
            assert forged.status_code == 403
            # a later genuine update is answered; the forged one, queued before it, never was
            await post_webhook_update_async(url, tg.message_update("adiós"), "s3cr3t")
            replies = await tg.wait_for_async("sendMessage", count=2)
            assert [r.params["text"] for r in replies] == ["HOLA", "ADIÓS"]
        finally:
            await app.updater.stop()
            await app.stop()
