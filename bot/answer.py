"""The answer text and its numbered citations.

Every sentence of the explanation that states something from a source ends with the number
of a citation, and every citation points to a chunk retrieved for this question. Quotes are
literal: the sentence of the chunk closest to the question, shortened at a word boundary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.decision import AppliedRule, Decision
from bot.models import QUOTE_CHARS, Chunk, Citation, DraftFinding, SourceType, Verdict, article_key
from bot.retrieval import Hit, Retrieval
from bot.signals import SignalBook, SignalHit
from bot.sources.sync import LawNames
from bot.text import tokenize, words

# Metadata lines, links and questions make poor quotes.
_NOT_QUOTABLE = re.compile(r"^\s*[-*]?\s*(Secci[óo]n original|Enlace|Fuente)\s*:|https?://|\?\s*$", re.IGNORECASE)

_INTROS = {
    Verdict.PERMITIDO: "Puedes publicarlo.",
    Verdict.CON_CAUTELAS: "Puedes publicarlo, pero con cautelas.",
    Verdict.NO_PERMITIDO: "No deberías publicarlo.",
    Verdict.INFORMATIVO: "Esto es lo que dicen las fuentes.",
    Verdict.SIN_BASE: "Las fuentes del bot no cubren esta pregunta.",
}


FINDINGS_INTRO = "En el texto que quieres publicar he encontrado:"
#: Between the summary and the fundamentos in the whole text (``Answer.answer``).
DETAILS_HEADING = "Fundamentos:"
#: The summary shows at most this many checks, trigger words and citations.
SUMMARY_CHECKS = 3
SUMMARY_TRIGGERS = 3
SUMMARY_CITATIONS = 3
_RULE_NUMBER = re.compile(r"^Regla\s+\d+\s*[.:]\s*")


@dataclass(frozen=True)
class Composed:
    """An answer in two layers, and its citations.

    ``summary`` comes first: the verdict line, one or two sentences of why (naming the words
    found), what to check, who to ask, and at most :data:`SUMMARY_CITATIONS` citation numbers
    (``summary_citations``). ``details`` (the *fundamentos*) holds every applied and related
    rule with its reasoning and the draft's findings; ``details_without_findings`` is the same
    for chat adapters that show the findings in context themselves. ``text`` is the whole
    answer: the summary, then the fundamentos. ``citations`` is complete; every number in the
    summary and in the fundamentos points into it.
    """

    text: str
    summary: str
    details: str
    details_without_findings: str
    citations: list[Citation]
    summary_citations: list[int]


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
    book: SignalBook,
    rules: Mapping[str, Chunk],
    law_names: LawNames,
    contact_unit: str,
    injection: bool,
    long_draft: bool = False,
    seen: Sequence[str] = (),
) -> Composed:
    """The answer (Spanish) in two layers, and its citations.

    ``rules``: the guideline's rule chunks by locator; ``law_names``: short names of the laws.
    The summary is written first, so its citations are numbered 1, 2, 3 and the fundamentos
    reuse those numbers for the same sources.
    """
    cites = Citations(question)
    applied = [a for a in decision.applied if a.rule.locator in rules]
    summary = _summary(decision, applied, retrieval, cites, book, rules, law_names, contact_unit, injection)
    if seen:  # what was seen in the photos, right under the verdict, so the person can check it
        summary[1:1] = [f"En la imagen{'' if len(seen) == 1 else f' {n}'}: {what}." for n, what in enumerate(seen, 1)]
    summary_citations = [c.n for c in cites.items]
    details, findings_span = _details(
        decision, applied, retrieval, findings, cites, book, rules, law_names, long_draft=long_draft
    )
    summary_text = "\n".join(summary)
    details_text = "\n".join(details)
    without = details[: findings_span[0]] + details[findings_span[1] :]
    text = f"{summary_text}\n\n{DETAILS_HEADING}\n{details_text}" if details else summary_text
    return Composed(text, summary_text, details_text, "\n".join(without), cites.items, summary_citations)


def _summary(
    decision: Decision,
    applied: Sequence[AppliedRule],
    retrieval: Retrieval,
    cites: Citations,
    book: SignalBook,
    rules: Mapping[str, Chunk],
    law_names: LawNames,
    contact_unit: str,
    injection: bool,
) -> list[str]:
    """The lines of the summary: the verdict line first, then sentences, never a citation
    beyond the deciding rule, its main article and (for information) the closest source."""
    verdict = decision.verdict
    lines = [f"{verdict.emoji} {_INTROS[verdict]}"]
    if injection:
        lines.append("He ignorado la parte del mensaje que pedía cambiar mis instrucciones.")
    if verdict is Verdict.SIN_BASE:
        lines.append(
            "Respondo sobre el uso de las redes sociales por el personal público (el EBEP y otras leyes, "
            f"la guía interna y las condiciones de uso de las redes). Para esta consulta, pregunta a {contact_unit}."
        )
        return lines
    if verdict is Verdict.INFORMATIVO:
        hits = _informative_hits(retrieval, limit=1)
        if hits:
            lines.append(f"Según {_source_label(hits[0].chunk, law_names)}: {cites.quoted(hits[0].chunk)}")
        if applied:
            locator = applied[0].rule.locator
            lines.append(
                f"Si lo que preguntas es si puedes publicarlo, mira la {locator} de la guía "
                f"[{cites.cite(rules[locator])}]."
            )
        lines.append("Tienes todas las fuentes en los fundamentos.")
        return lines

    if applied:
        top = applied[0]
        chunk = rules[top.rule.locator]
        lines.append(_why(top, book))
        lines.append(_rule_line(top, chunk, cites, book))
        if len(applied) > 1:
            others = len(applied) - 1
            lines.append(
                "También se aplica otra regla; la explico en los fundamentos."
                if others == 1
                else f"También se aplican otras {others} reglas; las explico en los fundamentos."
            )
        law = next((h.chunk for h in retrieval.hits if h.via == chunk.locator), None)
        if law is not None:
            lines.append(f"Base legal: {_brief_law_label(law, law_names)} [{cites.cite(law)}].")
        elif chunk.legal_basis:
            ref = chunk.legal_basis[0]
            lines.append(
                f"Base legal citada por la guía: {law_names.short_name(ref.source_id, ref.source_id)}, art. {ref.article}."
            )
        if (
            decision.loose_risks
            and verdict is Verdict.CON_CAUTELAS
            and all(a.verdict is Verdict.PERMITIDO for a in applied)
        ):
            lines.append(f"Pero también he visto {_found(decision.loose_risks, book)}, y eso pide cuidado.")
    elif decision.loose_risks:
        lines.append(
            f"He visto {_found(decision.loose_risks, book)}: pide cuidado aunque ninguna regla concreta de la guía lo recoja."
        )
    else:
        lines.append(
            "No he visto en tu mensaje nada que lo impida, pero la guía interna no tiene una regla para este caso: "
            "antes de publicar, repasa sus cinco preguntas rápidas."
        )

    checks = decision.checks[:SUMMARY_CHECKS] if verdict is Verdict.CON_CAUTELAS else ()
    if checks:
        lines.append("Antes de publicar, comprueba:")
        lines.extend(f"- {_sentence(check)}" for check in checks)
    if verdict in (Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO) or not applied:
        lines.append(f"¿Dudas? Consulta a {contact_unit}.")
    return lines


def _short_title(title: str) -> str:
    """A rule's title without its number, examples in brackets or the list after a colon:
    «Regla 42. Publicar datos personales de ciudadanos: DNI, …» → «Publicar datos personales de ciudadanos»."""
    title = _RULE_NUMBER.sub("", title)
    title = re.sub(r"\s*\([^)]*\)", "", title).split(":", 1)[0]
    return " ".join(title.split()).rstrip(".")


def _brief_law_label(chunk: Chunk, law_names: LawNames) -> str:
    """«LO 1/1982, art. 7.5»: the law's short name without its description, the article in figures."""
    name = re.sub(r"\s*\([^)]*\)", "", law_names.short_name(chunk.source_id, chunk.title)).strip()
    article = chunk.article
    if article is None:
        return f"{name}, {chunk.locator}"
    rest = chunk.locator.removeprefix("Artículo ").strip()[len(article) :]
    return f"{name}, art. {article_key(article)}{rest}"


def _details(
    decision: Decision,
    applied: Sequence[AppliedRule],
    retrieval: Retrieval,
    findings: list[DraftFinding],
    cites: Citations,
    book: SignalBook,
    rules: Mapping[str, Chunk],
    law_names: LawNames,
    *,
    long_draft: bool,
) -> tuple[list[str], tuple[int, int]]:
    """The lines of the fundamentos, and where the list of the draft's findings is in them."""
    verdict = decision.verdict
    lines: list[str] = []
    if verdict is Verdict.SIN_BASE:
        return lines, (0, 0)
    if verdict is Verdict.INFORMATIVO:
        for hit in _informative_hits(retrieval):
            lines.append(f"{_source_label(hit.chunk, law_names)}: {cites.quoted(hit.chunk)}")
        if applied:
            names = ", ".join(f"{a.rule.locator} [{cites.cite(rules[a.rule.locator])}]" for a in applied)
            lines.append(f"Si lo que preguntas es si puedes publicarlo, mira también: {names}.")
    elif applied:
        if decision.several:
            top = applied[0]
            lines.append(
                f"Se aplican varias reglas; prevalece la más estricta, la {top.rule.locator} "
                f"({top.verdict.value.replace('_', ' ')}), porque basta con que una regla lo impida o lo condicione."
            )
        for rule in applied:
            lines.append(_rule_sentence(rule, rules[rule.rule.locator], retrieval, cites, book, law_names))
    else:
        for hit in _informative_hits(retrieval, limit=2):
            lines.append(
                f"- Lo más cercano en las fuentes: {_source_label(hit.chunk, law_names)}: {cites.quoted(hit.chunk)}"
            )

    more_checks = decision.checks[SUMMARY_CHECKS:] if verdict is Verdict.CON_CAUTELAS else decision.checks
    if more_checks and verdict is not Verdict.INFORMATIVO:
        lines.append("Comprueba también:" if verdict is Verdict.CON_CAUTELAS else "Antes de publicar, comprueba:")
        lines.extend(f"- {_sentence(check)}" for check in more_checks)

    findings_at = len(lines)
    if findings:
        lines.append(FINDINGS_INTRO)
        triggered = {(t.start, t.end): a.rule.locator for a in applied for t in a.triggers if t.field == "borrador"}
        for finding in findings:
            locator = triggered.get((finding.start, finding.end))
            ref = f" → {locator} [{cites.cite(rules[locator])}]" if locator else ""
            lines.append(
                f"- {finding.label or finding.kind}: «{finding.text}» (posición {finding.start}–{finding.end}){ref}"
            )
    findings_end = len(lines)
    if long_draft:
        lines.append(
            "Tu borrador es muy largo: lo he revisado entero en busca de datos y marcas, pero para buscar las "
            "fuentes solo he usado su principio."
        )
    terms = _terms_hit(retrieval, exclude={c.chunk_id for c in cites.items})
    if terms is not None and verdict is not Verdict.INFORMATIVO:
        lines.append(f"Lee también la letra pequeña de {_network_name(terms.chunk)}: {cites.quoted(terms.chunk)}")
    related = [loc for loc in decision.related if loc in rules]
    if related and verdict is not Verdict.INFORMATIVO:
        names = ", ".join(f"{loc} [{cites.cite(rules[loc])}]" for loc in related)
        lines.append(f"Relacionadas, sin aplicarse a tu caso: {names}.")
    return lines, (findings_at, findings_end)


def _why(rule: AppliedRule, book: SignalBook) -> str:
    """The words found that made ``rule`` apply, as a sentence (at most three of them):
    «He visto «foto» (foto o vídeo). En tu borrador hay: DNI (datos personales).»"""
    where = {"conversacion": " en lo que dijiste antes", "imagen": " en la imagen"}
    said: list[str] = []
    drafted: list[str] = []
    for hit in rule.triggers:
        label = book.label(hit.signal)
        if hit.field == "borrador":
            detector = hit.via.label if hit.via else ""
            part = f"{detector} ({label})" if detector else f"«{' '.join(hit.text.split())}» ({label})"
            if part not in drafted:
                drafted.append(part)
        else:
            part = f"«{' '.join(hit.text.split())}»{where.get(hit.field, '')} ({label})"
            if part not in said:
                said.append(part)
    said, drafted = said[:SUMMARY_TRIGGERS], drafted[: max(SUMMARY_TRIGGERS - len(said), 1)]
    sentences = []
    if said:
        sentences.append(f"He visto {_and(said)}.")
    if drafted:
        sentences.append(f"En tu borrador hay: {_and(drafted)}.")
    return " ".join(sentences) or "Lo que describes encaja con una regla de la guía."


def _rule_line(rule: AppliedRule, chunk: Chunk, cites: Citations, book: SignalBook) -> str:
    """«La Regla 42 de la guía, "Publicar datos personales…", no lo permite [1].»"""
    n = cites.cite(chunk)
    title = _short_title(rule.rule.title)
    effect = {
        Verdict.NO_PERMITIDO: "no lo permite",
        Verdict.CON_CAUTELAS: "lo permite con cautelas",
        Verdict.PERMITIDO: "lo permite",
    }[rule.verdict]
    line = f"La {chunk.locator} de la guía, «{title}», {effect} [{n}]."
    if rule.lifted:
        lifters = _and([f"«{h.text}» ({book.label(h.signal)})" for h in rule.lifted_by])
        line += f" Cuenta así porque has dicho {lifters}: confírmalo antes de publicar."
    return line


def _found(hits: Sequence[SignalHit], book: SignalBook) -> str:
    return _and([f"«{h.text}» ({book.label(h.signal)})" for h in hits[:SUMMARY_TRIGGERS]])


def _and(parts: Sequence[str]) -> str:
    """``a``, ``a y b``, ``a, b y c``."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} y {parts[-1]}"


def _sentence(text: str) -> str:
    """``text`` as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?»)" else f"{text}."


def evidence(rule: AppliedRule, book: SignalBook) -> str:
    """«con su nombre y apellidos» → persona identificable; for a draft, what kind of data it holds
    (the draft's findings quote it, with its position, right below)."""
    where = {"conversacion": " (en lo que dijiste antes)", "imagen": " (en la imagen)"}
    parts = []
    for hit in rule.triggers:
        label = book.label(hit.signal)
        if hit.field == "borrador":
            found = hit.via.label if hit.via else ""
            parts.append(f"tu borrador tiene {found or 'algo de ' + label} → {label}")
        else:
            parts.append(f"«{hit.text}»{where.get(hit.field, '')} → {label}")
    return "; ".join(parts)


def _rule_sentence(
    rule: AppliedRule,
    chunk: Chunk,
    retrieval: Retrieval,
    cites: Citations,
    book: SignalBook,
    law_names: LawNames,
) -> str:
    n = cites.cite(chunk)
    title = chunk.heading.rsplit(" · ", 1)[-1]
    verdict = rule.rule.verdict.value.replace("_", " ")
    sentence = f"{evidence(rule, book)} → {title} ({verdict}) [{n}]. {rule_reason(chunk.text)}"
    if rule.lifted:
        lifters = "; ".join(f"«{h.text}» ({book.label(h.signal)})" for h in rule.lifted_by)
        sentence += (
            f" Pero {lifters} cambia la situación: cuenta como {rule.verdict.value.replace('_', ' ')} si lo confirmas."
        )
    laws = [h.chunk for h in retrieval.hits if h.via == chunk.locator]
    if laws:
        basis = "; ".join(f"{_law_label(law, law_names)} [{cites.cite(law)}]" for law in laws)
        sentence += f" Base legal: {basis}."
    elif chunk.legal_basis:
        refs = "; ".join(
            f"{law_names.short_name(r.source_id, r.source_id)}, art. {r.article}" for r in chunk.legal_basis
        )
        sentence += f" Base legal citada por la guía: {refs}."
    return sentence


def rule_reason(text: str, sentences: int = 2) -> str:
    """The first sentences of a rule's «Por qué» paragraph (or of its text)."""
    match = re.search(r"Por qu[ée]\.?\s*(.+?)(?:\n\s*\n|Ejemplos\.|$)", text, re.DOTALL)
    body = match.group(1) if match else text.split("\n", 1)[-1]
    parts = re.split(r"(?<=[.!?])\s+", " ".join(body.split()))
    return " ".join(parts[:sentences]).strip()


def _best_sentence(chunk: Chunk, wanted: set[str]) -> str:
    """The sentence of the chunk that shares most words (``wanted`` tokens) with the question, literally."""
    candidates = _quotable(chunk.text)
    # Most shared words; the first such sentence on a tie.
    _, (best, _) = max(enumerate(candidates), key=lambda pair: (len(wanted & pair[1][1]), -pair[0]))
    best = best.lstrip("-*✅❌⚠️ ").strip()
    if len(best) <= QUOTE_CHARS:
        return best
    cut = best[:QUOTE_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


@lru_cache(maxsize=8192)
def _quotable(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """A chunk's quotable sentences with their tokens (sources don't change between questions)."""
    lines = text.split("\n")
    body = "\n".join(lines[1:]) if len(lines) > 1 else text
    candidates = [
        s.strip() for s in re.split(r"(?<=[.;:!?])\s+|\n+", body) if len(s.strip()) > 25 and not _NOT_QUOTABLE.search(s)
    ] or [text.strip()]
    return tuple((c, frozenset(tokenize(c))) for c in candidates)


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


def _source_label(chunk: Chunk, law_names: LawNames) -> str:
    if chunk.tipo is SourceType.LEY:
        return _law_label(chunk, law_names)
    return f"{chunk.title}, {chunk.locator}"


def _law_label(chunk: Chunk, law_names: LawNames) -> str:
    name = law_names.short_name(chunk.source_id, chunk.title)
    return f"{name}, {chunk.locator.lower() if chunk.locator.startswith('Artículo') else chunk.locator}"
