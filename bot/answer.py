"""The answer text and its numbered citations.

Every sentence of the explanation that states something from a source ends with the number
of a citation, and every citation points to a chunk retrieved for this question. Quotes are
literal: the sentence of the chunk closest to the question, shortened at a word boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.draft import KIND_LABELS
from bot.models import Chunk, Citation, DraftFinding, SourceType, Verdict
from bot.retrieval import Hit, Retrieval
from bot.text import tokenize, words
from bot.verdict import Decision

QUOTE_CHARS = 220
# Metadata lines, links and questions make poor quotes.
_NOT_QUOTABLE = re.compile(r"^\s*[-*]?\s*(Secci[óo]n original|Enlace|Fuente)\s*:|https?://|\?\s*$", re.IGNORECASE)

_INTROS = {
    Verdict.PERMITIDO: "Puedes publicarlo.",
    Verdict.CON_CAUTELAS: "Puedes publicarlo, pero con cautelas.",
    Verdict.NO_PERMITIDO: "No deberías publicarlo.",
    Verdict.INFORMATIVO: "Esto es lo que dicen las fuentes.",
    Verdict.SIN_BASE: "Las fuentes del bot no cubren esta pregunta.",
}
_SHORT_LAW_NAMES = {
    "BOE-A-2015-11719": "EBEP",
    "BOE-A-1985-151": "Ley 53/1984 de incompatibilidades",
    "BOE-A-1982-11196": "LO 1/1982 (honor, intimidad y propia imagen)",
    "BOE-A-2018-16673": "LO 3/2018 de protección de datos",
    "BOE-A-2013-12887": "Ley 19/2013 de transparencia",
}


FINDINGS_INTRO = "En el texto que quieres publicar he encontrado:"


@dataclass(frozen=True)
class Composed:
    """The answer text; the same without the list of draft findings (for chat adapters that
    show the findings in context themselves); and the citations."""

    text: str
    explanation: str
    citations: list[Citation]


@dataclass
class Citations:
    """Numbers citations in order of first use; one number (and one quote) per chunk."""

    question: str
    items: list[Citation] = field(default_factory=list)
    _by_chunk: dict[str, Citation] = field(default_factory=dict)
    _wanted: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self._wanted = set(tokenize(self.question))

    def cite(self, chunk: Chunk) -> int:
        return self._citation(chunk).n

    def quoted(self, chunk: Chunk) -> str:
        """``«quote» [n]`` for ``chunk``."""
        citation = self._citation(chunk)
        return f"«{citation.quote}» [{citation.n}]"

    def _citation(self, chunk: Chunk) -> Citation:
        if chunk.id not in self._by_chunk:
            citation = Citation(
                n=len(self.items) + 1,
                source_id=chunk.source_id,
                tipo=chunk.tipo,
                network=chunk.network,
                title=chunk.title,
                locator=chunk.locator,
                url=chunk.url,
                quote=_best_sentence(chunk, self._wanted),
                version=chunk.version,
                chunk_id=chunk.id,
            )
            self._by_chunk[chunk.id] = citation
            self.items.append(citation)
        return self._by_chunk[chunk.id]


def compose(
    question: str,
    decision: Decision,
    retrieval: Retrieval,
    findings: list[DraftFinding],
    *,
    contact_unit: str,
    injection: bool,
    mentioned: list[DraftFinding] | None = None,
) -> Composed:
    """The answer text (Spanish) and its citations. ``mentioned``: findings in the question."""
    cites = Citations(question)
    lines: list[str] = []
    if injection:
        lines.append(
            "He ignorado la parte del mensaje que pedía cambiar mis instrucciones: "
            "solo respondo con lo que dicen las fuentes."
        )
    verdict = decision.verdict
    if verdict is Verdict.SIN_BASE:
        lines.append(
            f"{_INTROS[verdict]} Respondo sobre el uso de las redes sociales por el personal público "
            "(EBEP y otras leyes, la guía interna y las condiciones de uso de las redes). "
            f"Para esta consulta, pregunta a {contact_unit}."
        )
        return Composed("\n".join(lines), "\n".join(lines), cites.items)

    lines.append(_INTROS[verdict])
    if decision.applied:
        if decision.several:
            top = decision.applied[0].chunk
            lines.append(
                f"Se aplican varias reglas con veredictos distintos; prevalece la más estricta, "
                f"la {top.locator} ({top.rule_verdict.value.replace('_', ' ') if top.rule_verdict else ''}), "
                "porque basta con que una regla lo impida o lo condicione."
            )
        for hit in decision.applied:
            lines.append(_rule_sentence(hit, retrieval, cites, decision))
    elif verdict is Verdict.INFORMATIVO:
        for hit in _informative_hits(retrieval):
            lines.append(f"{_source_label(hit.chunk)}: {cites.quoted(hit.chunk)}")
    else:
        lines.append(
            "La guía interna no tiene una regla específica para este caso; esto es lo más cercano en las fuentes:"
        )
        for hit in _informative_hits(retrieval, limit=2):
            lines.append(f"- {_source_label(hit.chunk)}: {cites.quoted(hit.chunk)}")

    by_rule = {id(f): loc for loc, fs in decision.triggered_by.items() for f in fs}
    applied = {h.chunk.locator: h.chunk for h in decision.applied}

    def rule_ref(finding: DraftFinding) -> str:
        rule = by_rule.get(id(finding))
        return f" → {rule} [{cites.cite(applied[rule])}]" if rule in applied else ""

    findings_at = len(lines)
    if findings:
        lines.append(FINDINGS_INTRO)
        for finding in findings:
            label = KIND_LABELS.get(finding.kind, finding.kind)
            lines.append(f"- {label}: «{finding.text}» (posición {finding.start}–{finding.end}){rule_ref(finding)}")
    findings_end = len(lines)
    for finding in mentioned or []:
        lines.append(
            f"Tu pregunta menciona «{finding.text}» ({KIND_LABELS.get(finding.kind, finding.kind)}){rule_ref(finding)}."
        )

    terms = _terms_hit(retrieval, exclude={c.chunk_id for c in cites.items})
    if terms is not None and verdict is not Verdict.INFORMATIVO:
        lines.append(f"Lee también la letra pequeña de {_network_name(terms.chunk)}: {cites.quoted(terms.chunk)}")
    if decision.related and verdict is not Verdict.INFORMATIVO:
        names = ", ".join(f"{h.chunk.locator} [{cites.cite(h.chunk)}]" for h in decision.related[:2])
        lines.append(f"Relacionadas: {names}.")
    if verdict in (Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO) or not decision.applied:
        lines.append(f"Si tienes dudas, consulta a {contact_unit}.")
    return Composed("\n".join(lines), "\n".join(lines[:findings_at] + lines[findings_end:]), cites.items)


def _rule_sentence(hit: Hit, retrieval: Retrieval, cites: Citations, decision: Decision) -> str:
    chunk = hit.chunk
    n = cites.cite(chunk)
    title = chunk.heading.rsplit(" · ", 1)[-1]
    verdict = chunk.rule_verdict.value.replace("_", " ") if chunk.rule_verdict else ""
    reason = rule_reason(chunk.text)
    why = "porque tu borrador lo activa" if chunk.locator in decision.triggered_by else ""
    sentence = f"Se aplica la {title} ({verdict}{', ' + why if why else ''}): {reason} [{n}]"
    laws = [h.chunk for h in retrieval.hits if h.via == chunk.locator]
    if laws:
        basis = "; ".join(f"{_law_label(law)} [{cites.cite(law)}]" for law in laws)
        sentence += f" Base legal: {basis}."
    elif chunk.legal_basis:
        sentence += f" Base legal citada por la guía: {'; '.join(_ref_label(r.source_id, r.article) for r in chunk.legal_basis)}."
    return sentence


def rule_reason(text: str, sentences: int = 2) -> str:
    """The first sentences of a rule's «Por qué» paragraph (or of its text)."""
    match = re.search(r"Por qu[ée]\.?\s*(.+?)(?:\n\s*\n|Ejemplos\.|$)", text, re.DOTALL)
    body = match.group(1) if match else text.split("\n", 1)[-1]
    parts = re.split(r"(?<=[.!?])\s+", " ".join(body.split()))
    return " ".join(parts[:sentences]).strip()


def _best_sentence(chunk: Chunk, wanted: set[str]) -> str:
    """The sentence of the chunk that shares most words (``wanted`` tokens) with the question, literally."""
    lines = chunk.text.split("\n")
    body = "\n".join(lines[1:]) if len(lines) > 1 else chunk.text
    candidates = [
        s.strip() for s in re.split(r"(?<=[.;:!?])\s+|\n+", body) if len(s.strip()) > 25 and not _NOT_QUOTABLE.search(s)
    ] or [chunk.text.strip()]
    # Most shared words; the first such sentence on a tie.
    _, best = max(enumerate(candidates), key=lambda pair: (len(wanted & set(tokenize(pair[1]))), -pair[0]))
    best = best.lstrip("-*✅❌⚠️ ").strip()
    if len(best) <= QUOTE_CHARS:
        return best
    cut = best[:QUOTE_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


def _informative_hits(retrieval: Retrieval, limit: int = 3) -> list[Hit]:
    return retrieval.hits[:limit]


def _terms_hit(retrieval: Retrieval, exclude: set[str]) -> Hit | None:
    """A terms-of-use chunk of a network the question names (as a word, glossary included)."""
    named = set(words(retrieval.expanded))
    for hit in retrieval.hits[:6]:
        chunk = hit.chunk
        if chunk.tipo is SourceType.CONDICIONES and chunk.id not in exclude and chunk.network in named:
            return hit
    return None


def _network_name(chunk: Chunk) -> str:
    names = {"x": "X (Twitter)", "linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube"}
    return names.get(chunk.network or "", (chunk.network or chunk.title).capitalize())


def _source_label(chunk: Chunk) -> str:
    if chunk.tipo is SourceType.LEY:
        return _law_label(chunk)
    return f"{chunk.title}, {chunk.locator}"


def _law_label(chunk: Chunk) -> str:
    name = _SHORT_LAW_NAMES.get(chunk.source_id, chunk.title)
    return f"{name}, {chunk.locator.lower() if chunk.locator.startswith('Artículo') else chunk.locator}"


def _ref_label(source_id: str, article: str) -> str:
    return f"{_SHORT_LAW_NAMES.get(source_id, source_id)}, art. {article}"
