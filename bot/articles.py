"""Articles a question names by number: «¿qué dice el artículo 53.12 del EBEP?».

Someone who names an article wants that article, whatever words it shares with the question;
retrieval puts it first (:meth:`bot.retrieval.Retriever.retrieve`). The number is read in
Spanish, Catalan, Galician, English and Basque («art. 95», «l'article 52», «o artigo 53»,
«article 95 of the EBEP», «EBEPeko 15. artikulua»). The law is the one named next to it (see
:func:`bot.citations.law_for`); with no law named, the default law (the EBEP, first in
``sources.toml``). An article of a law the bot does not sync («el artículo 20 de la
Constitución») names nothing it can retrieve.
"""

from __future__ import annotations

import re

from bot.citations import law_for, law_mentions
from bot.models import LegalRef
from bot.sources.sync import LawNames
from bot.text import fold

_NUMBER = r"\d{1,3}(?:\s?(?:bis|ter))?(?:\.\d{1,2})?"
_LIST = rf"{_NUMBER}(?:\s*(?:,|y|i|e|and|or|o|eta)\s*{_NUMBER})*"
# «artículo(s)», «art.», «arts.», «article(s)», «l'article», «artigo(s)», «art»
_BEFORE = re.compile(rf"\b(?:articulos?|articles?|artigos?|arts?\b\.?)\s*({_LIST})(?!\s*/)")
# Basque puts the number first: «15. artikulua», «53.12 artikuluak».
_AFTER = re.compile(rf"(?<![\w/.])({_NUMBER})\.?\s*artikulu\w*")
_ONE = re.compile(_NUMBER)

#: At most this many named articles lead the retrieval (a list of ten numbers is a question
#: about the law, not about ten articles).
MAX_NAMED = 4


def named_articles(text: str, names: LawNames) -> tuple[LegalRef, ...]:
    """The articles ``text`` names, in order, each with the law it belongs to."""
    folded = fold(text)
    default = next(iter(names.default), None)
    laws = law_mentions(folded, names)
    found: list[tuple[int, LegalRef]] = []
    for pattern in (_BEFORE, _AFTER):
        for match in pattern.finditer(folded):
            law = law_for(folded, match.start(), match.end(), laws) if laws else default
            if not law:  # a law named in prose only (the Constitution, the Criminal Code)
                continue
            for number in _ONE.findall(match.group(1)):
                found.append((match.start(), LegalRef(source_id=law, article=number.replace(" ", ""))))
    refs = [ref for _, ref in sorted(found, key=lambda f: f[0])]
    return tuple(dict.fromkeys(refs))[:MAX_NAMED]
