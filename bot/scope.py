"""The bot's scope (``knowledge/ambito.yaml``), edited by policy owners.

- ``temas``: words that by themselves place a question in scope (networks, the laws' topics);
- ``contexto``: words that do so only when the question asks whether something may be done
  (publishing, public employment): "¿cuántos funcionarios tenía el Imperio romano?" is not
  about the bot's sources, "¿puedo publicar...?" is. When the group ``publicar`` (acts of
  publishing) exists, such a question needs one of its words: the workplace alone («¿cómo hago
  una tabla dinámica para la oficina?») is not a question about publishing;
- ``fuera_de_ambito``: expressions of questions the bot never answers ("¿cómo se dice...?"),
  except in a question that quotes a post (it asks about that post, as a draft would) or that
- ``veredicto``: asks for a verdict on a post («redáctamelo y dame el visto bueno»);
- ``sector_privado``: the asker says they work outside the public sector («trabajo de cajera en
  un supermercado, empresa privada»): the statute is not theirs, so no verdict either, unless the
  message also says they are a public employee (group ``salvo``: «soy funcionaria y por las
  tardes trabajo en una empresa privada» asks about a second job).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import yamlfile
from bot.text import fold, quoted, tokenize

SCOPE_FILE = "ambito.yaml"
#: Single-word anchors at least this long also match longer words (``facebooken``).
PREFIX_MIN = 5

#: Words a quoted passage needs to be read as the text of a post pasted in the question.
POST_WORDS = 4

#: A word or expression as stems, or (when it has function words) as folded text.
Anchor = tuple[str, ...] | str


@dataclass(frozen=True)
class Scope:
    """Anchors as stemmed token sequences, exclusions as folded phrases."""

    topics: tuple[Anchor, ...] = ()
    context: tuple[Anchor, ...] = ()
    excluded: tuple[str, ...] = ()
    #: Expressions asking for a verdict, which no exclusion overrides.
    verdict_asked: tuple[str, ...] = ()
    #: The context group «leyes» («ley», «artículo»).
    law_words: tuple[Anchor, ...] = ()
    #: The context group «publicar»: acts of publishing.
    acts: tuple[Anchor, ...] = ()
    #: The topic group «estatuto»: what the statute regulates (leave, careers, discipline...).
    statute: tuple[Anchor, ...] = ()
    #: Folded expressions that contain an act's word without being one («empleo público»).
    not_acts: tuple[str, ...] = ()
    #: The topic group «redes»: the networks, also by their nicknames through the glossary.
    networks: tuple[Anchor, ...] = ()
    #: The context group «condiciones»: working conditions (days off, sick leave, retiring), the
    #: statute's matters when the question also has a word of the group «empleo_publico».
    conditions: tuple[Anchor, ...] = ()
    employment: tuple[Anchor, ...] = ()
    #: Folded expressions of working outside the public sector, and of being a public employee.
    private: tuple[str, ...] = ()
    public_self: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return bool(self.topics or self.context)

    def covers(self, text: str, *, question_of_fact: bool, own: str | None = None) -> bool:
        """Whether a question (already expanded with the glossary) is in scope.

        In scope: no exclusion matches, and a topic does, or a context word does in a question
        that asks for permission. ``own`` is the message's own text when ``text`` also carries
        earlier turns: only the message itself can be out of scope («¿qué tiempo hará?», then
        «Vale, a lo mío: quiero subir un reel…» is in scope).
        """
        if not self.configured:
            return True
        folded = fold(text)
        tokens = tokenize(text)
        said = folded if own is None else fold(own)
        # A post quoted to be published is what the question asks about, as a draft would be
        # («Quiero tuitear: '…'»; not «Traduce al inglés: '…'»).
        # A topic word alone is not enough: «Tradúceme este correo para un cliente: '…'».
        posted = _quotes_a_post(text) and _found(self.acts or self.context, tokens, folded)
        if self.private_worker(said):
            return False
        if (
            not posted
            and any(_phrase(p).search(said) for p in self.excluded)
            and not any(_phrase(p).search(said) for p in self.verdict_asked)
        ):
            return False
        if _found(self.topics, tokens, folded) or self._statute_matter(tokens, folded):
            return True
        if not question_of_fact:
            # A quoted sentence is the post itself: «'La ley me parece un error'. ¿Puedo?»
            return _found(self.acts or self.context, tokens, folded) or _quotes_a_post(text)
        # A question of fact needs a word for the law and another context word («¿dónde dice la
        # ley que he de ser discreto con lo que sé por mi trabajo?»), not «la ley de Ohm».
        return _found(self.law_words, tokens, folded) and _found(
            tuple(a for a in self.context if a not in self.law_words), tokens, folded
        )

    def private_worker(self, folded: str) -> bool:
        """Whether the (folded) message says the asker works outside the public sector and never
        that they are a public employee («no soy funcionario» does not count as saying so)."""
        if not any(_phrase(p).search(folded) for p in self.private):
            return False
        return not any(
            not _NEGATED.search(folded[: m.start()]) for p in self.public_self for m in _phrase(p).finditer(folded)
        )

    def only_statute(
        self, text: str, expand: Callable[[str], str] | None = None, *, expanded: str | None = None
    ) -> bool:
        """Whether a question is in scope only through the statute's own matters: no act of
        publishing, no quoted post, no other topic (networks, elections, media...).

        «¿Puedo pedir una excedencia para cuidar a mi padre?» asks what the statute allows, not
        whether a post may go out: it is answered with the articles, not with a verdict.
        ``expand`` adds the glossary's equivalents (:meth:`bot.glossary.Glossary.expand`): the
        statute's matters are read in ``text`` expanded, the networks in ``text`` without the
        expressions of ``no_es_publicar`` expanded («insta» → «instagram», while «año y medio»
        is no media and «el director» no live stream). Acts and other topics are read in
        ``text`` alone: the glossary gives «funcionario» as «empleado público» («público»
        shares its stem with «publicar») and «permiso» as «consentimiento». ``expanded``:
        ``expand(text)`` when the caller already has it.
        """
        if not self.statute:
            return False
        widen = expand or (lambda s: s)
        wide = expanded if expanded is not None else widen(text)
        folded, tokens = fold(wide), tokenize(wide)
        written = self.plain(text)
        words = tokenize(written)
        # Expanded again only when no_es_publicar took something out.
        networks = wide if written == fold(text) else widen(written)
        return (
            self._statute_matter(tokens, folded)
            and not _found(self.acts, words, written)
            and not _found(self._other_topics, words, written)
            and not _found(self.networks, tokenize(networks), fold(networks))
            and not _quotes_a_post(text)
        )

    def names_network(self, expanded: str) -> bool:
        """Whether a question (expanded with the glossary: «insta» → «instagram») names a
        social network (the topic group «redes»); without that group, any question may."""
        if not self.networks:
            return True
        return _found(self.networks, tokenize(expanded), fold(expanded))

    def plain(self, text: str) -> str:
        """``text`` folded, without the expressions of ``no_es_publicar`` («empleo público»)."""
        written = fold(text)
        for phrase in self.not_acts:
            written = _phrase(phrase).sub(" ", written)
        return written

    def _statute_matter(self, tokens: list[str], folded: str) -> bool:
        """A matter the statute regulates: one of its topics, or working conditions asked by a
        public employee («¿cuántos días libres me tocan como funcionario?») or by a worker who
        names two of them («estuve de baja médica y no pude coger las vacaciones»)."""
        if _found(self.statute, tokens, folded):
            return True
        conditions = sum(1 for anchor in self.conditions if _found((anchor,), tokens, folded))
        return conditions >= 2 or (conditions == 1 and _found(self.employment, tokens, folded))

    @cached_property
    def _other_topics(self) -> tuple[Anchor, ...]:
        """The topics outside the statute group (networks, elections, media...)."""
        return tuple(a for a in self.topics if a not in self.statute)


#: «no soy», «ni soy un», «not a» just before: the words after it are denied.
_NEGATED = re.compile(r"(?<!\w)(?:no|ni|nunca|not)(?:\s+[\w']+){0,2}\s+$")


def _quotes_a_post(text: str) -> bool:
    """A quoted passage long enough to be the post itself («Quiero tuitear: '…'»)."""
    return any(len(inner.split()) >= POST_WORDS for _, _, inner in quoted(text))


@lru_cache(maxsize=4096)
def _phrase(folded: str) -> re.Pattern[str]:
    """A folded phrase as a whole-word pattern."""
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")


def _found(anchors: tuple[Anchor, ...], tokens: list[str], folded: str) -> bool:
    """Whether any anchor is in the question (stops at the first)."""
    for anchor in anchors:
        if isinstance(anchor, str):  # a phrase with function words ("en redes"), matched as written
            if _phrase(anchor).search(folded):
                return True
        elif len(anchor) == 1:
            stem = anchor[0]
            if any(t == stem or (len(stem) >= PREFIX_MIN and t.startswith(stem)) for t in tokens):
                return True
        elif any(tuple(tokens[i : i + len(anchor)]) == anchor for i in range(len(tokens) - len(anchor) + 1)):
            return True
    return False


def load_scope(knowledge_dir: Path) -> tuple[Scope, list[str]]:
    """Read ``ambito.yaml``; a missing file means no scope check (every question is in scope)."""
    path = knowledge_dir / SCOPE_FILE
    if not path.is_file():
        return Scope(), []
    try:
        data, repeated = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return Scope(), [f"no se puede leer ({exc}); no se comprueba el ámbito de las preguntas"]
    data = data or {}
    if not isinstance(data, dict):
        return Scope(), ["debe tener las secciones «temas», «contexto» y «fuera_de_ambito»"]
    problems: list[str] = list(repeated)
    unknown = set(data) - {"temas", "contexto", "fuera_de_ambito", "veredicto", "no_es_publicar", "sector_privado"}
    if unknown:
        problems.append(f"secciones desconocidas: {', '.join(sorted(map(str, unknown)))}")
    private = data.get("sector_privado")
    if private is not None and not (isinstance(private, dict) and set(private) <= {"trabaja_fuera", "salvo"}):
        problems.append("«sector_privado» debe tener solo los grupos «trabaja_fuera» y «salvo»")
    return (
        Scope(
            topics=_anchors(_words(data.get("temas"), "temas", problems)),
            context=_anchors(_words(data.get("contexto"), "contexto", problems)),
            excluded=_folded(_words(data.get("fuera_de_ambito"), "fuera_de_ambito", problems)),
            verdict_asked=_folded(_words(data.get("veredicto"), "veredicto", problems)),
            law_words=_anchors(_words(_group(data.get("contexto"), "leyes"), "contexto.leyes", problems)),
            acts=_anchors(_words(_group(data.get("contexto"), "publicar"), "contexto.publicar", problems)),
            statute=_anchors(_words(_group(data.get("temas"), "estatuto"), "temas.estatuto", problems)),
            networks=_anchors(_words(_group(data.get("temas"), "redes"), "temas.redes", problems)),
            conditions=_anchors(_words(_group(data.get("contexto"), "condiciones"), "contexto.condiciones", problems)),
            employment=_anchors(
                _words(_group(data.get("contexto"), "empleo_publico"), "contexto.empleo_publico", problems)
            ),
            not_acts=_folded(_words(data.get("no_es_publicar"), "no_es_publicar", problems)),
            private=_folded(_words(_group(private, "trabaja_fuera"), "sector_privado.trabaja_fuera", problems)),
            public_self=_folded(_words(_group(private, "salvo"), "sector_privado.salvo", problems)),
        ),
        problems,
    )


def _folded(words: list[str]) -> tuple[str, ...]:
    """Phrases matched as folded text, blanks collapsed, empty ones left out."""
    return tuple(p for w in words if (p := " ".join(fold(str(w)).split())))


def _group(section: Any, name: str) -> Any:
    return section.get(name) if isinstance(section, dict) else None


def _words(section: Any, name: str, problems: list[str]) -> list[str]:
    """A section is a list of words, or groups (any name) of lists of words."""
    if section is None:
        return []
    if isinstance(section, list):
        return [str(w) for w in section if w is not None]
    if isinstance(section, dict):
        words: list[str] = []
        for group, items in section.items():
            if isinstance(items, list):
                words.extend(str(w) for w in items if w is not None)
            else:
                problems.append(f"«{name}.{group}» debe ser una lista de palabras")
        return words
    problems.append(f"«{name}» debe ser una lista de palabras o de grupos")
    return []


def _anchors(words: list[str]) -> tuple[Anchor, ...]:
    anchors: list[Anchor] = []
    for word in words:
        stems = tuple(tokenize(word))
        if not stems:
            continue
        folded = " ".join(fold(word).split())
        # "en redes" must not become "redes" (which would match "red de metro"): keep it as text.
        anchors.append(folded if len(stems) < len(folded.split()) else stems)
    return tuple(dict.fromkeys(anchors))
