"""What the bot reads in a message before it looks anything up: pure, no index, no model.

:func:`read` normalises the question and the draft, removes directives aimed at the bot, tells
a request for information from one for a verdict, and finds the signals. With
:func:`bot.decision.decide` it is the whole decision, testable on the real ``knowledge/``
folder without Chroma or the embedding model; :class:`bot.service.Service` adds retrieval,
citations and the index around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.intent import is_question_of_fact, pushes_for_yes, strip_injection
from bot.normalize import normalize
from bot.signals import SignalBook, SignalClass, SignalHit
from bot.text import fold

if TYPE_CHECKING:
    from bot.vision import ImageReading


@dataclass(frozen=True)
class Reading:
    """A message as the decision sees it."""

    #: The question as the person wrote it, normalised.
    asked: str
    #: The question, normalised and without directives to the bot.
    question: str
    #: The draft, normalised (screened whole, directives included: they are part of the post).
    draft: str | None
    #: The draft without directives, for searching the sources.
    searched_draft: str | None
    #: Whether a directive was removed from the question or the draft.
    injection: bool
    #: The directives push for a permissive answer (never taken as evidence; see ``decide``).
    pushes_for_yes: bool
    question_of_fact: bool
    hits: tuple[SignalHit, ...]

    @property
    def draft_hits(self) -> list[SignalHit]:
        return [h for h in self.hits if h.field == "borrador"]

    @property
    def empty(self) -> bool:
        """Nothing was asked: no question (before removing directives) and no draft."""
        return not self.asked and not self.draft


def read(question: str, draft: str | None, book: SignalBook) -> Reading:
    """Read a question (and the draft of the post, if any)."""
    question = normalize(question or "").strip()
    draft = normalize(draft or "").strip() or None
    clean, injection = strip_injection(question)
    searched_draft, draft_injection = strip_injection(draft) if draft else (None, False)
    hits = book.detect(clean, "pregunta") + book.detect(draft, "borrador")
    return Reading(
        asked=question,
        question=clean,
        draft=draft,
        searched_draft=searched_draft,
        injection=injection or draft_injection,
        pushes_for_yes=(injection and pushes_for_yes(question)) or (draft_injection and pushes_for_yes(draft or "")),
        question_of_fact=is_question_of_fact(clean, bool(draft)),
        hits=tuple(hits),
    )


#: Words of text in a photo from which it counts as a screen, a form or a document.
DOCUMENT_WORDS = 30


def image_hits(seen: Sequence[ImageReading], book: SignalBook) -> list[SignalHit]:
    """The signals in what was seen in photos: their text screened like a draft (field
    ``imagen``), faces as people in the picture, and a lot of text as a screen or a document.
    Spans point into the photos' text joined by newlines; a face has an empty span."""
    hits: list[SignalHit] = []
    text = "\n".join(r.text for r in seen if r.text)
    hits += book.detect(text, "imagen")
    found = {h.signal for h in hits}
    squeezed = _squeeze(text)
    for signal, phrase, compact in _compact_phrases(book):
        if signal not in found and compact in squeezed:  # OCR often drops spaces: «USOINTERNO»
            hits.append(SignalHit(signal, phrase, 0, 0, "imagen"))
            found.add(signal)
    faces = sum(len(r.faces) for r in seen)
    if faces:
        said = "una cara" if faces == 1 else f"{faces} caras"
        for signal in ("imagen", "persona_identificable"):
            if book.get(signal) is not None:
                hits.append(SignalHit(signal, said, 0, 0, "imagen"))
    if len(text.split()) >= DOCUMENT_WORDS and book.get("pantalla_documentos") is not None:
        hits.append(SignalHit("pantalla_documentos", "mucho texto en la foto", 0, 0, "imagen"))
    return hits


#: A phrase matched without its spaces must be at least this long (shorter ones hide in words).
COMPACT_MIN = 9
_compact_cache: dict[int, tuple[tuple[str, str, str], ...]] = {}


def _squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-zñ]", "", fold(text))


def _compact_phrases(book: SignalBook) -> tuple[tuple[str, str, str], ...]:
    """Multi-word phrases of the risk and context signals, without spaces, for OCR text."""
    key = id(book)
    if key not in _compact_cache:
        rows = []
        for signal in book.signals.values():
            if signal.cls not in (SignalClass.RIESGO, SignalClass.CONTEXTO):
                continue
            for phrases in signal.phrases.values():
                for phrase in phrases:
                    compact = _squeeze(phrase)
                    if " " in phrase.strip() and "*" not in phrase and len(compact) >= COMPACT_MIN:
                        rows.append((signal.id, phrase, compact))
        _compact_cache.clear()  # one book at a time: a reloaded senales.yaml replaces it
        _compact_cache[key] = tuple(rows)
    return _compact_cache[key]


def see(images: Sequence[bytes]) -> list[ImageReading]:
    """Read each photo (:func:`bot.vision.read_image`); an unreadable one is a ``QuestionError``."""
    if not images:
        return []
    from bot.service import QuestionError
    from bot.vision import ImageError, read_image

    seen = []
    for number, data in enumerate(images, 1):
        try:
            seen.append(read_image(data))
        except ImageError as exc:
            which = "la imagen" if len(images) == 1 else f"la imagen {number}"
            raise QuestionError(f"No puedo leer {which}: {exc}.") from None
    return seen
