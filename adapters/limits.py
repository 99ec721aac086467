"""A per-user sliding-window limit on questions, kept in memory.

It protects the (CPU-bound) core from one user flooding the bot; Telegram's own flood
limits on what the bot *sends* are handled separately by PTB's ``AIORateLimiter``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

__all__ = ["LimitDecision", "SlidingWindowLimiter"]


@dataclass(frozen=True)
class LimitDecision:
    """The outcome of :meth:`SlidingWindowLimiter.check`.

    ``allowed``: answer the question. Otherwise ``notify`` says whether to tell the user
    (only once per window, so a flood gets one polite message rather than one per
    question) and ``retry_after`` how many seconds until the next question is accepted.
    """

    allowed: bool
    notify: bool = False
    retry_after: float = 0.0


class SlidingWindowLimiter:
    """At most ``limit`` accepted events per key in any ``window`` seconds.

    Rejected events do not count. Thread-safe; memory is bounded by the keys active in the
    last window (idle keys are pruned from time to time).
    """

    def __init__(self, limit: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._events: dict[Hashable, deque[float]] = {}
        self._notified: dict[Hashable, float] = {}
        self._checks = 0

    def check(self, key: Hashable) -> LimitDecision:
        """Record an event for ``key`` if it is allowed, and say what to do."""
        now = self._clock()
        with self._lock:
            self._checks += 1
            if self._checks % 1000 == 0:
                self._prune(now)
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) < self.limit:
                events.append(now)
                return LimitDecision(True)
            retry_after = events[0] + self.window - now
            last_notice = self._notified.get(key)
            notify = last_notice is None or now - last_notice >= self.window
            if notify:
                self._notified[key] = now
            return LimitDecision(False, notify, retry_after)

    def _prune(self, now: float) -> None:
        for key in [k for k, e in self._events.items() if not e or now - e[-1] >= self.window]:
            del self._events[key]
        for key in [k for k, t in self._notified.items() if now - t >= self.window]:
            del self._notified[key]
