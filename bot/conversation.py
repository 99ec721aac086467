"""Follow-up questions: a message read together with the earlier turns of its conversation.

«¿Puedo subir la foto de la excursión con los alumnos?» and then «¿Y si tengo la autorización
firmada de las familias?»: the second message only makes sense with the first. Here a message
is joined to what the earlier turns said (:class:`~bot.models.Context`), all pure code:

- the signals found in earlier questions still hold (field ``conversacion``), unless a later
  message cancels them (a signal's ``anula`` in ``senales.yaml``: «mi cuenta personal» after
  «la cuenta oficial»), takes them out («¿y si tapo la matrícula?», «sin nombres»:
  :meth:`~bot.signals.SignalBook.absent`) or lifts them (``levanta``: signed consent); what a
  turn cancels stays cancelled in the turns after it;
- a lift said in an earlier turn («todos me han dado permiso») covers what was said until
  then, not what this message brings up anew («¿y la foto de Marta?»: :mod:`bot.decision`);
- the latest draft and the latest photos are still the post being discussed, until a message
  brings new ones;
- a follow-up that replaces the content («¿y si en vez del vídeo subo un consejo?», «¿y si
  solo pongo la cifra total?», a corrected draft pasted with «lo he cambiado, mira:») drops what was said about the old content, its draft and its
  photos, and keeps only the signals about who posts, from which account or when
  (``persiste`` in ``senales.yaml``), for this turn and the ones after it; one that only
  brings a new who («¿y si en vez de auxiliar fuera guardia civil?») keeps the content; one
  about somebody else posting («Y mi mujer, que trabaja en una academia, ¿puede compartirlo?»,
  :func:`someone_else_posts`) drops what was said about the asker (their job, their account);
- one that names, for an account, a thing not named before («¿Y en la cuenta oficial el cartel de
  las fiestas?» after the party's rally, :func:`names_new_thing`) is another post: like a
  replacement, it keeps only who posts, from which account and when;
- after a verdict, a follow-up without a draft asks for a verdict too («¿Y en LinkedIn?»,
  «¿seguro?», «¿Así sí?»), unless it asks for information in so many words («¿Y si lo
  comunico por el canal interno? ¿Qué protección tendría?»); after an answer with
  information, it is read as it stands; a network named now replaces the one named before in
  what is searched;
- one that goes back to what the first message described («vale, subo la primera») drops
  what the later turns added about another photo or version;
- a follow-up that stands on its own words (not short, not opening like «¿Y si…?»; after a
  short preface such as «Vale, esa no.», its question is what counts) and says nothing about the
  post is in scope on those words alone («Ya que estamos, ¿me recomiendas una novela?» is not);
- a draft or photo carried from earlier turns is still the post discussed, but a follow-up that
  asks for information in so many words («¿y la ley del informante me protegería?») gets
  information, not a verdict on that post (:mod:`bot.service`);
- a message that opens another matter («Gracias. Otra cosa: …», «Totally unrelated: …»,
  :func:`changes_topic`) is read on its own, scope and intent included, keeping only who posts,
  from which account and when.

The context lives in memory only, with whoever holds the conversation; it is bounded
(:data:`MAX_TURNS`, :data:`MAX_TURN_CHARS`). Who decides that a message follows another (a
reply in a thread, the next private message within a few minutes) is the adapter's business:
:func:`follows_up` and :func:`is_reset` help with the wording.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from bot import yamlfile
from bot.intent import I18N_DIR, alternatives, information_questions, questions
from bot.models import Context, ImageSeen, Turn
from bot.pipeline import Reading, image_hits
from bot.signals import Field, SignalBook, SignalHit, named_words
from bot.text import fold

__all__ = [
    "MAX_TURNS",
    "MAX_TURN_CHARS",
    "Followed",
    "changes_topic",
    "follow",
    "follows_up",
    "is_reset",
    "names_new_thing",
    "next_context",
    "picks_first",
    "replaces_content",
    "revises",
]

#: Earlier turns kept: a conversation about one post rarely needs more.
MAX_TURNS = 5
#: Characters kept of each earlier question and draft.
MAX_TURN_CHARS = 4000
#: A follow-up this short (in words) only makes sense with the turns before it:
#: «¿Y en LinkedIn?» is about the post discussed before, and in scope if it was.
ELLIPTIC_WORDS = 8

#: Names people give the networks besides their own (``KNOWN_NETWORKS``).
_NETWORK_ALIASES = {"twitter", "insta", "ig", "fb", "face", "tik tok", "linked in", "yt", "tuit", "tuiter"}


@lru_cache(maxsize=1)
def _network() -> re.Pattern[str]:
    from bot.documents import KNOWN_NETWORKS  # parsers for PDF and DOCX: not needed at import time

    names = sorted(map(re.escape, KNOWN_NETWORKS | _NETWORK_ALIASES), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(names) + r")\b")


@dataclass(frozen=True)
class Followed:
    """A message read with its conversation: what the decision and the search need."""

    reading: Reading
    #: The photos still being discussed: this message's, or the latest earlier ones.
    images: tuple[ImageSeen, ...]
    #: The earlier questions, for searching and for telling whether it is in scope.
    earlier: str
    #: Whether the draft came from an earlier turn.
    draft_carried: bool = False
    #: Whether the photos came from an earlier turn.
    images_carried: bool = False
    #: Whether this message opens another matter (:func:`changes_topic`): read on its own.
    new_topic: bool = False
    #: Whether this message only makes sense with the earlier turns (short, or opening like
    #: «¿Y si…?»): it is in scope if they are.
    elliptic: bool = True

    def has_material(self, question_of_fact: bool) -> bool:
        """Whether a draft or photo is before the decision: this message's own always; one carried
        from earlier turns unless this message asks for information in so many words («¿y la ley
        del informante me protegería?»)."""
        own = (self.reading.draft is not None and not self.draft_carried) or (self.images and not self.images_carried)
        carried = self.reading.draft is not None or bool(self.images)
        return bool(own) or (carried and not question_of_fact)


def follow(reading: Reading, images: Sequence[ImageSeen], context: Context | None, book: SignalBook) -> Followed:
    """``reading`` (this message) joined to the earlier turns in ``context``.

    ``reading.hits`` must already include this message's photo signals; the carried draft's and
    photos' signals, and the earlier questions' (as ``conversacion``), are added here.
    """
    turns = context.turns if context else ()
    if not turns:
        return Followed(
            replace(reading, hits=(*reading.hits, *_own_matters(reading.question, reading.draft, (), book))),
            tuple(images),
            "",
        )
    content = frozenset(s.id for s in book.signals.values() if not s.persists)
    now = {h.signal for h in reading.hits}
    cancelled = _cancelled_by(now, book) | reading.absent
    if someone_else_posts(reading.question):
        # What was said about the asker (their job, their account) is not about the one who posts now.
        cancelled |= frozenset(book.signals) - content
    new_topic = changes_topic(reading.question)
    # «¿Y si en vez de auxiliar fuera guardia civil?» changes who posts, not what is posted.
    only_who = bool(now) and all((sig := book.get(h)) is not None and sig.persists for h in now)
    corrected = _corrects(reading.question, reading.draft)
    # «Para el canal oficial, y quitaríamos la parte de alarmas»: a new account, and less content.
    said = [" ".join(filter(None, (t.question, t.draft))) for t in turns]
    replaced = (
        new_topic
        or (
            (replaces_content(reading.question) or corrected or names_new_thing(reading.question, said))
            and not only_who
        )
        or drops_part(reading.question)
    )
    # What was said about the old content no longer holds; who, where and when do. A corrected
    # text drops what was said, not what the photos still show (``reworded``, not for photos).
    reworded: set[str] = set()
    if replaced:
        (reworded if corrected and not new_topic else cancelled).update(content)
    # «Vale, subo la primera»: what the later turns said about another photo or version goes.
    first_only = not replaced and len(turns) > 1 and picks_first(reading.question)
    hits = list(reading.hits)
    # Newest first: what a turn cancels or replaces stays cancelled for the turns before it, and
    # the draft and photos still discussed are the latest ones since the content last changed.
    draft, shown = reading.draft, tuple(images)
    want_draft, want_images = draft is None and not replaced, not shown and (not replaced or corrected)
    for k, turn in reversed(list(enumerate(turns))):
        if want_draft and turn.draft:
            draft, want_draft = turn.draft, False
            named = named_words(turn.question)
            hits += [h for h in book.detect(turn.draft, "borrador", named) if h.signal not in cancelled | reworded]
        if want_images and turn.images:
            shown, want_images = turn.images, False
            hits += [h for h in image_hits(shown, book) if h.signal not in cancelled]
        found, gone = book.detect_with_absent(turn.question, "conversacion")
        # «Soy veterinaria oficial… una marca de embutidos me ofrece…», then «¿Y si solo me mandan
        # una cesta?»: the matter said in that turn still counts.
        found += [
            replace(h, field="conversacion")
            for h in _own_matters(turn.question, None, [t.question for t in turns[:k]], book)
        ]
        if first_only and turn is not turns[0]:
            found = [h for h in found if h.signal not in content]
        hits += [h for h in found if h.signal not in now and h.signal not in cancelled | reworded]
        cancelled |= _cancelled_by({h.signal for h in found}, book) | gone
        if (
            replaces_content(turn.question)
            or changes_topic(turn.question)
            or drops_part(turn.question)
            or names_new_thing(turn.question, said[:k])
        ):
            cancelled |= content
            want_draft = want_images = False
        elif _corrects(turn.question, turn.draft):
            reworded |= content
            want_draft = False
    carried = draft is not None and reading.draft is None
    images_carried = bool(shown) and not images

    fact = reading.question_of_fact
    elliptic = _elliptic(reading.question)
    # A general aside («Por curiosidad, ¿cuántos huevos pone un águila?») does not end the post
    # being discussed: «¿Y en Bluesky igual?» after it still asks about the post before the aside.
    last = turns[-1]
    if last.informative and len(turns) > 1 and _vocabulary().curious.search(fold(last.question).strip()):
        last = turns[-2]
    if fact and not last.informative and reading.draft is None and not new_topic:
        # After a verdict, «¿Y si…?», «¿y en LinkedIn?», «¿Así sí?» or «¿seguro?» still ask for one,
        # unless they ask for information in so many words («… ¿Qué protección tendría?»).
        fact = any(map(_asks_information, questions(reading.question))) or bool(
            _LAST_CLAUSE_ASKS.search(reading.question)
        )
    if reading.draft is None and _vocabulary().curious.search(fold(reading.question).strip()):
        fact = True  # «Por curiosidad, …», «Por saber: …»: a general question, whatever follows

    earlier = [t.question for t in reversed(turns)] if not new_topic else []
    if _network().search(fold(reading.question)):
        earlier = [_network().sub(" ", fold(q)) for q in earlier]
    followed = replace(
        reading,
        draft=draft,
        searched_draft=reading.searched_draft if not carried else draft,
        question_of_fact=fact,
        hits=tuple(_unique([*hits, *_own_matters(reading.question, draft, [t.question for t in turns], book)])),
    )
    return Followed(followed, shown, " ".join(earlier), carried, images_carried, new_topic, elliptic)


def _own_matters(question: str, draft: str | None, earlier: Sequence[str], book: SignalBook) -> list[SignalHit]:
    """A matter of the asker's own job in what they post («Soy técnico de Hacienda… os ayudo con
    la declaración»), the job said in this message or an earlier one (:meth:`SignalBook.matters_of_the_job`)."""
    said: list[tuple[str, Field]] = [(question, "pregunta")]
    if draft:
        said.append((draft, "borrador"))
    return book.matters_of_the_job(said, earlier)


def next_context(
    context: Context | None, asked: Reading, followed: Followed, *, informative: bool | None = None
) -> Context:
    """The context after this message: its question, its own draft and photos (``asked``: the
    message as read alone), whether it was answered as a request for information
    (``informative``; by default, as followed), and the last turns only."""
    turn = Turn(
        question=asked.question[:MAX_TURN_CHARS],
        draft=asked.draft[:MAX_TURN_CHARS] if asked.draft else None,
        images=followed.images if not followed.images_carried else (),
        informative=followed.reading.question_of_fact if informative is None else informative,
    )
    turns = (*(context.turns if context else ()), turn)
    return Context(turns=turns[-MAX_TURNS:])


def follows_up(message: str) -> bool:
    """Whether a message reads as a continuation of the one before («¿Y si…?», «vale, ¿y en
    LinkedIn?», «¿seguro?»): it opens with a connective, or it is too short to stand alone.

    For a private chat's next message; a reply in a thread is a follow-up whatever it says.
    """
    text = fold(message).strip(" ¿?¡!.,;:")
    if not text or is_reset(message):
        return False
    if len(text.split()) <= 3:
        return True
    # The message's opening, or its first question's: «Jo. ¿Y si espero a que salga en el BOE?»
    first_question = _first_question(fold(message))
    return any(_vocabulary().opening.match(t) for t in (text, first_question) if t)


def is_reset(message: str) -> bool:
    """Whether the message asks to start over («nueva pregunta», «/nuevo», «new question»)."""
    return bool(_vocabulary().reset.fullmatch(fold(message).strip(" ¿?¡!.,;:")))


def replaces_content(message: str) -> bool:
    """Whether a follow-up changes what is posted («¿y si en vez del vídeo subo un consejo?»,
    «¿y si solo pongo la cifra total?»), rather than adding to it or changing where («¿y en
    LinkedIn en vez de en Instagram?» only changes the network)."""
    text = fold(message)
    for match in _vocabulary().replacing.finditer(text):
        following = " ".join(text[match.end() :].split()[:3])
        if not _network().search(following):
            return True
    return False


def names_new_thing(message: str, earlier: Sequence[str]) -> bool:
    """Whether a follow-up asks about another thing to post, named for the first time, from an
    account («¿Y en la cuenta oficial el cartel de las fiestas?» after the party's rally; but «¿Y en
    la oficial el vídeo?» after «el vídeo» is the same post)."""
    text = fold(message).strip()
    said = {_bare(w) for w in fold(" ".join(earlier)).split()}
    for match in _vocabulary().new_thing.finditer(text):
        words = text[match.end() :].split()
        if words and _bare(words[0]) not in said:
            return True
    return False


def _bare(word: str) -> str:
    """A word without punctuation around it nor a plural «s» («fotos?» → «foto»)."""
    word = word.strip("¿?¡!.,;:'\"«»()")
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def someone_else_posts(message: str) -> bool:
    """Whether a follow-up asks about somebody else posting («Y mi mujer, que trabaja en una
    academia, ¿puede compartir el cartel?»): what was said about the asker no longer describes
    who posts."""
    return _vocabulary().someone_else.search(fold(message)) is not None


def drops_part(message: str) -> bool:
    """Whether a follow-up takes a part of the content out and keeps the rest («y quitaríamos toda la
    parte de alarmas», «nada de paquetes ni direcciones; solo yo y la moto»): what was said about the
    content no longer holds, even when the same message also changes the account."""
    return _vocabulary().dropping.search(fold(message)) is not None


def revises(message: str) -> bool:
    """Whether a message sent with a draft presents it as the corrected post («Vale, lo he
    cambiado, mira:», «¿Así sí?»): the new draft is then the whole content."""
    return bool(_vocabulary().corrected.search(fold(message).strip()))


def picks_first(message: str) -> bool:
    """Whether a follow-up goes back to what the first message described («Vale, subo la
    primera», «me quedo con la de antes»), leaving what later turns added about another one."""
    return bool(_vocabulary().first.search(fold(message).strip()))


def changes_topic(message: str) -> bool:
    """Whether a message opens another matter in the same conversation («Gracias. Otra cosa: …»,
    «Totally unrelated: …»): it is then read on its own, except for who posts, from which account
    and when."""
    return bool(_vocabulary().other_matter.search(fold(message).strip()))


_CONNECTIVE = re.compile(r"^(?:y|e|i|and|but|pero|bueno|vale|ok)\s+")
#: «¿Y si me abren un expediente por publicarlo, qué protección tengo?»: a last clause that opens
#: with an interrogative (written with its accent: «que» alone is a conjunction) asks.
_LAST_CLAUSE_ASKS = re.compile(
    r",\s*¿?\s*(?:qué|cómo|cuál|cuáles|quién|quiénes|dónde|cuándo|cuánt[oa]s?|what|which|how)\b[^,¿?]*\?\s*$",
    re.IGNORECASE,
)
_ABOUT_THE_ANSWER = re.compile(r"\b(?:articul|article|artigo|artikul|regla|rule|norma\b|por que\b|per que\b|why\b)")


def _elliptic(message: str) -> bool:
    """Whether a follow-up only makes sense with the turns before it. A short preface does not
    make it so: in «Vale, esa no. Por cierto, ¿me recomiendas un restaurante para la cena?» the
    question stands on its own words."""
    asked = _first_question(fold(message))
    if len(asked.split()) <= ELLIPTIC_WORDS:
        return len(message.split()) <= ELLIPTIC_WORDS or follows_up(message)
    return bool(_vocabulary().opening.match(asked))


#: A sentence that ends in a question mark, for languages that do not open questions with «¿».
_QUESTION_SENTENCE = re.compile(r"[^.!?¿]*\?")


def _first_question(text: str) -> str:
    """The first question of a folded message, from its «¿» («Jo. ¿Y si…?»), or else the first
    sentence that ends in «?» after another sentence («Great. And can I add how we found it?»)."""
    if "¿" in text:
        return text.partition("¿")[2].strip()
    found = _QUESTION_SENTENCE.search(text)
    return found.group().strip() if found and found.start() > 0 else ""


def _asks_information(question: str) -> bool:
    """Whether a folded question asks for information once its connective is gone («y qué
    protección tendría…» does; «what if I add…» and «and on Threads», about the post, do not)."""
    rest = _CONNECTIVE.sub("", question.strip(" ¿?¡!.,;:"))
    if len(rest.split()) <= 6 and _ABOUT_THE_ANSWER.search(rest):
        return False  # «¿y qué artículo es?», «¿por qué?»: the basis of the verdict just given
    return (
        bool(information_questions(f"¿{rest}?"))
        and not _vocabulary().opening.match(rest)
        and not _network().search(rest)
    )


def _corrects(question: str, draft: str | None) -> bool:
    """A corrected draft («lo he cambiado, mira:»): it replaces the text of the post, not its photos."""
    return draft is not None and revises(question) and not replaces_content(question)


def _cancelled_by(signals: set[str], book: SignalBook) -> set[str]:
    """The signals that ``signals`` cancel (their ``anula`` in ``senales.yaml``)."""
    return {c for s in signals if (signal := book.get(s)) is not None for c in signal.cancels}


def _unique(hits: list[SignalHit]) -> list[SignalHit]:
    seen: set[tuple[str, str, int, int]] = set()
    out = []
    for h in hits:
        key = (h.signal, h.field, h.start, h.end)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


@dataclass(frozen=True)
class _Wording:
    """The ``conversacion`` patterns of ``bot/i18n/*.yaml``, every language merged."""

    opening: re.Pattern[str]  # seguimiento: «¿Y si…?», «vale, ¿y en…?»
    reset: re.Pattern[str]  # nueva: «nueva pregunta»
    replacing: re.Pattern[str]  # sustituye: «en vez del vídeo…»
    dropping: re.Pattern[str]  # quita: «y quitaríamos toda la parte de alarmas»
    other_matter: re.Pattern[str]  # otro_tema: «Otra cosa: …»
    corrected: re.Pattern[str]  # corrige: «lo he cambiado, mira:»
    first: re.Pattern[str]  # la_primera: «subo la primera»
    curious: re.Pattern[str]  # curiosidad: «Por curiosidad, ¿…?»
    someone_else: re.Pattern[str]  # otra_persona: «Y mi mujer, ¿puede compartirlo?»
    new_thing: re.Pattern[str]  # cosa_nueva: «¿Y en la cuenta oficial el cartel de…?»


_KEYS = {
    "opening": "seguimiento",
    "reset": "nueva",
    "replacing": "sustituye",
    "dropping": "quita",
    "other_matter": "otro_tema",
    "corrected": "corrige",
    "first": "la_primera",
    "curious": "curiosidad",
    "someone_else": "otra_persona",
    "new_thing": "cosa_nueva",
}


@lru_cache(maxsize=1)
def _vocabulary() -> _Wording:
    """The ``conversacion`` patterns of ``bot/i18n/*.yaml``, compiled once."""
    found: dict[str, list[str]] = {name: [] for name in _KEYS}
    for path in sorted(I18N_DIR.glob("*.yaml")):
        data: dict[str, Any] = yamlfile.load(path.read_text(encoding="utf-8"))[0] or {}
        section = data.get("conversacion") or {}
        for name, key in _KEYS.items():
            found[name].extend(section.get(key) or [])
    union = {name: alternatives(patterns) for name, patterns in found.items()}
    return _Wording(
        opening=re.compile(rf"(?:{union['opening']})\b"),
        reset=re.compile(rf"(?:{union['reset']})"),
        replacing=re.compile(rf"\b(?:{union['replacing']})"),
        dropping=re.compile(rf"(?:{union['dropping']})"),
        # At the start of the message or of a sentence: «Gracias. Otra cosa: …».
        other_matter=re.compile(rf"(?:^|[^\w\s]\s*)(?:{union['other_matter']})\b"),
        corrected=re.compile(rf"\b(?:{union['corrected']})\b"),
        first=re.compile(rf"\b(?:{union['first']})\b"),
        # At the start of the message or of a sentence: «Vale. Por curiosidad, ¿…?».
        curious=re.compile(rf"(?:^|[^\w\s]\s*)(?:{union['curious']})\b"),
        # Anchored by its own patterns: they start at a sentence and end on a verb with its clitic.
        someone_else=re.compile(rf"(?:{union['someone_else']})"),
        # At the start of the message or of its question; each pattern ends right before the noun.
        new_thing=re.compile(rf"(?:^|¿\s*)(?:{union['new_thing']})"),
    )
