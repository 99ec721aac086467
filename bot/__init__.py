"""Puedo publicar: cited answers to "¿puedo publicar esto?" for Spanish public employees.

This module is the public surface of the core; the chat adapters, the evaluation and the
benchmarks import from here::

    from bot import Service, Verdict

    answer = Service().ask("¿Puedo retuitear la campaña de vacunación?")
    if answer.verdict is Verdict.PERMITIDO:
        ...

- :class:`Service` answers (``ask(question, draft) -> Answer``); :class:`SourceInfo` describes
  a source it answers from; :class:`QuestionError` is what it raises for an unusable question.
- The answer and its parts (the JSON contract): :class:`Answer`, :class:`Verdict`,
  :class:`Citation`, :class:`Retrieved`, :class:`DraftFinding` (its ``kind`` is a
  :class:`Detector` value or a signal id), :class:`Trigger`, :class:`SourceType`.
- Configuration: :class:`Settings` and :func:`load_settings` (``BOT_*`` variables, ``.env``),
  which raises :class:`SettingsError`.
- Errors: :class:`PuedoPublicarError` (also :data:`PuedoError`) is the root of every error the
  project raises on purpose; :class:`InputError` and :class:`UnavailableError` are its two
  families (see :mod:`bot.errors`).
- What every chat adapter shares: the votes (:class:`FeedbackStore`, :func:`feedback_store`,
  :data:`Vote`, :class:`FeedbackError`), the record of answered deliveries
  (:class:`IdempotencyStore`, :func:`idempotency_store`, :class:`Claim`), the error of their database
  (:class:`DatabaseError`), the sources' last sync (:func:`sources_state`), a draft finding in its context
  (:func:`finding_context`), the longest quote of a citation (:data:`QUOTE_CHARS`) and the
  question shown for a bare draft (:data:`DRAFT_QUESTION`), and follow-up questions: the
  :class:`Context` an answer carries to the next message, :func:`follows_up` and :func:`is_reset`
  (:mod:`bot.conversation`), and the adapters' own words in the asker's language (:func:`phrase`).
  Logging that never writes what
  people ask is the submodule :mod:`bot.logs`.

The names are loaded on first use (:pep:`562`): ``import bot`` stays cheap, and the model, the
index and the retrieval stack are only imported when something asks for :class:`Service`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name → the module that defines it.
_EXPORTS: dict[str, str] = {
    "Service": "bot.service",
    "SourceInfo": "bot.service",
    "QuestionError": "bot.service",
    "Answer": "bot.models",
    "Citation": "bot.models",
    "Detector": "bot.models",
    "DraftFinding": "bot.models",
    "DRAFT_QUESTION": "bot.models",
    "QUOTE_CHARS": "bot.models",
    "Retrieved": "bot.models",
    "SourceType": "bot.models",
    "Trigger": "bot.models",
    "Verdict": "bot.models",
    "Settings": "bot.settings",
    "SettingsError": "bot.settings",
    "load_settings": "bot.settings",
    "InputError": "bot.errors",
    "PuedoError": "bot.errors",
    "PuedoPublicarError": "bot.errors",
    "UnavailableError": "bot.errors",
    "FeedbackError": "bot.feedback",
    "FeedbackStore": "bot.feedback",
    "Vote": "bot.feedback",
    "feedback_store": "bot.feedback",
    "Claim": "bot.idempotency",
    "IdempotencyStore": "bot.idempotency",
    "idempotency_store": "bot.idempotency",
    "DatabaseError": "bot.database",
    "DocumentError": "bot.doctext",
    "DocumentReason": "bot.doctext",
    "docx_paragraphs": "bot.doctext",
    "pdf_pages": "bot.doctext",
    "sources_state": "bot.sources.sync",
    "finding_context": "bot.draft",
    "Context": "bot.models",
    "follows_up": "bot.conversation",
    "is_reset": "bot.conversation",
    "phrase": "bot.templates",
}

__all__ = [
    "DRAFT_QUESTION",
    "QUOTE_CHARS",
    "Answer",
    "Citation",
    "Claim",
    "Context",
    "DatabaseError",
    "Detector",
    "DocumentError",
    "DocumentReason",
    "DraftFinding",
    "FeedbackError",
    "FeedbackStore",
    "IdempotencyStore",
    "InputError",
    "PuedoError",
    "PuedoPublicarError",
    "QuestionError",
    "Retrieved",
    "Service",
    "Settings",
    "SettingsError",
    "SourceInfo",
    "SourceType",
    "Trigger",
    "UnavailableError",
    "Verdict",
    "Vote",
    "__version__",
    "docx_paragraphs",
    "feedback_store",
    "finding_context",
    "follows_up",
    "idempotency_store",
    "is_reset",
    "load_settings",
    "pdf_pages",
    "phrase",
    "sources_state",
]

if TYPE_CHECKING:
    from bot.conversation import follows_up, is_reset
    from bot.database import DatabaseError
    from bot.doctext import DocumentError, DocumentReason, docx_paragraphs, pdf_pages
    from bot.draft import finding_context
    from bot.errors import InputError, PuedoError, PuedoPublicarError, UnavailableError
    from bot.feedback import FeedbackError, FeedbackStore, Vote, feedback_store
    from bot.idempotency import Claim, IdempotencyStore, idempotency_store
    from bot.models import (
        DRAFT_QUESTION,
        QUOTE_CHARS,
        Answer,
        Citation,
        Context,
        Detector,
        DraftFinding,
        Retrieved,
        SourceType,
        Trigger,
        Verdict,
    )
    from bot.service import QuestionError, Service, SourceInfo
    from bot.settings import Settings, SettingsError, load_settings
    from bot.sources.sync import sources_state
    from bot.templates import phrase


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for (:pep:`562`)."""
    module = _EXPORTS.get(name)
    if module is None:
        # An AttributeError (not ImportError) lets ``from bot import logs`` import the submodule.
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
