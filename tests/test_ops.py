"""What operators watch (:mod:`adapters.ops`): Prometheus metrics and the health checks, on the
Slack HTTP port and on the separate port of the other modes, with the real adapters and core.
No metric label may carry a question or a user id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient

from adapters.ops import Metrics, OpsServer, core_checks, ops_wsgi_app
from adapters.slack import SlackHTTPServer, create_app
from adapters.telegram.startup import build_application
from bot.feedback import FeedbackStore
from bot.idempotency import IdempotencyStore
from bot.service import Service
from bot.settings import Settings
from fakes.slack_api import FakeSlackAPI, event_body, interactive_body, signed_post
from fakes.telegram_api import FakeTelegramAPI
from tests.test_telegram_adapter import USER, adapter_settings, bot_messages, polling

SLACK_TOKEN = "xoxb-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
QUESTION = "¿Puedo subir al insta una foto de los vecinos que atendí hoy? Soy Ana Pérez Gil"


def _samples(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of one metric in the Prometheus text format."""
    out = {}
    for match in re.finditer(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", text, re.M):
        out[match.group(1) or ""] = float(match.group(2))
    return out


def _stores(tmp_path: Path) -> tuple[FeedbackStore, IdempotencyStore]:
    return FeedbackStore(tmp_path / "feedback.sqlite3", salt="sal"), IdempotencyStore(tmp_path / "idem.sqlite3")


# -------------------------------------------------------------------- the ops port


def test_the_ops_port_serves_health_readiness_and_metrics(tmp_path: Path) -> None:
    feedback, idempotency = _stores(tmp_path)
    broken = {"chroma": lambda: (_ for _ in ()).throw(ConnectionError("down"))}
    checks = {**core_checks(object(), feedback=feedback.path, idempotency=idempotency.path)}
    metrics = Metrics()
    metrics.rejected.labels("telegram", "busy").inc()
    with OpsServer(metrics, checks, host="127.0.0.1", port=0) as server, httpx.Client(timeout=5) as http:
        base = f"http://127.0.0.1:{server.port}"
        assert http.get(f"{base}/healthz").text == "ok"
        ready = http.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json() == {"ready": True, "failing": {}}
        text = http.get(f"{base}/metrics").text
        assert _samples(text, "puedo_requests_rejected_total") == {'{platform="telegram",reason="busy"}': 1.0}
        assert http.get(f"{base}/otra").status_code == 404
    with OpsServer(metrics, {**checks, **broken}, host="127.0.0.1", port=0) as server:
        ready = httpx.get(f"http://127.0.0.1:{server.port}/readyz", timeout=5)
        assert ready.status_code == 503 and ready.json()["failing"] == {"chroma": "ConnectionError"}
    (tmp_path / "feedback.sqlite3").unlink()
    with OpsServer(metrics, checks, host="127.0.0.1", port=0) as server:
        failing = httpx.get(f"http://127.0.0.1:{server.port}/readyz", timeout=5).json()["failing"]
        assert set(failing) == {"feedback"}


def test_the_index_and_the_sources_are_read_at_scrape_time(tmp_path: Path, service: Service) -> None:
    (tmp_path / "sources-state.json").write_text(
        '{"BOE-A-2015-11719": {"checked_at": "2026-11-30T03:17:00+00:00"}, "roto": {"checked_at": "ayer"}}',
        encoding="utf-8",
    )
    metrics = Metrics()
    metrics.watch_core(service.store.pointer, tmp_path)
    checks = core_checks(service, feedback=tmp_path / "f", idempotency=tmp_path / "i")
    assert set(checks) == {"feedback", "idempotency", "index", "chroma"}
    with OpsServer(metrics, checks, host="127.0.0.1", port=0) as server:
        text = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5).text
    assert _samples(text, "puedo_index_generation")[""] == float(service.store.pointer().generation)  # type: ignore[union-attr]
    assert _samples(text, "puedo_index_age_seconds")[""] >= 0
    assert _samples(text, "puedo_source_last_sync_timestamp_seconds") == {'{source="BOE-A-2015-11719"}': 1796008620.0}

    def down() -> None:
        raise ConnectionError("Chroma caído")

    unreachable = Metrics()
    unreachable.watch_core(down, tmp_path)  # a scrape never fails because Chroma does
    with OpsServer(unreachable, {}, host="127.0.0.1", port=0) as server:
        text = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5).text
    assert "puedo_index_generation" in text and _samples(text, "puedo_index_generation") == {}


# ------------------------------------------------------------------- Slack, HTTP mode


@pytest.fixture
def slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as fake:
        yield fake


def test_slack_http_port_counts_answers_votes_and_acks_without_user_text(
    slack: FakeSlackAPI, service: Service, indexed_settings: Settings, tmp_path: Path
) -> None:
    feedback, idempotency = _stores(tmp_path)
    settings = indexed_settings.model_copy(update={"slack_mode": "http", "slack_signing_secret": SIGNING_SECRET})
    metrics = Metrics()
    client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
    app = create_app(settings, service, feedback=feedback, idempotency=idempotency, client=client, metrics=metrics)
    checks = core_checks(service, feedback=feedback.path, idempotency=idempotency.path)
    server = SlackHTTPServer(app, host="127.0.0.1", port=0, ops=ops_wsgi_app(metrics, checks), metrics=metrics)
    with server, httpx.Client(timeout=5) as http:
        event = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U77", "text": QUESTION}
        event.update(ts="1700000000.000001", event_ts="1700000000.000001")
        body = event_body(event, event_id="Ev1")
        assert signed_post(server.url, body, SIGNING_SECRET, content_type="application/json").status_code == 200
        assert signed_post(server.url, body, SIGNING_SECRET, content_type="application/json").status_code == 200
        [answer] = slack.wait_for("chat.postMessage")
        ref = next(e["value"] for b in answer.params["blocks"] if b["type"] == "actions" for e in b["elements"])
        click = {
            "type": "block_actions",
            "user": {"id": "U77"},
            "team": {"id": "T1"},
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "D1", "is_ephemeral": False},
            "response_url": slack.response_url("vote"),
            "actions": [{"action_id": "feedback_up", "value": ref, "type": "button", "action_ts": "1.1"}],
        }
        signed_post(
            server.url, interactive_body(click), SIGNING_SECRET, content_type="application/x-www-form-urlencoded"
        )
        slack.wait_for("response_url")  # the thank-you: the vote is stored and counted
        base = server.url.rsplit("/slack/events", 1)[0]
        assert http.get(f"{base}/readyz").json() == {"ready": True, "failing": {}}
        text = http.get(f"{base}/metrics").text
    assert _samples(text, "puedo_questions_answered_total") == {
        '{language="es",platform="slack",verdict="no_permitido"}': 1.0
    }
    assert _samples(text, "puedo_requests_rejected_total") == {'{platform="slack",reason="duplicate"}': 1.0}
    assert _samples(text, "puedo_feedback_votes_total") == {'{platform="slack",vote="up"}': 1.0}
    assert _samples(text, "puedo_ack_seconds_count")['{platform="slack"}'] >= 3
    assert _samples(text, "puedo_answer_seconds_count") == {
        '{stage="retrieve"}': 1.0,
        '{stage="decide"}': 1.0,
        '{stage="total"}': 1.0,
    }
    assert _samples(text, "puedo_questions_pending") == {'{platform="slack"}': 0.0}
    # nothing the user wrote or who they are: not the question, not the name, not the user id
    for private in ("vecinos", "Ana", "Pérez", "U77", "insta"):
        assert private not in text


# ---------------------------------------------------------------------- Telegram


@pytest.mark.asyncio
async def test_telegram_counts_answers_and_votes(tmp_path: Path, service: Service) -> None:
    feedback, idempotency = _stores(tmp_path)
    metrics = Metrics()
    with FakeTelegramAPI() as tg:
        settings = adapter_settings(tmp_path, tg)
        application: Any = build_application(
            settings, service, feedback=feedback, idempotency=idempotency, metrics=metrics
        )
        async with polling(application):
            tg.push_update(tg.message_update(QUESTION))
            await tg.wait_for_async("sendMessage", timeout=20)
            [answer] = bot_messages(tg, USER)
            up = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            tg.push_update(tg.callback_update(up, message=answer))
            await tg.wait_for_async("answerCallbackQuery", timeout=20)
    text = ops_text(metrics)
    assert _samples(text, "puedo_questions_answered_total") == {
        '{language="es",platform="telegram",verdict="no_permitido"}': 1.0
    }
    assert _samples(text, "puedo_feedback_votes_total") == {'{platform="telegram",vote="up"}': 1.0}
    assert "vecinos" not in text and str(USER) not in text


def ops_text(metrics: Metrics) -> str:
    from prometheus_client import generate_latest

    return generate_latest(metrics.registry).decode()
