"""Which guideline rule a situation gets, on the real knowledge/ folder (pure pipeline: no index,
no model): the rule applies because its signals are in the message, and a topic never lifts a
risk found beside it."""

from __future__ import annotations

import pytest

from bot.decision import RuleSpec, Situation, decide
from bot.models import Verdict
from bot.pipeline import read
from bot.signals import SignalBook


def decided(question: str, draft: str | None, book: SignalBook, rules: list[RuleSpec]) -> tuple[Verdict, list[str]]:
    reading = read(question, draft, book)
    decision = decide(Situation(reading.hits, question_of_fact=reading.question_of_fact), rules, book)
    return decision.verdict, [a.rule.locator for a in decision.applied]


@pytest.mark.parametrize(
    ("question", "draft", "rule"),
    [
        (
            "Soy bombera, ¿algún problema con este TikTok?",
            "Guardia de Nochebuena en el parque: cena de táper y villancicos desafinados 🎄",
            "Regla 36",
        ),
        (
            "Soy bibliotecaria municipal y quiero compartir esto en mi Facebook personal",
            "¡Vuelve el club de lectura! Jueves a las 19:00 en la sala 2. Entrada libre, ¡os esperamos!",
            "Regla 27",
        ),
        ("¿Puedo retuitear desde mi cuenta personal el tuit oficial de la DGT con los consejos?", None, "Regla 27"),
        (
            "Inspector de Hacienda. Quiero hacer un hilo en X explicando qué es una paralela, sin casos.",
            None,
            "Regla 26",
        ),
        (
            "Llevo seis años de interina y por fin me han dado la plaza. ¿Puedo celebrarlo en Facebook?",
            None,
            "Regla 72",
        ),
        (
            "Profesora de matemáticas. ¿Puedo tuitear esto?",
            "Hoy en clase hemos resuelto cuarenta ecuaciones y nadie ha llorado ☕ #docentes",
            "Regla 36",
        ),
        (
            "Enfermero. Quiero escribir en LinkedIn un post didáctico sobre cómo actuar ante un golpe de calor.",
            None,
            "Regla 26",
        ),
    ],
)
def test_a_permitted_activity_found_in_the_message_gets_its_rule(book, rules, question, draft, rule):
    verdict, applied = decided(question, draft, book, rules)
    assert verdict is Verdict.PERMITIDO
    assert rule in applied


@pytest.mark.parametrize(
    ("question", "draft"),
    [
        # a moment of one's life beside a colleague's private life
        (
            "Guardia civil, acabo de terminar el curso de rescate acuático. ¿Así para Instagram?",
            "Gracias al sargento Pérez, que nos ha tenido a gritos… aunque con lo de su divorcio ya se entiende",
        ),
        # a day at work beside an operation still to come
        (
            "Guardia civil. Vídeo para mi TikTok, ¿algún problema?",
            "Mañana a las 5 salimos con los GAR para el dispositivo antidroga en las naves del puerto",
        ),
    ],
)
def test_a_topic_never_lifts_the_risk_beside_it(book, rules, question, draft):
    verdict, _ = decided(question, draft, book, rules)
    assert verdict is not Verdict.PERMITIDO


def test_what_one_saw_in_a_file_one_handled_gets_the_rule_on_files(book, rules):
    verdict, applied = decided(
        "Trabajo en el Registro Civil y quiero felicitar a unos amigos que se han casado; se me ocurre poner que"
        " al novio le costó tres años de papeles por el divorcio anterior, cosa que vi yo en el expediente.",
        None,
        book,
        rules,
    )
    assert verdict is Verdict.NO_PERMITIDO
    assert "Regla 33" in applied


def test_a_case_built_from_real_ones_is_never_a_plain_yes(book, rules):
    verdict, _ = decided(
        "Soy educadora social. Quiero escribir un hilo en X sobre cómo detectar el acoso escolar con un caso tipo"
        " que me he inventado mezclando rasgos de varios chavales que he atendido, sin nombres ni centro.",
        None,
        book,
        rules,
    )
    assert verdict is Verdict.CON_CAUTELAS


def test_a_work_day_that_hints_at_who_gets_the_rule_on_files(book, rules):
    verdict, applied = decided(
        "Trabajo en el registro civil. ¿Lo subo a mis stories?",
        "Lunes en el registro ☕☕ Hoy ha venido a inscribir algo alguien muy conocido del pueblo… no doy nombres"
        " pero adivinad quién",
        book,
        rules,
    )
    assert verdict is Verdict.NO_PERMITIDO
    assert "Regla 33" in applied
