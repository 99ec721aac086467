"""The console scripts of the adapters: ``puedo-publicar-slack`` and ``puedo-publicar-telegram``.

Installed without its extra, an adapter cannot even be imported; these entry points turn that
into one line saying which extra to install (exit 2), not a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["slack", "telegram"]


def slack() -> int:
    """``puedo-publicar-slack``."""
    try:
        from adapters.slack.main import main
    except ImportError as exc:
        print(f"Error: {exc}", file=sys.stderr)  # noqa: T201 - a console script's own message
        return 2
    return main()


def telegram() -> int:
    """``puedo-publicar-telegram``."""
    try:
        from adapters.telegram.main import main
    except ImportError as exc:
        print(f"Error: {exc}", file=sys.stderr)  # noqa: T201 - a console script's own message
        return 2
    return main()
