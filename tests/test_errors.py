"""Every error the project defines has one root a caller can catch."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import adapters
import bot
import evals
from bot.errors import PuedoPublicarError
from bot.service import QuestionError


def _project_errors() -> list[type[BaseException]]:
    found = []
    for package in (bot, adapters, evals):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            found += [
                obj
                for _, obj in inspect.getmembers(module, inspect.isclass)
                if issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
                and not obj.__name__.startswith("_")  # internal control flow, never raised to callers
            ]
    return found


def test_every_project_error_derives_from_the_root() -> None:
    errors = _project_errors()
    assert len(errors) >= 13
    assert [e.__qualname__ for e in errors if not issubclass(e, PuedoPublicarError)] == []


def test_the_root_keeps_the_specific_bases() -> None:
    with pytest.raises(ValueError):  # code that caught ValueError still does
        raise QuestionError("vacía")
    with pytest.raises(PuedoPublicarError):
        raise QuestionError("vacía")
