"""Telegram photos and documents → :class:`~adapters.attachments.Attachment` values, and
downloading them.

:func:`attachments_of` describes what a message carries, from the update alone: a photo (of
the sizes Telegram offers, the largest within the size limit), a document (a photo sent as a
file, a PDF, a Word document, or anything else), and the media the bot does not read (video,
animation, audio, voice, video note, sticker). :class:`TelegramFiles` downloads one with
``getFile`` and the file URL (:meth:`telegram.File.download_as_bytearray`), into memory.

The answering layer runs in a worker thread and its fetch is synchronous, while PTB's bot is
bound to the application's event loop: :meth:`TelegramFiles.fetch` schedules the download on
that loop and waits for it, bounded in time. Nothing about a file (name, id, path, which
carries the bot token) is logged; a failure is logged by its exception class only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError

from adapters.attachments import (
    Attachment,
    AttachmentError,
    Kind,
    classify,
    download_failed_text,
    too_big_text,
)

__all__ = ["DOWNLOAD_SECONDS", "TelegramFiles", "attachments_of"]

log = logging.getLogger("adapters.telegram")

#: The longest a file's download may take, ``getFile`` included.
DOWNLOAD_SECONDS = 30.0


def attachments_of(message: Message, max_bytes: int) -> tuple[Attachment, ...]:
    """What ``message`` carries besides its text (nothing downloaded)."""
    found: list[Attachment] = []
    if message.photo:
        # Sizes come smallest first; a size Telegram did not weigh is taken to fit.
        fitting = [p for p in message.photo if p.file_size is None or p.file_size <= max_bytes]
        photo = fitting[-1] if fitting else message.photo[0]  # none fits: the smallest, refused by its size
        found.append(Attachment(Kind.IMAGE, photo.file_id, photo.file_size))
    document = message.document
    if document is not None:
        found.append(Attachment(classify(document.mime_type, document.file_name), document.file_id, document.file_size))
    for media in (message.video, message.animation, message.audio, message.voice, message.video_note, message.sticker):
        if media is not None:
            found.append(Attachment(Kind.OTHER, media.file_id, media.file_size))
    return tuple(found)


class TelegramFiles:
    """Downloads the files of questions with ``bot``, on the application's ``loop``
    (an :data:`~adapters.attachments.Fetch`, to be called from a worker thread)."""

    def __init__(self, bot: Bot, loop: asyncio.AbstractEventLoop, *, timeout: float = DOWNLOAD_SECONDS) -> None:
        self.bot = bot
        self.loop = loop
        self.timeout = timeout

    def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """``getFile``, then the file itself; at most ``max_bytes``."""
        future = asyncio.run_coroutine_threadsafe(self.download(attachment, max_bytes), self.loop)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            log.warning("A Telegram file took more than %.0f s to download", self.timeout)
            raise AttachmentError(download_failed_text()) from None

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The file's bytes (runs on the bot's loop)."""
        try:
            file = await self.bot.get_file(attachment.ref, read_timeout=self.timeout)
            if file.file_size is not None and file.file_size > max_bytes:
                raise AttachmentError(too_big_text(file.file_size, max_bytes))
            data = bytes(await file.download_as_bytearray(read_timeout=self.timeout))
        except BadRequest as exc:
            if "too big" in exc.message.lower():  # over the Bot API's own 20 MB
                raise AttachmentError(too_big_text(None, max_bytes)) from None
            log.warning("Telegram refused a file: %s", type(exc).__name__)
            raise AttachmentError(download_failed_text()) from None
        except TelegramError as exc:
            log.warning("Could not download a Telegram file: %s", type(exc).__name__)
            raise AttachmentError(download_failed_text()) from None
        if len(data) > max_bytes:
            raise AttachmentError(too_big_text(len(data), max_bytes))
        return data
