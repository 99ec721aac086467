"""Signals: phrases per language matched on folded, stemmed words, negations, exceptions, detectors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.signals import SignalBook, SignalClass, load_signals, parse_condition, parse_signals

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def book() -> SignalBook:
    book, problems = load_signals(KNOWLEDGE)
    assert problems == []
    return book


def found(book: SignalBook, text: str) -> set[str]:
    return {h.signal for h in book.detect(text, "pregunta")}


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("con su nombre y apellidos", "persona_identificable"),
        ("Mucho ánimo a Marta, que está de baja por depresión", "salud"),
        ("Mucho ánimo a Marta, que está de baja por depresión", "persona_identificable"),
        ("publicaron las fotos de los niños", "menor"),
        ("mis alumnas de 8 años", "menor"),
        ("antes de que salga la resolución", "no_publico"),
        ("antes de que salgan las notas", "no_publico"),  # a verb phrase in the plural
        ("lo he visto en el expediente de un contribuyente", "info_del_puesto"),
        ("la resolución ya está publicada en el BOE", "publicado_oficialmente"),
        ("las familias han firmado la autorización", "consentimiento"),
        ("es un ejemplo inventado", "ficticio_anonimizado"),
        ("Llevo la cuenta oficial del ayuntamiento", "cuenta_oficial"),
        ("estamos en plena campaña electoral", "periodo_electoral"),
        ("me pagan por un post", "beneficio_propio"),
        ("Robaron en la calle Mayor 5", "datos_personales"),  # the address detector
        ("DNI 12345678Z", "datos_personales"),
        # Other languages.
        ("una foto dels veïns que he atès avui", "ciudadano_atendido"),
        ("o meu veciño estivo ingresado en psiquiatría", "salud"),
        ("gaixoen aurpegiak ikusten direla", "persona_identificable"),
        ("a photo of my patients", "ciudadano_atendido"),
        # Typed without «ñ».
        ("la foto de los ninos del campamento", "menor"),
    ],
)
def test_phrases_are_found(book, text, signal):
    assert signal in found(book, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("sin datos personales de nadie", "datos_personales"),  # negated
        ("no es confidencial", "confidencial"),
        ("te paso el borrador de mi post", "confidencial"),  # an exception: the post's draft
        ("me insultan cada vez que publico", "insulto"),  # the asker is insulted, not insulting
        ("soy administrativo en la consejería", "ciudadano_atendido"),  # «administrado» is another word
        ("voy al mitin de mi partido", "salud"),  # «partido» is not «parto»
        ("nos dan la alerta", "emergencia"),  # «dan» is not «dana»
        ("soy enfermera de primaria", "menor"),
        ("el partido de fútbol del domingo", "partidista"),
    ],
)
def test_no_false_signal(book, text, signal):
    assert signal not in found(book, text)


def test_hits_keep_their_span_in_the_original_text(book):
    text = "¿Puedo subir la fоto de los vecinos que atendí, con su nombre y apellidos?"
    for hit in book.detect(text, "borrador"):
        assert text[hit.start : hit.end] == hit.text
        assert hit.field == "borrador"


def test_every_signal_of_the_real_file_has_a_known_class_and_phrases(book):
    assert len(book) > 40
    for signal in book.signals.values():
        assert signal.cls in SignalClass
        assert signal.phrases or signal.detectors
        if signal.cls is SignalClass.LEVANTA:
            assert all(lifted in book.signals for lifted in signal.lifts)
        if signal.cls is SignalClass.RIESGO:
            assert signal.check, f"{signal.id}: a risk says what to check"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"x": {"nombre": "x", "clase": "otra", "frases": {"es": ["a"]}}}, "clase"),
        ({"x": {"nombre": "x", "clase": "riesgo", "frases": {"fr": ["a"]}}}, "idioma desconocido"),
        ({"x": {"nombre": "x", "clase": "riesgo"}}, "frases"),
        ({"x": {"nombre": "x", "clase": "riesgo", "detectores": ["pasaporte"]}}, "detector desconocido"),
        ({"x": {"nombre": "x", "clase": "riesgo", "levanta": ["y"], "frases": {"es": ["a"]}}}, "levanta"),
        ({"x": {"nombre": "x", "clase": "levanta", "levanta": ["nada"], "frases": {"es": ["a"]}}}, "no existen"),
        ({"x": {"nombre": "x", "clase": "tema", "frases": {"es": ["a"]}, "color": "rojo"}}, "desconocidos"),
    ],
)
def test_broken_signals_are_reported_and_the_rest_load(data, message):
    data = {**data, "bueno": {"nombre": "bueno", "clase": "tema", "frases": {"es": ["algo bueno"]}}}
    book, problems = parse_signals(data)
    assert any(message in p for p in problems), problems
    assert "bueno" in book.signals


def test_a_broken_file_gives_an_empty_book_and_a_problem(tmp_path):
    (tmp_path / "senales.yaml").write_text("a: [sin cerrar", encoding="utf-8")
    book, problems = load_signals(tmp_path)
    assert len(book) == 0 and problems
    missing, problems = load_signals(tmp_path / "nada")
    assert len(missing) == 0 and problems == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("datos personales", (("datos_personales",),)),
        ("menor y cuenta oficial; datos personales", (("menor", "cuenta_oficial"), ("datos_personales",))),
        ("imagen + ciudadano atendido", (("imagen", "ciudadano_atendido"),)),
        ("consentimiento, ficticio anonimizado", (("consentimiento",), ("ficticio_anonimizado",))),
        ("Menor y Cuenta_Oficial.", (("menor", "cuenta_oficial"),)),
        ("", ()),
    ],
)
def test_parse_condition(text, expected):
    assert parse_condition(text) == expected


def test_resolve_by_id_or_name(book):
    assert book.resolve("persona identificable") == "persona_identificable"
    assert book.resolve("Cuenta_Oficial") == "cuenta_oficial"
    assert book.resolve("foto o vídeo") == "imagen"
    assert book.resolve("no existe") is None


def test_the_real_file_is_valid_yaml_with_five_languages():
    data = yaml.safe_load((KNOWLEDGE / "senales.yaml").read_text(encoding="utf-8"))
    languages = {lang for body in data.values() for lang in (body.get("frases") or {})}
    assert languages == {"es", "ca", "gl", "eu", "en"}
