"""The public surface of :mod:`bot`: every name in ``__all__`` resolves, ``import bot`` stays
cheap, and submodules are still importable as ``from bot import logs``."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import bot
from bot import models


def test_all_lists_every_lazy_export() -> None:
    assert set(bot.__all__) == {"__version__", *bot._EXPORTS}


@pytest.mark.parametrize("name", sorted(bot._EXPORTS))
def test_each_public_name_is_the_object_of_its_module(name: str) -> None:
    assert getattr(bot, name) is getattr(importlib.import_module(bot._EXPORTS[name]), name)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = bot.no_such_name  # type: ignore[attr-defined]


def test_dir_lists_the_public_names() -> None:
    assert set(bot.__all__) <= set(dir(bot))


def test_import_bot_loads_no_heavy_module() -> None:
    code = (
        "import sys, bot; from bot import logs, Verdict; "
        "print(sorted(m for m in ('bot.service', 'bot.retrieval', 'bot.index', 'chromadb', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_detector_values_are_the_json_kinds() -> None:
    finding = models.DraftFinding(kind="dni", text="12345678Z", start=0, end=9)
    assert finding.kind == models.Detector.DNI
    assert finding.detector is models.Detector.DNI
    assert finding.label == "DNI"
    assert finding.model_dump()["kind"] == "dni"
    signal = models.DraftFinding(kind="datos_salud", text="paciente", start=0, end=8)
    assert signal.detector is None
    assert signal.label == "datos salud"
