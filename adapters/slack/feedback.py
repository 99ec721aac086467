"""The 👍/👎 buttons under every Slack answer, and the 👎 comment modal.

Votes and comments go to the :class:`~bot.feedback.FeedbackStore`, which stores user ids
hashed and keeps text only for a 👎 with a comment (see :mod:`bot.feedback`).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from adapters.ops import Metrics
from adapters.slack.delivery import respond_quietly
from adapters.slack.events import PLATFORM
from adapters.slack.render import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    COMMENT_ACTION,
    COMMENT_BLOCK,
    FEEDBACK_MODAL_CALLBACK,
    MAX_COMMENT_CHARS,
)
from adapters.slack.views import feedback_modal, feedback_thanks_modal
from bot import FeedbackError, FeedbackStore, Vote

__all__ = ["SlackFeedback"]

log = logging.getLogger("adapters.slack")


@dataclass
class SlackFeedback:
    """The feedback listeners. ``urgent`` opens the modal: its trigger_id expires in 3 s."""

    feedback: FeedbackStore
    urgent: ThreadPoolExecutor
    metrics: Metrics

    def register(self, app: App) -> None:
        app.action(re.compile(f"^({ACTION_FEEDBACK_UP}|{ACTION_FEEDBACK_DOWN})$"))(
            ack=self.ack_feedback, lazy=[self.on_feedback]
        )
        app.view(FEEDBACK_MODAL_CALLBACK)(ack=self.ack_comment, lazy=[self.on_comment])

    def ack_feedback(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Acknowledge a 👍/👎; on 👎 open the comment modal right away (its trigger_id lasts 3 s)."""
        ack()
        action = body["actions"][0]
        trigger_id = body.get("trigger_id")
        if action.get("action_id") == ACTION_FEEDBACK_DOWN and trigger_id:
            self.urgent.submit(_open_feedback_modal, client, str(trigger_id), str(action.get("value") or ""))

    def on_feedback(self, body: dict[str, Any], respond: Respond) -> None:
        """Store the vote (the store hashes the user id) and thank the user for a 👍."""
        action = body["actions"][0]
        vote: Vote = "up" if action.get("action_id") == ACTION_FEEDBACK_UP else "down"
        try:
            self.feedback.vote(str(action.get("value") or ""), PLATFORM, str(body["user"]["id"]), vote)
        except FeedbackError:
            log.warning("Vote on an unknown answer")
            respond_quietly(respond, "No encuentro esa respuesta, así que no he podido guardar tu valoración.")
            return
        except sqlite3.Error:  # locked or unwritable database
            log.exception("Could not store a vote")
            respond_quietly(respond, "No he podido guardar tu valoración. Inténtalo más tarde.")
            return
        self.metrics.votes.labels(PLATFORM, vote).inc()
        if vote == "up":
            respond_quietly(respond, "¡Gracias! Me alegra que te haya servido. 👍")

    def ack_comment(self, ack: Ack) -> None:
        """Close the 👎 modal with a thank-you view."""
        ack(response_action="update", view=feedback_thanks_modal())

    def on_comment(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Store the optional comment of a 👎."""
        ref = str(view.get("private_metadata") or "")
        state = (view.get("state") or {}).get("values") or {}
        text = str((state.get(COMMENT_BLOCK) or {}).get(COMMENT_ACTION, {}).get("value") or "").strip()
        if not text:
            return
        try:
            # The 👎 that opened the modal is stored by another thread: it may not be there yet.
            self.feedback.comment(ref, PLATFORM, str(body["user"]["id"]), text[:MAX_COMMENT_CHARS], vote="down")
        except FeedbackError:
            log.warning("Feedback comment on an unknown answer")
        except sqlite3.Error:  # locked or unwritable database
            log.exception("Could not store a feedback comment")


def _open_feedback_modal(client: WebClient, trigger_id: str, feedback_ref: str) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=feedback_modal(feedback_ref))
    except Exception as exc:  # pool task boundary: an exception would vanish unseen in its Future
        log.warning("Could not open the feedback modal: %s", getattr(exc, "response", {}) or exc)
