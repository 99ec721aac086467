"""The console scripts of the adapters: ``puedo-publicar-slack`` and ``puedo-publicar-telegram``.

Installed without its extra, an adapter cannot even be imported; these entry points turn that
into one line saying which extra to install (exit 2), not a traceback.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["slack", "telegram"]


def slack() -> int:
    """``puedo-publicar-slack``."""
    return _run("adapters.slack.main")


def telegram() -> int:
    """``puedo-publicar-telegram``."""
    return _run("adapters.telegram.main")


def _run(module: str) -> int:
    try:
        main = importlib.import_module(module).main
    except ImportError as exc:  # the adapter package names the extra in its message
        print(f"Error: {exc}", file=sys.stderr)  # noqa: T201 - a console script's own message
        return 2
    return int(main())
