"""HTTP mode: a small threaded WSGI server in front of the Bolt app.

Slack posts every Events API event, slash command and interaction to one URL
(``https://TU-DOMINIO/slack/events``). :class:`SlackHTTPServer` serves that path with Bolt's
own WSGI adapter (signature verification, ``url_verification`` and ``ssl_check`` are Bolt's
middleware) plus ``GET /healthz`` for load balancers (and ``/metrics``, ``/readyz``: see
:mod:`adapters.ops`), on a stdlib ``wsgiref`` server with one
thread per request, so a slow request never delays the 3-second acknowledgement of another.

Why not ``App.start()``: Bolt's development server cannot bind an ephemeral port (tests and
the benchmark need one) and documents itself as not meant for production. Slack requires
HTTPS: put this behind a TLS-terminating reverse proxy (Caddy, nginx, a PaaS router). Any
other WSGI server can serve :func:`wsgi_app` instead (``gunicorn -k gthread``…).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from adapters.ops import METRICS_PATH, READY_PATH, Metrics, WSGIThreadServer

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "SlackHTTPServer", "wsgi_app"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
#: Slack's payloads are a few KB; anything much bigger is not from Slack.
MAX_BODY_BYTES = 1_000_000


def wsgi_app(
    app: App, path: str = EVENTS_PATH, *, ops: WSGIApplication | None = None, metrics: Metrics | None = None
) -> WSGIApplication:
    """The WSGI application: ``POST path`` → Bolt, ``GET /healthz`` → ``ok``; with ``ops``
    (:func:`adapters.ops.ops_wsgi_app`) also ``/metrics`` and ``/readyz``; else 404.
    ``metrics`` times each acknowledgement (``puedo_ack_seconds``)."""
    bolt = SlackRequestHandler(app, path=path)
    ack = metrics.ack_seconds.labels("slack") if metrics is not None else None

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        route = environ.get("PATH_INFO")
        if route == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")])
            return [b"ok"]
        if ops is not None and route in (METRICS_PATH, READY_PATH):
            return ops(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            start_response("413 Payload Too Large", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"payload too large"]
        if ack is None:
            return bolt(environ, start_response)
        started = time.perf_counter()
        try:
            return bolt(environ, start_response)  # with process_before_response, this is the ack
        finally:
            ack.observe(time.perf_counter() - started)

    return application


class SlackHTTPServer(WSGIThreadServer):
    """Serve a Bolt :class:`~slack_bolt.App` over HTTP on ``host:port`` (``port=0``: any free port).

    Use :meth:`serve_forever` in the main thread (production), or :meth:`start` /
    :meth:`stop` — or ``with`` — to serve from a background thread (tests, benchmark).
    """

    name = "slack-http"

    def __init__(
        self,
        app: App,
        host: str = "0.0.0.0",  # noqa: S104 - Slack reaches it through a TLS proxy
        port: int = 3000,
        path: str = EVENTS_PATH,
        *,
        ops: WSGIApplication | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.path = path
        super().__init__(wsgi_app(app, path, ops=ops, metrics=metrics), host, port)

    @property
    def url(self) -> str:
        """The Request URL to configure in Slack, as seen from this machine."""
        host = str(self._httpd.server_address[0])
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - a comparison, not a bind
        return f"http://{host}:{self.port}{self.path}"
