"""Small typed domain objects shared by the core, the adapters and the evaluation suite.

The JSON contract of ``python -m bot ask --json`` is :meth:`Answer.to_json_dict`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from text_to_num import text2num

from bot.text import fold

#: What a chat message carrying only a draft asks (the adapters show it as the question).
DRAFT_QUESTION = "¿Puedo publicar esto?"


class Verdict(StrEnum):
    """What the bot says about a question, from the most permissive to the strictest."""

    PERMITIDO = "permitido"
    CON_CAUTELAS = "con_cautelas"
    NO_PERMITIDO = "no_permitido"
    INFORMATIVO = "informativo"
    SIN_BASE = "sin_base"

    @property
    def label(self) -> str:
        """The verdict in words, as shown to employees."""
        return _LABELS[self]

    def label_in(self, language: str) -> str:
        """:attr:`label` in ``language`` (``es``, ``ca``, ``gl``, ``eu``, ``en``; ``bot/locales/``)."""
        from bot.templates import templates

        return templates(language)(f"verdict.{self.value}")

    @property
    def emoji(self) -> str:
        """The verdict's emoji (✅ ⚠️ ⛔ ℹ️ ❔), shown before its label."""
        return _EMOJI[self]

    @property
    def severity(self) -> int:
        """Order used when several rules apply: the strictest wins."""
        return _SEVERITY.get(self, -1)

    @classmethod
    def parse(cls, text: str) -> Verdict:
        """Read a verdict as policy owners write it (``no permitido``, ``Con cautelas``...).

        Raises :class:`ValueError` naming the accepted values.
        """
        key = fold(text).strip().replace(" ", "_").replace("-", "_")
        try:
            return cls(key)
        except ValueError:
            accepted = ", ".join(v.value.replace("_", " ") for v in RULE_VERDICTS)
            raise ValueError(f"veredicto desconocido {text!r}; valores válidos: {accepted}") from None


_LABELS = {
    Verdict.PERMITIDO: "Sí, puedes publicarlo",
    Verdict.CON_CAUTELAS: "Sí, con cautelas",
    Verdict.NO_PERMITIDO: "No lo publiques",
    Verdict.INFORMATIVO: "Información",
    Verdict.SIN_BASE: "No hay base en las fuentes",
}
_EMOJI = {
    Verdict.PERMITIDO: "✅",
    Verdict.CON_CAUTELAS: "⚠️",
    Verdict.NO_PERMITIDO: "⛔",
    Verdict.INFORMATIVO: "ℹ️",
    Verdict.SIN_BASE: "❔",
}
_SEVERITY = {Verdict.PERMITIDO: 0, Verdict.CON_CAUTELAS: 1, Verdict.NO_PERMITIDO: 2}

#: The verdicts a guideline rule may state.
RULE_VERDICTS = (Verdict.PERMITIDO, Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO)


class SourceType(StrEnum):
    """The three kinds of sources the bot answers from."""

    LEY = "ley"
    GUIA = "guia"
    CONDICIONES = "condiciones"


class LegalRef(BaseModel):
    """A machine-readable legal basis: a BOE identifier and an article (``53`` or ``53.12``)."""

    model_config = ConfigDict(frozen=True)

    source_id: str
    article: str

    def __str__(self) -> str:
        return f"{self.source_id} art. {self.article}"


class Chunk(BaseModel):
    """One retrievable piece of a source, with everything needed to cite it."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    source_id: str
    tipo: SourceType
    title: str
    locator: str
    heading: str = ""
    url: str | None = None
    version: str | None = None
    network: str | None = None
    file: str = ""
    file_hash: str = ""
    content_hash: str = ""
    #: For guideline rules: the rule's verdict and legal basis.
    rule_verdict: Verdict | None = None
    legal_basis: tuple[LegalRef, ...] = ()
    #: For guideline rules, «Se aplica si»: alternatives of signal ids that must all be found.
    applies_if: tuple[tuple[str, ...], ...] = ()
    #: For guideline rules, «Salvo si»: signal ids that lift the rule.
    unless: tuple[str, ...] = ()
    #: For guideline rules, «Firme: sí»: the second opinion never softens the rule's «no».
    firm: bool = False
    #: For guideline rules: the colloquial words policy owners listed for retrieval.
    keywords: str = ""

    @property
    def article(self) -> str | None:
        """For law chunks, the article number as the law writes it (``53``, ``47 bis``)."""
        return article_of(self.locator)


def article_of(locator: str) -> str | None:
    """``Artículo 53.12`` → ``53``; ``Artículo 47 bis`` → ``47 bis``; anything else → None."""
    if not locator.startswith("Artículo "):
        return None
    rest = locator.removeprefix("Artículo ").strip()
    number = rest.split(".", 1)[0].strip()
    return number or None


_ORDINALS = {
    "primero": "1",
    "segundo": "2",
    "tercero": "3",
    "cuarto": "4",
    "quinto": "5",
    "sexto": "6",
    "séptimo": "7",
    "septimo": "7",
    "octavo": "8",
    "noveno": "9",
    "décimo": "10",
    "decimo": "10",
    "único": "único",
    "unico": "único",
}


def article_key(article: str) -> str:
    """Compare article numbers as laws write them: ``séptimo``, ``siete`` and ``7`` are the same
    article; ``cincuenta y dos`` is ``52``; ``47 bis`` and ``47bis`` too."""
    text = " ".join(article.strip().lower().split())
    if text in _ORDINALS:
        return _ORDINALS[text]
    if text and not text[0].isdigit():
        try:
            return str(text2num(text, "es"))
        except ValueError:
            pass
    return text.replace(" ", "")


#: A citation's quote holds at most this many characters, plus «…» when it was cut.
QUOTE_CHARS = 220


class Citation(BaseModel):
    """A numbered reference printed under an answer; always points to a retrieved chunk."""

    n: int
    source_id: str
    tipo: SourceType
    network: str | None
    title: str
    locator: str
    url: str | None
    quote: str
    version: str | None
    chunk_id: str = Field(exclude=True)

    def brief(self) -> dict[str, Any]:
        """Number, source, locator and title: what feedback and evaluation reports keep."""
        return self.model_dump(include={"n", "source_id", "locator", "title"})


class Retrieved(BaseModel):
    """One entry of the ranked list of chunks retrieved for a question."""

    source_id: str
    tipo: SourceType
    network: str | None
    locator: str
    score: float
    chunk_id: str = Field(exclude=True)


class Detector(StrEnum):
    """The built-in detectors of personal data (:mod:`bot.draft`), and the kinds of their findings.

    Signals of ``knowledge/senales.yaml`` name them under ``detectores:``; a
    :class:`DraftFinding` found by one has its value as ``kind``. Being a :class:`StrEnum`, a
    member equals its value (``Detector.DNI == "dni"``), so the JSON contract keeps plain strings.
    """

    DNI = "dni"
    NIE = "nie"
    TELEFONO = "telefono"
    EMAIL = "email"
    IBAN = "iban"
    NOMBRE_CON_ID = "nombre_con_id"
    DIRECCION = "direccion"
    MATRICULA = "matricula"
    NOMBRE_PERSONA = "nombre_persona"
    EDAD_MENOR = "edad_menor"
    DETALLES_IDENTIFICATIVOS = "detalles_identificativos"

    @property
    def label(self) -> str:
        """How the finding is named to employees («DNI», «dirección postal»...)."""
        return DETECTOR_LABELS[self]

    def label_in(self, language: str) -> str:
        """:attr:`label` in ``language`` (``es``, ``ca``, ``gl``, ``eu``, ``en``; ``bot/locales/``)."""
        from bot.templates import templates

        return templates(language)(f"detector.{self.value}")


#: How the built-in detectors' findings are named to employees.
DETECTOR_LABELS: dict[Detector, str] = {
    Detector.DNI: "DNI",
    Detector.NIE: "NIE",
    Detector.TELEFONO: "teléfono",
    Detector.EMAIL: "correo electrónico",
    Detector.IBAN: "cuenta bancaria (IBAN)",
    Detector.NOMBRE_CON_ID: "nombre junto a un documento de identidad",
    Detector.DIRECCION: "dirección postal",
    Detector.MATRICULA: "matrícula de un vehículo",
    Detector.NOMBRE_PERSONA: "nombre de una persona",
    Detector.EDAD_MENOR: "edad de un menor",
    Detector.DETALLES_IDENTIFICATIVOS: "detalles que identifican a alguien",
}


#: The values of :class:`Detector`, to tell a detector's finding from a signal's.
_DETECTOR_VALUES = frozenset(d.value for d in Detector)


class DraftFinding(BaseModel):
    """Something in the draft that needs attention, with its exact span in the draft.

    ``kind`` is the value of a :class:`Detector` (``dni``, ``telefono``...) or the id of a
    signal of ``senales.yaml`` (``salud``, ``menor``...): signal ids are data that policy
    owners edit, so ``kind`` stays a ``str``; compare it with the enum
    (``finding.kind == Detector.DNI``) or test it with :attr:`detector`. ``label`` names it
    for employees.
    """

    kind: str
    text: str
    start: int
    end: int
    label: str = Field(default="", exclude=True)

    def model_post_init(self, __context: Any) -> None:
        """Name the finding for employees when the caller did not: the detector's label, or the kind."""
        if not self.label:
            detector = self.detector
            self.label = detector.label if detector else self.kind.replace("_", " ")

    @property
    def detector(self) -> Detector | None:
        """The built-in detector that found this, or ``None`` for a signal's phrase."""
        return Detector(self.kind) if self.kind in _DETECTOR_VALUES else None


class Trigger(BaseModel):
    """Words found in the question, the draft, an earlier turn or a photo that made a rule apply."""

    rule: str
    signal: str
    label: str
    text: str
    start: int
    end: int
    #: ``pregunta``, ``borrador``, ``conversacion`` or ``imagen``: where ``start``/``end`` point.
    field: str


class ImageSeen(BaseModel):
    """What the bot saw in one photo of the draft (:mod:`bot.vision`), shown to the person."""

    text: str
    faces: int
    #: Every face is small: people in the background or a crowd.
    crowd: bool


class Turn(BaseModel):
    """One earlier message of a conversation, as the next answer needs it."""

    model_config = ConfigDict(frozen=True)

    #: The question, normalised and without directives to the bot.
    question: str
    #: The draft sent with this message, if any (a later message without one keeps it).
    draft: str | None = None
    #: What was seen in the photos sent with this message.
    images: tuple[ImageSeen, ...] = ()
    #: The message was answered with information, not with a verdict.
    informative: bool = False


class Context(BaseModel):
    """What the earlier turns of a conversation said (:mod:`bot.conversation`).

    Kept in memory only, by whoever holds the conversation (the CLI's ``chat``, an adapter's
    thread): never logged or stored. Pass :attr:`Answer.context` to the next ``ask``.
    """

    model_config = ConfigDict(frozen=True)

    turns: tuple[Turn, ...] = ()


class Answer(BaseModel):
    """The bot's reply to one question (and optional draft), in two layers.

    ``summary`` is what a chat shows first: its first line is the verdict line, then one or two
    sentences of why, what to check, who to ask, and at most three citation numbers
    (``summary_citations``). ``answer`` is the whole text: the summary, then the fundamentos.
    ``citations`` is complete; every ``[n]`` in either layer is the citation numbered ``n``.
    """

    question: str
    draft: str | None = None
    verdict: Verdict
    answer: str
    summary: str = ""
    summary_citations: list[int] = []
    citations: list[Citation] = []
    retrieved: list[Retrieved] = []
    draft_findings: list[DraftFinding] = []
    #: What was seen in each photo sent with the question, in order.
    images: list[ImageSeen] = []
    #: For each rule that applies, the words that triggered it.
    triggers: list[Trigger] = []
    #: The language the answer's own words are written in (``es``, ``ca``, ``gl``, ``eu``, ``en``):
    #: the asker's, detected from the question; quotes from the sources stay in Spanish.
    language: str = "es"
    #: Whether the question was read as a follow-up of earlier turns (``context`` given).
    follow_up: bool = False
    timings_ms: dict[str, float] = {}
    #: Guideline rules that decided the verdict, e.g. ``["Regla 7"]`` (not part of the JSON contract).
    rules: list[str] = Field(default=[], exclude=True)
    #: The fundamentos without the list of draft findings, for adapters that show the findings
    #: in context themselves (not part of the JSON contract).
    details: str = Field(default="", exclude=True)
    #: The conversation including this turn: pass it to the next ``ask`` for a follow-up
    #: (not part of the JSON contract: it holds the person's words).
    context: Context = Field(default_factory=Context, exclude=True)

    @property
    def summary_body(self) -> str:
        """The summary without its verdict line, for renderings that show the verdict as a heading."""
        return self.summary.partition("\n")[2].strip() if self.summary else self.answer

    @property
    def summary_sources(self) -> list[Citation]:
        """The citations the summary points to, in its order."""
        by_number = {c.n: c for c in self.citations}
        return [by_number[n] for n in self.summary_citations if n in by_number]

    def to_json_dict(self) -> dict[str, Any]:
        """The public JSON contract (see the README)."""
        return self.model_dump(mode="json")
