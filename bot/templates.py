"""The sentences the bot writes in its answers, one file per language in ``bot/locales/``.

``es.yaml`` is the reference: every other language has the same keys (``tests`` check it), with
the same ``{placeholders}``, which :mod:`bot.answer` fills. A key that a language lacks, or
whose placeholders differ from the Spanish ones, falls back to Spanish with a warning logged
once, when the file is first loaded. What the answers quote from the sources (laws, the
guideline, the terms of use) is never here: it stays in the source's language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import yamlfile
from bot.language import Language

__all__ = ["LOCALES_DIR", "Templates", "load_texts", "placeholders", "templates"]

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
#: The language every other one is checked against, and falls back to.
REFERENCE = Language.ES

_PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class Templates:
    """The templates of one language, by dotted key (``summary.ask_unit``)."""

    language: Language
    texts: Mapping[str, str]

    def __call__(self, key: str, /, **values: object) -> str:
        """The template ``key`` with its placeholders filled from ``values``."""
        return self.texts[key].format_map(values)


def placeholders(text: str) -> frozenset[str]:
    """The ``{names}`` a template fills."""
    return frozenset(_PLACEHOLDER.findall(text))


def _flatten(data: Any, prefix: str, out: dict[str, str], problems: list[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}{key}.", out, problems)
    elif isinstance(data, str):
        out[prefix[:-1]] = data
    else:
        problems.append(f"«{prefix[:-1]}» debe ser un texto")


def load_texts(language: str) -> tuple[dict[str, str], list[str]]:
    """The templates of ``bot/locales/<language>.yaml`` by dotted key, and the problems found."""
    path = LOCALES_DIR / f"{language}.yaml"
    data, problems = yamlfile.load(path.read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    if not isinstance(data, dict):
        return texts, [*problems, "debe agrupar las plantillas por clave"]
    _flatten(data, "", texts, problems)
    return texts, problems


@lru_cache(maxsize=len(Language))
def _templates(language: Language) -> Templates:
    reference, problems = load_texts(REFERENCE)
    for problem in problems:
        log.warning("locales/%s.yaml: %s", REFERENCE, problem)
    if language is REFERENCE:
        return Templates(language, reference)
    own, problems = load_texts(language)
    for problem in problems:
        log.warning("locales/%s.yaml: %s", language, problem)
    texts: dict[str, str] = {}
    for key, spanish in reference.items():
        text = own.get(key)
        if text is None:
            log.warning("locales/%s.yaml: no key %s; the answer uses the Spanish one", language, key)
        elif placeholders(text) != placeholders(spanish):
            log.warning("locales/%s.yaml: %s has other placeholders than Spanish; using Spanish", language, key)
            text = None
        texts[key] = spanish if text is None else text
    for key in sorted(set(own) - set(reference)):
        log.warning("locales/%s.yaml: key %s is not in %s.yaml; ignored", language, key, REFERENCE)
    return Templates(language, texts)


def templates(language: str = REFERENCE) -> Templates:
    """The templates of ``language`` (a :class:`Language` or its code), loaded once; an unknown
    code gets the Spanish ones."""
    try:
        code = Language(language)
    except ValueError:
        log.warning("No templates for language %r; using Spanish", language)
        code = REFERENCE
    return _templates(code)


def phrase(language: str, key: str, /, **values: object) -> str:
    """One sentence of ``bot/locales/`` in ``language`` (``es``, ``ca``, ``gl``, ``eu``, ``en``),
    for the chat adapters' own words around an answer («📚 Ver fundamentos»)."""
    return templates(language)(key, **values)
