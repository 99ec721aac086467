"""``python -m adapters.slack``: run the Slack adapter (Socket Mode by default, or HTTP)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from adapters.ops import Metrics, OpsServer, core_checks, ops_wsgi_app
from adapters.slack.app import ANSWER_THREADS
from adapters.slack.startup import (
    SlackSettingsError,
    SlackStartupError,
    check_settings,
    create_app,
    http_server,
    socket_handler,
)
from bot import PuedoPublicarError, Service, feedback_store, idempotency_store, logs

__all__ = ["build_parser", "main"]

log = logging.getLogger("adapters.slack")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m adapters.slack",
        description="Puedo publicar en Slack. Configuración en variables BOT_SLACK_* (o .env); "
        "ver adapters/slack_manifest.yaml para crear la app.",
    )
    parser.add_argument("--mode", choices=["socket", "http"], help="sobrescribe BOT_SLACK_MODE")
    parser.add_argument("--port", type=int, help="puerto HTTP (sobrescribe BOT_SLACK_PORT)")
    parser.add_argument("--host", default="0.0.0.0", help="interfaz HTTP (por defecto 0.0.0.0)")  # noqa: S104 - behind a TLS proxy
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="mensajes de diagnóstico (nunca el texto de las preguntas)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the Slack adapter until interrupted; returns the process exit code.

    2: a setting is missing or wrong (the message names it); 1: another start-up failure.
    """
    args = build_parser().parse_args(argv)
    logs.setup_logging(verbose=args.verbose)
    settings = logs.load_settings_for_entry_point()
    if settings is None:
        return 2
    overrides = {k: v for k, v in {"slack_mode": args.mode, "slack_port": args.port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)

    executor = ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="slack-answer")
    handler: Any = None
    server: Any = None
    ops_server: OpsServer | None = None
    try:
        check_settings(settings)
        service = Service(settings, notify=lambda message: log.info("%s", message))
        feedback, idempotency = feedback_store(settings), idempotency_store(settings)
        metrics = Metrics()
        metrics.watch_core(service.store.pointer, settings)
        checks = core_checks(service, feedback=feedback, idempotency=idempotency)
        app = create_app(
            settings, service, feedback=feedback, idempotency=idempotency, executor=executor, metrics=metrics
        )
        logs.quiet_libraries()  # building the Bolt app reset its loggers' levels
        if settings.slack_mode == "socket":
            handler = socket_handler(app, settings)
        else:  # bound now: a busy port fails early
            server = http_server(
                app, args.host, settings.slack_port, ops=ops_wsgi_app(metrics, checks), metrics=metrics
            )
        if settings.metrics_port is not None:
            try:
                ops_server = OpsServer(metrics, checks, port=settings.metrics_port).start()
            except OSError as exc:
                raise SlackSettingsError(
                    f"No se puede escuchar en el puerto {settings.metrics_port} (BOT_METRICS_PORT): {exc}"
                ) from None
        log.info("Loading the model and the index…")
        service.warm_up()
    except SlackStartupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        executor.shutdown(wait=False)
        return exc.exit_code
    except PuedoPublicarError as exc:  # model or index unusable: the core's message says what to do
        print(f"Error: {exc}", file=sys.stderr)
        executor.shutdown(wait=False)
        return 1

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on SIGTERM too
    try:
        if handler is not None:
            handler.connect()
            log.info("Slack Socket Mode connected; Ctrl+C to stop")
            threading.Event().wait()
        else:
            server.serve_forever()
    except KeyboardInterrupt:
        log.info("Stopping…")
    finally:
        if handler is not None:
            handler.close()
        if server is not None:
            server.stop()
        if ops_server is not None:
            ops_server.stop()
        executor.shutdown(wait=True)  # let answers in progress reach their users
    return 0
