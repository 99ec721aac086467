"""Delivering messages to Slack: where an answer goes, and the ⏳ reaction meanwhile.

A :data:`Post` sends one message (fallback text and optional blocks); the factories here make
one per destination: a channel or thread, a placeholder to replace, or the request's
``response_url``. Only :func:`respond_quietly` and :func:`post_quietly` swallow errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.render import Block, answer_text
from bot.models import Answer

__all__ = [
    "CANNOT_POST_ERRORS",
    "MAX_RESPONSE_URL_MESSAGES",
    "THINKING_REACTION",
    "Post",
    "add_thinking",
    "fallback_text",
    "post_ephemeral",
    "post_quietly",
    "post_to",
    "remove_thinking",
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


def post_to(client: WebClient, channel: str, thread_ts: Any = None) -> Post:
    """Post each message to ``channel`` (in ``thread_ts``'s thread if given)."""

    def post(text: str, blocks: Sequence[Block] | None) -> None:
        client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=str(thread_ts) if thread_ts else None,
            unfurl_links=False,
            unfurl_media=False,
        )

    return post


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
    except Exception as exc:
        log.warning("Could not reply through response_url: %s", exc)


def post_quietly(post: Post, kind: str, text: str, blocks: Sequence[Block] | None) -> bool:
    """``post(text, blocks)``; errors are logged. Returns whether it was delivered."""
    try:
        post(text, blocks)
    except Exception as exc:
        log.error("Slack %s: could not post a message: %s", kind, getattr(exc, "response", {}) or exc)
        return False
    return True


def add_thinking(client: WebClient, channel: str, ts: str) -> bool:
    """⏳ on the user's message; returns whether it was added."""
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=THINKING_REACTION)
    except SlackApiError as exc:
        log.debug("Could not add the thinking reaction: %s", exc.response.get("error"))
        return False
    return True


def remove_thinking(client: WebClient, channel: str, ts: str) -> None:
    with suppress(SlackApiError):
        client.reactions_remove(channel=channel, timestamp=ts, name=THINKING_REACTION)
