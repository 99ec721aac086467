"""What operators watch: Prometheus metrics, ``/healthz`` and ``/readyz``, for both adapters.

:class:`Metrics` holds one process's counters in its own registry (so two apps in one test
process never collide). Labels carry only platform, verdict, stage, reason or vote: never a
question, a user id or anything a user wrote.

* ``puedo_questions_answered_total{platform,verdict,language}``: answers given (the language
  the answer was written in: ``es``, ``ca``, ``gl``, ``eu``, ``en``);
* ``puedo_answer_failures_total{platform,reason}``: questions answered with a notice
  (``user_error``; ``attachment`` for a file too big, unreadable or not downloaded) or an
  apology (``apology``);
* ``puedo_requests_rejected_total{platform,reason}``: not answered at admission
  (``duplicate``, ``needs_text``, ``rate_limited``, ``busy``);
* ``puedo_answer_seconds{stage}``: the core's time, per stage (``retrieve``, ``decide`` — the
  verdict and the answer text —, ``total``);
* ``puedo_ack_seconds{platform}``: time to acknowledge a Slack HTTP request;
* ``puedo_questions_pending{platform}``: questions admitted and not yet answered;
* ``puedo_feedback_votes_total{platform,vote}``;
* ``puedo_index_generation``, ``puedo_index_age_seconds``: the index being served;
* ``puedo_source_last_sync_timestamp_seconds{source}``: when each official source was last
  checked (``sources sync``).

:func:`ops_wsgi_app` serves ``/metrics``, ``/healthz`` (the process is alive) and ``/readyz``
(the index is loaded and the stores' database and Chroma answer; 503 with the failing checks
otherwise).
The Slack HTTP server mounts it beside its events path; every other mode (Slack Socket Mode,
Telegram polling or webhook) serves it on ``BOT_METRICS_PORT`` with :class:`OpsServer`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any, Protocol, Self
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import Answer, Settings, UnavailableError, sources_state

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "HEALTH_PATH",
    "METRICS_PATH",
    "READY_PATH",
    "Check",
    "Checkable",
    "Metrics",
    "OpsServer",
    "QuietHandler",
    "ThreadingWSGIServer",
    "WSGIThreadServer",
    "core_checks",
    "ops_wsgi_app",
    "readiness",
    "sqlite_check",
]

log = logging.getLogger("adapters.ops")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"

#: A readiness check: raises (or returns False) when the thing it checks is not usable.
Check = Callable[[], object]

#: Seconds: a warm answer takes tens of milliseconds; a cold one or a slow Chroma, seconds.
_ANSWER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    """One adapter process's metrics (see the module docstring for each one)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.answered = Counter(
            "puedo_questions_answered",
            "Questions answered, by verdict and language.",
            ["platform", "verdict", "language"],
            registry=r,
        )
        self.failed = Counter(
            "puedo_answer_failures",
            "Questions answered with a notice or an apology.",
            ["platform", "reason"],
            registry=r,
        )
        self.rejected = Counter(
            "puedo_requests_rejected", "Requests not answered at admission.", ["platform", "reason"], registry=r
        )
        self.answer_seconds = Histogram(
            "puedo_answer_seconds", "The core's time per stage.", ["stage"], buckets=_ANSWER_BUCKETS, registry=r
        )
        self.ack_seconds = Histogram(
            "puedo_ack_seconds", "Time to acknowledge a request.", ["platform"], buckets=_ACK_BUCKETS, registry=r
        )
        self.pending = Gauge(
            "puedo_questions_pending", "Questions admitted, not yet answered.", ["platform"], registry=r
        )
        self.votes = Counter("puedo_feedback_votes", "Feedback votes.", ["platform", "vote"], registry=r)

    def observe_answer(self, platform: str, answer: Answer) -> None:
        self.answered.labels(platform, answer.verdict.value, answer.language).inc()
        timings = answer.timings_ms
        for stage, key in (("retrieve", "retrieve"), ("decide", "answer"), ("total", "total")):
            if key in timings:
                self.answer_seconds.labels(stage).observe(timings[key] / 1000)

    def watch_pending(self, platform: str, pending: Callable[[], int]) -> None:
        self.pending.labels(platform).set_function(pending)

    def watch_core(self, generation: Callable[[], Any], sources: Path | Settings) -> None:
        """Expose the served index (``generation()`` returns a pointer with ``generation`` and
        ``updated_at``, or None) and the sources' last sync times: from the settings' sync
        state (``BOT_DATABASE_URL`` or the data dir), or from a data dir's ``sources-state.json``."""
        self.registry.register(_CoreCollector(generation, sources))


class _CoreCollector(Collector):
    """Read at scrape time: the index pointer and the sources' sync state."""

    def __init__(self, pointer: Callable[[], Any], sources: Path | Settings) -> None:
        self._pointer = pointer
        self._sources = sources

    def collect(self) -> Iterator[GaugeMetricFamily]:
        generation = GaugeMetricFamily("puedo_index_generation", "The index generation being served.")
        age = GaugeMetricFamily("puedo_index_age_seconds", "Seconds since the served index was written.")
        try:
            pointer = self._pointer()
        except Exception as exc:  # a scrape must not fail because Chroma is down: /readyz says so
            log.debug("Index pointer unavailable for metrics: %s", exc)
            pointer = None
        if pointer is not None:
            generation.add_metric([], float(pointer.generation))
            if pointer.updated_at:
                age.add_metric([], max(time.time() - float(pointer.updated_at), 0.0))
        yield generation
        yield age
        synced = GaugeMetricFamily(
            "puedo_source_last_sync_timestamp_seconds", "When each source was last checked.", labels=["source"]
        )
        for source, when in _sync_times(self._sources).items():
            synced.add_metric([source], when)
        yield synced


def _sync_times(sources: Path | Settings) -> dict[str, float]:
    state: object
    try:
        if isinstance(sources, Path):
            state = json.loads((sources / "sources-state.json").read_text(encoding="utf-8"))
        else:
            state = sources_state(sources)
    except (OSError, ValueError, UnavailableError) as exc:  # a scrape never fails: /readyz says why
        log.debug("Sources' sync state unavailable for metrics: %s", exc)
        return {}
    times = {}
    for source, entry in state.items() if isinstance(state, dict) else ():
        try:
            times[str(source)] = dt.datetime.fromisoformat(str(entry.get("checked_at"))).timestamp()
        except (AttributeError, ValueError):
            continue
    return times


def readiness(checks: Mapping[str, Check]) -> dict[str, str]:
    """The failing checks (name → why); empty when every check passes."""
    failing = {}
    for name, check in checks.items():
        try:
            if check() is False:
                failing[name] = "no"
        except Exception as exc:  # a check's own failure is the answer, whatever it is
            failing[name] = type(exc).__name__
    return failing


def core_checks(service: object, *, feedback: Path | Checkable, idempotency: Path | Checkable) -> dict[str, Check]:
    """The readiness checks of an adapter process: the index is loaded (``service.generation``),
    Chroma answers (``service.store.pointer()``) and both stores' database answers (a store's
    ``check``: its SQLite file, or the PostgreSQL server of ``BOT_DATABASE_URL``; a path: that
    SQLite file)."""
    checks: dict[str, Check] = {"feedback": _store_check(feedback), "idempotency": _store_check(idempotency)}
    if hasattr(service, "generation"):
        checks["index"] = lambda: getattr(service, "generation", None) is not None
    store = getattr(service, "store", None)
    if store is not None:
        checks["chroma"] = store.pointer
    return checks


class Checkable(Protocol):
    """A store whose database can be checked (:class:`bot.FeedbackStore`, :class:`bot.IdempotencyStore`)."""

    def check(self) -> None: ...


def _store_check(store: Path | Checkable) -> Check:
    return sqlite_check(store) if isinstance(store, Path) else store.check


def sqlite_check(path: Path) -> Check:
    """A check that the SQLite database at ``path`` opens and answers."""

    def check() -> None:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        finally:
            con.close()

    return check


def ops_wsgi_app(metrics: Metrics, checks: Mapping[str, Check]) -> WSGIApplication:
    """``/metrics`` (Prometheus text format), ``/healthz`` and ``/readyz``; anything else 404."""
    exposition = make_wsgi_app(metrics.registry)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == METRICS_PATH:
            return exposition(environ, start_response)
        if path == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        if path == READY_PATH:
            failing = readiness(checks)
            status = "503 Service Unavailable" if failing else "200 OK"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps({"ready": not failing, "failing": failing}).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found"]

    return application


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """A ``wsgiref`` server with one daemon thread per request."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog (5) makes bursts of connections wait for a SYN retry (1 s).
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    """Access log at DEBUG level through ``logging`` instead of stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class WSGIThreadServer:
    """A WSGI application on ``host:port`` (``port=0``: any free port) with one thread per
    request. :meth:`serve_forever` in the main thread (production), or :meth:`start` /
    :meth:`stop` — or ``with`` — from a daemon thread (tests, benchmarks, a side port)."""

    #: Names the serving thread and the log line; subclasses say what they serve.
    name = "http"

    def __init__(self, application: WSGIApplication, host: str, port: int) -> None:
        self._httpd = make_server(host, port, application, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound TCP port."""
        return int(self._httpd.server_address[1])

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` is called from another thread (or KeyboardInterrupt)."""
        log.info("%s listening on port %s", self.name, self.port)
        self._httpd.serve_forever(poll_interval=0.1)

    def start(self) -> Self:
        """Serve from a daemon thread; returns ``self``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.serve_forever, name=f"{self.name}:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class OpsServer(WSGIThreadServer):
    """:func:`ops_wsgi_app` (/metrics, /healthz, /readyz) on its own port (Socket Mode, polling, webhook)."""

    name = "ops"

    def __init__(
        self,
        metrics: Metrics,
        checks: Mapping[str, Check],
        host: str = "0.0.0.0",  # noqa: S104 - scraped from outside the container
        port: int = 9464,
    ) -> None:
        super().__init__(ops_wsgi_app(metrics, checks), host, port)
