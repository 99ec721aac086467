"""Socket Mode over loopback: the fake (:mod:`fakes.slack_socket`) with slack_sdk's own
built-in client, then the project's real Bolt app end to end.

The end-to-end tests build the app with ``create_app`` and connect it with the adapter's own
Socket Mode handler (``socket_handler``: slack-bolt's ``SocketModeHandler`` and slack_sdk's
built-in client), against :class:`~fakes.slack_api.FakeSlackAPI` and
:class:`~fakes.slack_socket.FakeSocketMode`. Everything listens on 127.0.0.1 and every
wait is bounded.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from adapters.slack import create_app
from adapters.slack.app import ANSWER_THREADS, COMMAND
from adapters.slack.startup import socket_handler
from bot.feedback import FeedbackStore
from bot.idempotency import IdempotencyStore
from bot.settings import Settings
from fakes.slack_api import FakeSlackAPI
from fakes.slack_socket import APP_TOKEN, FakeSocketMode
from tests.helpers.executors import TrackingExecutor
from tests.test_slack_adapter import PHOTO_QUESTION, RETWEET_QUESTION, SLACK_TOKEN, _dm, _header, _mention

#: Seconds any single wait may take.
WAIT = 5.0


def _eventually(check: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _close(client: Any, socket_mode: FakeSocketMode) -> None:
    """Close a Socket Mode client quickly: its reader blocks in recv() for up to 3 s unless the
    server closes the connection first, so stop the fake before closing the client."""
    client.auto_reconnect_enabled = False
    socket_mode.stop()
    client.close()


# ===================================================================== the fake itself


@pytest.fixture
def slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as fake:
        yield fake


@pytest.fixture
def socket_mode(slack: FakeSlackAPI) -> Iterator[FakeSocketMode]:
    with FakeSocketMode(slack) as fake:
        yield fake


class _Client:
    """slack_sdk's built-in Socket Mode client, recording what it receives.

    ``ack`` decides whether a request is acknowledged (and with what payload)."""

    def __init__(self, slack: FakeSlackAPI, app_token: str = APP_TOKEN) -> None:
        self.requests: list[SocketModeRequest] = []
        self.messages: list[dict[str, Any]] = []
        self.ack: Callable[[SocketModeRequest], dict[str, Any] | bool] = lambda request: True
        web = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
        # ping_interval also paces the connection monitor that reconnects after a network failure
        self.client = SocketModeClient(app_token=app_token, web_client=web, ping_interval=1)
        self.client.message_listeners.append(lambda client, message, raw: self.messages.append(message))
        self.client.socket_mode_request_listeners.append(self._on_request)

    def _on_request(self, client: Any, request: SocketModeRequest) -> None:
        self.requests.append(request)
        decision = self.ack(request)
        if decision is False:
            return
        payload = decision if isinstance(decision, dict) else None
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id, payload=payload))


def _received(client: _Client, count: int) -> bool:
    return len(client.requests) == count


@pytest.fixture
def sm_client(slack: FakeSlackAPI, socket_mode: FakeSocketMode) -> Iterator[_Client]:
    client = _Client(slack)
    try:
        yield client
    finally:
        _close(client.client, socket_mode)


def test_connections_open_takes_the_app_token(slack: FakeSlackAPI, socket_mode: FakeSocketMode) -> None:
    web = WebClient(base_url=slack.base_url, timeout=5)
    url = web.apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=")
    assert web.apps_connections_open(app_token=APP_TOKEN)["url"] != url  # a new ticket each time
    [call, _] = slack.calls_to("apps.connections.open")
    assert call.headers["authorization"] == f"Bearer {APP_TOKEN}"
    for token, error in [
        ("xapp-1-A1-1-otro", "invalid_auth"),
        (SLACK_TOKEN, "not_allowed_token_type"),  # a bot token where the app token goes
    ]:
        with pytest.raises(SlackApiError) as err:
            web.apps_connections_open(app_token=token)
        assert err.value.response["error"] == error
    with pytest.raises(SlackApiError) as err:  # and the app token is no bot token
        WebClient(token=APP_TOKEN, base_url=slack.base_url, timeout=5).chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == "not_allowed_token_type"
    # the WebSocket server only takes tickets it issued
    with pytest.raises(InvalidStatus) as rejected:
        ws_connect(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=inventado", open_timeout=WAIT)
    assert rejected.value.response.status_code == 401
    with ws_connect(url, open_timeout=WAIT) as ws:
        hello = json.loads(ws.recv(timeout=WAIT))
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": "A1"}


def test_apps_connections_open_is_tier_1(slack: FakeSlackAPI, socket_mode: FakeSocketMode) -> None:
    web = WebClient(base_url=slack.base_url, timeout=5)
    for _ in range(3):  # "1+ per minute", a small burst tolerated
        web.apps_connections_open(app_token=APP_TOKEN)
    with pytest.raises(SlackApiError) as err:
        web.apps_connections_open(app_token=APP_TOKEN)
    assert err.value.response.status_code == 429
    assert 55 <= int(err.value.response.headers["retry-after"]) <= 60


def test_events_commands_and_interactions_are_delivered_and_acked(
    socket_mode: FakeSocketMode, sm_client: _Client
) -> None:
    sm_client.ack = lambda request: {"text": "⏳"} if request.type == "slash_commands" else True
    sm_client.client.connect()
    socket_mode.wait_for_connections(1)
    _eventually(lambda: any(m.get("type") == "hello" for m in sm_client.messages))

    event_id = socket_mode.deliver_event(_mention("<@UBOT> hola"), event_id="EvSOCKET1")
    command_id = socket_mode.deliver_command("una foto", command=COMMAND)
    click_id = socket_mode.deliver_interactive({"type": "block_actions", "actions": [{"action_id": "x"}]})
    assert socket_mode.wait_for_ack(event_id, WAIT).payload is None
    assert socket_mode.wait_for_ack(command_id, WAIT).payload == {"text": "⏳"}
    assert socket_mode.wait_for_ack(click_id, WAIT).connection == 1

    event, command, click = (socket_mode.deliveries_of(i)[0] for i in (event_id, command_id, click_id))
    assert (event["type"], event["retry_attempt"], event["retry_reason"]) == ("events_api", 0, "")  # as Slack sends
    assert event["accepts_response_payload"] is False
    assert event["payload"]["event_id"] == "EvSOCKET1" and event["payload"]["event"]["type"] == "app_mention"
    assert (command["type"], command["accepts_response_payload"]) == ("slash_commands", True)
    assert "retry_attempt" not in command and command["payload"]["command"] == COMMAND
    assert (click["type"], click["accepts_response_payload"]) == ("interactive", False)
    # Each once; slack_sdk runs the listeners in a thread pool, so the order they record is not kept.
    assert sorted(r.envelope_id for r in sm_client.requests) == sorted([event_id, command_id, click_id])


def test_envelopes_wait_for_a_connection(socket_mode: FakeSocketMode, sm_client: _Client) -> None:
    envelope_id = socket_mode.deliver_event(_dm("hola"))
    assert socket_mode.deliveries == []  # queued: with no connection there is nothing to deliver to
    sm_client.client.connect()
    assert socket_mode.wait_for_ack(envelope_id, WAIT).connection == 1


def test_refresh_requested_moves_delivery_to_the_new_connection(
    socket_mode: FakeSocketMode, sm_client: _Client
) -> None:
    sm_client.client.connect()
    socket_mode.wait_for_connections(1)
    socket_mode.disconnect("refresh_requested")  # the built-in client reconnects at once
    socket_mode.wait_for_connections(2, WAIT)
    envelope_id = socket_mode.deliver_event(_dm("hola"))
    assert socket_mode.wait_for_ack(envelope_id, WAIT).connection == 2


def test_unacked_event_is_redelivered_after_a_dropped_connection(
    socket_mode: FakeSocketMode, sm_client: _Client
) -> None:
    sm_client.ack = lambda request: request.retry_attempt == 1  # only the redelivered event is acked
    sm_client.client.connect()
    socket_mode.wait_for_connections(1)
    envelope_id = socket_mode.deliver_event(_dm("hola"))
    command_id = socket_mode.deliver_command("hola")
    _eventually(lambda: len(sm_client.requests) == 2)
    assert socket_mode.acks_for(envelope_id) == []

    socket_mode.drop_connection()  # TCP reset: the client reconnects from its connection monitor
    ack = socket_mode.wait_for_ack(envelope_id, WAIT)
    assert ack.connection == 2
    retries = [(d["retry_attempt"], d["retry_reason"]) for d in socket_mode.deliveries_of(envelope_id)]
    assert retries == [(0, ""), (1, "timeout")]
    # Slack does not retry slash commands: the user saw an error instead
    assert socket_mode.expired == [command_id]
    assert len(socket_mode.deliveries_of(command_id)) == 1


def test_lost_ack_resets_the_connection_and_redelivers(socket_mode: FakeSocketMode, sm_client: _Client) -> None:
    sm_client.client.connect()
    socket_mode.wait_for_connections(1)
    envelope_id = socket_mode.deliver_event(_dm("hola"), lose_ack=True)
    ack = socket_mode.wait_for_ack(envelope_id, WAIT)  # the ack of the redelivery
    assert ack.connection == 2
    assert [r.retry_attempt for r in sm_client.requests] == [0, 1]  # the client got it twice
    assert len(socket_mode.acks_for(envelope_id)) == 1


def test_events_are_retried_at_most_three_times(
    slack: FakeSlackAPI, socket_mode: FakeSocketMode, sm_client: _Client
) -> None:
    # five connections in a few seconds: more than Tier 1 allows (slack_sdk would wait a minute)
    slack.method_limits["apps.connections.open"] = 10
    sm_client.ack = lambda request: False
    sm_client.client.connect()
    envelope_id = socket_mode.deliver_event(_dm("hola"))
    for attempt in range(1, 5):  # the first delivery and three retries, none acked
        _eventually(functools.partial(_received, sm_client, attempt))  # the client has read it
        socket_mode.drop_connection()
    _eventually(lambda: socket_mode.expired == [envelope_id])
    assert [d["retry_attempt"] for d in socket_mode.deliveries_of(envelope_id)] == [0, 1, 2, 3]
    assert [r.retry_attempt for r in sm_client.requests] == [0, 1, 2, 3]


# ====================================================== the project's app, end to end


@dataclass
class SocketBot:
    slack: FakeSlackAPI
    socket: FakeSocketMode
    handler: Any
    feedback: FeedbackStore
    #: Where the app computes answers: idle means every admitted delivery has been answered.
    pool: TrackingExecutor

    def stored_answers(self) -> list[dict[str, Any]]:
        with sqlite3.connect(self.feedback.path) as con:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute("SELECT * FROM answers ORDER BY created_at")]


def _start_app(
    settings: Settings, service: Any, tmp_path: Path, client: WebClient
) -> tuple[Any, FeedbackStore, TrackingExecutor]:
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3", salt="sal-de-prueba")
    idempotency = IdempotencyStore(tmp_path / "idempotency.sqlite3")
    pool = TrackingExecutor(ANSWER_THREADS, thread_name_prefix="test-socket-answer")
    app = create_app(settings, service, feedback=feedback, idempotency=idempotency, client=client, executor=pool)
    return app, feedback, pool


def running_socket_bot(service: Any, base: Settings, tmp_path: Path) -> Iterator[SocketBot]:
    """The real app connected through Socket Mode to the fakes (a generator: iterate once)."""
    indexed_settings = base
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as slack, FakeSocketMode(slack) as socket_mode:
        settings = indexed_settings.model_copy(
            update={
                "slack_mode": "socket",
                "slack_bot_token": SLACK_TOKEN,
                "slack_app_token": socket_mode.app_token,
                "slack_api_url": slack.base_url,
            }
        )
        client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
        app, feedback, pool = _start_app(settings, service, tmp_path, client)
        handler = socket_handler(app, settings)  # checks the app token: apps.connections.open
        # The handler's connection monitor runs every ping_interval (5 s); after a network
        # failure it is what reconnects. Tests do not wait that long.
        handler.client.current_app_monitor.interval_seconds = 0.2
        handler.connect()
        try:
            socket_mode.wait_for_connections(1, WAIT)
            yield SocketBot(slack, socket_mode, handler, feedback, pool)
        finally:
            _close(handler.client, socket_mode)


@pytest.fixture
def socket_bot(service: Any, indexed_settings: Settings, tmp_path: Path) -> Iterator[SocketBot]:
    yield from running_socket_bot(service, indexed_settings, tmp_path)


def _answered_once(bot: SocketBot, count: int = 1) -> list[Any]:
    """Wait for ``count`` answers, then make sure no extra one arrives. The callers have seen
    every delivery acknowledged, and Bolt hands an admitted delivery to the answer pool before
    it acknowledges: once that pool is idle, nothing else can come."""
    posts = bot.slack.wait_for("chat.postMessage", count=count, timeout=WAIT * 2)
    bot.pool.wait_idle(WAIT * 2)
    assert len(bot.slack.calls_to("chat.postMessage")) == count, [p.params.get("text") for p in posts]
    return bot.slack.calls_to("chat.postMessage")


def test_dm_mention_and_command_are_acked_and_answered(socket_bot: SocketBot) -> None:
    bot = socket_bot
    # a DM
    dm = _dm(PHOTO_QUESTION)
    assert bot.socket.wait_for_ack(bot.socket.deliver_event(dm), WAIT).payload is None
    [post] = bot.slack.wait_for("chat.postMessage", timeout=WAIT * 2)
    assert post.params["channel"] == "D1" and "thread_ts" not in post.params
    assert _header(post.params) == "⛔ No lo publiques"
    assert post.status == 200 and post.response["ok"]

    # a mention in a channel: answered in its thread
    mention = _mention(f"<@UBOT> {RETWEET_QUESTION}")
    bot.socket.wait_for_ack(bot.socket.deliver_event(mention), WAIT)
    second = bot.slack.wait_for("chat.postMessage", count=2, timeout=WAIT * 2)[1]
    assert (second.params["channel"], second.params["thread_ts"]) == ("C1", mention["ts"])
    assert _header(second.params) == "✅ Sí, puedes publicarlo"

    # the slash command: ⏳ in the ack itself, the answer through response_url
    command_id = bot.socket.deliver_command(PHOTO_QUESTION, command=COMMAND, response_url=bot.slack.response_url("cmd"))
    ack = bot.socket.wait_for_ack(command_id, WAIT)
    assert ack.payload is not None and "Pensando" in ack.payload["text"]
    [reply] = bot.slack.wait_for("response_url", timeout=WAIT * 2)
    assert reply.status == 200 and reply.params["response_type"] == "ephemeral"
    assert _header(reply.params) == "⛔ No lo publiques"

    assert len(bot.slack.calls_to("chat.postMessage")) == 2
    assert len(bot.stored_answers()) == 3
    assert bot.socket.expired == []
    assert bot.socket.connections_opened == 1


def test_refresh_while_a_question_is_in_flight_answers_it_once(socket_bot: SocketBot) -> None:
    bot = socket_bot
    envelope_id = bot.socket.deliver_event(_dm(RETWEET_QUESTION))
    bot.socket.disconnect("refresh_requested")  # right away: the answer is still being computed
    bot.socket.wait_for_connections(2, WAIT)
    bot.socket.wait_for_ack(envelope_id, WAIT)
    [post] = _answered_once(bot)
    assert _header(post.params) == "✅ Sí, puedes publicarlo"
    # the new connection delivers the next question
    next_id = bot.socket.deliver_event(_dm(PHOTO_QUESTION, channel="D2", user="U2"))
    assert bot.socket.wait_for_ack(next_id, WAIT).connection == 2
    assert _answered_once(bot, 2)[1].params["channel"] == "D2"


def test_dropped_connection_while_a_question_is_in_flight_answers_it_once(socket_bot: SocketBot) -> None:
    bot = socket_bot
    envelope_id = bot.socket.deliver_event(_dm(PHOTO_QUESTION))
    bot.socket.wait_for_ack(envelope_id, WAIT)
    bot.socket.drop_connection()  # a network failure while the answer is computed
    bot.socket.wait_for_connections(2, WAIT)
    [post] = _answered_once(bot)
    assert _header(post.params) == "⛔ No lo publiques"
    next_id = bot.socket.deliver_event(_dm(RETWEET_QUESTION, channel="D2", user="U2"))
    assert bot.socket.wait_for_ack(next_id, WAIT).connection == 2
    _answered_once(bot, 2)


def test_redelivery_after_a_lost_ack_is_not_answered_twice(socket_bot: SocketBot) -> None:
    bot = socket_bot
    # The app acks, the connection dies before Slack gets the ack: Slack sends the event again
    # (retry_attempt 1) on the new connection while the first copy is still being answered.
    envelope_id = bot.socket.deliver_event(_dm(PHOTO_QUESTION), lose_ack=True)
    ack = bot.socket.wait_for_ack(envelope_id, WAIT)
    assert ack.connection == 2
    assert [d["retry_attempt"] for d in bot.socket.deliveries_of(envelope_id)] == [0, 1]
    [post] = _answered_once(bot)
    assert _header(post.params) == "⛔ No lo publiques"
    assert len(bot.slack.calls_to("reactions.add")) == 1
    assert len(bot.stored_answers()) == 1
