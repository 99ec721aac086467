"""The bot's scope (``knowledge/ambito.yaml``), edited by policy owners.

- ``temas``: words that by themselves place a question in scope (networks, the laws' topics);
- ``contexto``: words that do so only when the question asks whether something may be done
  (publishing, public employment): "¿cuántos funcionarios tenía el Imperio romano?" is not
  about the bot's sources, "¿puedo publicar...?" is;
- ``fuera_de_ambito``: expressions of questions the bot never answers ("¿cómo se dice...?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.text import fold, tokenize

SCOPE_FILE = "ambito.yaml"
#: Single-word anchors at least this long also match longer words (``facebooken``).
PREFIX_MIN = 5

#: A word or expression as stems, or (when it has function words) as folded text.
Anchor = tuple[str, ...] | str


@dataclass(frozen=True)
class ScopeCheck:
    in_scope: bool
    reason: str
    anchors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """Anchors as stemmed token sequences, exclusions as folded phrases."""

    topics: tuple[Anchor, ...] = ()
    context: tuple[Anchor, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return bool(self.topics or self.context)

    def check(self, text: str, *, question_of_fact: bool) -> ScopeCheck:
        """Whether a question (already expanded with the glossary) is in scope, and why."""
        if not self.configured:
            return ScopeCheck(True, "sin lista de ámbito")
        folded = fold(text)
        for phrase in self.excluded:
            if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded):
                return ScopeCheck(False, f"fuera de ámbito: «{phrase}»")
        tokens = tokenize(text)
        topics = _find(self.topics, tokens, folded)
        if topics:
            return ScopeCheck(True, "tema del ámbito", topics)
        context = _find(self.context, tokens, folded)
        if context and not question_of_fact:
            return ScopeCheck(True, "consulta sobre publicar o sobre el trabajo", context)
        if context:
            return ScopeCheck(False, "pregunta de información sin tema del ámbito", context)
        return ScopeCheck(False, "ninguna palabra del ámbito")


def _find(anchors: tuple[Anchor, ...], tokens: list[str], folded: str) -> list[str]:
    found = []
    for anchor in anchors:
        if isinstance(anchor, str):  # a phrase with function words ("en redes"), matched as written
            if re.search(rf"(?<!\w){re.escape(anchor)}(?!\w)", folded):
                found.append(anchor)
        elif len(anchor) == 1:
            stem = anchor[0]
            if any(t == stem or (len(stem) >= PREFIX_MIN and t.startswith(stem)) for t in tokens):
                found.append(stem)
        elif any(tuple(tokens[i : i + len(anchor)]) == anchor for i in range(len(tokens) - len(anchor) + 1)):
            found.append(" ".join(anchor))
    return found


def load_scope(knowledge_dir: Path) -> tuple[Scope, list[str]]:
    """Read ``ambito.yaml``; a missing file means no scope check (every question is in scope)."""
    path = knowledge_dir / SCOPE_FILE
    if not path.is_file():
        return Scope(), []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return Scope(), [f"no se puede leer ({exc}); no se comprueba el ámbito de las preguntas"]
    if not isinstance(data, dict):
        return Scope(), ["debe tener las secciones «temas», «contexto» y «fuera_de_ambito»"]
    problems: list[str] = []
    unknown = set(data) - {"temas", "contexto", "fuera_de_ambito"}
    if unknown:
        problems.append(f"secciones desconocidas: {', '.join(sorted(map(str, unknown)))}")
    excluded = tuple(fold(str(p)).strip() for p in _words(data.get("fuera_de_ambito"), "fuera_de_ambito", problems))
    return (
        Scope(
            topics=_anchors(_words(data.get("temas"), "temas", problems)),
            context=_anchors(_words(data.get("contexto"), "contexto", problems)),
            excluded=tuple(p for p in excluded if p),
        ),
        problems,
    )


def _words(section: Any, name: str, problems: list[str]) -> list[str]:
    """A section is a list of words, or groups (any name) of lists of words."""
    if section is None:
        return []
    if isinstance(section, list):
        return [str(w) for w in section if w is not None]
    if isinstance(section, dict):
        words: list[str] = []
        for group, items in section.items():
            if isinstance(items, list):
                words.extend(str(w) for w in items if w is not None)
            else:
                problems.append(f"«{name}.{group}» debe ser una lista de palabras")
        return words
    problems.append(f"«{name}» debe ser una lista de palabras o de grupos")
    return []


def _anchors(words: list[str]) -> tuple[Anchor, ...]:
    anchors: list[Anchor] = []
    for word in words:
        stems = tuple(tokenize(word))
        if not stems:
            continue
        folded = " ".join(fold(word).split())
        # "en redes" must not become "redes" (which would match "red de metro"): keep it as text.
        anchors.append(folded if len(stems) < len(folded.split()) else stems)
    return tuple(dict.fromkeys(anchors))
