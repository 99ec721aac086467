"""Draft screening: validated identifiers, exact spans, and no false alarms."""

from __future__ import annotations

import pytest

from bot.draft import screen


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in screen(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi DNI es 12345678Z", [("dni", "12345678Z")]),
        ("dni 12345678-z", [("dni", "12345678-z")]),
        ("NIE X1234567L del solicitante", [("nie", "X1234567L")]),
        ("Escríbeme a ana.lopez+redes@ayto.example.es", [("email", "ana.lopez+redes@ayto.example.es")]),
        ("Llama al 612 345 678 o al +34 912 345 678", [("telefono", "612 345 678"), ("telefono", "+34 912 345 678")]),
        ("Ingresa en ES91 2100 0418 4502 0005 1332", [("iban", "ES91 2100 0418 4502 0005 1332")]),
        ("Está de baja médica por depresión", [("salud", "baja médica"), ("salud", "depresión")]),
        ("Mi alumna de 8 años ganó el concurso", [("menor", "de 8 años")]),
        (
            "BORRADOR — uso interno, no difundir",
            [("confidencial", "BORRADOR"), ("confidencial", "uso interno"), ("confidencial", "no difundir")],
        ),
    ],
)
def test_true_positives(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mi DNI es 12345678A",  # wrong control letter: not a DNI
        "NIE X1234567A",  # wrong control letter
        "Cuenta ES00 2100 0418 4502 0005 1332",  # wrong IBAN check digits
        "Expediente 2024/123456 resuelto",  # a file number, not a phone
        "Política de confidencialidad del ayuntamiento",  # the word, not the marker
        "Abierto el plazo de las oposiciones: consulta el BOE de hoy",
        "Tengo 35 años y me encanta el senderismo",  # an adult's age
    ],
)
def test_false_positives_are_not_reported(text):
    assert screen(text) == []


def test_name_next_to_an_identifier_is_reported_with_its_span():
    text = "Atendí a Juan Pérez Gil, DNI 12345678Z, en ventanilla."
    findings = screen(text)
    named = [f for f in findings if f.kind == "nombre_con_id"]
    assert [(f.text, f.start, f.end) for f in named] == [("Juan Pérez Gil, DNI 12345678Z", 9, 38)]
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_empty_draft():
    assert screen(None) == []
    assert screen("") == []
