"""Slack's text format in both directions: what we send (mrkdwn) and what users send us.

Outbound, every piece of user or source text goes through :func:`escape` before it is put
into a ``mrkdwn`` text object, so that nothing a user typed or a source says can become a
link, a mention (``<!channel>``) or formatting. Links are only ever built by :func:`link`.

Inbound, Slack delivers message text already encoded: ``&amp;``/``&lt;``/``&gt;`` entities,
``<@U123>`` mentions, ``<https://x|label>`` and ``<mailto:a@b.es|a@b.es>`` links. The core
wants plain text (an e-mail in a draft must read as an e-mail), so :func:`to_plain` decodes it.
"""

from __future__ import annotations

import re

from bot import DRAFT_QUESTION

__all__ = [
    "escape",
    "escape_controls",
    "link",
    "split_draft",
    "to_plain",
    "truncate",
]

# mrkdwn has no escape for its formatting markers, so they are replaced by look-alikes that
# Slack does not interpret: ∗ (U+2217), ∼ (U+223C), ˋ (U+02CB), ＿ (U+FF3F).
_MARKERS = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb"})
# ``_`` only formats at a word boundary (``_cursiva_``); ``nombre_de_usuario`` is left alone.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def escape_controls(text: str) -> str:
    """Escape Slack's three control characters (``&``, ``<``, ``>``) as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Make ``text`` safe to embed in ``mrkdwn``: it is shown exactly as written.

    Escapes the control characters (so ``<!channel>`` or ``<https://evil|ok>`` stay text) and
    neutralises the formatting markers ``*``, ``~``, `````` ` `````` and word-boundary ``_``.
    """
    return _UNDERSCORE.sub("\uff3f", escape_controls(text).translate(_MARKERS))


def link(url: str | None, text: str) -> str:
    """A ``<url|text>`` link, or just the escaped ``text`` when the URL is missing or not http(s)."""
    label = escape(text).replace("|", "¦")
    if not url or not re.match(r"https?://", url, re.IGNORECASE):
        return label
    safe_url = (
        url.strip()
        .replace("&", "&amp;")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
        .replace(" ", "%20")
    )
    return f"<{safe_url}|{label}>"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with ``…`` if cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


# ------------------------------------------------------------------------------ inbound

_ANGLE = re.compile(r"<([^<>]*)>")


def to_plain(text: str, *, drop_user: str | None = None) -> str:
    """Slack message text → plain text for the core.

    ``drop_user`` (the bot's user id) removes mentions of the bot; other mentions become
    ``@U123`` / ``#canal``; links become their label (or the URL, with the label if they
    differ); the ``&amp;``, ``&lt;``, ``&gt;`` entities are decoded last.
    """

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user = target[1:]
            return "" if drop_user and user == drop_user else f"@{label or user}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            special = target[1:].split("^", 1)[0]
            return label or f"@{special}"
        if target.startswith(("mailto:", "tel:")):
            return label or target.split(":", 1)[1]
        if label and label != target:
            return f"{label} ({target})"
        return target

    plain = _ANGLE.sub(replace, text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in plain.splitlines()]
    return "\n".join(lines).strip()


def split_draft(text: str) -> tuple[str, str | None]:
    """Separate a question from a draft given as a quote.

    Lines that start with ``>`` (a Slack quote) are the text the user wants to publish; the
    other lines are the question. A message that is only a quote asks :data:`DRAFT_QUESTION`.
    ``text`` is plain text (see :func:`to_plain`).
    """
    question: list[str] = []
    draft: list[str] = []
    for line in text.splitlines():
        if line.startswith(">"):
            draft.append(line[1:].strip())
        else:
            question.append(line)
    draft_text = "\n".join(draft).strip() or None
    question_text = "\n".join(question).strip()
    if draft_text and not question_text:
        question_text = DRAFT_QUESTION
    return question_text, draft_text
