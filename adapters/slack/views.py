"""Block Kit views besides answer messages: help, the App Home tab, the fundamentos modal and
the 👎 comment modal.

Pure functions built from :mod:`adapters.slack.render`'s block constructors, within the same
Slack limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from adapters.slack.mrkdwn import escape, link, truncate
from adapters.slack.render import (
    COMMENT_ACTION,
    COMMENT_BLOCK,
    FEEDBACK_MODAL_CALLBACK,
    MAX_COMMENT_CHARS,
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    MAX_VIEW_TITLE,
    TITLE_CHARS,
    VERSION_CHARS,
    Block,
    context,
    details_content,
    header,
    plain,
    section,
    split_text,
)
from bot import Answer, SourceType

if TYPE_CHECKING:
    from bot import SourceInfo

__all__ = ["EXAMPLES", "details_modal", "feedback_modal", "feedback_thanks_modal", "help_blocks", "home_view"]

MAX_SOURCES_SHOWN = 60
EXAMPLES = (
    "¿Puedo subir al insta una foto de los vecinos que atendí hoy?",
    "¿Puedo retuitear la campaña oficial de vacunación?",
    "¿Puedo criticar en mi Twitter personal una decisión del gobierno?",
    "¿Puedo contar en LinkedIn en qué expediente estoy trabajando?",
)

_SOURCE_KIND = {SourceType.LEY: "Ley", SourceType.GUIA: "Guía interna", SourceType.CONDICIONES: "Condiciones de uso"}


# ------------------------------------------------------------------ help and App Home


def _sources_lines(sources: Sequence[SourceInfo]) -> list[str]:
    lines = []
    for source in sources[:MAX_SOURCES_SHOWN]:
        kind = _SOURCE_KIND.get(source.tipo, str(source.tipo))
        version = f" — versión {escape(truncate(source.version, VERSION_CHARS))}" if source.version else ""
        lines.append(f"• {kind}: {link(source.url, truncate(source.title, TITLE_CHARS))}{version}")
    if len(sources) > MAX_SOURCES_SHOWN:
        lines.append(f"• … y {len(sources) - MAX_SOURCES_SHOWN} fuentes más.")
    return lines


def help_blocks(sources: Sequence[SourceInfo] | None, contact_unit: str, *, home: bool = False) -> list[Block]:
    """What the bot does, how to ask, examples and the sources with their version dates.

    ``sources`` is None when they could not be read (the index is not ready).
    ``home`` adapts the wording for the App Home tab.
    """
    blocks: list[Block] = [
        header("📣 Puedo publicar"),
        section(
            "Antes de publicar algo en redes sociales, pregúntame. Te digo si puedes hacerlo según el "
            "*Estatuto Básico del Empleado Público*, la *guía interna* y las *condiciones de uso* de cada "
            "red, y te cito las fuentes (artículo o regla, con enlace y fecha de versión)."
        ),
        section(
            "*Cómo preguntarme*\n"
            "• Escríbeme un *mensaje directo* con tu pregunta.\n"
            "• *Mencióname* en un canal (`@Puedo publicar ¿…?`) y te respondo en el hilo. En un hilo, "
            "mencióname sin más texto y revisaré el primer mensaje del hilo como borrador.\n"
            "• Usa `/puedopublicar tu pregunta`: solo tú verás la respuesta y podrás compartirla en el canal.\n"
            "• En cualquier mensaje, menú *⋮* → *¿Puedo publicar esto?*: reviso ese texto y te respondo en privado.\n"
            "• Para que revise el texto de tu publicación, pégalo como cita (cada línea empezando por `>`).\n"
            "• *Preguntas de seguimiento*: en el mismo hilo, o en el mensaje directo poco después "
            "(`¿Y si tengo la autorización firmada?`, `¿Y en LinkedIn?`), leo tu pregunta con lo que me "
            "contaste antes; solo lo recuerdo un rato, en memoria. Escribe `nueva pregunta` para empezar de cero."
        ),
        section("*Ejemplos*\n" + "\n".join(f"• {escape(example)}" for example in EXAMPLES)),
        {"type": "divider"},
    ]
    if sources is None:
        blocks.append(section("*Fuentes que consulto*\nAhora mismo no puedo leer la lista de fuentes."))
    elif not sources:
        blocks.append(section("*Fuentes que consulto*\nTodavía no hay fuentes indexadas."))
    else:
        text = "*Fuentes que consulto*\n" + "\n".join(_sources_lines(sources))
        blocks += [section(piece) for piece in split_text(text)]
    tail = "Pregúntame cuando quieras desde la pestaña *Mensajes*. " if home else ""
    blocks.append(
        context(
            f"{tail}Mis respuestas orientan, no sustituyen a nadie: si tienes dudas, consulta a {escape(contact_unit)}."
        )
    )
    return blocks[: MAX_VIEW_BLOCKS if home else MAX_MESSAGE_BLOCKS]


def home_view(sources: Sequence[SourceInfo] | None, contact_unit: str) -> Block:
    """The App Home tab (``views.publish``)."""
    return {"type": "home", "blocks": help_blocks(sources, contact_unit, home=True)}


# ----------------------------------------------------------------------- fundamentos


def details_modal(answer: Answer) -> Block:
    """The fundamentos of an answer in a modal, for answers that have no thread to post them in
    (private answers of the slash command). A modal holds at most :data:`MAX_VIEW_BLOCKS`
    blocks: beyond that, the last one says how many were left out."""
    blocks = [block for block, _ in details_content(answer)]
    if len(blocks) > MAX_VIEW_BLOCKS:
        hidden = len(blocks) - MAX_VIEW_BLOCKS + 1
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], context(f"… y {hidden} bloques más: pregúntame por mensaje directo.")]
    return {
        "type": "modal",
        "title": plain("Fundamentos", MAX_VIEW_TITLE),
        "close": plain("Cerrar", MAX_VIEW_TITLE),
        "blocks": blocks,
    }


# ------------------------------------------------------------------------- feedback


def feedback_modal(feedback_ref: str) -> Block:
    """The modal opened on 👎: an optional short comment about what went wrong.

    ``feedback_ref`` comes from a button value, so it fits in ``private_metadata`` (3,000)."""
    return {
        "type": "modal",
        "callback_id": FEEDBACK_MODAL_CALLBACK,
        "private_metadata": feedback_ref,
        "title": plain("¿Qué ha fallado?", MAX_VIEW_TITLE),
        "submit": plain("Enviar", MAX_VIEW_TITLE),
        "close": plain("Cancelar", MAX_VIEW_TITLE),
        "blocks": [
            section("Gracias por avisar. He anotado tu 👎. Si quieres, cuéntanos qué esperabas (opcional)."),
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Comentario"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_ACTION,
                    "multiline": True,
                    "max_length": MAX_COMMENT_CHARS,
                    "placeholder": {"type": "plain_text", "text": "Por ejemplo: la norma citada no es la que aplica"},
                },
            },
            context("No escribas datos personales: el comentario lo leerá el equipo que mantiene el bot."),
        ],
    }


def feedback_thanks_modal() -> Block:
    """What the feedback modal turns into after submitting."""
    return {
        "type": "modal",
        "title": plain("¡Gracias!", MAX_VIEW_TITLE),
        "close": plain("Cerrar", MAX_VIEW_TITLE),
        "blocks": [section("Tu comentario nos ayuda a mejorar las respuestas.")],
    }
