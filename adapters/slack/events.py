"""Slack events → :class:`~adapters.answering.Incoming`, and the matchers that pick them.

In every case a quoted block (lines starting with ``>``) is the draft and the rest the
question (:func:`adapters.slack.mrkdwn.split_draft`); the message's files come along as
attachments (:func:`adapters.slack.files.attachments_of`), read later, in the worker. Delivery ids: ``event_id`` for the Events
API (the same in every retry and Socket Mode redelivery), ``trigger_id`` for slash commands
and shortcuts (the same in a replayed request).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from adapters.answering import Incoming
from adapters.slack.files import attachments_of
from adapters.slack.mrkdwn import split_draft, to_plain

__all__ = [
    "HELP_WORDS",
    "PLATFORM",
    "command_incoming",
    "command_text",
    "event_incoming",
    "is_dm_question",
    "is_mention_question",
    "user_strings",
]

PLATFORM = "slack"
HELP_WORDS = frozenset({"", "ayuda", "help", "?", "¿?", "info"})

_USER_KEYS = frozenset(
    {"text", "user", "user_id", "user_name", "username", "value", "name", "real_name", "email", "title", "preview"}
    | {"url_private", "url_private_download", "permalink", "permalink_public"}  # a file's
)
#: Message subtypes that are a person writing (a file shared with or without a comment).
_PERSON_SUBTYPES = frozenset({None, "", "file_share"})


def event_incoming(kind: str, event: dict[str, Any], body: dict[str, Any], bot_user_id: str) -> Incoming:
    """A DM or mention event as a question (``body`` is the envelope with the ``event_id``).

    Its conversation: the DM (a message in one of its threads certainly follows up), or the
    mention's thread (a mention inside a thread follows up what was asked there).
    """
    question, draft = split_draft(to_plain(str(event.get("text") or ""), drop_user=bot_user_id))
    event_id = body.get("event_id")
    channel, ts, thread = str(event.get("channel") or ""), str(event.get("ts") or ""), event.get("thread_ts")
    if kind == "dm":
        conversation, follows = f"{PLATFORM}:{channel}", bool(thread)
    else:
        conversation, follows = f"{PLATFORM}:{channel}:{thread or ts}", bool(thread) and thread != ts
    return Incoming(
        platform=PLATFORM,
        kind=kind,
        user_id=str(event.get("user") or ""),
        question=question,
        draft=draft,
        delivery_id=f"event:{event_id}" if event_id else None,
        files=attachments_of(event.get("files")),
        conversation=conversation,
        follows=follows,
    )


def command_text(command: dict[str, Any], bot_user_id: str) -> str:
    return to_plain(str(command.get("text") or ""), drop_user=bot_user_id)


def command_incoming(command: dict[str, Any], bot_user_id: str) -> Incoming:
    """A ``/puedopublicar TEXT`` as a question."""
    question, draft = split_draft(command_text(command, bot_user_id))
    trigger = command.get("trigger_id")
    return Incoming(
        platform=PLATFORM,
        kind="command",
        user_id=str(command.get("user_id") or ""),
        question=question,
        draft=draft,
        delivery_id=f"command:{trigger}" if trigger else None,
    )


def is_dm_question(event: dict[str, Any]) -> bool:
    """A person's new message in a DM with the bot (text, a file, or both; not an edit or a bot)."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _PERSON_SUBTYPES
        and not event.get("bot_id")
        and "edited" not in event
        and (bool(str(event.get("text") or "").strip()) or bool(event.get("files")))
    )


def is_mention_question(event: dict[str, Any]) -> bool:
    """A person's mention of the bot outside DMs (DMs are answered as messages)."""
    return (
        not str(event.get("channel") or "").startswith("D")
        and not event.get("bot_id")
        and "edited" not in event
        and event.get("subtype") in _PERSON_SUBTYPES
    )


def user_strings(body: Any) -> Iterator[str]:
    """Texts and user ids anywhere in a Slack request body (never to be logged)."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and key in _USER_KEYS:
                yield value
            else:
                yield from user_strings(value)
    elif isinstance(body, list):
        for item in body:
            yield from user_strings(item)
