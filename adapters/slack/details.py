"""The "Ver fundamentos" button under every Slack answer.

An answer's message holds its summary; the button shows the rest (every rule with its
reasoning, the draft's findings and every source). Under a message in a channel, a DM or a
thread, the fundamentos are posted in that message's thread, once however often the button is
pressed. Under a private (ephemeral) answer there is no thread anyone else should see, so they
open in a modal for the person who pressed it.

Answers are kept in memory only (:class:`~adapters.slack.state.LRUCache`): nothing about a
question is written anywhere, so after a restart, or on another replica, the button says to ask again.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.delivery import post_to, respond_quietly
from adapters.slack.events import PLATFORM
from adapters.slack.render import ACTION_DETAILS, details_blocks
from adapters.slack.state import LRUCache
from adapters.slack.views import details_modal
from bot import Answer, IdempotencyStore

__all__ = ["FORGOTTEN", "SlackDetails"]

log = logging.getLogger("adapters.slack")

#: What the button says when the answer is no longer in memory.
FORGOTTEN = (
    "Ya no tengo esa respuesta en memoria (las olvido al reiniciarme, y no guardo las preguntas). "
    "Vuelve a preguntar y pulsa «Ver fundamentos» en la nueva respuesta."
)


@dataclass
class SlackDetails:
    """The "Ver fundamentos" listeners. ``urgent`` opens the modal: its trigger_id expires in 3 s."""

    answers: LRUCache[str, Answer]
    idempotency: IdempotencyStore
    urgent: ThreadPoolExecutor

    def register(self, app: App) -> None:
        app.action(ACTION_DETAILS)(ack=self.ack_details, lazy=[self.on_details])

    def ack_details(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """Acknowledge; for a private answer, open the modal right away."""
        ack()
        if not _is_ephemeral(body):
            return
        answer = self.answers.get(_ref(body))
        trigger_id = body.get("trigger_id")
        if answer is None or not trigger_id:
            self.urgent.submit(respond_quietly, respond, FORGOTTEN)
            return
        self.urgent.submit(_open_modal, client, str(trigger_id), answer)

    def on_details(self, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """Post the fundamentos in the answer's thread (once per answer and thread)."""
        if _is_ephemeral(body):
            return
        ref = _ref(body)
        answer = self.answers.get(ref)
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        thread = message.get("thread_ts") or container.get("thread_ts") or container.get("message_ts")
        if answer is None or not channel or not thread:
            respond_quietly(respond, FORGOTTEN)
            return
        key = f"{PLATFORM}:details:{ref}:{channel}:{thread}"
        if not self.idempotency.claim(key).granted:
            return  # a double click or a replayed request: posted already
        post = post_to(client, str(channel), thread)
        try:
            for index, blocks in enumerate(details_blocks(answer)):
                post("Fundamentos de la respuesta" if index == 0 else "Fundamentos (continuación)", blocks)
        except SlackApiError as exc:
            self.idempotency.release(key)
            error = exc.response.get("error")
            log.warning("Could not post the fundamentos: %s", error)
            respond_quietly(respond, "No he podido mostrar los fundamentos. Vuelve a pulsar el botón en un momento.")
            return
        self.idempotency.complete(key)


def _ref(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def _is_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


def _open_modal(client: WebClient, trigger_id: str, answer: Answer) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=details_modal(answer))
    except (SlackApiError, OSError) as exc:  # in a pool task: an exception would vanish unseen
        log.warning("Could not open the fundamentos modal: %s", getattr(exc, "response", {}).get("error") or exc)
