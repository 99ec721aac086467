"""The guideline's citation check: rules cite articles that exist, and say which they rely on.

Two checks, run by ``python -m bot index --check`` and in CI:

1. every article in a rule's «Base legal» exists in the synced text of that law (a law not
   synced yet is reported as unchecked, not as an error);
2. every article a rule's «Por qué» paragraph mentions is also in its «Base legal». A mention
   belongs to the law named in the same sentence (``sources.toml`` lists how the guideline
   names each law); laws the bot does not sync (Código Penal, RGPD...) are named in prose only
   and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.models import Chunk, SourceType, article_key
from bot.sources.sync import LawNames
from bot.text import fold

#: Laws the guideline names in prose only, with a link (not synced, or not in the BOE API).
PROSE_ONLY = (
    "codigo penal",
    "rgpd",
    "reglamento general de proteccion de datos",
    "reglamento (ue) 2016/679",
    "propiedad intelectual",
    "ley 17/2015",
    "constitucion",
    "constitucio",
    "constitution",
    "ce",
    "codigo civil",
    "estatuto de los trabajadores",
    "ley de enjuiciamiento criminal",
    "ley de enjuiciamiento civil",
)

_ORDINAL_WORDS = "primero|segundo|tercero|cuarto|quinto|sexto|s[ée]ptimo|octavo|noveno|d[ée]cimo|[úu]nico"
_ARTICLES = re.compile(
    rf"\bart[íi]culos?\s+((?:\d+(?:\s*bis|\s*ter)?(?:\.\d+)?(?:\.[a-zñ]\b)?|(?:{_ORDINAL_WORDS})\b)"
    r"(?:\s*(?:,|y|e|–|-|a)\s*\d+(?:\.\d+)?(?:\.[a-zñ]\b)?)*)",
    re.IGNORECASE,
)
_NUMBER = re.compile(rf"\d+(?:\s*bis|\s*ter)?(?:\.\d+)?|(?:{_ORDINAL_WORDS})\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-ZÁÉÍÓÚÑ¿(«])")
_WHY = re.compile(r"Por qu[ée]\.?\s*(.+?)(?:\n\s*\n|Ejemplos\.|$)", re.DOTALL)


@dataclass(frozen=True)
class CitationProblem:
    """One citation that does not hold, for ``index --check``."""

    locator: str
    message: str
    level: Literal["error", "warning"] = "error"


def check_citations(chunks: Sequence[Chunk], names: LawNames) -> list[CitationProblem]:
    """Both checks over every rule in ``chunks`` (the laws among ``chunks`` are the synced texts)."""
    synced: dict[str, set[tuple[str, str]]] = {}
    for chunk in chunks:
        if chunk.tipo is SourceType.LEY and chunk.article:
            apartado = chunk.locator.removeprefix("Artículo ").partition(".")[2]
            synced.setdefault(chunk.source_id, set()).add((article_key(chunk.article), apartado))
    problems: list[CitationProblem] = []
    for rule in (c for c in chunks if c.rule_verdict is not None):
        problems.extend(_basis_exists(rule, synced))
        problems.extend(_prose_in_basis(rule, names, set(synced)))
    return problems


def _basis_exists(rule: Chunk, synced: dict[str, set[tuple[str, str]]]) -> Iterable[CitationProblem]:
    for ref in rule.legal_basis:
        articles = synced.get(ref.source_id)
        if articles is None:
            yield CitationProblem(rule.locator, f"{ref}: la ley no está sincronizada; no se puede comprobar", "warning")
            continue
        number = ref.article.partition(".")[0]
        keys = {a for a, _ in articles}
        if article_key(number) not in keys:
            yield CitationProblem(rule.locator, f"{ref}: ese artículo no existe en el texto sincronizado de la ley")


def _prose_in_basis(rule: Chunk, names: LawNames, synced: set[str]) -> Iterable[CitationProblem]:
    match = _WHY.search(rule.text)
    if match is None:
        return
    basis = {
        (r.source_id, article_key(r.article.partition(".")[0]), r.article.partition(".")[2]) for r in rule.legal_basis
    }
    for sentence in _SENTENCE.split(" ".join(match.group(1).split())):
        laws = law_mentions(sentence, names)
        for article in _ARTICLES.finditer(sentence):
            law = law_for(sentence, article.start(), article.end(), laws)
            if law is None:
                yield CitationProblem(
                    rule.locator, f"«Por qué» cita «{article.group(0)}» sin decir de qué ley es en la misma frase"
                )
                continue
            if law == "" or (law not in synced and not any(r.source_id == law for r in rule.legal_basis)):
                continue  # a law named in prose only, or not synced: nothing to check against
            for number in _NUMBER.findall(article.group(1)):
                art, _, apartado = number.replace(" ", "").partition(".")
                cited = {(s, a, p) for s, a, p in basis if s == law and a == article_key(art)}
                if not cited or (apartado and not any(p in ("", apartado) for _, _, p in cited)):
                    yield CitationProblem(
                        rule.locator,
                        f"«Por qué» cita el artículo {number} de {names.short_name(law, law)}, "
                        "que no está en su «Base legal»",
                    )


def law_mentions(sentence: str, names: LawNames) -> list[tuple[int, str]]:
    """(position, BOE id or "" for a prose-only law) of every law named in ``sentence``."""
    folded = fold(sentence)
    found: list[tuple[int, int, str]] = []
    candidates = [(fold(name), law) for name, law in names.prose] + [(name, "") for name in PROSE_ONLY]
    for name, law in sorted(candidates, key=lambda c: -len(c[0])):
        for hit in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            if not any(s <= hit.start() < e for s, e, _ in found):
                found.append((hit.start(), hit.end(), law))
    return sorted((s, law) for s, _, law in found)


_OF_LAW = re.compile(
    r"^[\s,]*(?:\([^)]*\)\s*)?(?:(?:letras?|apartados?|p[áa]rrafos?)\s+[\w ,y]+?\s*)?"
    r"(?:(?:del?|de la|de l[ao]s|d[oa]|of(?: the)?)\s|de l['’])",
    re.IGNORECASE,
)


def law_for(sentence: str, start: int, end: int, laws: list[tuple[int, str]]) -> str | None:
    """The law an article mention belongs to.

    «el artículo 53.12 del Estatuto» names it right after; «la Ley 53/1984 (artículos 14 y
    16)» names it before. Else the nearest law before it, else the first after it.
    """
    after = [(position, law) for position, law in laws if position >= end]
    if after and _OF_LAW.match(sentence[end : after[0][0]] + " "):
        return after[0][1]
    before = [law for position, law in laws if position < start]
    if before:
        return before[-1]
    return after[0][1] if after else None
