"""The pure decision: rules apply on evidence, lifts, exceptions, the strictest wins, invariants.

No index, no model: a small signal book and hand-written rules.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.decision import RuleSpec, Situation, decide
from bot.draft import Detector
from bot.models import Verdict
from bot.signals import SignalBook, SignalHit, parse_signals

P, C, N = Verdict.PERMITIDO, Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO

SIGNAL_DATA: dict[str, dict[str, object]] = {
    "datos": {
        "nombre": "datos personales",
        "clase": "riesgo",
        "comprobar": "quita los datos",
        "frases": {"es": ["dni"]},
    },
    "no_publico": {
        "nombre": "aún no es oficial",
        "clase": "riesgo",
        "comprobar": "espera",
        "frases": {"es": ["x"]},
    },
    "insulto": {"nombre": "insulto", "clase": "riesgo", "comprobar": "sin insultos", "frases": {"es": ["x"]}},
    "menor": {"nombre": "menor", "clase": "contexto", "frases": {"es": ["x"]}},
    "imagen": {"nombre": "foto", "clase": "contexto", "frases": {"es": ["x"]}},
    "atendido": {"nombre": "persona atendida", "clase": "contexto", "frases": {"es": ["x"]}},
    "oficial": {"nombre": "cuenta oficial", "clase": "contexto", "frases": {"es": ["x"]}},
    "moderar": {"nombre": "moderar", "clase": "tema", "frases": {"es": ["x"]}},
    "felicitar": {"nombre": "felicitar", "clase": "tema", "frases": {"es": ["x"]}},
    "consentimiento": {
        "nombre": "consentimiento",
        "clase": "levanta",
        "comprobar": "ten el permiso por escrito",
        "levanta": ["atendido", "menor"],
        "se_consigue": True,
        "frases": {"es": ["x"]},
    },
    "publicado": {
        "nombre": "ya publicado",
        "clase": "levanta",
        "comprobar": "enlaza la publicación",
        "levanta": ["no_publico"],
        "frases": {"es": ["x"]},
    },
}
BOOK: SignalBook = parse_signals(SIGNAL_DATA)[0]

RULES = [
    RuleSpec("Regla 1", "Felicitar", P, (("felicitar",),), unless=("oficial",)),
    RuleSpec("Regla 2", "Datos personales", N, (("datos",),)),
    RuleSpec("Regla 3", "Fotos de personas atendidas", N, (("imagen", "atendido"),), unless=("consentimiento",)),
    RuleSpec(
        "Regla 4", "Menores en la cuenta oficial", C, (("menor", "oficial"),), check="Que tienes la autorización."
    ),
    RuleSpec("Regla 5", "Adelantar decisiones", N, (("no_publico",),)),
    RuleSpec("Regla 6", "Insultar", N, (("insulto",),), unless=("moderar",)),
    RuleSpec("Regla 7", "Moderar insultos en la cuenta oficial", P, (("oficial", "moderar", "insulto"),)),
    RuleSpec(
        "Regla 8", "Menores en la cuenta oficial con consentimiento", C, (("menor", "oficial", "consentimiento"),)
    ),
    RuleSpec("Regla 9", "Sin condiciones", N),
]


def hits(*signals: str) -> tuple[SignalHit, ...]:
    return tuple(SignalHit(s, f"«{s}»", i * 10, i * 10 + 5, "pregunta") for i, s in enumerate(signals))


def verdict_of(*signals: str, fact: bool = False, scope: bool = True) -> tuple[Verdict, list[str]]:
    decision = decide(Situation(hits(*signals), question_of_fact=fact, in_scope=scope), RULES, BOOK)
    return decision.verdict, [a.rule.locator for a in decision.applied]


@pytest.mark.parametrize(
    ("signals", "verdict", "first_rule"),
    [
        # A permitted activity and nothing else: permitido, with its rule.
        (("felicitar",), P, "Regla 1"),
        # Normal activity plus one forbidden detail: the detail's rule decides.
        (("felicitar", "no_publico"), N, "Regla 5"),
        (("felicitar", "datos"), N, "Regla 2"),
        # A rule needs every signal of one alternative: a photo alone, or a person alone, is nothing.
        (("imagen",), C, None),
        (("atendido",), C, None),
        (("imagen", "atendido"), N, "Regla 3"),
        # Its own exception («Salvo si») holds: the rule does not restrict.
        (("imagen", "atendido", "consentimiento"), P, "Regla 3"),
        # A permission whose own exception holds grants nothing (a personal-profile rule and
        # the official account): no rule, so cautious.
        (("felicitar", "oficial"), C, None),
        # A lifted signal makes a rule one step milder, never permitido from no_permitido.
        (("no_publico", "publicado"), C, "Regla 5"),
        (("felicitar", "no_publico", "publicado"), C, "Regla 5"),
        # A lifter named by the rule itself is part of its situation, not a way out.
        (("menor", "oficial", "consentimiento"), C, "Regla 8"),
        (("menor", "oficial"), C, "Regla 4"),
        # A permitted rule can take a risk as part of its situation (moderating insults).
        (("oficial", "moderar", "insulto"), P, "Regla 7"),
        (("insulto",), N, "Regla 6"),
        # A risk no rule takes keeps the answer cautious; nothing at all is cautious too.
        ((), C, None),
    ],
)
def test_decide(signals, verdict, first_rule):
    got, rules = verdict_of(*signals)
    assert got is verdict
    assert (rules[0] if rules else None) == first_rule


@pytest.mark.parametrize(
    ("signals", "verdict"),
    [
        # «No sé si firmaron la autorización»: the rule's own exception in doubt grants nothing.
        (("imagen", "atendido", "consentimiento"), C),
        # «No sé si ya salió en el BOE»: a lifter in doubt softens the «no», as a sure one does.
        (("no_publico", "publicado"), C),
        (("felicitar", "no_publico", "publicado"), C),
    ],
)
def test_a_lift_in_doubt_softens_a_no_and_never_makes_a_yes(signals, verdict):
    said = tuple(replace(h, doubted=h.signal in ("consentimiento", "publicado")) for h in hits(*signals))
    decision = decide(Situation(said), RULES, BOOK)
    assert decision.verdict is verdict
    assert decision.firm  # the risk it would lift is still open: what to confirm
    # said for sure, the same lift gives the rule's exception or one step
    assert verdict_of(*signals)[0] is (P if "consentimiento" in signals else C)


def test_a_risk_lifted_only_in_doubt_keeps_a_plain_yes_away():
    said = (
        *hits("felicitar"),
        SignalHit("no_publico", "x", 20, 25, "pregunta"),
        SignalHit("publicado", "y", 30, 35, "pregunta", doubted=True),
    )
    assert decide(Situation(said), RULES, BOOK).verdict is C


def test_several_rules_are_listed_strictest_first_with_their_triggers():
    decision = decide(Situation(hits("felicitar", "datos", "no_publico")), RULES, BOOK)
    assert decision.verdict is N
    assert [a.rule.locator for a in decision.applied][-1] == "Regla 1"
    assert {a.verdict for a in decision.applied} == {N, P}
    assert decision.several
    for applied in decision.applied:
        assert applied.triggers and all(
            h.signal in {s for alt in applied.rule.applies_if for s in alt} for h in applied.triggers
        )


def test_a_rule_without_conditions_never_decides():
    assert "Regla 9" not in verdict_of("datos")[1]


def test_questions_of_fact_and_out_of_scope():
    assert verdict_of("datos", fact=True)[0] is Verdict.INFORMATIVO
    assert verdict_of(scope=False)[0] is Verdict.SIN_BASE
    draft = decide(Situation(hits("datos"), in_scope=False, has_draft=True), RULES, BOOK)
    assert draft.verdict is N  # a draft is always in scope


def test_checks_say_what_to_confirm():
    decision = decide(Situation(hits("imagen", "atendido", "consentimiento")), RULES, BOOK)
    assert decision.checks == ("ten el permiso por escrito",)
    decision = decide(Situation(hits("menor", "oficial")), RULES, BOOK)
    assert decision.checks == ("Que tienes la autorización.",)
    decision = decide(Situation(hits("insulto", "felicitar")), RULES, BOOK)
    assert decision.checks == ()  # no checks for a «no»


def test_similarity_orders_rules_of_the_same_strictness_and_names_related_ones():
    ranking = {"Regla 5": 0.9, "Regla 2": 0.5, "Regla 1": 0.8}
    decision = decide(Situation(hits("datos", "no_publico")), RULES, BOOK, ranking)
    assert [a.rule.locator for a in decision.applied] == ["Regla 5", "Regla 2"]
    assert decision.related == ("Regla 1",)


def test_a_push_for_yes_is_never_evidence_that_it_is_fine():
    pushed = decide(Situation(hits("felicitar"), manipulated=True), RULES, BOOK)
    assert pushed.verdict is C
    assert "forzar un «sí»" in pushed.checks[-1]
    # It changes nothing else: a «no» stays a «no».
    assert decide(Situation(hits("datos"), manipulated=True), RULES, BOOK).verdict is N


def test_a_sensitive_context_no_rule_takes_keeps_the_answer_from_a_plain_yes():
    book = parse_signals(
        {
            "felicitar": {"nombre": "felicitar", "clase": "tema", "frases": {"es": ["x"]}},
            "paciente": {
                "nombre": "paciente",
                "clase": "contexto",
                "sensible": True,
                "comprobar": "que no se reconoce al paciente",
                "frases": {"es": ["x"]},
            },
            "consentimiento": {
                "nombre": "permiso",
                "clase": "levanta",
                "levanta": ["paciente"],
                "frases": {"es": ["x"]},
            },
        }
    )[0]
    rules = [RuleSpec("Regla 1", "Felicitar", P, (("felicitar",),))]
    cautious = decide(Situation(hits("felicitar", "paciente")), rules, book)
    assert cautious.verdict is C and "que no se reconoce al paciente" in cautious.checks
    assert decide(Situation(hits("felicitar", "paciente", "consentimiento")), rules, book).verdict is P
    assert decide(Situation(hits("felicitar")), rules, book).verdict is P
    _, problems = parse_signals({"r": {"nombre": "r", "clase": "riesgo", "sensible": True, "frases": {"es": ["x"]}}})
    assert problems and "contexto" in problems[0]


SENSITIVE_WITH = parse_signals(
    {
        "felicitar": {"nombre": "felicitar", "clase": "tema", "frases": {"es": ["x"]}},
        "imagen": {"nombre": "foto", "clase": "contexto", "frases": {"es": ["x"]}},
        "cuenta": {"nombre": "cuenta oficial", "clase": "contexto", "frases": {"es": ["x"]}},
        "menor": {
            "nombre": "menor",
            "clase": "contexto",
            "sensible": True,
            "sensible_con": ["imagen"],
            "comprobar": "que no se reconoce a ningún menor",
            "detectores": ["edad_menor"],
            "frases": {"es": ["x"]},
        },
    }
)[0]


@pytest.mark.parametrize(
    ("found", "verdict"),
    [
        # «Gracias, chavales de 3.º de la ESO»: a group, not a child: the permitting rule answers.
        ((SignalHit("felicitar", "x", 0, 1, "pregunta"), SignalHit("menor", "x", 2, 3, "pregunta")), P),
        # The same with a photo of them: a child may be recognised.
        (
            (
                SignalHit("felicitar", "x", 0, 1, "pregunta"),
                SignalHit("menor", "x", 2, 3, "pregunta"),
                SignalHit("imagen", "x", 4, 5, "pregunta"),
            ),
            C,
        ),
        # An age found by the detector («un chaval de 15 años») is one child: it counts alone.
        (
            (
                SignalHit("felicitar", "x", 0, 1, "pregunta"),
                SignalHit("menor", "15 años", 2, 9, "pregunta", via=Detector.EDAD_MENOR),
            ),
            C,
        ),
        # A signal that is not named in «sensible_con» does not make it count.
        (
            (
                SignalHit("felicitar", "x", 0, 1, "pregunta"),
                SignalHit("menor", "x", 2, 3, "pregunta"),
                SignalHit("cuenta", "x", 4, 5, "pregunta"),
            ),
            P,
        ),
    ],
)
def test_a_sensitive_context_with_sensible_con_counts_only_with_one_of_them(found, verdict):
    rules = [RuleSpec("Regla 1", "Felicitar", P, (("felicitar",),))]
    decision = decide(Situation(found), rules, SENSITIVE_WITH)
    assert decision.verdict is verdict
    assert (verdict is C) == ("que no se reconoce a ningún menor" in decision.checks)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"sensible_con": ["imagen"]}, "«sensible_con» solo vale"),
        ({"sensible": True, "sensible_con": ["no_existe"]}, "«sensible_con» nombra señales que no existen: no_existe"),
        ({"sensible": True, "sensible_con": {"a": 1}}, "«sensible_con» debe ser una lista"),
    ],
)
def test_a_broken_sensible_con_is_a_clear_problem_and_the_rest_loads(body, problem):
    data = {
        "imagen": {"nombre": "foto", "clase": "contexto", "frases": {"es": ["x"]}},
        "menor": {"nombre": "menor", "clase": "contexto", "frases": {"es": ["x"]}, **body},
    }
    book, problems = parse_signals(data)
    assert any(problem in p for p in problems), problems
    assert "imagen" in book.signals


@pytest.mark.parametrize(
    ("signals", "verdict"),
    [
        # Nothing lifted: the rule's own verdict.
        (("datos", "atendido"), N),
        # The person is lifted (consent) but the risk of the same alternative is not: still a «no».
        (("datos", "atendido", "consentimiento"), N),
        # An alternative of contexts only: lifting one of them makes it one step milder.
        (("imagen", "atendido", "consentimiento"), C),
    ],
)
def test_a_risk_nothing_lifts_keeps_its_alternative_strict(signals, verdict):
    rules = [
        RuleSpec("Regla 1", "Contar datos de quien atiendes", N, (("datos", "atendido"),)),
        RuleSpec("Regla 2", "Fotos de quien atiendes", N, (("imagen", "atendido"),)),
    ]
    assert decide(Situation(hits(*signals)), rules, BOOK).verdict is verdict


SIGNALS = list(BOOK.signals)


def test_a_claim_the_situation_belies_lifts_nothing():
    """«Sin nombres» next to a name found in the text: the anonymity claim does not lift the person."""
    data = {
        "persona": {"nombre": "persona", "clase": "contexto", "frases": {"es": ["x"]}},
        "salud": {"nombre": "salud", "clase": "contexto", "frases": {"es": ["x"]}},
        "anonimo": {
            "nombre": "sin nadie reconocible",
            "clase": "levanta",
            "comprobar": "que nadie se reconoce",
            "levanta": ["persona"],
            "desmentida_por": ["nombre_persona"],
            "frases": {"es": ["x"]},
        },
    }
    book, problems = parse_signals(data)
    assert problems == []
    rules = [RuleSpec("Regla 1", "Salud de una persona", N, (("persona", "salud"),))]
    claim = (SignalHit("persona", "un alumno", 0, 9, "pregunta"), SignalHit("salud", "TDAH", 10, 14, "pregunta"))
    anonymous = SignalHit("anonimo", "sin nombres", 20, 31, "pregunta")
    named = SignalHit("persona", "Aitor", 40, 45, "pregunta", Detector.NOMBRE_PERSONA)
    milder = decide(Situation((*claim, anonymous)), rules, book)
    assert milder.verdict is C and milder.lifts
    belied = decide(Situation((*claim, anonymous, named)), rules, book)
    assert belied.verdict is N and not belied.lifts
    # A name said in an earlier turn does not belie «¿y si quito el nombre?»: it is what goes.
    earlier = SignalHit("persona", "Aitor", 0, 5, "conversacion", Detector.NOMBRE_PERSONA)
    assert decide(Situation((*claim, anonymous, earlier)), rules, book).verdict is C
    # Only a levanta signal may have it, and it names known signals or detectors.
    assert "desmentida_por" in parse_signals({**data, "salud": {**data["salud"], "desmentida_por": ["persona"]}})[1][0]
    assert "pasaporte" in parse_signals({**data, "anonimo": {**data["anonimo"], "desmentida_por": ["pasaporte"]}})[1][0]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SIGNALS), max_size=6), st.booleans())
def test_invariants(signals, has_draft):
    decision = decide(Situation(hits(*signals), has_draft=has_draft), RULES, BOOK)
    found = set(signals)
    if decision.verdict is Verdict.NO_PERMITIDO:
        assert found, "never no_permitido without a found signal"
        assert any(a.verdict is N and a.triggers for a in decision.applied)
    if decision.verdict is Verdict.PERMITIDO:
        for signal in found:
            if BOOK.signals[signal].cls.value != "riesgo":
                continue
            lifted = any(signal in BOOK.signals[s].lifts for s in found)
            answered = all(a.verdict is P for a in decision.applied if signal in {h.signal for h in a.triggers})
            taken = any(signal in {h.signal for h in a.triggers} for a in decision.applied)
            assert lifted or (taken and answered), f"permitido with unlifted risk {signal}"


def test_asking_what_it_takes_gets_the_requirement_that_lifts_the_no():
    """«¿Qué necesitamos?» about photos of people attended: sí, with their consent."""
    situation = Situation(hits("imagen", "atendido"), asks_requirements=True)
    decision = decide(situation, RULES, BOOK)
    assert decision.verdict is C
    rule = decision.applied[0]
    assert (rule.rule.locator, rule.verdict, rule.needs) == ("Regla 3", C, ("consentimiento",))
    assert decision.checks[0] == "ten el permiso por escrito"
    # Asked plainly, the same situation is a «no».
    assert decide(Situation(hits("imagen", "atendido")), RULES, BOOK).verdict is N


@pytest.mark.parametrize(
    "signals",
    [
        ("datos",),  # a risk nothing lifts
        ("no_publico",),  # lifted only by a publication the person cannot bring about («se_consigue» unset)
        ("imagen", "atendido", "insulto"),  # one of the «no» rules has no way out
    ],
)
def test_asking_what_it_takes_leaves_a_no_nothing_obtainable_lifts(signals):
    assert decide(Situation(hits(*signals), asks_requirements=True), RULES, BOOK).verdict is N


# «Ya publicado» as in senales.yaml: it lifts only what is said in its sentence or before it.
NEARBY_BOOK: SignalBook = parse_signals(
    {"no_publico": SIGNAL_DATA["no_publico"], "publicado": {**SIGNAL_DATA["publicado"], "de_lo_dicho": True}}
)[0]


@pytest.mark.parametrize(
    ("lifter", "risk", "verdict"),
    [
        # «El programa está en la web. Y subimos las tasas, aunque no está aprobado»: the web is
        # about the programme, an earlier sentence; the taxes stay not official.
        ((0, "borrador", 0), (50, "borrador", 1), N),
        # The same sentence, or said after the risk («…la lista. Ya salió en el BOE»): it lifts.
        ((0, "borrador", 1), (50, "borrador", 1), C),
        ((60, "borrador", 2), (50, "borrador", 1), C),
        # Said in the question, it is about the draft as a whole.
        ((0, "pregunta", 0), (50, "borrador", 3), C),
    ],
)
def test_a_lifter_of_what_is_said_lifts_only_its_own_sentence_or_what_came_before(lifter, risk, verdict):
    (lift_at, lift_field, lift_sentence), (risk_at, risk_field, risk_sentence) = lifter, risk
    found = (
        SignalHit("publicado", "en la web", lift_at, lift_at + 9, lift_field, sentence=lift_sentence),
        SignalHit("no_publico", "no está aprobado", risk_at, risk_at + 16, risk_field, sentence=risk_sentence),
    )
    rules = [RuleSpec("Regla 5", "Adelantar decisiones", N, (("no_publico",),))]
    assert decide(Situation(found, has_draft=True), rules, NEARBY_BOOK).verdict is verdict


def test_the_words_quoted_for_a_rule_are_the_ones_said_together():
    # «Patria, de Fernando Aramburu. El ejemplar lleva en casa de D. Aurelio»: the loan and
    # D. Aurelio are in the second sentence; the quote pairs them, not the first photo word.
    hits = (
        SignalHit("imagen", "foto", 0, 4, "borrador", sentence=0),
        SignalHit("atendido", "un vecino", 40, 49, "borrador", sentence=1),
        SignalHit("imagen", "vídeo", 55, 60, "borrador", sentence=1),
        SignalHit("atendido", "el usuario", 0, 10, "pregunta", sentence=0),
    )
    decision = decide(Situation(hits), RULES, BOOK)
    quoted = {h.signal: h.text for h in decision.applied[0].triggers}
    assert decision.applied[0].rule.locator == "Regla 3"
    assert quoted == {"atendido": "un vecino", "imagen": "vídeo"}


def test_a_single_signal_quotes_its_first_finding():
    hits = (
        SignalHit("datos", "Ana Pérez, DNI 12345678Z", 10, 34, "borrador", via=Detector.NOMBRE_CON_ID),
        SignalHit("datos", "12345678Z", 25, 34, "borrador", via=Detector.DNI),
    )
    decision = decide(Situation(hits, has_draft=True), RULES, BOOK)
    assert [h.text for h in decision.applied[0].triggers] == ["Ana Pérez, DNI 12345678Z"]
