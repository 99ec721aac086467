"""A thread pool that can tell when the work handed to it has finished.

A test that checks for the *absence* of something (no second answer, no notice) must first
know that whatever could have produced it is over. Sleeping a fixed time only shows that the
wrong thing did not happen *yet*; :meth:`TrackingExecutor.wait_idle` shows that every task
submitted so far (and every task those tasks submitted) has run to the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class TrackingExecutor(ThreadPoolExecutor):
    """A :class:`~concurrent.futures.ThreadPoolExecutor` that counts the tasks not yet finished."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unfinished = 0
        self._changed = threading.Condition()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._changed:
            self._unfinished += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: object) -> None:
        with self._changed:
            self._unfinished -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until every task submitted so far has finished; fail after ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._unfinished == 0, timeout):
                raise AssertionError(f"{self._unfinished} task(s) still unfinished after {timeout} s")
