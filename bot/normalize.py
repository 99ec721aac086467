"""One text normalisation, applied to every question and draft before anything reads them.

Chat text arrives with characters that change nothing for a person but everything for a
matcher: a zero-width space inside «puedo», a bidi override, Cyrillic «е» inside
«еxpеdiеntе». :func:`normalize` returns what a reader sees:

1. Unicode NFKC (full-width letters, ligatures and compatibility forms become plain letters);
2. zero-width characters, bidi controls, soft hyphens, NUL and other control characters are
   removed (newlines and tabs stay);
3. Cyrillic and Greek letters that look like Latin ones are mapped to those Latin letters, in
   text that is mostly Latin (a text written in Russian or Greek is left as it is). The
   look-alike table is Unicode's, from ``confusable_homoglyphs``;
4. in a message written in leetspeak («¿Pu3do publ1c4r l4 gr4b4c10n?»: at least three words,
   and a quarter of them, have a digit between letters), the digits mixed into words become the
   letters they stand for, even in words with more digits than letters («v1d30»); with three
   such words in a longer message, only the leet words change («S0y pr0f€s0r4 … ¿Pu€d0?», a
   euro sign touching a letter being an «e»). A DNI, a date, «C1» or «MP3» in an ordinary
   message are left alone;
5. a word spelt out letter by letter («¿p u e d o?», «p·u·b·l·i·c·a·r», four letters or more) is
   written whole, and a word cut at a line break with a hyphen («con-\\nserje») is joined again.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import categories, confusables

#: Format characters that render as nothing or reorder text (Unicode category Cf), plus the
#: other invisible separators chat clients let through.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]"
)
#: C0/C1 controls except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LOOKALIKE_SCRIPTS = frozenset({"CYRILLIC", "GREEK"})


def normalize(text: str) -> str:
    """``text`` as a person reads it: NFKC, no invisible or control characters, no look-alikes."""
    if not text:
        return text
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    if not text.isascii():
        text = _unconfuse(text)
    return _unspaced(_unleet(text))


#: Four or more single letters or digits, one space apart: a word spelt out («p u e d o»).
_SPELT = re.compile(r"(?<!\w)(?:\w )(?:\w ){2,}\w(?!\w)")
#: Four or more single letters joined by hyphens, dots or middle dots, the same all along
#: («l-i-s-t-a», «p·u·b·l·i·c·a·r»; the Catalan «l·l» of «col·legi» is one pair, not four letters).
_SPELT_JOINED = re.compile(r"(?<![\w.·-])[^\W\d_](?P<sep>[-.·])[^\W\d_](?:(?P=sep)[^\W\d_]){2,}(?![\w·-])")
#: A word cut at the end of a line with a hyphen.
_CUT = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[^\W\d_])")


def _unspaced(text: str) -> str:
    """Words spelt out letter by letter, or cut at a line break, written whole (see above)."""
    text = _SPELT_JOINED.sub(lambda m: m.group().replace(m.group("sep"), ""), text)
    return _SPELT.sub(lambda m: m.group().replace(" ", ""), _CUT.sub("", text))


_WORD = re.compile(r"\w+")
_LEET = str.maketrans("013457", "oieast")


def _is_leet(word: str) -> bool:
    digits = sum(c.isdigit() for c in word)
    letters = sum(c.isalpha() for c in word)
    return 0 < digits <= letters and any(c in "013457" for c in word)


#: Digits between two letters («pu3do»): the tell of leetspeak, counted without overlap.
_INSIDE = re.compile(r"(?<=[^\W\d_])[013457]+(?=[^\W\d_])")
#: A lower-case word with two of them is leet even alone («d1recc1ones»).
_LEET_WORD = re.compile(r"(?<!\w)[a-zñ013457]{5,}(?!\w)")


#: A euro sign touching a letter («d€», «pr0f€s0r4»): an «e» written the leet way; «50 €» is money.
_EURO = re.compile(r"(?<=[^\W\d_])€|€(?=[^\W\d_])")
#: A word that ends in a leet digit after a lower-case letter («Pued0», «s0y»).
_LEET_END = re.compile(r"[^\W\d_]*[a-zñ][013457]")


def _unleet(text: str) -> str:
    """Digits read as letters inside the words of a message written in leetspeak (see above)."""
    text = _EURO.sub("e", text)
    words = _WORD.findall(text)
    # A digit between two letters («pu3do») is the tell; «MP3», «4G» or «COVID19» are not.
    leet = sum(_is_leet(w) and bool(_INSIDE.search(w)) for w in words)
    if leet < 3:
        return _LEET_WORD.sub(_leet_word, text)
    if leet * 4 < len(words):
        # Leet words in a longer message («S0y pr0f€s0r4 … ¿Pu€d0?»): those words only.
        return _WORD.sub(_few_leet, text)
    return _WORD.sub(_all_leet, text)


def _all_leet(match: re.Match[str]) -> str:
    # In a message written in leet, a word may have more digits than letters («v1d30», «c0m1s4r14»).
    word = match.group()
    if _is_leet(word) or (any(c.isalpha() for c in word) and all(c in "013457" for c in word if c.isdigit())):
        return word.translate(_LEET)
    return word


def _few_leet(match: re.Match[str]) -> str:
    word = match.group()
    if _is_leet(word) and (_INSIDE.search(word) or _LEET_END.fullmatch(word)):
        return word.translate(_LEET)
    return word


def _leet_word(match: re.Match[str]) -> str:
    word = match.group()
    return word.translate(_LEET) if len(_INSIDE.findall(word)) >= 2 else word


def _unconfuse(text: str) -> str:
    """Map Cyrillic and Greek look-alikes to Latin when the text is mostly Latin."""
    latin = foreign = 0
    for char in text:
        if char.isalpha():
            script = _script(char)
            if script == "LATIN":
                latin += 1
            elif script in _LOOKALIKE_SCRIPTS:
                foreign += 1
    if not foreign or foreign >= latin:
        return text
    return "".join(_latin_twin(c) if c.isalpha() and _script(c) in _LOOKALIKE_SCRIPTS else c for c in text)


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    return str(categories.aliases_categories(char)[0])


@lru_cache(maxsize=4096)
def _latin_twin(char: str) -> str:
    """The Latin letter ``char`` is confusable with (same case where Unicode offers it), or ``char``."""
    found = confusables.is_confusable(char, preferred_aliases=["latin"])
    if not found:
        return char
    twins = [h["c"] for h in found[0]["homoglyphs"] if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
    if not twins:
        return char
    if char.isupper() and twins == ["l"]:
        return "I"  # Unicode's skeleton writes every I-like letter as «l»
    same_case = [t for t in twins if t.isupper() == char.isupper()]
    return (same_case or twins)[0]
