"""Telegram updates → what was asked: the question's text, the draft it points at, who asks.

Offsets of Telegram entities are in UTF-16 code units, as Telegram counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType

__all__ = [
    "asker_id",
    "bot_mentions",
    "message_of",
    "remove_entities",
    "replies_to_bot",
    "reply_draft",
    "text_of",
]


def message_of(update: Update) -> Message:
    message = update.effective_message
    if message is None:
        raise RuntimeError("handlers are registered for message updates only")
    return message


def asker_id(update: Update) -> int:
    """Whom the per-user limit counts: the user, else the sending chat (anonymous admins)."""
    if update.effective_user is not None:
        return update.effective_user.id
    message = message_of(update)
    return message.sender_chat.id if message.sender_chat is not None else message.chat_id


def conversation_key(update: Update) -> str:
    """The conversation a message belongs to: a private chat, or one person in a group."""
    message = message_of(update)
    if message.chat.type == ChatType.PRIVATE:
        return f"telegram:{message.chat_id}"
    return f"telegram:{message.chat_id}:{asker_id(update)}"


def text_of(message: Message) -> str:
    """The message's text, or its caption (a photo with a question)."""
    return message.text if message.text is not None else message.caption or ""


def bot_mentions(message: Message, bot: Bot) -> list[MessageEntity]:
    """The entities that mention this bot: ``@username`` (any case) or a text mention of it."""
    username = f"@{bot.username}".lower() if bot.username else None
    if message.text is not None:
        covered = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    else:
        covered = message.parse_caption_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    return [
        entity
        for entity, text in covered.items()
        if (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id)
        or (entity.type == MessageEntity.MENTION and text.lower() == username)
    ]


def replies_to_bot(message: Message, bot: Bot) -> bool:
    reply = message.reply_to_message
    return reply is not None and reply.from_user is not None and reply.from_user.id == bot.id


def reply_draft(message: Message, bot: Bot) -> str | None:
    """The draft a message points at: the part quoted from, or the whole of, the message it
    replies to (text or caption), unless that message is the bot's own."""
    reply = message.reply_to_message
    if reply is None or replies_to_bot(message, bot):
        return None
    if message.quote is not None and message.quote.text.strip():
        return message.quote.text
    draft = reply.text or reply.caption or ""
    return draft if draft.strip() else None


def remove_entities(text: str, entities: Iterable[MessageEntity]) -> str:
    """``text`` without the given entities (offsets are UTF-16, as Telegram counts), tidied."""
    encoded = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        encoded = encoded[: entity.offset * 2] + encoded[(entity.offset + entity.length) * 2 :]
    cleaned = encoded.decode("utf-16-le", errors="ignore")
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    return re.sub(r"^[\s,;:]+", "", cleaned).strip()
