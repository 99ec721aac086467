"""Block Kit rendering of answers, and the block constructors every Slack view uses.

Pure functions: they take core objects (:class:`~bot.models.Answer`) and return JSON-ready
dicts; they never call Slack. Help, App Home and the feedback modal are in
:mod:`adapters.slack.views`.

An answer comes in two layers. The message reads, top to bottom: a ``header`` with the verdict
("⛔ No lo publiques"), the summary in ``mrkdwn`` sections (why, what to check, whom to ask),
the (at most three) sources it cites as ``context`` blocks (title linked, article or rule,
version date) and an ``actions`` block with "Ver fundamentos", 👍/👎 (and, for private
answers, "Compartir en el canal"). The fundamentos (:func:`details_blocks`, posted in the
thread or shown in a modal) hold every rule with its reasoning, what was found in the draft
(each span quoted in its context) and every source with a short quote in «».

Slack's limits are respected by construction (``tests/test_slack_render.py`` checks them with
the strict fake's validator): sections hold 1–3,000 characters (text is split at paragraph,
then line, then word boundaries) and never go out empty; context texts at most 3,000; a
message holds at most 50 blocks and about 12,000 characters of block text (Slack answers
``msg_blocks_too_long`` a little above 13,000, an undocumented limit), so a long answer becomes
several messages; the buttons always go on the last one. Button texts are cut to 75
characters and a reference longer than a button ``value`` (2,000) gets no button at all; modal
titles and button labels of modals fit in 24. At most :data:`MAX_FINDINGS_SHOWN` findings
are listed, then «… y N más». All user and source text is escaped with
:func:`~adapters.slack.mrkdwn.escape`; only the links built here are live.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from adapters.slack.mrkdwn import escape, link, truncate
from bot import QUOTE_CHARS, Answer, Citation, DraftFinding, finding_context, phrase

if TYPE_CHECKING:
    pass

__all__ = [
    "ACTION_DETAILS",
    "ACTION_FEEDBACK_DOWN",
    "ACTION_FEEDBACK_UP",
    "ACTION_SHARE",
    "COMMENT_ACTION",
    "COMMENT_BLOCK",
    "FEEDBACK_MODAL_CALLBACK",
    "Block",
    "answer_blocks",
    "answer_text",
    "button",
    "cap_messages",
    "context",
    "details_blocks",
    "details_content",
    "fit",
    "has_details",
    "header",
    "notice_blocks",
    "plain",
    "review_intro",
    "section",
    "shared_intro",
    "split_text",
]

Block = dict[str, Any]

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
#: A modal's title, submit and close labels.
MAX_VIEW_TITLE = 24
#: Block text per message; Slack rejects messages a little above 13,000 (msg_blocks_too_long).
MAX_MESSAGE_TEXT = 12_000

#: Lengths chosen for readability (quotes are already cut by the core at QUOTE_CHARS).
TITLE_CHARS = 200
LOCATOR_CHARS = 200
VERSION_CHARS = 40
FALLBACK_CHARS = 1000
MAX_FINDINGS_SHOWN = 20
#: A finding's label and span (each side of it shows at most 40 characters of the draft).
FINDING_LABEL_CHARS = 100
FINDING_SPAN_CHARS = 200

ACTION_FEEDBACK_UP = "feedback_up"
ACTION_FEEDBACK_DOWN = "feedback_down"
ACTION_SHARE = "share_answer"
ACTION_DETAILS = "show_details"
FEEDBACK_MODAL_CALLBACK = "feedback_comment"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "text"
MAX_COMMENT_CHARS = 500


# ------------------------------------------------------------------ block constructors


#: What an otherwise empty text shows (Slack rejects empty text objects).
EMPTY_TEXT = "…"


def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters and never blank. Callers split or cut their text
    first: this is the last guard, and cutting mrkdwn here could break a link or a bold span."""
    if len(text) > limit:
        text = truncate(text, limit)
    return text if text.strip() else EMPTY_TEXT


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, MAX_SECTION_TEXT)}}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": fit(text, MAX_HEADER_TEXT), "emoji": True}}


def context(*texts: str) -> Block:
    elements = [{"type": "mrkdwn", "text": fit(t, MAX_CONTEXT_TEXT)} for t in texts if t.strip()]
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS] or [{"type": "mrkdwn", "text": EMPTY_TEXT}]}


def plain(text: str, limit: int) -> Block:
    """A ``plain_text`` object within ``limit`` characters (modal titles, button labels)."""
    return {"type": "plain_text", "text": fit(text, limit), "emoji": True}


def _fits_button(ref: str | None) -> str | None:
    """``ref`` if it can be a button's ``value``; a longer one cannot be cut (it would point
    nowhere), so the button is left out."""
    return ref if ref and len(ref) <= MAX_BUTTON_VALUE else None


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"a button value holds at most {MAX_BUTTON_VALUE} characters")
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "text": plain(text, MAX_BUTTON_TEXT),
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _weight(block: Block) -> int:
    """Characters of text in a block, as Slack counts them for the per-message budget."""
    texts = [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]
    return sum(len(t["text"]) for t in texts if isinstance(t, dict) and isinstance(t.get("text"), str))


# ---------------------------------------------------------------------- text splitting


#: Paragraphs are kept whole when they fit; a longer one is split between lines, a longer line
#: between words, and only a single word over the limit inside itself.
_SPLITTER = RecursiveCharacterTextSplitter(
    chunk_size=MAX_SECTION_TEXT, chunk_overlap=0, separators=["\n\n", "\n", " ", ""], keep_separator=False
)


def split_text(text: str) -> list[str]:
    """Split (already escaped) ``text`` into non-empty pieces of at most :data:`MAX_SECTION_TEXT` characters."""
    return [piece for piece in _SPLITTER.split_text(text) if piece.strip()]


# ---------------------------------------------------------------------------- answers


def answer_text(answer: Answer) -> str:
    """The plain-text fallback of an answer (notifications, screen readers, old clients): the summary."""
    summary = " ".join(line.strip() for line in answer.summary_body.splitlines() if line.strip())
    return escape(
        truncate(f"{answer.verdict.emoji} {answer.verdict.label_in(answer.language)}: {summary}", FALLBACK_CHARS)
    )


def has_details(answer: Answer) -> bool:
    """Whether the answer has fundamentos beyond its summary (a "Ver fundamentos" button)."""
    return bool(
        answer.details.strip() or answer.draft_findings or len(answer.citations) > len(answer.summary_citations)
    )


def answer_blocks(
    answer: Answer,
    *,
    feedback_ref: str | None,
    share_ref: str | None = None,
    details_ref: str | None = None,
    intro: str | None = None,
) -> list[list[Block]]:
    """An answer's summary as one or more messages' blocks (usually one), within Slack's limits.

    The message holds the verdict as a header, the summary and the (at most three) sources it
    cites. ``details_ref``, if given and the answer has fundamentos, adds a "Ver fundamentos"
    button (``show_details``); ``feedback_ref`` goes in the 👍/👎 buttons (``feedback_up`` /
    ``feedback_down``; None: no buttons, for when the answer could not be stored);
    ``share_ref``, if given, adds a "Compartir en el canal" button (``share_answer``).
    A reference longer than a button value (:data:`MAX_BUTTON_VALUE`) gets no button.
    ``intro`` is a ``mrkdwn`` context line shown above the verdict — build it with
    :func:`shared_intro` or :func:`review_intro`, which escape what they quote.
    """
    content: list[tuple[Block, bool]] = []  # (block, keep with the next block)
    if intro:
        content.append((context(intro), True))
    content.append((header(f"{answer.verdict.emoji} {answer.verdict.label_in(answer.language)}"), True))
    for piece in split_text(_explanation(answer.summary_body)):
        content.append((section(piece), False))
    for citation in answer.summary_sources:
        content.append((context(_citation(citation, quote=False)), False))

    feedback_ref, share_ref = _fits_button(feedback_ref), _fits_button(share_ref)
    details_ref = _fits_button(details_ref) if has_details(answer) else None
    buttons = []
    if details_ref:
        buttons.append(button(phrase(answer.language, "adapter.details_button"), ACTION_DETAILS, details_ref))
    if share_ref:
        buttons.append(button("📣 Compartir en el canal", ACTION_SHARE, share_ref, style="primary"))
    if feedback_ref:
        buttons += [
            button("👍 Me ha servido", ACTION_FEEDBACK_UP, feedback_ref),
            button("👎 No me ha servido", ACTION_FEEDBACK_DOWN, feedback_ref),
        ]
    messages = _pack(content, reserve=1)
    if buttons:
        messages[-1].append({"type": "actions", "block_id": "answer_actions", "elements": buttons})
    return messages


def details_content(answer: Answer) -> list[tuple[Block, bool]]:
    """The fundamentos as blocks (each with "keep with the next block"): every applied and
    related rule with its reasoning, the draft's findings in context and every source with its quote."""
    content: list[tuple[Block, bool]] = [(header(phrase(answer.language, "adapter.details_heading")), True)]
    if answer.details.strip():
        for piece in split_text(_explanation(answer.details)):
            content.append((section(piece), False))
    if answer.draft_findings:
        findings = "*Lo que he visto en tu borrador:*\n" + _findings(answer.draft, answer.draft_findings)
        for piece in split_text(findings):
            content.append((section(piece), False))
    if answer.citations:
        content.append((section("*Fuentes*"), True))
        for citation in answer.citations:
            content.append((context(_citation(citation)), False))
    return content


def details_blocks(answer: Answer) -> list[list[Block]]:
    """The fundamentos as one or more messages (posted in the answer's thread)."""
    return _pack(details_content(answer), reserve=0)


def cap_messages(messages: Sequence[list[Block]], limit: int) -> list[list[Block]]:
    """At most ``limit`` messages (a ``response_url`` takes 5): the first ``limit - 1`` and the
    last one, which has the buttons, opened by a note saying how many parts were left out."""
    if len(messages) <= limit:
        return list(messages)
    if limit < 2:
        raise ValueError("limit must be at least 2")
    skipped = len(messages) - limit
    note = context(
        f"… he omitido {skipped} {'parte' if skipped == 1 else 'partes'} de la respuesta: pregúntame por "
        "mensaje directo para verla entera."
    )
    last = [note, *messages[-1]]
    return [
        *messages[: limit - 1],
        last[:1] + last[len(last) - MAX_MESSAGE_BLOCKS + 1 :] if len(last) > MAX_MESSAGE_BLOCKS else last,
    ]


def _pack(content: Sequence[tuple[Block, bool]], *, reserve: int) -> list[list[Block]]:
    """Greedily fill messages, leaving ``reserve`` blocks free in each for the final actions,
    never leaving a "keep with next" block (a heading) as the last of a message."""
    capacity = MAX_MESSAGE_BLOCKS - reserve
    messages: list[list[Block]] = [[]]
    chars = 0
    for index, (block, keep_with_next) in enumerate(content):
        weight = _weight(block)
        needed = 1
        if keep_with_next and index + 1 < len(content):
            needed, weight = 2, weight + _weight(content[index + 1][0])
        current = messages[-1]
        if current and (len(current) + needed > capacity or chars + weight > MAX_MESSAGE_TEXT):
            messages.append([])
            chars = 0
        messages[-1].append(block)
        chars += _weight(block)
    return messages


def _explanation(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("- "):
            lines.append("• " + escape(stripped[2:]))
        else:
            lines.append(escape(line.rstrip()))
    return "\n".join(lines)


def _findings(draft: str | None, findings: Sequence[DraftFinding]) -> str:
    lines = []
    for finding in findings[:MAX_FINDINGS_SHOWN]:
        label = truncate(finding.label or finding.kind, FINDING_LABEL_CHARS)
        lines.append(f"• {escape(label)}: «{_quote_span(draft, finding)}»")
    if len(findings) > MAX_FINDINGS_SHOWN:
        lines.append(f"• … y {len(findings) - MAX_FINDINGS_SHOWN} más.")
    return "\n".join(lines)


def _quote_span(draft: str | None, finding: DraftFinding) -> str:
    """The finding's span in bold with a little of the draft around it."""
    span = truncate(finding.text, FINDING_SPAN_CHARS)
    context = finding_context(draft, finding)
    if context is None:
        return f"*{escape(span)}*" if span else escape(finding.text[:FINDING_SPAN_CHARS])
    before, after = context
    return f"{escape(before)}*{escape(span)}*{escape(after)}" if span else escape(before + finding.text + after)


def _citation(citation: Citation, *, quote: bool = True) -> str:
    title = truncate(citation.title, TITLE_CHARS)
    details = []
    if citation.locator:
        details.append(escape(truncate(citation.locator, LOCATOR_CHARS)))
    if citation.version:
        details.append(f"versión {escape(truncate(citation.version, VERSION_CHARS))}")
    quoted = ""
    if quote and citation.quote.strip():
        quoted = f"\n«{escape(truncate(' '.join(citation.quote.split()), QUOTE_CHARS + 1))}»"
    text = f"*[{citation.n}]* " + " · ".join([link(citation.url, title), *details]) + quoted
    if len(text) > MAX_CONTEXT_TEXT:  # only a monstrous URL gets here: show the title without it
        text = f"*[{citation.n}]* " + " · ".join([escape(title), *details]) + quoted
    return text


def shared_intro(user_id: str, question: str) -> str:
    """Context line of an answer shared in a channel: who asked, and what."""
    return f"🔎 <@{user_id}> ha preguntado: «{escape(truncate(' '.join(question.split()), 300))}»"


def review_intro(message_text: str) -> str:
    """Context line of a message-shortcut answer: which message was reviewed."""
    return f"📝 Has pedido revisar este mensaje: «{escape(truncate(' '.join(message_text.split()), 200))}»"


def notice_blocks(mrkdwn: str) -> list[Block]:
    """A one-section message (errors, apologies, confirmations); ``mrkdwn`` is already escaped."""
    return [section(piece) for piece in split_text(mrkdwn)][:MAX_MESSAGE_BLOCKS] or [section(EMPTY_TEXT)]
