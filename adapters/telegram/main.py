"""``python -m adapters.telegram``: run the Telegram bot (long polling, or a webhook)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from telegram.error import InvalidToken

from adapters.answering import AnswerService
from adapters.ops import Metrics, OpsServer, core_checks
from adapters.telegram.startup import ALLOWED_UPDATES, StartupError, build_application, check_settings, webhook_config
from adapters.telegram.webhook import serve_webhook
from bot import Settings, UnavailableError, feedback_store, idempotency_store, logs

__all__ = ["main", "run"]

log = logging.getLogger("adapters.telegram")


def run(settings: Settings, service: AnswerService | None = None) -> int:
    """Run the bot until it is stopped (SIGINT/SIGTERM); returns the process exit status.

    Long polling by default; with ``BOT_TELEGRAM_MODE=webhook`` a webhook server on
    ``BOT_TELEGRAM_WEBHOOK_LISTEN:BOT_TELEGRAM_WEBHOOK_PORT`` (behind an HTTPS proxy)
    registered at ``BOT_TELEGRAM_WEBHOOK_URL`` with ``BOT_TELEGRAM_WEBHOOK_SECRET``.
    Configuration problems and a token Telegram rejects give a message naming the
    setting and status 2.
    """
    try:
        check_settings(settings)
    except StartupError as exc:
        print(f"Error de configuración: {exc}", file=sys.stderr)
        return 2
    if service is None:
        from bot import Service

        service = Service(settings, notify=lambda text: log.info("%s", text))
    try:
        feedback, idempotency = feedback_store(settings), idempotency_store(settings)
    except UnavailableError as exc:  # the database (BOT_DATABASE_URL) unreachable: one line naming it
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    metrics = Metrics()
    store = getattr(service, "store", None)
    if store is not None:
        metrics.watch_core(store.pointer, settings)
    application = build_application(settings, service, feedback=feedback, idempotency=idempotency, metrics=metrics)
    ops_server = None
    if settings.metrics_port is not None:
        checks = core_checks(service, feedback=feedback, idempotency=idempotency)
        try:
            ops_server = OpsServer(metrics, checks, port=settings.metrics_port).start()
        except OSError as exc:
            print(f"Error de configuración: no se puede escuchar en BOT_METRICS_PORT ({exc}).", file=sys.stderr)
            return 2
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # PTB's run_polling runs on the current loop, and closes it
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    try:
        if settings.telegram_mode == "webhook":
            config = webhook_config(settings)
            log.info(
                "Webhook mode: listening on %s:%s/%s for %s",
                config.listen,
                config.port,
                config.url_path,
                config.webhook_url,
            )
            try:
                loop.run_until_complete(serve_webhook(application, config, stop_signals=stop_signals))
            finally:
                loop.close()
        else:
            log.info("Long polling mode")
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals)
    except InvalidToken:
        print(
            "Error de configuración: Telegram no acepta BOT_TELEGRAM_TOKEN (getMe lo rechaza). Copia de nuevo "
            "el token que te dio @BotFather (/mybots → API Token); si lo revocaste, usa el nuevo.",
            file=sys.stderr,
        )
        return 2
    finally:
        asyncio.set_event_loop(None)
        if ops_server is not None:
            ops_server.stop()
    return 0


def main() -> int:
    """``python -m adapters.telegram``: read the ``BOT_`` settings and run the bot."""
    logs.setup_logging(verbose="-v" in sys.argv[1:] or "--verbose" in sys.argv[1:])
    settings = logs.load_settings_for_entry_point()
    if settings is None:
        return 2
    return run(settings)
