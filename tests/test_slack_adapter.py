"""The Slack adapter end to end: the real Bolt app and the real core, Slack replaced by
:class:`~fakes.slack_api.FakeSlackAPI`.

The app runs in HTTP mode on 127.0.0.1 (an ephemeral port) behind the adapter's own
:class:`~adapters.slack.server.SlackHTTPServer`; events, commands, shortcuts and clicks arrive
as correctly signed HTTP requests, and the tests assert on the Web API calls the fake recorded.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

import httpx
import pytest
from slack_sdk import WebClient

import adapters.slack.app as slack_app
from adapters.slack import SlackHTTPServer, SlackStartupError, answer_blocks, answer_text, create_app
from adapters.slack.delivery import ANSWER_EVENT
from adapters.slack.main import main
from adapters.slack.mrkdwn import escape, split_draft, to_plain
from adapters.slack.render import MAX_MESSAGE_TEXT, details_blocks
from adapters.slack.views import help_blocks
from bot.feedback import FeedbackStore
from bot.idempotency import IdempotencyStore
from bot.models import Answer, Citation, DraftFinding, SourceType, Verdict
from bot.service import Service
from bot.settings import Settings
from fakes.slack_api import (
    BOT_ID,
    BOT_USER_ID,
    FakeSlackAPI,
    command_body,
    event_body,
    interactive_body,
    mention_event,
    signed_post,
)
from tests.conftest import make_settings
from tests.helpers.executors import TrackingExecutor
from tests.helpers.files import docx_bytes, minimal_pdf
from tests.helpers.images import drawn, landscape, screen, three_faces

SLACK_TOKEN = "xoxb-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

PHOTO_QUESTION = "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"
RETWEET_QUESTION = "¿Puedo retuitear la campaña oficial de vacunación?"
DNI_DRAFT = "Hoy he atendido a Juan, DNI 12345678Z, en la oficina de empleo. ¡Qué buen día!"

_ts_counter = iter(range(1, 1_000_000))


def _ts() -> str:
    return f"1700000000.{next(_ts_counter):06d}"


# ----------------------------------------------------------------------------- harness


@dataclass
class Bot:
    """The running app and the handles the tests need."""

    slack: FakeSlackAPI
    server: SlackHTTPServer
    feedback: FeedbackStore
    #: The app's thread pools: the answers' and the one for ⏳ and notices.
    pools: list[TrackingExecutor] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def settle(self) -> None:
        """Wait until all the work the requests sent so far started is over (an ``ack`` admits
        and hands the rest to the pools before the HTTP response): only then can a test say
        that something did *not* happen."""
        for pool in self.pools:
            pool.wait_idle()

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **headers: str) -> httpx.Response:
        body = event_body(event, event_id=event_id)
        return signed_post(self.url, body, SIGNING_SECRET, content_type=JSON, headers=headers or None)

    def command(self, text: str, name: str = "cmd", *, user_id: str = "U1") -> httpx.Response:
        body = command_body(text=text, response_url=self.slack.response_url(name), user_id=user_id)
        return signed_post(self.url, body, SIGNING_SECRET, content_type=FORM)

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return signed_post(self.url, interactive_body(payload), SIGNING_SECRET, content_type=FORM)

    def asked(self, question: str, draft: str | None = None) -> str:
        """The stored form of a question (the store keeps a keyed hash, never the text)."""
        return self.feedback.hash_question(question, draft)

    def stored_answers(self) -> list[dict[str, Any]]:
        with sqlite3.connect(self.feedback.path) as con:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute("SELECT * FROM answers ORDER BY created_at")]


def _http_settings(base: Settings, **overrides: object) -> Settings:
    values: dict[str, object] = {"slack_mode": "http", "slack_signing_secret": SIGNING_SECRET}
    values.update(overrides)
    return base.model_copy(update=values)


@pytest.fixture
def slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as fake:
        yield fake


def _run_bot(
    slack: FakeSlackAPI, settings: Settings, service: Any, tmp_path: Path, **overrides: object
) -> Iterator[Bot]:
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3", salt="sal-de-prueba")
    idempotency = IdempotencyStore(tmp_path / "idempotency.sqlite3")  # shared by every app of a test
    client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
    answers = TrackingExecutor(slack_app.ANSWER_THREADS, thread_name_prefix="test-slack-answer")
    urgent: list[TrackingExecutor] = []

    def urgent_pool(*args: Any, **kwargs: Any) -> TrackingExecutor:
        urgent.append(TrackingExecutor(*args, **kwargs))
        return urgent[-1]

    with patch.object(slack_app, "ThreadPoolExecutor", urgent_pool):  # the same pool, one that can tell when idle
        app = create_app(
            _http_settings(settings, **overrides),
            service,
            feedback=feedback,
            idempotency=idempotency,
            client=client,
            executor=answers,
        )
    assert len(urgent) == 1, "the app's pool for ⏳ and notices was not created as expected"
    with SlackHTTPServer(app, host="127.0.0.1", port=0) as server:
        yield Bot(slack, server, feedback, [answers, *urgent])


@pytest.fixture
def bot(slack: FakeSlackAPI, service: Any, indexed_settings: Settings, tmp_path: Path) -> Iterator[Bot]:
    yield from _run_bot(slack, indexed_settings, service, tmp_path)


# ------------------------------------------------------------------------------ helpers


def _dm(text: str, *, channel: str = "D1", user: str = "U1", **fields: Any) -> dict[str, Any]:
    ts = fields.pop("ts", None) or _ts()
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        **fields,
    }


def _mention(text: str, *, channel: str = "C1", thread_ts: str | None = None) -> dict[str, Any]:
    ts = _ts()
    event = {"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def _blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    assert isinstance(blocks, list)
    return blocks


def _header(params: dict[str, Any]) -> str:
    headers = [b["text"]["text"] for b in _blocks_of(params) if b["type"] == "header"]
    assert headers, f"no header in {params}"
    return str(headers[0])


def _texts(params: dict[str, Any], kind: str) -> list[str]:
    out = []
    for block in _blocks_of(params):
        if block["type"] != kind:
            continue
        if kind == "context":
            out += [e["text"] for e in block["elements"]]
        elif "text" in block:
            out.append(block["text"]["text"])
    return out


def _buttons(params: dict[str, Any]) -> dict[str, str]:
    """action_id → value of every button in the message."""
    return {
        e["action_id"]: e["value"]
        for b in _blocks_of(params)
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    }


def _details_click(ref: str, slack: FakeSlackAPI, *, channel: str, ts: str, thread_ts: str | None = None) -> dict:
    """A click on "Ver fundamentos" under the (not ephemeral) message ``ts``."""
    payload = _block_action("show_details", ref, slack, name="details")
    payload["channel"] = {"id": channel}
    payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
    payload["message"] = {"ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}
    return payload


def _block_action(action_id: str, value: str, slack: FakeSlackAPI, *, user: str = "U1", name: str = "act") -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "ana", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "verification-token",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": "C1", "name": "general"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C1", "is_ephemeral": True},
        "trigger_id": f"{time.monotonic_ns()}.1.abc",
        "response_url": slack.response_url(name),
        "actions": [
            {"action_id": action_id, "block_id": "answer_actions", "type": "button", "value": value, "action_ts": "1.1"}
        ],
    }


def _eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# ------------------------------------------------------------------------- conversations


def test_dm_question_is_answered_with_verdict_and_citations(bot: Bot) -> None:
    event = _dm(PHOTO_QUESTION)
    assert bot.event(event).status_code == 200
    [post] = bot.slack.wait_for("chat.postMessage")
    params = post.params
    assert params["channel"] == "D1" and "thread_ts" not in params
    assert _header(params) == "⛔ No lo publiques"
    assert "No lo publiques" in params["text"]  # the notification fallback
    assert any("La Regla 4 de la guía" in s for s in _texts(params, "section"))  # the summary
    citations = [c for c in _texts(params, "context") if c.startswith("*[")]
    assert 1 <= len(citations) <= 3  # only the sources the summary cites, without quotes
    assert citations[0].startswith("*[1]* <https://intranet.ejemplo.es/guia-prueba|Guía de prueba")
    assert "Regla 4 · versión 2099-02-01" in citations[0] and "«" not in citations[0]
    buttons = _buttons(params)
    assert buttons["feedback_up"] == buttons["feedback_down"] and re.fullmatch(r"[0-9a-f]{16}", buttons["feedback_up"])
    assert buttons["show_details"] == buttons["feedback_up"]
    # ⏳ on the user's message while thinking, removed afterwards
    [added] = bot.slack.wait_for("reactions.add")
    assert (added.params["channel"], added.params["timestamp"]) == ("D1", event["ts"])
    assert added.params["name"] == "hourglass_flowing_sand"
    bot.slack.wait_for("reactions.remove")
    assert bot.stored_answers()[0]["question_hash"] == bot.asked(PHOTO_QUESTION)


def test_dm_ignores_bot_messages_subtypes_and_edits(bot: Bot) -> None:
    for ignored in (
        _dm("soy otro bot", bot_id="B9"),
        _dm("editado", subtype="message_changed"),
        _dm("¿editado?", edited={"user": "U1", "ts": "1.1"}),
        {**_dm("en un canal"), "channel_type": "channel", "channel": "C1"},
    ):
        assert bot.event(ignored).status_code == 200
    bot.event(_dm(RETWEET_QUESTION, thread_ts="1690000000.000001"))
    [post] = bot.slack.wait_for("chat.postMessage")
    assert _header(post.params) == "✅ Sí, puedes publicarlo"
    assert post.params["thread_ts"] == "1690000000.000001"  # written in a DM thread: answered there
    assert len(bot.slack.calls_to("reactions.add")) == 1


def test_quoted_text_in_a_dm_is_the_draft(bot: Bot) -> None:
    bot.event(_dm(f"&gt; {DNI_DRAFT}"))
    [post] = bot.slack.wait_for("chat.postMessage")
    assert _header(post.params) == "⛔ No lo publiques"
    [stored] = bot.stored_answers()
    assert (stored["question_hash"], stored["verdict"]) == (
        bot.asked("¿Puedo publicar esto?", DNI_DRAFT),
        "no_permitido",
    )


def test_mention_is_answered_in_its_thread(bot: Bot) -> None:
    mention = _mention(f"<@UBOT> {RETWEET_QUESTION}")
    assert bot.event(mention).status_code == 200
    [post] = bot.slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert post.params["thread_ts"] == mention["ts"]
    assert _header(post.params) == "✅ Sí, puedes publicarlo"
    assert bot.stored_answers()[0]["question_hash"] == bot.asked(RETWEET_QUESTION)  # the mention is stripped


def test_follow_up_mentions_in_the_thread(bot: Bot) -> None:
    parent = _ts()
    bot.slack.add_message("C1", DNI_DRAFT, user="U2", ts=parent)
    bot.event(_mention(f"<@UBOT> {PHOTO_QUESTION}", thread_ts=parent))
    [first] = bot.slack.wait_for("chat.postMessage")
    assert first.params["thread_ts"] == parent
    # a bare mention in the thread: the thread's first message is reviewed as the draft
    bot.event(_mention("<@UBOT>", thread_ts=parent))
    second = bot.slack.wait_for("chat.postMessage", count=2)[1]
    assert second.params["thread_ts"] == parent
    assert _header(second.params) == "⛔ No lo publiques"
    assert any("En tu borrador hay: " in t for t in _texts(second.params, "section"))
    assert "revisar este mensaje" in _texts(second.params, "context")[0]
    assert bot.stored_answers()[1]["question_hash"] == bot.asked("¿Puedo publicar esto?", DNI_DRAFT)


def test_a_follow_up_in_a_dm_is_read_with_the_earlier_question_until_nueva_pregunta(bot: Bot) -> None:
    bot.event(_dm(PHOTO_QUESTION))
    [first] = bot.slack.wait_for("chat.postMessage")
    assert _header(first.params) == "⛔ No lo publiques"
    bot.event(_dm("¿Y en Facebook?"))
    second = bot.slack.wait_for("chat.postMessage", count=2)[1]
    assert _header(second.params) == "⛔ No lo publiques"  # still the neighbours' photo
    assert any("en lo que dijiste antes" in t for t in _texts(second.params, "section"))
    bot.event(_dm("nueva pregunta"))
    third = bot.slack.wait_for("chat.postMessage", count=3)[2]
    assert "Empezamos de cero" in third.params["text"]
    bot.event(_dm("¿Y en Facebook?"))
    fourth = bot.slack.wait_for("chat.postMessage", count=4)[3]
    assert _header(fourth.params) != "⛔ No lo publiques"  # read alone now
    assert not any("en lo que dijiste antes" in t for t in _texts(fourth.params, "section"))
    # a self-contained new question in the DM is not a follow-up either
    bot.event(_dm(RETWEET_QUESTION))
    fifth = bot.slack.wait_for("chat.postMessage", count=5)[4]
    assert _header(fifth.params) == "✅ Sí, puedes publicarlo"


def test_a_mention_in_the_thread_follows_up_the_question_asked_there(bot: Bot) -> None:
    mention = _mention(f"<@UBOT> {PHOTO_QUESTION}")
    bot.event(mention)
    [first] = bot.slack.wait_for("chat.postMessage")
    bot.event(_mention("<@UBOT> Vale, ¿y si lo subo a LinkedIn en vez de a Instagram?", thread_ts=mention["ts"]))
    second = bot.slack.wait_for("chat.postMessage", count=2)[1]
    assert second.params["thread_ts"] == mention["ts"]
    assert _header(second.params) == _header(first.params) == "⛔ No lo publiques"
    # another thread is another conversation
    bot.event(_mention("<@UBOT> ¿Y en LinkedIn?", thread_ts=_ts()))
    third = bot.slack.wait_for("chat.postMessage", count=3)[2]
    assert _header(third.params) != "⛔ No lo publiques"


def test_slash_command_is_ephemeral_and_can_be_shared(bot: Bot) -> None:
    response = bot.command(PHOTO_QUESTION)
    assert response.status_code == 200
    assert "Pensando" in response.json()["text"]  # the ⏳ acknowledgement, only for the asker
    [private] = bot.slack.wait_for("response_url")
    assert private.params["name"] == "cmd"
    assert private.params["response_type"] == "ephemeral"
    assert _header(private.params) == "⛔ No lo publiques"
    buttons = _buttons(private.params)
    ref = buttons["share_answer"]
    assert ref == buttons["feedback_up"]
    assert not bot.slack.calls_to("chat.postMessage")

    assert bot.interact(_block_action("share_answer", ref, bot.slack, name="share")).status_code == 200
    [shared] = bot.slack.wait_for("chat.postMessage")
    assert shared.params["channel"] == "C1"
    assert _header(shared.params) == "⛔ No lo publiques"
    assert "<@U1> ha preguntado" in _texts(shared.params, "context")[0]
    assert "share_answer" not in _buttons(shared.params)
    replaced = [c for c in bot.slack.wait_for("response_url", count=2) if c.params["name"] == "share"]
    assert replaced[0].params.get("replace_original") is True


def test_share_of_a_forgotten_answer_asks_again(bot: Bot) -> None:
    bot.interact(_block_action("share_answer", "0123456789abcdef", bot.slack, name="old"))
    [reply] = bot.slack.wait_for("response_url")
    assert "Vuelve a preguntar" in reply.params["text"]
    assert not bot.slack.calls_to("chat.postMessage")


def test_message_shortcut_reviews_the_message_as_a_draft(bot: Bot) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "puedo_publicar_shortcut",
        "trigger_id": "9.1.abc",
        "response_url": bot.slack.response_url("shortcut"),
        "token": "verification-token",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": "C1", "name": "general"},
        "user": {"id": "U1", "name": "ana"},
        "message_ts": "1700000000.000200",
        "action_ts": "1700000001.000000",
        "message": {"type": "message", "user": "U2", "ts": "1700000000.000200", "text": DNI_DRAFT},
    }
    assert bot.interact(payload).status_code == 200
    [placeholder] = bot.slack.wait_for("chat.postMessage")
    assert placeholder.params["channel"] == "U1"  # privately, in a DM from the bot
    assert "Revisando" in placeholder.params["text"]
    [update] = bot.slack.wait_for("chat.update")
    assert update.params["ts"] == bot.slack.messages_in("U1")[0]["ts"]
    assert _header(update.params) == "⛔ No lo publiques"
    # the findings in context are in the fundamentos, posted in the answer's thread on request
    ref, channel = _buttons(update.params)["show_details"], update.params["channel"]
    bot.interact(_details_click(ref, bot.slack, channel=channel, ts=update.params["ts"]))
    [details] = bot.slack.wait_for("chat.postMessage", count=2)[1:]
    assert details.params["thread_ts"] == update.params["ts"]
    findings = next(t for t in _texts(details.params, "section") if t.startswith("*Lo que he visto"))
    # the DNI is shown in its context in the draft, the number itself in bold
    assert re.search(r"DNI: «…?[^»]*\*12345678Z\*[^»]*»", findings), findings
    [stored] = bot.stored_answers()
    assert (stored["question_hash"], stored["verdict"]) == (
        bot.asked("¿Puedo publicar esto?", DNI_DRAFT),
        "no_permitido",
    )


def test_help_command_and_app_home_list_the_sources(bot: Bot) -> None:
    for index, text in enumerate(["ayuda", ""]):
        response = bot.command(text, name=f"help{index}")
        assert response.status_code == 200
        reply = bot.slack.wait_for("response_url", count=index + 1)[index]
        sections = "\n".join(_texts(reply.params, "section"))
        assert "Ejemplos" in sections
        assert "Ley 1/2099" in sections and "versión 2099-01-02" in sections
        assert "versión 2099-02-01" in sections and "LinkedIn" in sections

    bot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": _ts()})
    [published] = bot.slack.wait_for("views.publish")
    assert published.params["user_id"] == "U1"
    view = published.params["view"]
    assert view["type"] == "home"
    home_text = json.dumps(view, ensure_ascii=False)
    assert "Guía de prueba sobre redes sociales" in home_text and "versión 2099-03-01" in home_text
    bot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages", "event_ts": _ts()})
    bot.settle()
    assert len(bot.slack.calls_to("views.publish")) == 1


# ---------------------------------------------------------------------------- feedback


def test_feedback_votes_and_comment_are_stored_hashed(bot: Bot) -> None:
    bot.event(_dm(PHOTO_QUESTION))
    [post] = bot.slack.wait_for("chat.postMessage")
    ref = _buttons(post.params)["feedback_up"]

    assert bot.interact(_block_action("feedback_up", ref, bot.slack, user="UVOTER1", name="up")).status_code == 200
    [thanks] = bot.slack.wait_for("response_url")
    assert thanks.params["text"].startswith("¡Gracias!") and thanks.params["response_type"] == "ephemeral"
    _eventually(lambda: len(bot.feedback.rows()) == 1)

    down = _block_action("feedback_down", ref, bot.slack, user="UVOTER2", name="down")
    assert bot.interact(down).status_code == 200
    [opened] = bot.slack.wait_for("views.open")
    assert opened.params["trigger_id"] == down["trigger_id"]
    modal = opened.params["view"]
    assert (modal["callback_id"], modal["private_metadata"]) == ("feedback_comment", ref)
    assert modal["blocks"][1]["element"]["max_length"] == 500
    _eventually(lambda: len(bot.feedback.rows()) == 2)

    submission = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "test"},
        "user": {"id": "UVOTER2", "username": "luis", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "verification-token",
        "trigger_id": "5.1.abc",
        "view": {
            "id": opened.params.get("view_id") or "V1",
            "team_id": "T1",
            "type": "modal",
            "callback_id": "feedback_comment",
            "private_metadata": ref,
            "state": {"values": {"comment": {"text": {"type": "plain_text_input", "value": "La regla no aplica"}}}},
            "hash": "1.abc",
            "app_id": "A1",
            "bot_id": "B1",
        },
        "response_urls": [],
    }
    response = bot.interact(submission)
    assert response.status_code == 200
    assert response.json()["response_action"] == "update"  # the modal says thank you
    _eventually(lambda: any(r["comment"] for r in bot.feedback.rows()))

    rows = {r["vote"]: r for r in bot.feedback.rows()}
    assert rows["up"]["platform"] == "slack" and rows["up"]["comment"] is None
    assert rows["down"]["comment"] == "La regla no aplica"
    assert rows["up"]["user_hash"] == bot.feedback.hash_user("slack", "UVOTER1")
    assert rows["down"]["user_hash"] == bot.feedback.hash_user("slack", "UVOTER2")
    raw = bot.feedback.path.read_bytes()
    assert b"UVOTER1" not in raw and b"UVOTER2" not in raw


# ---------------------------------------------------------------- delivery guarantees


def test_retries_and_duplicate_events_are_answered_once(bot: Bot) -> None:
    event = _dm(RETWEET_QUESTION)
    assert bot.event(event, event_id="EvRETRY1").status_code == 200
    retry = bot.event(event, event_id="EvRETRY1", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    again = bot.event(event, event_id="EvRETRY1")  # no retry header, same event_id
    assert (retry.status_code, again.status_code) == (200, 200)
    bot.slack.wait_for("chat.postMessage")
    bot.slack.wait_for("reactions.add")
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert len(bot.slack.calls_to("reactions.add")) == 1


def test_a_retry_of_an_event_nobody_answered_is_answered(bot: Bot) -> None:
    # the first delivery never reached any process (a deploy, a dropped connection)
    retry = bot.event(_dm(RETWEET_QUESTION), event_id="EvLOST1", **{"X-Slack-Retry-Num": "1"})
    assert retry.status_code == 200
    [post] = bot.slack.wait_for("chat.postMessage")
    assert _header(post.params) == "✅ Sí, puedes publicarlo"


def test_a_retry_after_a_failed_delivery_is_answered(bot: Bot) -> None:
    bot.slack.fail_next("chat.postMessage", "internal_error")  # the answer
    bot.slack.fail_next("chat.postMessage", "internal_error")  # and its plain-text fallback
    bot.event(_dm(RETWEET_QUESTION), event_id="EvFAIL1")
    bot.slack.wait_for("chat.postMessage", count=2)
    _eventually(lambda: len(bot.slack.calls_to("reactions.remove")) == 1)
    bot.event(_dm(RETWEET_QUESTION), event_id="EvFAIL1", **{"X-Slack-Retry-Num": "1"})
    posts = bot.slack.wait_for("chat.postMessage", count=3)
    assert _header(posts[2].params) == "✅ Sí, puedes publicarlo"
    bot.event(_dm(RETWEET_QUESTION), event_id="EvFAIL1", **{"X-Slack-Retry-Num": "2"})
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 3


def _claimed_by_a_dead_process(tmp_path: Path, delivery: str) -> None:
    """``delivery`` was claimed long ago by a process that never finished it (it died)."""
    IdempotencyStore(tmp_path / "idempotency.sqlite3", clock=lambda: time.time() - 3600).claim(f"slack:{delivery}")


def _reply_posted_by_the_dead_process(slack: FakeSlackAPI, event: dict[str, Any], delivery: str) -> None:
    thread = event.get("thread_ts") or (event["ts"] if event["type"] == "app_mention" else None)
    slack.add_message(
        event["channel"],
        "✅ Sí, puedes publicarlo",
        user=BOT_USER_ID,
        thread_ts=thread,
        bot_id=BOT_ID,
        metadata={"event_type": ANSWER_EVENT, "event_payload": {"delivery": delivery}},
    )


@pytest.mark.parametrize("where", ["dm", "mention"])
def test_a_retry_answered_by_a_process_that_died_is_not_answered_again(bot: Bot, tmp_path: Path, where: str) -> None:
    # the process posted the answer, then died before recording it: Slack retries the event
    event = _dm(RETWEET_QUESTION) if where == "dm" else _mention(f"<@{BOT_USER_ID}> {RETWEET_QUESTION}")
    _claimed_by_a_dead_process(tmp_path, "event:EvDIED1")
    _reply_posted_by_the_dead_process(bot.slack, event, "event:EvDIED1")
    assert bot.event(event, event_id="EvDIED1", **{"X-Slack-Retry-Num": "1"}).status_code == 200
    bot.settle()
    assert bot.slack.calls_to("chat.postMessage") == []
    [look] = bot.slack.calls_to("conversations.replies" if where == "mention" else "conversations.history")
    assert look.params["oldest"] == event["ts"]
    # recorded as answered: a later retry is dropped without looking again
    bot.event(event, event_id="EvDIED1", **{"X-Slack-Retry-Num": "2"})
    bot.settle()
    assert bot.slack.calls_to("chat.postMessage") == []
    assert len(bot.slack.calls_to("conversations.replies") + bot.slack.calls_to("conversations.history")) == 1


def test_a_retry_that_a_process_died_before_answering_is_answered(bot: Bot, tmp_path: Path) -> None:
    event = _dm(RETWEET_QUESTION)
    _claimed_by_a_dead_process(tmp_path, "event:EvDIED2")
    # an earlier answer in the same DM, to another question, is not this one's
    _reply_posted_by_the_dead_process(bot.slack, _dm("otra"), "event:EvOTHER")
    bot.event(event, event_id="EvDIED2", **{"X-Slack-Retry-Num": "1"})
    [post] = bot.slack.wait_for("chat.postMessage")
    assert _header(post.params) == "✅ Sí, puedes publicarlo"
    assert post.params["metadata"] == {"event_type": ANSWER_EVENT, "event_payload": {"delivery": "event:EvDIED2"}}


def test_a_first_delivery_does_not_look_for_an_earlier_reply(bot: Bot) -> None:
    bot.event(_mention(f"<@{BOT_USER_ID}> {RETWEET_QUESTION}"), event_id="EvFRESH1")
    bot.slack.wait_for("chat.postMessage")
    bot.settle()
    assert bot.slack.calls_to("conversations.history") == bot.slack.calls_to("conversations.replies") == []


def test_two_processes_on_one_data_dir_answer_an_event_once(
    slack: FakeSlackAPI, service: Any, indexed_settings: Settings, tmp_path: Path
) -> None:
    for first in _run_bot(slack, indexed_settings, service, tmp_path):
        for second in _run_bot(slack, indexed_settings, service, tmp_path):
            event = _dm(RETWEET_QUESTION)
            first.event(event, event_id="EvTWICE")
            second.event(event, event_id="EvTWICE", **{"X-Slack-Retry-Num": "1"})
            slack.wait_for("chat.postMessage")
            first.settle()
            second.settle()
            assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_replayed_slash_command_is_answered_once(bot: Bot) -> None:
    body = command_body(text=RETWEET_QUESTION, response_url=bot.slack.response_url("replay"), user_id="U1")
    first = signed_post(bot.url, body, SIGNING_SECRET, content_type=FORM)
    replay = signed_post(bot.url, body, SIGNING_SECRET, content_type=FORM)  # same signature, same trigger_id
    assert first.status_code == replay.status_code == 200
    assert "Pensando" in first.text and "Pensando" not in replay.text
    bot.slack.wait_for("response_url")
    bot.settle()
    assert len(bot.slack.calls_to("response_url")) == 1


def test_a_file_the_bot_cannot_read_gets_told_what_it_reads(bot: Bot) -> None:
    video = bot.slack.add_file(b"\x00\x00\x00\x18ftypmp42", name="pleno.mp4", mimetype="video/mp4")
    bot.event(_dm("", subtype="file_share", files=[video]))
    [post] = bot.slack.wait_for("chat.postMessage")
    assert "No puedo revisar ese archivo" in post.params["text"] and "PDF con texto" in post.params["text"]
    assert not bot.stored_answers() and not bot.slack.calls_to("files.info")  # never downloaded
    # with a question, the question is answered, and the answer says the video was not looked at
    bot.event(_dm(RETWEET_QUESTION, subtype="file_share", files=[video]))
    posts = bot.slack.wait_for("chat.postMessage", count=2)
    assert _header(posts[1].params) == "✅ Sí, puedes publicarlo"
    assert "No he revisado lo que no es una foto" in _texts(posts[1].params, "context")[0]
    bot.settle()
    assert not bot.slack.calls_to("files.info") and not bot.slack.calls_to("url_private")


def test_one_user_is_limited_and_sees_thinking_at_once(
    slack: FakeSlackAPI, service: Any, indexed_settings: Settings, tmp_path: Path
) -> None:
    for running in _run_bot(slack, indexed_settings, service, tmp_path, slack_user_limit_per_minute=2):
        for _ in range(3):
            running.event(_dm(RETWEET_QUESTION, user="UFLOOD"))
        running.event(_dm(RETWEET_QUESTION, user="UOTHER"))
        posts = slack.wait_for("chat.postMessage", count=4)
        texts = [p.params["text"] for p in posts]
        assert sum("Has hecho 2 consultas en el último minuto" in t for t in texts) == 1
        assert len(slack.calls_to("reactions.add")) == 3  # ⏳ for each admitted question only
        running.event(_dm(RETWEET_QUESTION, user="UFLOOD"))  # told once per minute, then silence
        running.settle()
        assert len(slack.calls_to("chat.postMessage")) == 4


def test_forged_and_stale_requests_are_rejected(bot: Bot) -> None:
    body = event_body(_dm(PHOTO_QUESTION))
    forged = signed_post(bot.url, body, "otro-secreto", content_type=JSON)
    stale = signed_post(bot.url, body, SIGNING_SECRET, content_type=JSON, timestamp=int(time.time()) - 600)
    assert (forged.status_code, stale.status_code) == (401, 401)
    assert httpx.get(bot.url.replace("/slack/events", "/healthz"), trust_env=False).text == "ok"
    bot.settle()
    assert not bot.slack.calls_to("chat.postMessage")


def test_url_verification_challenge(bot: Bot) -> None:
    body = json.dumps({"token": "verification-token", "challenge": "reto-123", "type": "url_verification"})
    response = signed_post(bot.url, body, SIGNING_SECRET, content_type=JSON)
    assert response.status_code == 200 and response.json()["challenge"] == "reto-123"


# ------------------------------------------------------------------------- rendering


def _synthetic_answer(explanation: str, citations: int = 40, **fields: Any) -> Answer:
    return Answer(
        question="¿Puedo publicar esto?",
        verdict=Verdict.CON_CAUTELAS,
        answer=explanation,
        citations=[
            Citation(
                n=n,
                source_id="BOE-A-2015-11719",
                tipo=SourceType.LEY,
                network=None,
                title="Real Decreto Legislativo 5/2015, texto refundido del Estatuto Básico del Empleado Público",
                locator=f"Artículo {n}",
                url=f"https://www.boe.es/buscar/act.php?id=BOE-A-2015-11719#a{n}",
                quote="El personal guardará secreto de las materias clasificadas. " * 10,
                version="2023-03-01",
                chunk_id=f"c{n}",
            )
            for n in range(1, citations + 1)
        ],
        **fields,
    )


def test_long_answer_is_split_into_valid_messages(slack: FakeSlackAPI) -> None:
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < 10_000:
        n = len(paragraphs)
        lines = [f"- Punto {n}.{i}: " + "texto de la explicación con detalle " * 6 for i in range(4)]
        paragraphs.append("\n".join(lines))
    paragraphs.append("x" * 3500)  # a single word longer than a section
    explanation = "\n\n".join(paragraphs)
    assert len(explanation) >= 10_000
    answer = _synthetic_answer(explanation, summary=f"⚠️ Con cautelas.\n{explanation}", details=explanation)
    messages = answer_blocks(answer, feedback_ref="abc123", share_ref="abc123")
    assert len(messages) >= 2
    details = details_blocks(answer)
    for blocks in messages + details:
        assert len(blocks) <= 50
        text_chars = 0
        for block in blocks:
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= 3000
                text_chars += len(block["text"]["text"])
            elif block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
            elif block["type"] == "context":
                assert len(block["elements"]) <= 10
                text_chars += sum(len(e["text"]) for e in block["elements"])
        assert text_chars <= MAX_MESSAGE_TEXT
    # the header opens the first message; the buttons close the last one, only there
    assert messages[0][0]["type"] == "header" and details[0][0]["type"] == "header"
    assert [b["type"] for b in messages[-1]][-1] == "actions"
    assert all(b["type"] != "actions" for m in messages[:-1] + details for b in m)
    # nothing lost: every line in both layers, and all 40 citations in the fundamentos, in order
    for layer in (messages, details):
        sections = "\n".join(b["text"]["text"] for m in layer for b in m if b["type"] == "section")
        assert sections.count("• Punto") == explanation.count("- Punto")
        assert sections.replace("\n", "").count("x" * 100) == 35
    numbers = [int(m.group(1)) for m in re.finditer(r"^\*\[(\d+)\]\*", "\n".join(_all_context(details)), re.M)]
    assert numbers == list(range(1, 41))
    # and Slack (the fake, with Block Kit's limits) accepts every message
    client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
    for blocks in messages + details:
        assert client.chat_postMessage(channel="C1", text=answer_text(answer), blocks=blocks)["ok"]


def _all_context(messages: list[list[dict[str, Any]]]) -> list[str]:
    return [e["text"] for m in messages for b in m if b["type"] == "context" for e in b["elements"]]


def test_special_characters_are_escaped_but_links_kept() -> None:
    answer = _synthetic_answer(
        "Ojo con <!channel> & <https://malo.example|pincha> y con *negrita* o _cursiva_ en ~tachado~ `code`.\n"
        "- nombre_de_usuario",
        citations=0,
        draft="Llamad al <612345678> & *urgente*",
        draft_findings=[DraftFinding(kind="telefono", text="612345678", start=11, end=20)],
    )
    answer.citations.append(
        Citation(
            n=1,
            source_id="x",
            tipo=SourceType.GUIA,
            network=None,
            title="Guía <interna> & *buenas* prácticas",
            locator="Regla 3",
            url="https://intranet.ejemplo.es/guia?a=1&b=<2>",
            quote="No publiques <datos> & cosas *así*.",
            version="2099-02-01",
            chunk_id="c1",
        )
    )
    [summary] = answer_blocks(answer, feedback_ref="r")
    [details] = details_blocks(answer)
    blocks = summary + details
    text = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "&amp; &lt;https://malo.example|pincha&gt;" in text
    assert "*negrita*" not in text and "∗negrita∗" in text
    assert "＿cursiva＿" in text and "∼tachado∼" in text and "ˋcodeˋ" in text
    assert "nombre_de_usuario" in text  # underscores inside words are not formatting
    [citation] = [e["text"] for b in details if b["type"] == "context" for e in b["elements"]]
    assert citation.startswith(
        "*[1]* <https://intranet.ejemplo.es/guia?a=1&amp;b=%3C2%3E|Guía &lt;interna&gt; &amp; ∗buenas∗ prácticas>"
    )
    assert "«No publiques &lt;datos&gt; &amp; cosas ∗así∗.»" in citation
    findings = next(b["text"]["text"] for b in blocks if b["type"] == "section" and "borrador" in b["text"]["text"])
    assert "«Llamad al &lt;*612345678*&gt; &amp; ∗urgente∗»" in findings
    assert "<" not in answer_text(answer) and "&lt;!channel&gt;" in answer_text(answer)
    assert escape("a < b > c & d") == "a &lt; b &gt; c &amp; d"


def test_incoming_slack_markup_becomes_plain_text() -> None:
    raw = "<@UBOT> ¿Puedo publicar *esto* &amp; &lt;aquello&gt;? Escribe a <mailto:ana@ejemplo.es|ana@ejemplo.es>"
    assert to_plain(raw, drop_user="UBOT") == "¿Puedo publicar *esto* & <aquello>? Escribe a ana@ejemplo.es"
    assert to_plain("<@U2|ana> en <#C1|general>: <https://boe.es|BOE> <https://x.es>") == (
        "@ana en #general: BOE (https://boe.es) https://x.es"
    )
    assert split_draft("¿Y esto?\n> línea 1\n> línea 2") == ("¿Y esto?", "línea 1\nlínea 2")
    assert split_draft("> solo borrador") == ("¿Puedo publicar esto?", "solo borrador")
    assert split_draft("sin borrador") == ("sin borrador", None)


def test_help_fits_in_a_message_without_sources() -> None:
    blocks = help_blocks(None, "la Unidad <de> Comunicación")
    assert len(blocks) <= 50
    assert "no puedo leer la lista de fuentes" in json.dumps(blocks, ensure_ascii=False)
    assert "la Unidad &lt;de&gt; Comunicación" in blocks[-1]["elements"][0]["text"]


# ---------------------------------------------------------------------------- failures


def test_core_failure_gives_an_apology_with_a_reference(
    slack: FakeSlackAPI, tmp_path: Path, knowledge: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, knowledge, embedding_model="/nonexistent/model")
    broken = Service(settings, auto_index=True)
    secret_question = "¿Puedo publicar la foto del zorro azul de la consejera?"
    caplog.set_level(logging.INFO)
    for running in _run_bot(slack, settings, broken, tmp_path):
        assert running.event(_dm(secret_question)).status_code == 200
        [post] = slack.wait_for("chat.postMessage", timeout=20)
        match = re.search(r"referencia: ([0-9A-F]{8})", post.params["text"])
        assert match, post.params["text"]
        assert post.params["text"].startswith("😔 Lo siento")
        assert "comunicacion@ejemplo.es" in post.params["text"]
        ref = match.group(1)
        records = [r for r in caplog.records if r.name.startswith("adapters.") and r.levelno >= logging.ERROR]
        assert any(ref in r.getMessage() and "Traceback" in r.getMessage() for r in records)
        assert "zorro azul" not in caplog.text  # never the question, not even in the traceback

        # a QuestionError reaches the user as is
        running.event(_dm("<@UBOT>"))
        second = slack.wait_for("chat.postMessage", count=2)[1]
        assert second.params["text"].startswith("La pregunta está vacía")


def test_missing_bot_token_is_a_clear_startup_error(
    indexed_settings: Settings, service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with pytest.raises(SlackStartupError, match="BOT_SLACK_BOT_TOKEN") as err:
        create_app(_http_settings(indexed_settings, slack_bot_token=None), service)
    assert err.value.exit_code == 2
    with pytest.raises(SlackStartupError, match="BOT_SLACK_SIGNING_SECRET"):
        create_app(_http_settings(indexed_settings, slack_bot_token=SLACK_TOKEN, slack_signing_secret=None), service)
    with pytest.raises(SlackStartupError, match="BOT_SLACK_APP_TOKEN"):
        create_app(
            indexed_settings.model_copy(update={"slack_bot_token": SLACK_TOKEN, "slack_mode": "socket"}), service
        )

    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_SLACK_MODE", "http")
    monkeypatch.setenv("BOT_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    assert main([]) == 2
    assert "BOT_SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_invalid_tokens_are_clear_startup_errors(
    slack: FakeSlackAPI,
    indexed_settings: Settings,
    service: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    wrong = _http_settings(indexed_settings, slack_bot_token="xoxb-wrong", slack_api_url=slack.base_url)
    with pytest.raises(SlackStartupError, match=r"BOT_SLACK_BOT_TOKEN no es válido.*invalid_auth"):
        create_app(wrong, service)
    with pytest.raises(SlackStartupError, match="BOT_SLACK_BOT_TOKEN"):
        client = WebClient(token="xoxb-wrong", base_url=slack.base_url, timeout=5)
        create_app(_http_settings(indexed_settings), service, client=client)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_SLACK_API_URL", slack.base_url)
    monkeypatch.setenv("BOT_SLACK_BOT_TOKEN", "xoxb-wrong")
    monkeypatch.setenv("BOT_SLACK_MODE", "http")
    monkeypatch.setenv("BOT_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "BOT_SLACK_BOT_TOKEN no es válido" in err and "invalid_auth" in err

    # Socket Mode: a valid bot token but a wrong app token
    monkeypatch.setenv("BOT_SLACK_BOT_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("BOT_SLACK_APP_TOKEN", "xapp-1-wrong")
    assert main(["--mode", "socket"]) == 2
    err = capsys.readouterr().err
    assert "BOT_SLACK_APP_TOKEN no es válido" in err
    assert slack.calls_to("apps.connections.open")


def test_manifest_matches_the_app() -> None:
    import yaml

    from adapters.slack.app import COMMAND, SHORTCUT_CALLBACK

    manifest = yaml.safe_load((Path(__file__).parents[1] / "adapters" / "slack_manifest.yaml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert manifest["display_information"]["name"] == "Puedo publicar"
    assert features["app_home"]["home_tab_enabled"] and features["app_home"]["messages_tab_enabled"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    [shortcut] = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["name"]) == (
        "message",
        SHORTCUT_CALLBACK,
        "¿Puedo publicar esto?",
    )
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write"} <= scopes
    assert {"reactions:write", "channels:history", "groups:history", "files:read"} <= scopes
    events = set(settings["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "message.im", "app_home_opened", "message.channels", "message.groups"}
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]


# ---------------------------------------------------------------- "Ver fundamentos"


def test_ver_fundamentos_posts_them_in_the_answers_thread_once(bot: Bot) -> None:
    bot.event(_dm(PHOTO_QUESTION))
    [answer] = bot.slack.wait_for("chat.postMessage")
    summary_sources = [c for c in _texts(answer.params, "context") if c.startswith("*[")]
    [posted] = bot.slack.messages_in("D1")
    click = _details_click(_buttons(answer.params)["show_details"], bot.slack, channel="D1", ts=posted["ts"])
    assert bot.interact(click).status_code == 200
    assert bot.interact(click).status_code == 200  # a double click
    details = bot.slack.wait_for("chat.postMessage", count=2)[1]
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 2  # posted once
    assert details.params["channel"] == "D1" and details.params["thread_ts"] == posted["ts"]
    assert _header(details.params) == "📚 Fundamentos"
    assert any("Regla 4. " in t and "Base legal" in t for t in _texts(details.params, "section"))
    sources = [c for c in _texts(details.params, "context") if c.startswith("*[")]
    assert len(sources) > len(summary_sources) and all("«" in c for c in sources)  # every source, quoted
    assert [int(re.match(r"\*\[(\d+)\]", c)[1]) for c in sources] == list(range(1, len(sources) + 1))  # type: ignore[index]
    assert not _buttons(details.params)
    # a click under the fundamentos' own thread reply points to the same thread
    reply_click = _details_click(
        _buttons(answer.params)["show_details"], bot.slack, channel="D1", ts=_ts(), thread_ts=posted["ts"]
    )
    bot.interact(reply_click)
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 2


def test_ver_fundamentos_of_a_private_answer_opens_a_modal(bot: Bot) -> None:
    bot.command(PHOTO_QUESTION)
    [private] = bot.slack.wait_for("response_url")
    ref = _buttons(private.params)["show_details"]
    assert ref == _buttons(private.params)["share_answer"]
    assert bot.interact(_block_action("show_details", ref, bot.slack)).status_code == 200  # is_ephemeral
    [opened] = bot.slack.wait_for("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "modal" and view["title"]["text"] == "Fundamentos"
    assert any(b["type"] == "context" and "«" in b["elements"][0]["text"] for b in view["blocks"])
    bot.settle()
    assert not bot.slack.calls_to("chat.postMessage")  # nothing goes to the channel


@pytest.mark.parametrize("ephemeral", [True, False])
def test_ver_fundamentos_of_a_forgotten_answer_says_to_ask_again(bot: Bot, ephemeral: bool) -> None:
    if ephemeral:
        click = _block_action("show_details", "0123456789abcdef", bot.slack, name="details")
    else:
        click = _details_click("0123456789abcdef", bot.slack, channel="C1", ts=_ts())
    bot.interact(click)
    [reply] = bot.slack.wait_for("response_url")
    assert "Vuelve a preguntar" in reply.params["text"] and "no guardo las preguntas" in reply.params["text"]
    bot.settle()
    assert not bot.slack.calls_to("chat.postMessage") and not bot.slack.calls_to("views.open")


# ------------------------------------------------------------------ photos and files

#: The first photo loads the OCR and face models: allow for it.
OCR_WAIT = 90.0


def _summary(params: dict[str, Any]) -> str:
    return "\n".join(_texts(params, "section"))


def _shortcut_payload(slack: FakeSlackAPI, message: dict[str, Any], trigger: str) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "puedo_publicar_shortcut",
        "trigger_id": trigger,
        "response_url": slack.response_url("shortcut"),
        "token": "verification-token",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": "C1", "name": "general"},
        "user": {"id": "U1", "name": "ana"},
        "message_ts": message["ts"],
        "action_ts": "1700000001.000000",
        "message": message,
    }


def test_a_photo_with_a_dni_in_a_dm_is_read_after_the_ack(bot: Bot) -> None:
    photo = bot.slack.add_file(drawn("Juan Perez Garcia", "DNI 12345678Z"), name="IMG_0042.png", mimetype="image/png")
    threads: list[str] = []
    fetch = slack_app.SlackFiles.fetch

    def spying(files: Any, attachment: Any, max_bytes: int) -> bytes:
        threads.append(threading.current_thread().name)
        return fetch(files, attachment, max_bytes)

    with patch.object(slack_app.SlackFiles, "fetch", spying):
        assert bot.event(_dm("", subtype="file_share", files=[photo])).status_code == 200
        [post] = bot.slack.wait_for("chat.postMessage", timeout=OCR_WAIT)
    assert threads and all(name.startswith("test-slack-answer") for name in threads)  # the worker, not the ack
    [info] = bot.slack.calls_to("files.info")
    assert info.params["file"] == photo["id"]
    [download] = [c for c in bot.slack.calls_to("url_private") if c.status == 200]
    assert download.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    assert _header(post.params) == "⛔ No lo publiques"
    summary = _summary(post.params)
    assert "En la imagen: he leído «" in summary and "12345678Z" in summary.replace(" ", "")
    [stored] = bot.stored_answers()
    assert (stored["question_hash"], stored["verdict"]) == (bot.asked("¿Puedo publicar esto?"), "no_permitido")


def test_three_faces_are_counted_and_people_rules_apply(bot: Bot) -> None:
    faces = bot.slack.add_file(three_faces(), name="equipo.jpg", mimetype="image/jpeg")
    bot.event(mention_event("<@UBOT>", files=[faces]))  # a mention with the photo alone
    [alone] = bot.slack.wait_for("chat.postMessage", timeout=OCR_WAIT)
    assert "aparecen 3 caras" in _summary(alone.params)
    # The fixture guide has no rule for people in a photo by themselves (the real one has: Regla 73);
    # nothing forbids it, so: with care, never «sí».
    assert _header(alone.params) == "⚠️ Sí, con cautelas"
    # who they are makes a rule apply, with the faces as the photo it needs
    bot.event(_dm("Es de los vecinos que atendí hoy", subtype="file_share", files=[faces]))
    attended = bot.slack.wait_for("chat.postMessage", count=2, timeout=OCR_WAIT)[1]
    assert _header(attended.params) == "⛔ No lo publiques"
    assert "He visto «3 caras» en la imagen" in _summary(attended.params)
    assert "Regla 4" in _summary(attended.params)


def test_a_screen_full_of_text_reviewed_with_the_shortcut_is_a_no(bot: Bot) -> None:
    screen_photo = bot.slack.add_file(screen(), name="pantalla.jpg", mimetype="image/jpeg", user="U2")
    message = {"type": "message", "user": "U2", "ts": "1700000000.000300", "text": "", "files": [screen_photo]}
    assert bot.interact(_shortcut_payload(bot.slack, message, "31.1.abc")).status_code == 200
    [update] = bot.slack.wait_for("chat.update", timeout=OCR_WAIT)
    assert _header(update.params) == "⛔ No lo publiques"
    summary = _summary(update.params)
    assert "USOINTERNO" in summary.replace(" ", "") and "EXPEDIENTE" in summary
    assert "Regla 3" in summary


def test_a_landscape_at_the_root_of_a_thread_is_not_a_no(bot: Bot) -> None:
    sky = bot.slack.add_file(landscape(), name="excursion.jpg", mimetype="image/jpeg", user="U2")
    root = _ts()
    bot.slack.add_message("C1", "", user="U2", ts=root, files=[sky])
    bot.event(mention_event("<@UBOT>", thread_ts=root))  # a bare mention: review the thread's first message
    [post] = bot.slack.wait_for("chat.postMessage", timeout=OCR_WAIT)
    assert post.params["thread_ts"] == root
    assert _header(post.params) in ("✅ Sí, puedes publicarlo", "⚠️ Sí, con cautelas")
    assert "no he leído ningún texto; no he visto caras" in _summary(post.params)


def test_a_pdf_and_a_word_document_are_read_as_the_draft(bot: Bot) -> None:
    pdf = bot.slack.add_file(
        minimal_pdf(["Acta de la visita", "Vecino: Juan Perez, DNI 12345678Z"]),
        name="acta.pdf",
        mimetype="application/pdf",
    )
    bot.event(_dm("", subtype="file_share", files=[pdf]))
    [first] = bot.slack.wait_for("chat.postMessage")
    assert _header(first.params) == "⛔ No lo publiques"
    assert "En tu borrador hay: " in _summary(first.params) and "Regla 4" in _summary(first.params)
    word = bot.slack.add_file(
        docx_bytes("Informe", ["USO INTERNO - NO DIFUNDIR", "Borrador del informe de la concejalía."]),
        name="informe.docx",
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    bot.event(_dm("¿Puedo subir esto a LinkedIn?", subtype="file_share", files=[word]))
    second = bot.slack.wait_for("chat.postMessage", count=2)[1]
    assert _header(second.params) == "⛔ No lo publiques"
    assert "Regla 3" in _summary(second.params)
    hashes = [row["question_hash"] for row in bot.stored_answers()]
    assert hashes[1] == bot.asked(
        "¿Puedo subir esto a LinkedIn?", "Informe\nUSO INTERNO - NO DIFUNDIR\nBorrador del informe de la concejalía."
    )


def test_an_oversized_or_unreadable_file_gets_a_clear_notice(
    slack: FakeSlackAPI, service: Any, indexed_settings: Settings, tmp_path: Path
) -> None:
    for running in _run_bot(slack, indexed_settings, service, tmp_path, max_attachment_bytes=50_000):
        big = slack.add_file(b"\xff\xd8\xff" + b"\0" * 60_000, name="grande.jpg", mimetype="image/jpeg")
        running.event(_dm("¿Puedo?", subtype="file_share", files=[big]))
        [too_big] = slack.wait_for("chat.postMessage")
        assert "pesa 58 KB" in too_big.params["text"]  # sizes under a MB are in KB
        assert "solo reviso archivos de hasta 48 KB" in too_big.params["text"]
        assert not slack.calls_to("files.info")  # the event said how big it was: not even asked for
        broken = slack.add_file(drawn("hola")[:60], name="rota.png", mimetype="image/png")
        running.event(_dm("", subtype="file_share", files=[broken]))
        unreadable = slack.wait_for("chat.postMessage", count=2, timeout=OCR_WAIT)[1]
        assert unreadable.params["text"].startswith("No puedo leer la imagen: la imagen está dañada o incompleta")
        assert not running.stored_answers()


def test_without_files_read_the_download_fails_with_a_notice(
    service: Any, indexed_settings: Settings, tmp_path: Path
) -> None:
    scopes = ["app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write", "reactions:write"]
    with FakeSlackAPI(valid_token=SLACK_TOKEN, scopes=scopes) as narrow:
        for running in _run_bot(narrow, indexed_settings, service, tmp_path):
            photo = narrow.add_file(drawn("hola"), name="foto.png", mimetype="image/png")
            running.event(_dm("", subtype="file_share", files=[photo]))
            [post] = narrow.wait_for("chat.postMessage")
            assert post.params["text"].startswith("📎 No he podido descargar el archivo")
            assert narrow.calls_to("files.info")[0].response["error"] == "missing_scope"


def test_a_slack_connect_file_is_described_by_files_info(bot: Bot) -> None:
    pdf = bot.slack.add_file(minimal_pdf(["USO INTERNO - NO DIFUNDIR"]), name="nota.pdf", mimetype="application/pdf")
    bot.event(_dm("", subtype="file_share", files=[FakeSlackAPI.connect_stub(pdf)]))  # only its id
    [post] = bot.slack.wait_for("chat.postMessage")
    assert _header(post.params) == "⛔ No lo publiques" and "Regla 3" in _summary(post.params)
    assert [c.params["file"] for c in bot.slack.calls_to("files.info")] == [pdf["id"]]
