"""The Telegram adapter: python-telegram-bot ``Application`` ⇄ :class:`bot.service.Service`.

The adapter only translates. An update becomes ``service.ask(question, draft)`` (in a
worker thread: the core is CPU-bound and must not block the event loop), and the
:class:`~bot.models.Answer` becomes HTML messages (:mod:`adapters.telegram.render`).

Who is asking what:

* private chat: every text message (or caption) is a question; a forwarded message, or
  the message a question replies to, is the draft of the post;
* groups: the bot speaks only when mentioned (``@username``, removed from the question),
  when the message replies to one of its own messages, or on ``/puedo TEXT``
  (``/puedo@username`` too). A mention or ``/puedo`` that replies to someone else's
  message takes that message's text or caption (or the part the user quoted) as the
  draft; the question is the remaining text or «¿Puedo publicar esto?».

Every answer carries 👍/👎 buttons (``fb:up:<ref>``) that vote through
:class:`~bot.feedback.FeedbackStore` (which stores user ids hashed only). Each user may ask
``BOT_TELEGRAM_USER_LIMIT_PER_MINUTE`` questions per minute; Telegram's flood limits on
what the bot sends are respected by PTB's ``AIORateLimiter`` (with retries on
``RetryAfter``).

Failures: a ``QuestionError`` is shown to the user as it is; any other error gets a short
apology with a reference, and the log gets the same reference and the traceback, with the
user's text removed from it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import signal
import sys
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Protocol, TypeAlias
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from adapters.telegram.limits import SlidingWindowLimiter
from adapters.telegram.render import (
    answer_messages,
    apology_message,
    help_message,
    notice_message,
    rate_limited_message,
    sources_messages,
    usage_message,
    welcome_message,
)
from bot import logs
from bot.feedback import FeedbackError, FeedbackStore, feedback_store
from bot.models import DRAFT_QUESTION, Answer
from bot.service import QuestionError, SourceInfo
from bot.settings import Settings, SettingsError, load_settings, secret_values

__all__ = [
    "ALLOWED_UPDATES",
    "PLATFORM",
    "AnswerService",
    "StartupError",
    "TelegramAdapter",
    "TelegramApplication",
    "build_application",
    "check_settings",
    "main",
    "require_token",
    "run",
    "webhook_options",
]

log = logging.getLogger(__name__)

#: The platform name stored with answers and votes in the feedback store.
PLATFORM = "telegram"
#: The question asked when a draft comes without one.
#: Telegram shows "escribiendo…" for about 5 s; it is repeated this often while the core works.
TYPING_INTERVAL = 4.0
#: How many times a request that hit Telegram's flood control (``RetryAfter``) is retried.
FLOOD_RETRIES = 3
#: The only updates the bot asks Telegram for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: ``callback_data`` of the feedback buttons: ``fb:up:<ref>`` / ``fb:down:<ref>``.
FEEDBACK_DATA = re.compile(r"^fb:(up|down):([0-9a-f]{1,40})$")
#: The bot's command menu (``setMyCommands``).
COMMANDS = [
    BotCommand("puedo", "Pregunta si puedes publicar algo"),
    BotCommand("ayuda", "Ejemplos de preguntas"),
    BotCommand("fuentes", "Fuentes que consulto y sus fechas"),
    BotCommand("start", "Qué hago y cómo preguntarme"),
]

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

TelegramApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


class AnswerService(Protocol):
    """What the adapter needs from the core (:class:`bot.service.Service` provides it)."""

    def ask(self, question: str, draft: str | None = None) -> Answer: ...

    def sources(self) -> list[SourceInfo]: ...


class StartupError(Exception):
    """The bot cannot start as configured; the message names the ``BOT_`` setting to fix."""


# --------------------------------------------------------------------------- settings


def require_token(settings: Settings) -> str:
    """The bot token; :class:`StartupError` naming ``BOT_TELEGRAM_TOKEN`` if it is missing."""
    token = (settings.telegram_token or "").strip()
    if not token:
        raise StartupError(
            "Falta BOT_TELEGRAM_TOKEN: crea el bot con @BotFather (/newbot) y pon el token que te da en "
            "la variable de entorno BOT_TELEGRAM_TOKEN (o en el fichero .env)."
        )
    return token


def check_settings(settings: Settings) -> str:
    """Check the Telegram settings before starting; returns the token.

    Raises :class:`StartupError` naming the variable when the token is missing, or when
    webhook mode lacks its public HTTPS URL or its secret token.
    """
    token = require_token(settings)
    if settings.telegram_mode == "webhook":
        url = (settings.telegram_webhook_url or "").strip()
        if not url:
            raise StartupError(
                "BOT_TELEGRAM_MODE=webhook necesita BOT_TELEGRAM_WEBHOOK_URL: la URL pública HTTPS a la que "
                "Telegram enviará las actualizaciones (p. ej. https://bot.ejemplo.es/telegram)."
            )
        if urlsplit(url).scheme != "https":
            raise StartupError(f"BOT_TELEGRAM_WEBHOOK_URL debe empezar por https:// (Telegram lo exige): {url!r}")
        if not settings.telegram_webhook_secret:
            raise StartupError(
                "BOT_TELEGRAM_MODE=webhook necesita BOT_TELEGRAM_WEBHOOK_SECRET: un secreto de 1 a 256 "
                'caracteres A-Z, a-z, 0-9, _ o - (p. ej. python -c "import secrets; '
                'print(secrets.token_urlsafe(32))"). Telegram lo envía en cada petición y el bot rechaza '
                "las que no lo traen."
            )
    return token


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``run_webhook`` / ``Updater.start_webhook`` from the settings.

    The local path served is the path of the public URL (``https://host/telegram`` →
    ``telegram``); a reverse proxy terminates TLS and forwards to ``listen:port``. PTB
    answers 403 to any request without the ``X-Telegram-Bot-Api-Secret-Token`` header.
    """
    url = (settings.telegram_webhook_url or "").strip()
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": urlsplit(url).path.strip("/"),
        "webhook_url": url,
        "secret_token": settings.telegram_webhook_secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def _file_url(api_url: str) -> str:
    """``http://host/bot`` → ``http://host/file/bot`` (Telegram's layout, also the fake's)."""
    root, _, last = api_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


# --------------------------------------------------------------------------- building


def build_application(
    settings: Settings,
    service: AnswerService,
    *,
    feedback: FeedbackStore | None = None,
) -> TelegramApplication:
    """A ready-to-run PTB ``Application`` answering with ``service``.

    ``feedback`` defaults to the store at ``settings.feedback_db``. Updates are handled
    concurrently (one slow answer does not hold up the others) and every Bot API request
    goes through ``AIORateLimiter``, which also retries after a ``RetryAfter``. When the
    application is run with ``run_polling``/``run_webhook`` it first sets the command
    menu and loads the model and the index (``service.warm_up()``, if there is one).

    Raises :class:`StartupError` if ``BOT_TELEGRAM_TOKEN`` is missing.
    """
    token = require_token(settings)
    adapter = TelegramAdapter(
        settings,
        service,
        feedback or feedback_store(settings),
    )
    builder = (
        Application.builder()
        .token(token)
        .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
        .concurrent_updates(True)
        .post_init(adapter.post_init)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url).base_file_url(_file_url(settings.telegram_api_url))
    application: TelegramApplication = builder.build()
    adapter.register(application)
    return application


class TelegramAdapter:
    """The handlers. One instance per application; state (the per-user limit) is in memory."""

    def __init__(self, settings: Settings, service: AnswerService, feedback: FeedbackStore) -> None:
        self.settings = settings
        self.service = service
        self.feedback = feedback
        self.limiter = SlidingWindowLimiter(settings.telegram_user_limit_per_minute, 60.0)

    def register(self, application: TelegramApplication) -> None:
        """Add every handler (order matters: commands before free text) and the error handler."""
        new_messages = filters.UpdateType.MESSAGE
        text = filters.TEXT | filters.CAPTION
        application.add_handler(TypeHandler(Update, self.note_sensitive), group=-1)
        application.add_handlers(
            [
                CommandHandler("start", self.on_start, filters=new_messages),
                CommandHandler(["ayuda", "help"], self.on_help, filters=new_messages),
                CommandHandler("fuentes", self.on_sources, filters=new_messages),
                CommandHandler("puedo", self.on_puedo, filters=new_messages),
                MessageHandler(new_messages & filters.ChatType.PRIVATE & filters.COMMAND, self.on_unknown_command),
                MessageHandler(new_messages & filters.ChatType.PRIVATE & text & ~filters.COMMAND, self.on_private),
                MessageHandler(new_messages & filters.ChatType.GROUPS & text & ~filters.COMMAND, self.on_group),
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
        logs.sensitive(
            message.text if message else None,
            message.caption if message else None,
            str(user.id) if user else None,
            user.username if user else None,
            user.full_name if user else None,
            str(chat.id) if chat else None,
        )

    async def post_init(self, application: TelegramApplication) -> None:
        """Run by ``run_polling``/``run_webhook`` after ``getMe``: command menu, then warm-up."""
        try:
            await application.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:
            log.warning("Could not set the command menu: %s", exc)
        warm_up = getattr(self.service, "warm_up", None)
        if callable(warm_up):
            log.info("Loading the model and the index…")
            try:
                await asyncio.to_thread(warm_up)
            except Exception:
                log.exception("Warm-up failed; questions will be answered with an apology until the core works")

    # ------------------------------------------------------------------ commands

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start``: welcome and how to ask."""
        message = _message(update)
        await _send(message, [welcome_message(context.bot.username, self.settings.contact_unit)])

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/ayuda`` (and ``/help``): examples."""
        await _send(_message(update), [help_message(context.bot.username)])

    async def on_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/fuentes``: the sources of the serving index and their version dates."""
        message = _message(update)
        try:
            sources = await asyncio.to_thread(self.service.sources)
            texts = sources_messages(sources)
        except Exception as exc:
            incident = _incident_id()
            _log_incident("Listing the sources failed", incident, exc, ())
            texts = [apology_message(incident)]
        await _send(message, texts)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not know, in a private chat: point to the right ones."""
        await _send(_message(update), [usage_message()])

    async def on_puedo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/puedo [TEXT]``, anywhere; as a reply, the replied-to message is the draft."""
        message = _message(update)
        text = _text(message)
        entities = (*message.entities, *message.caption_entities)
        command = [e for e in entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0]
        question = _remove_entities(text, [*command, *_bot_mentions(message, context.bot)])
        draft = _reply_draft(message, context.bot)
        if not question and not draft:
            await _send(message, [usage_message()])
            return
        await self._ask(update, context, question, draft)

    # ---------------------------------------------------------------- free text

    async def on_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a private chat every message is a question (a forwarded one is a draft)."""
        message = _message(update)
        text = _text(message)
        if message.forward_origin is not None:
            await self._ask(update, context, "", text)
            return
        question = _remove_entities(text, _bot_mentions(message, context.bot))
        await self._ask(update, context, question, _reply_draft(message, context.bot))

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group, answer only when mentioned or when the message replies to the bot."""
        message = _message(update)
        text = _text(message)
        mentions = _bot_mentions(message, context.bot)
        if not mentions and not _replies_to_bot(message, context.bot):
            return
        question = _remove_entities(text, mentions)
        draft = _reply_draft(message, context.bot)
        if not question and not draft:  # a bare "@bot"
            await _send(message, [usage_message()])
            return
        await self._ask(update, context, question, draft)

    # ----------------------------------------------------------------- feedback

    async def on_feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A 👍/👎 button: store the vote (user id hashed by the store), thank, update the buttons.

        In a private chat the buttons are removed; in a group they stay, so that other
        members can vote too (each user has one vote per answer, and may change it).
        """
        query = update.callback_query
        assert query is not None
        match = FEEDBACK_DATA.match(query.data or "")
        assert match is not None
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
        incident = _incident_id()
        message = update.effective_message if isinstance(update, Update) else None
        user_text = (message.text, message.caption) if message is not None else ()
        update_id = update.update_id if isinstance(update, Update) else None
        _log_incident(f"Error handling Telegram update {update_id}", incident, error, user_text)
        unreachable = isinstance(error, Forbidden | RetryAfter | TimedOut) or type(error) is NetworkError
        if message is None or unreachable or (isinstance(update, Update) and update.callback_query is not None):
            return
        try:
            await _send(message, [apology_message(incident)])
        except TelegramError:
            log.warning("Could not send the apology for incident %s", incident)

    # ---------------------------------------------------------------- answering

    async def _ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, draft: str | None) -> None:
        """Apply the per-user limit, then answer with "escribiendo…" shown meanwhile."""
        message = _message(update)
        if draft and not question.strip():
            question = DRAFT_QUESTION
        decision = self.limiter.check(_asker_id(update))
        if not decision.allowed:
            if decision.notify:
                limit = self.settings.telegram_user_limit_per_minute
                await _send(message, [rate_limited_message(limit, decision.retry_after)])
            return
        async with _TypingIndicator(context.bot, message):
            texts, markup = await self._answer(question, draft)
        await _send(message, texts, markup)

    async def _answer(self, question: str, draft: str | None) -> tuple[list[str], InlineKeyboardMarkup | None]:
        """The messages to send (and the buttons for the last one) for a question."""
        try:
            answer = await asyncio.to_thread(self.service.ask, question, draft)
            texts = answer_messages(answer)
        except QuestionError as exc:
            return [notice_message(str(exc))], None
        except Exception as exc:
            incident = _incident_id()
            _log_incident("The core failed to answer a Telegram question", incident, exc, (question, draft))
            return [apology_message(incident)], None
        try:
            ref = await asyncio.to_thread(self.feedback.remember, PLATFORM, answer)
        except Exception as exc:  # the answer matters more than the buttons
            incident = _incident_id()
            _log_incident("Could not store the answer for feedback", incident, exc, (question, draft))
            return texts, None
        return texts, feedback_keyboard(ref)


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


# ------------------------------------------------------------------------ helpers


class _TypingIndicator:
    """Shows "escribiendo…" in the chat from ``__aenter__`` until ``__aexit__``.

    Telegram clears a chat action after ~5 s or when the bot sends a message, so it is
    repeated every :data:`TYPING_INTERVAL` seconds. On exit the action in flight is
    allowed to finish (briefly) so that it never lands after the answer.
    """

    def __init__(self, bot: Bot, message: Message) -> None:
        self._bot = bot
        self._chat_id = message.chat_id
        self._thread_id = message.message_thread_id if message.is_topic_message else None
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> None:
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


async def _send(message: Message, texts: Sequence[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply to ``message`` with HTML ``texts``: the first part quotes it, the last gets ``markup``."""
    for index, text in enumerate(texts):
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


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None, "handlers are registered for message updates only"
    return message


def _asker_id(update: Update) -> int:
    """Whom the per-user limit counts: the user, else the sending chat (anonymous admins)."""
    if update.effective_user is not None:
        return update.effective_user.id
    message = _message(update)
    return message.sender_chat.id if message.sender_chat is not None else message.chat_id


def _text(message: Message) -> str:
    """The message's text, or its caption (a photo with a question)."""
    return message.text if message.text is not None else message.caption or ""


def _bot_mentions(message: Message, bot: Bot) -> list[MessageEntity]:
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


def _replies_to_bot(message: Message, bot: Bot) -> bool:
    reply = message.reply_to_message
    return reply is not None and reply.from_user is not None and reply.from_user.id == bot.id


def _reply_draft(message: Message, bot: Bot) -> str | None:
    """The draft a message points at: the part quoted from, or the whole of, the message it
    replies to (text or caption), unless that message is the bot's own."""
    reply = message.reply_to_message
    if reply is None or _replies_to_bot(message, bot):
        return None
    if message.quote is not None and message.quote.text.strip():
        return message.quote.text
    draft = reply.text or reply.caption or ""
    return draft if draft.strip() else None


def _remove_entities(text: str, entities: Iterable[MessageEntity]) -> str:
    """``text`` without the given entities (offsets are UTF-16, as Telegram counts), tidied."""
    encoded = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        encoded = encoded[: entity.offset * 2] + encoded[(entity.offset + entity.length) * 2 :]
    cleaned = encoded.decode("utf-16-le", errors="ignore")
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    return re.sub(r"^[\s,;:]+", "", cleaned).strip()


def _incident_id() -> str:
    """A short reference shown to the user and written to the log."""
    return secrets.token_hex(4).upper()


def _log_incident(what: str, incident: str, error: BaseException, user_text: Iterable[str | None]) -> None:
    """Log ``error`` with its traceback and ``incident``, minus the user's text and any secret
    (exception messages can quote their input: see :func:`bot.logs.incident_trace`)."""
    log.error("%s [ref %s]\n%s", what, incident, logs.incident_trace(error, user_text))


# --------------------------------------------------------------------------- running


def run(settings: Settings, service: AnswerService | None = None) -> int:
    """Run the bot until it is stopped (SIGINT/SIGTERM); returns the process exit status.

    Long polling by default; with ``BOT_TELEGRAM_MODE=webhook`` a webhook server on
    ``BOT_TELEGRAM_WEBHOOK_LISTEN:BOT_TELEGRAM_WEBHOOK_PORT`` (behind an HTTPS proxy)
    registered at ``BOT_TELEGRAM_WEBHOOK_URL`` with ``BOT_TELEGRAM_WEBHOOK_SECRET``.
    Configuration problems and a token Telegram rejects give a message naming the
    setting and status 2.
    """
    try:
        check_settings(settings)
    except StartupError as exc:
        print(f"Error de configuración: {exc}", file=sys.stderr)
        return 2
    if service is None:
        from bot.service import Service

        service = Service(settings, notify=lambda text: log.info("%s", text))
    application = build_application(settings, service)
    asyncio.set_event_loop(asyncio.new_event_loop())  # PTB runs on the current loop, and closes it
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    try:
        if settings.telegram_mode == "webhook":
            options = webhook_options(settings)
            log.info(
                "Webhook mode: listening on %s:%s/%s for %s",
                options["listen"],
                options["port"],
                options["url_path"],
                options["webhook_url"],
            )
            application.run_webhook(**options, stop_signals=stop_signals)
        else:
            log.info("Long polling mode")
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals)
    except InvalidToken:
        print(
            "Error de configuración: Telegram no acepta BOT_TELEGRAM_TOKEN (getMe lo rechaza). Copia de nuevo "
            "el token que te dio @BotFather (/mybots → API Token); si lo revocaste, usa el nuevo.",
            file=sys.stderr,
        )
        return 2
    finally:
        asyncio.set_event_loop(None)
    return 0


def main() -> int:
    """``python -m adapters.telegram``: read the ``BOT_`` settings and run the bot."""
    logs.setup_logging(verbose="-v" in sys.argv[1:] or "--verbose" in sys.argv[1:])
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logs.add_secrets(secret_values(settings))
    return run(settings)
