"""The editable glossary (``knowledge/glosario.yaml``): colloquial, regional and English words → formal ones.

Retrieval expands a question with the equivalents of every glossary term it contains, so
"¿puedo colgar esto en el insta?" also searches for "publicar" and "instagram".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import yamlfile
from bot.errors import InputError
from bot.text import fold

GLOSSARY_NAMES = ("glosario.yaml", "glosario.yml")


@dataclass(frozen=True)
class Glossary:
    """Term → equivalents, matched on whole words, ignoring case and accents."""

    entries: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        terms = sorted(self.entries, key=len, reverse=True)
        pattern = "|".join(re.escape(t) for t in terms) if terms else r"(?!x)x"
        object.__setattr__(self, "_pattern", re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"))

    def matches(self, text: str) -> list[str]:
        """Glossary terms present in ``text`` (folded form), longest first, without repeats."""
        found = self._pattern.findall(fold(text))  # type: ignore[attr-defined]
        return list(dict.fromkeys(found))

    def expand(self, text: str) -> str:
        """``text`` followed by the equivalents of every term it contains."""
        extra = [self.entries[t] for t in self.matches(text)]
        return text if not extra else f"{text} {' '.join(extra)}"

    def __len__(self) -> int:
        return len(self.entries)


class GlossaryError(InputError, ValueError):
    """The glossary file cannot be used; the message says why, in Spanish."""


def load_glossary(knowledge_dir: Path) -> tuple[Glossary, list[str]]:
    """Read the glossary from ``knowledge_dir``; returns it and the problems found.

    A missing or broken glossary never stops the bot: the problems are returned and an
    empty (or partial) glossary is used.
    """
    path = next((knowledge_dir / n for n in GLOSSARY_NAMES if (knowledge_dir / n).is_file()), None)
    if path is None:
        return Glossary(), []
    try:
        return parse_glossary(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, GlossaryError) as exc:
        return Glossary(), [str(exc)]


def parse_glossary(text: str) -> tuple[Glossary, list[str]]:
    """Parse glossary YAML: groups (any name) of ``term: "equivalent words"`` entries."""
    try:
        data, problems = yamlfile.load(text)
    except yaml.YAMLError as exc:
        raise GlossaryError(f"YAML mal formado: {exc}") from None
    if data is None:
        return Glossary(), problems
    if not isinstance(data, dict):
        raise GlossaryError("debe ser una lista de grupos (grupo: término: equivalentes)")
    entries: dict[str, str] = {}
    for group, items in data.items():
        if not isinstance(items, dict):
            problems.append(f"grupo {group!r}: debe contener entradas «término: equivalentes»")
            continue
        for term, equivalents in items.items():
            if term is None or not isinstance(equivalents, str | int | float) or not str(term).strip():
                problems.append(f"grupo {group!r}, término {term!r}: equivalentes no válidos")
                continue
            key = fold(str(term)).strip()
            value = " ".join(filter(None, (entries.get(key), str(equivalents).strip())))
            entries[key] = value
    return Glossary(entries), problems
