"""The editable glossary (:mod:`bot.glossary`): parsing, whole-word matching and expansion, and
what a broken file does (problems reported, nothing else lost, never an exception from
``load_glossary``). The fixture's own glossary, then small ones written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import PuedoPublicarError
from bot.glossary import GLOSSARY_NAMES, Glossary, GlossaryError, load_glossary, parse_glossary
from bot.text import fold
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]

SMALL = """\
coloquial:
  insta: "instagram"
  colgar: "publicar subir"
  curro: "trabajo"
  grupo: "grupo"
  grupo de whatsapp: "whatsapp mensajería"
  I+D: "investigación"
catalan:
  veïns: "vecinos"
  Penjar: "publicar"
ingles:
  can i: "puedo"
"""


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    parsed, problems = parse_glossary(SMALL)
    assert problems == []
    return parsed


# ------------------------------------------------------------------------ parsing


def test_groups_only_order_the_file_every_entry_counts(glossary: Glossary) -> None:
    assert len(glossary) == 9
    assert glossary.entries["veins"] == "vecinos"  # terms are stored folded
    assert glossary.entries["penjar"] == "publicar"
    assert glossary.entries["i+d"] == "investigación"  # equivalents are kept as written


def test_the_fixture_glossary_loads_without_problems() -> None:
    loaded, problems = load_glossary(FIXTURES / "knowledge")
    assert problems == []
    assert loaded.entries["insta"] == "instagram"
    assert loaded.entries["can i"] == "puedo"
    assert loaded.entries["ates"] == "atendido atendí"  # «atès», folded


def test_the_shipped_glossary_is_valid_and_folded() -> None:
    loaded, problems = load_glossary(ROOT / "knowledge")
    assert problems == []
    assert len(loaded) > 100
    assert [t for t in loaded.entries if t != fold(t).strip() or not t] == []
    # the example in the module's docstring and in the file's own instructions
    expanded = loaded.expand("¿puedo colgar en el insta una foto del curro?").split()
    assert {"publicar", "instagram", "trabajo"} <= set(expanded)


def test_a_term_in_two_groups_keeps_both_equivalents() -> None:
    parsed, problems = parse_glossary('a:\n  insta: "instagram"\nb:\n  Insta: "ig"\nc:\n  ÍNSTA: "red"\n')
    assert problems == []
    assert parsed.entries == {"insta": "instagram ig red"}


@pytest.mark.parametrize(
    ("yaml_text", "entries"),
    [
        ("g:\n  ciento doce: 112\n", {"ciento doce": "112"}),  # a number is an equivalent too
        ("g:\n  '  Insta  ': instagram\n", {"insta": "instagram"}),  # spaces around a term
        ("g:\n  dos: 2.5\n", {"dos": "2.5"}),
        ("g:\n  insta: '  instagram  '\n", {"insta": "instagram"}),
    ],
)
def test_terms_and_equivalents_are_tidied(yaml_text: str, entries: dict[str, str]) -> None:
    parsed, problems = parse_glossary(yaml_text)
    assert problems == []
    assert parsed.entries == entries


@pytest.mark.parametrize("text", ["", "# solo comentarios\n", "---\n", "~\n"])
def test_an_empty_file_is_an_empty_glossary(text: str) -> None:
    parsed, problems = parse_glossary(text)
    assert (len(parsed), problems) == (0, [])


# -------------------------------------------------------------- bad input, nothing lost


@pytest.mark.parametrize(
    ("bad_group", "problem"),
    [
        ("roto: [insta, instagram]\n", "grupo 'roto': debe contener entradas «término: equivalentes»"),
        ("roto: solo un texto\n", "grupo 'roto': debe contener entradas"),
        ("roto:\n  lista: [a, b]\n", "grupo 'roto', término 'lista': equivalentes no válidos"),
        ("roto:\n  mapa: {a: b}\n", "grupo 'roto', término 'mapa': equivalentes no válidos"),
        ("roto:\n  nada:\n", "grupo 'roto', término 'nada': equivalentes no válidos"),
        ("roto:\n  '': vacio\n", "grupo 'roto', término '': equivalentes no válidos"),
    ],
)
def test_a_bad_entry_is_reported_and_the_rest_is_kept(bad_group: str, problem: str) -> None:
    text = 'antes:\n  insta: "instagram"\n' + bad_group + 'despues:\n  curro: "trabajo"\n'
    parsed, problems = parse_glossary(text)
    assert len(problems) == 1 and problems[0].startswith(problem)
    assert parsed.entries == {"insta": "instagram", "curro": "trabajo"}


def test_the_good_entries_of_a_group_with_a_bad_one_are_kept() -> None:
    parsed, problems = parse_glossary('g:\n  insta: "instagram"\n  mal: [x]\n  curro: "trabajo"\n')
    assert problems == ["grupo 'g', término 'mal': equivalentes no válidos"]
    assert parsed.entries == {"insta": "instagram", "curro": "trabajo"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("coloquial:\n  insta: [sin cerrar\n", "YAML mal formado"),
        ("coloquial:\n\tinsta: instagram\n", "YAML mal formado"),  # a tab where spaces go
        ("- insta\n- curro\n", "debe ser una lista de grupos"),
        ("insta instagram\n", "debe ser una lista de grupos"),
        ("42\n", "debe ser una lista de grupos"),
    ],
)
def test_an_unusable_file_raises_a_clear_glossary_error(text: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=message) as caught:
        parse_glossary(text)
    assert caught.value.__cause__ is None  # the message stands alone (no YAML traceback chained)


def test_a_yaml_error_says_where() -> None:
    with pytest.raises(GlossaryError) as caught:
        parse_glossary('coloquial:\n  insta: "instagram"\n  curro: [sin cerrar\n')
    assert "line 3" in str(caught.value)


def test_glossary_error_is_a_project_error_and_a_value_error() -> None:
    with pytest.raises(PuedoPublicarError):
        parse_glossary("- a\n")
    with pytest.raises(ValueError):
        parse_glossary("- a\n")


@pytest.mark.parametrize("term", ["on", "no", "null"])
def test_a_term_yaml_reads_as_a_boolean_or_null_is_kept_or_reported(term: str) -> None:
    parsed, problems = parse_glossary(f'g:\n  {term}: "equivalente"\n')
    if term == "null":  # YAML's null: no term at all, and the problem says where
        assert not parsed.entries and problems
    else:
        assert parsed.entries == {term: "equivalente"} and not problems


@pytest.mark.parametrize(
    "text",
    [
        'g:\n  insta: "instagram"\n  insta: "ig"\n',
        'g:\n  insta: "instagram"\notro:\n  curro: "trabajo"\ng:\n  insta: "ig"\n',
    ],
    ids=["term-twice-in-a-group", "group-twice"],
)
def test_a_repeated_key_loses_nothing_or_is_reported(text: str) -> None:
    parsed, problems = parse_glossary(text)
    assert "instagram" in parsed.entries["insta"] and "ig" in parsed.entries["insta"].split()
    assert any("aparece dos veces" in p for p in problems)


# ------------------------------------------------------------------------ loading


def test_no_glossary_file_is_an_empty_glossary_and_no_problem(tmp_path: Path) -> None:
    loaded, problems = load_glossary(tmp_path)
    assert (len(loaded), problems) == (0, [])
    assert load_glossary(tmp_path / "no-existe") == (Glossary(), [])


@pytest.mark.parametrize("name", GLOSSARY_NAMES)
def test_either_file_name_is_read(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text('g:\n  insta: "instagram"\n', encoding="utf-8")
    loaded, problems = load_glossary(tmp_path)
    assert (loaded.entries, problems) == ({"insta": "instagram"}, [])


def test_the_yaml_name_wins_over_yml(tmp_path: Path) -> None:
    (tmp_path / "glosario.yml").write_text('g:\n  curro: "trabajo"\n', encoding="utf-8")
    (tmp_path / "glosario.yaml").write_text('g:\n  insta: "instagram"\n', encoding="utf-8")
    assert load_glossary(tmp_path)[0].entries == {"insta": "instagram"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"coloquial:\n  insta: [sin cerrar\n", "YAML mal formado"),
        (b"- insta\n", "debe ser una lista de grupos"),
        (b"coloquial:\n  caf\xe9: bar\n", "utf-8"),  # saved as Latin-1
    ],
)
def test_a_broken_file_never_stops_the_bot(tmp_path: Path, content: bytes, problem: str) -> None:
    (tmp_path / "glosario.yaml").write_bytes(content)
    loaded, problems = load_glossary(tmp_path)  # no exception
    assert len(loaded) == 0
    assert len(problems) == 1 and problem in problems[0]


def test_bad_entries_in_a_file_are_returned_with_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "glosario.yaml").write_text('g:\n  insta: "instagram"\n  mal: [x]\nh: texto\n', encoding="utf-8")
    loaded, problems = load_glossary(tmp_path)
    assert loaded.entries == {"insta": "instagram"}
    assert len(problems) == 2


# ------------------------------------------------------------------ matching, expansion


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("¿Puedo colgar esto en el insta?", ["colgar", "insta"]),
        ("INSTA", ["insta"]),
        ("Puc penjar la foto dels VEÏNS?", ["penjar", "veins"]),
        ("Puc penjar la foto dels veins?", ["penjar", "veins"]),  # written without the accent
        ("Can I share it?", ["can i"]),  # a term of several words
        ("el proyecto de I+D", ["i+d"]),  # regex characters in a term are literal
        ("insta, insta e insta", ["insta"]),  # each term once
        ("instalar la app y descolgar el teléfono", []),  # whole words only
        ("en el curro_nuevo", []),  # «_» is part of a word
        ("", []),
    ],
)
def test_matches_are_whole_words_ignoring_case_and_accents(glossary: Glossary, text: str, matches: list[str]) -> None:
    assert sorted(glossary.matches(text)) == sorted(matches)


def test_the_longest_term_wins_where_terms_overlap(glossary: Glossary) -> None:
    assert glossary.matches("lo vi en el grupo de WhatsApp del curro") == ["grupo de whatsapp", "curro"]
    assert glossary.matches("el grupo de siempre") == ["grupo"]


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("¿Puedo colgar esto en el insta?", "¿Puedo colgar esto en el insta? publicar subir instagram"),
        ("Can I post it?", "Can I post it? puedo"),
        ("Sin términos del glosario", "Sin términos del glosario"),
        ("", ""),
    ],
)
def test_expand_appends_the_equivalents_to_the_text(glossary: Glossary, text: str, expanded: str) -> None:
    assert glossary.expand(text) == expanded


def test_expansion_keeps_the_question_intact_at_the_start(glossary: Glossary) -> None:
    question = "  ¿Lo CUELGO en el Insta?  "
    assert glossary.expand(question).startswith(question)


def test_an_empty_glossary_matches_nothing() -> None:
    empty = Glossary()
    assert len(empty) == 0
    assert empty.matches("¿Puedo colgar esto en el insta?") == []
    assert empty.expand("¿Puedo colgar esto?") == "¿Puedo colgar esto?"


@pytest.mark.parametrize(
    ("question", "added", "present"),
    [
        # How an employee asks about their own job, in the statute's words (fourth exam set).
        ("tengo 16 años recién cumplidos, ¿me puedo presentar ya a una oposición?", "dieciséis", True),
        ("mi jefa me encarga tareas que no son de mi puesto", "distintas", True),
        ("me quieren mover a otra unidad sin que lo haya pedido", "trasladar", True),
        ("han salido indicios de que podría ser delito", "criminalidad", True),
        ("un funcionario suspendido de funciones, ¿puede trabajar en otra administración?", "ninguna", True),
        ("¿qué funciones quedan reservadas a los funcionarios?", "potestades", True),
        # An age in a post about one's family is not a question about the entry requirements.
        ("foto del cumpleaños de mi hija de 16 años", "requisitos", False),
    ],
)
def test_the_shipped_glossary_says_it_in_the_statutes_words(question: str, added: str, present: bool) -> None:
    shipped, problems = load_glossary(ROOT / "knowledge")
    assert problems == []
    assert (fold(added) in fold(shipped.expand(question))) is present
