"""Answers in the asker's language: detection (bot.language), the templates of bot/locales/, and
the same situation asked in Spanish, Catalan, Galician, Basque and English, composed on the real
knowledge/ folder (pure pipeline and compose: no index, no model) and through the real service."""

from __future__ import annotations

import json
import logging
import statistics
import threading
import time
from pathlib import Path

import pytest

from bot import language as language_module
from bot import templates as templates_module
from bot.answer import compose
from bot.chunking import chunk_document
from bot.cli import DETAIL_HINT, render_text
from bot.decision import MANIPULATION_CHECK, Situation, decide, rule_specs
from bot.documents import load_file
from bot.glossary import load_glossary
from bot.language import Language, detect_language, language_of
from bot.models import DETECTOR_LABELS, DRAFT_QUESTION, Detector, Verdict
from bot.pipeline import read
from bot.retrieval import Hit, Retrieval
from bot.scope import load_scope
from bot.signals import load_signals, parse_signals
from bot.sources.sync import load_law_names
from bot.templates import LOCALES_DIR, load_texts, placeholders, templates
from tests.conftest import make_settings

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
CONTACT = "la Unidad de Comunicación y Transparencia (comunicacion@ejemplo.es)"
OTHERS = [Language.CA, Language.GL, Language.EU, Language.EN]


# --------------------------------------------------------------------------- detection

DETECTED = {
    Language.ES: [
        "¿Puedo subir a Instagram una foto de los vecinos que atendí hoy?",
        "Quiero poner en Twitter que mi jefe es un inútil, ¿pasa algo?",
        "¿Me pueden sancionar por criticar al alcalde en mi cuenta personal?",
    ],
    Language.CA: [
        "Puc penjar a Instagram una foto dels veïns que he atès avui?",
        "Es pot publicar la llista d'admesos del procés selectiu?",
        "Sóc infermera i vull explicar a TikTok una anècdota d'un pacient",
    ],
    Language.GL: [
        "Podo subir a Instagram unha foto dos veciños que atendín hoxe?",
        "Quero poñer en Twitter que o meu xefe é un inútil, pasa algo?",
        "Poden sancionarme por criticar ao alcalde na miña conta persoal?",
    ],
    Language.EU: [
        "Gaur artatu ditudan bizilagunen argazki bat Instagramera igo dezaket?",
        "Hautaketa prozesuko onartuen zerrenda argitara daiteke?",
        "Zein da Australiako hiriburua?",
    ],
    Language.EN: [
        "Can I post on Instagram a photo of the patients I saw today?",
        "I want to tweet that my boss is useless, is that ok?",
        "Can I be disciplined for criticising the mayor on my personal account?",
    ],
}


@pytest.mark.parametrize(("expected", "text"), [(lang, t) for lang, texts in DETECTED.items() for t in texts])
def test_each_language_is_detected(expected, text):
    assert detect_language(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ok?",
        "Can I post?",  # three words
        "Puc penjar-ho?",
        "¿Y en mi LinkedIn?",  # a network's name is no language
        "Zer deritzozu?",
    ],
)
def test_short_or_empty_text_is_spanish(text):
    assert detect_language(text) is Language.ES


@pytest.mark.parametrize(
    "text",
    [
        "Can I post esto en mi Instagram personal?",
        "Hola! Can you tell me si puedo subir la foto del equipo?",
        "¿Lo subo a Facebook o no?",
    ],
)
def test_mixed_text_is_spanish(text):
    assert detect_language(text) is Language.ES


def test_galician_portuguese_and_spanish_are_told_apart():
    assert detect_language("Podo publicar que a miña compañeira Marta está de baixa por depresión?") is Language.GL
    assert detect_language("Levo o perfil oficial do colexio. Quero subir o vídeo da función. Que fago?") is Language.GL
    # Portuguese is not a language the bot writes: Spanish.
    assert detect_language("Posso publicar no Instagram uma foto dos vizinhos que atendi hoje?") is Language.ES
    assert detect_language("Quero escrever no Twitter que o meu chefe é um inútil, há algum problema?") is Language.ES
    # A Galician name in a Spanish question keeps it Spanish.
    assert detect_language("¿Puedo publicar en la web de la Xunta la foto del examen?") is Language.ES


def test_what_the_person_quotes_is_not_how_they_ask():
    question = "Can I post this on my personal account: «Hoy hemos atendido a muchísimos vecinos en la oficina»?"
    assert detect_language(question) is Language.EN


def test_language_of_uses_the_draft_only_without_a_question():
    draft = "Gràcies a tots els companys per la feina feta aquest any a l'oficina de turisme!"
    assert language_of(DRAFT_QUESTION, draft) is Language.CA
    assert language_of("", draft) is Language.CA
    assert language_of("¿Puedo publicar este texto en mi perfil personal?", draft) is Language.ES
    assert language_of("", None) is Language.ES


def test_a_short_follow_up_keeps_the_language_of_the_conversation():
    earlier = ["Can I post on Instagram a photo of the patients I saw today?"]
    assert language_of("And on LinkedIn?", None, earlier) is Language.EN
    assert language_of("¿Y en LinkedIn?", None, ["¿Puedo subir la foto de la cena de Navidad?"]) is Language.ES
    assert language_of("And on LinkedIn?", None, []) is Language.ES


def test_the_detector_is_built_once_across_threads(monkeypatch):
    monkeypatch.setattr(language_module, "_detector", None)
    built = []
    original = language_module._build

    def run() -> None:
        built.append(original())

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(d) for d in built}) == 1


def test_detection_takes_a_few_milliseconds_on_short_questions():
    questions = [q for texts in DETECTED.values() for q in texts] * 10
    detect_language(questions[0])  # warm
    times = []
    for question in questions:
        started = time.perf_counter()
        detect_language(question)
        times.append((time.perf_counter() - started) * 1000)
    assert statistics.median(times) < 5, statistics.median(times)


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_every_key_of_spanish_with_its_placeholders(language):
    spanish, problems = load_texts("es")
    assert problems == []
    texts, problems = load_texts(language)
    assert problems == []
    assert sorted(set(spanish) - set(texts)) == []  # missing
    assert sorted(set(texts) - set(spanish)) == []  # unknown
    wrong = [k for k in spanish if placeholders(texts[k]) != placeholders(spanish[k])]
    assert wrong == []
    assert sorted(p.stem for p in LOCALES_DIR.glob("*.yaml")) == sorted(lang.value for lang in Language)


def test_spanish_templates_are_the_existing_spanish_words():
    t = templates("es")
    assert all(t(f"verdict.{v.value}") == v.label == v.label_in("es") for v in Verdict)
    assert all(t(f"detector.{d.value}") == DETECTOR_LABELS[d] == d.label_in("es") for d in Detector)
    assert t("check.manipulation") == MANIPULATION_CHECK
    assert t("cli.detail_hint") == DETAIL_HINT
    assert t("summary.quotes_note") == ""
    assert Verdict.NO_PERMITIDO.label_in("en") == "Don't post it"
    assert Detector.TELEFONO.label_in("gl") == "teléfono"


def test_a_missing_key_falls_back_to_spanish_with_a_warning(tmp_path, monkeypatch, caplog):
    (tmp_path / "es.yaml").write_text((LOCALES_DIR / "es.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    english = (LOCALES_DIR / "en.yaml").read_text(encoding="utf-8")
    english = english.replace('  ask_unit: "Any doubts? Ask {contact}."\n', "")
    english = english.replace('seen: "I saw {words}."', 'seen: "I saw {what}."')  # a wrong placeholder
    (tmp_path / "en.yaml").write_text(english + "\nextra: {key: x}\n", encoding="utf-8")
    monkeypatch.setattr(templates_module, "LOCALES_DIR", tmp_path)
    templates_module._templates.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.templates"):
            t = templates("en")
        assert t("summary.ask_unit", contact="X") == "¿Dudas? Consulta a X."
        assert t("why.seen", words="«a»") == "He visto «a»."
        assert t("intro.permitido") == "You can post it."
        assert "no key summary.ask_unit" in caplog.text
        assert "why.seen has other placeholders" in caplog.text
        assert "extra.key is not in es.yaml" in caplog.text
    finally:
        templates_module._templates.cache_clear()


def test_an_unknown_language_gets_spanish():
    assert templates("fr").language is Language.ES


def test_signal_labels_by_language_are_optional_and_validated():
    book, problems = parse_signals(
        {
            "imagen": {"nombre": "foto o vídeo", "clase": "contexto", "frases": {"es": ["foto"]},
                       "etiquetas": {"en": "photo or video", "ca": "foto o vídeo"}},
            "menor": {"nombre": "menor de edad", "clase": "contexto", "frases": {"es": ["niño"]}},
            "roto": {"clase": "contexto", "frases": {"es": ["x"]}, "etiquetas": {"es": "no"}},
            "otro": {"clase": "contexto", "frases": {"es": ["y"]}, "etiquetas": ["photo"]},
        }
    )  # fmt: skip
    assert book.label("imagen", "en") == "photo or video"
    assert book.label("imagen") == book.label("imagen", "es") == "foto o vídeo"
    assert book.label("imagen", "eu") == "foto o vídeo"  # none in Basque: the Spanish name
    assert book.label("menor", "en") == "menor de edad"
    assert [p.split(":")[0] for p in problems] == ["señal 'roto'", "señal 'otro'"]
    assert "el castellano es «nombre»" in problems[0]


# --------------------------------------------------------------------------- paired situations


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory):
    """The real knowledge/: signals, rules, scope, glossary, law names, and LinkedIn's terms."""
    book = load_signals(KNOWLEDGE)[0]
    settings = make_settings(tmp_path_factory.mktemp("real"), KNOWLEDGE)
    chunks = {}
    for path in ("guias/guia-redes-sociales.md", "condiciones/linkedin.md"):
        doc, problems = load_file(KNOWLEDGE / path, display=f"knowledge/{path}", root=KNOWLEDGE, settings=settings)
        assert doc is not None, problems
        chunks[path] = chunk_document(doc, book)[0]
    guide, terms = chunks["guias/guia-redes-sociales.md"], chunks["condiciones/linkedin.md"]
    specs, problems = rule_specs(guide, book)
    assert problems == []
    return {
        "book": book,
        "specs": specs,
        "rules": {c.locator: c for c in guide if c.rule_verdict is not None},
        "terms": terms,
        "scope": load_scope(KNOWLEDGE)[0],
        "glossary": load_glossary(KNOWLEDGE)[0],
        "law_names": load_law_names(KNOWLEDGE)[0],
    }


def answer(question: str, real, language: str | None = None):
    """What Service.ask decides and writes for ``question``, without the index: the rules that
    apply are the retrieved chunks (LinkedIn's terms for a question of fact)."""
    book = real["book"]
    reading = read(question, None, book)
    in_scope = real["scope"].covers(
        real["glossary"].expand(reading.question), question_of_fact=reading.question_of_fact
    )
    decision = decide(
        Situation(reading.hits, question_of_fact=reading.question_of_fact, in_scope=in_scope), real["specs"], book
    )
    rules = real["rules"]
    if decision.verdict is Verdict.INFORMATIVO:
        hits = [Hit(c, 1.0) for c in real["terms"][:2]]
    else:
        hits = [Hit(rules[a.rule.locator], 1.0) for a in decision.applied]
    retrieval = Retrieval(question, question, hits)
    options = {} if language is None else {"language": language}
    composed = compose(
        reading.question,
        decision,
        retrieval,
        [],
        book=book,
        rules=rules,
        law_names=real["law_names"],
        contact_unit=CONTACT,
        injection=reading.injection,
        **options,
    )
    return decision, composed


SITUATIONS = {
    "foto de un paciente con su nombre": (
        Verdict.NO_PERMITIDO,
        {
            Language.ES: "¿Puedo subir a Instagram una foto de un paciente en la que se ve su nombre completo?",
            Language.CA: "Puc penjar a Instagram una foto d'un pacient amb el seu nom?",
            Language.GL: "Podo subir a Instagram unha foto dun paciente co seu nome?",
            Language.EU: "Paziente baten argazkia bere izen osoarekin Instagramen igo dezaket?",
            Language.EN: "Can I post on Instagram a photo of a patient showing her full name?",
        },
    ),
    "cena con compañeros": (
        Verdict.CON_CAUTELAS,
        {
            Language.ES: "¿Puedo subir a Instagram una foto de la cena con mis compañeros de trabajo?",
            Language.CA: "Puc penjar a Instagram una foto del sopar amb els meus companys de feina?",
            Language.GL: "Podo subir a Instagram unha foto da cea cos meus compañeiros de traballo?",
            Language.EU: "Lankideekin egindako afariaren argazki bat Instagramen igo dezaket?",
            Language.EN: "Can I post on Instagram a photo of the dinner with my work colleagues?",
        },
    ),
    "mi ruta de senderismo": (
        Verdict.PERMITIDO,
        {
            Language.ES: "¿Puedo subir a Instagram las fotos de mi ruta de senderismo del domingo?",
            Language.CA: "Puc penjar a Instagram les fotos de la meva excursió a la muntanya de diumenge?",
            Language.GL: "Podo subir a Instagram as fotos da miña excursión á montaña do domingo?",
            Language.EU: "Igandeko mendi-irteerako argazkiak Instagramen igo ditzaket?",
            Language.EN: "Can I post on Instagram the photos of my Sunday hiking trip?",
        },
    ),
    "una receta": (
        Verdict.SIN_BASE,
        {
            Language.ES: "¿Cuál es la mejor receta de tortilla de patatas?",
            Language.CA: "Quina és la millor recepta de truita de patates?",
            Language.GL: "Cal é a mellor receita de tortilla de patacas que coñeces?",
            Language.EU: "Zein da patata-tortillaren errezetarik onena?",
            Language.EN: "What is the best recipe for a Spanish potato omelette?",
        },
    ),
    "edad mínima en LinkedIn": (
        Verdict.INFORMATIVO,
        {
            Language.ES: "¿Qué edad mínima pide LinkedIn para abrir una cuenta?",
            Language.CA: "Quina edat mínima demana LinkedIn per obrir un compte?",
            Language.GL: "Que idade mínima pide LinkedIn para abrir unha conta?",
            Language.EU: "Zer adin eskatzen du LinkedInek kontu bat irekitzeko?",
            Language.EN: "What minimum age does LinkedIn require to open an account?",
        },
    ),
}


def _opening(key: str, t) -> str:
    """A template's words before its first placeholder («He visto », «I saw »)."""
    return t.texts[key].split("{", 1)[0]


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_same_situation_same_verdict_and_rules_in_every_language(situation, real):
    verdict, questions = SITUATIONS[situation]
    spanish, _ = answer(questions[Language.ES], real)
    assert spanish.verdict is verdict
    for language, question in questions.items():
        assert detect_language(question) is language, question
        decision, _ = answer(question, real, language)
        assert decision.verdict is verdict, question
        assert [a.rule.locator for a in decision.applied] == [a.rule.locator for a in spanish.applied], question


@pytest.mark.parametrize("situation", list(SITUATIONS))
@pytest.mark.parametrize("language", OTHERS)
def test_the_frame_is_in_the_askers_language_and_the_quotes_are_marked(situation, language, real):
    verdict, questions = SITUATIONS[situation]
    t, es = templates(language), templates("es")
    _, composed = answer(questions[language], real, language)
    lines = composed.summary.split("\n")
    assert lines[0] == f"{verdict.emoji} {t(f'intro.{verdict.value}')}"
    # At least one sentence the bot writes itself, in this language and not in Spanish.
    own = {
        Verdict.NO_PERMITIDO: "summary.ask_unit",
        Verdict.CON_CAUTELAS: "summary.check_first",
        Verdict.PERMITIDO: "why.seen",
        Verdict.SIN_BASE: "summary.out_of_scope",
        Verdict.INFORMATIVO: "summary.all_sources",
    }[verdict]
    assert _opening(own, t) in composed.summary
    assert _opening(own, es) not in composed.text
    if verdict is Verdict.SIN_BASE:
        assert t("summary.quotes_note") not in composed.text  # nothing quoted, nothing to mark
        assert "Unidad de Comunicación y Transparencia (comunicacion@ejemplo.es)" in composed.summary
        assert "la Unidad" not in composed.summary or language is Language.CA
    else:
        assert composed.text.count(t("summary.quotes_note")) == 1  # once per answer
        assert lines[-1] == t("summary.quotes_note")  # at the end of the summary
        assert composed.citations  # ...which quotes the sources, in Spanish
        assert composed.text.startswith(composed.summary + f"\n\n{t('details.heading')}\n")
    if verdict in (Verdict.NO_PERMITIDO, Verdict.CON_CAUTELAS):
        assert t("summary.ask_unit", contact=_contact(language)) in composed.summary


def _contact(language: Language) -> str:
    article = templates(language)("contact_article.la")
    unit = CONTACT.removeprefix("la ")
    return f"{article} {unit}" if article else unit


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_spanish_answers_are_what_they_were(situation, real):
    _, questions = SITUATIONS[situation]
    _, default = answer(questions[Language.ES], real)
    _, spanish = answer(questions[Language.ES], real, "es")
    assert spanish == default
    assert "Dudas? Consulta a la Unidad" in default.summary or situation in {
        "mi ruta de senderismo",
        "una receta",
        "edad mínima en LinkedIn",
    }


def test_signal_labels_and_rules_read_in_the_askers_language(real):
    _, english = answer(SITUATIONS["foto de un paciente con su nombre"][1][Language.EN], real, "en")
    assert "«patient» (person you serve at work)" in english.summary
    assert "Rule 33 of the guideline, «" in english.summary
    assert "Several rules apply; the strictest prevails, Rule 33 (not allowed)" in english.details
    _, basque = answer(SITUATIONS["foto de un paciente con su nombre"][1][Language.EU], real, "eu")
    assert "Gidaren 33. arauak, «" in basque.summary and "ez du baimentzen [1]." in basque.summary
    assert "«Paziente» (lanean artatzen duzun pertsona)" in basque.summary


# --------------------------------------------------------------------------- through the service


def test_the_service_answers_in_the_askers_language(service):
    catalan = service.ask("Puc penjar una foto dels veïns que he atès avui?")
    spanish = service.ask("¿Puedo subir al insta una foto de los vecinos que atendí hoy?")
    assert catalan.language == "ca" and spanish.language == "es"
    assert catalan.verdict is spanish.verdict is Verdict.NO_PERMITIDO
    assert catalan.rules == spanish.rules == ["Regla 4"]
    assert catalan.summary.startswith("⛔ No ho hauries de publicar.\n")
    assert "Dubtes? Consulta la Unidad de Comunicación y Transparencia" in catalan.summary
    assert catalan.summary.endswith("(Les cites i les comprovacions són en castellà, com a les fonts.)")
    assert "\n\nFonaments:\n" in catalan.answer
    assert spanish.summary.startswith("⛔ No deberías publicarlo.\n") and "(Les cites" not in spanish.answer
    data = json.loads(json.dumps(catalan.to_json_dict()))
    assert data["language"] == "ca"


def test_a_draft_alone_is_answered_in_the_drafts_language(service):
    draft = "Many thanks to Ana López, DNI 12345678Z, for her patience today at the office."
    answer_ = service.ask(DRAFT_QUESTION, draft=draft)
    assert answer_.language == "en"
    assert answer_.verdict is Verdict.NO_PERMITIDO
    assert "Your draft contains:" in answer_.summary
    assert "In the text you want to post I found:" in answer_.answer
    assert "(position " in answer_.answer and "12345678Z" in answer_.answer


def test_the_command_line_follows_the_answers_language(service):
    english = service.ask("Can I post on Instagram a photo of the patients I saw today?")
    assert english.language == "en"
    text = render_text(english)
    assert text.startswith("⛔  DON'T POST IT  (no_permitido)")
    assert "\nSources:\n" in text and "--detalle" in text and "versión" not in text
    spanish = render_text(service.ask("¿Puedo subir al insta una foto de los vecinos que atendí hoy?"))
    assert spanish.startswith("⛔  NO LO PUBLIQUES") and "\nFuentes:\n" in spanish and DETAIL_HINT in spanish


# --------------------------------------------------------------------------- rules of the real guide


@pytest.mark.parametrize(
    ("question", "applies"),
    [
        # Praising the company whose contract you just awarded is endorsing it (Regla 20).
        (
            "Soy jefe del servicio de contratación de una diputación. Acabamos de adjudicar el contrato de "
            "limpieza y quiero felicitar en LinkedIn a la empresa ganadora. ¿Puedo?",
            True,
        ),
        # Thanking your own team, with no company in the post, is not.
        ("Trabajo en contratación. ¿Puedo felicitar a mi equipo por lo bien que ha salido el año?", False),
    ],
)
def test_congratulating_a_contractor_you_awarded_is_endorsing_it(question, applies, real):
    decision, _ = answer(question, real)
    assert ("Regla 20" in {a.rule.locator for a in decision.applied}) is applies
    if applies:
        assert decision.verdict is Verdict.NO_PERMITIDO


@pytest.mark.parametrize(
    ("question", "doubted"),
    [
        (
            "Soy profe. ¿Puedo subir al Instagram del colegio la foto de la excursión con los alumnos? "
            "No sé si todas las familias firmaron la autorización.",
            True,
        ),
        (
            "Soy profe. ¿Puedo subir al Instagram del colegio la foto de la excursión con los alumnos? "
            "Todas las familias firmaron la autorización.",
            False,
        ),
    ],
)
def test_a_lift_said_in_doubt_is_answered_as_something_to_check(question, doubted, real):
    decision, composed = answer(question, real)
    assert decision.verdict is Verdict.CON_CAUTELAS
    assert ("has dicho que no estás seguro: compruébalo" in composed.summary) is doubted
    assert ("confírmalo antes de publicar" in composed.summary) is not doubted
    assert ("(has dicho que no estás seguro)" in composed.text) is doubted


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        (
            "Soy trabajadora social. ¿Puedo subir a mi Facebook una foto de una familia que atendemos?",
            Verdict.NO_PERMITIDO,
        ),
        # Someone you attend can hardly refuse you freely: their consent softens the rule, it does not lift it.
        (
            "Soy trabajadora social. ¿Puedo subir a mi Facebook una foto de una familia que atendemos? "
            "Han firmado un papel diciendo que puedo publicarla.",
            Verdict.CON_CAUTELAS,
        ),
        # What the person published themselves may be shared.
        (
            "Soy bibliotecaria. Un usuario me ha dedicado su novela. ¿Puedo subir a Instagram la foto de esa página? "
            "Él mismo lo ha compartido en su Facebook.",
            Verdict.PERMITIDO,
        ),
    ],
)
def test_the_consent_of_someone_you_attend_asks_for_caution(question, verdict, real):
    decision, _ = answer(question, real)
    assert decision.verdict is verdict
    assert "Regla 41" in {a.rule.locator for a in decision.applied}


@pytest.mark.parametrize(
    "question",
    [
        "Soy guardia civil y me caso en junio. ¿Puedo subir a Instagram las fotos de la boda? Iré con el uniforme de gala.",
        "Sóc mossa d'esquadra i em caso al juny. Puc penjar a Instagram les fotos del casament? Aniré amb l'uniforme de gala.",
        "Son garda civil e caso en xuño. Podo subir a Instagram as fotos da voda? Irei co uniforme de gala.",
        "I'm a Guardia Civil officer and I'm getting married in June. Can I post the wedding photos on Instagram? I'll be in dress uniform.",
    ],
)
def test_a_police_officers_own_photo_in_uniform_asks_for_caution_in_every_language(question, real):
    # Their own rules on the uniform are not among the sources: not a plain «sí» (Regla 95).
    decision, _ = answer(question, real)
    assert decision.verdict is Verdict.CON_CAUTELAS
    assert "Regla 95" in {a.rule.locator for a in decision.applied}


def test_somebody_elses_uniform_or_none_is_not_the_police_uniform_rule(real):
    for question in (
        "Soy gestora procesal y mi marido es guardia civil. ¿Podemos subir fotos de la boda, él con el uniforme de gala?",
        "Guardia civil. ¿Puedo subir la foto del elenco de mi grupo de teatro? No salgo de uniforme ni digo dónde trabajo.",
    ):
        decision, _ = answer(question, real)
        assert "Regla 95" not in {a.rule.locator for a in decision.applied}, question


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        # Ley 29/2005 art. 10: once elections are called, only the electoral information or what is essential.
        (
            "Llevo las redes de un ministerio. Se acaban de convocar elecciones generales y tenemos una campaña "
            "pagada en Instagram sobre cómo pedir el abono de transporte. ¿Seguimos con ella?",
            "Regla 96",
        ),
        (
            "Som el gabinet de comunicació d'una conselleria. Ja s'han convocat les eleccions autonòmiques i tenim "
            "una campanya pagada a Instagram sobre com demanar l'ajut del lloguer. La mantenim?",
            "Regla 96",
        ),
        (
            "Levo as redes dunha consellería. Xa se convocaron as eleccións autonómicas e temos unha campaña pagada "
            "en Instagram sobre como pedir a axuda do aluguer. Seguimos con ela?",
            "Regla 96",
        ),
        (
            "I run the social media of a ministry. The general election has just been called and we have a paid "
            "campaign on Instagram about how to apply for the travel pass. Do we keep it running?",
            "Regla 96",
        ),
        # Ley 29/2005 arts. 3 and 8.1: the aim and the contract; the networks ask to mark paid content.
        (
            "Trabajo en el gabinete de comunicación de un ministerio. Queremos lanzar una campaña en Instagram sobre "
            "reciclaje pagando a una influencer. ¿Qué tenemos que tener en cuenta para publicarla?",
            "Regla 97",
        ),
        (
            "Treballo al gabinet de comunicació d'un ajuntament. Volem fer una campanya a Instagram sobre la "
            "recollida selectiva pagant una influencer del poble. La podem publicar així?",
            "Regla 97",
        ),
        (
            "Traballo no gabinete de comunicación dunha consellería. Queremos facer unha campaña en Instagram sobre "
            "reciclaxe pagando a unha influencer. Podemos publicala así?",
            "Regla 97",
        ),
        (
            "I work in the communications office of a ministry. We want to hire an influencer on TikTok for a "
            "campaign about saving water. Can we just post it?",
            "Regla 97",
        ),
    ],
)
def test_a_paid_official_campaign_asks_for_caution_in_every_language(question, rule, real):
    decision, _ = answer(question, real)
    assert decision.verdict is Verdict.CON_CAUTELAS
    assert rule in {a.rule.locator for a in decision.applied}


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        # a candidate's own campaign, and a paid campaign with no elections called
        (
            "Soy auxiliar administrativo de un ayuntamiento y voy en la lista de un partido a las municipales. "
            "¿Puedo hacer campaña en Instagram?",
            "Regla 96",
        ),
        (
            "Llevamos el Instagram de una consejería. Fuera de cualquier periodo electoral, queremos pagar una "
            "campaña para recordar cómo pedir cita para la vacuna de la gripe. ¿Algún problema?",
            "Regla 96",
        ),
        # an unpaid influencer friend on a personal account
        (
            "Soy enfermera y tengo una cuenta de divulgación en Instagram. Una influencer amiga me ha propuesto "
            "hacer juntas un directo sobre la lactancia, sin cobrar nada ninguna de las dos. ¿Puedo?",
            "Regla 97",
        ),
    ],
)
def test_what_is_not_a_paid_official_campaign_does_not_get_its_rule(question, rule, real):
    decision, _ = answer(question, real)
    assert rule not in {a.rule.locator for a in decision.applied}


@pytest.mark.parametrize(
    ("question", "applies"),
    [
        # EBEP art. 53.12 binds civilian staff at Defence: when a contingent leaves, how many, where to.
        (
            "Soy personal civil del Ministerio de Defensa en una base. ¿Puedo desear suerte en Instagram a los "
            "200 compañeros que salen el lunes desde la base rumbo a Letonia?",
            True,
        ),
        (
            "Sóc personal civil de Defensa a una base. Puc desitjar sort a Instagram als companys que surten "
            "dilluns en un nou desplegament?",
            True,
        ),
        (
            "I'm civilian staff at the Ministry of Defence. Can I post on Instagram that our brigade leaves on "
            "Monday on a new deployment?",
            True,
        ),
        # the ministry's own parade video, shared by a civilian: no operational detail
        (
            "Soy personal civil del Ministerio de Defensa. ¿Puedo compartir en X el vídeo del desfile del 12 de "
            "octubre que ha publicado el propio ministerio?",
            False,
        ),
    ],
)
def test_civilian_staff_at_defence_keep_a_units_movements_to_themselves(question, applies, real):
    decision, _ = answer(question, real)
    assert ("Regla 80" in {a.rule.locator for a in decision.applied}) is applies
    if applies:
        assert decision.verdict is Verdict.NO_PERMITIDO
