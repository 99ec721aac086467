"""The root of the errors the project raises on purpose.

Every error class in :mod:`bot`, :mod:`adapters` and :mod:`evals` derives from
:class:`PuedoPublicarError` (and keeps its more specific built-in base, so ``except
ValueError`` still works where it did): a caller can catch them all, as with httpx's
``HTTPError`` or python-telegram-bot's ``TelegramError``. Their messages are for the person
who has to act on them, in Spanish.
"""

from __future__ import annotations

__all__ = ["PuedoPublicarError"]


class PuedoPublicarError(Exception):
    """Something the project detected and explains: bad input, a setting, a file, a source."""
