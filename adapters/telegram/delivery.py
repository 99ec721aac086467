"""Sending to Telegram: the HTML replies, the 👍/👎 buttons and "escribiendo…" meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError

from adapters.telegram.webhook import webhook_reply

__all__ = ["TYPING_INTERVAL", "TypingIndicator", "feedback_keyboard", "send"]

log = logging.getLogger("adapters.telegram")

#: Telegram shows "escribiendo…" for about 5 s; it is repeated this often while the core works.
TYPING_INTERVAL = 4.0

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def feedback_keyboard(ref: str) -> InlineKeyboardMarkup:
    """The 👍/👎 buttons for the answer stored as ``ref``."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍 Útil", callback_data=f"fb:up:{ref}"),
                InlineKeyboardButton("👎 No me sirve", callback_data=f"fb:down:{ref}"),
            ]
        ]
    )


class TypingIndicator:
    """Shows "escribiendo…" in the chat from ``__aenter__`` until ``__aexit__``.

    Telegram clears a chat action after ~5 s or when the bot sends a message, so it is
    repeated every :data:`TYPING_INTERVAL` seconds. On exit the action in flight is
    allowed to finish (briefly) so that it never lands after the answer.

    Only in private chats: in a group every chat action counts against the bot's 20 requests
    a minute there, and the answers need them all.
    """

    def __init__(self, bot: Bot, message: Message) -> None:
        self._bot = bot
        self._chat_id = message.chat_id
        self._thread_id = message.message_thread_id if message.is_topic_message else None
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

        self._enabled = message.chat.type == ChatType.PRIVATE

    async def __aenter__(self) -> None:
        if self._enabled:
            self._task = asyncio.create_task(self._keep_typing())

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        if self._task is None:
            return
        finished, _ = await asyncio.wait({self._task}, timeout=1.0)
        if not finished:
            self._task.cancel()

    async def _keep_typing(self) -> None:
        while not self._done.is_set():
            try:
                await self._bot.send_chat_action(self._chat_id, ChatAction.TYPING, message_thread_id=self._thread_id)
            except TelegramError as error:
                log.debug("Chat action failed: %s", error)
            try:
                await asyncio.wait_for(self._done.wait(), TYPING_INTERVAL)
            except TimeoutError:
                continue


async def send(
    message: Message,
    texts: Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
    *,
    first_sent: Callable[[], None] | None = None,
) -> None:
    """Reply to ``message`` with HTML ``texts``: the first part quotes it, the last gets ``markup``.

    In webhook mode a reply of one message goes out with the acknowledgement of the update
    (:mod:`adapters.telegram.webhook`), so that it is sent once even if the process dies.
    A reply of several messages goes through the Bot API, and ``first_sent`` (blocking: it runs
    in a thread) is called as soon as the first is out, so that the delivery is recorded then.
    """
    reply = webhook_reply()
    if len(texts) == 1 and reply is not None and reply.put("sendMessage", _send_params(message, texts[0], markup)):
        return
    for index, text in enumerate(texts):
        if index == 1 and first_sent is not None:
            await asyncio.to_thread(first_sent)
        await message.reply_text(
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=_NO_PREVIEW,
            reply_markup=markup if index == len(texts) - 1 else None,
            reply_parameters=(
                ReplyParameters(message.message_id, allow_sending_without_reply=True) if index == 0 else None
            ),
            do_quote=False,
        )


def _send_params(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    """``sendMessage``'s parameters for what :func:`send` sends as a single reply."""
    params: dict[str, Any] = {
        "chat_id": message.chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML.value,
        "link_preview_options": _NO_PREVIEW.to_dict(),
        "reply_parameters": ReplyParameters(message.message_id, allow_sending_without_reply=True).to_dict(),
    }
    if message.is_topic_message and message.message_thread_id is not None:
        params["message_thread_id"] = message.message_thread_id
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return params
