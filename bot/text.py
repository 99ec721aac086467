"""Spanish text normalisation for lexical retrieval: accent folding, stop words, Snowball stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# Function words of Spanish (plus the commonest Catalan/Galician/English ones) that carry no topic.
# Written accent-free: they are compared after folding.
STOPWORDS = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes aquel aquella aquello aqui asi aun
    bajo bien cada como con contra cual cuales cualquier cuando cuanto de del desde donde dos
    el ella ellas ello ellos en entre era eran es esa esas ese eso esos esta estaba estan estar
    estas este esto estos fue fueron ha hace hacia han hasta hay la las le les lo los mas me mi
    mia mio mis muy nada ni no nos nosotros nuestra nuestro o os otra otro otros para pero poco
    por porque que quien quienes se sea ser si sido siempre sin sobre su sus tal tambien tan
    te ti tiene tienen toda todas todo todos tu tus un una unas uno unos usted ustedes vosotros
    y ya yo he has hemos habia soy eres somos son estoy esta estamos estais etc
    els les dels amb per una uns unes aixo aquest aquesta meu meva seu seva pel pels
    the of and to in is it that for on with as be at by this an are or from was were my your
    do does i me we you he she they them our their its what which who how can could would should
    """.split()
)

_stemmer = Stemmer.Stemmer("spanish")

#: Chat shorthand people type («tengo q pedir», «xq», «antes d q salga»), and the word it stands for.
CHAT_SHORTHAND = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xa": "para",
    "pa": "para",
    "tb": "tambien",
    "tmb": "tambien",
    "d": "de",
}

#: A quoted passage: '…' (an apostrophe inside a word does not open one), "…", «…», “…”, ‘…’.
#: Bounded and unnested, so it runs in linear time on any text.
_QUOTED = re.compile(
    r"(?<!\w)'([^'\n]{1,300}?)'(?!\w)|\"([^\"\n]{1,300}?)\"|«([^»\n]{1,300}?)»|“([^”\n]{1,300}?)”|‘([^’\n]{1,300}?)’"
)


def quoted(text: str) -> list[tuple[int, int, str]]:
    """The quoted passages of ``text``: (start, end) of the quotes included, and the text inside."""
    out = []
    for match in _QUOTED.finditer(text):
        inner = next(g for g in match.groups() if g is not None)
        out.append((match.start(), match.end(), inner))
    return out


def fold(text: str) -> str:
    """Lower-case and strip accents (``Artículo`` → ``articulo``); keeps ``ñ`` distinct from ``n``."""
    text = unicodedata.normalize("NFC", text).lower().replace("ñ", "\0")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("\0", "ñ")


_COMBINING_TILDE = "\u0303"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`fold` of ``text`` and, for each folded character, the index of the original one.

    Folding may change lengths («ǅ» → «dž»); the offsets map spans found in the folded text
    back to the text the person wrote.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text):
        if char == _COMBINING_TILDE and i and text[i - 1] in "nN" and out and out[-1] == "n":
            out[-1] = "ñ"  # «ñ» typed decomposed, as fold() composes it
            continue
        folded = _fold_char(char)
        out.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(text))
    return "".join(out), offsets


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Folded words of ``text`` with their ``(start, end)`` in ``text`` itself."""
    folded, offsets = fold_with_offsets(text)
    return [(m.group(), offsets[m.start()], offsets[m.end()]) for m in _WORD.finditer(folded)]


def words(text: str) -> list[str]:
    """Folded words of ``text``, stop words included."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def tokenize(text: str) -> list[str]:
    """The lexical index's view of a text: folded, stop words removed, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_words(text: str) -> list[str]:
    """Folded words without stop words, unstemmed (for display and glossary matching)."""
    return [w for w in words(text) if w not in STOPWORDS]
