"""Detectors of personal data that a phrase list cannot find: identifiers, contacts, addresses.

Identifiers are validated, not just pattern-matched: a DNI or NIE needs its right control
letter (python-stdnum), an IBAN its check digits, a phone number must be a valid number
(phonenumbers). Text read from a photo by OCR turns «DNI» into «DN1» and drops spaces, so a
DNI is also found as eight digits plus its right letter with noise around it. Every finding
keeps its exact span in the text it was found in.

The detectors feed the signals of ``knowledge/senales.yaml`` (``detectores:``); the words that
mark health data, minors or confidential documents are phrases of those signals, not code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import phonenumbers
from stdnum import iban
from stdnum.es import dni, nie

from bot.models import Detector, DraftFinding
from bot.text import fold

# ``Detector`` lives in bot.models (it names the kinds of DraftFinding); it is re-exported here,
# where the detectors are.
__all__ = ["Detector", "Span", "detect", "finding_context"]


_DNI = re.compile(r"(?<![\w-])\d{8}[ -]?[A-Za-z](?![\w-])")
# OCR noise: «DN1 12345678Z», «12345678 Z», «DNI:12345678Z» glued to other text.
# «DN112345678Z»: the «1» read for the «I» is glued to the eight digits.
# Digits typed apart to slip past a filter: «4 5 6 7 8 9 1 2 - K», «45 67 89 12 K».
_DNI_SPACED = re.compile(r"(?<![\w-])\d(?:[ .]*\d){7}[ .]*-?[ .]*[A-Za-z](?![\w])")
_DNI_NOISY = re.compile(r"(?:(?<=[Dd][Nn]1)|(?<!\d))(\d{8})\s?[-.]?\s?([A-Za-z])(?![a-z])")
_NIE = re.compile(r"(?<![\w-])[XYZxyz][ -]?\d{7}[ -]?[A-Za-z](?![\w-])")
_IBAN = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?!\w)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?!\w)")
# Two to four capitalised words right before an identifier ("Juan Pérez Gil, DNI 12345678Z").
_NAME_BEFORE = re.compile(
    r"((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)(?:\s+(?:de(?:l| la| los)?\s+)?[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+){1,3})"
    r"[\s,:;(]*(?:con\s+)?(?:(?:DNI|NIE|NIF|D\.N\.I\.)\s*(?:n[º°o.]?\s*)?[:.]?\s*)?$"
)
# A street with a number: «calle Mayor 5», «c/ del Carme, 12», «avenida de Galicia nº 3».
_ADDRESS = re.compile(
    r"(?<!\w)(?:c/|c\.|calle|carrer|r[úu]a|kalea|avda\.?|av\.|avenida|avinguda|plaza|pza\.?|pla[çc]a|praza|paseo|"
    r"passeig|camino|cam[ií]|carretera|ronda|traves[íi]a|urbanizaci[óo]n|barrio|barri)\s+"
    r"(?:(?:de|del|de la|de los|de las|d'|da|do|dos|das)\s*)?"
    r"[A-ZÁÉÍÓÚÑÇ0-9][\w'’.-]*(?:\s+(?:(?:de|del|la|las|los|y|i|e)\s+)?[A-ZÁÉÍÓÚÑÇ][\w'’.-]*){0,4}"
    r",?\s*(?:n[º°o.]\s*|n[úu]mero\s+)?\d{1,4}(?:\s*[A-Za-z](?![A-Za-z]))?(?!\d)"
    # a price or a share after a place is no house number («en el barrio de San José. 15 € la hora»)
    r"(?!\s*(?:[,.]\d+\s*)?(?i:€|%|euros?\b|eur\b))",
)
# Just before an address, words that make it where a public service receives people («Servicios
# Sociales te atiende sin cita en la calle San Roque 4»): no one's personal data.
_SERVICE_BEFORE = re.compile(
    r"\b(?:te|os|les?) atiende[n]?\b|\b(?:te |os )?atendemos\b|\b(?:os|te) esperamos\b|\bsin cita\b|"
    r"\bcita previa\b|\bhorario de atenci[oó]n\b|\bnuestra (?:oficina|sede)\b|\bpunto de informaci[oó]n\b|"
    r"\bnos (?:encontramos|hemos trasladado)\b|\bnueva direcci[oó]n\b|"
    # a public office or facility «en la calle…» («la nueva oficina de atención al público en la calle Mayor, 12»)
    r"\b(?:oficinas?|sede|biblioteca|museo|consultorio|ambulatorio|centro de salud|polideportivo|"
    r"centro c[ií]vico|centro cultural|casa de (?:la )?cultura)\b[^.!?,;]{0,40}\b(?:en|a) (?:la |el )?$",
    re.IGNORECASE,
)
# Spanish plates since 2000: four digits and three consonants.
_PLATE = re.compile(r"(?<![\w-])\d{4}[ -]?[BCDFGHJKLMNPRSTVWXYZ]{3}(?![\w-])")
# Words before a first name that make it a place, a saint or an institution, not a person.
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?:san|santa|santo|sant|calle|c/|avenida|plaza|paseo|hospital|colegio|instituto|ies|ceip|"
    r"centro|parque|barrio|carrer|rúa|rua|virgen|puerta|estaci[óo]n|fundaci[óo]n|premio|festival)\s*$"
    # a pet («mi perra Lola») or the author of a public work («la novela de Almudena Grandes»)
    r"|\b(?:perr[oa]|perrit[oa]|gat[oa]|gatit[oa]|mascota|cachorr[oa]|gos|gossa|dog|cat|puppy)\s*$"
    r"|\b(?:novela|libro|llibre|disco|canci[óo]n|concierto|concert|pel[íi]cula|serie|poemario|poema|obra|"
    r"exposici[óo]n|cuadro|gira|[áa]lbum|documental)\s+(?:de|d')\s*$"
    # after a quoted title and a comma («'Patria', de Fernando Aramburu»; «'Dune' by»): its author
    r"|[»\"'”’]\s*(?:,\s*(?:de|d')|,?\s*by)\s*$"
    # a building named after someone («Biblioteca Municipal Rosalía de Castro», «la UCI del Gregorio Marañón»)
    r"|\b(?:biblioteca|museo|teatro|auditorio|pabell[óo]n|polideportivo|residencia|universidad|escuela|aeropuerto)"
    r"(?:\s+(?:municipal|provincial|p[úu]blica|p[úu]blico))?\s*$"
    r"|\b(?:uci|urgencias|hospital|planta|quir[óo]fanos?)\s+del\s*$"
    # a date: «on 30 June», «el 3 de Mayo»
    r"|(?<![\d.,])\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+|de\s+)?$",
    re.IGNORECASE,
)
#: Forms of address that can also open a run of capitals («Doña Remedios, la de la 214»).
_HONORIFICS = r"señor|señora|senor|senora|don|doña|dona|doctor|doctora|tío|tía"
_TITLES = (
    rf"{_HONORIFICS}|sr\.|sra\.|dr\.|dra\.|mr\.?|mrs\.?|ms\.?|miss|abuelo|abuela|"
    # ranks and posts before a surname («el sargento Pérez», «la inspectora Gómez»)
    r"sargento|sargenta|cabo|teniente|capit[áa]n|comandante|coronel|brigada|subteniente|agente|"
    r"inspector|inspectora|subinspector|subinspectora|comisario|comisaria|oficial|"
    # a family by its surname («la finca de la familia Ortega», «los hermanos García»)
    r"familia|família|hermanos|hermanas|hermanitos|gemelos|mellizos|germans|irmáns"
)
#: A form of address right before a capitalised word makes it a person's name.
_ADDRESSED = re.compile(rf"\b(?:{_TITLES})\s+$", re.IGNORECASE)
#: An honorific opening a run of capitalised words; not a rank or «familia» («Cabo Verde»,
#: «Brigada Paracaidista», «Familia Real»).
_TITLE_WORD = re.compile(rf"(?:{_HONORIFICS})$", re.IGNORECASE)
_CAPITALISED = re.compile(
    r"(?<![\w])([A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)((?:\s+(?:de(?:l| la| los)?\s+)?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+|[A-ZÁÉÍÓÚÑ]\.)){0,3})"
)


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "nombres.txt"
    return frozenset(
        fold(line.strip())
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


Span = tuple[int, int]


def _validated(pattern: re.Pattern[str], valid: Callable[[str], bool]) -> Callable[[str], list[Span]]:
    def find(text: str) -> list[Span]:
        return [m.span() for m in pattern.finditer(text) if valid(m.group())]

    return find


def _is_real_dni(digits: str) -> bool:
    return bool(dni.is_valid(re.sub(r"[\s.-]", "", digits)))


def _dnis(text: str) -> list[Span]:
    spans = {m.span() for m in _DNI.finditer(text) if _is_real_dni(m.group())}
    for match in _DNI_NOISY.finditer(text):
        if _is_real_dni(match.group(1) + match.group(2)) and not any(s <= match.start() < e for s, e in spans):
            spans.add(match.span())
    for match in _DNI_SPACED.finditer(text):
        if _is_real_dni(match.group()) and not any(s <= match.start() < e for s, e in spans):
            spans.add(match.span())
    return sorted(spans)


#: Numbers that reach a service, not a person: free, shared-cost, premium and universal numbers.
_SERVICE_NUMBERS = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.UAN,
    }
)


def _phones(text: str) -> list[Span]:
    return [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "ES", leniency=phonenumbers.Leniency.VALID)
        if phonenumbers.number_type(m.number) not in _SERVICE_NUMBERS
    ]


def _names_with_ids(text: str) -> list[Span]:
    spans = []
    for start, end in _dnis(text) + _validated(_NIE, nie.is_valid)(text):
        name = _NAME_BEFORE.search(text[max(0, start - 80) : start])
        if name:
            spans.append((max(0, start - 80) + name.start(1), end))
    return spans


#: Ages written as words (a child is rarely older than seventeen in a post).
_AGE_WORDS = {
    "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "dieciséis": 16, "diecisiete": 17,
}  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(sorted(_AGE_WORDS, key=len, reverse=True)) + r")"
#: An age under 18 said of people: «(7-10 años)», «chavales de 11 y 12 años», «mi hijo cumple 8 años».
_CHILD_AGE = re.compile(
    rf"(?<![\w.,])(?:{_NUMBER}\s*(?:-|–|a|y|o|i|e|to|and)\s*)?{_NUMBER}\s*(?:años|anos|anys|urte(?:ko)?|years? old|yo)\b"
    r"(?!\s+(?:de\s+(?!edad)|del\b|desde\b|d'|en\b|como\b|trabajando|seguidos|atrás|sin\b|of\s+(?:service|experience)))",
    re.IGNORECASE,
)
#: An animal named shortly before an age: the age is the pet's.
_PET = re.compile(
    r"\b(?:perr[oa]s?|perrit[oa]s?|gat[oa]s?|gatit[oa]s?|mascotas?|cachorr[oa]s?|caballos?|yeguas?|conej[oa]s?|"
    r"hámster|hamster|loro|tortuga|gos|gossa|gat|dog|puppy|cat|kitten|pet)\b|[\U0001F415\U0001F408\U0001F436\U0001F431\U0001F43E]",
    re.IGNORECASE,
)
#: What right before an age makes it a child's: «(», a verb of age, or a child word (with «de»).
_AGE_OF_PERSON = re.compile(
    r"(?:\(\s*$|\b(?:tiene|tienen|cumple|cumplen|cumplir|fa|is|are|turns|aged)\s*$|"
    r"\b(?:niñ[oa]s?|nin[oa]s?|chaval(?:es|a|as)?|crí[oa]s?|hij[oa]s?|alumn[oa]s?|menor(?:es)?|peques?|pequeñ[oa]s?|"
    r"nen[eao]s?|nens|fill[oa]s?|fills|pequen[oa]s?|rapaz|rapaces|cativ[oa]s?|chic[oa]s?|bebés?|bebes?|adolescentes?|"
    r"estudiantes?|kids?|children|child|boys?|girls?|umeak?|"
    r"herman(?:it)?[oa]s?|melliz[oa]s?|gemel[oa]s?|sobrin[oa]s?|niet[oa]s?|siblings?|brothers?|sisters?|"
    r"pacientes?|usuari[oa]s?|patients?)\b"
    r"[^.?!]{0,12}?\b(?:de|con|entre|amb|of)?\s*$)",
    re.IGNORECASE,
)


#: «para chavales de 12 a 16 años», «dirigido a niños de 6 a 12 años»: who an activity is for, not
#: someone in the post.
_AUDIENCE = re.compile(
    r"\b(?:para|per\s+a|for|dirigid[oa]s?\s+a|destinad[oa]s?\s+a|abiert[oa]s?\s+a|orientad[oa]s?\s+a)\s+"
    r"(?:(?:l[oa]s|els|les|the)\s+)?\w+\s+(?:de|entre|d'|of|aged)?\s*$",
    re.IGNORECASE,
)
#: «se cumplen 5 años», «fa 5 anys que»: an anniversary, not someone's age.
_ANNIVERSARY = re.compile(r"\b(?:se\s+cumplen|se\s+cumple|fa|hace)\s*$", re.IGNORECASE)


def _child_ages(text: str) -> list[Span]:
    spans = []
    for match in _CHILD_AGE.finditer(text):
        ages = [_age(g) for g in match.groups() if g]
        before = text[max(0, match.start() - 30) : match.start()]
        if max(ages) >= 18 or not _AGE_OF_PERSON.search(before) or _ANNIVERSARY.search(before):
            continue
        if _AUDIENCE.search(before):
            continue
        if _PET.search(text[max(0, match.start() - 80) : match.start()]):  # «Os presento a Coco 🐶. Tiene 4 años»
            continue
        spans.append(match.span())
    return spans


def _age(number: str) -> int:
    return int(number) if number.isdigit() else _AGE_WORDS[number.lower()]


#: Names of the Virgin's advocations: after «del», «de la» or «de» they name a feast, a church
#: or a place («la ofrenda del Pilar», «fiestas del Carmen»), not a person.
_ADVOCATIONS = frozenset(
    "pilar carmen rocio mercedes montserrat macarena lourdes begoña fatima almudena guadalupe rosario "
    "nuria covadonga asuncion concepcion inmaculada angustias dolores remedios nieves".split()
)
#: Before an advocation it names a place or a feast: «la ofrenda del Pilar», «la sortida a Montserrat».
_PLACE_BEFORE = re.compile(
    r"\b(?:del|de la|de|(?:excursi[oó]n|sortida|salida|visita|viaje|viatge|subida|pujada|peregrinaci[oó]n)\s+(?:a|al|en))\s+$",
    re.IGNORECASE,
)


#: First names that are also words, said alone as one: «Perfecto. Y el texto sería…», «Gloria, qué día».
_WORD_NAMES = frozenset("perfecto salvador blanca clemente alba aurora gloria".split())
#: First names that are ordinals: with no surname, «Segundo premio», «Segundo día», they are the ordinal.
_ORDINAL_NAMES = frozenset({"segundo"})
_ALONE = re.compile(r"\s*[.;:!?…]")
_SENTENCE_START = re.compile(r"(?:^|[.!?¡¿…:]\s*)$")
#: «Domingo» alone is the day when it opens a sentence or follows a determiner: «Domingo, 90 exámenes»,
#: «este Domingo»; with a surname or an address («don Domingo») it is a person.
_DAY_NAMES = frozenset({"domingo"})
#: «Domingo 12, Maratón de la ciudad»: a day with its date.
_DATE_AFTER = re.compile(r"\s+\d{1,2}\b")
_DAY_BEFORE = re.compile(r"(?:^|[.!?¡¿…:]\s*|\b(?:el|este|cada|pr[óo]ximo|pasado|del|al)\s+)$", re.IGNORECASE)


def _person_names(text: str) -> list[Span]:
    """A common first name, capitalised, with its surnames or initial if any («Marta», «Juan P.»),
    or any capitalised name after a form of address («la señora Puri», «don Anselmo»)."""
    names = _first_names()
    spans = []
    for match in _CAPITALISED.finditer(text):
        rest = match.group(2)
        if _TITLE_WORD.match(match.group(1)) and rest and not rest.lstrip().startswith("de"):
            start = match.start(2) + len(rest) - len(rest.lstrip())
            spans.append((start, match.end()))
            continue
        before = text[max(0, match.start() - 25) : match.start()]
        first = fold(match.group(1))
        if _ADDRESSED.search(before) is None and (
            first not in names
            or _NOT_A_PERSON_BEFORE.search(before)
            or (first in _ADVOCATIONS and _PLACE_BEFORE.search(before))
            or (
                first in _WORD_NAMES
                and not match.group(2)
                and _SENTENCE_START.search(before)
                and _ALONE.match(text, match.end())
            )
            or (first in _ORDINAL_NAMES and not match.group(2))
            or (
                first in _DAY_NAMES
                and not match.group(2)
                and (_DAY_BEFORE.search(before) or _DATE_AFTER.match(text, match.end()))
            )
        ):
            continue
        spans.append(match.span())
    return spans


#: Details that, two or more of different kinds together, point at one person even without a name
#: («M., con tres niños de 2, 5 y 9 años, en un bajo del barrio de San José»; «el de la 312, 70
#: tacos, cirrosis»): an adult's age, a flat or a room, a named street or neighbourhood, an
#: initial for a name, the family's make-up.
_IDENTIFYING: dict[str, re.Pattern[str]] = {
    "edad": re.compile(
        r"\b(?:de|con|amb|que\s+tiene|que\s+t[eé]|que\s+ten)\s+(?:[1-9]|\d\d|1[01]\d)\s+(?:años|anos|anys|tacos)\b"
        r"|\b[2-9]\d\s+tacos\b",
        re.I,
    ),
    "vivienda": re.compile(
        r"\b\d{1,2}\s?[ºª°o]\s?(?:[A-H]|izquierda|izda|derecha|dcha|esquerra|dreta)\b"
        r"|\b(?:bajo|primero|segundo|tercero|cuarto|quinto|sexto)\s+(?:izquierda|derecha|[A-H])\b|\bhabitaci[oó]n\s+\d{1,4}\b|\b(?:el|la|años)\s+de\s+la\s+\d{2,4}\b|\bcama\s+\d{1,3}\b",
        re.I,
    ),
    "lugar": re.compile(
        r"\b(?:barrio|calle|c/|plaza|avenida|urbanizaci[oó]n|pedan[ií]a|pol[ií]gono|carrer|barri|pla[çc]a|r[úu]a|praza)\s+"
        r"(?:de\s+(?:la\s+|los\s+|las\s+)?|del\s+|d'|de l'|do\s+|da\s+)?"
        r"[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+"
        # a village has one of each: «la maestra del pueblo», «la mestra de l'escola del poble»
        r"|\b(?i:(?:maestr[oa]|mestr[ea]|m[eé]dic[oa]|metge|metgessa|cura|farmac[eé]utic[oa]|panader[oa]|carter[oa]"
        r"|secretari[oa]|veterinari[oa]|alcalde|alcaldesa)\b[^.,;:]{0,30}?\b(?:del|do)\s+(?:pueblo|poble|aldea))\b"
    ),
    "inicial": re.compile(r"(?<![\w.])[A-ZÁÉÍÓÚÑ]\.(?=[\s,;:)])(?!\s+[A-ZÁÉÍÓÚÑ]\.)"),
    "familia": re.compile(
        r"\b(?:madre|padre)\s+(?:sol[oa]\s+)?(?:de|con)\s+(?:\d|dos|tres|cuatro|cinco|seis)\b|"
        r"\bcon\s+(?:\d|dos|tres|cuatro|cinco|seis)\s+(?:hij[oa]s|niñ[oa]s|crí[oa]s)\b|\b(?:separad[oa]|divorciad[oa]|viud[oa])\b|"
        r"\b(?:amb|con)\s+(?:\d|dos|dues|dúas|tres|quatre|catro|cinc)\s+(?:fills|filles|nens|nenes|fillos|fillas|nenos|nenas)\b",
        re.I,
    ),
}


def _identifying_details(text: str) -> list[Span]:
    """The details of :data:`_IDENTIFYING`, when at least two kinds appear together."""
    addresses = [m.span() for m in _ADDRESS.finditer(text)]  # a full address is a finding of its own
    found = {
        kind: [m.span() for m in pattern.finditer(text) if not any(a < m.end() and m.start() < b for a, b in addresses)]
        for kind, pattern in _IDENTIFYING.items()
    }
    kinds = [kind for kind, spans in found.items() if spans]
    if len(kinds) < 2:
        return []
    return sorted(span for kind in kinds for span in found[kind])


_FINDERS: dict[Detector, Callable[[str], list[Span]]] = {
    Detector.DNI: _dnis,
    Detector.NIE: _validated(_NIE, nie.is_valid),
    Detector.IBAN: _validated(_IBAN, iban.is_valid),
    Detector.EMAIL: lambda text: [m.span() for m in _EMAIL.finditer(text)],
    Detector.TELEFONO: _phones,
    Detector.NOMBRE_CON_ID: _names_with_ids,
    Detector.DIRECCION: lambda text: [
        m.span() for m in _ADDRESS.finditer(text) if not _SERVICE_BEFORE.search(text, max(0, m.start() - 80), m.start())
    ],
    Detector.MATRICULA: lambda text: [m.span() for m in _PLATE.finditer(text)],
    Detector.NOMBRE_PERSONA: _person_names,
    Detector.EDAD_MENOR: _child_ages,
    Detector.DETALLES_IDENTIFICATIVOS: _identifying_details,
}


def detect(text: str | None, detectors: tuple[Detector, ...] = tuple(Detector)) -> list[DraftFinding]:
    """What the ``detectors`` find in ``text``, in order, without a phone inside another finding."""
    if not text:
        return []
    findings: list[DraftFinding] = []
    # Phones last: a number inside a DNI, an IBAN or an e-mail is not a phone.
    for detector in sorted(detectors, key=lambda d: d is Detector.TELEFONO):
        spans = _FINDERS[detector](text)
        if detector is Detector.TELEFONO:
            taken = [(f.start, f.end) for f in findings if f.kind != Detector.NOMBRE_PERSONA]
            spans = [(s, e) for s, e in spans if not any(a < e and s < b for a, b in taken)]
        findings.extend(_finding(detector, s, e, text) for s, e in spans)
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return findings


def _finding(detector: Detector, start: int, end: int, text: str) -> DraftFinding:
    return DraftFinding(kind=detector.value, text=text[start:end], start=start, end=end, label=detector.label)


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
