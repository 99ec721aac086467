"""What the bot reads in a message before it looks anything up: pure, no index, no model.

:func:`read` normalises the question and the draft, removes directives aimed at the bot, tells
a request for information from one for a verdict, and finds the signals. With
:func:`bot.decision.decide` it is the whole decision, testable on the real ``knowledge/``
folder without Chroma or the embedding model; :class:`bot.service.Service` adds retrieval,
citations and the index around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.intent import asks_requirements, is_question_of_fact, pushes_for_yes, strip_injection
from bot.models import ImageSeen
from bot.normalize import normalize
from bot.signals import SignalBook, SignalHit, named_words


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
    #: The person asks what it takes to do it («¿qué necesitamos?»).
    asks_requirements: bool = False
    #: Signals the question says are not there or takes out («sin nombres», «tapo la matrícula»).
    absent: frozenset[str] = frozenset()

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
    asked_hits, absent = book.detect_with_absent(clean, "pregunta")
    hits = asked_hits + book.detect(draft, "borrador", named_words(clean))
    return Reading(
        asked=question,
        question=clean,
        draft=draft,
        searched_draft=searched_draft,
        injection=injection or draft_injection,
        pushes_for_yes=(injection and pushes_for_yes(question)) or (draft_injection and pushes_for_yes(draft or "")),
        question_of_fact=is_question_of_fact(clean, bool(draft)),
        hits=tuple(hits),
        asks_requirements=asks_requirements(clean),
        absent=absent,
    )


#: Words of text in a photo from which it counts as a screen, a form or a document.
DOCUMENT_WORDS = 30


def image_hits(seen: Sequence[ImageSeen], book: SignalBook) -> list[SignalHit]:
    """The signals in what was seen in photos: their text screened like a draft (field
    ``imagen``), faces as people in the picture, and a lot of text as a screen or a document.
    Spans point into the photos' text joined by newlines; a face has an empty span."""
    hits: list[SignalHit] = []
    text = "\n".join(r.text for r in seen if r.text)
    hits += book.detect(text, "imagen")
    hits += book.spaceless_hits(text, "imagen", exclude={h.signal for h in hits})
    faces = sum(r.faces for r in seen)
    if faces:
        said = "una cara" if faces == 1 else f"{faces} caras"
        for signal in ("imagen", "persona_identificable"):
            if book.get(signal) is not None:
                hits.append(SignalHit(signal, said, 0, 0, "imagen"))
    if len(text.split()) >= DOCUMENT_WORDS and book.get("pantalla_documentos") is not None:
        hits.append(SignalHit("pantalla_documentos", "mucho texto en la foto", 0, 0, "imagen"))
    return hits
