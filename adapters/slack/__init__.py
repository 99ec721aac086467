"""Slack adapter of Puedo publicar (slack-bolt, Socket Mode or HTTP).

Run it with ``python -m adapters.slack`` (see :func:`adapters.slack.main.main`); create the
Slack app from ``adapters/slack_manifest.yaml``. Tests build the app with
:func:`create_app` and serve it with :class:`~adapters.slack.server.SlackHTTPServer`.
"""

try:
    import slack_bolt  # noqa: F401
except ImportError:  # pragma: no cover - depends on the installation
    raise ImportError(
        "Falta slack-bolt, que el adaptador de Slack necesita: pip install 'puedo-publicar[slack]'"
    ) from None

from adapters.slack.main import main
from adapters.slack.render import answer_blocks, answer_text
from adapters.slack.server import SlackHTTPServer
from adapters.slack.startup import (
    SlackSettingsError,
    SlackStartupError,
    SlackUnavailableError,
    check_settings,
    create_app,
    verify_bot_token,
)

__all__ = [
    "SlackHTTPServer",
    "SlackSettingsError",
    "SlackStartupError",
    "SlackUnavailableError",
    "answer_blocks",
    "answer_text",
    "check_settings",
    "create_app",
    "main",
    "verify_bot_token",
]
