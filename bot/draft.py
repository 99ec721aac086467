"""Screening of the text an employee wants to post: personal data and confidentiality markers.

Identifiers are validated, not just pattern-matched: a DNI or NIE needs its right control
letter, an IBAN its check digits, a phone number must be a valid number (python-stdnum and
phonenumbers do the checking). Every finding keeps its exact span in the draft.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum import iban
from stdnum.es import dni, nie

from bot.models import DraftFinding

KIND_LABELS = {
    "dni": "DNI",
    "nie": "NIE",
    "telefono": "teléfono",
    "email": "correo electrónico",
    "iban": "cuenta bancaria (IBAN)",
    "nombre_con_id": "nombre junto a un documento de identidad",
    "salud": "dato de salud",
    "menor": "referencia a menores",
    "confidencial": "marca de confidencialidad",
}

_DNI = re.compile(r"(?<![\w-])\d{8}[ -]?[A-Za-z](?![\w-])")
_NIE = re.compile(r"(?<![\w-])[XYZxyz][ -]?\d{7}[ -]?[A-Za-z](?![\w-])")
_IBAN = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?!\w)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?!\w)")
# Two to four capitalised words right before an identifier ("Juan Pérez Gil, DNI 12345678Z").
_NAME_BEFORE = re.compile(
    r"((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)(?:\s+(?:de(?:l| la| los)?\s+)?[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+){1,3})"
    r"[\s,:;(]*(?:con\s+)?(?:(?:DNI|NIE|NIF|D\.N\.I\.)\s*(?:n[º°o.]?\s*)?[:.]?\s*)?$"
)


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)


_HEALTH = _words(
    r"diagn[óo]stic\w*",
    r"enferm[oa]s?",
    r"enfermedad(?:es)?",
    r"baja(?:s)? m[ée]dicas?",
    r"c[áa]ncer",
    r"tumor(?:es)?",
    r"VIH",
    r"sida",
    r"depresi[óo]n",
    r"ansiedad",
    r"embarazad[oa]s?",
    r"embarazo",
    r"discapacidad(?:es)?",
    r"minusval[íi]a",
    r"tratamiento m[ée]dico",
    r"psiqui[áa]tric\w*",
    r"medicaci[óo]n",
    r"hospitalizad[oa]s?",
    r"ingresad[oa]s? en el hospital",
    r"historia cl[íi]nica",
    r"alzh[ée]imer",
    r"diabetes",
    r"covid(?:-19)?",
    r"positivo en \w+",
    r"quimioterapia",
    r"adicci[óo]n",
)
_MINORS = _words(
    r"menor(?:es)?(?: de edad)?",
    r"niñ[oa]s?",
    r"cr[íi]os?",
    r"beb[ée]s?",
    r"adolescentes?",
    r"alumn[oa]s? de (?:primaria|infantil|la ESO|\d\S* de primaria)",
    r"guarder[íi]a",
    r"escolares",
    r"hij[oa]s? de (?:un[oa]? )?(?:vecin[oa]s?|usuari[oa]s?|ciudadan[oa]s?|compañer[oa]s?)",
    r"(?:de|con|tiene) (?:[1-9]|1[0-7]) años",
)
_CONFIDENTIAL = _words(
    r"confidencial(?:es)?",
    r"borrador(?:es)?",
    r"no difundir",
    r"uso interno",
    r"reservad[oa]",
    r"no distribuir",
    r"no publicar",
    r"secreto",
    r"documento interno",
    r"difusi[óo]n restringida",
    r"draft",
    r"internal use only",
    r"do not distribute",
)


def screen(draft: str | None) -> list[DraftFinding]:
    """Every finding in ``draft``, in order of appearance, without overlaps of the same kind."""
    if not draft:
        return []
    findings: list[DraftFinding] = []
    ids: list[DraftFinding] = []
    for kind, pattern, valid in (("dni", _DNI, dni.is_valid), ("nie", _NIE, nie.is_valid)):
        for match in pattern.finditer(draft):
            if valid(match.group()):
                ids.append(_finding(kind, match.start(), match.end(), draft))
    findings.extend(ids)
    for match in _IBAN.finditer(draft):
        if iban.is_valid(match.group()):
            findings.append(_finding("iban", match.start(), match.end(), draft))
    for match in _EMAIL.finditer(draft):
        findings.append(_finding("email", match.start(), match.end(), draft))
    taken = [(f.start, f.end) for f in findings]
    for phone in phonenumbers.PhoneNumberMatcher(draft, "ES", leniency=phonenumbers.Leniency.VALID):
        if not any(s < phone.end and phone.start < e for s, e in taken):
            findings.append(_finding("telefono", phone.start, phone.end, draft))
    for found in ids:
        name = _NAME_BEFORE.search(draft[max(0, found.start - 80) : found.start])
        if name:
            start = max(0, found.start - 80) + name.start(1)
            findings.append(_finding("nombre_con_id", start, found.end, draft))
    for kind, pattern in (("salud", _HEALTH), ("menor", _MINORS), ("confidencial", _CONFIDENTIAL)):
        for match in pattern.finditer(draft):
            findings.append(_finding(kind, match.start(), match.end(), draft))
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return findings


def _finding(kind: str, start: int, end: int, draft: str) -> DraftFinding:
    return DraftFinding(kind=kind, text=draft[start:end], start=start, end=end)


def finding_context(draft: str | None, finding: DraftFinding, chars: int = 40) -> tuple[str, str] | None:
    """Up to ``chars`` characters of the draft before and after a finding, on one line.

    A side that was cut loses its partial word and gets "…". ``None`` when the finding's
    offsets are not from ``draft`` (then only the span can be shown).
    """
    if not draft or draft[finding.start : finding.end] != finding.text:
        return None
    before = " ".join(draft[max(finding.start - chars, 0) : finding.start].splitlines())
    after = " ".join(draft[finding.end : finding.end + chars].splitlines())
    if finding.start > chars:
        before = "…" + (before.split(" ", 1)[1] if " " in before else before)
    if finding.end + chars < len(draft):
        after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
    return before, after
