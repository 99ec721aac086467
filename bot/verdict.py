"""Which guideline rules apply to a question, and the verdict that follows from them.

The verdict never comes from keywords alone: it is the verdict a guideline rule states. When
several rules apply with strong support, the strictest one wins. Out-of-scope questions get
``sin_base``; questions of fact (``¿qué licencia le doy a LinkedIn?``) get ``informativo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.models import Chunk, DraftFinding, Verdict
from bot.retrieval import Hit, Retrieval
from bot.text import fold

#: A rule applies when its score is at least this share of the best rule's score...
RULE_SUPPORT = 0.80
#: ...and only the first rules of the ranking are considered.
RULE_WINDOW = 4
#: Below these, a question is out of the sources' scope (chosen on the evaluation set).
MIN_COVERAGE = 0.55
MIN_COVERAGE_STRONG_MATCH = 0.35

# Asking for permission, anywhere in the question.
_PERMISSION = re.compile(
    r"\b(puedo|podria|podemos|se puede|puede un|pueden los|debo|deberia|esta permitido|permitido|"
    r"prohibido|me dejan|es legal|acepto|aceptar|esta bien|es correcto|hay (?:algun )?problema|"
    r"pasa algo|que pasa si|que me puede pasar|me pueden sancionar|es falta|vale si|tengo que|"
    r"es compatible|puc|podo|pot|can i|may i|am i allowed|is it ok|should i|allowed)\b"
)
_QUESTION_OF_FACT = re.compile(
    r"^\W*(que|cual|cuales|como|quien|quienes|donde|cuando|cuanto|cuantos|cuantas|what|which|how|who|"
    r"explicame|dime|resume|resumen|en que|a quien|de quien|quina|quin|quins)\b"
)
_INJECTION = re.compile(
    r"(ignora|olvida|olvidate de|salta(?:te)?|desactiva|omite)\s+(?:\w+\s+){0,3}"
    r"(instrucciones|reglas|normas|restricciones|fuentes|guia|prompt|directrices)"
    r"|ignore\s+(?:\w+\s+){0,3}(instructions|rules|prompt)"
    r"|a partir de ahora (?:eres|responde|di|actua)|actua como|you are now|modo (?:desarrollador|dios|dan)"
    r"|jailbreak|system prompt|prompt del sistema|responde (?:siempre )?(?:que )?(?:si|permitido)"
    r"|di(?:me)? (?:siempre )?que (?:si|esta permitido|puedo)|contesta (?:siempre )?(?:que )?si\b"
    r"|finge que|haz como si|sin restricciones|eres un (?:abogado|asistente) sin",
)


@dataclass
class Decision:
    """The verdict and the rules behind it."""

    verdict: Verdict
    #: Rules that decided the verdict (strictest first), each with why it applies.
    applied: list[Hit] = field(default_factory=list)
    #: Rules that were close but did not decide.
    related: list[Hit] = field(default_factory=list)
    #: Rule locator → draft findings that triggered it.
    triggered_by: dict[str, list[DraftFinding]] = field(default_factory=dict)
    in_scope: bool = True
    question_of_fact: bool = False
    several: bool = False


def strip_injection(question: str) -> tuple[str, bool]:
    """Drop the sentences that try to change the bot's behaviour; returns (rest, found)."""
    sentences = re.split(r"(?<=[.!?¿¡;:\n])\s*|\s+(?=¿)", question)
    kept = [s for s in sentences if s and not _INJECTION.search(fold(s))]
    found = len(kept) < len([s for s in sentences if s])
    return " ".join(kept).strip(), found


def is_question_of_fact(question: str, has_draft: bool) -> bool:
    text = fold(question)
    if has_draft or _PERMISSION.search(text):
        return False
    return bool(_QUESTION_OF_FACT.search(text))


def in_scope(retrieval: Retrieval) -> bool:
    """Whether the sources cover the question (calibrated on the evaluation set)."""
    if not retrieval.hits:
        return False
    if retrieval.coverage >= MIN_COVERAGE:
        return True
    top = retrieval.hits[0]
    return retrieval.coverage >= MIN_COVERAGE_STRONG_MATCH and top.chunk.rule_verdict is not None


def decide(
    question: str,
    retrieval: Retrieval,
    findings: list[DraftFinding],
    trigger_rules: dict[str, list[Chunk]],
    *,
    has_draft: bool,
) -> Decision:
    """The verdict for a question (already stripped of injection attempts).

    ``trigger_rules`` maps a draft-finding kind to the rules that declare it (``Hallazgos:``).
    """
    hits_by_id = {h.chunk.id: h for h in retrieval.hits}
    triggered: dict[str, Hit] = {}
    triggered_by: dict[str, list[DraftFinding]] = {}
    for finding in findings:
        for rule in trigger_rules.get(finding.kind, []):
            triggered.setdefault(rule.locator, hits_by_id.get(rule.id) or Hit(rule, 1.0))
            triggered_by.setdefault(rule.locator, []).append(finding)

    scoped = in_scope(retrieval) if question.strip() else False
    if not scoped and not triggered:
        return Decision(Verdict.SIN_BASE, in_scope=False)

    fact = is_question_of_fact(question, has_draft)
    rule_hits = [h for h in retrieval.hits if h.chunk.rule_verdict is not None and h.via is None]
    supported: list[Hit] = []
    related: list[Hit] = []
    if rule_hits and scoped:
        best = rule_hits[0].score
        for hit in rule_hits[:RULE_WINDOW]:
            (supported if hit.score >= RULE_SUPPORT * best else related).append(hit)
    applied = list(triggered.values()) + [h for h in supported if h.chunk.locator not in triggered]

    if fact and not triggered:
        return Decision(Verdict.INFORMATIVO, related=rule_hits[:2], question_of_fact=True, in_scope=scoped)
    if not applied:
        # Sources cover the topic but no rule of the guideline does: caution, and say so.
        return Decision(Verdict.CON_CAUTELAS, in_scope=scoped, triggered_by=triggered_by)
    applied.sort(key=lambda h: -_severity(h))
    verdict = applied[0].chunk.rule_verdict or Verdict.CON_CAUTELAS
    several = len({h.chunk.rule_verdict for h in applied}) > 1
    return Decision(
        verdict,
        applied=applied,
        related=[h for h in related if h.chunk.locator not in {a.chunk.locator for a in applied}],
        triggered_by=triggered_by,
        several=several,
    )


def _severity(hit: Hit) -> int:
    return hit.chunk.rule_verdict.severity if hit.chunk.rule_verdict else -1
