"""The answering layer both chat adapters share.

An adapter turns a platform event into an :class:`Incoming` and an :class:`Reply` into
platform messages; everything in between lives here, the same for Slack and Telegram:

1. :meth:`Answering.admit`, at acknowledgement time: drop a delivery already answered or being
   answered (:mod:`bot.idempotency`), reply to a message with nothing the bot can read (no
   text, only a video or a sticker…), apply the per-user limit and the bound on questions
   waiting. ``None`` means "admitted": the caller must then call :meth:`Answering.answer` and,
   once the messages are out, :meth:`Answering.finish`.
2. :meth:`Answering.answer`: download and read the photos and documents that came with the
   question (:mod:`adapters.attachments`, with the adapter's fetch: photos go to the core as
   images, a PDF's or a Word document's text becomes the draft), then ask the core; a file it
   cannot use, or a :class:`~bot.service.QuestionError` (an unreadable photo…), becomes a
   notice for the user, any other failure an apology with an incident id that is also in the
   log (with the user's text removed, :func:`bot.logs.incident_trace`); the answer is
   remembered for 👍/👎 (:class:`~bot.feedback.FeedbackStore`, private by default).
3. :meth:`Answering.finish`: mark the delivery answered, or give it back for a retry if
   nothing reached the user.

User-facing texts are plain Spanish; each adapter escapes them for its markup.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Protocol

from adapters.attachments import Attachment, AttachmentError, Contents, Fetch, load, skipped_note, unsupported_text
from adapters.conversations import ConversationMemory, reset_text
from adapters.limits import SlidingWindowLimiter
from adapters.ops import Metrics
from bot import (
    DRAFT_QUESTION,
    Answer,
    Claim,
    Context,
    FeedbackStore,
    IdempotencyStore,
    QuestionError,
    Settings,
    SourceInfo,
    feedback_store,
    follows_up,
    idempotency_store,
    is_reset,
    logs,
)

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "AnswerService",
    "Answering",
    "Incoming",
    "Outcome",
    "Reply",
    "answering_for",
    "apology_text",
    "busy_text",
    "incident_id",
    "log_incident",
    "needs_text",
    "rate_limited_text",
]

log = logging.getLogger("adapters.answering")

#: Default of ``BOT_MAX_ATTACHMENT_BYTES``: photos and files larger than this are not downloaded.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class AnswerService(Protocol):
    """What the adapters need from the core (:class:`bot.service.Service`)."""

    def ask(
        self,
        question: str,
        draft: str | None = None,
        *,
        images: Sequence[bytes] = (),
        context: Context | None = None,
    ) -> Answer: ...

    def sources(self) -> list[SourceInfo]: ...


@dataclass(frozen=True)
class Incoming:
    """One question from a chat platform, whatever the platform.

    ``delivery_id`` identifies the delivery (Slack ``event_id`` or ``trigger_id``, Telegram
    ``update_id``) so that a redelivery is answered once; ``user_id`` is only used for the
    per-user limit and, hashed, for feedback. Neither is ever logged.

    ``files`` are the photos and files that came with it, as the platform described them
    (nothing downloaded yet); :meth:`Answering.answer` reads them into ``images`` (the photos'
    bytes, for the core) and the draft (a document's text).

    ``conversation`` names the conversation it belongs to (a Slack DM or thread, a Telegram
    chat), so that a follow-up is read with what came before (:mod:`adapters.conversations`);
    ``follows`` says it certainly continues it (a reply in a thread, a reply to the bot's
    answer), otherwise only a message that reads as a follow-up does (:func:`bot.follows_up`).
    """

    platform: str
    kind: str  # where it came from: "dm", "mention", "command", "shortcut", "private", "group"…
    user_id: str
    question: str
    draft: str | None = None
    delivery_id: str | None = None
    files: tuple[Attachment, ...] = ()
    images: tuple[bytes, ...] = field(default=(), repr=False)
    conversation: str | None = None
    follows: bool = False

    @property
    def attachment(self) -> bool:
        """A photo or file came with it."""
        return bool(self.files)

    @property
    def empty(self) -> bool:
        """Nothing to ask about: no text, no photo, no file the bot can read."""
        return (
            not self.question.strip()
            and not (self.draft or "").strip()
            and not self.images
            and not any(f.readable for f in self.files)
        )

    def with_contents(self, contents: Contents) -> Incoming:
        """This question with what was read from its files: the photos, and documents' text
        after the draft it had (the files themselves are then done with)."""
        draft = "\n\n".join(part for part in (self.draft, contents.text) if part and part.strip()) or None
        return replace(self, draft=draft, images=self.images + contents.images, files=())

    @property
    def key(self) -> str | None:
        return f"{self.platform}:{self.delivery_id}" if self.delivery_id else None


class Outcome(Enum):
    """What became of an :class:`Incoming`."""

    ANSWERED = "answered"
    USER_ERROR = "user_error"  # the core's QuestionError, or a file it cannot use: the notice says what to change
    APOLOGY = "apology"  # the core failed: the notice carries an incident id
    NEEDS_TEXT = "needs_text"  # only files the bot cannot read (a video, a sticker…), and no text
    RATE_LIMITED = "rate_limited"  # too many questions from this user in the last minute
    BUSY = "busy"  # too many questions waiting
    DUPLICATE = "duplicate"  # a redelivery of something already answered
    IN_PROGRESS = "in_progress"  # a redelivery of something still being answered (it may yet fail)
    RESET = "reset"  # «nueva pregunta», «/nuevo»: the conversation starts over


@dataclass(frozen=True)
class Reply:
    """What to tell the user: an :class:`~bot.models.Answer` or a plain-text ``notice``.

    ``notify`` is False when the user should hear nothing (a duplicate, or a repeated
    rate-limit notice within the same minute). ``note`` goes with an answer that left some of
    the files out (:func:`adapters.attachments.skipped_note`), shown before it.
    """

    outcome: Outcome
    answer: Answer | None = None
    feedback_ref: str | None = None
    notice: str | None = None
    incident: str | None = None
    note: str | None = None

    @property
    def notify(self) -> bool:
        return self.answer is not None or self.notice is not None


def incident_id() -> str:
    """The reference an apology shows and the log records: 8 upper-case hex digits."""
    return secrets.token_hex(4).upper()


def log_incident(what: str, incident: str, error: BaseException, user_text: Iterable[str | None] = ()) -> None:
    """Log ``error`` with its traceback and ``incident``, minus the user's text and any secret."""
    log.error("%s [ref %s]\n%s", what, incident, logs.incident_trace(error, user_text))


def apology_text(incident: str, contact_unit: str) -> str:
    return (
        "😔 Lo siento: ahora mismo no he podido responderte por un error interno. Vuelve a intentarlo en unos "
        f"minutos; si se repite, avisa a {contact_unit} con esta referencia: {incident}"
    )


def rate_limited_text(limit: int, retry_after: float) -> str:
    seconds = max(int(retry_after + 0.999), 1)
    return (
        f"🙏 Has hecho {limit} consultas en el último minuto. Para que el servicio llegue a todo el mundo, "
        f"espera unos {seconds} segundos y vuelve a preguntarme."
    )


def busy_text() -> str:
    return "⏳ Ahora mismo hay mucha demanda: vuelve a preguntarme en un momento, por favor."


def needs_text() -> str:
    """The reply to files the bot cannot read (a video, a sticker…) that came without any text."""
    return unsupported_text()


class Answering:
    """Admission, answering and exactly-once bookkeeping for one adapter process."""

    def __init__(
        self,
        platform: str,
        service: AnswerService,
        feedback: FeedbackStore,
        idempotency: IdempotencyStore,
        *,
        contact_unit: str,
        user_limit_per_minute: int,
        max_pending: int,
        metrics: Metrics | None = None,
        max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
        conversations: ConversationMemory | None = None,
    ) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.conversations = conversations or ConversationMemory()
        self.max_attachment_bytes = max_attachment_bytes
        self.platform = platform
        self.service = service
        self.feedback = feedback
        self.idempotency = idempotency
        self.contact_unit = contact_unit
        self.user_limit = user_limit_per_minute
        self.max_pending = max_pending
        self.limiter = SlidingWindowLimiter(user_limit_per_minute, 60.0)
        self._pending = 0
        self._lock = threading.Lock()
        # Keys of admitted questions whose claim was taken over from a process that died, and
        # keys already recorded as delivered (so that finish() writes nothing more).
        self._taken_over: set[str] = set()
        self._completed: set[str] = set()
        self.metrics = metrics or Metrics()
        self.metrics.watch_pending(platform, lambda: self._pending)

    @property
    def pending(self) -> int:
        """Questions admitted and not yet finished."""
        return self._pending

    def admit(self, incoming: Incoming) -> Reply | None:
        """Decide at acknowledgement time; ``None``: admitted (then :meth:`answer`, :meth:`finish`)."""
        reply = self._admit(incoming)
        if reply is not None:
            self.metrics.rejected.labels(self.platform, reply.outcome.name.lower()).inc()
        return reply

    def _admit(self, incoming: Incoming) -> Reply | None:
        key = incoming.key
        if key is not None:
            claim = self.idempotency.claim(key)
            if claim is Claim.IN_PROGRESS:
                return Reply(Outcome.IN_PROGRESS)
            if not claim.granted:
                return Reply(Outcome.DUPLICATE)
            if claim is Claim.RECLAIMED:
                with self._lock:
                    self._taken_over.add(key)
        if incoming.empty and incoming.attachment:
            self._settle(key, delivered=True)
            return Reply(Outcome.NEEDS_TEXT, notice=needs_text())
        decision = self.limiter.check(incoming.user_id)
        if not decision.allowed:
            self._settle(key, delivered=True)
            notice = rate_limited_text(self.user_limit, decision.retry_after) if decision.notify else None
            return Reply(Outcome.RATE_LIMITED, notice=notice)
        with self._lock:
            if self._pending >= self.max_pending:
                busy = True
            else:
                busy = False
                self._pending += 1
        if busy:
            self._settle(key, delivered=True)
            return Reply(Outcome.BUSY, notice=busy_text())
        return None

    def answer(self, incoming: Incoming, fetch: Fetch | None = None) -> Reply:
        """Read the question's files with ``fetch``, then ask the core, for an admitted question
        (blocking, downloads included: run it in a worker thread)."""
        if incoming.empty and incoming.files:  # only files it cannot read (a thread's first message…)
            return Reply(Outcome.NEEDS_TEXT, notice=needs_text())
        if incoming.conversation and not incoming.draft and not incoming.files and is_reset(incoming.question):
            self.conversations.forget(incoming.conversation)
            return Reply(Outcome.RESET, notice=reset_text())
        note = skipped_note(incoming.files)
        if any(f.readable for f in incoming.files):
            if fetch is None:
                raise ValueError("a question with files to read needs the adapter's fetch")
            try:
                contents = load(incoming.files, fetch, self.max_attachment_bytes)
            except AttachmentError as exc:
                self.metrics.failed.labels(self.platform, "attachment").inc()
                return Reply(Outcome.USER_ERROR, notice=str(exc))
            logs.sensitive(contents.text)  # a document's text is the user's, like a draft
            incoming = incoming.with_contents(contents)
        reply = self._ask(incoming)
        return replace(reply, note=note) if reply.answer is not None else reply

    def _context(self, incoming: Incoming) -> Context | None:
        """The earlier turns this question follows, if it follows any (see :class:`Incoming`).
        A photo or a draft sent with no words of its own is a new post to check, not a follow-up."""
        if not incoming.conversation or not incoming.question.strip():
            return None
        if not (incoming.follows or (not incoming.draft and not incoming.files and follows_up(incoming.question))):
            return None
        return self.conversations.get(incoming.conversation, replying=incoming.follows)

    def _ask(self, incoming: Incoming) -> Reply:
        question, draft = incoming.question, incoming.draft
        if draft and not question.strip():
            question = DRAFT_QUESTION
        context = self._context(incoming)
        try:
            # Only what applies: a text-only service (a test's, a benchmark's) keeps working.
            extra: dict[str, Any] = {}
            if incoming.images:
                extra["images"] = incoming.images
            if context is not None:
                extra["context"] = context
            answer = self.service.ask(question, draft, **extra)
        except QuestionError as exc:
            self.metrics.failed.labels(self.platform, "user_error").inc()
            return Reply(Outcome.USER_ERROR, notice=str(exc))
        except Exception as exc:  # boundary: whatever the core raises, the user gets an apology with a reference
            incident = incident_id()
            log_incident(
                f"{self.platform} {incoming.kind}: the core failed to answer", incident, exc, (question, draft)
            )
            self.metrics.failed.labels(self.platform, "apology").inc()
            return Reply(Outcome.APOLOGY, notice=apology_text(incident, self.contact_unit), incident=incident)
        logs.sensitive(*(seen.text for seen in answer.images))  # what the photos say is the user's too
        if incoming.conversation:
            self.conversations.put(incoming.conversation, answer.context)
        self.metrics.observe_answer(self.platform, answer)
        try:
            ref: str | None = self.feedback.remember(self.platform, answer)
        except Exception as exc:  # boundary: whatever fails (SQLite, disk, a bug) costs the 👍/👎, never the answer
            log_incident(
                f"{self.platform} {incoming.kind}: could not store the answer for feedback",
                incident_id(),
                exc,
                (question, draft),
            )
            ref = None
        return Reply(Outcome.ANSWERED, answer=answer, feedback_ref=ref)

    def taken_over(self, incoming: Incoming) -> bool:
        """Whether this admitted question was claimed before by a process that died: that
        process may have sent (part of) the answer already, so the adapter should look."""
        with self._lock:
            return incoming.key in self._taken_over

    def delivered(self, incoming: Incoming) -> None:
        """The answer's first message reached the user: later copies are dropped from now on,
        even if the rest of the answer is still being sent (then :meth:`finish` as usual)."""
        key = incoming.key
        if key is None:
            return
        with self._lock:
            if key in self._completed:
                return
            self._completed.add(key)
        self._settle(key, delivered=True)

    def finish(self, incoming: Incoming, *, delivered: bool) -> None:
        """After :meth:`admit` said ``None``: the reply reached the user (or could not)."""
        key = incoming.key
        with self._lock:
            self._pending = max(self._pending - 1, 0)
            self._taken_over.discard(key or "")
            recorded = key in self._completed
            self._completed.discard(key or "")
        if not recorded:
            self._settle(key, delivered=delivered)

    def _settle(self, key: str | None, *, delivered: bool) -> None:
        if key is None:
            return
        try:
            if delivered:
                self.idempotency.complete(key)
            else:
                self.idempotency.release(key)
        except sqlite3.Error:  # locked or unwritable: a redelivery may be answered twice, nothing worse
            log.exception("Could not record a delivery in the idempotency store")


def answering_for(
    platform: str,
    service: AnswerService,
    settings: Settings,
    *,
    user_limit_per_minute: int,
    feedback: FeedbackStore | None = None,
    idempotency: IdempotencyStore | None = None,
    metrics: Metrics | None = None,
) -> Answering:
    """The :class:`Answering` of an adapter process; the stores default to the data dir's,
    ``metrics`` to a registry of its own."""
    return Answering(
        platform,
        service,
        feedback or feedback_store(settings),
        idempotency or idempotency_store(settings),
        contact_unit=settings.contact_unit,
        user_limit_per_minute=user_limit_per_minute,
        max_pending=settings.max_pending_questions,
        metrics=metrics,
        max_attachment_bytes=settings.max_attachment_bytes,
        conversations=ConversationMemory(settings.conversation_minutes * 60.0),
    )
