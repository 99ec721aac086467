"""Starting the Slack adapter: settings checks, the Web API client and the two transports.

Every problem found here raises :class:`SlackStartupError` with a Spanish message naming the
``BOT_`` setting to fix, before the model and the index are loaded: a
:class:`SlackSettingsError` for a setting (exit code 2), a :class:`SlackUnavailableError` when
Slack cannot be reached (exit code 1).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from adapters.answering import AnswerService, answering_for
from adapters.ops import Metrics
from adapters.slack.app import ANSWER_THREADS, PLATFORM, SlackBot
from bot import FeedbackStore, IdempotencyStore, InputError, PuedoPublicarError, Settings, UnavailableError

__all__ = [
    "SlackSettingsError",
    "SlackStartupError",
    "SlackUnavailableError",
    "build_client",
    "check_settings",
    "create_app",
    "http_server",
    "socket_handler",
    "verify_bot_token",
]

#: Socket Mode's ping interval, which bounds how long a dead connection goes unnoticed.
SOCKET_PING_SECONDS = 5.0
#: Retries after a 429 (honouring Retry-After): chat.postMessage allows ~1 message/s per channel.
RATE_LIMIT_RETRIES = 5
#: Errors meaning "this token is wrong", as answered by auth.test / apps.connections.open.
_BAD_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}
)


class SlackStartupError(PuedoPublicarError):
    """The adapter cannot start; raised as :class:`SlackSettingsError` or :class:`SlackUnavailableError`.

    ``exit_code`` is the process's: 2 for a wrong or missing setting, 1 for anything else (network).
    """

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class SlackSettingsError(SlackStartupError, InputError):
    """A ``BOT_SLACK_*`` setting is missing or wrong (a token Slack rejects, a busy port); the message names it."""


class SlackUnavailableError(SlackStartupError, UnavailableError):
    """Slack cannot be reached, or answers with an error that no setting explains."""

    exit_code = 1


def check_settings(settings: Settings, *, need_bot_token: bool = True) -> None:
    """Check that the Slack settings needed by ``settings.slack_mode`` are present and plausible.

    Raises :class:`SlackStartupError` naming the ``BOT_`` variable. Validity is checked by
    :func:`verify_bot_token` (and, in Socket Mode, when connecting).
    """
    token = (settings.slack_bot_token or "").strip()
    if need_bot_token and not token:
        raise SlackSettingsError(
            "Falta BOT_SLACK_BOT_TOKEN: el «Bot User OAuth Token» (xoxb-…) de tu app de Slack, "
            "en OAuth & Permissions. Instala la app en el espacio de trabajo para obtenerlo."
        )
    if token.startswith("xapp-"):
        raise SlackSettingsError(
            "BOT_SLACK_BOT_TOKEN contiene un token de aplicación (xapp-…). Ahí va el token del bot "
            "(xoxb-…); el xapp- va en BOT_SLACK_APP_TOKEN."
        )
    if settings.slack_mode == "socket":
        app_token = (settings.slack_app_token or "").strip()
        if not app_token:
            raise SlackSettingsError(
                "Falta BOT_SLACK_APP_TOKEN, necesario en modo Socket Mode (BOT_SLACK_MODE=socket): crea un "
                "«App-Level Token» con el permiso connections:write en Basic Information (empieza por xapp-). "
                "O usa BOT_SLACK_MODE=http con BOT_SLACK_SIGNING_SECRET."
            )
        if not app_token.startswith("xapp-"):
            raise SlackSettingsError(
                "BOT_SLACK_APP_TOKEN no parece un token de aplicación: debe empezar por xapp- "
                "(Basic Information → App-Level Tokens)."
            )
    elif not (settings.slack_signing_secret or "").strip():
        raise SlackSettingsError(
            "Falta BOT_SLACK_SIGNING_SECRET, necesario en modo HTTP (BOT_SLACK_MODE=http): es el «Signing Secret» "
            "de Basic Information → App Credentials."
        )


def build_client(settings: Settings) -> WebClient:
    """The Web API client for ``settings`` (retries once on rate limits and connection errors)."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


def verify_bot_token(client: WebClient) -> dict[str, Any]:
    """Call ``auth.test``; returns its data (``user_id`` is the bot's user id).

    Raises :class:`SlackStartupError` naming ``BOT_SLACK_BOT_TOKEN`` if Slack rejects the token.
    """
    response = _checking_token(
        client.auth_test,
        bad="BOT_SLACK_BOT_TOKEN no es válido: Slack responde «{error}». Copia de nuevo el «Bot User OAuth "
        "Token» (xoxb-…) de OAuth & Permissions; si has reinstalado la app, el token ha cambiado.",
        other="No se puede comprobar BOT_SLACK_BOT_TOKEN: Slack responde «{error}».",
        offline=f"No se puede conectar con Slack ({client.base_url})",
    )
    return dict(response.data) if isinstance(response.data, dict) else {}


T = TypeVar("T")


def _checking_token(call: Callable[[], T], *, bad: str, other: str, offline: str) -> T:
    """``call()``, turning Slack's answers into startup errors: ``bad`` (exit 2) for a rejected
    token, ``other`` for any other Slack error and ``offline`` when Slack cannot be reached (exit 1)."""
    try:
        return call()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        if error in _BAD_TOKEN_ERRORS:
            raise SlackSettingsError(bad.format(error=error)) from None
        raise SlackUnavailableError(other.format(error=error)) from None
    except OSError as exc:  # URLError, timeouts, DNS...
        raise SlackUnavailableError(f"{offline}: {exc}") from None


def http_server(app: App, host: str, port: int, *, ops: Any = None, metrics: Metrics | None = None) -> Any:
    """The HTTP server, its port bound now; ``ops`` (:func:`adapters.ops.ops_wsgi_app`) adds
    ``/metrics`` and ``/readyz`` beside the events path, and ``metrics`` times each acknowledgement."""
    from adapters.slack.server import SlackHTTPServer

    try:
        return SlackHTTPServer(app, host=host, port=port, ops=ops, metrics=metrics)
    except OSError as exc:
        raise SlackSettingsError(f"No se puede escuchar en {host}:{port} (BOT_SLACK_PORT): {exc}") from None


def socket_handler(app: App, settings: Settings) -> Any:
    """A Socket Mode handler, its app token checked now (not after loading the model)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    # A dropped connection is noticed at the next ping: every 5 s rather than the default 10.
    handler = SocketModeHandler(app, app_token=settings.slack_app_token, ping_interval=SOCKET_PING_SECONDS)
    _checking_token(
        handler.client.issue_new_wss_url,  # validates BOT_SLACK_APP_TOKEN; connect() asks for a fresh URL
        bad="BOT_SLACK_APP_TOKEN no es válido: Slack responde «{error}». Crea un «App-Level Token» con el "
        "permiso connections:write (Basic Information) y activa Socket Mode en la app.",
        other="No se puede abrir la conexión Socket Mode: Slack responde «{error}».",
        offline="No se puede conectar con Slack",
    )
    return handler


def create_app(
    settings: Settings,
    service: AnswerService,
    *,
    feedback: FeedbackStore | None = None,
    idempotency: IdempotencyStore | None = None,
    client: WebClient | None = None,
    executor: Executor | None = None,
    metrics: Metrics | None = None,
) -> App:
    """Build the Bolt app (sync) with every listener registered.

    ``client`` defaults to one built from ``settings`` (``BOT_SLACK_BOT_TOKEN``, and
    ``BOT_SLACK_API_URL`` in tests); ``feedback`` and ``idempotency`` to the stores in the
    data dir; ``executor`` — where answers are computed — to :data:`ANSWER_THREADS` threads;
    ``metrics`` (:mod:`adapters.ops`) to a registry of the app's own.
    Raises :class:`SlackStartupError` if a setting is missing or Slack rejects the token.
    """
    check_settings(settings, need_bot_token=client is None)
    client = client or build_client(settings)
    auth = verify_bot_token(client)
    # Without a signing secret (Socket Mode) no HTTP request must ever verify: use a random one.
    signing_secret = settings.slack_signing_secret or secrets.token_hex(32)
    executor = executor or ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="slack-answer")
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        listener_executor=executor,
        name="puedo-publicar",
    )
    answering = answering_for(
        PLATFORM,
        service,
        settings,
        user_limit_per_minute=settings.slack_user_limit_per_minute,
        feedback=feedback,
        idempotency=idempotency,
        metrics=metrics,
    )
    SlackBot(settings, answering, str(auth.get("user_id") or ""), client, workers=executor).register(app)
    return app
