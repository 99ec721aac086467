"""Delivering messages to Slack: where an answer goes, and the ⏳ reaction meanwhile.

A :data:`Post` sends one message (fallback text and optional blocks); the factories here make
one per destination: a channel or thread, a placeholder to replace, or the request's
``response_url``. Only :func:`respond_quietly` and :func:`post_quietly` swallow errors.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.render import Block, answer_text
from bot import Answer

__all__ = [
    "ANSWER_EVENT",
    "CANNOT_POST_ERRORS",
    "MAX_RESPONSE_URL_MESSAGES",
    "THINKING_REACTION",
    "Post",
    "Thinking",
    "answered_before",
    "fallback_text",
    "post_ephemeral",
    "post_quietly",
    "post_to",
    "respond_quietly",
    "update_then_post",
]

log = logging.getLogger("adapters.slack")

Post = Callable[[str, Sequence[Block] | None], None]

THINKING_REACTION = "hourglass_flowing_sand"
#: A ``response_url`` accepts at most 5 messages.
MAX_RESPONSE_URL_MESSAGES = 5
#: Errors meaning "the bot cannot write in this conversation".
CANNOT_POST_ERRORS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot"}
)


def fallback_text(answer: Answer, index: int) -> str:
    """The notification text of the ``index``-th message of an answer."""
    return answer_text(answer) if index == 0 else "Puedo publicar (continuación de la respuesta)"


#: The ``event_type`` of the message metadata on every reply to a question: the ``delivery`` in
#: its payload is the question's delivery id (``event:Ev…``), nothing the user wrote.
ANSWER_EVENT = "puedo_publicar_reply"
#: How many messages :func:`answered_before` reads after the question.
LOOK_BACK_MESSAGES = 200


def post_to(client: WebClient, channel: str, thread_ts: Any = None, *, delivery_id: str | None = None) -> Post:
    """Post each message to ``channel`` (in ``thread_ts``'s thread if given); with
    ``delivery_id``, each carries it as metadata, for :func:`answered_before`."""
    metadata = {"event_type": ANSWER_EVENT, "event_payload": {"delivery": delivery_id}} if delivery_id else None

    def post(text: str, blocks: Sequence[Block] | None) -> None:
        client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=str(thread_ts) if thread_ts else None,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
        )

    return post


def answered_before(client: WebClient, channel: str, thread_ts: Any, since: str, delivery_id: str) -> bool:
    """Whether a reply to ``delivery_id`` (posted by :func:`post_to`) is already in the
    conversation: in ``thread_ts``'s thread, or else in the channel, after the question's ``since``.

    For a question whose claim was taken over from a process that died: it may have posted the
    reply and died before recording it. When Slack cannot tell (an error), the answer is False:
    answering twice is better than not at all.
    """
    try:
        if thread_ts:
            response = client.conversations_replies(
                channel=channel, ts=str(thread_ts), oldest=since, include_all_metadata=True, limit=LOOK_BACK_MESSAGES
            )
        else:
            response = client.conversations_history(
                channel=channel, oldest=since, include_all_metadata=True, limit=LOOK_BACK_MESSAGES
            )
    except SlackApiError as exc:
        log.warning("Could not look for an earlier reply: %s", exc.response.get("error"))
        return False
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == ANSWER_EVENT
            and (metadata.get("event_payload") or {}).get("delivery") == delivery_id
        ):
            return True
    return False


def update_then_post(client: WebClient, channel: str, ts: str) -> Post:
    """Replace the placeholder ``ts`` with the first message; post the others after it."""
    state = {"updated": False}
    post_after = post_to(client, channel)

    def post(text: str, blocks: Sequence[Block] | None) -> None:
        if not state["updated"]:
            state["updated"] = True
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks or [])
        else:
            post_after(text, blocks)

    return post


def post_ephemeral(respond: Respond) -> Post:
    """Post each message privately through the request's ``response_url`` (at most 5)."""
    state = {"sent": 0}

    def post(text: str, blocks: Sequence[Block] | None) -> None:
        if state["sent"] >= MAX_RESPONSE_URL_MESSAGES:
            log.warning("Answer longer than %d messages: truncated for response_url", MAX_RESPONSE_URL_MESSAGES)
            return
        state["sent"] += 1
        response = respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        if response.status_code != 200:
            raise SlackApiError(f"response_url answered {response.status_code}", {"error": response.body})

    return post


def respond_quietly(respond: Respond, mrkdwn: str, blocks: Sequence[Block] | None = None) -> None:
    """A private reply through ``response_url``; errors are logged, never raised."""
    try:
        respond(text=mrkdwn, blocks=blocks, response_type="ephemeral", replace_original=False)
    except Exception as exc:  # boundary by contract: "never raised" (Bolt, urllib and a missing response_url differ)
        log.warning("Could not reply through response_url: %s", exc)


def post_quietly(post: Post, kind: str, text: str, blocks: Sequence[Block] | None) -> bool:
    """``post(text, blocks)``; errors are logged. Returns whether it was delivered."""
    try:
        post(text, blocks)
    except Exception as exc:  # boundary by contract: the caller needs False to give the delivery back for a retry
        # One line with Slack's response: the caller gives the delivery back, nothing to debug here.
        log.error("Slack %s: could not post a message: %s", kind, getattr(exc, "response", {}) or exc)  # noqa: TRY400
        return False
    return True


class Thinking:
    """The ⏳ reaction on a question while it waits and is answered: best effort, never in an
    answer's way.

    Slack allows about 50 ``reactions.*`` calls a minute, so under load they run out. The
    reactions use their own client without retries, from ``pool`` (never an answer thread);
    after a 429 no reaction is added until ``Retry-After`` has passed, and a removal that
    hits the limit is tried again then, so no ⏳ is left behind.
    """

    REMOVE_ATTEMPTS = 3

    def __init__(self, client: WebClient, pool: Executor, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)
        self._pool = pool
        self._clock = clock
        self._quiet_until = 0.0
        self._added: dict[tuple[str, str], Future[bool]] = {}
        self._lock = threading.Lock()

    def start(self, channel: str, ts: str) -> None:
        """Add ⏳ to the message ``ts`` (in the background)."""
        with self._lock:
            if self._clock() < self._quiet_until:
                return
            self._added[(channel, ts)] = self._pool.submit(self._add, channel, ts)

    def stop(self, channel: str, ts: str) -> None:
        """Remove the ⏳ added by :meth:`start`, once its addition has finished."""
        with self._lock:
            added = self._added.pop((channel, ts), None)
        if added is not None:
            added.add_done_callback(
                lambda done: (
                    done.exception() is None and done.result() and self._pool.submit(self._remove, channel, ts, 1)
                )
            )

    def _add(self, channel: str, ts: str) -> bool:
        try:
            self._client.reactions_add(channel=channel, timestamp=ts, name=THINKING_REACTION)
        except SlackApiError as exc:
            self._note_limit(exc)
            log.debug("Could not add the thinking reaction: %s", exc.response.get("error"))
            return False
        except Exception as exc:  # pool task boundary (the network, mostly): the ⏳ is a courtesy, never worth an error
            log.debug("Could not add the thinking reaction: %s", exc)
            return False
        return True

    def _remove(self, channel: str, ts: str, attempt: int) -> None:
        try:
            self._client.reactions_remove(channel=channel, timestamp=ts, name=THINKING_REACTION)
        except SlackApiError as exc:
            delay = self._note_limit(exc)
            if delay is not None and attempt < self.REMOVE_ATTEMPTS:
                timer = threading.Timer(delay, lambda: self._pool.submit(self._remove, channel, ts, attempt + 1))
                timer.daemon = True
                timer.start()
        except Exception as exc:  # pool task boundary: an exception would vanish unseen in its Future
            log.debug("Could not remove the thinking reaction: %s", exc)

    def _note_limit(self, exc: SlackApiError) -> float | None:
        if exc.response.status_code != 429:
            return None
        delay = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1)) or 1)
        with self._lock:
            self._quiet_until = max(self._quiet_until, self._clock() + delay)
        return delay
