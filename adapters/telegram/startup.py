"""Starting the Telegram adapter: settings checks and the PTB ``Application``.

Problems found here raise :class:`StartupError` with a Spanish message naming the ``BOT_``
setting to fix.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import AIORateLimiter, Application

from adapters.answering import AnswerService, answering_for
from adapters.ops import Metrics
from adapters.telegram.app import PLATFORM, TelegramAdapter, TelegramApplication
from adapters.telegram.webhook import WebhookConfig
from bot import FeedbackStore, IdempotencyStore, InputError, Settings

__all__ = [
    "ALLOWED_UPDATES",
    "FLOOD_RETRIES",
    "StartupError",
    "TelegramApplication",
    "build_application",
    "check_settings",
    "require_token",
    "webhook_config",
]

#: How many times a request that hit Telegram's flood control (``RetryAfter``) is retried.
FLOOD_RETRIES = 3
#: Seconds a Bot API request may wait for a connection, and for Telegram's answer.
SEND_TIMEOUT = 30.0
#: The only updates the bot asks Telegram for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class StartupError(InputError):
    """The bot cannot start as configured; the message names the ``BOT_`` setting to fix."""


def require_token(settings: Settings) -> str:
    """The bot token; :class:`StartupError` naming ``BOT_TELEGRAM_TOKEN`` if it is missing."""
    token = (settings.telegram_token or "").strip()
    if not token:
        raise StartupError(
            "Falta BOT_TELEGRAM_TOKEN: crea el bot con @BotFather (/newbot) y pon el token que te da en "
            "la variable de entorno BOT_TELEGRAM_TOKEN (o en el fichero .env)."
        )
    return token


def check_settings(settings: Settings) -> str:
    """Check the Telegram settings before starting; returns the token.

    Raises :class:`StartupError` naming the variable when the token is missing, or when
    webhook mode lacks its public HTTPS URL or its secret token.
    """
    token = require_token(settings)
    if settings.telegram_mode == "webhook":
        url = (settings.telegram_webhook_url or "").strip()
        if not url:
            raise StartupError(
                "BOT_TELEGRAM_MODE=webhook necesita BOT_TELEGRAM_WEBHOOK_URL: la URL pública HTTPS a la que "
                "Telegram enviará las actualizaciones (p. ej. https://bot.ejemplo.es/telegram)."
            )
        if urlsplit(url).scheme != "https":
            raise StartupError(f"BOT_TELEGRAM_WEBHOOK_URL debe empezar por https:// (Telegram lo exige): {url!r}")
        if not settings.telegram_webhook_secret:
            raise StartupError(
                "BOT_TELEGRAM_MODE=webhook necesita BOT_TELEGRAM_WEBHOOK_SECRET: un secreto de 1 a 256 "
                'caracteres A-Z, a-z, 0-9, _ o - (p. ej. python -c "import secrets; '
                'print(secrets.token_urlsafe(32))"). Telegram lo envía en cada petición y el bot rechaza '
                "las que no lo traen."
            )
    return token


def webhook_config(settings: Settings) -> WebhookConfig:
    """Where the webhook listens and what Telegram is told (:func:`~adapters.telegram.webhook.serve_webhook`).

    The local path served is the path of the public URL (``https://host/telegram`` →
    ``/telegram``); a reverse proxy terminates TLS and forwards to ``listen:port``. Requests
    without the ``X-Telegram-Bot-Api-Secret-Token`` header get 403.
    """
    url = (settings.telegram_webhook_url or "").strip()
    return WebhookConfig(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=urlsplit(url).path.strip("/"),
        webhook_url=url,
        secret_token=settings.telegram_webhook_secret or "",
        allowed_updates=ALLOWED_UPDATES,
    )


def _file_url(api_url: str) -> str:
    """``http://host/bot`` → ``http://host/file/bot`` (Telegram's layout, also the fake's)."""
    root, _, last = api_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


def build_application(
    settings: Settings,
    service: AnswerService,
    *,
    feedback: FeedbackStore | None = None,
    idempotency: IdempotencyStore | None = None,
    metrics: Metrics | None = None,
) -> TelegramApplication:
    """A ready-to-run PTB ``Application`` answering with ``service``.

    ``feedback`` and ``idempotency`` default to the stores in the data dir, ``metrics``
    (:mod:`adapters.ops`) to a registry of the application's own. Updates are handled
    concurrently (one slow answer does not hold up the others) and every Bot API request
    goes through ``AIORateLimiter`` (``BOT_TELEGRAM_MESSAGES_PER_SECOND`` in all, webhook replies
    included), which also retries after a ``RetryAfter``. When the
    application is run (``run_polling``, :func:`~adapters.telegram.webhook.serve_webhook`) it first sets the command
    menu and loads the model and the index (``service.warm_up()``, if there is one).

    Raises :class:`StartupError` if ``BOT_TELEGRAM_TOKEN`` is missing.
    """
    token = require_token(settings)
    answering = answering_for(
        PLATFORM,
        service,
        settings,
        user_limit_per_minute=settings.telegram_user_limit_per_minute,
        feedback=feedback,
        idempotency=idempotency,
        metrics=metrics,
    )
    adapter = TelegramAdapter(settings, answering)
    builder = (
        Application.builder()
        .token(token)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_messages_per_second, max_retries=FLOOD_RETRIES))
        .concurrent_updates(True)
        # Under load a reply may wait for a connection and for the API: a timeout would lose it.
        .connect_timeout(SEND_TIMEOUT)
        .read_timeout(SEND_TIMEOUT)
        .write_timeout(SEND_TIMEOUT)
        .pool_timeout(SEND_TIMEOUT)
        .post_init(adapter.post_init)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url).base_file_url(_file_url(settings.telegram_api_url))
    application: TelegramApplication = builder.build()
    adapter.register(application)
    return application
