"""The Telegram handlers: python-telegram-bot updates ⇄ :class:`adapters.answering.Answering`.

The adapter only translates. An update becomes an :class:`~adapters.answering.Incoming`
(answered in a worker thread: the core is CPU-bound and must not block the event loop), and
the :class:`~bot.models.Answer` becomes HTML messages (:mod:`adapters.telegram.render`).

Who is asking what:

* private chat: every text message (or caption) is a question; a forwarded message, or
  the message a question replies to, is the draft of the post; a photo, a PDF or a Word
  document is a question by itself («¿Puedo publicar esto?»), with or without a caption;
* groups: the bot speaks only when mentioned (``@username``, removed from the question),
  when the message replies to one of its own messages (a photo too), or on ``/puedo TEXT``
  (``/puedo@username`` too). A mention or ``/puedo`` that replies to someone else's
  message takes that message's text or caption (or the part the user quoted), and its
  photo or document, as the draft; the question is the remaining text or «¿Puedo publicar
  esto?».

Photos and documents (:mod:`adapters.attachments`): a photo's text and faces are read by
the core, a PDF's or a Word document's text becomes the draft; other media (video, audio,
sticker…) get a reply saying what the bot reads. They are downloaded in the worker, after
admission, with ``getFile`` (:mod:`adapters.telegram.files`), and kept in memory only.

Every answer carries 👍/👎 buttons (``fb:up:<ref>``). Each update is answered once, even if
Telegram delivers it again (by ``update_id``, :mod:`bot.idempotency`); each user may ask
``BOT_TELEGRAM_USER_LIMIT_PER_MINUTE`` questions per minute; Telegram's flood limits on what
the bot sends are respected by PTB's ``AIORateLimiter``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, TypeAlias

from telegram import BotCommand, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from adapters.answering import Answering, Incoming, Outcome, apology_text, incident_id, log_incident
from adapters.attachments import Attachment
from adapters.conversations import reset_text
from adapters.telegram.delivery import TypingIndicator, feedback_keyboard, send
from adapters.telegram.events import (
    asker_id,
    bot_mentions,
    conversation_key,
    message_of,
    remove_entities,
    replies_to_bot,
    reply_draft,
    text_of,
)
from adapters.telegram.files import TelegramFiles, attachments_of
from adapters.telegram.render import (
    answer_messages,
    help_message,
    notice_message,
    sources_messages,
    usage_message,
    welcome_message,
)
from adapters.telegram.webhook import webhook_reply
from bot import FeedbackError, Settings, logs

__all__ = ["COMMANDS", "FEEDBACK_DATA", "PLATFORM", "TelegramAdapter", "TelegramApplication"]

log = logging.getLogger("adapters.telegram")

#: The platform name stored with answers and votes in the feedback store.
PLATFORM = "telegram"
#: ``callback_data`` of the feedback buttons: ``fb:up:<ref>`` / ``fb:down:<ref>``.
FEEDBACK_DATA = re.compile(r"^fb:(up|down):([0-9a-f]{1,40})$")
#: The bot's command menu (``setMyCommands``).
COMMANDS = [
    BotCommand("puedo", "Pregunta si puedes publicar algo"),
    BotCommand("nuevo", "Empezar otra pregunta sin tener en cuenta las anteriores"),
    BotCommand("ayuda", "Ejemplos de preguntas"),
    BotCommand("fuentes", "Fuentes que consulto y sus fechas"),
    BotCommand("start", "Qué hago y cómo preguntarme"),
]

TelegramApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


class TelegramAdapter:
    """The handlers. One instance per application."""

    def __init__(self, settings: Settings, answering: Answering) -> None:
        self.settings = settings
        self.answering = answering
        self.service = answering.service
        self.feedback = answering.feedback

    def register(self, application: TelegramApplication) -> None:
        """Add every handler (order matters: commands before free text) and the error handler."""
        new_messages = filters.UpdateType.MESSAGE
        text = filters.TEXT | filters.CAPTION
        attachment = (
            filters.PHOTO
            | filters.Document.ALL
            | filters.VIDEO
            | filters.ANIMATION
            | filters.Sticker.ALL
            | filters.AUDIO
            | filters.VOICE
            | filters.VIDEO_NOTE
        )
        application.add_handler(TypeHandler(Update, self.note_sensitive), group=-1)
        application.add_handlers(
            [
                CommandHandler("start", self.on_start, filters=new_messages),
                CommandHandler(["ayuda", "help"], self.on_help, filters=new_messages),
                CommandHandler("fuentes", self.on_sources, filters=new_messages),
                CommandHandler("puedo", self.on_puedo, filters=new_messages),
                CommandHandler("nuevo", self.on_new, filters=new_messages),
                MessageHandler(new_messages & filters.ChatType.PRIVATE & filters.COMMAND, self.on_unknown_command),
                MessageHandler(new_messages & filters.ChatType.PRIVATE & text & ~filters.COMMAND, self.on_private),
                MessageHandler(new_messages & filters.ChatType.GROUPS & text & ~filters.COMMAND, self.on_group),
                MessageHandler(new_messages & filters.ChatType.PRIVATE & attachment & ~text, self.on_attachment),
                # a photo (without caption) that replies to the bot in a group
                MessageHandler(
                    new_messages & filters.ChatType.GROUPS & attachment & filters.REPLY & ~text, self.on_group
                ),
                CallbackQueryHandler(self.on_feedback, pattern=FEEDBACK_DATA),
                CallbackQueryHandler(self.on_unknown_button),
            ]
        )
        application.add_error_handler(self.on_error)

    async def note_sensitive(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before any handler: what the user sent and who they are may never reach a log."""
        message = update.effective_message
        user = update.effective_user
        chat = update.effective_chat
        reply = message.reply_to_message if message else None
        names = [m.document.file_name for m in (message, reply) if m is not None and m.document is not None]
        logs.sensitive(
            *names,  # a file's name says what (or whom) it is about
            message.text if message else None,
            message.caption if message else None,
            str(user.id) if user else None,
            user.username if user else None,
            user.full_name if user else None,
            str(chat.id) if chat else None,
        )

    async def post_init(self, application: TelegramApplication) -> None:
        """Run by ``run_polling`` and ``serve_webhook`` after ``getMe``: command menu, then warm-up."""
        try:
            await application.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:
            log.warning("Could not set the command menu: %s", exc)
        warm_up = getattr(self.service, "warm_up", None)
        if callable(warm_up):
            log.info("Loading the model and the index…")
            try:
                await asyncio.to_thread(warm_up)
            except Exception:  # boundary: a broken core must not stop the bot; answers apologise
                log.exception("Warm-up failed; questions will be answered with an apology until the core works")

    # ------------------------------------------------------------------ commands

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start``: welcome and how to ask."""
        message = message_of(update)
        await send(message, [welcome_message(context.bot.username, self.settings.contact_unit)])

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/ayuda`` (and ``/help``): examples."""
        await send(message_of(update), [help_message(context.bot.username)])

    async def on_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/fuentes``: the sources of the serving index and their version dates."""
        message = message_of(update)
        try:
            sources = await asyncio.to_thread(self.service.sources)
            texts = sources_messages(sources)
        except Exception as exc:  # boundary: an apology with an incident id, as for answers
            incident = incident_id()
            log_incident("Listing the sources failed", incident, exc)
            texts = [notice_message(apology_text(incident, self.settings.contact_unit))]
        await send(message, texts)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not know, in a private chat: point to the right ones."""
        await send(message_of(update), [usage_message()])

    async def on_new(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/nuevo``: the next question starts a new conversation (nothing earlier is carried)."""
        self.answering.conversations.forget(conversation_key(update))
        await send(message_of(update), [notice_message(reset_text())])

    async def on_puedo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/puedo [TEXT]``, anywhere; as a reply, the replied-to message is the draft."""
        message = message_of(update)
        text = text_of(message)
        entities = (*message.entities, *message.caption_entities)
        command = [e for e in entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0]
        question = remove_entities(text, [*command, *bot_mentions(message, context.bot)])
        draft = reply_draft(message, context.bot)
        files = self._reply_files(message, context)
        if not question and not draft and not files:
            await send(message, [usage_message()])
            return
        await self._ask(update, context, question, draft, files)

    # ---------------------------------------------------------------- free text

    async def on_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a private chat every message is a question (a forwarded one is a draft)."""
        message = message_of(update)
        text = text_of(message)
        files = self._files(message) + self._reply_files(message, context)
        if message.forward_origin is not None:
            await self._ask(update, context, "", text, files)
            return
        question = remove_entities(text, bot_mentions(message, context.bot))
        await self._ask(update, context, question, reply_draft(message, context.bot), files)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group, answer only when mentioned or when the message replies to the bot."""
        message = message_of(update)
        text = text_of(message)
        mentions = bot_mentions(message, context.bot)
        if not mentions and not replies_to_bot(message, context.bot):
            return
        question = remove_entities(text, mentions)
        draft = reply_draft(message, context.bot)
        files = self._files(message) + self._reply_files(message, context)
        if not question and not draft and not files:  # a bare "@bot"
            await send(message, [usage_message()])
            return
        await self._ask(update, context, question, draft, files)

    async def on_attachment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo or file with no caption, in a private chat: it is the draft («¿Puedo publicar esto?»)."""
        message = message_of(update)
        await self._ask(update, context, "", None, self._files(message) + self._reply_files(message, context))

    def _files(self, message: Message) -> tuple[Attachment, ...]:
        return attachments_of(message, self.settings.max_attachment_bytes)

    def _reply_files(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> tuple[Attachment, ...]:
        """The photo or document of the message ``message`` replies to, unless it is the bot's."""
        reply = message.reply_to_message
        if reply is None or replies_to_bot(message, context.bot):
            return ()
        return self._files(reply)

    # ----------------------------------------------------------------- feedback

    async def on_feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A 👍/👎 button: store the vote (user id hashed by the store), thank, update the buttons.

        In a private chat the buttons are removed; in a group they stay, so that other
        members can vote too (each user has one vote per answer, and may change it).
        """
        query = update.callback_query
        match = FEEDBACK_DATA.match(query.data or "") if query is not None else None
        if query is None or match is None:  # the handler's pattern lets only feedback buttons in
            return
        vote, ref = match.group(1), match.group(2)
        try:
            await asyncio.to_thread(
                self.feedback.vote,
                ref,
                PLATFORM,
                str(query.from_user.id),
                "up" if vote == "up" else "down",
            )
        except FeedbackError:
            await query.answer("No he encontrado esa respuesta: ya no se puede valorar.")
            return
        self.answering.metrics.votes.labels(PLATFORM, "up" if vote == "up" else "down").inc()
        await query.answer("¡Gracias por tu opinión!")
        message = query.message
        if message is not None and message.chat.type == ChatType.PRIVATE:
            try:
                await query.edit_message_reply_markup(reply_markup=None)
            except BadRequest as exc:  # already edited (double tap), or too old to edit
                log.debug("Could not remove the feedback buttons: %s", exc)

    async def on_unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer any other button, so the client stops its spinner."""
        if update.callback_query is not None:
            await update.callback_query.answer()

    # ------------------------------------------------------------------- errors

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log any error raised while handling an update (with a reference, without the
        user's text) and, when it makes sense, apologise to the user with that reference."""
        error = context.error
        if error is None:
            return
        incident = incident_id()
        message = update.effective_message if isinstance(update, Update) else None
        user_text = (message.text, message.caption) if message is not None else ()
        log_incident("Error handling a Telegram update", incident, error, user_text)
        unreachable = isinstance(error, Forbidden | RetryAfter | TimedOut) or type(error) is NetworkError
        if message is None or unreachable or (isinstance(update, Update) and update.callback_query is not None):
            return
        try:
            await send(message, [notice_message(apology_text(incident, self.settings.contact_unit))])
        except TelegramError:
            log.warning("Could not send the apology for incident %s", incident)

    # ---------------------------------------------------------------- answering

    async def _ask(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        question: str,
        draft: str | None,
        files: tuple[Attachment, ...] = (),
    ) -> None:
        """Admit (once per ``update_id``, per-user limit, queue bound), then download the
        files and answer, with "escribiendo…" shown meanwhile (in private chats)."""
        message = message_of(update)
        incoming = Incoming(
            platform=PLATFORM,
            kind="group" if message.chat.type != ChatType.PRIVATE else "private",
            user_id=str(asker_id(update)),
            question=question,
            draft=draft,
            delivery_id=f"update:{update.update_id}",
            files=files,
            conversation=conversation_key(update),
            follows=replies_to_bot(message, context.bot),
        )
        refusal = await asyncio.to_thread(self.answering.admit, incoming)
        if refusal is not None:
            slot = webhook_reply()
            if refusal.outcome is Outcome.IN_PROGRESS and slot is not None:
                slot.again = True  # acknowledged now, it would be lost if the copy being answered fails
            if refusal.notice:
                await send(message, [notice_message(refusal.notice)])
            return
        delivered = False
        reply_slot = webhook_reply()
        try:
            fetch = TelegramFiles(context.bot, asyncio.get_running_loop()).fetch
            async with TypingIndicator(context.bot, message):
                reply = await asyncio.to_thread(self.answering.answer, incoming, fetch)
            if reply.answer is not None:
                texts = answer_messages(reply.answer)
                if reply.note:  # some files were left out: say so first
                    texts = [notice_message(reply.note), *texts]
                markup = feedback_keyboard(reply.feedback_ref) if reply.feedback_ref else None
            else:
                texts, markup = [notice_message(reply.notice or "")], None
            await send(message, texts, markup, first_sent=lambda: self.answering.delivered(incoming))
            delivered = True
        finally:
            if delivered and reply_slot is not None and reply_slot.method is not None:
                # The answer goes out with the webhook's reply: settled once that is handed over.
                reply_slot.settle.append(lambda sent: self.answering.finish(incoming, delivered=sent))
            else:
                self.answering.finish(incoming, delivered=delivered)
