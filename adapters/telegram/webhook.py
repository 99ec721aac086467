"""Webhook mode: Telegram's POST is answered before it is acknowledged.

PTB's own webhook server (``Application.run_webhook``) replies 200 as soon as an update is
queued, so an update whose process dies before answering it is lost: Telegram only sends
again what was not acknowledged. This server, the "custom webhook" PTB documents, built on
the tornado that ``python-telegram-bot[webhooks]`` brings, replies only once
:meth:`~telegram.ext.Application.process_update` has finished, that is, once the answer is
out. A process killed while answering leaves the request unanswered, Telegram sends the
update again, and another replica answers it (its claim's holder is gone:
:mod:`bot.idempotency`).

Exactly once, even when a process dies: an answer that fits in one message goes out *in* the
reply to Telegram's POST (a "webhook reply", ``{"method": "sendMessage", …}``, which Telegram
carries out), so sending it and acknowledging the update are one step: a process that dies
before replying has sent nothing, and Telegram sends the update again. (Sent through the Bot
API and then acknowledged, an answer sent just before the process died would go out twice.)
Longer answers, of several messages, are sent through the Bot API before the reply. Telegram
drops a webhook reply over its flood limits without a word, so replies wait for the bot's rate
limiter as its own Bot API calls do (``BOT_TELEGRAM_MESSAGES_PER_SECOND``).
:func:`webhook_reply` is how :func:`~adapters.telegram.delivery.send` finds the reply of the
update it answers.

Stopping (SIGTERM or SIGINT) is graceful: the port closes at once, the updates being answered
are finished (up to :data:`GRACE_SECONDS`), then the application stops.

Requests without the secret token (``X-Telegram-Bot-Api-Secret-Token``) get 403, bodies that
are not an update 400; nothing of a request is logged.
"""

from __future__ import annotations

import asyncio
import contextvars
import hmac
import json
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError

__all__ = ["GRACE_SECONDS", "SECRET_HEADER", "WebhookConfig", "WebhookReply", "serve_webhook", "webhook_reply"]

log = logging.getLogger("adapters.telegram.webhook")

#: Seconds a stopping process waits for the updates it is answering.
GRACE_SECONDS = 25.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
#: Telegram's updates are a few KB; anything much bigger is not from Telegram.
MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class WebhookConfig:
    """Where to listen, and what to tell Telegram (``setWebhook``)."""

    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str
    allowed_updates: Sequence[str]


@dataclass
class WebhookReply:
    """The Bot API call to carry out with the acknowledgement of one update (at most one)."""

    method: str | None = None
    params: dict[str, Any] | None = None
    closed: bool = False
    #: The update is a copy of one still being answered: not acknowledged, so that Telegram sends it
    #: again, and the next copy finds it answered, or free again if that answer never got out.
    again: bool = False
    #: Called once the reply has been handed to Telegram (True) or could not be (False).
    settle: list[Callable[[bool], None]] = field(default_factory=list)

    def put(self, method: str, params: dict[str, Any]) -> bool:
        """Take the call if there is none yet and the update is still being answered."""
        if self.closed or self.method is not None:
            return False
        self.method, self.params = method, params
        return True

    def body(self) -> bytes | None:
        if self.method is None:
            return None
        return json.dumps({"method": self.method, **(self.params or {})}, ensure_ascii=False).encode()


_current_reply: contextvars.ContextVar[WebhookReply | None] = contextvars.ContextVar("webhook_reply", default=None)


def webhook_reply() -> WebhookReply | None:
    """The reply of the webhook update being answered in this task (None: not in a webhook)."""
    return _current_reply.get()


class _InFlight:
    """How many updates are being answered, and a way to wait until there are none."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def drained(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


async def _pace(ptb: Application[Any, Any, Any, Any, Any, Any], reply: WebhookReply) -> None:
    """Wait for the bot's rate limiter as a Bot API call of the same method would.

    Telegram carries out a webhook reply without saying whether it could: one over its flood
    limits is dropped in silence. Counted with the calls the bot makes itself, replies stay
    within the limits the way those calls do."""
    limiter = ptb.bot.rate_limiter
    if limiter is None or reply.method is None:
        return

    async def counted() -> bool:
        return True

    await limiter.process_request(counted, (), {}, reply.method, reply.params or {}, None)


class _WebApp(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the metrics count requests, and a path is all it would say."""


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, ptb: Application[Any, Any, Any, Any, Any, Any], secret: str, in_flight: _InFlight) -> None:
        self.ptb = ptb
        self.secret = secret
        self.in_flight = in_flight

    async def post(self) -> None:
        token = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(token.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self.ptb.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("A webhook request that is not an update: %s", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        reply = WebhookReply()
        context_token = _current_reply.set(reply)
        self.in_flight.enter()
        try:
            # Through the update processor, which bounds how many updates run at once; the
            # handlers' errors go to the application's error handlers.
            await self.ptb.update_processor.process_update(update, self.ptb.process_update(update))
        finally:
            reply.closed = True
            self.in_flight.leave()
            _current_reply.reset(context_token)
        if reply.again:
            # No 2xx: Telegram sends the update again later (the copy being answered may still fail).
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_status(HTTPStatus.OK)
        body = reply.body()
        if body is not None:
            await _pace(self.ptb, reply)
            self.set_header("Content-Type", "application/json")
            self.write(body)
        try:
            await self.finish()
            sent = True
        except StreamClosedError:  # Telegram gave up waiting: it will send the update again
            sent = False
        for settle in reply.settle:
            settle(sent)


async def serve_webhook(
    application: Application[Any, Any, Any, Any, Any, Any],
    config: WebhookConfig,
    *,
    stop_signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run ``application`` behind the webhook until a stop signal (or ``stop`` is set).

    Initialises the application and runs its ``post_init``, sets the webhook, serves, and on
    stopping finishes what is being answered before shutting down. ``ready`` is set once the
    port accepts requests.
    """
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    for number in stop_signals:
        loop.add_signal_handler(number, stop.set)
    in_flight = _InFlight()
    path = "/" + config.url_path.strip("/")
    web = _WebApp(
        [(rf"{path}/?", _UpdateHandler, {"ptb": application, "secret": config.secret_token, "in_flight": in_flight})]
    )
    server = HTTPServer(web, max_body_size=MAX_BODY_BYTES)
    try:
        async with application:  # initialize … shutdown
            if application.post_init is not None:
                await application.post_init(application)
            await application.bot.set_webhook(
                url=config.webhook_url,
                secret_token=config.secret_token,
                allowed_updates=list(config.allowed_updates),
            )
            await application.start()
            server.listen(config.port, address=config.listen)
            if ready is not None:
                ready.set()
            await stop.wait()
            server.stop()  # no new connections; those being answered go on
            log.info("Stopping: finishing %d update(s) being answered", in_flight.count)
            if not await in_flight.drained(GRACE_SECONDS):
                log.warning("Stopped with %d update(s) unanswered; Telegram will send them again", in_flight.count)
            await server.close_all_connections()
            await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    finally:
        server.stop()
        for number in stop_signals:
            loop.remove_signal_handler(number)
