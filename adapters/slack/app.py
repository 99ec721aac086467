"""The Slack adapter: a slack-bolt :class:`~slack_bolt.App` that turns Slack into questions for
:meth:`bot.service.Service.ask` and answers into Slack messages. No domain logic lives here.

Where people ask, and where the answer goes:

* **Direct message** to the bot → answered in the DM (in the thread, if they wrote in one).
* **Mention** in a channel (``@Puedo publicar ¿…?``) → answered in the mention's thread;
  later mentions in that thread are answered there too. A bare mention inside a thread
  reviews the thread's first message as the draft.
* **/puedopublicar TEXTO** → a private (ephemeral) answer with a "Compartir en el canal"
  button; ``/puedopublicar ayuda`` (or no text) shows the help.
* **Message shortcut** "¿Puedo publicar esto?" (``puedo_publicar_shortcut``) → the message
  becomes the draft; the answer is sent privately, in a DM from the bot.
* **App Home** → what the bot does, examples and the sources with their version dates.

In every case a quoted block (lines starting with ``>``) is the draft of the post and the rest
is the question.

Timing: Slack needs an acknowledgement within 3 s. The app runs with
``process_before_response=True`` and *lazy listeners*: each listener's ``ack`` function runs in
the request's own thread and does nothing but acknowledge (no network call, no disk); the
work is done afterwards by a lazy function in a pool of :data:`ANSWER_THREADS` threads (the 👎
modal, whose ``trigger_id`` expires in 3 s, opens from a small pool of its own). So an
acknowledgement never waits behind slow answers, in HTTP and in Socket Mode alike.
While the answer is computed the user sees ⏳: a reaction on their message (DM, mention), a
"Pensando…" line (slash command) or a placeholder DM updated in place (shortcut).

Redeliveries: Slack retries an event it thinks failed (header ``X-Slack-Retry-Num``; Bolt
mirrors it in Socket Mode). Those are acknowledged and dropped, and events are also
de-duplicated by ``event_id``, so a question is never answered twice.

Failures: a :class:`~bot.service.QuestionError` message goes to the user as is; any other
error becomes a short apology with a reference (``ref 3f9a1c``) that is also in the log,
which never contains the question text.
"""

from __future__ import annotations

import argparse
import logging
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from adapters.slack.mrkdwn import escape, split_draft, to_plain, truncate
from adapters.slack.render import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_SHARE,
    COMMENT_ACTION,
    COMMENT_BLOCK,
    FEEDBACK_MODAL_CALLBACK,
    MAX_COMMENT_CHARS,
    Block,
    answer_blocks,
    answer_text,
    feedback_modal,
    feedback_thanks_modal,
    help_blocks,
    home_view,
    notice_blocks,
    review_intro,
    shared_intro,
)
from adapters.slack.state import LRUCache, RecentIds
from bot import logs
from bot.feedback import FeedbackError, FeedbackStore, Vote, feedback_store
from bot.models import DRAFT_QUESTION, Answer
from bot.service import QuestionError, Service
from bot.settings import Settings, SettingsError, load_settings, secret_values

__all__ = [
    "COMMAND",
    "PLATFORM",
    "SHORTCUT_CALLBACK",
    "SlackStartupError",
    "build_client",
    "check_settings",
    "create_app",
    "main",
    "verify_bot_token",
]

log = logging.getLogger("adapters.slack")

PLATFORM = "slack"
COMMAND = "/puedopublicar"
SHORTCUT_CALLBACK = "puedo_publicar_shortcut"
THINKING_REACTION = "hourglass_flowing_sand"
HELP_WORDS = frozenset({"", "ayuda", "help", "?", "¿?", "info"})
#: Threads computing answers (the core is thread-safe; acknowledgements never use them).
ANSWER_THREADS = 4
#: Answers kept for "Compartir en el canal" (ref → Answer).
SHARED_ANSWERS = 500
#: ``event_id`` s remembered to drop duplicates.
RECENT_EVENTS = 10_000
#: A ``response_url`` accepts at most 5 messages.
MAX_RESPONSE_URL_MESSAGES = 5

#: Errors meaning "this token is wrong", as answered by auth.test / apps.connections.open.
_BAD_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}
)
#: Errors meaning "the bot cannot write in this conversation".
_CANNOT_POST_ERRORS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot"}
)


class SlackStartupError(Exception):
    """The adapter cannot start; the message says which ``BOT_`` setting to fix.

    ``exit_code`` is 2 for a wrong or missing setting, 1 for anything else (network).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ------------------------------------------------------------------------ start-up checks


def check_settings(settings: Settings, *, need_bot_token: bool = True) -> None:
    """Check that the Slack settings needed by ``settings.slack_mode`` are present and plausible.

    Raises :class:`SlackStartupError` naming the ``BOT_`` variable. Validity is checked by
    :func:`verify_bot_token` (and, in Socket Mode, when connecting).
    """
    token = (settings.slack_bot_token or "").strip()
    if need_bot_token and not token:
        raise SlackStartupError(
            "Falta BOT_SLACK_BOT_TOKEN: el «Bot User OAuth Token» (xoxb-…) de tu app de Slack, "
            "en OAuth & Permissions. Instala la app en el espacio de trabajo para obtenerlo."
        )
    if token.startswith("xapp-"):
        raise SlackStartupError(
            "BOT_SLACK_BOT_TOKEN contiene un token de aplicación (xapp-…). Ahí va el token del bot "
            "(xoxb-…); el xapp- va en BOT_SLACK_APP_TOKEN."
        )
    if settings.slack_mode == "socket":
        app_token = (settings.slack_app_token or "").strip()
        if not app_token:
            raise SlackStartupError(
                "Falta BOT_SLACK_APP_TOKEN, necesario en modo Socket Mode (BOT_SLACK_MODE=socket): crea un "
                "«App-Level Token» con el permiso connections:write en Basic Information (empieza por xapp-). "
                "O usa BOT_SLACK_MODE=http con BOT_SLACK_SIGNING_SECRET."
            )
        if not app_token.startswith("xapp-"):
            raise SlackStartupError(
                "BOT_SLACK_APP_TOKEN no parece un token de aplicación: debe empezar por xapp- "
                "(Basic Information → App-Level Tokens)."
            )
    elif not (settings.slack_signing_secret or "").strip():
        raise SlackStartupError(
            "Falta BOT_SLACK_SIGNING_SECRET, necesario en modo HTTP (BOT_SLACK_MODE=http): es el «Signing Secret» "
            "de Basic Information → App Credentials."
        )


def build_client(settings: Settings) -> WebClient:
    """The Web API client for ``settings`` (retries once on rate limits and connection errors)."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def verify_bot_token(client: WebClient) -> dict[str, Any]:
    """Call ``auth.test``; returns its data (``user_id`` is the bot's user id).

    Raises :class:`SlackStartupError` naming ``BOT_SLACK_BOT_TOKEN`` if Slack rejects the token.
    """
    response = _checking_token(
        client.auth_test,
        bad="BOT_SLACK_BOT_TOKEN no es válido: Slack responde «{error}». Copia de nuevo el «Bot User OAuth "
        "Token» (xoxb-…) de OAuth & Permissions; si has reinstalado la app, el token ha cambiado.",
        other="No se puede comprobar BOT_SLACK_BOT_TOKEN: Slack responde «{error}».",
        offline=f"No se puede conectar con Slack ({client.base_url})",
    )
    return dict(response.data) if isinstance(response.data, dict) else {}


T = TypeVar("T")


def _checking_token(call: Callable[[], T], *, bad: str, other: str, offline: str) -> T:
    """``call()``, turning Slack's answers into startup errors: ``bad`` (exit 2) for a rejected
    token, ``other`` for any other Slack error and ``offline`` when Slack cannot be reached (exit 1)."""
    try:
        return call()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        if error in _BAD_TOKEN_ERRORS:
            raise SlackStartupError(bad.format(error=error)) from None
        raise SlackStartupError(other.format(error=error), 1) from None
    except OSError as exc:  # URLError, timeouts, DNS...
        raise SlackStartupError(f"{offline}: {exc}", 1) from None


# ------------------------------------------------------------------------------ the app


def create_app(
    settings: Settings,
    service: Service,
    *,
    feedback: FeedbackStore | None = None,
    client: WebClient | None = None,
    executor: Executor | None = None,
) -> App:
    """Build the Bolt app (sync) with every listener registered.

    ``client`` defaults to one built from ``settings`` (``BOT_SLACK_BOT_TOKEN``, and
    ``BOT_SLACK_API_URL`` in tests); ``feedback`` to the store at ``settings.feedback_db``;
    ``executor`` — where answers are computed — to a pool of :data:`ANSWER_THREADS` threads.
    Raises :class:`SlackStartupError` if a setting is missing or Slack rejects the token.
    """
    check_settings(settings, need_bot_token=client is None)
    client = client or build_client(settings)
    auth = verify_bot_token(client)
    # Without a signing secret (Socket Mode) no HTTP request must ever verify: use a random one.
    signing_secret = settings.slack_signing_secret or secrets.token_hex(32)
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        listener_executor=executor or ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="slack-answer"),
        name="puedo-publicar",
    )
    bot = SlackBot(
        settings=settings,
        service=service,
        feedback=feedback or feedback_store(settings),
        bot_user_id=str(auth.get("user_id") or ""),
    )
    bot.register(app)
    return app


Post = Callable[[str, Sequence[Block] | None], None]


def _ack_only(ack: Ack) -> None:
    """The acknowledgement of listeners whose work is all in their lazy function."""
    ack()


@dataclass
class SlackBot:
    """The listeners of the app; one instance per :func:`create_app`."""

    settings: Settings
    service: Service
    feedback: FeedbackStore
    bot_user_id: str

    def __post_init__(self) -> None:
        self.shared: LRUCache[str, Answer] = LRUCache(SHARED_ANSWERS)
        self.recent_events = RecentIds(RECENT_EVENTS)
        # For calls that cannot wait behind answers (views.open: its trigger_id expires in 3 s).
        self.urgent = ThreadPoolExecutor(2, thread_name_prefix="slack-urgent")

    def register(self, app: App) -> None:
        """Attach the middleware and every listener to ``app``."""
        app.use(self.drop_redeliveries)
        app.event("message", matchers=[_is_dm_question])(ack=_ack_only, lazy=[self.on_direct_message])
        app.event("message")(self.ignore)  # channel messages, edits, bot messages: acknowledged, ignored
        app.event("app_mention", matchers=[_is_mention_question])(ack=_ack_only, lazy=[self.on_mention])
        app.event("app_mention")(self.ignore)
        app.event("app_home_opened")(ack=_ack_only, lazy=[self.on_home_opened])
        app.command(COMMAND)(ack=self.ack_command, lazy=[self.on_command])
        app.action(ACTION_SHARE)(ack=_ack_only, lazy=[self.on_share])
        app.action(re.compile(f"^({ACTION_FEEDBACK_UP}|{ACTION_FEEDBACK_DOWN})$"))(
            ack=self.ack_feedback, lazy=[self.on_feedback]
        )
        app.shortcut(SHORTCUT_CALLBACK)(ack=_ack_only, lazy=[self.on_message_shortcut])
        app.view(FEEDBACK_MODAL_CALLBACK)(ack=self.ack_comment, lazy=[self.on_comment])

    # ------------------------------------------------------------------ middleware

    def drop_redeliveries(
        self, req: BoltRequest, resp: BoltResponse, next_: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Acknowledge and drop Slack's retries and any event already seen (by ``event_id``).

        First, every text and user id in the request is registered as sensitive: no log line,
        ours or a library's, may quote it (:mod:`bot.logs`)."""
        logs.sensitive(*_user_strings(req.body))
        retry = req.headers.get("x-slack-retry-num")
        if retry:
            reason = (req.headers.get("x-slack-retry-reason") or ["?"])[0]
            log.info("Dropping Slack retry #%s (reason: %s)", retry[0], reason)
            return BoltResponse(status=200, body="")
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if isinstance(event_id, str) and self.recent_events.check_and_add(event_id):
            log.info("Dropping duplicate event %s", event_id)
            return BoltResponse(status=200, body="")
        return next_()

    def ignore(self) -> None:
        """Events we subscribe to but do not act on (acknowledged by Bolt)."""

    # ----------------------------------------------------------- conversations

    def on_direct_message(self, event: dict[str, Any], client: WebClient) -> None:
        """A DM: every message is a question, answered in the DM."""
        channel, ts = str(event["channel"]), str(event["ts"])
        question, draft = split_draft(to_plain(str(event.get("text") or ""), drop_user=self.bot_user_id))
        with self._thinking(client, channel, ts):
            self._answer("dm", question, draft, _post_to(client, channel, event.get("thread_ts")))

    def on_mention(self, event: dict[str, Any], client: WebClient) -> None:
        """A mention in a channel: answered in the mention's thread."""
        channel, ts = str(event["channel"]), str(event["ts"])
        parent = event.get("thread_ts")
        question, draft = split_draft(to_plain(str(event.get("text") or ""), drop_user=self.bot_user_id))
        intro = None
        if not question and not draft and parent and parent != ts:
            root = self._thread_root(client, channel, str(parent))
            if root:
                question, draft, intro = DRAFT_QUESTION, root, review_intro(root)
        with self._thinking(client, channel, ts):
            self._answer("mention", question, draft, _post_to(client, channel, parent or ts), intro=intro)

    def ack_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """Acknowledge ``/puedopublicar`` at once, echoing the question with ⏳."""
        text = to_plain(str(command.get("text") or ""), drop_user=self.bot_user_id)
        if text.strip().lower() in HELP_WORDS:
            ack()
        else:
            ack(text=f"⏳ Pensando… «{escape(truncate(' '.join(text.split()), 200))}»", response_type="ephemeral")

    def on_command(self, command: dict[str, Any], respond: Respond) -> None:
        """``/puedopublicar``: help, or a private answer that can be shared in the channel."""
        text = to_plain(str(command.get("text") or ""), drop_user=self.bot_user_id)
        if text.strip().lower() in HELP_WORDS:
            _respond(respond, "Puedo publicar: ayuda", help_blocks(self._sources(), self.settings.contact_unit))
            return
        question, draft = split_draft(text)
        self._answer("command", question, draft, _post_ephemeral(respond), share=True)

    def on_share(self, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Compartir en el canal": post the stored answer to the channel for everyone."""
        ref = str(body["actions"][0].get("value") or "")
        user = str(body["user"]["id"])
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        answer = self.shared.get(ref)
        if answer is None or not channel:
            _respond(
                respond,
                "Ya no tengo esa respuesta guardada (se olvidan al reiniciar el bot). "
                f"Vuelve a preguntar con `{COMMAND}`.",
            )
            return
        try:
            post = _post_to(client, str(channel))
            messages = answer_blocks(answer, feedback_ref=ref, intro=shared_intro(user, answer.question))
            for index, blocks in enumerate(messages):
                post(_fallback(answer, index), blocks)
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            log.warning("Could not share an answer in %s: %s", channel, error)
            if error in _CANNOT_POST_ERRORS:
                _respond(
                    respond,
                    "No puedo escribir en esta conversación. Invítame al canal (`/invite @Puedo publicar`) "
                    "y vuelve a pulsar «Compartir en el canal».",
                )
            else:
                _respond(respond, f"No he podido compartir la respuesta (error de Slack: {escape(error)}).")
            return
        with suppress(Exception):
            respond(text="📣 Has compartido la respuesta en el canal.", replace_original=True)

    def on_message_shortcut(self, shortcut: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """Message shortcut: the message is the draft; the answer goes privately to the user."""
        user = str(shortcut["user"]["id"])
        message = shortcut.get("message") or {}
        draft = to_plain(str(message.get("text") or ""), drop_user=self.bot_user_id)
        if not draft:
            _respond(respond, "Ese mensaje no tiene texto que pueda revisar.")
            return
        try:
            placeholder = client.chat_postMessage(channel=user, text="⏳ Revisando el mensaje…")
            post = _update_then_post(client, str(placeholder["channel"]), str(placeholder["ts"]))
        except SlackApiError as exc:
            log.warning("Cannot DM the user for a shortcut (%s); answering ephemerally", exc.response.get("error"))
            post = _post_ephemeral(respond)
        self._answer("shortcut", DRAFT_QUESTION, draft, post, intro=review_intro(draft))

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

    # ---------------------------------------------------------------- feedback

    def ack_feedback(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Acknowledge a 👍/👎; on 👎 open the comment modal right away (its trigger_id lasts 3 s)
        from a small pool of its own, so neither the acknowledgement nor the modal waits."""
        ack()
        action = body["actions"][0]
        trigger_id = body.get("trigger_id")
        if action.get("action_id") == ACTION_FEEDBACK_DOWN and trigger_id:
            self.urgent.submit(self._open_feedback_modal, client, str(trigger_id), str(action.get("value") or ""))

    @staticmethod
    def _open_feedback_modal(client: WebClient, trigger_id: str, feedback_ref: str) -> None:
        try:
            client.views_open(trigger_id=trigger_id, view=feedback_modal(feedback_ref))
        except Exception as exc:
            log.warning("Could not open the feedback modal: %s", getattr(exc, "response", {}) or exc)

    def on_feedback(self, body: dict[str, Any], respond: Respond) -> None:
        """Store the vote (the store hashes the user id) and thank the user for a 👍."""
        action = body["actions"][0]
        vote: Vote = "up" if action.get("action_id") == ACTION_FEEDBACK_UP else "down"
        try:
            self.feedback.vote(str(action.get("value") or ""), PLATFORM, str(body["user"]["id"]), vote)
        except FeedbackError:
            log.warning("Vote on an unknown answer")
            _respond(respond, "No encuentro esa respuesta, así que no he podido guardar tu valoración.")
            return
        except Exception:
            log.exception("Could not store a vote")
            _respond(respond, "No he podido guardar tu valoración. Inténtalo más tarde.")
            return
        if vote == "up":
            _respond(respond, "¡Gracias! Me alegra que te haya servido. 👍")

    def ack_comment(self, ack: Ack) -> None:
        """Close the 👎 modal with a thank-you view."""
        ack(response_action="update", view=feedback_thanks_modal())

    def on_comment(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Store the optional comment of a 👎."""
        ref = str(view.get("private_metadata") or "")
        user = str(body["user"]["id"])
        state = (view.get("state") or {}).get("values") or {}
        text = str((state.get(COMMENT_BLOCK) or {}).get(COMMENT_ACTION, {}).get("value") or "").strip()
        if not text:
            return
        text = text[:MAX_COMMENT_CHARS]
        try:
            # The 👎 that opened the modal is stored by another thread: it may not be there yet.
            self.feedback.comment(ref, PLATFORM, user, text, vote="down")
        except Exception:
            log.exception("Could not store a feedback comment")

    # ----------------------------------------------------------------- helpers

    def _answer(
        self,
        kind: str,
        question: str,
        draft: str | None,
        post: Post,
        *,
        share: bool = False,
        intro: str | None = None,
    ) -> None:
        """Ask the core and deliver the answer (or the error) through ``post``."""
        started = time.perf_counter()
        try:
            answer = self.service.ask(question, draft)
        except QuestionError as exc:
            message = escape(str(exc))
            _safe_post(post, kind, message, notice_blocks(message))
            return
        except Exception as exc:
            ref = secrets.token_hex(3)
            log.error(
                "Slack %s: the core failed to answer (ref %s)\n%s",
                kind,
                ref,
                logs.incident_trace(exc, (question, draft)),
            )
            message = self._apology(ref)
            _safe_post(post, kind, message, notice_blocks(message))
            return
        feedback_ref: str | None
        try:
            feedback_ref = self.feedback.remember(PLATFORM, answer)
        except Exception as exc:
            log.error(
                "Slack %s: could not store the answer for feedback\n%s",
                kind,
                logs.incident_trace(exc, (question, draft)),
            )
            feedback_ref = None
        share_ref = None
        if share and feedback_ref:
            self.shared.put(feedback_ref, answer)
            share_ref = feedback_ref
        try:
            messages = answer_blocks(answer, feedback_ref=feedback_ref, share_ref=share_ref, intro=intro)
            for index, blocks in enumerate(messages):
                post(_fallback(answer, index), blocks)
        except SlackApiError as exc:
            ref = secrets.token_hex(3)
            log.error("Slack %s: could not post the answer (ref %s): %s", kind, ref, exc.response.get("error"))
            message = f"{answer_text(answer)}\n\n_{escape('(No he podido mostrar la respuesta completa; ref ')}{ref})_"
            _safe_post(post, kind, message, None)
            return
        log.info(
            "Slack %s answered: %s in %.0f ms (core %.0f ms)",
            kind,
            answer.verdict.value,
            (time.perf_counter() - started) * 1000,
            answer.timings_ms.get("total", 0.0),
        )

    def _apology(self, ref: str) -> str:
        return (
            "😔 Lo siento: ahora mismo no he podido responderte por un error interno. Vuelve a intentarlo en unos "
            f"minutos; si se repite, avisa a {escape(self.settings.contact_unit)} indicando la referencia `ref {ref}`."
        )

    def _sources(self) -> list[Any] | None:
        try:
            return list(self.service.sources())
        except Exception:
            log.exception("Could not read the list of sources")
            return None

    def _thread_root(self, client: WebClient, channel: str, thread_ts: str) -> str | None:
        """The text of a thread's first message, unless the bot wrote it."""
        try:
            messages = client.conversations_replies(channel=channel, ts=thread_ts, limit=1).get("messages") or []
        except SlackApiError as exc:
            log.warning("Could not read a thread's first message: %s", exc.response.get("error"))
            return None
        root = messages[0] if messages else {}
        if root.get("ts") != thread_ts or root.get("bot_id") or root.get("user") == self.bot_user_id:
            return None
        return to_plain(str(root.get("text") or ""), drop_user=self.bot_user_id) or None

    @contextmanager
    def _thinking(self, client: WebClient, channel: str, ts: str) -> Iterator[None]:
        """⏳ on the user's message while the answer is computed."""
        added = False
        try:
            client.reactions_add(channel=channel, timestamp=ts, name=THINKING_REACTION)
            added = True
        except SlackApiError as exc:
            log.debug("Could not add the thinking reaction: %s", exc.response.get("error"))
        try:
            yield
        finally:
            if added:
                with suppress(SlackApiError):
                    client.reactions_remove(channel=channel, timestamp=ts, name=THINKING_REACTION)


# ------------------------------------------------------------------------ matchers


def _user_strings(body: Any) -> Iterator[str]:
    """Texts and user ids anywhere in a Slack request body."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and key in _USER_KEYS:
                yield value
            else:
                yield from _user_strings(value)
    elif isinstance(body, list):
        for item in body:
            yield from _user_strings(item)


_USER_KEYS = frozenset({"text", "user", "user_id", "user_name", "username", "value", "name", "real_name", "email"})


def _is_dm_question(event: dict[str, Any]) -> bool:
    """A person's new message in a DM with the bot (not an edit, a bot message or a file share)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and "edited" not in event
        and bool(str(event.get("text") or "").strip())
    )


def _is_mention_question(event: dict[str, Any]) -> bool:
    """A person's mention of the bot outside DMs (DMs are answered as messages)."""
    return (
        not str(event.get("channel") or "").startswith("D")
        and not event.get("bot_id")
        and "edited" not in event
        and not event.get("subtype")
    )


# --------------------------------------------------------------------- delivery


def _fallback(answer: Answer, index: int) -> str:
    return answer_text(answer) if index == 0 else "Puedo publicar (continuación de la respuesta)"


def _post_to(client: WebClient, channel: str, thread_ts: Any = None) -> Post:
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


def _update_then_post(client: WebClient, channel: str, ts: str) -> Post:
    """Replace the placeholder ``ts`` with the first message; post the others after it."""
    state = {"updated": False}
    post_after = _post_to(client, channel)

    def post(text: str, blocks: Sequence[Block] | None) -> None:
        if not state["updated"]:
            state["updated"] = True
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks or [])
        else:
            post_after(text, blocks)

    return post


def _post_ephemeral(respond: Respond) -> Post:
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


def _respond(respond: Respond, mrkdwn: str, blocks: Sequence[Block] | None = None) -> None:
    """A private reply through ``response_url``; errors are logged, never raised."""
    try:
        respond(text=mrkdwn, blocks=blocks, response_type="ephemeral", replace_original=False)
    except Exception as exc:
        log.warning("Could not reply through response_url: %s", exc)


def _safe_post(post: Post, kind: str, text: str, blocks: Sequence[Block] | None) -> None:
    try:
        post(text, blocks)
    except Exception as exc:
        log.error("Slack %s: could not post a message: %s", kind, getattr(exc, "response", {}) or exc)


# -------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m adapters.slack",
        description="Puedo publicar en Slack. Configuración en variables BOT_SLACK_* (o .env); "
        "ver adapters/slack_manifest.yaml para crear la app.",
    )
    parser.add_argument("--mode", choices=["socket", "http"], help="sobrescribe BOT_SLACK_MODE")
    parser.add_argument("--port", type=int, help="puerto HTTP (sobrescribe BOT_SLACK_PORT)")
    parser.add_argument("--host", default="0.0.0.0", help="interfaz HTTP (por defecto 0.0.0.0)")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="mensajes de diagnóstico (nunca el texto de las preguntas)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the Slack adapter until interrupted; returns the process exit code.

    2: a setting is missing or wrong (the message names it); 1: another start-up failure.
    """
    args = build_parser().parse_args(argv)
    logs.setup_logging(verbose=args.verbose)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logs.add_secrets(secret_values(settings))
    overrides = {k: v for k, v in {"slack_mode": args.mode, "slack_port": args.port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)

    executor = ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="slack-answer")
    handler: Any = None
    server: Any = None
    try:
        check_settings(settings)
        service = Service(settings, notify=lambda message: log.info("%s", message))
        app = create_app(settings, service, executor=executor)
        logs.quiet_libraries()  # building the Bolt app reset its loggers' levels
        if settings.slack_mode == "socket":
            handler = _socket_handler(app, settings)
        else:
            server = _http_server(app, args.host, settings.slack_port)  # bound now: a busy port fails early
        log.info("Loading the model and the index…")
        service.warm_up()
    except SlackStartupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        executor.shutdown(wait=False)
        return exc.exit_code
    except Exception as exc:  # model or index unusable: the core's message says what to do
        print(f"Error: {exc}", file=sys.stderr)
        executor.shutdown(wait=False)
        return 1

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on SIGTERM too
    try:
        if handler is not None:
            handler.connect()
            log.info("Slack Socket Mode connected; Ctrl+C to stop")
            threading.Event().wait()
        else:
            server.serve_forever()
    except KeyboardInterrupt:
        log.info("Stopping…")
    finally:
        if handler is not None:
            handler.close()
        if server is not None:
            server.stop()
        executor.shutdown(wait=True)  # let answers in progress reach their users
    return 0


def _http_server(app: App, host: str, port: int) -> Any:
    """The HTTP server, its port bound now."""
    from adapters.slack.server import SlackHTTPServer

    try:
        return SlackHTTPServer(app, host=host, port=port)
    except OSError as exc:
        raise SlackStartupError(f"No se puede escuchar en {host}:{port} (BOT_SLACK_PORT): {exc}") from None


def _socket_handler(app: App, settings: Settings) -> Any:
    """A Socket Mode handler, its app token checked now (not after loading the model)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token=settings.slack_app_token)
    _checking_token(
        handler.client.issue_new_wss_url,  # validates BOT_SLACK_APP_TOKEN; connect() asks for a fresh URL
        bad="BOT_SLACK_APP_TOKEN no es válido: Slack responde «{error}». Crea un «App-Level Token» con el "
        "permiso connections:write (Basic Information) y activa Socket Mode en la app.",
        other="No se puede abrir la conexión Socket Mode: Slack responde «{error}».",
        offline="No se puede conectar con Slack",
    )
    return handler
