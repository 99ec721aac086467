"""Cues: the words that tell how to read what stands around them, as data per language.

A risk phrase is not always evidence about the post. The words around it may say that it is a
word named rather than used («¿pasa algo por usar 'detenido'?»), a title («reviendo 'L.A.
Confidential'»), the subject of a course, the asker introducing themselves or describing their
job («Soy enfermera en la UCI», «En mi día a día hay detenidos…»), what a post keeps back («no
os voy a contar cuánto declaró el vecino») or a question sets aside («en lugar de un caso
real…»), or a colleague praised in a post about the team («mención especial para Lucía»).
:mod:`bot.signals` reads them; here are their vocabularies and the spans they mark.

The vocabularies are data, the ``pistas`` section of each ``bot/i18n/<lang>.yaml`` (Spanish,
Catalan, Galician, Basque, English; a file may lack it): regular expressions over folded text
(:func:`bot.text.fold`: lower case, no accents, «ñ» kept), every language merged (a message may
mix them) and compiled once. Where a cue must stand (right before a quote, at the start of a
sentence, after a name…) is code. The patterns run on the folded text and every span is
returned in the text as written.

Folding merges words that only their accent tells apart: «no diré qué…» keeps something back,
«no voy a decir que sea fácil» does not; «trabajo en» introduces the asker, «trabajó en» does
not. Such a word is written as a group named ``tilde`` that lists the spellings it may have,
accents included («(?P<tilde>qué)», «(?P<tilde>término|termino)»): a match counts only if the
text writes it one of those ways (in any case).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count
from pathlib import Path
from typing import Any

from bot import yamlfile
from bot.intent import I18N_DIR, alternatives
from bot.text import fold, fold_with_offsets, quoted

__all__ = [
    "Cue",
    "Cues",
    "about_the_team",
    "attended_after",
    "describes_routine",
    "doubted_spans",
    "introductions",
    "load_cues",
    "mentioned_spans",
    "praises_before",
    "replaced_spans",
    "says_own_job",
    "subject_spans",
    "vocabulary",
    "withheld_spans",
]

#: The section of ``bot/i18n/*.yaml`` read here.
SECTION = "pistas"

#: The keys of the section: one regular expression or a list of them each (see the yaml files).
KEYS = (
    "palabra_nombrada",  # «la palabra 'confidencial'»
    "usar_palabra",  # «por usar 'detenido'»
    "articulo",  # «decir el 'x'»
    "lista_de_palabras",  # «salen 'pacientes' y 'riesgo'»
    "lista_une",  # «'pacientes' y 'riesgo'»
    "mencion_suelta",  # «la palabra confidencial»
    "mencion_al_final",  # «¿suena raro con lo de confidencial?»
    "mencion_preocupa",  # «¿algún problema por lo de los datos?»
    "muletilla_final",  # «… pacientes y tal, ¿hay problema?»: closes what worries the asker
    "mascota",  # «mi perro se llama Confidencial»
    "se_llama",
    "curso",  # «el curso del INAP sobre gestión de información confidencial»
    "curso_sobre",
    "obra",  # «reviendo 'L.A. Confidential'»
    "lema",  # «con el lema 'Un año de logros'»: what the post says, never a title
    "saludo",  # «Hola, soy enfermera»
    "presentacion",
    "presentacion_corte",
    "presentacion_final",  # Basque: «… naiz»
    "puesto_propio",  # «acabo de aprobar la oposición de agente de Hacienda»
    "rutina",  # «en mi día a día hay detenidos»
    "rutina_inicio",  # «Veo contenciones, brotes psicóticos…»
    "callar",  # «no os voy a contar cuánto declaró»
    "callar_fin",
    "en_lugar_de",  # «en lugar de un caso real pongo las cifras»
    "en_lugar_de_fin",
    "duda",  # «no sé si todas las familias firmaron la autorización»
    "duda_fin",
    "elogio_antes",  # «mención especial para Lucía»
    "equipo",
    "no_companero_despues",  # «Remedios, la del 3ºB»
)
#: A pair of cues around a quoted word: ``antes`` right before it, ``despues`` right after it
#: («the 'confidential' bit»).
PAIRS = "palabra_entre"

#: How far (characters) a cue may be from the quotes it speaks of.
CUE_REACH = 80
#: How far (characters) before a name its praise may start.
PRAISE_REACH = 40
#: At most this many words are what is set aside («en vez de la foto del paciente»).
INSTEAD_WORDS = 5
#: At most this many words are what a doubt covers («no sé si todas las familias firmaron la autorización»).
DOUBT_WORDS = 10

# Emoji and pictographs: an introduction ends at one («Soy enfermera 💉 …»).
_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff"
#: A ``tilde`` group of a pattern: the spellings of one word, accents included.
_TILDE_GROUP = re.compile(r"\(\?P<tilde>([^()\\]*)\)")
_TILDE = "tilde"
_numbers = count()


@dataclass(frozen=True)
class Cue:
    """One cue's pattern over folded text, and the spellings its ``tilde`` groups accept."""

    pattern: re.Pattern[str]
    #: Each ``tilde`` group (renamed ``tilde<n>``): its spellings, in lower case.
    spellings: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def matches(self, text: str, start: int = 0) -> Iterator[re.Match[str]]:
        """The matches in folded ``text`` from ``start`` (a folded index), left to right and not
        overlapping, but for those with a ``tilde`` group that ``text`` spells otherwise."""
        folded = _folded(text)[0]
        pos = start
        while pos <= len(folded) and (match := self.pattern.search(folded, pos)) is not None:
            if self._spelt(text, match):
                yield match
                pos = max(match.end(), match.start() + 1)
            else:
                pos = match.start() + 1

    def found(self, text: str) -> bool:
        """Whether the cue is anywhere in ``text``."""
        return next(self.matches(text), None) is not None

    def found_at(self, text: str, index: int) -> bool:
        """Whether the cue starts right at ``index`` of ``text`` (an index in ``text`` itself)."""
        folded, offsets = _folded(text)
        match = self.pattern.match(folded, bisect_left(offsets, index))
        return match is not None and self._spelt(text, match)

    def _spelt(self, text: str, match: re.Match[str]) -> bool:
        """Whether ``text`` spells each ``tilde`` group of ``match`` one of its ways."""
        offsets = _folded(text)[1]
        return all(
            _nfc(text[offsets[match.start(name)] : offsets[match.end(name)]].lower()) in self.spellings[name]
            for name, value in match.groupdict().items()
            if name.startswith(_TILDE) and value is not None
        )


@dataclass(frozen=True)
class Cues:
    """The ``pistas`` of every language, compiled once (the yaml keys each one reads)."""

    named_word: Cue  # palabra_nombrada, right before the quote
    named_between: tuple[tuple[Cue, Cue], ...]  # palabra_entre: antes, right before; despues, right after
    says_word: Cue  # usar_palabra (and articulo), right before the quote
    word_list: Cue  # lista_de_palabras, right before the quote
    list_join: Cue  # lista_une, all that stands between two quotes
    bare_mention: Cue  # mencion_suelta, mencion_al_final, mascota and se_llama
    course: Cue  # curso … curso_sobre: the subject
    work: Cue  # obra, near a quoted title
    slogan: Cue  # lema, right before the quote
    called: Cue  # se_llama, right before a short quoted name
    introduction: Cue  # saludo, presentacion, presentacion_corte, presentacion_final
    own_job: Cue  # puesto_propio, in a sentence
    routine: Cue  # rutina, rutina_inicio, in a sentence
    withheld: Cue  # callar
    withheld_end: Cue  # callar_fin, or the clause's end
    instead_of: Cue  # en_lugar_de
    instead_end: Cue  # en_lugar_de_fin, or the clause's end
    doubt: Cue  # duda
    doubt_end: Cue  # duda_fin, or the clause's end
    praise: Cue  # elogio_antes, right before a name
    team: Cue  # equipo, anywhere
    attended: Cue  # no_companero_despues, right after a name


def _patterns(value: Any) -> list[str]:
    """A key's value: one pattern or a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return []


def _union(patterns: list[str], spellings: dict[str, frozenset[str]]) -> str:
    """:func:`bot.intent.alternatives` of ``patterns``, each ``tilde`` group renamed (a name may
    appear only once in a regular expression) and folded, its spellings kept in ``spellings``."""

    def folded_group(group: re.Match[str]) -> str:
        name = f"{_TILDE}{next(_numbers)}"
        words = group.group(1).split("|")
        spellings[name] = frozenset(_nfc(w.lower()) for w in words)
        return f"(?P<{name}>{'|'.join(dict.fromkeys(fold(w) for w in words))})"

    return alternatives([_TILDE_GROUP.sub(folded_group, p) for p in patterns])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def load_cues(directory: Path = I18N_DIR) -> Cues:
    """The ``pistas`` of every ``*.yaml`` in ``directory``, merged and compiled."""
    found: dict[str, list[str]] = {key: [] for key in KEYS}
    pairs: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.yaml")):
        data: dict[str, Any] = yamlfile.load(path.read_text(encoding="utf-8"))[0] or {}
        section = data.get(SECTION) or {}
        for key in KEYS:
            found[key].extend(_patterns(section.get(key)))
        for pair in section.get(PAIRS) or []:
            if isinstance(pair, dict) and pair.get("antes") and pair.get("despues"):
                pairs.append((str(pair["antes"]), str(pair["despues"])))
    spellings: dict[str, frozenset[str]] = {}
    u = {key: _union(patterns, spellings) for key, patterns in found.items()}

    def cue(pattern: str) -> Cue:
        return Cue(re.compile(pattern), spellings)

    return Cues(
        named_word=cue(rf"\b(?:{u['palabra_nombrada']})\s*:?\s*$"),
        named_between=tuple(
            (cue(rf"\b(?:{_union([b], spellings)})\s*$"), cue(rf"^\s*(?:{_union([a], spellings)})\b")) for b, a in pairs
        ),
        says_word=cue(rf"\b(?:{u['usar_palabra']})\s+(?:(?:{u['articulo']})\s+)?$"),
        word_list=cue(rf"\b(?:{u['lista_de_palabras']})\s*$"),
        list_join=cue(rf"\A\s*,?\s*(?:{u['lista_une']})?\s*\Z"),
        bare_mention=cue(
            rf"\b(?:{u['mencion_suelta']})\s+(?P<word>\w+)"
            # One word, then the sentence ends.
            rf"|\b(?:{u['mencion_al_final']})\s+(?P<last>\w+)(?=\s*(?:[?.!,)…]|$))"
            # What worries the asker, named (up to three words, then the clause ends): not the post.
            rf"|\b(?:{u['mencion_preocupa']})\s+(?P<worry>\w+(?:\s+\w+){{0,2}})(?=\s*(?:[?.!,;)…]|(?:{u['muletilla_final']})\b|$))"
            rf"|\b(?:{u['mascota']})\s+(?:{u['se_llama']})\s+(?P<pet>\w+)"
        ),
        course=cue(rf"\b(?:{u['curso']})\b[^.?!,;:\n]{{0,40}}?\b(?:{u['curso_sobre']})\s+(?P<topic>[^.?!,;:\n]+)"),
        work=cue(rf"\b(?:{u['obra']})\b"),
        slogan=cue(rf"\b(?:{u['lema']})\s*:?\s*$"),
        called=cue(rf"\b(?:{u['se_llama']})\s*:?\s*$"),
        # A sentence that opens with it (after a greeting), up to the first punctuation, emoji
        # or cut word; or one that ends with a word that closes an introduction (Basque «naiz»).
        introduction=cue(
            rf"(?:^|(?<=[.!?¡¿\n]))[\s\W]*(?:(?:{u['saludo']})\W+)?(?:{u['presentacion']})"
            rf"[^.!?,;:\n]*?(?=\s+(?:{u['presentacion_corte']})\s+|[.!?,;:\n({_EMOJI}]|$)"
            rf"|(?:^|(?<=[.!?\n]))[^.!?\n]{{1,80}}?\b(?:{u['presentacion_final']})\b"
        ),
        own_job=cue(rf"\b(?:{u['puesto_propio']})\b"),
        routine=cue(rf"\b(?:{u['rutina']})\b|^[\s\W]*(?:{u['rutina_inicio']})\s"),
        withheld=cue(rf"\b(?:{u['callar']})\b"),
        withheld_end=cue(rf"[.!?¿¡\n;,]|\b(?:{u['callar_fin']})\b"),
        instead_of=cue(rf"\b(?:{u['en_lugar_de']})\s+"),
        instead_end=cue(rf"[.!?¿¡\n;,:]|\b(?:{u['en_lugar_de_fin']})\b"),
        doubt=cue(rf"\b(?:{u['duda']})\s+"),
        doubt_end=cue(rf"[.!?¿¡\n;,:]|\b(?:{u['duda_fin']})\b"),
        praise=cue(rf"(?:{u['elogio_antes']})\s*¡?$"),
        team=cue(rf"\b(?:{u['equipo']})\b"),
        attended=cue(rf"\s*,?\s*(?:{u['no_companero_despues']})"),
    )


@lru_cache(maxsize=1)
def vocabulary() -> Cues:
    """The ``pistas`` of ``bot/i18n/*.yaml``, compiled once."""
    return load_cues(I18N_DIR)


@lru_cache(maxsize=256)
def _folded(text: str) -> tuple[str, tuple[int, ...]]:
    """:func:`bot.text.fold_with_offsets`, once per text (a text is read for several cues)."""
    folded, offsets = fold_with_offsets(text)
    return folded, tuple(offsets)


def _span(text: str, match: re.Match[str], group: str | int = 0) -> tuple[int, int]:
    """Where a match (or one of its groups) in the folded text is in ``text``."""
    offsets = _folded(text)[1]
    return offsets[match.start(group)], offsets[match.end(group)]


def mentioned_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that name a word or a title rather than say something with it.

    A word quoted (or named) after a word about words («la palabra 'confidencial'», «eso de
    'secreto'», «the 'confidential' bit»), after a verb of saying («¿pasa algo por usar
    'detenido'?») or in a list of them («Salen 'pacientes' y 'riesgo'»); or a quoted title, with a
    capital, next to what it is the title of («reviendo 'L.A. Confidential'», «'El secret de la
    infermera', una novel·la»). A risk phrase inside one is not evidence about the post.
    """
    cues = vocabulary()
    spans: list[tuple[int, int]] = []
    listed = False  # the quote before named a word («Salen 'pacientes' y 'riesgo'», «por lo de 'x' y 'y'»)
    previous_end = -1
    for start, end, inner in quoted(text):
        if len(inner) > 80:
            continue
        before = text[max(0, start - CUE_REACH) : start]
        after = text[end : end + CUE_REACH]
        short = len(inner.split()) <= 2
        listed = short and (cues.word_list.found(before) or (listed and cues.list_join.found(text[previous_end:start])))
        previous_end = end
        about_word = (
            listed
            or cues.named_word.found(before)
            or (short and cues.says_word.found(before))
            or (short and any(b.found(before) and a.found(after) for b, a in cues.named_between))
        )
        listed = short and about_word
        # «El director quiere una campaña con el lema 'Un año de logros'»: a slogan is the post's own words.
        title = (
            inner[:1].isupper()
            and not cues.slogan.found(before)
            and (cues.work.found(before) or cues.work.found(after))
        )
        # «un equipo que se llama 'Los Confidenciales'»: a short name, not a word used
        title = title or (inner[:1].isupper() and len(inner.split()) <= 3 and cues.called.found(before))
        if about_word or title:
            spans.append((start, end))
    for match in cues.bare_mention.matches(text):
        group = next(name for name in ("word", "last", "worry", "pet") if match.group(name) is not None)
        spans.append(_span(text, match, group))
    return spans


def subject_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that give the subject of a course («el curso del INAP sobre gestión de
    información confidencial»): no evidence there, but unlike a named word the same words
    elsewhere still count («el taller sobre menores… en la foto salen los menores»)."""
    return [_span(text, m, "topic") for m in vocabulary().course.matches(text)]


def introductions(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` where the asker says who they are and where they work: a sentence that
    starts «Soy …», «Trabajo en / como …» (or its Catalan, Galician and English forms), up to the
    first punctuation or «y»; or a Basque one that ends «… naiz». «Soy su enfermera» speaks of
    somebody else: not an introduction."""
    return [_span(text, m) for m in vocabulary().introduction.matches(text)]


def says_own_job(sentence: str) -> bool:
    """Whether a sentence says a job is the asker's own other than by introducing themselves:
    «Acabo de aprobar la oposición de agente de Hacienda», «presentándome como técnico de…»."""
    return vocabulary().own_job.found(sentence)


def describes_routine(sentence: str) -> bool:
    """Whether a sentence is about what the job is like in general, before saying what they want
    to post: «En mi día a día hay detenidos, persecuciones...», «Veo contenciones, brotes
    psicóticos...», «Suena fatal, lo sé: amianto, accidentes mortales... es mi pan de cada día»."""
    return vocabulary().routine.found(sentence)


def withheld_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a draft the post says it will not tell («no os voy a contar cuánto declaró el
    vecino», «no diré quién fue», «I won't tell you who»), after the refusal itself, up to the end
    of the clause or a turn in it («…, pero…»): no phrase there is evidence of a disclosure. The
    refusal's own words still count («no digo el nombre» lifts, «I'm not saying who» points), and
    so does a detector finding."""
    cues = vocabulary()
    return _spans_after(text, cues.withheld, cues.withheld_end)


def replaced_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a question that name what it sets aside («¿y si en lugar de un caso real pongo
    las cifras del informe?»), up to a comma or the verb of what replaces it: the old content is
    no evidence about the new one."""
    cues = vocabulary()
    return _spans_after(text, cues.instead_of, cues.instead_end, INSTEAD_WORDS)


def doubted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that the asker says they are not sure of («no sé si todas las familias
    firmaron la autorización», «I'm not sure if it's in the BOE yet»), up to the end of the clause
    or :data:`DOUBT_WORDS` words: what lifts a risk there is a doubt, not a fact."""
    cues = vocabulary()
    return _spans_after(text, cues.doubt, cues.doubt_end, DOUBT_WORDS)


def _spans_after(text: str, start: Cue, end: Cue, most_words: int | None = None) -> list[tuple[int, int]]:
    """From after each match of ``start`` to the next match of ``end`` (or the end of ``text``),
    at most ``most_words`` words when given."""
    spans = []
    for match in start.matches(text):
        stop = next(end.matches(text, match.end()), None)
        begin, finish = _span(text, match)[1], _span(text, stop)[0] if stop else len(text)
        if most_words is not None:
            words = list(re.finditer(r"\S+", text[begin:finish]))
            if len(words) > most_words:  # no clear end: only the first few words
                finish = begin + words[most_words - 1].end()
        spans.append((begin, finish))
    return spans


def about_the_team(text: str) -> bool:
    """Whether the post is about the asker's own team («mi equipo», «compañeros», «se jubila»):
    the person praised in it is a colleague."""
    return vocabulary().team.found(text)


def praises_before(text: str, start: int) -> bool:
    """Whether right before ``start`` (a name) words praise, thank or say goodbye to that person
    («mención especial para», «gracias a», «feliz jubilación,»)."""
    return vocabulary().praise.found(text[max(0, start - PRAISE_REACH) : start])


def attended_after(text: str, end: int) -> bool:
    """Whether right after ``end`` (a name) words make that person someone attended, not a
    colleague: «Remedios, la del 3ºB», «Carmen, nuestra usuaria más veterana»."""
    return vocabulary().attended.found_at(text, end)
