"""Telegram adapter for «Puedo publicar» (python-telegram-bot 22).

Run it with ``python -m adapters.telegram`` (see :func:`adapters.telegram.main.main`); build
it in code with :func:`build_application`. Answers are rendered by
:func:`adapters.telegram.render.answer_messages`.
"""

try:
    import telegram.ext  # noqa: F401
except ImportError:  # pragma: no cover - depends on the installation
    raise ImportError(
        "Falta python-telegram-bot, que el adaptador de Telegram necesita: pip install 'puedo-publicar[telegram]'"
    ) from None

from adapters.telegram.main import main, run
from adapters.telegram.render import answer_messages, sources_messages
from adapters.telegram.startup import StartupError, build_application, check_settings, webhook_config

__all__ = [
    "StartupError",
    "answer_messages",
    "build_application",
    "check_settings",
    "main",
    "run",
    "sources_messages",
    "webhook_config",
]
