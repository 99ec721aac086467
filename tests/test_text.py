"""Spanish text normalisation for lexical retrieval (:mod:`bot.text`): folding, words with their
positions, stop words and Snowball stems. Pure functions: no index, no model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import STOPWORDS, content_words, fold, fold_with_offsets, stem, tokenize, word_spans, words

# ------------------------------------------------------------------------------ fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Artículo", "articulo"),
        ("ÁÉÍÓÚÜ", "aeiouu"),
        ("Ñandú", "ñandu"),
        ("AÑO", "año"),
        ("Caña y CAÑA", "caña y caña"),
        ("Ça va", "ca va"),
        ("veïns, l·legir", "veins, l·legir"),
        ("ﬁcha", "ficha"),  # a ligature becomes its letters
        ("Capítulo Ⅻ", "capitulo xii"),  # a Roman numeral character becomes letters
        ("¿Puedo?", "¿puedo?"),  # punctuation is kept
        ("", ""),
    ],
)
def test_fold_lowercases_and_strips_accents(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["año", "Ñu", "España", "niño", "NIÑO"])
def test_fold_keeps_enye_distinct_from_n(text: str) -> None:
    assert "ñ" in fold(text)
    assert fold(text) != fold(text.replace("ñ", "n").replace("Ñ", "N"))


def test_fold_keeps_a_decomposed_enye() -> None:
    # n + U+0303, as some editors and PDF copy-paste produce: knowledge/ files are not normalised first
    assert fold("an\u0303o") == fold("AN\u0303O") == "año"
    folded, offsets = fold_with_offsets("El an\u0303o")
    assert folded == "el año" and offsets == [0, 1, 2, 3, 4, 6, 7]
    assert word_spans("El an\u0303o")[1] == ("año", 3, 7)


@pytest.mark.parametrize("text", ["Artículo 53.12", "ÑANDÚ", "ﬁn de Ⅻ", "Ça", "L’Hospitalet"])
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# ------------------------------------------------------------------ fold_with_offsets


@pytest.mark.parametrize(
    ("text", "folded", "offsets"),
    [
        ("Sí", "si", [0, 1, 2]),
        ("Año", "año", [0, 1, 2, 3]),
        ("ﬁn", "fin", [0, 0, 1, 2]),  # one original character, two folded ones
        ("aǅb", "adzb", [0, 1, 1, 2, 3]),
        ("Ⅻ!", "xii!", [0, 0, 0, 1, 2]),
        ("", "", [0]),
    ],
)
def test_fold_with_offsets_maps_every_folded_character_back(text: str, folded: str, offsets: list[int]) -> None:
    assert fold_with_offsets(text) == (folded, offsets)


# Letters Spanish, Catalan, Galician and Basque writers use, a few that change length when
# folded, invisible and combining characters, punctuation and digits.
_ALPHABET = "aábcçdeéèfghiíïjklmnñoóòpqrstuúüvwxyzAÁÉÍÑÓÚÜÇ ·'’-_.,;:¿?¡!0123456789ǅﬁⅫ\u0303\u200b\n"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_fold_with_offsets_agrees_with_fold(text: str) -> None:
    folded, offsets = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(offsets) == len(folded) + 1 and offsets[-1] == len(text)
    assert offsets == sorted(offsets)
    for i, char in enumerate(folded):  # each folded character comes from the original it points to
        source = text[offsets[i] : max(offsets[i + 1], offsets[i] + 1)]  # «n» + U+0303 fold together to «ñ»
        assert char in fold(source)


# ----------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Puedo publicar esto?", ["puedo", "publicar", "esto"]),
        ("L'Ajuntament d’Eivissa", ["l'ajuntament", "d’eivissa"]),  # an apostrophe joins a word
        ("bar_baz foo-bar", ["bar", "baz", "foo", "bar"]),  # underscores and hyphens split
        ("Artículo 53.12 bis", ["articulo", "53", "12", "bis"]),
        ("número2", ["numero2"]),
        ("'hola'", ["hola"]),  # quotes around a word are not part of it
        ("   ¿?¡! ...", []),
        ("", []),
    ],
)
def test_words_are_folded_and_keep_stop_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("¿Puedo subir FOTOS?", [("puedo", 1, 6), ("subir", 7, 12), ("fotos", 13, 18)]),
        ("El DNI de Ñúñez", [("el", 0, 2), ("dni", 3, 6), ("de", 7, 9), ("ñuñez", 10, 15)]),
        # folding lengthens «ﬁ» and «ǅ»: positions still point into the text as written
        ("ﬁn ǅemal hoy", [("fin", 0, 2), ("dzemal", 3, 8), ("hoy", 9, 12)]),
        ("", []),
    ],
)
def test_word_spans_point_into_the_original_text(text: str, spans: list[tuple[str, int, int]]) -> None:
    assert word_spans(text) == spans
    for word, start, end in spans:
        assert fold(text[start:end]) == word


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_word_spans_and_words_find_the_same_words(text: str) -> None:
    spans = word_spans(text)
    assert [w for w, _, _ in spans] == words(text)
    for word, start, end in spans:
        assert 0 <= start < end <= len(text)
        assert fold(text[start:end]) == word


# -------------------------------------------------------------- stop words and stems


def test_stop_words_are_written_folded() -> None:
    # they are compared with folded words: an accented or capitalised one would never match
    assert sorted(w for w in STOPWORDS if fold(w) != w or not w.isalpha()) == []


@pytest.mark.parametrize(
    "text",
    [
        "el de la que y a los",
        "Él está aquí, también, más",  # accented stop words, caught after folding
        "the of and to in is it",  # English
        "els amb per aquest",  # Catalan
        "",
    ],
)
def test_only_stop_words_tokenize_to_nothing(text: str) -> None:
    assert tokenize(text) == []
    assert content_words(text) == []


@pytest.mark.parametrize(
    "forms",
    [
        ["publicar", "publicación", "publicaciones", "publicado", "PUBLICACION"],
        ["ayuntamiento", "ayuntamientos", "Ayuntamiento"],
        ["fotografía", "fotografías", "fotografia"],
        ["expediente", "expedientes"],
        ["confidencial", "confidenciales"],
    ],
)
def test_inflected_forms_share_a_stem(forms: list[str]) -> None:
    assert len({tuple(tokenize(form)) for form in forms}) == 1
    assert len(tokenize(forms[0])) == 1


def test_tokenize_is_the_indexed_view_of_a_sentence() -> None:
    sentence = "¿Puedo publicar las fotos del Ayuntamiento en Instagram?"
    assert content_words(sentence) == ["puedo", "publicar", "fotos", "ayuntamiento", "instagram"]
    assert tokenize(sentence) == [stem(w) for w in content_words(sentence)]
    assert tokenize(sentence) == tokenize(sentence.upper()) == tokenize(fold(sentence))


def test_enye_changes_the_token() -> None:
    assert tokenize("año") != tokenize("ano")
    assert tokenize("niña") == tokenize("NIÑA")


@pytest.mark.parametrize("word", ["publicar", "redes", "sigilo", "ñandu", "instagram", "x"])
def test_stem_is_stable_and_never_longer(word: str) -> None:
    stemmed = stem(word)
    assert isinstance(stemmed, str) and stemmed
    assert stem(word) == stemmed
    assert len(stemmed) <= len(word)
