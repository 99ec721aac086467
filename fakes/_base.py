"""Machinery shared by the fake chat-platform servers.

Both fakes are real HTTP servers (stdlib ``ThreadingHTTPServer`` running in a
daemon thread, bound to 127.0.0.1 on an ephemeral port), so the real client
libraries (slack_sdk's urllib client, python-telegram-bot's httpx client) talk
to them over real sockets. Each fake subclasses :class:`FakeHTTPServer` and
implements :meth:`FakeHTTPServer.handle`; calls are recorded in a
:class:`CallLog`, which tests can wait on.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Protocol, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx

__all__ = [
    "CallLog",
    "FakeHTTPServer",
    "RawRequest",
    "RawResponse",
    "local_client_options",
    "local_post",
    "parse_form",
    "parse_multipart",
]


@dataclass(frozen=True)
class RawRequest:
    """One HTTP request as the fake saw it."""

    verb: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased ("" if absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass
class RawResponse:
    """What the fake answers: a JSON-serialisable payload, or raw bytes of ``content_type``."""

    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/octet-stream"  # of raw bytes

    def encode(self) -> tuple[bytes, str]:
        """The body bytes and their Content-Type."""
        if isinstance(self.payload, bytes):
            return self.payload, self.content_type
        body = json.dumps(self.payload, ensure_ascii=False).encode("utf-8")
        return body, "application/json; charset=utf-8"


def local_client_options(timeout: float) -> dict[str, Any]:
    """httpx client options for posting to a local test endpoint.

    No proxies from the environment, and no TLS set-up: loading the CA bundle
    costs ~0.1 s per client, and test endpoints are plain http on 127.0.0.1.
    """
    return {"timeout": timeout, "trust_env": False, "verify": False}


def local_post(url: str, content: bytes, headers: dict[str, str], timeout: float) -> httpx.Response:
    """POST raw bytes to a local test endpoint (blocking)."""
    with httpx.Client(**local_client_options(timeout)) as client:
        return client.post(url, content=content, headers=headers)


def parse_form(body: bytes) -> dict[str, str]:
    """Decode an ``application/x-www-form-urlencoded`` body (last value wins)."""
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Decode a ``multipart/form-data`` body.

    Plain fields become ``str``; file parts become
    ``{"filename": str, "content_type": str, "content": bytes}``.
    """
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        raw = part.get_payload(decode=True)
        content = raw if isinstance(raw, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode("utf-8")
        else:
            fields[name] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "content": content,
            }
    return fields


class _HasMethod(Protocol):
    @property
    def method(self) -> str: ...


CallT = TypeVar("CallT", bound=_HasMethod)


class CallLog(Generic[CallT]):
    """A thread-safe list of recorded calls that tests can block on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: list[CallT] = []

    def append(self, call: CallT) -> None:
        """Record a call and wake up every waiter."""
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def all(self) -> list[CallT]:
        """A snapshot of every call so far, oldest first."""
        with self._cond:
            return list(self._calls)

    def to(self, method: str) -> list[CallT]:
        """A snapshot of the calls to ``method``, oldest first."""
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def clear(self) -> None:
        """Forget every recorded call."""
        with self._cond:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[CallT]:
        """Block until at least ``count`` calls to ``method`` were recorded.

        Returns all the calls to ``method`` (possibly more than ``count``).
        Raises ``AssertionError`` listing the methods seen so far on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [c for c in self._calls if c.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"expected at least {count} call(s) to {method!r} within {timeout}s, "
                        f"got {len(matching)}; calls seen so far: {seen}\n"
                        f"details: {self._calls!r}"
                    )
                self._cond.wait(remaining)


class _Handler(BaseHTTPRequestHandler):
    """Turns each HTTP request into a :class:`RawRequest` for the owning fake."""

    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: no stale keep-alives

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = RawRequest(
            verb=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        try:
            response = self.server.fake.handle(request)
        except Exception:  # a bug in the fake: make it loud, not a hang
            traceback.print_exc(file=sys.stderr)
            response = RawResponse(500, {"ok": False, "error": "fake_server_error"})
        body, content_type = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeHTTPServer) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class FakeHTTPServer:
    """Base class: a threaded HTTP server on 127.0.0.1 with an ephemeral port.

    Use it as a context manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(self) -> None:
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        """The TCP port (only valid once started)."""
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        """Bind the socket and serve in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            return self
        self.stopping.clear()
        self._httpd = _Server(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._httpd is None:
            return
        self.stopping.set()
        self.on_stop()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def on_stop(self) -> None:
        """Hook: wake up requests that are blocked waiting (long polling)."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def handle(self, request: RawRequest) -> RawResponse:
        """Answer one request (runs in a server thread)."""
        raise NotImplementedError

    @staticmethod
    async def _wait_in_thread(log: CallLog[CallT], method: str, count: int, timeout: float) -> list[CallT]:
        # Blocking in the event loop would freeze the very handlers we wait for.
        return await asyncio.to_thread(log.wait_for, method, count, timeout)
