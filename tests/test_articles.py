"""Articles a question names by number (:mod:`bot.articles`), read with the project's own
``knowledge/sources.toml`` (the EBEP first, so it is the law meant when none is named)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.articles import MAX_NAMED, named_articles
from bot.sources.sync import LawNames, load_law_names

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
EBEP = "BOE-A-2015-11719"
LOPD = "BOE-A-2018-16673"
INCOMPATIBILITIES = "BOE-A-1985-151"


@pytest.fixture(scope="module")
def names() -> LawNames:
    found, problems = load_law_names(KNOWLEDGE)
    assert not problems
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Qué dice exactamente el artículo 53.12 del EBEP?", [(EBEP, "53.12")]),
        ("¿qué dice el art. 95?", [(EBEP, "95")]),  # no law named: the EBEP
        ("¿Y el art 54 del Estatuto?", [(EBEP, "54")]),
        ("los artículos 52, 53 y 54 del TREBEP", [(EBEP, "52"), (EBEP, "53"), (EBEP, "54")]),
        ("el artículo 7 de la LOPDGDD", [(LOPD, "7")]),
        ("la Ley Orgánica 3/2018 (artículo 7) y menores", [(LOPD, "7")]),
        # other languages
        ("Què diu l'article 53 de l'EBEP?", [(EBEP, "53")]),
        ("Que di o artigo 53.12 do EBEP?", [(EBEP, "53.12")]),
        ("What does article 95 of the EBEP say?", [(EBEP, "95")]),
        ("What does Article 19 of Law 53/1984 say?", [(INCOMPATIBILITIES, "19")]),  # the law by its number
        ("Zer dio EBEPeko 15. artikuluak?", [(EBEP, "15")]),
        ("EBEPeko 53.12 artikuluak", [(EBEP, "53.12")]),
        ("el artículo 6 bis", [(EBEP, "6bis")]),
    ],
)
def test_named_articles_and_their_law(names: LawNames, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(r.source_id, r.article) for r in named_articles(text, names)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "según el artículo 18.4 CE",  # laws the bot does not sync name nothing it can retrieve
        "el artículo 20 de la Constitución",
        "article 20 of the Spanish Constitution",
        "artículo 20 del Estatuto de los Trabajadores",  # not the EBEP's «Estatuto»
        "tengo 3 artículos en el blog",  # a number before the word is no article (outside Basque)
        "¿Puedo subir una foto de la fiesta del 15 de mayo?",
        "mi artículo 2/2024 en la revista",
    ],
)
def test_no_article_is_named(names: LawNames, text: str) -> None:
    assert named_articles(text, names) == ()


def test_at_most_a_few_articles_and_each_once(names: LawNames) -> None:
    found = named_articles("artículos 1, 2, 3, 4, 5, 6 y 7 del EBEP; otra vez el artículo 1", names)
    assert len(found) == MAX_NAMED
    assert len(set(found)) == len(found)


def test_without_the_laws_file_an_article_names_nothing() -> None:
    assert named_articles("el artículo 53 del EBEP", LawNames()) == ()


def test_a_law_is_named_by_its_number_in_any_language(names: LawNames) -> None:
    assert names.mentioned("Law 19/2013 on transparency") == ("BOE-A-2013-12887",)
    assert names.default == (EBEP,)
