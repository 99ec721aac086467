"""The Slack adapter: a slack-bolt :class:`~slack_bolt.App` whose listeners turn Slack events into
questions for :class:`adapters.answering.Answering` and answers into Slack messages.

Where people ask, and where the answer goes:

* **Direct message** to the bot → answered in the DM (in the thread, if they wrote in one).
* **Mention** in a channel (``@Puedo publicar ¿…?``) → answered in the mention's thread;
  later mentions in that thread are answered there too. A bare mention inside a thread
  reviews the thread's first message (its text and its files) as the draft.
* **/puedopublicar TEXTO** → a private (ephemeral) answer with a "Compartir en el canal"
  button; ``/puedopublicar ayuda`` (or no text) shows the help.

Every answer shows its summary with a "Ver fundamentos" button (:mod:`adapters.slack.details`):
the fundamentos go to the answer's thread, or to a modal for a private answer.
* **Message shortcut** "¿Puedo publicar esto?" (``puedo_publicar_shortcut``) → the message
  becomes the draft; the answer is sent privately, in a DM from the bot.
* **App Home** → what the bot does, examples and the sources with their version dates.

Photos and files: a photo in any of these messages is read by the core (its text and its
faces), a PDF's or a Word document's text becomes the draft (:mod:`adapters.attachments`);
they are downloaded in the worker, never in the acknowledgement, with ``files.info`` and the
file's ``url_private`` (:mod:`adapters.slack.files`, the ``files:read`` scope), and kept in
memory only.

Timing: Slack needs an acknowledgement within 3 s. The app runs with
``process_before_response=True``. Each ``ack`` function decides at once
(:meth:`~adapters.answering.Answering.admit`: a redelivery, the per-user limit, too many
questions waiting); the ⏳ reaction and any notice go out from a small pool of their own, so
the user sees ⏳ even while the question waits. Answers are computed in a pool of
:data:`ANSWER_THREADS` threads. For a message or a mention (the events Slack redelivers) the
acknowledgement waits for the answer to be out, up to :data:`ACK_WAIT` seconds: a process
that dies while answering has not acknowledged, so Slack sends the event again and another
replica answers it. Only an answer slower than that is acknowledged before it is out.
Slash commands and shortcuts, which Slack never redelivers, are acknowledged at once and
answered by *lazy listeners* in the same pool.

Exactly once: every event, slash command and shortcut is claimed by its delivery id in the
shared :mod:`bot.idempotency` store, so a Slack retry of a question nobody answered is
answered, and a retry or replay of one already answered (by any process) is dropped. A retry
whose claim is taken over from a process that died first looks for that process's reply in
the conversation (every reply carries its event in the message metadata,
:func:`~adapters.slack.delivery.answered_before`): the reply it posted just before dying, not
yet recorded, is not posted again.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field, replace
from http.client import HTTPException
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.answering import Answering, Incoming, Outcome, Reply, apology_text, incident_id, log_incident
from adapters.attachments import Attachment
from adapters.slack.delivery import (
    CANNOT_POST_ERRORS,
    MAX_RESPONSE_URL_MESSAGES,
    Post,
    Thinking,
    answered_before,
    fallback_text,
    post_ephemeral,
    post_quietly,
    post_to,
    respond_quietly,
    update_then_post,
)
from adapters.slack.details import SlackDetails
from adapters.slack.events import (
    HELP_WORDS,
    PLATFORM,
    command_incoming,
    command_text,
    event_incoming,
    is_dm_question,
    is_mention_question,
    user_strings,
)
from adapters.slack.feedback import SlackFeedback
from adapters.slack.files import SlackFiles, attachments_of, user_file_strings
from adapters.slack.mrkdwn import escape, to_plain, truncate
from adapters.slack.render import (
    ACTION_SHARE,
    answer_blocks,
    answer_text,
    cap_messages,
    notice_blocks,
    review_intro,
    shared_intro,
)
from adapters.slack.state import LRUCache
from adapters.slack.views import help_blocks, home_view
from bot import Answer, FeedbackStore, PuedoPublicarError, Settings, logs

__all__ = ["ACK_WAIT", "ANSWER_THREADS", "COMMAND", "PLATFORM", "SHORTCUT_CALLBACK", "SlackBot"]

log = logging.getLogger("adapters.slack")

COMMAND = "/puedopublicar"
SHORTCUT_CALLBACK = "puedo_publicar_shortcut"
#: Threads computing answers (the core is thread-safe; acknowledgements never use them).
ANSWER_THREADS = 4
#: Answers kept in memory for "Ver fundamentos" and "Compartir en el canal" (ref → Answer).
KEPT_ANSWERS = 1000
#: Seconds an event's acknowledgement waits for its answer to be out (Slack allows 3).
ACK_WAIT = 2.0
#: The key an ``ack`` function leaves in the Bolt context for its lazy function.
ADMITTED = "puedo_admitted"


def _ack_only(ack: Ack) -> None:
    ack()


def _log_failure(future: Future[Any]) -> None:
    """An answer's worker failed outside the answering layer's own boundary (a bug)."""
    error = future.exception()
    if error is not None:
        log_incident("Slack: answering failed", incident_id(), error)


@dataclass
class SlackBot:
    """The listeners of the app; one instance per :func:`create_app`."""

    settings: Settings
    answering: Answering
    bot_user_id: str
    client: WebClient
    answers: LRUCache[str, Answer] = field(default_factory=lambda: LRUCache(KEPT_ANSWERS))
    # For calls that must not wait behind answers: ⏳, notices, views.open (trigger_id lasts 3 s).
    urgent: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="slack-urgent"))
    # Where answers are computed (the Bolt app's listener executor).
    workers: Executor = field(
        default_factory=lambda: ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="slack-answer")
    )

    def __post_init__(self) -> None:
        self.thinking = Thinking(self.client, self.urgent)
        self.files = SlackFiles(self.client)

    @property
    def feedback(self) -> FeedbackStore:
        return self.answering.feedback

    def register(self, app: App) -> None:
        """Attach the middleware and every listener to ``app``."""
        app.use(self.screen_request)
        app.event("message", matchers=[is_dm_question])(self.ack_dm)
        app.event("message")(_ack_only)  # channel messages, edits, bot messages: acknowledged, ignored
        app.event("app_mention", matchers=[is_mention_question])(self.ack_mention)
        app.event("app_mention")(_ack_only)
        app.event("app_home_opened")(ack=_ack_only, lazy=[self.on_home_opened])
        app.command(COMMAND)(ack=self.ack_command, lazy=[self.on_command])
        app.action(ACTION_SHARE)(ack=_ack_only, lazy=[self.on_share])
        app.shortcut(SHORTCUT_CALLBACK)(ack=self.ack_shortcut, lazy=[self.on_message_shortcut])
        SlackFeedback(self.feedback, self.urgent, self.answering.metrics).register(app)
        SlackDetails(self.answers, self.answering.idempotency, self.urgent).register(app)

    def screen_request(self, req: BoltRequest, resp: BoltResponse, next_: Any) -> BoltResponse:
        """Before any listener: nothing the user sent may reach a log (:mod:`bot.logs`). Retries
        and redeliveries go on to the listeners, whose admission drops what was answered."""
        logs.sensitive(*user_strings(req.body))
        return next_()

    # ------------------------------------------------------- conversations

    def ack_dm(
        self, ack: Ack, event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """A DM question: admitted, answered, then acknowledged (see :data:`ACK_WAIT`)."""
        if self._admit_event("dm", event, body, client, thread=event.get("thread_ts")):
            context[ADMITTED] = True
            self._answer_then_ack(self.on_direct_message, event, body, client, context)
        ack()

    def ack_mention(
        self, ack: Ack, event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """A mention: admitted, answered in its thread, then acknowledged (see :data:`ACK_WAIT`)."""
        thread = event.get("thread_ts") or event.get("ts")
        if self._admit_event("mention", event, body, client, thread=thread):
            context[ADMITTED] = True
            self._answer_then_ack(self.on_mention, event, body, client, context)
        ack()

    def _answer_then_ack(self, listener: Any, *args: Any) -> None:
        """Answer in the pool; wait until the answer is out, or :data:`ACK_WAIT` seconds."""
        future = self.workers.submit(listener, *args)
        future.add_done_callback(_log_failure)
        wait_for([future], timeout=ACK_WAIT)

    def _admit_event(
        self, kind: str, event: dict[str, Any], body: dict[str, Any], client: WebClient, thread: Any
    ) -> bool:
        """Whether the event is to be answered; otherwise its notice (if any) is on its way."""
        incoming = event_incoming(kind, event, body, self.bot_user_id)
        reply = self.answering.admit(incoming)
        channel, ts = str(event["channel"]), str(event["ts"])
        if reply is None:
            self.thinking.start(channel, ts)
            return True
        if reply.notice:
            message = escape(reply.notice)
            self.urgent.submit(post_quietly, post_to(client, channel, thread), kind, message, notice_blocks(message))
        return False

    def on_direct_message(
        self, event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """A DM: every message is a question, answered in the DM."""
        if not context.get(ADMITTED):
            return
        incoming = event_incoming("dm", event, body, self.bot_user_id)
        self._converse(incoming, client, event, event.get("thread_ts"))

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """A mention in a channel: answered in the mention's thread."""
        if not context.get(ADMITTED):
            return
        channel, ts = str(event["channel"]), str(event["ts"])
        parent = event.get("thread_ts")
        incoming = event_incoming("mention", event, body, self.bot_user_id)
        intro = None
        if incoming.empty and not incoming.files and parent and parent != ts:
            root = self._thread_root(client, channel, str(parent))
            if root is not None:
                text, files = root
                # A review of the thread's first message: a request of its own, not a follow-up.
                incoming = replace(incoming, question="", draft=text or None, files=files, follows=False)
                intro = review_intro(text) if text else None
        self._converse(incoming, client, event, parent or ts, intro=intro)

    def _converse(
        self, incoming: Incoming, client: WebClient, event: dict[str, Any], thread: Any, *, intro: str | None = None
    ) -> None:
        """Answer ``event`` in ``channel`` (in ``thread``'s thread if given), once."""
        channel, ts = str(event["channel"]), str(event["ts"])
        delivered = False
        try:
            if (
                incoming.delivery_id
                and self.answering.taken_over(incoming)
                and answered_before(client, channel, thread, ts, incoming.delivery_id)
            ):
                log.info("Slack %s: already answered by a process that stopped; not answered again", incoming.kind)
                delivered = True
                return
            post = post_to(client, channel, thread, delivery_id=incoming.delivery_id)
            delivered = self._deliver(incoming, self.answering.answer(incoming, self.files.fetch), post, intro=intro)
        finally:
            self.answering.finish(incoming, delivered=delivered)
            self.thinking.stop(channel, ts)

    def ack_command(self, ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """Acknowledge ``/puedopublicar`` at once: "Pensando…", or why it will not be answered."""
        text = command_text(command, self.bot_user_id)
        if text.strip().lower() in HELP_WORDS:
            ack()
            return
        reply = self.answering.admit(command_incoming(command, self.bot_user_id))
        if reply is None:
            context[ADMITTED] = True
            ack(text=f"⏳ Pensando… «{escape(truncate(' '.join(text.split()), 200))}»", response_type="ephemeral")
        elif reply.notice:
            ack(text=escape(reply.notice), response_type="ephemeral")
        else:
            ack()

    def on_command(self, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """``/puedopublicar``: help, or a private answer that can be shared in the channel."""
        if command_text(command, self.bot_user_id).strip().lower() in HELP_WORDS:
            respond_quietly(respond, "Puedo publicar: ayuda", help_blocks(self._sources(), self.settings.contact_unit))
            return
        if not context.get(ADMITTED):
            return
        incoming = command_incoming(command, self.bot_user_id)
        delivered = False
        try:
            reply = self.answering.answer(incoming)
            delivered = self._deliver(
                incoming, reply, post_ephemeral(respond), share=True, max_messages=MAX_RESPONSE_URL_MESSAGES
            )
        finally:
            self.answering.finish(incoming, delivered=delivered)

    def ack_shortcut(self, ack: Ack, shortcut: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        incoming = self._shortcut_incoming(shortcut)
        ack()
        if not incoming.draft and not incoming.files:
            self.urgent.submit(respond_quietly, respond, "Ese mensaje no tiene texto ni archivos que pueda revisar.")
            return
        reply = self.answering.admit(incoming)
        if reply is None:
            context[ADMITTED] = True
        elif reply.notice:
            self.urgent.submit(respond_quietly, respond, escape(reply.notice))

    def _shortcut_incoming(self, shortcut: dict[str, Any]) -> Incoming:
        """The shortcut's message as the draft (its text, its files); the question is «¿Puedo publicar esto?»."""
        message = shortcut.get("message") or {}
        draft = to_plain(str(message.get("text") or ""), drop_user=self.bot_user_id)
        trigger = shortcut.get("trigger_id")
        return Incoming(
            platform=PLATFORM,
            kind="shortcut",
            user_id=str((shortcut.get("user") or {}).get("id") or ""),
            question="",  # the answering layer (or, for a photo alone, the core) asks DRAFT_QUESTION
            draft=draft or None,
            delivery_id=f"shortcut:{trigger}" if trigger else None,
            files=attachments_of(message.get("files")),
        )

    def on_message_shortcut(
        self, shortcut: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        """Message shortcut: the message is the draft; the answer goes privately to the user."""
        if not context.get(ADMITTED):
            return
        incoming = self._shortcut_incoming(shortcut)
        delivered = False
        try:
            try:
                placeholder = client.chat_postMessage(channel=incoming.user_id, text="⏳ Revisando el mensaje…")
                post = update_then_post(client, str(placeholder["channel"]), str(placeholder["ts"]))
            except SlackApiError as exc:
                log.warning("Cannot DM the user for a shortcut (%s); answering ephemerally", exc.response.get("error"))
                post = post_ephemeral(respond)
            reply = self.answering.answer(incoming, self.files.fetch)
            intro = review_intro(incoming.draft) if incoming.draft else None
            delivered = self._deliver(incoming, reply, post, intro=intro)
        finally:
            self.answering.finish(incoming, delivered=delivered)

    def on_share(self, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Compartir en el canal": post the stored answer to the channel for everyone (once)."""
        ref = str(body["actions"][0].get("value") or "")
        user = str(body["user"]["id"])
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        answer = self.answers.get(ref)
        if answer is None or not channel:
            respond_quietly(
                respond,
                "Ya no tengo esa respuesta guardada (se olvidan al reiniciar el bot). "
                f"Vuelve a preguntar con `{COMMAND}`.",
            )
            return
        key = f"{PLATFORM}:share:{ref}:{channel}"
        if not self.answering.idempotency.claim(key).granted:
            return  # a double click or a replayed request: shared already
        try:
            post = post_to(client, str(channel))
            messages = answer_blocks(
                answer, feedback_ref=ref, details_ref=ref, intro=shared_intro(user, answer.question)
            )
            for index, blocks in enumerate(messages):
                post(fallback_text(answer, index), blocks)
        except SlackApiError as exc:
            self.answering.idempotency.release(key)
            error = str(exc.response.get("error"))
            log.warning("Could not share an answer: %s", error)
            if error in CANNOT_POST_ERRORS:
                respond_quietly(
                    respond,
                    "No puedo escribir en esta conversación. Invítame al canal (`/invite @Puedo publicar`) "
                    "y vuelve a pulsar «Compartir en el canal».",
                )
            else:
                respond_quietly(respond, f"No he podido compartir la respuesta (error de Slack: {escape(error)}).")
            return
        self.answering.idempotency.complete(key)
        try:
            respond(text="📣 Has compartido la respuesta en el canal.", replace_original=True)
        except (SlackClientError, OSError, HTTPException) as exc:  # the response_url may have expired
            log.debug("Could not update the shared answer: %s", exc)

    def on_home_opened(self, event: dict[str, Any], client: WebClient) -> None:
        """App Home: publish the help and the sources for this user."""
        if event.get("tab", "home") != "home":
            return
        try:
            client.views_publish(
                user_id=str(event["user"]), view=home_view(self._sources(), self.settings.contact_unit)
            )
        except SlackApiError as exc:
            log.warning("Could not publish the App Home: %s", exc.response.get("error"))

    # ----------------------------------------------------------------- helpers

    def _deliver(
        self,
        incoming: Incoming,
        reply: Reply,
        post: Post,
        *,
        share: bool = False,
        intro: str | None = None,
        max_messages: int | None = None,
    ) -> bool:
        """Send ``reply`` through ``post`` (in at most ``max_messages`` messages); returns whether
        the user got something."""
        answer = reply.answer
        if answer is None:
            message = escape(reply.notice or "")
            return post_quietly(post, incoming.kind, message, notice_blocks(message))
        if reply.note:  # some files were left out: say so above the verdict
            intro = "\n".join(filter(None, [intro, escape(reply.note)]))
        # The answer stays in memory for "Ver fundamentos" (and sharing) under its feedback ref.
        ref = reply.feedback_ref or uuid.uuid4().hex
        self.answers.put(ref, answer)
        share_ref = ref if share and reply.feedback_ref else None
        try:
            messages = answer_blocks(
                answer, feedback_ref=reply.feedback_ref, share_ref=share_ref, details_ref=ref, intro=intro
            )
            if max_messages is not None:
                messages = cap_messages(messages, max_messages)
            for index, blocks in enumerate(messages):
                post(fallback_text(answer, index), blocks)
                if index == 0:  # recorded at once: the window for a second answer is this short
                    self.answering.delivered(incoming)
                if index == 0:  # recorded at once: the window for a second answer is this short
                    self.answering.delivered(incoming)
        except SlackApiError as exc:
            # One line with Slack's error code: the trace would add nothing the code does not say.
            log.error("Slack %s: could not post the answer: %s", incoming.kind, exc.response.get("error"))  # noqa: TRY400
            text = f"{answer_text(answer)}\n\n_{escape('(No he podido mostrar la respuesta completa)')}_"
            return post_quietly(post, incoming.kind, text, None)
        except Exception as exc:  # boundary: a rendering bug still reaches the user, as an apology with an id
            incident = incident_id()
            log_incident(f"Slack {incoming.kind}: rendering the answer failed", incident, exc, (incoming.question,))
            message = escape(apology_text(incident, self.settings.contact_unit))
            return post_quietly(post, incoming.kind, message, notice_blocks(message))
        if reply.outcome is Outcome.ANSWERED:
            log.info(
                "Slack %s answered: %s (core %.0f ms)",
                incoming.kind,
                answer.verdict.value,
                answer.timings_ms.get("total", 0.0),
            )
        return True

    def _sources(self) -> list[Any] | None:
        try:
            return list(self.answering.service.sources())
        except PuedoPublicarError:  # the index or Chroma unavailable: help without the list
            log.exception("Could not read the list of sources")
            return None

    def _thread_root(
        self, client: WebClient, channel: str, thread_ts: str
    ) -> tuple[str, tuple[Attachment, ...]] | None:
        """The text and the files of a thread's first message, unless the bot wrote it (or it has neither)."""
        try:
            messages = client.conversations_replies(channel=channel, ts=thread_ts, limit=1).get("messages") or []
        except SlackApiError as exc:
            log.warning("Could not read a thread's first message: %s", exc.response.get("error"))
            return None
        root = messages[0] if messages else {}
        if root.get("ts") != thread_ts or root.get("bot_id") or root.get("user") == self.bot_user_id:
            return None
        text = to_plain(str(root.get("text") or ""), drop_user=self.bot_user_id)
        files = root.get("files") or []
        logs.sensitive(text, *user_file_strings(files))
        attachments = attachments_of(files)
        return (text, attachments) if text or attachments else None
