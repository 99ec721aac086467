"""Signals: facts about the situation that change a verdict, found with their exact words.

Policy owners define the signals in ``knowledge/senales.yaml``: each has a class, phrases in
Spanish, Catalan, Galician, Basque and English, and optionally built-in detectors
(:mod:`bot.draft`: DNI, phone, address...). :meth:`SignalBook.detect` finds them in a question,
a draft, an earlier turn or the text read from a photo, each with its span, so the answer can
quote the words that triggered a rule.

Phrases are matched on normalised text, word by word, after folding (case and accents) and
stemming with the phrase's language (Snowball; Galician with the Portuguese stemmer), so
«publicaron las fotos» matches «publicar foto». ``*`` in a phrase stands for up to three
words. A match right after a negation («no», «sin», «not», «sense», «non»...) does not count,
unless the phrase itself starts with one («sin permiso»). A sensitive context counted by ten or
more («30 pacientes», «el 80 % de mis alumnos») is a figure, not someone in particular, and does
not count either. Each hit knows its sentence, so a ``de_lo_dicho`` lifter can be told apart from
a risk said later (:mod:`bot.decision`).

A message in Catalan, Galician or English is also glossed word by word into Spanish
(``bot/i18n/glosa-<lang>.json``, one word for one word, chosen by which glossary covers enough of
its words: :func:`gloss`), and the Spanish phrases are matched on the glossed words too, each
keeping its original span: «les fotos dels meus alumnes amb la cara» meets «con la cara». The
other languages' own phrases still count; the glossary only adds what they miss.

The classes:

- ``riesgo``: a fact that makes a post forbidden or cautionary by itself (a DNI, information
  not yet public, an insult). While one is present and not lifted, the verdict is never
  ``permitido``.
- ``contexto``: a fact that decides which rules apply (the official account, a minor, an
  election period) but is harmless alone.
- ``tema``: the activity asked about (sharing a campaign, congratulating the team); it lets a
  rule that permits that activity apply.
- ``levanta``: a fact that removes a risk (already published in the bulletin, signed consent,
  an invented example); ``levanta:`` lists the signals it lifts.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any, Literal

import Stemmer
import yaml

from bot import yamlfile
from bot.cues import (
    about_the_team,
    attended_after,
    describes_routine,
    doubted_spans,
    introductions,
    mentioned_spans,
    praises_before,
    replaced_spans,
    says_own_job,
    subject_spans,
    withheld_spans,
)
from bot.draft import Detector, detect
from bot.models import DraftFinding
from bot.text import CHAT_SHORTHAND, fold, word_spans

SIGNALS_FILE = "senales.yaml"

#: Language codes of the phrase lists → Snowball stemmer.
LANGUAGES = {"es": "spanish", "ca": "catalan", "gl": "portuguese", "eu": "basque", "en": "english"}
#: What one takes out of a photo or a text («¿y si tapo la matrícula?», «pixelo las caras»): like
#: «sin», these say the phrase that follows will not be there.
REMOVALS = frozenset(
    "tapo tapamos tapando tapada tapado quito quitamos quitando pixelo pixelamos pixelando pixelada pixelado "
    "recorto recortamos recortado recortada difumino difuminamos trec traiem retallo "
    "tacho tachamos tachando "
    # the infinitives too: an English «blur» or «remove» is read glossed as «pixelar», «quitar»
    "quitar tapar pixelar recortar difuminar tachar "
    # said as done: «he quitado nombre, número de historia y fecha», «I removed the names»
    "quitado quitada quitados quitadas difuminado difuminada difuminados difuminadas "
    "tapat tapats pixelat pixelats tapei quitei pixelei "
    "remove removing removed blur blurring blurred crop cropping cropped".split()
)
#: Deleting takes out only what identifies someone («¿y si borro la matrícula?»): «borrar los
#: comentarios con insultos» is moderation, where the insults are what the rules read.
IDENTITY_REMOVALS = frozenset(
    "borro borramos borrando borrar borrado elimino eliminamos eliminando eliminar eliminado esborro esborrat borrei".split()
)
IDENTIFIERS = frozenset(
    "matricula matriculas nombre nombres apellido apellidos cara caras dni nif direccion numero logo escudo".split()
)
#: What one took out, said after it («con la matrícula tapada», «la cara pixelada», «faces blurred»):
#: like a removal before it, the phrase will not be there.
REMOVED_AFTER = frozenset(
    "tapada tapado tapadas tapados pixelada pixelado pixeladas pixelados difuminada difuminado difuminadas "
    "difuminados tachada tachado tachadas tachados borrosa borroso borrosas borrosos "
    "borrada borrado borradas borrados eliminada eliminado eliminadas eliminados "
    "blurred hidden covered".split()
)
#: Words that negate what follows them, in the five languages (folded).
NEGATIONS = (
    frozenset(
        "no ni sin nunca jamas tampoco ningun ninguna ninguno nada cero 0 "
        "sense mai cap gens "
        "non sen nin "
        "ez ezta "
        "not never without dont doesnt isnt wont cannot cant nor "
        # «vale, olvida lo de la asesoría»: what one drops is not in the post any more
        "olvida olvidate olvido olvidamos olvidemos descarta descarto descartamos".split()
    )
    | REMOVALS
)
#: How many words before a phrase a negation reaches («no sé si es público»)...
NEGATION_WINDOW = 4
#: ...through these words only: «no aparece el nombre» is negated; in «no Facebook que o meu
#: veciño» (Galician «no» = «in the») the noun in between stops it.
NEGATION_BRIDGE = frozenset(
    "se me te le lo la les los las nos el un una unos unas es son esta estan hay ha han he hemos tengo tenemos "
    "tiene tienen sale salen salgo the his her their "
    "aparece aparecen ve ven que si sé se puede pueden hace hacen da dan is are it there any "
    # «nada de pacientes», «cero datos de nadie»: «de» joins the negation to its noun.
    "de "
    # «no voy a vender nada»: the future tense joins it too.
    "voy vamos a "
    # «ni hablo en nombre de la Consejería»
    "hablo hablamos "
    # «no estamos en periodo electoral»
    "estoy estamos en "
    # «sin fotos de pacientes», «no hay nombres de alumnos»
    "foto fotos imagen imagenes video videos dato datos nombre nombres cara caras caso casos "
    # «no saldrían niños», «no se verá a nadie»: the conditional and the future join it too.
    "saldria saldrian saldra saldran apareceria aparecerian aparecera apareceran veria verian vera veran "
    "habria habra "
    # «no dijo que nada fuera reservado»
    "fuera fueran sea sean era eran "
    # «la Agencia nunca pide datos bancarios»
    "pide piden pedimos pedira pediran solicita solicitan "
    # «sin nombrar a mi jefe», «sin hablar de alumnos»
    "nombrar nombro nombramos mencionar menciono citar cito hablar "
    # «tapando mi matrícula» (not «su»: «sin su nombre» does not make a case anonymous)
    "mi mis tu tus "
    "sae saen surt surten hi hai "
    # «with no mention of any party», «without naming the school»
    "of mention mentioning naming".split()
)
#: Words a ``*`` in a phrase may stand for.
GAP_WORDS = 3
#: Stems shorter than this match only the very word of the phrase (see :func:`_match`).
SHORT_STEM = 4

Field = Literal["pregunta", "borrador", "conversacion", "imagen"]


class SignalClass(StrEnum):
    """What a signal does to a verdict (see the module docstring)."""

    RIESGO = "riesgo"
    CONTEXTO = "contexto"
    TEMA = "tema"
    LEVANTA = "levanta"


@dataclass(frozen=True)
class Signal:
    """One signal as defined in ``senales.yaml``."""

    id: str
    name: str
    cls: SignalClass
    description: str = ""
    #: What to check before posting, said to the employee when the signal is present.
    check: str = ""
    detectors: tuple[Detector, ...] = ()
    #: For ``levanta`` signals: the signals they lift.
    lifts: tuple[str, ...] = ()
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Phrases made by joining one item of each part of ``combinaciones`` («cuenta» + «oficial» +
    #: «de la biblioteca»): matched like the others, not read with the spaces dropped.
    combined: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Phrases that contain a match without meaning it («borrador de mi tuit» is no internal draft).
    exceptions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The name in other languages (``etiquetas``: ca, gl, eu, en), for answers in them.
    labels: dict[str, str] = field(default_factory=dict)
    #: A context signal that, unless a rule takes it or something lifts it, keeps the answer from
    #: a plain «sí» (a patient, a minor, a case file mentioned in passing).
    sensitive: bool = False
    #: For a sensitive signal: it keeps the answer from a plain «sí» only when one of these
    #: signals is found too (``sensible_con``): «mis chavales de 3.º de la ESO» in a thank-you
    #: names a group, not a child; a photo or a name makes it someone. Empty: always.
    sensitive_with: tuple[str, ...] = ()
    #: Signals this one cancels when an earlier turn of the conversation said them («¿y en mi
    #: cuenta personal?» after «la cuenta oficial»).
    cancels: tuple[str, ...] = ()
    #: It describes who posts, from which account or when, not what is posted: it still holds
    #: when a follow-up replaces the content («¿y si en vez del vídeo subo un consejo?»).
    persists: bool = False
    #: Said while the asker introduces themselves («Soy enfermera en la UCI», «Trabajo en un
    #: centro de menores»), it describes their job, not what they want to post: it does not count.
    of_the_job: bool = False
    #: For ``levanta`` signals: signals or detectors whose presence shows the claim is not true
    #: («sin nombres» with a name in the text): then it lifts nothing.
    contradicted_by: tuple[str, ...] = ()
    #: For ``levanta`` signals: a requirement the person can meet (ask for consent, anonymise,
    #: wait for the publication, get the permit): a «¿qué necesito?» is answered with it.
    obtainable: bool = False
    #: For ``levanta`` signals: it lifts only what is said in its own sentence or before it
    #: («El programa está en la web municipal. Y subimos las tasas, aunque no está aprobado»: the
    #: web is about the programme, not the taxes). Said in the question, it still covers the draft.
    nearby: bool = False
    #: For ``levanta`` signals: signals whose phrase, said as absent («sin críos», «no sale ningún
    #: paciente», «ni nombres»), is a phrase of this one: whatever the absent thing is called.
    absence_of: tuple[str, ...] = ()
    #: Jobs and the matters they deal with (``materias``): a job the asker says is theirs and one
    #: of its matters in what they want to post is evidence of this signal («Soy técnico de
    #: Hacienda… os ayudo con la declaración»). Each item: (job phrases, matter phrases) by language.
    matters: tuple[tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]], ...] = ()


@dataclass(frozen=True)
class SignalHit:
    """Where a signal was found: its words, their span in that text, and which text it was."""

    signal: str
    text: str
    start: int
    end: int
    field: Field
    #: The detector that found it, or ``None`` for a phrase of the signal.
    via: Detector | None = None
    #: Which sentence of its text it is in (0 for the first), to tell what a lifter refers to.
    sentence: int = 0
    #: Said in doubt («no sé si todas las familias firmaron la autorización»): a lifter the asker
    #: is not sure of can soften a «no» to «con cautelas», never make anything a «sí».
    doubted: bool = False


@dataclass(frozen=True)
class _Phrase:
    signal: str
    stems: tuple[str, ...]
    #: The phrase's own folded words, aligned with ``stems`` (``*`` where there is a gap).
    words: tuple[str, ...]
    negated_itself: bool
    exception: bool = False
    #: Whether every stem match counts (English and Basque inflect beyond plural and gender).
    inflects: bool = False
    #: Every stem the text must hold for the phrase to match (a cheap test before matching).
    needs: frozenset[str] = frozenset()


def _stemmer(language: str) -> Any:
    return _stemmers()[language]


@lru_cache(maxsize=1)
def _stemmers() -> dict[str, Any]:
    return {code: Stemmer.Stemmer(name) for code, name in LANGUAGES.items()}


@lru_cache(maxsize=100_000)
def _stem(language: str, word: str) -> str:
    return str(_stemmer(language).stemWord(word))


#: Where the word-by-word glossaries into Spanish live: ``glosa-<lang>.json`` (one word → one word).
GLOSS_DIR = Path(__file__).parent / "i18n"
#: A message is glossed from a language when at least this many of its words, and this share of
#: them, are words of that glossary (words spelled as in Spanish are not in it).
GLOSS_MIN_WORDS = 2
GLOSS_MIN_SHARE = 0.2


@lru_cache(maxsize=1)
def _glossaries() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(GLOSS_DIR.glob("glosa-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[path.stem.removeprefix("glosa-")] = {fold(str(k)): fold(str(v)) for k, v in data.items()}
    return out


def glossary_for(words: list[str]) -> dict[str, str] | None:
    """The glossary that covers most of ``words`` (folded), or ``None`` when none covers enough
    (a Spanish message)."""
    found = _gloss_language(words)
    return None if found is None else _glossaries()[found]


def _gloss_language(words: list[str]) -> str | None:
    """The language (``ca``, ``gl``, ``en``) whose glossary covers most of ``words``, or ``None``."""
    best, covered = None, 0
    for language, glossary in _glossaries().items():
        n = sum(w in glossary for w in words)
        if n > covered:
            best, covered = language, n
    if best is None or covered < GLOSS_MIN_WORDS or covered < GLOSS_MIN_SHARE * len(words):
        return None
    return best


def gloss(words: list[str]) -> list[str] | None:
    """``words`` (folded) glossed into Spanish from the language whose glossary covers most of
    them, or ``None`` when none covers enough (a Spanish message is left as it is)."""
    glossary = glossary_for(words)
    return None if glossary is None else [_glossed(glossary, w) for w in words]


def _glossed(glossary: dict[str, str], word: str) -> str:
    """``word`` in Spanish; an English possessive is glossed as its noun («council's» → «council»)."""
    if word in glossary:
        return glossary[word]
    if word.endswith(("'s", "’s")) and word[:-2] in glossary:
        return glossary[word[:-2]]
    return word


def gloss_text(text: str) -> str:
    """``text`` glossed word by word into Spanish (:func:`gloss`), or as it is when it reads as
    Spanish; the glossed form keeps only the words, for what reads words rather than phrases."""
    words = [w for w, _, _ in _words(text)]
    glossed = gloss(words)
    return text if glossed is None else " ".join(glossed)


#: An elided article or pronoun before its word, as Catalan writes them («l'incendi», «d'un»).
_ELISION = re.compile(r"^(l|d|s|n|m|t|qu)['’](?=[^\W\d_])")


def _words(text: str) -> list[tuple[str, int, int]]:
    """Folded words with their spans; «ñ» read as «n», as many people type it, chat shorthand
    written out («d q» → «de que»), and an elided article apart from its word («l'incendi» →
    «l», «incendi»), so that «incendi» is found in «l'incendi»."""
    out: list[tuple[str, int, int]] = []
    for spanned, start, end in word_spans(text):
        word, begin = spanned, start
        elided = _ELISION.match(spanned)
        if elided:
            out.append((elided.group(1), start, start + elided.end(1)))
            word, begin = spanned[elided.end() :], start + elided.end()
        out.append((CHAT_SHORTHAND.get(word, word).replace("ñ", "n"), begin, end))
    return out


@lru_cache(maxsize=100_000)
def _part_words(part: str) -> tuple[str, ...]:
    return tuple(w for w, _, _ in _words(part))


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase's folded words, ``*`` kept where it stands for a gap (not at either end)."""
    out: list[str] = []
    for part in phrase.replace("*", " * ").split():
        out.extend(["*"] if part == "*" else _part_words(part))
    while out and out[0] == "*":
        out.pop(0)
    while out and out[-1] == "*":
        out.pop()
    return tuple(out)


def phrase_stems(phrase: str, language: str) -> tuple[str, ...]:
    """A phrase as the matcher sees it: folded words stemmed in ``language``; ``*`` kept."""
    return tuple(w if w == "*" else _stem(language, w) for w in phrase_words(phrase))


#: A phrase matched without its spaces must be at least this long (shorter ones hide inside words).
SPACELESS_MIN = 9


def _squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-zñ]", "", fold(text))


@dataclass
class SignalBook:
    """Every signal, with its phrases compiled for matching."""

    signals: dict[str, Signal] = field(default_factory=dict)
    _index: dict[str, dict[str, list[_Phrase]]] = field(default_factory=dict, repr=False)
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    #: Multi-word phrases of risk and context signals without their spaces (see :meth:`spaceless_hits`).
    _spaceless: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    #: Signal → the lifters that its absence is a phrase of (:attr:`Signal.absence_of`).
    _absence: dict[str, list[str]] = field(default_factory=dict, repr=False)
    #: The jobs and matters of :attr:`Signal.matters`, as signals ``id#n#puesto`` / ``id#n#materia``.
    _matters: SignalBook | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        parts = {
            f"{signal.id}#{n}#{part}": Signal(f"{signal.id}#{n}#{part}", part, SignalClass.CONTEXTO, phrases=phrases)
            for signal in self.signals.values()
            for n, pair in enumerate(signal.matters)
            for part, phrases in zip(("puesto", "materia"), pair, strict=True)
        }
        if parts:
            self._matters = SignalBook(parts)
        for signal in self.signals.values():
            for absent in signal.absence_of:
                self._absence.setdefault(absent, []).append(signal.id)
            if signal.cls in (SignalClass.RIESGO, SignalClass.CONTEXTO):
                for phrases in signal.phrases.values():
                    for phrase in phrases:
                        squeezed = _squeeze(phrase)
                        if " " in phrase.strip() and "*" not in phrase and len(squeezed) >= SPACELESS_MIN:
                            self._spaceless.append((signal.id, phrase, squeezed))
            self._names[_key(signal.id)] = signal.id
            self._names[_key(signal.name)] = signal.id
            for exception, groups in ((False, signal.phrases), (False, signal.combined), (True, signal.exceptions)):
                for language, phrases in groups.items():
                    index = self._index.setdefault(language, {})
                    for phrase in phrases:
                        words = phrase_words(phrase)
                        if not words:
                            continue
                        stems = tuple(w if w == "*" else _stem(language, w) for w in words)
                        negated = exception or words[0] in NEGATIONS
                        needs = frozenset(s for s in stems if s != "*")
                        entry = _Phrase(signal.id, stems, words, negated, exception, language in {"en", "eu"}, needs)
                        index.setdefault(stems[0], []).append(entry)

    def __len__(self) -> int:
        return len(self.signals)

    def contradicted(self, signal_id: str, hits: Iterable[SignalHit]) -> SignalHit | None:
        """The hit that shows what ``signal_id`` claims is not so (see ``desmentida_por``), if any."""
        signal = self.signals.get(signal_id)
        if signal is None or not signal.contradicted_by:
            return None
        against = set(signal.contradicted_by)
        for hit in hits:
            if hit.signal in against or (hit.via is not None and hit.via.value in against):
                return hit
        return None

    def unmatched_phrases(self) -> list[str]:
        """A problem for each phrase that, said on its own, does not find its signal: an
        exception («excepto», of any signal sharing its words' stems) swallows it. Checked by
        ``index --check``, not on every load (it reads every phrase)."""
        problems = []
        for signal in self.signals.values():
            for phrases in signal.phrases.values():
                for phrase in phrases:
                    # Read as a draft: an introduction («soy del tribunal») is dropped only from questions.
                    if "*" in phrase or signal.id in {h.signal for h in self.detect(phrase, "borrador")}:
                        continue
                    problems.append(
                        f"señal {signal.id!r}: la frase «{phrase}» no se reconoce sola; una frase de «excepto» "
                        "con las mismas palabras (o sus formas: «regalarle» cubre «regalo») la anula"
                    )
        return problems

    def repeated_phrases(self) -> list[str]:
        """A problem for each phrase written twice in one language of a signal (after folding case
        and accents): harmless to matching, but a list with repeats is harder to keep. Checked by
        ``index --check``, like :meth:`unmatched_phrases`."""
        problems = []
        for signal in self.signals.values():
            for language, phrases in signal.phrases.items():
                seen: set[str] = set()
                for phrase in phrases:
                    folded = " ".join(fold(phrase).split())
                    if folded in seen:
                        problems.append(f"señal {signal.id!r}: la frase «{phrase}» está repetida en «{language}»")
                    seen.add(folded)
        return problems

    def resolve(self, name: str) -> str | None:
        """The id of a signal named by its id or its name, ignoring case, accents and ``_``."""
        return self._names.get(_key(name))

    def get(self, signal_id: str) -> Signal | None:
        return self.signals.get(signal_id)

    def label(self, signal_id: str, language: str = "es") -> str:
        """How employees read a signal's name, in ``language`` if ``etiquetas`` has it (else in Spanish)."""
        signal = self.signals.get(signal_id)
        if signal is None:
            return signal_id.replace("_", " ")
        return signal.labels.get(language, signal.name)

    def lifters_of(self, signal_id: str) -> list[str]:
        """The ``levanta`` signals that lift ``signal_id``."""
        return [s.id for s in self.signals.values() if signal_id in s.lifts]

    def matters_of_the_job(self, said: Sequence[tuple[str, Field]], earlier: Sequence[str] = ()) -> list[SignalHit]:
        """Hits of the signals with ``materias``: a matter of the asker's own job in ``said`` (the
        question and the draft). The job counts where the asker says it is theirs (:func:`own_job_spans`)
        in the question or in ``earlier`` (the earlier questions of the conversation)."""
        if self._matters is None:
            return []
        mine: set[str] = set()
        before: list[tuple[str, Field]] = [(t, "conversacion") for t in earlier]
        for text, where in [*before, *((t, w) for t, w in said if w == "pregunta")]:
            own = own_job_spans(text)
            mine.update(
                h.signal.rsplit("#", 1)[0]
                for h in self._matters.detect(text, where)
                if h.signal.endswith("#puesto") and _within(h, own)
            )
        out = []
        for text, where in said:
            # A matter said while introducing themselves describes the job, not what they offer.
            own = own_job_spans(text, sentences=False) if where == "pregunta" else []
            for h in self._matters.detect(text, where):
                area, _, part = h.signal.rpartition("#")
                if part == "materia" and area in mine and not _within(h, own):
                    mine.discard(area)  # one quote per job is evidence enough
                    out.append(replace(h, signal=area.split("#", 1)[0]))
        return _dedupe(out)

    def detect(self, text: str | None, where: Field, named: frozenset[str] = frozenset()) -> list[SignalHit]:
        """Every signal in ``text``: phrase matches and detector findings, in order. In the
        question, a ``del_puesto`` signal said while the asker introduces themselves is left out.
        A phrase made only of words the question names as words (``named``, see
        :func:`named_words`; a text's own are always added) is not evidence of anything."""
        return self.detect_with_absent(text, where, named)[0]

    def detect_with_absent(
        self, text: str | None, where: Field, named: frozenset[str] = frozenset()
    ) -> tuple[list[SignalHit], frozenset[str]]:
        """:meth:`detect` and :meth:`absent` of ``text`` in one reading of it."""
        if not text:
            return [], frozenset()
        gone: set[str] = set()
        hits = self._phrase_hits(text, where, gone) + self._hashtag_hits(text, where)
        mentioned = mentioned_spans(text)
        if mentioned or named:
            # A word named, not used («¿me da cosa la palabra fraude?»): no signal of any class,
            # there or wherever the same words come back.
            named = named | _named(text, mentioned)
            hits = [h for h in hits if not (_within(h, mentioned) or _only_named(h.text, named))]
        subjects = subject_spans(text) + (withheld_spans(text) if where == "borrador" else replaced_spans(text))
        if subjects:
            hits = [h for h in hits if not _within(h, subjects)]
        doubted = doubted_spans(text)
        if doubted:
            # «No sé si todas las familias firmaron la autorización»: a lift in doubt.
            hits = [
                replace(h, doubted=True)
                if self.signals[h.signal].cls is SignalClass.LEVANTA and _within(h, doubted)
                else h
                for h in hits
            ]
        if where == "pregunta":
            own = introductions(text) + job_routines(text)
            hits = [h for h in hits if not (self.signals[h.signal].of_the_job and _within(h, own))]
        findings = self._detector_findings(text)
        ends = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
        colleagues = _praised_colleagues(text, findings, hits, ends) if "companeros" in self.signals else set()
        for finding in findings:
            detector = finding.detector
            if (finding.start, finding.end) in colleagues:
                # «Mención especial para Lucía» in a post about the team: a colleague, not a citizen.
                hits.append(SignalHit("companeros", finding.text, finding.start, finding.end, where))
                continue
            for signal in self.signals.values():
                if detector in signal.detectors:
                    hits.append(SignalHit(signal.id, finding.text, finding.start, finding.end, where, detector))
        hits.sort(key=lambda h: (h.start, h.end, h.signal))
        return [replace(h, sentence=bisect_right(ends, h.start)) for h in _dedupe(hits)], frozenset(gone)

    def spaceless_hits(self, text: str | None, where: Field, exclude: Iterable[str] = ()) -> list[SignalHit]:
        """Risk and context phrases found in ``text`` with its spaces dropped, as OCR drops them
        («USOINTERNO-NODIFUNDIR»); one hit per signal not in ``exclude``, with an empty span."""
        if not text:
            return []
        squeezed = _squeeze(text)
        found = set(exclude)
        hits = []
        for signal, phrase, compact in self._spaceless:
            if signal not in found and compact in squeezed:
                hits.append(SignalHit(signal, phrase, 0, 0, where))
                found.add(signal)
        return hits

    def findings(self, text: str | None, hits: Iterable[SignalHit] | None = None) -> list[DraftFinding]:
        """What to show of a draft: each detector finding, and each phrase of a risk or
        context signal, as :class:`DraftFinding` with its label."""
        if not text:
            return []
        hits = list(hits) if hits is not None else self.detect(text, "borrador")
        out: dict[tuple[int, int, str], DraftFinding] = {}
        for hit in hits:
            signal = self.signals[hit.signal]
            if hit.via is not None:
                out[(hit.start, hit.end, hit.via)] = DraftFinding(
                    kind=hit.via.value, text=hit.text, start=hit.start, end=hit.end, label=hit.via.label
                )
            elif signal.cls in (SignalClass.RIESGO, SignalClass.CONTEXTO):
                out[(hit.start, hit.end, signal.id)] = DraftFinding(
                    kind=signal.id, text=hit.text, start=hit.start, end=hit.end, label=signal.name
                )
        return sorted(out.values(), key=lambda f: (f.start, f.end, f.kind))

    # -- internals

    def _detector_findings(self, text: str) -> list[DraftFinding]:
        wanted = tuple(dict.fromkeys(d for s in self.signals.values() for d in s.detectors))
        return detect(text, wanted) if wanted else []

    def _hashtag_hits(self, text: str, where: Field) -> list[SignalHit]:
        """Phrases inside hashtags written in CamelCase («#ElAbueloDeLa214»), read as words; each
        hit spans its whole hashtag."""
        hits: list[SignalHit] = []
        for match in _HASHTAG.finditer(text):
            words = _CAMEL_BREAK.sub(" ", match.group(1))
            if words.count(" ") < 2:
                continue
            hits.extend(
                SignalHit(h.signal, match.group(), match.start(), match.end(), where)
                for h in self._phrase_hits(words, where)
            )
        return hits

    def absent(self, text: str) -> frozenset[str]:
        """The signals ``text`` says are not there, or are taken out («sin nombres», «¿y si tapo
        la matrícula?», «nada de la niña»): in a follow-up, they leave the post being discussed."""
        return self.detect_with_absent(text, "pregunta")[1]

    def _phrase_hits(self, text: str, where: Field, absent: set[str] | None = None) -> list[SignalHit]:
        spans = _words(text)
        if not spans:
            return []
        original = [w for w, _, _ in spans]
        source = _gloss_language(original)
        glossed = None if source is None else [_glossed(_glossaries()[source], w) for w in original]
        # Galician «no» is «en el» («Traballo no Sergas»); it says «non» to negate.
        galician = source == "gl"
        # Each pass: a language's phrases, the words they meet, and whether «no» there is Galician «en el».
        passes = [(language, index, original, galician) for language, index in self._index.items()]
        if glossed is not None and galician:
            glossed = ["en" if w == "no" else g for g, w in zip(glossed, original, strict=True)]
        if glossed is not None and "es" in self._index:
            # A Catalan, Galician or English message glossed word by word into Spanish meets the
            # Spanish phrases too (each glossed word keeps its original span).
            passes.append(("es", self._index["es"], glossed, False))
        hits: list[SignalHit] = []
        vetoes: list[tuple[str, int, int]] = []
        listed = _removed_list(text, spans, original)
        for language, index, words, no_is_en in passes:
            stems = [_stem(language, w) for w in words]
            present = set(stems)
            for i, stem in enumerate(stems):
                for phrase in index.get(stem, ()):
                    if not phrase.needs <= present:
                        continue
                    end = _match(phrase, stems, words, i)
                    if end is None:
                        continue
                    start_char, end_char = spans[i][1], spans[end - 1][2]
                    if end - i > 1 and _SENTENCE_BREAK.search(text, start_char, end_char):
                        continue
                    if phrase.exception:
                        vetoes.append((phrase.signal, start_char, end_char))
                        continue
                    negation = None if phrase.negated_itself else _negation(words, i, no_is_en)
                    if negation is None and not phrase.negated_itself and i in listed:
                        # «Vale, quito el camión, la matrícula y el nombre»: the later items go too.
                        negation = listed[i]
                    removed = None if phrase.negated_itself or negation is not None else _removed_after(words, end)
                    if negation is not None or removed is not None:
                        if removed is not None or (negation is not None and _says_absent(words, negation, i)):
                            if absent is not None:
                                absent.add(phrase.signal)
                            start = spans[negation][1] if negation is not None else start_char
                            stop = spans[removed][2] if removed is not None else end_char
                            for lifter in self._absence.get(phrase.signal, ()):
                                hits.append(SignalHit(lifter, text[start:stop], start, stop, where))
                        continue
                    if self.signals[phrase.signal].sensitive and (_counted(words, i) or _counts_after(words, end)):
                        continue
                    hits.append(SignalHit(phrase.signal, text[start_char:end_char], start_char, end_char, where))
        return [h for h in hits if not any(s == h.signal and a < h.end and h.start < b for s, a, b in vetoes)]


def _within(hit: SignalHit, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether ``hit`` lies wholly inside one of ``spans``."""
    return any(a <= hit.start and hit.end <= b for a, b in spans)


_HASHTAG = re.compile(r"#(\w{6,})")
#: Where a CamelCase hashtag's words meet: a capital after a small letter or a digit, a digit after a letter.
_CAMEL_BREAK = re.compile(r"(?<=[a-záéíóúñü0-9])(?=[A-ZÁÉÍÓÚÑ])|(?<=[^\W\d_])(?=\d)")

#: Where a sentence ends and another begins: no phrase spans it («¡Buenas! Trabajo…» is no «buen
#: trabajo»). A full stop counts only before a capital («Sr. Pérez», «3.000» do not end anything).
_SENTENCE_BREAK = re.compile(r"[!?¡¿\n]|\.\s+(?=\W*[A-ZÁÉÍÓÚÑ])")

#: The most words of a bare job title opening the message («Inspector de Hacienda. En LinkedIn quiero…»).
_TITLE_WORDS = 6


def own_job_spans(text: str, *, sentences: bool = True) -> list[tuple[int, int]]:
    """Spans of ``text`` where the asker says what their own job is: their introduction
    (:func:`bot.cues.introductions`), a short title opening the message and, with ``sentences``,
    a whole sentence saying they hold the post («porque soy técnico de la Tesorería y…», «acabo de
    aprobar la oposición de agente de Hacienda»: :func:`bot.cues.says_own_job`)."""
    spans = introductions(text)
    found = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
    if len(found) > 1 and len(found[0].group().split()) <= _TITLE_WORDS:
        spans.append(found[0].span())
    if sentences:
        spans.extend(m.span() for m in found if says_own_job(m.group()))
    return spans


_SENTENCE = re.compile(r"[^.!?\n…]+")


def job_routines(text: str) -> list[tuple[int, int]]:
    """Spans of ``text``: sentences describing what the asker's job is like, not the post
    (:func:`bot.cues.describes_routine`: «En mi día a día hay detenidos, persecuciones...»)."""
    return [m.span() for m in _SENTENCE.finditer(text) if describes_routine(m.group())]


#: Signals that, in the same sentence as a praised name, say it may be someone attended.
_NOT_A_COLLEAGUE_NEAR = frozenset({"salud", "ciudadano_atendido", "menor", "victimas", "datos_personales"})


def _praised_colleagues(
    text: str, findings: Sequence[DraftFinding], hits: Sequence[SignalHit], ends: Sequence[int]
) -> set[tuple[int, int]]:
    """Spans of the names found that are colleagues praised or sent off in a post about the
    asker's team (:func:`bot.cues.about_the_team`): right after a praise
    (:func:`bot.cues.praises_before`), nothing right after the name making it someone attended
    (:func:`bot.cues.attended_after`), and no sign of one in the same sentence
    (:data:`_NOT_A_COLLEAGUE_NEAR`)."""
    if not about_the_team(text):
        return set()
    attended = {bisect_right(ends, h.start) for h in hits if h.signal in _NOT_A_COLLEAGUE_NEAR}
    return {
        (f.start, f.end)
        for f in findings
        if f.detector is Detector.NOMBRE_PERSONA
        and praises_before(text, f.start)
        and not attended_after(text, f.end)
        and bisect_right(ends, f.start) not in attended
    }


def named_words(text: str) -> frozenset[str]:
    """The words ``text`` names as words, not uses (:func:`mentioned_spans`, four words at most:
    «¿me meto en un lío por poner 'confidencial'?», «salen palabras como «drogas» o «detener»»),
    without plural or gender ending. The asker worries about the word itself, so the same word
    elsewhere in the message or the draft says nothing about the post."""
    return _named(text, mentioned_spans(text))


def _named(text: str, mentioned: list[tuple[int, int]]) -> frozenset[str]:
    out: set[str] = set()
    for start, end in mentioned:
        words = _words(text[start:end])
        if len(words) <= 4:
            out.update(light(w) for w, _, _ in words)
    return frozenset(out)


def _only_named(matched: str, named: frozenset[str]) -> bool:
    """Whether every word of a phrase match is a word the question names."""
    words = _words(matched)
    return bool(words) and all(light(w) in named for w, _, _ in words)


#: Words that count people by the dozen or more.
_MANY = frozenset("decenas docenas centenares cientos miles millones".split())


#: Small counts: the nearest count governs («el día 20, con dos niños» speaks of two children).
_FEW = frozenset("un una uno dos tres cuatro cinco seis siete ocho nueve two three four five".split())
#: Words before a number that make it a date, an hour or a label, not a count («el día 20», «a
#: las 10», «el de la cama 12»).
_NOT_A_COUNT_AFTER = frozenset(
    "dia dias las a cama habitacion box planta modulo aula sala numero portal piso linea bed room".split()
)


#: What a number before measures, not counts: «con 41 de fiebre».
_MEASURED = frozenset("fiebre febre fever".split())


def _counted(words: list[str], i: int) -> bool:
    """Whether the words before ``i`` count them by the dozen or more («30 pacientes», «el 80 %
    de mis alumnos», «cientos de usuarios», «más de un paciente»): a figure about many, not
    anyone in particular."""
    if i >= 2 and i < len(words) and words[i] in _MEASURED and words[i - 1] == "de" and words[i - 2].isdigit():
        return False
    if i >= 3 and words[i - 1] in ("un", "una") and words[i - 3 : i - 1] == ["mas", "de"]:
        return True
    for k in range(i - 1, max(0, i - 3) - 1, -1):
        w = words[k]
        if w in _MANY:
            return True
        if w in _FEW or (w.isdigit() and int(w) < 10):
            return False
        if w.isdigit():
            return not (k and words[k - 1] in _NOT_A_COUNT_AFTER)
    return False


#: A phrase ending in one of these is followed by whom it is about: «hemos atendido a».
_BEFORE_ITS_OBJECT = frozenset("a al de to".split())


def _counts_after(words: list[str], end: int) -> bool:
    """Whether a phrase ending before word ``end`` in «a» or «de» is followed by a count of many:
    «hemos atendido a más de 4.000 vecinos», «atendí a 30 personas»."""
    if not end or words[end - 1] not in _BEFORE_ITS_OBJECT:
        return False
    k = end + 2 if words[end : end + 2] in (["mas", "de"], ["more", "than"], ["over"]) else end
    if k < len(words) and words[k] == "over":
        k += 1
    if k >= len(words):
        return False
    w = words[k]
    return w in _MANY or (w.isdigit() and (int(w) >= 10 or (k + 1 < len(words) and words[k + 1] == "000")))


#: The items of a list after a removal that are taken out with it: what identifies, not whom
#: («quito el camión, la matrícula y el nombre de la empresa»; but «tapo la matrícula y el niño
#: sale sonriendo» keeps the child).
_LISTED_REMOVABLE = IDENTIFIERS | frozenset(
    "camion coche furgoneta ubicacion sitio lugar calle pantalla pantallas placa placas tatuaje tatuajes "
    "uniforme rotulo rotulos etiqueta etiquetas fecha fechas edad telefono email correo iniciales".split()
)
_LIST_JOINS = frozenset("y e ni o and or i".split())
_ENDS_CLAUSE = re.compile(r"[.!?;:¿¡\n]")
#: A contrast ends the list too: «he pixelado el nombre pero se ve la dirección».
_CONTRASTS = frozenset("pero aunque sino mais but".split())
#: How many words a list after a removal may run.
_LIST_REACH = 20


def _removed_list(text: str, spans: Sequence[tuple[str, int, int]], words: list[str]) -> dict[int, int]:
    """Word indices that start an item of a list after a removal word, the item being something
    that identifies (:data:`_LISTED_REMOVABLE`), mapped to the removal word's index. The first item
    is already reached by :func:`_negation`; this carries the removal through «, …, … y …» up to
    the end of the sentence."""
    out: dict[int, int] = {}
    for r, word in enumerate(words):
        if word not in REMOVALS or _denied_removal(words, r):
            continue
        k, item = r + 1, r + 1
        while k < len(words) and k <= r + _LIST_REACH:
            if k > r + 1 and (_ENDS_CLAUSE.search(text, spans[k - 1][2], spans[k][1]) or words[k] in _CONTRASTS):
                break
            if k == item:
                head = k + 1 if words[k] in _DETERMINERS and k + 1 < len(words) else k
                if words[head] in _LISTED_REMOVABLE:
                    out.setdefault(k, r)
                    out.setdefault(head, r)
                elif k > r + 1:
                    break  # an item that is not taken out ends the list («… y el niño sale»)
            if k + 1 < len(words) and "," in text[spans[k][2] : spans[k + 1][1]]:
                item = k + 1
            elif k + 2 < len(words) and words[k + 1] in _LIST_JOINS:
                if _ENDS_CLAUSE.search(text, spans[k][2], spans[k + 1][1]):
                    break
                item = k + 2
                k += 1
            k += 1
    return out


def _negation(words: list[str], i: int, galician: bool = False) -> int | None:
    """Where the negation that governs the phrase starting at word ``i`` is, if one does (see
    :data:`NEGATION_BRIDGE`). In a ``galician`` message «no» is «en el», not a negation."""
    for back, word in enumerate(reversed(words[max(0, i - NEGATION_WINDOW) : i]), 1):
        if (word in NEGATIONS and not (galician and word == "no")) or (
            word in IDENTITY_REMOVALS and not IDENTIFIERS.isdisjoint(words[i : i + 2])
        ):
            # «no he quitado la matrícula», «I have not removed it»: a denied removal leaves it there.
            return None if _denied_removal(words, i - back) else i - back
        if word not in NEGATION_BRIDGE and not (word in EDITED_OUT and _edits_before(words, i - back)):
            return None
    return None


#: Words between a «no» (or «sin») and the removal it denies: «no he quitado», «sin tapar», «not yet removed».
_AUXILIARIES = frozenset("he has ha hemos habeis han lo la los las le les have yet todavia aun encara".split())
_DENIALS = frozenset("no not non nunca never sin sense sen without".split())


def _denied_removal(words: list[str], position: int) -> bool:
    """Whether the removal at word ``position`` is denied («no he quitado», «never blurred»)."""
    if words[position] not in REMOVALS and words[position] not in IDENTITY_REMOVALS:
        return False
    for word in reversed(words[max(0, position - 4) : position]):
        if word in _DENIALS:
            return True
        if word not in _AUXILIARIES:
            return False
    return False


#: «recorto para que no se vea la pulsera», «tapo las caras perquè no surti ningú»: after an edit
#: of one's own post (a word of :data:`REMOVALS` shortly before), a purpose clause with a verb of
#: appearing in the subjunctive says the phrase will not be there. Without the edit it does not:
#: in «ocultamos su comentario para que no se vea el DNI» the DNI is in what is hidden.
EDITED_OUT = frozenset("vea vean salga salgan aparezca aparezcan vegi vegin surti surtin vexa vexan saia saian".split())
#: How many words before the purpose clause the edit may be.
EDIT_WINDOW = 8


def _edits_before(words: list[str], position: int) -> bool:
    """Whether a word of :data:`REMOVALS` comes within :data:`EDIT_WINDOW` words before ``position``."""
    return not REMOVALS.isdisjoint(words[max(0, position - EDIT_WINDOW) : position])


#: «de» and a determiner: the noun's complement («la cara de mi compañero tapada»).
_OF = frozenset("de del da do dels of".split())
_DETERMINERS = frozenset(
    "mi mis su sus tu tus el la los las lo nuestro nuestra meu meva seu seva o a os as my his her their the".split()
)


def _removed_after(words: list[str], end: int) -> int | None:
    """Where the word saying the phrase ending before word ``end`` was taken out is («la
    matrícula tapada», «las caras bien pixeladas», «la cara de mi compañero tapada»), if one
    does (see :data:`REMOVED_AFTER`)."""
    if end < len(words) and words[end] in _OF:
        end += 1
        if end < len(words) and words[end] in _DETERMINERS:
            end += 1
        end += 1
    for k in (end, end + 1):
        if k < len(words) and words[k] in REMOVED_AFTER:
            return k
        if k < len(words) and words[k] not in {"ya", "bien", "totalmente", "completamente"}:
            return None
    return None


#: Negations that say something is not there («sin», «ni», «ningún»), unlike «no es un menor».
_ABSENT = (
    frozenset("sin ni ningun ninguna ninguno cero nada sense cap sen nin without nor".split())
    | REMOVALS
    | IDENTITY_REMOVALS
)
#: «no» says it when a verb of appearing joins it to the phrase: «no sale ningún niño», «no hay nombres».
_APPEARS = frozenset("sale salen aparece aparecen ve ven hay surt surten sae saen".split())


def _says_absent(words: list[str], negation: int, i: int) -> bool:
    """Whether the negation at word ``negation`` says the phrase at word ``i`` is *absent*
    («sin críos», «no salen pacientes», «ni nombres ni caras»), not merely denied («no es un menor»)."""
    between = words[negation + 1 : i]
    return (
        words[negation] in _ABSENT
        or any(w in _APPEARS for w in between)
        or (any(w in EDITED_OUT for w in between) and _edits_before(words, negation))
    )


def _match(phrase: _Phrase, stems: list[str], words: list[str], i: int) -> int | None:
    """End (exclusive) of ``phrase`` matched at word ``i`` (``*`` = up to :data:`GAP_WORDS` words).

    A stem shorter than :data:`SHORT_STEM` letters is too ambiguous across words and languages
    («dana» and «dan» share «dan»): the word must then be the phrase's word itself.
    """
    position = i
    for k, stem in enumerate(phrase.stems):
        if stem == "*":
            continue
        if k and phrase.stems[k - 1] == "*":
            for skip in range(GAP_WORDS + 1):
                # A negation the gap would swallow denies the phrase («mirado en ninguna base de datos»).
                if skip and position + skip - 1 < len(words) and words[position + skip - 1] in NEGATIONS:
                    return None
                if position + skip < len(stems) and _same(phrase, k, stems, words, position + skip):
                    position += skip
                    break
            else:
                return None
        elif position >= len(stems) or not _same(phrase, k, stems, words, position):
            return None
        position += 1
    return position


def _same(phrase: _Phrase, k: int, stems: list[str], words: list[str], position: int) -> bool:
    """Whether text word ``position`` is phrase word ``k``.

    Stems must be equal. Snowball stems are aggressive («partido» and «parto» share «part»), so
    for Spanish, Catalan and Galician only a verb in the phrase (an infinitive: «publicar»,
    «burlarme») matches any conjugated form; any other word matches its plural and gender
    forms only («menor», «menores»; «niño», «niñas»).
    """
    if stems[position] != phrase.stems[k]:
        return False
    word, wanted = words[position], phrase.words[k]
    if len(phrase.stems[k]) < SHORT_STEM:
        return word == wanted
    if phrase.inflects:
        # English and Basque add endings; Basque stems are short enough to join unrelated words
        # («udaltzaina», a local police officer, and «udaleko», of the council, share «udal»).
        return _shared_prefix(word, wanted) >= max(len(phrase.stems[k]), len(wanted) - 3)
    if _VERB.search(wanted):
        # «filtros», «adelantos»: a plural in -os is a noun of the verb's family, never one of its
        # forms («filtramos», «filtrarlos», «callaos» are).
        return _NOUN_PLURAL.search(word) is None
    # Short stems join unrelated words («parto» and «parte», «libro» and «libre»): gender turns
    # an o into an a, never into an e.
    if len(phrase.stems[k]) <= SHORT_STEM + 1 and {word.rstrip("s")[-1:], wanted.rstrip("s")[-1:]} == {"e", "o"}:
        return False
    return light(word) == light(wanted)


def _shared_prefix(a: str, b: str) -> int:
    """How many leading letters two words share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


_VERB = re.compile(r"(?:ar|er|ir|re)(?:me|te|se|le|la|lo|les|los|las|nos)?$")
_PLURAL = re.compile(r"(?:es|s)$")
_NOUN_PLURAL = re.compile(r"(?<![mlna])os$")
# «salgan» / «salga»: the plural of a verb form (not «camión», whose «n» is its own).
_VERB_PLURAL = re.compile(r"(?<=[ae])n$")
_GENDER = re.compile(r"[aoe]$")


def light(word: str) -> str:
    """A folded word without its plural and gender ending: «niñas» → «niñ», «menores» → «menor»."""
    base = _PLURAL.sub("", word) if len(word) > 3 else word
    base = _VERB_PLURAL.sub("", base) if len(base) > 4 else base
    return _GENDER.sub("", base) if len(base) > 3 else base


def _dedupe(hits: list[SignalHit]) -> list[SignalHit]:
    """Of overlapping hits of one signal found the same way (a phrase, or one detector), the longest."""
    kept: list[SignalHit] = []
    for hit in sorted(hits, key=lambda h: (h.signal, h.via or "", h.start, -(h.end - h.start))):
        previous = kept[-1] if kept else None
        if previous and (previous.signal, previous.via) == (hit.signal, hit.via) and hit.start < previous.end:
            continue
        kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.end, h.signal))


def _key(name: str) -> str:
    return "_".join(fold(name).replace("_", " ").split())


# --------------------------------------------------------------------------- loading


def load_signals(knowledge_dir: Path) -> tuple[SignalBook, list[str]]:
    """Read ``senales.yaml``; a missing or broken file gives an empty book and the problems.

    Never raises for bad content: each problem is a message for policy owners, and a signal
    with a problem is left out while the others load.
    """
    path = knowledge_dir / SIGNALS_FILE
    if not path.is_file():
        return SignalBook(), []
    try:
        data, repeated = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return SignalBook(), [f"no se puede leer ({exc}); el bot responde sin señales (más cautelas)"]
    book, problems = parse_signals(data)
    return book, repeated + problems


def parse_signals(data: Any) -> tuple[SignalBook, list[str]]:
    """Signals from the YAML data (``id: {nombre, clase, frases...}``), and the problems found."""
    if data is None:
        return SignalBook(), []
    if not isinstance(data, dict):
        return SignalBook(), ["debe ser una lista de señales «id: {nombre, clase, frases...}»"]
    problems: list[str] = []
    signals: dict[str, Signal] = {}
    for raw_id, body in data.items():
        signal_id = _key(str(raw_id))
        try:
            signals[signal_id] = _signal(signal_id, body)
        except ValueError as exc:
            problems.append(f"señal {raw_id!r}: {exc}")
    for signal in signals.values():
        unknown = [s for s in signal.lifts if s not in signals]
        if unknown:
            problems.append(f"señal {signal.id!r}: «levanta» nombra señales que no existen: {', '.join(unknown)}")
        unknown = [s for s in signal.absence_of if s not in signals]
        if unknown:
            problems.append(f"señal {signal.id!r}: «ausencia_de» nombra señales que no existen: {', '.join(unknown)}")
        unknown = [s for s in signal.sensitive_with if s not in signals]
        if unknown:
            problems.append(f"señal {signal.id!r}: «sensible_con» nombra señales que no existen: {', '.join(unknown)}")
        unknown = [s for s in signal.cancels if s not in signals]
        if unknown:
            problems.append(f"señal {signal.id!r}: «anula» nombra señales que no existen: {', '.join(unknown)}")
        detectors = {d.value for d in Detector}
        unknown = [s for s in signal.contradicted_by if s not in signals and s not in detectors]
        if unknown:
            problems.append(
                f"señal {signal.id!r}: «desmentida_por» nombra señales o detectores que no existen: {', '.join(unknown)}"
            )
    return SignalBook(signals), problems


_KNOWN_FIELDS = {
    "del_puesto",
    "desmentida_por",
    "nombre",
    "clase",
    "descripcion",
    "comprobar",
    "detectores",
    "levanta",
    "frases",
    "excepto",
    "sensible",
    "sensible_con",
    "etiquetas",
    "anula",
    "persiste",
    "se_consigue",
    "de_lo_dicho",
    "ausencia_de",
    "combinaciones",
    "materias",
}

#: Most phrases one signal's ``combinaciones`` may make in one language (a typo in a part should
#: not make the book slow to load or to match).
MAX_COMBINED = 20000


def _signal(signal_id: str, body: Any) -> Signal:
    if not isinstance(body, dict):
        raise ValueError("debe tener «nombre», «clase» y «frases»")
    unknown = set(map(str, body)) - _KNOWN_FIELDS
    if unknown:
        raise ValueError(f"campos desconocidos: {', '.join(sorted(unknown))}")
    try:
        cls = SignalClass(fold(str(body.get("clase", ""))).strip())
    except ValueError:
        raise ValueError(f"«clase» debe ser una de: {', '.join(c.value for c in SignalClass)}") from None
    detectors: list[Detector] = []
    for name in _strings(body.get("detectores"), "detectores"):
        try:
            detectors.append(Detector(fold(name).strip()))
        except ValueError:
            raise ValueError(
                f"detector desconocido {name!r}; válidos: {', '.join(d.value for d in Detector)}"
            ) from None
    lifts = tuple(_key(s) for s in _strings(body.get("levanta"), "levanta"))
    if lifts and cls is not SignalClass.LEVANTA:
        raise ValueError("solo una señal de clase «levanta» puede tener «levanta»")
    contradicted_by = tuple(_key(s) for s in _strings(body.get("desmentida_por"), "desmentida_por"))
    absence_of = tuple(_key(s) for s in _strings(body.get("ausencia_de"), "ausencia_de"))
    if absence_of and cls is not SignalClass.LEVANTA:
        raise ValueError("solo una señal de clase «levanta» puede tener «ausencia_de»")
    if contradicted_by and cls is not SignalClass.LEVANTA:
        raise ValueError("solo una señal de clase «levanta» puede tener «desmentida_por»")
    of_the_job = _flag(body, "del_puesto")
    if of_the_job and cls is SignalClass.RIESGO:
        raise ValueError("una señal de riesgo cuenta siempre: no puede ser «del_puesto»")
    phrases = _by_language(body.get("frases"), "frases")
    combined = _combinations(body.get("combinaciones"))
    exceptions = _by_language(body.get("excepto"), "excepto")
    if not phrases and not combined and not detectors:
        raise ValueError("necesita «frases» o «detectores»")
    name = str(body.get("nombre") or signal_id.replace("_", " ")).strip()
    sensitive, persists = _flag(body, "sensible"), _flag(body, "persiste")
    obtainable, nearby = _flag(body, "se_consigue"), _flag(body, "de_lo_dicho")
    for flag, key in ((obtainable, "se_consigue"), (nearby, "de_lo_dicho")):
        if flag and cls is not SignalClass.LEVANTA:
            raise ValueError(f"solo una señal de clase «levanta» puede ser «{key}»")
    if sensitive and cls is not SignalClass.CONTEXTO:
        raise ValueError("solo una señal de clase «contexto» puede ser «sensible» (un riesgo ya lo es siempre)")
    sensitive_with = tuple(_key(s) for s in _strings(body.get("sensible_con"), "sensible_con"))
    if sensitive_with and not sensitive:
        raise ValueError("«sensible_con» solo vale en una señal «sensible: true»")
    return Signal(
        id=signal_id,
        name=name,
        cls=cls,
        description=str(body.get("descripcion") or "").strip(),
        check=str(body.get("comprobar") or "").strip(),
        detectors=tuple(detectors),
        lifts=lifts,
        phrases=phrases,
        combined=combined,
        exceptions=exceptions,
        labels=_labels(body.get("etiquetas")),
        sensitive=sensitive,
        sensitive_with=sensitive_with,
        cancels=tuple(_key(s) for s in _strings(body.get("anula"), "anula")),
        persists=persists,
        contradicted_by=contradicted_by,
        of_the_job=of_the_job,
        obtainable=obtainable,
        nearby=nearby,
        absence_of=absence_of,
        matters=_matters(body.get("materias")),
    )


def _flag(body: dict[Any, Any], key: str) -> bool:
    """A yes/no field of a signal (``sensible``, ``persiste``...): absent is no."""
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"«{key}» debe ser «sí» o «no» (true o false)")
    return value


def _labels(value: Any) -> dict[str, str]:
    """``etiquetas``: the signal's name by language (the Spanish one is ``nombre``)."""
    if value is None:
        return {}
    others = [code for code in LANGUAGES if code != "es"]
    if not isinstance(value, dict):
        raise ValueError(f"«etiquetas» debe dar el nombre por idioma ({', '.join(others)})")
    out: dict[str, str] = {}
    for language, label in value.items():
        if language not in others:
            raise ValueError(
                f"idioma desconocido {language!r} en «etiquetas»; válidos: {', '.join(others)} "
                "(el castellano es «nombre»)"
            )
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"«etiquetas.{language}» debe ser un texto")
        out[language] = label.strip()
    return out


def _by_language(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"«{where}» debe agrupar las frases por idioma (es, ca, gl, eu, en)")
    out: dict[str, tuple[str, ...]] = {}
    for language, items in value.items():
        if language not in LANGUAGES:
            raise ValueError(f"idioma desconocido {language!r} en «{where}»; válidos: {', '.join(LANGUAGES)}")
        out[language] = tuple(s for s in _strings(items, f"{where}.{language}") if s.strip())
    return out


def _matters(value: Any) -> tuple[tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]], ...]:
    """``materias``: a list of ``{puesto: {es: […]}, materia: {es: […]}}``."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError("«materias» debe ser una lista de «{puesto: {es: [...]}, materia: {es: [...]}}»")
    out = []
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(map(str, item)) != {"puesto", "materia"}:
            raise ValueError(f"«materias» n.º {n} debe tener «puesto» y «materia», y nada más")
        job = _by_language(item["puesto"], f"materias[{n}].puesto")
        matter = _by_language(item["materia"], f"materias[{n}].materia")
        if not job or not matter:
            raise ValueError(f"«materias» n.º {n}: «puesto» y «materia» necesitan frases")
        out.append((job, matter))
    return tuple(out)


def _combinations(value: Any) -> dict[str, tuple[str, ...]]:
    """``combinaciones``: per language, a list of parts (each a list of texts, ``""`` for
    nothing); every phrase made of one text of each part, in order."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("«combinaciones» debe agrupar las partes por idioma (es, ca, gl, eu, en)")
    out: dict[str, tuple[str, ...]] = {}
    for language, parts in value.items():
        where = f"combinaciones.{language}"
        if language not in LANGUAGES:
            raise ValueError(f"idioma desconocido {language!r} en «combinaciones»; válidos: {', '.join(LANGUAGES)}")
        if not isinstance(parts, list) or len(parts) < 2:
            raise ValueError(f"«{where}» debe ser una lista de dos o más partes, cada una una lista de textos")
        items = [[t.strip() for t in _strings(part, f"{where}[{n}]")] for n, part in enumerate(parts, 1)]
        if any(not part for part in items):
            raise ValueError(f"«{where}»: cada parte necesita al menos un texto")
        if math.prod(len(part) for part in items) > MAX_COMBINED:
            raise ValueError(f"«{where}» da más de {MAX_COMBINED} frases: divide las partes o acórtalas")
        joined = {" ".join(t for t in combo if t) for combo in product(*items)}
        out[language] = tuple(sorted(p for p in joined if p))
    return out


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    raise ValueError(f"«{where}» debe ser una lista de textos")


_CONDITION_SPLIT = re.compile(r"\s*[;,]\s*")
_AND_SPLIT = re.compile(r"\s+y\s+|\s*\+\s*")


def parse_condition(text: str) -> tuple[tuple[str, ...], ...]:
    """«menor y cuenta oficial; datos personales» → ``(("menor", "cuenta_oficial"), ("datos_personales",))``.

    Alternatives are separated by «;» or «,» (any one is enough); within one, «y» or «+» joins
    signals that must all be present. Names are returned as keys; :meth:`SignalBook.resolve`
    checks them.
    """
    alternatives = []
    for raw in _CONDITION_SPLIT.split(text.strip().rstrip(".")):
        part = re.sub(r"^(?:o|or)\s+", "", raw.strip(), flags=re.IGNORECASE)
        names = tuple(_key(n) for n in _AND_SPLIT.split(part) if n.strip())
        if names:
            alternatives.append(names)
    return tuple(alternatives)
