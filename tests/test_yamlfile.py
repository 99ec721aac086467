"""The YAML files policy owners edit are read without YAML 1.1's booleans or lost repeated keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import yamlfile
from bot.scope import load_scope
from bot.signals import load_signals


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("frases: [no, si, on, off, yes, n, y]", {"frases": ["no", "si", "on", "off", "yes", "n", "y"]}),
        ("sensible: true\notra: False", {"sensible": True, "otra": False}),
        ("vacio: ~\nnulo: null", {"vacio": None, "nulo": None}),
        ("n: 3\nx: 1.5", {"n": 3, "x": 1.5}),
    ],
)
def test_only_true_and_false_are_booleans(text: str, data: dict[str, object]) -> None:
    assert yamlfile.load(text) == (data, [])


def test_a_repeated_key_is_merged_and_reported_with_its_line() -> None:
    text = "a:\n  frases: [uno]\n  nombre: x\nb: 1\na:\n  frases: [dos]\n"
    data, problems = yamlfile.load(text)
    assert data == {"a": {"frases": ["uno", "dos"], "nombre": "x"}, "b": 1}
    assert problems == ["línea 5: «a» aparece dos veces; se usan las dos"]


def test_malformed_yaml_still_raises() -> None:
    with pytest.raises(yaml.YAMLError):
        yamlfile.load("a: [sin cerrar\n")


def test_signals_and_scope_report_repeated_keys(tmp_path: Path) -> None:
    signal = "  nombre: menor\n  clase: contexto\n  frases:\n    es: [niño]\n"
    (tmp_path / "senales.yaml").write_text(f"menor:\n{signal}menor:\n{signal}", encoding="utf-8")
    book, problems = load_signals(tmp_path)
    assert book.get("menor") is not None
    assert any("«menor» aparece dos veces" in p for p in problems)
    (tmp_path / "ambito.yaml").write_text("temas: [redes]\ntemas: [publicar]\n", encoding="utf-8")
    _, problems = load_scope(tmp_path)
    assert any("«temas» aparece dos veces" in p for p in problems)
