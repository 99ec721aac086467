"""Slack adapter of Puedo publicar (slack-bolt, Socket Mode or HTTP).

Run it with ``python -m adapters.slack`` (see :func:`adapters.slack.app.main`); create the
Slack app from ``adapters/slack_manifest.yaml``. Tests build the app with
:func:`create_app` and serve it with :class:`~adapters.slack.server.SlackHTTPServer`.
"""

from adapters.slack.app import SlackStartupError, check_settings, create_app, main, verify_bot_token
from adapters.slack.render import answer_blocks, answer_text
from adapters.slack.server import SlackHTTPServer

__all__ = [
    "SlackHTTPServer",
    "SlackStartupError",
    "answer_blocks",
    "answer_text",
    "check_settings",
    "create_app",
    "main",
    "verify_bot_token",
]
