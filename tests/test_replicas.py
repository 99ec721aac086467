"""Replicas: two Slack Socket Mode processes and two Telegram webhook processes, one Chroma
server and one PostgreSQL, every question answered once.

Everything runs as real processes on 127.0.0.1: ``chroma run``, PostgreSQL
(:mod:`tests.helpers.postgres`), and four adapter processes (``python -m adapters.slack`` /
``python -m adapters.telegram``, each with a data dir of its own, as on separate machines)
against the fake Slack (spreading Socket Mode envelopes over both connections, as Slack does
with several) and the fake Telegram, whose part of delivering webhooks this test plays.

:func:`test_replicas_answer_each_question_once`: 300 short questions from 40 people, half per
platform; 10 % delivered twice to both replicas at once, 5 % retried after their answer; one
replica of each platform killed with SIGKILL at a random moment once half are out (not in step
with an answer a sender has just received). Slack redelivers the envelopes the dead
connection had not acknowledged (the fake does, to the other connection); Telegram's part
(this test) re-posts an update whose webhook call failed to the replica still alive. Then
votes on answers from both replicas, some clicked twice. What must hold:

* no vote stored twice (one row per answer in PostgreSQL); no question answered twice. On
  Telegram the answer and the acknowledgement are one step (the webhook's reply); recording it
  is the next, a millisecond later, so only a copy sent *after* the acknowledgement (which
  Telegram does not do, and the late retries here do) could be answered again, and only if its
  replica died in that millisecond. On Slack
  they are two: the killed replica may have posted an answer in the moment of the kill, before
  recording it; the replica that takes the redelivery over looks for that answer in the
  conversation (its message metadata names the event) before answering;
* every question answered. A replica acknowledges only once its answer is out (Telegram's
  webhook replies 200 with the answer in it, which this test then sends as Telegram would; a Slack event is acknowledged after its answer, or after
  ``ACK_WAIT`` seconds for a slow one), so what a killed replica was answering comes back and
  the other answers it: its claim's holder is gone, see :mod:`bot.idempotency`. The only
  questions that may be lost are Slack ones acknowledged before their answer was out (slower
  than ``ACK_WAIT``) by the killed replica; they are counted and reported.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.index import ChromaStore, Indexer
from bot.service import Service
from fakes._base import RawRequest, RawResponse, parse_form
from fakes.slack_api import FakeSlackAPI
from fakes.slack_socket import FakeSocketMode
from fakes.telegram_api import FakeTelegramAPI, carry_out_webhook_reply
from tests.conftest import FIXTURES, make_settings
from tests.helpers.postgres import PostgresServer, free_port

pytestmark = [pytest.mark.server, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[1]
SLACK_TOKEN = "xoxb-replicas"
TG_SECRET = "replicas_secret_1"
#: Short questions on a few topics: cheap to answer, so the run measures delivery, not the core.
QUESTIONS = [
    "¿Puedo subir al insta una foto de los vecinos que atendí hoy?",
    "¿Puedo retuitear la campaña oficial de vacunación?",
    "¿Puedo compartir en LinkedIn la convocatoria de oposiciones?",
    "¿Puedo publicar el teléfono de un usuario?",
]
TOTAL = 300
PEOPLE = 20  # per platform
#: Seconds: one process start, one answer, the whole run.
START_TIMEOUT = 180.0
ANSWER_TIMEOUT = 30.0
#: How long, after the senders are done, the answers still owed may take to arrive.
DRAIN_TIMEOUT = 90.0
#: How long Telegram's part waits for a replica to answer a webhook POST. Telegram itself waits
#: longer; with 10 s, on two loaded cores, a reply handed to the socket after the fake had given up
#: counted as sent and the update was lost (the race of a webhook reply against the caller's
#: timeout: the next copy finds it answered).
WEBHOOK_TIMEOUT = 30.0
#: How long Telegram's part keeps sending an update again while the replicas answer 503.
REDELIVERY_TIMEOUT = 60.0
RUN_TIMEOUT = 480.0
CONTINUATION = "Puedo publicar (continuación"


# ------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real ``chroma run`` on loopback for the module."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("the chroma command comes with chromadb (scripts/bootstrap.sh)")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _until(lambda: _http_ok(f"http://127.0.0.1:{port}/api/v2/heartbeat"), 60, "chroma run did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _until(check: Any, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} within {timeout:.0f} s")
        time.sleep(0.1)


# ------------------------------------------------------------- index updates, no restart


def test_a_new_generation_reaches_every_replica_without_restart(tmp_path: Path, chroma_port: int) -> None:
    """The serving generation's pointer lives in Chroma, not in a data dir: a replica on another
    machine (another data dir) answers from an index another one wrote, without restarting."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    common = {"chroma_mode": "server", "chroma_host": "127.0.0.1", "chroma_port": chroma_port}
    writer = make_settings(tmp_path / "a", knowledge, collection_prefix="generaciones", **common)
    reader = make_settings(tmp_path / "b", knowledge, collection_prefix="generaciones", **common)
    assert Indexer(writer).update().generation == 1
    replica = Service(reader, auto_index=False)
    question = "¿Puedo retuitear la campaña oficial de vacunación?"
    replica.ask(question)
    assert replica.generation == 1

    guide = knowledge / "guias" / "guia.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nUna línea nueva.\n", encoding="utf-8")
    assert Indexer(writer).update().generation == 2  # written through the other data dir
    replica.ask(question)  # the same process, not restarted
    assert replica.generation == 2 == ChromaStore(reader).pointer().generation  # type: ignore[union-attr]
    assert not (reader.data_dir / "chroma").exists()  # nothing of the index in the reader's data dir


# --------------------------------------------------------------------- the replicas


@dataclass
class Replica:
    """One adapter process."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    ops_port: int
    webhook_port: int | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self) -> bool:
        if not self.alive():
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
        if not _http_ok(f"http://127.0.0.1:{self.ops_port}/readyz"):
            return False
        if self.webhook_port is None:
            return True
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.webhook_port)) == 0

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _start(name: str, module: str, env: dict[str, str], tmp: Path, **extra: str) -> Replica:
    data = tmp / name
    data.mkdir()
    ops = free_port()
    environment = {**env, "BOT_DATA_DIR": str(data / "data"), "BOT_METRICS_PORT": str(ops), **extra}
    log = tmp / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", module], cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    port = extra.get("BOT_TELEGRAM_WEBHOOK_PORT")
    return Replica(name, process, log, ops, int(port) if port else None)


@dataclass
class Tally:
    """Replies per question, with when the first one arrived, and what a vote needs."""

    replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    first_at: dict[str, float] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answer: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: str, reply: str, answer: dict[str, Any]) -> None:
        with self.lock:
            self.replies[key].append(reply)
            self.first_at.setdefault(key, time.monotonic())
            self.times[key].append(time.monotonic())
            self.answer.setdefault(key, answer)

    def wait(self, key: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if key in self.first_at:
                    return True
            time.sleep(0.05)
        return False


class CountingSlack(FakeSlackAPI):
    """The fake Web API, tallying each question's answers by (channel, thread)."""

    def __init__(self, tally: Tally) -> None:
        super().__init__(valid_token=SLACK_TOKEN)
        self.tally = tally
        self.method_limits["apps.connections.open"] = 20  # four connections in a few seconds

    def handle(self, request: RawRequest) -> RawResponse:
        response = super().handle(request)
        if request.path == "/api/chat.postMessage" and response.status == 200:
            params: dict[str, Any] = (
                json.loads(request.body) if request.media_type == "application/json" else parse_form(request.body)
            )
            reply = str(params.get("text") or "")
            if params.get("thread_ts") and not reply.startswith(CONTINUATION):
                self.tally.record(f"{params.get('channel')}:{params['thread_ts']}", reply, params)
        return response


class CountingTelegram(FakeTelegramAPI):
    """The fake Bot API, tallying each question's answers by the message they reply to."""

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def handle(self, request: RawRequest) -> RawResponse:
        response = super().handle(request)
        if request.path.endswith("/sendMessage") and response.status == 200:
            params: dict[str, Any] = (
                json.loads(request.body) if request.media_type == "application/json" else parse_form(request.body)
            )
            reply = params.get("reply_parameters")
            if isinstance(reply, str):
                reply = json.loads(reply)
            if isinstance(reply, dict):
                sent = response.payload.get("result") if isinstance(response.payload, dict) else None  # the message
                key = f"{params.get('chat_id')}:{reply.get('message_id')}"
                self.tally.record(key, str(params.get("text") or ""), sent or {})
        return response


@dataclass
class Run:
    """What the senders did, for the assertions and the report."""

    slack_envelopes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    tg_acks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    tg_busy: int = 0  # 503s: a copy of the update was still being answered
    sent: int = 0
    deliveries: int = 0
    duplicates: int = 0
    late_retries: int = 0
    redelivered: int = 0
    killed_at: float | None = None
    #: The highest Telegram message id asked when the replicas were killed (for diagnosis).
    last_message_at_kill: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def test_replicas_answer_each_question_once(
    tmp_path: Path, chroma_port: int, postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    database = postgres.create_database("replicas")
    server = {"chroma_mode": "server", "chroma_host": "127.0.0.1", "chroma_port": chroma_port}
    indexer = make_settings(tmp_path / "indexer", knowledge, collection_prefix="replicas", **server)
    assert Indexer(indexer).update().generation is not None

    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        BOT_KNOWLEDGE_DIR=str(knowledge),
        BOT_MODEL_CACHE_DIR=os.environ["BOT_MODEL_CACHE_DIR"],  # the ONNX export the indexer made
        BOT_DOUBT_CASES_DIR="",  # the second opinion has its own tests; here it would only slow start-up
        BOT_CHROMA_MODE="server",
        BOT_CHROMA_HOST="127.0.0.1",
        BOT_CHROMA_PORT=str(chroma_port),
        BOT_COLLECTION_PREFIX="replicas",
        BOT_DATABASE_URL=database,
        BOT_SLACK_USER_LIMIT_PER_MINUTE="1000",
        BOT_TELEGRAM_USER_LIMIT_PER_MINUTE="1000",
        BOT_TELEGRAM_MESSAGES_PER_SECOND="15",  # two replicas share the bot's 30 a second
        BOT_DELIVERY_LEASE_SECONDS="120",
        BOT_LOG_FORMAT="text",
    )
    tally = Tally()
    run = Run()
    replicas: list[Replica] = []
    with (
        CountingSlack(tally) as slack,
        FakeSocketMode(slack, spread=True) as socket_mode,
        CountingTelegram(tally) as tg,
    ):
        slack_env = {
            **env,
            "BOT_SLACK_MODE": "socket",
            "BOT_SLACK_BOT_TOKEN": SLACK_TOKEN,
            "BOT_SLACK_APP_TOKEN": socket_mode.app_token,
            "BOT_SLACK_API_URL": slack.base_url,
        }
        tg_env = {
            **env,
            "BOT_TELEGRAM_TOKEN": tg.token,
            "BOT_TELEGRAM_API_URL": tg.base_url,
            "BOT_TELEGRAM_MODE": "webhook",
            "BOT_TELEGRAM_WEBHOOK_URL": "https://bot.ejemplo.es/telegram/hook",
            "BOT_TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "BOT_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        }
        try:
            # Slack replicas one after the other: connection 1 is s1's, connection 2 is s2's.
            for number in (1, 2):
                replica = _start(f"s{number}", "adapters.slack", slack_env, tmp_path)
                replicas.append(replica)
                _until(replica.ready, START_TIMEOUT, f"{replica.name} was not ready")
                socket_mode.wait_for_connections(number, timeout=30)
            for number in (1, 2):
                port = str(free_port())
                replicas.append(
                    _start(f"t{number}", "adapters.telegram", tg_env, tmp_path, BOT_TELEGRAM_WEBHOOK_PORT=port)
                )
            for replica in replicas[2:]:
                _until(replica.ready, START_TIMEOUT, f"{replica.name} was not ready")
            ready_s = time.monotonic() - started
            s1, s2, t1, t2 = replicas
            report = _drive(slack, socket_mode, tg, tally, run, s2, t1, t2)
            votes = _vote(slack, socket_mode, tg, tally, t1, database)
            for survivor in (s1, t1):
                assert survivor.ready(), f"{survivor.name} is no longer ready"
        except BaseException:
            for replica in replicas:
                sys.stderr.write(f"----- {replica.name}\n{replica.tail()}\n")
            raise
        finally:
            for replica in replicas:
                replica.stop()

    keys = report["keys"]
    counts = {key: len(tally.replies.get(key, [])) for key in keys}
    doubled = sorted(k for k, c in counts.items() if c > 1)
    lost = sorted(k for k, c in counts.items() if c == 0)
    in_flight = report["in_flight"]
    assert not doubled, "answered twice: " + "; ".join(
        f"{k} {[r[:70] for r in tally.replies[k]]} acks={run.tg_acks.get(k) or run.slack_envelopes.get(k)} "
        f"at={[round(t - (run.killed_at or 0), 2) for t in tally.times[k]]} s from the kill "
        f"(Telegram message {run.last_message_at_kill} asked then)"
        for k in doubled
    )
    assert set(lost) <= in_flight, "lost without having been in the killed replicas' hands: " + "; ".join(
        f"{k} acks={run.tg_acks.get(k) or run.slack_envelopes.get(k)}" for k in sorted(set(lost) - in_flight)
    )
    assert not any(k for k in lost if not k.startswith("DR")), "Telegram acknowledges only what it answered"
    notices = [k for k in keys if k in tally.replies and "mucha demanda" in tally.replies[k][0]]
    assert not notices
    assert report["slack_pairs_on_both"] > 0  # copies of one event_id did reach both Slack replicas

    # One vote per answer voted on, whichever replica answered and whichever recorded the vote.
    engine = create_engine(database)
    with engine.connect() as con:
        stored = dict(con.execute(text("SELECT answer_ref, vote FROM votes")).all())
        per_answer = con.execute(text("SELECT answer_ref, COUNT(*) FROM votes GROUP BY answer_ref")).all()
    engine.dispose()
    assert all(count == 1 for _, count in per_answer)
    assert stored == votes["expected"]

    wall = time.monotonic() - started
    # Redeliveries taken over from the killed replica look for its answer before answering.
    lookups = len(slack.calls_to("conversations.history")) + len(slack.calls_to("conversations.replies"))
    lost_slack = sum(1 for k in lost if k.startswith("DR"))
    summary = (
        f"replicas: {TOTAL} preguntas, {run.deliveries} entregas ({run.duplicates} entregadas dos veces a la vez, "
        f"{report['slack_pairs_on_both']} de Slack y todas las de Telegram en las dos réplicas; "
        f"{run.late_retries} reintentos tras la respuesta; Slack reentregó {report['slack_retries']} sobres sin "
        f"confirmar; {run.redelivered} actualizaciones de Telegram reenviadas, {run.tg_busy} con 503 porque otra copia se estaba contestando) · SIGKILL a s2 y t2 "
        f"tras la pregunta {TOTAL // 2} · confirmadas sin responder al morir: {len(in_flight)} · "
        f"perdidas: {len(lost)} ({lost_slack} Slack, {len(lost) - lost_slack} Telegram), todas de esas · "
        f"dobles: {len(doubled)} (respuestas buscadas en Slack antes de responder: {lookups}) · votos: {len(stored)} guardados, uno por respuesta, de {votes['clicks']} clics "
        f"({votes['duplicated']} repetidos) · mensaje de Telegram al matar: {run.last_message_at_kill} · arranque {ready_s:.0f} s · total {wall:.0f} s"
    )
    with capsys.disabled():
        sys.stdout.write(f"\n{summary}\n")
    postgres.drop_database(database)


def _drive(
    slack: FakeSlackAPI,
    socket_mode: FakeSocketMode,
    tg: FakeTelegramAPI,
    tally: Tally,
    run: Run,
    s2: Replica,
    t1: Replica,
    t2: Replica,
) -> dict[str, Any]:
    """Send every question, kill s2 and t2 halfway; returns the keys and the in-flight set."""
    rng = random.Random(15)
    plan: list[tuple[str, int, int]] = []  # (platform, person, index)
    for index in range(TOTAL):
        platform = "slack" if index % 2 == 0 else "telegram"
        plan.append((platform, (index // 2) % PEOPLE, index))
    twice = {index for index in range(TOTAL) if rng.random() < 0.10}
    late = {index for index in range(TOTAL) if rng.random() < 0.05}
    keys: dict[int, str] = {}
    tg_updates: dict[int, dict[str, Any]] = {}
    slack_events: dict[int, tuple[dict[str, Any], str]] = {}
    kill_lock = threading.Lock()
    killer: list[threading.Timer] = []

    def kill() -> None:
        s2.kill()
        t2.kill()
        run.killed_at = time.monotonic()
        asked = [int(k.split(":")[1]) for i, k in list(keys.items()) if i % 2]
        run.last_message_at_kill = max(asked, default=0)

    def kill_if_halfway() -> None:
        # A crash strikes at any moment, not in step with the answer a sender has just received.
        with kill_lock:
            if not killer and run.sent >= TOTAL // 2:
                killer.append(threading.Timer(rng.uniform(0.05, 0.5), kill))
                killer[0].start()

    def post_update(update: dict[str, Any], first: Replica, key: str) -> None:
        """Telegram's part: post to a replica; if that fails, to the other one, and again while a
        replica answers 503 (a copy of the update is still being answered there), bounded."""
        deadline = time.monotonic() + REDELIVERY_TIMEOUT
        order = [first, t1 if first is t2 else t2]
        for attempt in itertools.count():
            if attempt >= len(order) and time.monotonic() >= deadline:
                break
            replica = order[attempt] if attempt < len(order) else t1
            if not replica.alive():
                continue
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{replica.webhook_port}/telegram/hook",
                    content=json.dumps(update).encode(),
                    headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
                    timeout=WEBHOOK_TIMEOUT,
                )
            except httpx.TransportError:
                response = None
            with run.lock:
                run.deliveries += 1
                if attempt:
                    run.redelivered += 1
            if response is not None and response.status_code == 200:
                carry_out_webhook_reply(tg, response)  # an answer in the reply: Telegram sends it
                with run.lock:
                    run.tg_acks[key].append(replica.name)
                return
            if response is not None and response.status_code == 503:
                with run.lock:
                    run.tg_busy += 1
            time.sleep(0.5)
        raise AssertionError(f"no replica took Telegram update {update['update_id']}")

    def deliver_slack(index: int) -> None:
        event, _ = slack_events[index]
        envelope = socket_mode.deliver_event(event, event_id=f"EvR{index:05d}")
        with run.lock:
            run.slack_envelopes[keys[index]].append(envelope)
            run.deliveries += 1

    def person(platform: str, number: int) -> None:
        mine = [index for p, n, index in plan if p == platform and n == number]
        for turn, index in enumerate(mine):
            if platform == "slack":
                channel, ts = f"DR{number:03d}", f"1700000000.{index:06d}"
                event = {"type": "message", "channel_type": "im", "channel": channel, "user": f"UR{number:03d}"}
                event.update(text=QUESTIONS[index % len(QUESTIONS)], ts=ts, event_ts=ts, thread_ts=ts)
                keys[index] = f"{channel}:{ts}"
                slack_events[index] = (event, keys[index])
                deliver_slack(index)
                if index in twice:  # the same event_id again: the fake sends it on the other connection
                    deliver_slack(index)
            else:
                update = tg.message_update(QUESTIONS[index % len(QUESTIONS)], user_id=40_000 + number)
                message = update["message"]
                keys[index] = f"{message['chat']['id']}:{message['message_id']}"
                tg_updates[index] = update
                first, other = (t1, t2) if turn % 2 == 0 else (t2, t1)
                if index in twice:  # to both replicas at once
                    copies = [threading.Thread(target=post_update, args=(update, r, keys[index])) for r in (other,)]
                    for copy in copies:
                        copy.start()
                    post_update(update, first, keys[index])
                    for copy in copies:
                        copy.join(30)
                else:
                    post_update(update, first, keys[index])
            with run.lock:
                run.sent += 1
                if index in twice:
                    run.duplicates += 1
            kill_if_halfway()
            if tally.wait(keys[index], ANSWER_TIMEOUT) and index in late:
                with run.lock:
                    run.late_retries += 1
                if platform == "slack":
                    deliver_slack(index)
                else:
                    post_update(tg_updates[index], t1, keys[index])

    threads = [
        threading.Thread(target=person, args=(platform, number), daemon=True)
        for platform in ("slack", "telegram")
        for number in range(PEOPLE)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RUN_TIMEOUT
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 1))
    assert not any(t.is_alive() for t in threads), "the senders did not finish in time"
    killer[0].join(5)
    assert run.killed_at is not None
    time.sleep(2.0)  # a late duplicate answer would arrive now

    # In flight at the kill: acknowledged by a killed replica, not answered before it died.
    killed_connection = 2
    in_flight = set()
    for index, key in keys.items():
        answered_before = tally.first_at.get(key, float("inf")) <= run.killed_at
        if answered_before:
            continue
        if index % 2 == 0:
            envelopes = run.slack_envelopes[key]
            if any(a.connection == killed_connection for e in envelopes for a in socket_mode.acks_for(e)):
                in_flight.add(key)
        elif "t2" in run.tg_acks[key]:
            in_flight.add(key)
    pairs_on_both = sum(
        1
        for index in twice
        if index % 2 == 0
        and len({a.connection for e in run.slack_envelopes[keys[index]][:2] for a in socket_mode.acks_for(e)}) == 2
    )
    # A sender waits ANSWER_TIMEOUT for its answer and moves on; on a loaded machine (the whole suite
    # on two cores) the survivors may still be working through a backlog of the last ones. Lost
    # means never answered: wait for them, bounded (a CI run lost 5 of the last 15 with 30 s).
    drain = time.monotonic() + DRAIN_TIMEOUT
    for key in keys.values():
        if key not in in_flight:
            tally.wait(key, max(drain - time.monotonic(), 0.0))
    retries = sum(1 for d in socket_mode.deliveries if d.get("retry_attempt"))
    return {
        "keys": list(keys.values()),
        "in_flight": in_flight,
        "killed_at": run.killed_at,
        "slack_pairs_on_both": pairs_on_both,
        "slack_retries": retries,
    }


def _vote(
    slack: FakeSlackAPI, socket_mode: FakeSocketMode, tg: FakeTelegramAPI, tally: Tally, t1: Replica, database: str
) -> dict[str, Any]:
    """👍/👎 on every fourth answer (answers from both replicas), every other one clicked twice;
    returns the votes PostgreSQL must hold (answer ref → vote)."""
    expected: dict[str, str] = {}
    clicks = duplicated = 0
    answered = sorted(k for k in tally.answer if tally.replies.get(k))
    for number, key in enumerate(answered):
        if number % 4:
            continue
        vote = "up" if number % 8 == 0 else "down"
        copies = 2 if number % 8 in (0, 4) and number % 3 == 0 else 1
        sent = tally.answer[key]
        if "blocks" in sent:  # Slack: the buttons of the answer
            blocks = json.loads(sent["blocks"]) if isinstance(sent["blocks"], str) else sent["blocks"]
            ref = next(
                e["value"]
                for b in blocks
                if b["type"] == "actions"
                for e in b["elements"]
                if str(e.get("action_id", "")).startswith("feedback_")
            )
            click = {
                "type": "block_actions",
                "user": {"id": "UR" + key.split(":")[0][2:]},
                "team": {"id": "T1"},
                "container": {"type": "message", "message_ts": "1.2", "channel_id": key.split(":")[0]},
                "response_url": slack.response_url(f"vote-{number}"),
                "actions": [{"action_id": f"feedback_{vote}", "value": ref, "type": "button", "action_ts": "1.1"}],
            }
            for _ in range(copies):
                socket_mode.wait_for_ack(socket_mode.deliver_interactive(click), timeout=30)
        else:  # Telegram: the callback of the button on the answer
            keyboard = sent.get("reply_markup", {}).get("inline_keyboard", [[]])
            data = next(b["callback_data"] for row in keyboard for b in row if b["callback_data"].startswith("fb:"))
            ref = data.split(":", 2)[2]
            update = tg.callback_update(f"fb:{vote}:{ref}", message=sent, user_id=int(key.split(":")[0]))
            for _ in range(copies):
                response = httpx.post(
                    f"http://127.0.0.1:{t1.webhook_port}/telegram/hook",
                    content=json.dumps(update).encode(),
                    headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
                    timeout=WEBHOOK_TIMEOUT,
                )
                assert response.status_code == 200
                carry_out_webhook_reply(tg, response)
        expected[ref] = vote
        clicks += copies
        duplicated += copies - 1

    def stored() -> int:
        engine = create_engine(database)
        try:
            with engine.connect() as con:
                return int(con.execute(text("SELECT COUNT(*) FROM votes")).scalar_one())
        finally:
            engine.dispose()

    _until(lambda: stored() >= len(expected), 60, "the votes were not all stored")
    time.sleep(1.0)  # a doubled vote would show now
    return {"expected": expected, "clicks": clicks, "duplicated": duplicated}
