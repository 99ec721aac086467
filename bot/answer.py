"""The answer text and its numbered citations, in the asker's language.

Every sentence of the explanation that states something from a source ends with the number
of a citation, and every citation points to a chunk retrieved for this question. Quotes are
literal: the sentence of the chunk closest to the question, shortened at a word boundary.

The frame of the answer (the verdict line, the sentences the bot writes, who to ask) comes
from ``bot/locales/<language>.yaml`` (:mod:`bot.templates`); what it quotes from the sources
(laws, the guideline's rules and checks, terms of use) stays in Spanish, and an answer in
another language says so once, at the end of its summary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.decision import MANIPULATION_CHECK, AppliedRule, Decision
from bot.language import Language
from bot.models import QUOTE_CHARS, Chunk, Citation, Detector, DraftFinding, SourceType, Verdict, article_key
from bot.retrieval import Hit, Retrieval
from bot.signals import SignalBook, SignalHit
from bot.sources.sync import LawNames
from bot.templates import Templates, templates
from bot.text import tokenize, words

# Metadata lines, links and questions make poor quotes.
_NOT_QUOTABLE = re.compile(r"^\s*[-*]?\s*(Secci[óo]n original|Enlace|Fuente)\s*:|https?://|\?\s*$", re.IGNORECASE)

_SPANISH = templates(Language.ES)
#: Between the summary and the fundamentos in the whole text (``Answer.answer``), in Spanish.
DETAILS_HEADING = _SPANISH("details.heading")
FINDINGS_INTRO = _SPANISH("details.findings")
#: The summary shows at most this many checks, trigger words and citations.
SUMMARY_CHECKS = 3
SUMMARY_TRIGGERS = 3
SUMMARY_CITATIONS = 3
_RULE_NUMBER = re.compile(r"^Regla\s+\d+\s*[.:]\s*")
_RULE_LOCATOR = re.compile(r"^Regla\s+(\S+)$")
# The Spanish article of the contact unit («la Unidad de…»), said in the answer's language.
_CONTACT_ARTICLE = re.compile(r"^(la|el|los|las)\s+(.+)$", re.DOTALL)


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


@dataclass(frozen=True)
class Frame:
    """What writes the answer's own words in one language: its templates and the signals' labels."""

    t: Templates
    book: SignalBook

    @property
    def language(self) -> Language:
        return self.t.language

    def label(self, signal_id: str) -> str:
        """A signal's name in this language (Spanish when ``senales.yaml`` has none for it)."""
        return self.book.label(signal_id, self.language)

    def detector(self, detector: Detector) -> str:
        return self.t(f"detector.{detector.value}")

    def finding(self, finding: DraftFinding) -> str:
        if self.language is Language.ES or not finding.label:
            return finding.label or finding.kind
        if finding.detector is not None:
            return self.detector(finding.detector)
        return self.label(finding.kind) if self.book.get(finding.kind) else finding.label

    def verdict(self, verdict: Verdict) -> str:
        return self.t(f"verdict_name.{verdict.value}")

    def rule_ref(self, locator: str, n: int) -> str:
        """«Regla 4 [1]», «Rule 4 [1]», «4. araua [1]»."""
        return self.t("rule.ref", number=rule_number(locator), n=n)

    def check(self, check: str) -> str:
        """A check as a sentence; the bot's own check in this language, the sources' as written."""
        return _sentence(self.t("check.manipulation") if check == MANIPULATION_CHECK else check)

    def contact(self, unit: str) -> str:
        """The contact unit, with its Spanish article («la Unidad…») said in this language."""
        match = _CONTACT_ARTICLE.match(unit)
        if match is None or self.language is Language.ES:
            return unit
        article = self.t(f"contact_article.{match.group(1)}")
        return f"{article} {match.group(2)}" if article else match.group(2)

    def and_(self, parts: Sequence[str]) -> str:
        """``a``, ``a y b``, ``a, b y c``."""
        if len(parts) < 2:
            return "".join(parts)
        return self.t("list.and", rest=", ".join(parts[:-1]), last=parts[-1])

    def or_(self, parts: Sequence[str]) -> str:
        """``a``, ``a o b``, ``a, b o c``."""
        if len(parts) < 2:
            return "".join(parts)
        return self.t("list.or", rest=", ".join(parts[:-1]), last=parts[-1])


def frame(book: SignalBook, language: str = Language.ES) -> Frame:
    """The :class:`Frame` of ``language`` (Spanish for an unknown code)."""
    return Frame(templates(language), book)


def rule_number(locator: str) -> str:
    """«Regla 42» → «42» (rule locators are always «Regla N»; anything else is kept whole)."""
    match = _RULE_LOCATOR.match(locator)
    return match.group(1) if match else locator


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
    language: str = Language.ES,
) -> Composed:
    """The answer in two layers, and its citations, its frame written in ``language``.

    ``rules``: the guideline's rule chunks by locator; ``law_names``: short names of the laws;
    ``seen``: what was seen in each photo, already in ``language``. The summary is written
    first, so its citations are numbered 1, 2, 3 and the fundamentos reuse those numbers for
    the same sources.
    """
    w = frame(book, language)
    cites = Citations(question)
    applied = [a for a in decision.applied if a.rule.locator in rules]
    summary = _summary(decision, applied, retrieval, cites, w, rules, law_names, contact_unit, injection)
    if seen:  # what was seen in the photos, right under the verdict, so the person can check it
        summary[1:1] = [
            w.t("summary.image", what=what) if len(seen) == 1 else w.t("summary.image_numbered", n=n, what=what)
            for n, what in enumerate(seen, 1)
        ]
    summary_citations = [c.n for c in cites.items]
    details, findings_span = _details(
        decision, applied, retrieval, findings, cites, w, rules, law_names, long_draft=long_draft
    )
    note = w.t("summary.quotes_note")
    if note and (cites.items or decision.checks):  # Spanish words in a frame of another language
        summary.append(note)
    summary_text = "\n".join(summary)
    details_text = "\n".join(details)
    without = details[: findings_span[0]] + details[findings_span[1] :]
    heading = w.t("details.heading")
    text = f"{summary_text}\n\n{heading}\n{details_text}" if details else summary_text
    return Composed(text, summary_text, details_text, "\n".join(without), cites.items, summary_citations)


def _summary(
    decision: Decision,
    applied: Sequence[AppliedRule],
    retrieval: Retrieval,
    cites: Citations,
    w: Frame,
    rules: Mapping[str, Chunk],
    law_names: LawNames,
    contact_unit: str,
    injection: bool,
) -> list[str]:
    """The lines of the summary: the verdict line first, then sentences, never a citation
    beyond the deciding rule, its main article and (for information) the closest source."""
    t = w.t
    verdict = decision.verdict
    lines = [f"{verdict.emoji} {t(f'intro.{verdict.value}')}"]
    if injection:
        lines.append(t("summary.injection"))
    if decision.reread is not None:
        lines.append(t("summary.doubt_query" if decision.reread == "consulta" else "summary.doubt_verdict"))
    doubt = decision.doubt
    if doubt is not None and doubt.toward in ("riesgo", "prohibido"):
        quoted = w.and_([f"«{word}»" for word in doubt.words])
        key = "summary.doubt_risk" if doubt.toward == "riesgo" else "summary.doubt_prohibited"
        lines.append(t(key, words=t("summary.doubt_words", words=quoted) if quoted else ""))
    elif doubt is not None and doubt.toward == "inocuo":  # the rule and the words that made it apply follow
        lines.append(t("summary.doubt_safe"))
    elif doubt is not None:
        # A caution with nothing behind it (no rule took the message, no risk was seen) is the
        # guideline's silence, not something seen that calls for care.
        seen = applied or decision.loose_risks
        lines.append(t("summary.doubt_sure" if seen else "summary.doubt_sure_nothing"))
    if verdict is Verdict.SIN_BASE:
        lines.append(t("summary.out_of_scope", contact=w.contact(contact_unit)))
        return lines
    if verdict is Verdict.INFORMATIVO:
        hits = _informative_hits(retrieval, limit=1)
        if hits:
            lines.append(
                t(
                    "summary.according_to",
                    source=_source_label(hits[0].chunk, law_names),
                    quote=cites.quoted(hits[0].chunk),
                )
            )
        if applied:
            locator = applied[0].rule.locator
            lines.append(t("summary.see_rule", number=rule_number(locator), n=cites.cite(rules[locator])))
        lines.append(t("summary.all_sources"))
        return lines

    if applied:
        top = applied[0]
        chunk = rules[top.rule.locator]
        lines.append(_why(top, w))
        lines.append(_rule_line(top, chunk, cites, w))
        if len(applied) > 1:
            others = len(applied) - 1
            lines.append(t("summary.one_more_rule") if others == 1 else t("summary.more_rules", count=others))
        law = next((h.chunk for h in retrieval.hits if h.via == chunk.locator), None)
        if law is not None:
            lines.append(t("details.legal_basis", basis=f"{_brief_law_label(law, law_names)} [{cites.cite(law)}]"))
        elif chunk.legal_basis:
            ref = chunk.legal_basis[0]
            refs = f"{law_names.short_name(ref.source_id, ref.source_id)}, art. {ref.article}"
            lines.append(t("details.legal_basis_cited", refs=refs))
        if (
            decision.loose_risks
            and verdict is Verdict.CON_CAUTELAS
            and all(a.verdict is Verdict.PERMITIDO for a in applied)
        ):
            lines.append(t("summary.also_seen", found=_found(decision.loose_risks, w)))
    elif decision.loose_risks:
        lines.append(t("summary.loose_risks", found=_found(decision.loose_risks, w)))
    elif decision.doubt is None:
        lines.append(t("summary.no_rule"))

    # A caution the second opinion turned into «sí» keeps what the rules asked to check.
    cautious = verdict is Verdict.CON_CAUTELAS or (doubt is not None and doubt.toward == "seguro")
    checks = decision.checks[:SUMMARY_CHECKS] if cautious else ()
    if checks:
        lines.append(t("summary.check_first"))
        lines.extend(f"- {w.check(check)}" for check in checks)
    if verdict in (Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO) or not applied:
        lines.append(t("summary.ask_unit", contact=w.contact(contact_unit)))
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
    w: Frame,
    rules: Mapping[str, Chunk],
    law_names: LawNames,
    *,
    long_draft: bool,
) -> tuple[list[str], tuple[int, int]]:
    """The lines of the fundamentos, and where the list of the draft's findings is in them."""
    t = w.t
    verdict = decision.verdict
    lines: list[str] = []
    if verdict is Verdict.SIN_BASE:
        return lines, (0, 0)
    if verdict is Verdict.INFORMATIVO:
        for hit in _informative_hits(retrieval):
            lines.append(f"{_source_label(hit.chunk, law_names)}: {cites.quoted(hit.chunk)}")
        if applied:
            names = ", ".join(w.rule_ref(a.rule.locator, cites.cite(rules[a.rule.locator])) for a in applied)
            lines.append(t("details.see_also", names=names))
    elif applied:
        if decision.several:
            top = applied[0]
            lines.append(t("details.several", number=rule_number(top.rule.locator), verdict=w.verdict(top.verdict)))
        for rule in applied:
            lines.append(_rule_sentence(rule, rules[rule.rule.locator], retrieval, cites, w, law_names))
    else:
        for hit in _informative_hits(retrieval, limit=2):
            lines.append(
                t("details.closest", source=_source_label(hit.chunk, law_names), quote=cites.quoted(hit.chunk))
            )

    more_checks = decision.checks[SUMMARY_CHECKS:] if verdict is Verdict.CON_CAUTELAS else decision.checks
    if more_checks and verdict is not Verdict.INFORMATIVO:
        lines.append(t("details.check_also") if verdict is Verdict.CON_CAUTELAS else t("summary.check_first"))
        lines.extend(f"- {w.check(check)}" for check in more_checks)

    findings_at = len(lines)
    if findings:
        lines.append(t("details.findings"))
        triggered = {(h.start, h.end): a.rule.locator for a in applied for h in a.triggers if h.field == "borrador"}
        for finding in findings:
            locator = triggered.get((finding.start, finding.end))
            ref = f" → {w.rule_ref(locator, cites.cite(rules[locator]))}" if locator else ""
            lines.append(
                t(
                    "details.finding",
                    label=w.finding(finding),
                    text=finding.text,
                    start=finding.start,
                    end=finding.end,
                    ref=ref,
                )
            )
    findings_end = len(lines)
    if long_draft:
        lines.append(t("details.long_draft"))
    terms = _terms_hit(retrieval, exclude={c.chunk_id for c in cites.items})
    if terms is not None and verdict is not Verdict.INFORMATIVO:
        lines.append(t("details.terms", network=_network_name(terms.chunk), quote=cites.quoted(terms.chunk)))
    related = [loc for loc in decision.related if loc in rules]
    if related and verdict is not Verdict.INFORMATIVO:
        names = ", ".join(w.rule_ref(loc, cites.cite(rules[loc])) for loc in related)
        lines.append(t("details.related", names=names))
    return lines, (findings_at, findings_end)


def _why(rule: AppliedRule, w: Frame) -> str:
    """The words found that made ``rule`` apply, as a sentence (at most three of them):
    «He visto «foto» (foto o vídeo). En tu borrador hay: DNI (datos personales).»"""
    where = {"conversacion": w.t("why.in_conversation"), "imagen": w.t("why.in_image")}
    said: list[str] = []
    drafted: list[str] = []
    # The same words found for two signals («3 caras»: a photo, and people in it) are said once.
    labels: dict[tuple[str, str], list[str]] = {}
    for hit in rule.triggers:
        labels.setdefault((hit.field, " ".join(hit.text.split())), []).append(w.label(hit.signal))
    for hit in rule.triggers:
        words = " ".join(hit.text.split())
        label = "; ".join(dict.fromkeys(labels[(hit.field, words)]))
        if hit.field == "borrador":
            detector = w.detector(hit.via) if hit.via else ""
            part = f"{detector} ({w.label(hit.signal)})" if detector else f"«{words}» ({label})"
            if part not in drafted:
                drafted.append(part)
        else:
            part = f"«{words}»{where.get(hit.field, '')} ({label})"
            if part not in said:
                said.append(part)
    said, drafted = said[:SUMMARY_TRIGGERS], drafted[: max(SUMMARY_TRIGGERS - len(said), 1)]
    sentences = []
    if said:
        sentences.append(w.t("why.seen", words=w.and_(said)))
    if drafted:
        sentences.append(w.t("why.drafted", items=w.and_(drafted)))
    return " ".join(sentences) or w.t("why.fits")


def _rule_line(rule: AppliedRule, chunk: Chunk, cites: Citations, w: Frame) -> str:
    """«La Regla 42 de la guía, "Publicar datos personales…", no lo permite [1].»"""
    n = cites.cite(chunk)
    title = _short_title(rule.rule.title)
    effect = w.t(f"rule_line.{rule.verdict.value}")
    line = w.t("rule_line.sentence", number=rule_number(chunk.locator), title=title, effect=effect, n=n)
    if rule.lifted:
        lifters = w.and_([f"«{h.text}» ({w.label(h.signal)})" for h in rule.lifted_by])
        line += w.t(_lifted_key("rule_line", rule), lifters=lifters)
    if rule.needs:
        line += w.t("rule_line.needs", needs=w.or_([w.label(s) for s in rule.needs]))
    return line


def _lifted_key(section: str, rule: AppliedRule) -> str:
    """«Cuenta así porque has dicho…», or, when every lift was said in doubt («no sé si todas las
    familias firmaron»), «…pero has dicho que no estás seguro: compruébalo»."""
    return f"{section}.lifted_doubted" if all(h.doubted for h in rule.lifted_by) else f"{section}.lifted"


def _found(hits: Sequence[SignalHit], w: Frame) -> str:
    return w.and_([f"«{h.text}» ({w.label(h.signal)})" for h in hits[:SUMMARY_TRIGGERS]])


def _sentence(text: str) -> str:
    """``text`` as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?»)" else f"{text}."


def evidence(rule: AppliedRule, book: SignalBook, language: str = Language.ES) -> str:
    """«con su nombre y apellidos» → persona identificable; for a draft, what kind of data it holds
    (the draft's findings quote it, with its position, right below)."""
    w = frame(book, language)
    where = {"conversacion": w.t("evidence.in_conversation"), "imagen": w.t("evidence.in_image")}
    parts = []
    for hit in rule.triggers:
        label = w.label(hit.signal)
        if hit.field == "borrador":
            found = w.detector(hit.via) if hit.via else ""
            parts.append(
                w.t("evidence.draft_has", found=found, label=label)
                if found
                else w.t("evidence.draft_some", label=label)
            )
        else:
            parts.append(f"«{hit.text}»{where.get(hit.field, '')} → {label}")
    return "; ".join(parts)


def _rule_sentence(
    rule: AppliedRule,
    chunk: Chunk,
    retrieval: Retrieval,
    cites: Citations,
    w: Frame,
    law_names: LawNames,
) -> str:
    n = cites.cite(chunk)
    title = chunk.heading.rsplit(" · ", 1)[-1]
    verdict = w.verdict(rule.rule.verdict)
    sentence = f"{evidence(rule, w.book, w.language)} → {title} ({verdict}) [{n}]. {rule_reason(chunk.text)}"
    if rule.lifted:
        lifters = "; ".join(f"«{h.text}» ({w.label(h.signal)})" for h in rule.lifted_by)
        sentence += w.t(_lifted_key("details", rule), lifters=lifters, verdict=w.verdict(rule.verdict))
    if rule.needs:
        needs = w.or_([w.label(s) for s in rule.needs])
        sentence += w.t("details.needs", needs=needs, verdict=w.verdict(rule.verdict))
    laws = [h.chunk for h in retrieval.hits if h.via == chunk.locator]
    if laws:
        basis = "; ".join(f"{_law_label(law, law_names)} [{cites.cite(law)}]" for law in laws)
        sentence += " " + w.t("details.legal_basis", basis=basis)
    elif chunk.legal_basis:
        refs = "; ".join(
            f"{law_names.short_name(r.source_id, r.source_id)}, art. {r.article}" for r in chunk.legal_basis
        )
        sentence += " " + w.t("details.legal_basis_cited", refs=refs)
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
