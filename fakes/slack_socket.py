"""A fake of Slack's Socket Mode, on 127.0.0.1, for the real slack_sdk / slack-bolt clients.

Socket Mode has two halves, both faked here:

* ``apps.connections.open`` on the Web API (:class:`~fakes.slack_api.FakeSlackAPI`),
  called with the app-level token (``xapp-…``), answers
  ``{"ok": true, "url": "ws://127.0.0.1:<port>/link/?ticket=…&app_id=A1"}``; each call issues
  a new ticket, and the WebSocket server only accepts tickets it issued (others: HTTP 401).
* A WebSocket server (the ``websockets`` library's threaded server) speaking Slack's
  envelope protocol (https://docs.slack.dev/apis/events-api/using-socket-mode):

  - on connect it sends ``{"type": "hello", "num_connections": n, "debug_info": {...},
    "connection_info": {"app_id": "A1"}}``;
  - it delivers envelopes ``{"envelope_id", "type": "events_api" | "slash_commands" |
    "interactive", "payload", "accepts_response_payload"}``; Events API envelopes also carry
    ``"retry_attempt"`` (0 on the first delivery, as Slack sends it) and ``"retry_reason"``
    (``""`` at first);
  - it records the app's acknowledgements ``{"envelope_id": …, "payload": {…}}`` (from any
    connection) as :class:`Ack`;
  - an Events API envelope still unacknowledged when its connection closes is delivered
    again on the next connection with ``retry_attempt`` + 1 and ``retry_reason: "timeout"``
    (at most :data:`MAX_RETRIES` times, like Slack); slash commands and interactions are
    not retried (Slack shows the user an error instead): they are listed in
    :attr:`FakeSocketMode.expired`.

Envelopes go to the newest open connection that was not asked to refresh; while there is
none they wait. With ``spread=True`` they take turns among every such connection instead, as
Slack spreads an app's events over the connections its replicas opened (so a copy of an event,
or its retry after a connection died, may reach another replica). Test controls:

* :meth:`FakeSocketMode.deliver_event` / :meth:`~FakeSocketMode.deliver_command` /
  :meth:`~FakeSocketMode.deliver_interactive` → ``envelope_id``;
  ``lose_ack=True`` simulates the connection dying between the app's ack and Slack: when that
  ack arrives the fake drops it and resets the connection, so the envelope is redelivered.
* :meth:`FakeSocketMode.wait_for_ack`, :meth:`~FakeSocketMode.wait_for_connections`;
* :meth:`FakeSocketMode.disconnect` sends Slack's ``{"type": "disconnect", "reason":
  "refresh_requested"}`` (the client reconnects at once);
* :meth:`FakeSocketMode.drop_connection` resets the TCP connection without a WebSocket close
  (a network failure): clients only notice on their next read, and reconnect from their
  connection monitor.

Every wait takes a timeout; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from fakes.slack_api import APP_ID, FakeSlackAPI, command_payload, event_payload

__all__ = ["APP_TOKEN", "MAX_RETRIES", "Ack", "FakeSocketMode"]

#: An app-level token as Slack issues them (Basic Information → App-Level Tokens).
APP_TOKEN = "xapp-1-A1-1-0123456789abcdef"
#: Slack retries an unacknowledged event up to 3 times.
MAX_RETRIES = 3

_SLASH = "slash_commands"
_EVENTS = "events_api"
_INTERACTIVE = "interactive"


@dataclass(frozen=True)
class Ack:
    """An acknowledgement received from the app."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int  # the connection it came on (1, 2... in order of opening)


@dataclass
class _Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    retry_attempt: int | None
    retry_reason: str | None
    lose_ack: bool
    acked: bool = False
    connection: int | None = None  # the connection it is in flight on

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.type,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.retry_attempt is not None:
            message["retry_attempt"] = self.retry_attempt
            message["retry_reason"] = self.retry_reason or ""
        return message


@dataclass
class _Connection:
    id: int
    ws: ServerConnection
    ready: bool = False  # hello sent
    refreshing: bool = False  # asked to reconnect: no new envelopes
    closed: bool = False
    send_lock: threading.Lock = field(default_factory=threading.Lock)


class FakeSocketMode:
    """Slack's Socket Mode for one app, on top of a running :class:`FakeSlackAPI`.

    >>> with FakeSlackAPI(valid_token="xoxb-test") as slack, FakeSocketMode(slack) as socket_mode:
    ...     handler = SocketModeHandler(app, app_token=socket_mode.app_token)  # app.client → slack
    ...     handler.connect()
    ...     envelope_id = socket_mode.deliver_event({"type": "app_mention", ...})
    ...     socket_mode.wait_for_ack(envelope_id)
    """

    def __init__(
        self, slack: FakeSlackAPI, app_token: str = APP_TOKEN, *, max_retries: int = MAX_RETRIES, spread: bool = False
    ) -> None:
        self.slack = slack
        self.spread = spread
        self._turn = itertools.count()
        self.app_token = app_token
        self.max_retries = max_retries
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._port = 0
        self._thread: threading.Thread | None = None
        self._connection_ids = itertools.count(1)
        self._connections: dict[int, _Connection] = {}
        self._opened = 0
        self._tickets: set[str] = set()
        self._envelopes: dict[str, _Envelope] = {}
        self._queue: list[str] = []  # envelope ids waiting for a connection, oldest first
        self._acks: list[Ack] = []
        self._deliveries: list[dict[str, Any]] = []
        self._other: list[Any] = []
        #: Envelopes that will never be delivered again (unacknowledged commands, interactions,
        #: and events past their retries).
        self.expired: list[str] = []

    # ------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._server.socket.getsockname()[1])

    def start(self) -> Self:
        """Serve WebSockets in a daemon thread and register with the Web API fake."""
        if self._server is not None:
            return self
        self._server = serve(
            self._serve,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            close_timeout=0.2,  # clients that do not answer a close frame (slack_sdk's) are not waited for
        )
        self._port = int(self._server.socket.getsockname()[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeSocketMode", daemon=True)
        self._thread.start()
        self.slack.enable_socket_mode(self.app_token, self._open_url)
        return self

    def stop(self) -> None:
        """Close every connection (code 1001, going away) and the server (idempotent)."""
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _open_url(self) -> str:
        """A fresh WebSocket URL, as ``apps.connections.open`` answers it (once stopped: a URL
        where nothing listens any more, as when Slack's socket servers are unreachable)."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}&app_id={APP_ID}"

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        split = urlsplit(request.path)
        ticket = (parse_qs(split.query).get("ticket") or [""])[0]
        with self._cond:
            known = ticket in self._tickets
        if split.path.rstrip("/") != "/link" or not known:
            return connection.respond(401, "invalid ticket\n")
        return None

    # ---------------------------------------------------------- test controls

    def deliver(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        lose_ack: bool = False,
    ) -> str:
        """Queue an envelope for the app; returns its ``envelope_id``.

        ``accepts_response_payload`` defaults to what Slack sends: True for slash commands,
        False otherwise. ``lose_ack``: see the module docstring."""
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type == _SLASH
        envelope = _Envelope(
            envelope_id=str(uuid.uuid4()),
            type=envelope_type,
            payload=payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=0 if envelope_type == _EVENTS else None,
            retry_reason="" if envelope_type == _EVENTS else None,
            lose_ack=lose_ack,
        )
        with self._cond:
            self._envelopes[envelope.envelope_id] = envelope
            self._queue.append(envelope.envelope_id)
        self._flush()
        return envelope.envelope_id

    def deliver_event(self, event: dict[str, Any], *, event_id: str | None = None, lose_ack: bool = False) -> str:
        """Deliver an Events API event (wrapped in its ``event_callback``); returns the ``envelope_id``."""
        return self.deliver(_EVENTS, event_payload(event, event_id=event_id), lose_ack=lose_ack)

    def deliver_command(self, text: str = "", *, lose_ack: bool = False, **fields: Any) -> str:
        """Deliver a slash command (fields as :func:`~fakes.slack_api.command_payload`,
        e.g. ``response_url=slack.response_url("cmd")``); returns the ``envelope_id``."""
        return self.deliver(_SLASH, command_payload(text=text, **fields), lose_ack=lose_ack)

    def deliver_interactive(
        self, payload: dict[str, Any], *, accepts_response_payload: bool | None = None, lose_ack: bool = False
    ) -> str:
        """Deliver an interaction (``block_actions``, ``view_submission``, a shortcut...).

        Slack lets ``view_submission`` answer in the ack (``response_action``)."""
        if accepts_response_payload is None:
            accepts_response_payload = payload.get("type") == "view_submission"
        return self.deliver(_INTERACTIVE, payload, accepts_response_payload=accepts_response_payload, lose_ack=lose_ack)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        """Block until the app acknowledged ``envelope_id`` (``AssertionError`` on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ack in self._acks:
                    if ack.envelope_id == envelope_id:
                        return ack
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no ack for envelope {envelope_id} within {timeout}s; acks so far: {self._acks!r}; "
                        f"open connections: {sorted(self._connections)}"
                    )
                self._cond.wait(remaining)

    def acks_for(self, envelope_id: str) -> list[Ack]:
        """Every acknowledgement received for ``envelope_id`` (a snapshot)."""
        with self._cond:
            return [a for a in self._acks if a.envelope_id == envelope_id]

    @property
    def acks(self) -> list[Ack]:
        """Every acknowledgement received so far (a snapshot)."""
        with self._cond:
            return list(self._acks)

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        """Every envelope sent, redeliveries included, oldest first (a snapshot)."""
        with self._cond:
            return list(self._deliveries)

    def deliveries_of(self, envelope_id: str) -> list[dict[str, Any]]:
        """The times ``envelope_id`` was sent (first delivery, then retries)."""
        with self._cond:
            return [d for d in self._deliveries if d["envelope_id"] == envelope_id]

    @property
    def received(self) -> list[Any]:
        """Messages from the app that were not acknowledgements (a snapshot)."""
        with self._cond:
            return list(self._other)

    @property
    def connections_opened(self) -> int:
        """How many WebSocket connections were accepted so far."""
        with self._cond:
            return self._opened

    @property
    def open_connections(self) -> int:
        with self._cond:
            return len(self._connections)

    def wait_for_connections(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until ``count`` connections were accepted in total and one is open and greeted."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (self._opened >= count and any(c.ready and not c.closed for c in self._connections.values())):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} connection(s) within {timeout}s, got {self._opened} "
                        f"({len(self._connections)} open)"
                    )
                self._cond.wait(remaining)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every open connection to reconnect, as Slack does before it recycles one.

        Those connections get no new envelopes; the client closes them once reconnected."""
        with self._cond:
            targets = [c for c in self._connections.values() if not c.closed]
            for connection in targets:
                connection.refreshing = True
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for connection in targets:
            self._send(connection, message)

    def drop_connection(self) -> None:
        """Reset every open connection (TCP RST, no WebSocket close): a network failure."""
        with self._cond:
            targets = [c for c in self._connections.values() if not c.closed]
        for connection in targets:
            _reset(connection.ws)

    # ---------------------------------------------------------------- serving

    def _serve(self, ws: ServerConnection) -> None:
        """One connection (runs in its own thread)."""
        with self._cond:
            connection = _Connection(next(self._connection_ids), ws)
            self._connections[connection.id] = connection
            self._opened += 1
            hello = {
                "type": "hello",
                "num_connections": len(self._connections),
                "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        try:
            if self._send(connection, hello):
                with self._cond:
                    connection.ready = True
                    self._cond.notify_all()
                self._flush()
                for raw in ws:
                    self._on_message(connection, raw)
        except ConnectionClosed:
            pass
        finally:
            self._closed(connection)

    def _send(self, connection: _Connection, message: dict[str, Any]) -> bool:
        try:
            with connection.send_lock:
                connection.ws.send(json.dumps(message))
        except (ConnectionClosed, OSError):
            return False
        return True

    def _flush(self) -> None:
        """Send the waiting envelopes to the newest open connection, if there is one."""
        with self._cond:
            targets = [c for c in self._connections.values() if c.ready and not c.refreshing and not c.closed]
            if not targets:
                return
            targets.sort(key=lambda c: c.id)
            batch = []
            for envelope_id in self._queue:
                envelope = self._envelopes[envelope_id]
                connection = targets[next(self._turn) % len(targets)] if self.spread else targets[-1]
                envelope.connection = connection.id
                message = envelope.message()
                self._deliveries.append(message)
                batch.append((connection, message))
            self._queue.clear()
        for connection, message in batch:
            self._send(connection, message)  # if it fails, _closed() requeues it

    def _on_message(self, connection: _Connection, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = raw
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not isinstance(envelope_id, str):
            with self._cond:
                self._other.append(message)
                self._cond.notify_all()
            return
        with self._cond:
            envelope = self._envelopes.get(envelope_id)
            if envelope is not None and envelope.lose_ack and not envelope.acked:
                envelope.lose_ack = False  # this ack never reaches Slack: the connection dies first
                lost = True
            else:
                lost = False
                payload = message.get("payload")
                self._acks.append(Ack(envelope_id, payload if isinstance(payload, dict) else None, connection.id))
                if envelope is not None:
                    envelope.acked = True
                    envelope.connection = None
                self._cond.notify_all()
        if lost:
            _reset(connection.ws)

    def _closed(self, connection: _Connection) -> None:
        """A connection ended: its unacknowledged events wait for the next one."""
        with self._cond:
            connection.closed = True
            self._connections.pop(connection.id, None)
            for envelope in self._envelopes.values():
                if envelope.connection != connection.id or envelope.acked:
                    continue
                envelope.connection = None
                if envelope.type == _EVENTS and (envelope.retry_attempt or 0) < self.max_retries:
                    envelope.retry_attempt = (envelope.retry_attempt or 0) + 1
                    envelope.retry_reason = "timeout"
                    self._queue.append(envelope.envelope_id)
                else:
                    self.expired.append(envelope.envelope_id)
            self._cond.notify_all()
        self._flush()


def _reset(ws: ServerConnection) -> None:
    """Close the connection's socket with a TCP reset (SO_LINGER 0), without a WebSocket close.

    The socket is closed before websockets is told, or its reader thread would send a FIN
    (``shutdown(SHUT_WR)``) first — and slack_sdk's built-in client (3.48) treats a FIN as
    "no data yet" and never reconnects."""
    try:
        ws.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        ws.socket.close()
    except OSError:
        return  # already closed
    ws.close_socket()  # wake websockets' reader so the handler sees the connection closed
