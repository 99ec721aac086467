"""Answers and bot texts as Telegram messages (``parse_mode="HTML"``). Pure functions, no I/O.

Everything is first built as a list of :class:`Run` s: plain text plus the tags that wrap it.
Source text and user text are never concatenated into HTML by hand; :func:`render_runs`
escapes every run with :func:`html.escape` at the very end. Because a message is a list of
runs rather than a string of HTML, :func:`split_runs` can cut it at Telegram's length limit
anywhere between characters and re-open the tags in the next part: no part is ever cut
inside a tag or an ``&entity;``, and each part is valid HTML on its own.

Telegram measures the limit (:data:`MAX_MESSAGE_LENGTH`, 4,096; :data:`MAX_CAPTION_LENGTH`,
1,024, for captions) on the text *after* entity parsing, i.e. without tags and with ``&lt;``
counted as one, in UTF-16 code units (an emoji outside the BMP counts 2), and it strips
leading and trailing whitespace. :func:`visible_length` counts exactly that; a cut is always
between two code points, so never inside a surrogate pair, and lone surrogates (which
Telegram rejects) become U+FFFD.

An answer shows at most :data:`MAX_FINDINGS_SHOWN` findings of the draft, then «… y N más.»
(as the Slack renderer does).
"""

from __future__ import annotations

import bisect
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram.constants import MessageLimit

from bot import Answer, Citation, DraftFinding, SourceType, finding_context, phrase

if TYPE_CHECKING:
    from bot import SourceInfo

__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_FINDINGS_SHOWN",
    "MAX_MESSAGE_LENGTH",
    "Run",
    "answer_messages",
    "answer_runs",
    "expandable",
    "help_message",
    "notice_message",
    "render_runs",
    "sources_messages",
    "split_runs",
    "to_messages",
    "usage_message",
    "visible_length",
    "welcome_message",
]

#: Telegram's limit for one text message, counted after entity parsing (UTF-16 units).
MAX_MESSAGE_LENGTH: int = MessageLimit.MAX_TEXT_LENGTH
#: Telegram's limit for a photo or document caption, counted the same way.
MAX_CAPTION_LENGTH: int = MessageLimit.CAPTION_LENGTH
#: Findings of the draft listed in an answer; the rest are counted («… y 7 más.»).
MAX_FINDINGS_SHOWN = 20

_SOURCE_GROUPS = {
    SourceType.LEY: "Leyes",
    SourceType.GUIA: "Guía interna",
    SourceType.CONDICIONES: "Condiciones de uso de las redes",
}


# --------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class Run:
    """A piece of plain text and the (already well-formed) HTML tags around it.

    ``text`` is what the reader sees, unescaped; ``opening``/``closing`` are complete tags
    (possibly nested, e.g. ``"<b><i>"``/``"</i></b>"``) built only by the helpers below.
    """

    text: str
    opening: str = ""
    closing: str = ""
    #: A block around this and the neighbouring runs with the same ``block``:
    #: ``"expandable"`` for an expandable blockquote (Telegram cannot nest blockquotes, so
    #: runs inside one must not be :func:`quote` runs).
    block: str = ""


def plain(text: str) -> Run:
    return Run(text)


def bold(text: str) -> Run:
    return Run(text, "<b>", "</b>")


def italic(text: str) -> Run:
    return Run(text, "<i>", "</i>")


def code(text: str) -> Run:
    return Run(text, "<code>", "</code>")


def underline_bold(text: str) -> Run:
    return Run(text, "<b><u>", "</u></b>")


def quote(text: str) -> Run:
    return Run(text, "<blockquote>", "</blockquote>")


def expandable(runs: Iterable[Run]) -> list[Run]:
    """``runs`` inside one expandable blockquote (``<blockquote expandable>``): collapsed to a
    few lines until the reader taps it."""
    return [Run(r.text, r.opening, r.closing, "expandable") for r in runs]


_BLOCKS = {"expandable": ("<blockquote expandable>", "</blockquote>")}


def link(text: str, url: str | None) -> Run:
    """A link, or plain text when the URL is missing or not a web/mail/Telegram address."""
    if not url or urlsplit(url).scheme.lower() not in {"http", "https", "mailto", "tg"}:
        return Run(text)
    return Run(text, f'<a href="{html.escape(url, quote=True)}">', "</a>")


def visible_length(text: str) -> int:
    """Length of plain text as Telegram limits it (UTF-16 code units)."""
    return len(_valid_unicode(text).encode("utf-16-le")) // 2


def _valid_unicode(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (a surrogate pair written as two
    code points becomes the one character it encodes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _clean_runs(runs: Iterable[Run]) -> list[Run]:
    return [Run(_valid_unicode(r.text), r.opening, r.closing, r.block) for r in runs]


def render_runs(runs: Iterable[Run]) -> str:
    """The HTML for a sequence of runs; empty runs produce nothing (no empty tags). Neighbouring
    runs of the same block share one block element."""
    out: list[str] = []
    block = ""
    for run in _clean_runs(runs):
        if not run.text:
            continue
        if run.block != block:
            if block:
                out.append(_BLOCKS[block][1])
            if run.block:
                out.append(_BLOCKS[run.block][0])
            block = run.block
        out.append(f"{run.opening}{html.escape(run.text, quote=False)}{run.closing}")
    if block:
        out.append(_BLOCKS[block][1])
    return "".join(out)


def split_runs(runs: Sequence[Run], limit: int = MAX_MESSAGE_LENGTH) -> list[list[Run]]:
    """Cut a message into parts whose visible text fits in ``limit``.

    Cuts go, by preference, at a blank line, a line break or a space, as late as possible
    but not before half of the allowed length (so a short heading does not become a
    message of its own); only a single word longer than the limit is cut mid-word. The
    whitespace at a cut is dropped, as Telegram would strip it anyway.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    runs = _clean_runs(runs)
    text = "".join(r.text for r in runs)
    starts: list[int] = []
    position = 0
    for run in runs:
        starts.append(position)
        position += len(run.text)
    # cumulative[i] = visible length of text[:i]
    cumulative = [0]
    for char in text:
        cumulative.append(cumulative[-1] + (2 if ord(char) > 0xFFFF else 1))

    parts: list[list[Run]] = []
    start = 0
    while True:
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            break
        # the furthest end such that text[start:end] fits
        hard = bisect.bisect_right(cumulative, cumulative[start] + limit) - 1
        end = len(text) if hard >= len(text) else _best_cut(text, start, hard)
        while end > start and text[end - 1].isspace():
            end -= 1
        parts.append(_slice_runs(runs, starts, start, end))
        start = end
    return parts


def _best_cut(text: str, start: int, hard: int) -> int:
    floor = start + max((hard - start) // 2, 1)
    for separator in ("\n\n", "\n", " "):
        found = text.rfind(separator, floor, hard + 1)
        if found > start:
            return found
    cut = hard
    # keep a character with its combining marks, variation selector, skin tone, and the
    # emoji joined to it by a zero-width joiner (cuts are between code points anyway, so
    # never inside a surrogate pair)
    while cut > floor and (_joins_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    # a run of joiners or marks longer than half a message: cut it anywhere
    return cut if cut > floor else hard


def _joins_previous(char: str) -> bool:
    code_point = ord(char)
    return (
        0x0300 <= code_point <= 0x036F  # combining diacritical marks
        or 0xFE00 <= code_point <= 0xFE0F  # variation selectors
        or code_point == 0x200D  # zero-width joiner
        or 0x1F3FB <= code_point <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code_point <= 0xE007F  # tag characters (subdivision flags)
    )


def _slice_runs(runs: Sequence[Run], starts: Sequence[int], start: int, end: int) -> list[Run]:
    out: list[Run] = []
    for run, run_start in zip(runs, starts, strict=True):
        run_end = run_start + len(run.text)
        if run_end <= start or run_start >= end:
            continue
        piece = run.text[max(start - run_start, 0) : min(end, run_end) - run_start]
        if piece:
            out.append(Run(piece, run.opening, run.closing, run.block))
    return out


def to_messages(runs: Sequence[Run], limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split and render: one HTML string per Telegram message."""
    return [render_runs(part) for part in split_runs(runs, limit)]


# ------------------------------------------------------------------------- answers


def answer_runs(answer: Answer) -> list[Run]:
    """An answer as runs: the verdict, the summary and the sources it cites, then the fundamentos
    (every rule, the draft's findings in context, every source with its quote) in an
    expandable blockquote."""
    verdict = answer.verdict
    runs: list[Run] = [
        bold(f"{verdict.emoji} {verdict.label_in(answer.language)}"),
        plain("\n\n"),
        plain(_bullets(answer.summary_body)),
    ]
    for citation in answer.summary_sources:
        runs += [plain("\n"), bold(f"[{citation.n}]"), plain(" "), *_source_runs(citation)]
    details = _details_runs(answer)
    if details:
        runs += [
            plain("\n\n"),
            bold(phrase(answer.language, "adapter.details_heading")),
            plain(phrase(answer.language, "adapter.unfold") + "\n"),
            *expandable(details),
        ]
    return runs


def _details_runs(answer: Answer) -> list[Run]:
    runs: list[Run] = []
    if answer.details.strip():
        runs.append(plain(_bullets(answer.details)))
    if answer.draft and answer.draft_findings:
        runs += [plain("\n\n"), bold("📝 En tu borrador")]
        for finding in answer.draft_findings[:MAX_FINDINGS_SHOWN]:
            runs += [plain("\n• "), *_finding_runs(answer.draft, finding)]
        hidden = len(answer.draft_findings) - MAX_FINDINGS_SHOWN
        if hidden > 0:
            runs.append(plain(f"\n• … y {hidden} más."))
    if not runs and len(answer.citations) <= len(answer.summary_citations):
        return []
    if answer.citations:
        runs += [plain("\n\n"), bold("Fuentes")]
        for citation in answer.citations:
            runs += [plain("\n\n"), bold(f"[{citation.n}]"), plain(" "), *_source_runs(citation)]
            if citation.quote.strip():
                runs += [plain("\n"), italic(f"«{citation.quote.strip()}»")]
    while runs and not runs[0].text.strip():
        runs.pop(0)
    return runs


def _source_runs(citation: Citation) -> list[Run]:
    runs = [link(f"{citation.title} — {citation.locator}", citation.url)]
    if citation.version:
        runs.append(plain(f" · versión {citation.version}"))
    return runs


def _bullets(text: str) -> str:
    return "\n".join(f"• {line[2:]}" if line.startswith("- ") else line for line in text.strip().split("\n"))


def _finding_runs(draft: str, finding: DraftFinding) -> list[Run]:
    """``DNI: «…el vecino con DNI **12345678Z** vino…»`` with the span highlighted."""
    label = finding.label or finding.kind
    runs = [plain(f"{label[:1].upper()}{label[1:]}: «")]
    context = finding_context(draft, finding)
    if context is None:  # offsets not from this draft: quote the span only
        return [*runs, underline_bold(finding.text), plain("»")]
    before, after = context
    return [*runs, plain(before), underline_bold(finding.text), plain(after), plain("»")]


def answer_messages(answer: Answer, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """The answer as one or more HTML messages, each within Telegram's length limit.

    Layout: the verdict with its emoji in bold; the summary (``- `` items as bullets) and the
    sources it cites; then «📚 Fundamentos» and an expandable blockquote with every rule and its
    reasoning, the findings in the draft (at most :data:`MAX_FINDINGS_SHOWN`, then
    «… y N más.»), each quoted in its context with the span highlighted, and the numbered
    sources, each a link with its version date and its quote. Long answers are split at
    paragraph, then line, then word boundaries; a part that starts inside the fundamentos
    opens its own expandable blockquote.
    """
    return to_messages(answer_runs(answer), limit)


# ------------------------------------------------------------------ other messages


def sources_messages(sources: Sequence[SourceInfo], limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """``/fuentes``: every source the bot answers from, grouped by kind, with its version date."""
    runs: list[Run] = [bold("📚 Fuentes que consulto")]
    if not sources:
        runs.append(plain("\n\nTodavía no hay fuentes indexadas."))
    for tipo, heading in _SOURCE_GROUPS.items():
        group = [s for s in sources if s.tipo == tipo]
        if not group:
            continue
        runs += [plain("\n\n"), bold(heading)]
        for source in group:
            runs += [plain("\n• "), link(source.title, source.url)]
            if source.network and source.network.lower() not in source.title.lower():
                runs.append(plain(f" ({source.network})"))
            runs.append(plain(f" — versión {source.version}" if source.version else " — sin fecha de versión"))
    runs += [
        plain("\n\n"),
        italic("Cito siempre la fuente y su versión; si una norma cambia, respondo con la nueva en cuanto se indexa."),
    ]
    return to_messages(runs, limit)


def welcome_message(bot_username: str | None, contact_unit: str) -> str:
    """``/start``: what the bot does and how to ask, in private and in groups."""
    mention = f"@{bot_username}" if bot_username else "al bot"
    runs = [
        bold("👋 ¡Hola! Soy «Puedo publicar»."),
        plain(
            "\n\nAntes de publicar algo en redes sociales, pregúntame si puedes hacerlo como empleada o "
            "empleado público. Te respondo con un veredicto y las fuentes en que me baso: el EBEP y otras "
            "leyes, la guía interna y las condiciones de uso de las redes."
        ),
        plain("\n\n"),
        bold("Cómo preguntar"),
        plain("\n• En un chat privado conmigo: escribe tu pregunta tal cual."),
        plain(f"\n• En un grupo: menciona a {mention}, responde a uno de mis mensajes o usa "),
        code("/puedo tu pregunta"),
        plain("."),
        plain("\n• Para revisar el texto de un post: responde a ese mensaje con "),
        code("/puedo"),
        plain("."),
        plain("\n\nEjemplos en /ayuda · Fuentes y fechas en /fuentes"),
        plain("\n\n"),
        italic(f"Es una orientación, no asesoramiento jurídico: ante la duda, consulta a {contact_unit}."),
    ]
    return render_runs(runs)


HELP_EXAMPLES = (
    "¿Puedo retuitear la campaña oficial de vacunación?",
    "¿Puedo subir al insta una foto de los vecinos que atendí hoy?",
    "¿Puedo criticar una decisión del gobierno en mi Twitter personal?",
    "¿Puedo contar en un hilo cómo va el expediente que llevo?",
)


def help_message(bot_username: str | None) -> str:
    """``/ayuda``: example questions and how to have a draft checked."""
    mention = f"si me mencionas (@{bot_username})" if bot_username else "si me mencionas"
    runs: list[Run] = [bold("❓ Ejemplos de preguntas"), plain("\n")]
    for example in HELP_EXAMPLES:
        runs += [plain("\n• "), code(example)]
    runs += [
        plain("\n\n"),
        bold("Revisar un borrador"),
        plain("\nReenvíame el mensaje con el texto que quieres publicar y lo reviso como borrador. También puedes "),
        plain("responder a ese mensaje con "),
        code("/puedo"),
        plain(" (o con "),
        code("/puedo ¿y en LinkedIn?"),
        plain("). Te aviso si contiene datos personales (DNI, teléfonos, correos…) o información interna."),
        plain("\n\n"),
        bold("Preguntas de seguimiento"),
        plain("\nSi respondes a mi respuesta, o me escribes poco después algo como "),
        code("¿Y si tengo la autorización firmada?"),
        plain(" o "),
        code("¿Y en LinkedIn?"),
        plain(", lo leo con lo que me contaste antes (solo lo recuerdo un rato, en memoria). "),
        code("/nuevo"),
        plain(" empieza otra pregunta desde cero."),
        plain("\n\n"),
        bold("En grupos"),
        plain(f"\nSolo hablo {mention}, si respondes a un mensaje mío o con "),
        code("/puedo"),
        plain(". El resto de la conversación ni lo respondo ni lo guardo."),
        plain("\n\nDebajo de cada respuesta puedes valorarla con 👍 o 👎: nos ayuda a mejorar."),
    ]
    return render_runs(runs)


def usage_message() -> str:
    """``/puedo`` (or a bare mention) without a question or a message to review."""
    return render_runs(
        [
            plain("Escribe la pregunta después del comando, por ejemplo "),
            code("/puedo ¿Puedo compartir la convocatoria de oposiciones?"),
            plain(", o responde con "),
            code("/puedo"),
            plain(" al mensaje que quieres revisar."),
        ]
    )


def notice_message(text: str) -> str:
    """A short message for the user (e.g. a ``QuestionError``), escaped; cut with «…» to
    one message if it is longer than Telegram allows."""
    parts = split_runs([plain(text)], MAX_MESSAGE_LENGTH - 1)
    if len(parts) <= 1:
        return render_runs([plain(text)])
    return render_runs([*parts[0], plain("…")])
