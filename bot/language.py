"""The language of a question, so the answer's frame can be written in it.

Offline, with `lingua <https://github.com/pemistahl/lingua-rs>`_ (its models ship in the
wheel), restricted to the candidate languages. Lingua has no Galician: a Galician question
reads as Spanish or Portuguese (sometimes Catalan), so words that only Galician writes
(``deteccion`` in ``bot/i18n/gl.yaml``) tell it apart. Whenever the text does not say
clearly, the answer stays in Spanish: fewer than :data:`MIN_WORDS` words, a low or split
confidence, a mix with Spanish, or a language the bot does not write (Portuguese). Text in
quotes (what the person wants to post) and the networks' names are left out first.

The detector loads its five models once per process, on first use (about 1.4 s and 160 MB);
after that a short question takes well under a millisecond.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from bot import yamlfile
from bot.intent import I18N_DIR
from bot.models import DRAFT_QUESTION
from bot.text import fold, words

__all__ = ["MIN_WORDS", "Language", "detect_language", "language_of"]


class Language(StrEnum):
    """The languages the bot writes its answers in (ISO 639-1 codes, as in ``bot/i18n/``)."""

    ES = "es"
    CA = "ca"
    GL = "gl"
    EU = "eu"
    EN = "en"


#: Fewer words than this never leave Spanish («¿y en LinkedIn?», «ok?»).
MIN_WORDS = 4
#: Lingua's relative confidence the best language needs...
MIN_CONFIDENCE = 0.5
#: ...or its lead over the second best (short Catalan questions split their confidence).
MIN_LEAD = 0.12
#: Spanish this likely in a text that reads as another language: a mix, answered in Spanish.
MIXED_SPANISH = 0.25
#: Galician words needed when lingua reads Spanish or Catalan (one is enough for Portuguese, or for
#: Spanish with a word Galician shares with Portuguese).
GALICIAN_WORDS = 2
#: Only the beginning of a long text is read (detection time grows with the length).
MAX_CHARS = 600

# Text between quotes (three words or more) is what the person quotes, not how they ask; the
# networks' names belong to no language (and lingua reads «¿Y en mi LinkedIn?» as English).
_QUOTED = re.compile(r"«[^»]*\s[^»]*\s[^»]*»|“[^”]*\s[^”]*\s[^”]*”|\"[^\"]*\s[^\"]*\s[^\"]*\"")
_NAMES = re.compile(
    r"\b(?:instagram|insta|facebook|twitter|tiktok|linkedin|youtube|whatsapp|telegram|bluesky|threads|"
    r"mastodon|snapchat|stories|story|reels?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Detector:
    lingua: Any
    #: Lingua's language → ours (Portuguese maps to None: the bot does not write it).
    codes: dict[Any, Language | None]


_lock = threading.Lock()
_detector: _Detector | None = None


def _build() -> _Detector:
    """The lingua detector, built once per process on first use (its models take ~1 s to load)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language as Lingua
                from lingua import LanguageDetectorBuilder

                codes: dict[Any, Language | None] = {
                    Lingua.SPANISH: Language.ES,
                    Lingua.CATALAN: Language.CA,
                    Lingua.BASQUE: Language.EU,
                    Lingua.ENGLISH: Language.EN,
                    Lingua.PORTUGUESE: None,
                }
                lingua = LanguageDetectorBuilder.from_languages(*codes).with_preloaded_language_models().build()
                _detector = _Detector(lingua, codes)
    return _detector


@lru_cache(maxsize=1)
def _galician_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words only Galician writes, and words Galician shares with Portuguese but not with Spanish."""
    data: dict[str, Any] = yamlfile.load((I18N_DIR / "gl.yaml").read_text(encoding="utf-8"))[0] or {}
    section = data.get("deteccion") or {}
    own = frozenset(fold(str(w)) for w in section.get("propias") or [])
    shared = frozenset(fold(str(w)) for w in section.get("con_portugues") or [])
    return own, shared


def _own_words(text: str) -> tuple[str, list[str]]:
    """``text`` without quotes and network names (its first :data:`MAX_CHARS`), and its words."""
    text = _NAMES.sub(" ", _QUOTED.sub(" ", text or ""))[:MAX_CHARS]
    return text, [w for w in words(text) if not w.isdigit()]


def detect_language(text: str) -> Language:
    """The language of ``text``, or Spanish when it does not say clearly (see the module docstring)."""
    text, tokens = _own_words(text)
    if len(tokens) < MIN_WORDS:
        return Language.ES
    detector = _build()
    values = detector.lingua.compute_language_confidence_values(text)
    confidence = {detector.codes[v.language]: v.value for v in values}
    best, runner_up = values[0], values[1]
    language = detector.codes[best.language]
    if language in (Language.ES, Language.CA, None) and _galician(tokens, language):
        return Language.GL
    if language is None:
        return Language.ES
    if best.value < MIN_CONFIDENCE and best.value - runner_up.value < MIN_LEAD:
        return Language.ES
    if language is not Language.ES and confidence.get(Language.ES, 0.0) >= MIXED_SPANISH:
        return Language.ES
    return language


# Spellings only Galician uses («xente», «imaxe»), and endings it shares with Portuguese alone
# («liberdade», «compañeiro»).
_GALICIAN_SPELLING = re.compile(r"^x[aeiou]|[aeo]xes?$")
_LUSOPHONE_ENDING = re.compile(r"(?:dade|eir[oa])s?$")


def _galician(tokens: Sequence[str], read_as: Language | None) -> bool:
    """Whether a text lingua reads as Spanish, Catalan or Portuguese (``None``) is Galician."""
    own, shared = _galician_words()
    galician = sum(w in own or bool(_GALICIAN_SPELLING.search(w)) for w in tokens)
    if read_as is None:
        return galician >= 1
    lusophone = read_as is Language.ES and any(w in shared or _LUSOPHONE_ENDING.search(w) for w in tokens)
    return galician >= GALICIAN_WORDS or bool(galician and lusophone)


def language_of(question: str, draft: str | None = None, earlier: Sequence[str] = ()) -> Language:
    """The language to answer ``question`` in.

    A message with only a draft (no question, or the standard «¿Puedo publicar esto?») is in
    the draft's language. A question too short to tell («¿y en LinkedIn?») follows the
    ``earlier`` questions of the same conversation, latest first.
    """
    asked = (question or "").strip()
    if not asked or asked == DRAFT_QUESTION:
        return detect_language(draft or "")
    for text in (asked, *reversed(earlier)):
        if len(_own_words(text)[1]) >= MIN_WORDS:
            return detect_language(text)
    return Language.ES
