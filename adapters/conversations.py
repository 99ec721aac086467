"""What each chat conversation said before, so a follow-up question is read with it.

«¿Y si tengo la autorización firmada de las familias?» only makes sense after the question it
follows. The core reads a message with a :class:`~bot.models.Context` (:mod:`bot.conversation`);
this module keeps the latest context of each conversation between two messages:

- **in memory only**, never on disk or in a log: it holds what people wrote;
- a next private message follows up only within ``BOT_CONVERSATION_MINUTES`` (10 by default) of
  the last answer; a reply in the thread or to the bot's answer, within :data:`KEEP_SECONDS`;
- for a bounded number of conversations (the least recently used are forgotten first).

A conversation is whatever the adapter names with the same key: a Slack DM or thread, a
Telegram private chat, or one person in a Telegram group.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot import Context

__all__ = ["KEEP_SECONDS", "MAX_CONVERSATIONS", "ConversationMemory", "reset_text"]

#: Conversations remembered at once; beyond that the least recently used is forgotten.
MAX_CONVERSATIONS = 10_000
#: How long a conversation is kept at all: a reply to an answer this old still follows it.
KEEP_SECONDS = 2 * 3600.0


def reset_text() -> str:
    """The reply to «nueva pregunta» or ``/nuevo``."""
    return "🆕 Empezamos de cero: tu próxima pregunta no tendrá en cuenta lo que me contaste antes."


class ConversationMemory:
    """The last :class:`~bot.models.Context` of each conversation. Thread-safe.

    ``ttl``: how recent the last answer must be for a message that merely reads as a follow-up;
    ``keep``: how long anything is kept (a reply to the bot's answer still follows it).
    """

    def __init__(
        self,
        ttl: float = 600.0,
        *,
        keep: float = KEEP_SECONDS,
        max_conversations: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 0 or max_conversations < 1:
            raise ValueError("ttl must be >= 0 and max_conversations >= 1")
        self.ttl = ttl
        self.keep = max(keep, ttl)
        self.max_conversations = max_conversations
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, Context]] = OrderedDict()

    def get(self, key: str, *, replying: bool = False) -> Context | None:
        """The conversation's context, or ``None`` if there is none or it is too old: older than
        ``ttl``, or than ``keep`` for a message ``replying`` to the bot's answer."""
        now = self._clock()
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            age = now - item[0]
            if age > self.keep:
                del self._items[key]
                return None
            if age > (self.keep if replying else self.ttl):
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, context: Context) -> None:
        """Remember ``context`` as the conversation's latest, from now."""
        with self._lock:
            self._items[key] = (self._clock(), context)
            self._items.move_to_end(key)
            while len(self._items) > self.max_conversations:
                self._items.popitem(last=False)

    def forget(self, key: str) -> None:
        """Start the conversation over («nueva pregunta», ``/nuevo``)."""
        with self._lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
