"""Follow-up questions (:mod:`bot.conversation`): a message read with the earlier turns of its
conversation, on the real knowledge/ folder (pure pipeline), through :class:`~bot.service.Service`,
the CLI's ``--jsonl`` and ``chat``, and the evaluation runner."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.conversation import (
    MAX_TURN_CHARS,
    MAX_TURNS,
    changes_topic,
    drops_part,
    follow,
    follows_up,
    is_reset,
    names_new_thing,
    next_context,
    picks_first,
    replaces_content,
    revises,
)
from bot.decision import RuleSpec, Situation, decide
from bot.models import Context, ImageSeen, Verdict
from bot.pipeline import image_hits, read
from bot.service import Service
from bot.settings import Settings
from bot.signals import SignalBook


@dataclass
class Said:
    """What the pure pipeline made of one turn."""

    verdict: Verdict
    rules: list[str]
    #: (signal, words, field) of every trigger of every applied rule.
    triggers: list[tuple[str, str, str]]
    draft: str | None


def talk(
    book: SignalBook,
    rules: list[RuleSpec],
    *turns: str | tuple[str, str | None] | tuple[str, str | None, list[ImageSeen]],
) -> list[Said]:
    """Each turn through read → follow → decide, as Service.ask does it."""
    context: Context | None = None
    said = []
    for turn in turns:
        question, draft, images = (turn, None, []) if isinstance(turn, str) else (*turn, [])[:3]
        reading = read(question, draft, book)
        if images:
            reading = reading.__class__(**{**reading.__dict__, "hits": reading.hits + tuple(image_hits(images, book))})
        followed = follow(reading, images, context, book)
        r = followed.reading
        decision = decide(
            Situation(
                r.hits,
                question_of_fact=r.question_of_fact,
                has_draft=followed.has_material(r.question_of_fact),
            ),
            rules,
            book,
        )
        context = next_context(context, reading, followed, informative=decision.verdict is Verdict.INFORMATIVO)
        said.append(
            Said(
                decision.verdict,
                [a.rule.locator for a in decision.applied],
                [(h.signal, h.text, h.field) for a in decision.applied for h in a.triggers],
                r.draft,
            )
        )
    return said


MINORS = (
    "Soy maestra. ¿Puedo subir a mi Instagram la foto de la excursión con mis alumnos de 8 años? Se les ve la cara."
)


@pytest.mark.parametrize(
    ("message", "verdict"),
    [
        # A computer that is on may show nothing: check it. A screen that can be read shows something.
        (
            "Quiero subir una foto mía en mi mesa, con el ordenador encendido detrás y papeles encima.",
            Verdict.CON_CAUTELAS,
        ),
        (
            "Quiero subir una foto mía en mi mesa; se lee la pantalla con el nombre de un ciudadano.",
            Verdict.NO_PERMITIDO,
        ),
    ],
)
def test_a_screen_that_may_show_something_asks_to_check_it(book, rules, message, verdict):
    (said,) = talk(book, rules, message)
    assert said.verdict is verdict


@pytest.mark.parametrize(
    ("message", "verdict"),
    [
        # An adult's «yes» said only by word of mouth lifts the rule one grade: get it in writing.
        (
            "Quiero contar en Instagram la historia de un usuario que atendí en la oficina, con su nombre de "
            "pila y su situación, porque me dijo de palabra que no le importaba.",
            Verdict.CON_CAUTELAS,
        ),
        (
            "Quiero contar en Instagram la historia de un usuario que atendí en la oficina, con su nombre de "
            "pila y su situación.",
            Verdict.NO_PERMITIDO,
        ),
        # For children it is not enough: their families' written authorisation is.
        (
            "He grabado a mis alumnos de 2º de la ESO con sus caras y sus nombres; se lo dije a ellos de "
            "palabra y les pareció genial. ¿Lo subo a TikTok?",
            Verdict.NO_PERMITIDO,
        ),
    ],
)
def test_consent_by_word_of_mouth_lifts_one_grade_and_never_for_children(book, rules, message, verdict):
    (said,) = talk(book, rules, message)
    assert said.verdict is verdict


def test_signed_consent_in_a_follow_up_lifts_the_minors_rule(book, rules):
    first, second = talk(book, rules, MINORS, "¿Y si tengo la autorización firmada de las familias?")
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.CON_CAUTELAS
    # the earlier facts still hold, and the answer says they come from before
    assert any(field == "conversacion" for _, _, field in second.triggers)


def test_another_network_keeps_the_situation_and_asks_for_a_verdict(book, rules):
    first, second = talk(book, rules, MINORS, "¿Y en LinkedIn?")
    assert second.verdict is first.verdict is Verdict.NO_PERMITIDO
    assert second.rules[0] == first.rules[0]


@pytest.mark.parametrize("again", ["¿seguro?", "Are you sure? They did not seem to mind.", "¿Y qué artículo es?"])
def test_an_elliptic_follow_up_keeps_the_verdict(book, rules, again):
    first, second = talk(book, rules, MINORS, again)
    assert second.verdict is first.verdict  # not «informativo»


def test_a_follow_up_that_also_asks_for_information_gets_information(book, rules):
    first, second = talk(
        book, rules, MINORS, "Entendido. ¿Y si no lo subo y lo hablo con la dirección? ¿Qué dice el estatuto de eso?"
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.INFORMATIVO


@pytest.mark.parametrize(
    "again",
    [
        "Al final lo cuelga el equipo directivo en la página oficial del cole. ¿Así sí, con caras y todo?",
        "Espera, haciendo zoom veo que al fondo sale la pizarra con los nombres. ¿Cambia algo?",
    ],
)
def test_after_a_verdict_a_follow_up_asks_for_one_unless_it_asks_for_information(book, rules, again):
    _, second = talk(book, rules, MINORS, again)
    assert second.verdict is not Verdict.INFORMATIVO


def test_the_last_clause_of_a_follow_up_can_ask_for_information(book, rules):
    _, second = talk(
        book, rules, MINORS, "¿Y si después me abren un expediente disciplinario por publicarlo, qué protección tengo?"
    )
    assert second.verdict is Verdict.INFORMATIVO


def test_after_an_answer_with_information_a_short_follow_up_asks_for_more(book, rules):
    first, second = talk(
        book,
        rules,
        "¿Qué dice el estatuto sobre la libertad de expresión de los funcionarios?",
        "¿y el personal laboral?",
    )
    assert first.verdict is second.verdict is Verdict.INFORMATIVO


ELECTION = "Estamos en periodo electoral. ¿Puedo publicar un vídeo con los logros del gobierno municipal?"


def test_the_official_account_in_a_follow_up_brings_its_rules_and_the_personal_one_cancels_it(book, rules):
    personal, official, back = talk(
        book, rules, ELECTION, "¿Y desde la cuenta oficial del ayuntamiento?", "¿Y en mi cuenta personal?"
    )
    assert official.verdict is Verdict.NO_PERMITIDO
    assert ("cuenta_oficial", "cuenta oficial del ayuntamiento", "pregunta") in official.triggers
    assert any(signal == "periodo_electoral" and field == "conversacion" for signal, _, field in official.triggers)
    assert personal.verdict is not Verdict.NO_PERMITIDO
    assert back.verdict is not Verdict.NO_PERMITIDO
    assert all(signal != "cuenta_oficial" for signal, _, _ in back.triggers)


@pytest.mark.parametrize(
    ("first_message", "follow_up"),
    [
        # it replaces the content
        (
            "Soy policía local. ¿Puedo subir a mi TikTok el vídeo de la detención de ayer? Se ve la cara del detenido.",
            "¿Y si en vez del vídeo subo un consejo general para evitar tirones?",
        ),
        # it opens another matter
        (
            "Llevo la cuenta oficial del ayuntamiento. ¿Puedo subir la foto de los niños del campamento? Se les ve la cara.",
            "Gracias. Otra cosa: ¿puedo publicar el horario de verano de la biblioteca?",
        ),
    ],
)
def test_a_follow_up_that_drops_the_content_keeps_who_posts(book, rules, first_message, follow_up):
    first, second = talk(book, rules, first_message, follow_up)
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is not Verdict.NO_PERMITIDO
    kept = {signal for signal, _, field in second.triggers if field == "conversacion"}
    assert all(book.get(signal).persists for signal in kept)


def test_another_thing_named_for_the_account_is_another_post(book, rules):
    """After the party's rally on the official account, «¿Y en la cuenta oficial el cartel de las
    fiestas?» asks about the poster alone; the account still holds."""
    _, official, poster = talk(
        book,
        rules,
        "Soy asesor del alcalde. ¿Puedo subir a mi Instagram personal fotos del mitin de mi partido?",
        "¿Y subirlas también a la cuenta oficial del ayuntamiento?",
        "¿Y en la cuenta oficial el cartel de las fiestas patronales que organiza el ayuntamiento?",
    )
    assert official.verdict is Verdict.NO_PERMITIDO
    assert poster.verdict is Verdict.PERMITIDO
    assert all(signal != "partidista" for signal, _, _ in poster.triggers)
    assert any(signal == "cuenta_oficial" for signal, _, _ in poster.triggers)


@pytest.mark.parametrize(
    ("message", "earlier", "expected"),
    [
        ("¿Y en la cuenta oficial el cartel de las fiestas?", ["¿Puedo subir fotos del mitin?"], True),
        ("¿Y colgar desde la oficial las fotos del alcalde en la inauguración?", ["¿Y mensajes de apoyo?"], True),
        ("I al compte oficial el cartell de la festa major?", ["Puc penjar fotos del míting?"], True),
        ("And on the official account, the poster for the festival?", ["Can I post the rally photos?"], True),
        # The official note about it, never named before, is another thing to share.
        ("Vale. ¿Y la nota de prensa oficial sí la puedo pasar?", ["¿Puedo mandar la foto de su DNI?"], True),
        ("¿Y la nota de prensa?", ["Quiero compartir la nota de prensa con un comentario"], False),
        # The same thing, named before: the same post from another account.
        ("¿Y en la cuenta oficial el vídeo?", ["¿Puedo subir el vídeo del simulacro?"], False),
        ("¿Y desde la oficial las fotos?", ["¿Puedo subir la foto del equipo?"], False),
        # Not a thing for an account.
        ("¿Y en LinkedIn?", ["¿Puedo subir el vídeo del simulacro?"], False),
        # «¿Y la/el …?» naming something new is another post, in every language; the text of the
        # same post, a day, or something named before is not.
        (
            "¿Y la resolución de servicios mínimos, que ya ha salido en el boletín?",
            ["¿Pongo la lista de los que no hicieron huelga?"],
            True,
        ),
        ("¿Y una de la fachada desde la carretera?", ["¿Puedo subir una foto del patio del módulo?"], True),
        ("I la resolució de serveis mínims, que ja ha sortit al butlletí?", ["Puc penjar la llista?"], True),
        ("E a resolución de servizos mínimos, que xa saíu no boletín?", ["Podo poñer a lista?"], True),
        ("And the minimum-services order, already published in the bulletin?", ["Can I post the list?"], True),
        ("And one of the front of the building?", ["Can I post a photo of the prison yard?"], True),
        # the name of the school for the same post adds to it; so does the text of the same post
        ("¿Y el nombre del colegio, lo pongo?", ["¿Puedo subir la foto de la excursión con mis alumnos?"], False),
        ("And the school's name, do I add it?", ["Can I post the photo of the school trip?"], False),
        ("Y el texto sería este:", ["¿Puedo subir una foto de la cena?"], False),
        ("¿Y el lunes después de las elecciones?", ["¿Subo el carrusel?"], False),
        ("¿Y la foto del patio, que ya ha salido en la web?", ["¿Puedo subir una foto del patio del módulo?"], False),
        # «que ya está impreso» says nothing about being out
        ("¿Y el cartel, que ya está impreso?", ["¿Puedo subir la foto?"], False),
        ("¿Y la resolución, que ya está en el BOE?", ["¿Puedo subir la lista?"], True),
        # the official one of something named before; a body's page and what goes on it
        (
            "Vale. ¿Y el vídeo oficial de la Junta Electoral explicando cómo votar por correo?",
            ["Quiero compartir en mi Instagram un vídeo del mitin"],
            True,
        ),
        (
            "¿Y en la página del ayuntamiento los horarios de los colegios electorales?",
            ["¿Cuelgo en el Facebook oficial un resumen de las obras?"],
            True,
        ),
    ],
)
def test_names_new_thing(message, earlier, expected):
    assert names_new_thing(message, earlier) is expected


def test_dropping_a_part_while_changing_the_account_drops_what_was_said_about_it(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy vigilante en un museo. ¿Puedo explicar en TikTok cómo funciona el sistema de alarmas de las salas?",
        "Ahora me lo pide la dirección para el canal oficial del museo, y quitaríamos toda la parte de alarmas. ¿Así?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is not Verdict.NO_PERMITIDO
    assert not any(
        field == "conversacion" and signal == "seguridad_instalaciones" for signal, _, field in second.triggers
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("y quitaríamos toda la parte de alarmas. ¿Así?", True),
        ("Ok ok, nada de paquetes ni direcciones. Solo yo, la moto y los paisajes", True),
        ("¿Y solo yo en la foto?", True),
        ("¿Y si explico lo mismo con el router de mi casa, sin nada del trabajo?", True),
        ("And if I just say it is mistaken, without mentioning anything internal?", True),
        ("I si ho explico sense res de la feina?", True),
        ("E se o conto sen nada do traballo?", True),
        ("¿Y si quito el logo?", False),  # a removal of one thing: read by the signals, not here
        ("Yo solo quiero saber si puedo", False),
    ],
)
def test_drops_part(message, expected):
    assert drops_part(message) is expected


def test_replacing_who_posts_keeps_what_is_posted(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy auxiliar administrativo en una consejería. En mi X personal, ¿puedo apoyar a un partido en la campaña?",
        "¿Y si en vez de auxiliar fuera guardia civil en activo?",
    )
    assert first.verdict is not Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.NO_PERMITIDO
    assert any(field == "conversacion" for _, _, field in second.triggers)


@pytest.mark.parametrize(
    ("first_message", "change", "dropped"),
    [
        # the second turn cancels a signal (the personal account cancels the official one)
        (
            "Llevo la cuenta oficial del ayuntamiento. Estamos en periodo electoral: ¿subo un vídeo con los logros del gobierno?",
            "¿Y desde mi cuenta personal?",
            "cuenta_oficial",
        ),
        # the second turn replaces the content
        (
            "Soy policía local. ¿Puedo subir a mi TikTok el vídeo de la detención de ayer? Se ve la cara del detenido.",
            "¿Y si en vez del vídeo subo un consejo general para evitar tirones?",
            "persona_identificable",
        ),
    ],
)
def test_what_a_turn_drops_stays_dropped_in_later_turns(book, rules, first_message, change, dropped):
    first, second, third = talk(book, rules, first_message, change, "¿Y en LinkedIn?")
    assert first.verdict is Verdict.NO_PERMITIDO
    assert third.verdict is not Verdict.NO_PERMITIDO
    assert all(signal != dropped for signal, _, _ in second.triggers + third.triggers)


@pytest.mark.parametrize(
    "removal", ["¿Y si tapo la matrícula?", "¿Y si pixelo la matrícula del camión?", "What if I blur the number plate?"]
)
def test_what_a_follow_up_takes_out_leaves_the_post(book, rules, removal):
    first, second = talk(
        book, rules, "¿Puedo tuitear la foto del camión que vertía escombros en el monte? Se ve la matrícula.", removal
    )
    assert any(signal == "datos_personales" for signal, _, _ in first.triggers)
    assert all(signal != "datos_personales" for signal, _, _ in second.triggers)
    assert second.verdict is not Verdict.NO_PERMITIDO


def test_a_question_for_information_after_a_draft_is_answered_with_information(book, rules):
    first, second = talk(
        book,
        rules,
        ("¿Puedo publicar esto en X?", "Adjunto captura del correo interno de la gerencia: no cubrirán las plazas."),
        "¿Y la ley del informante me protegería si lo denuncio por el canal interno?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.draft is not None  # still the post discussed, but not what this message asks about
    assert second.verdict is Verdict.INFORMATIVO


@pytest.mark.parametrize(
    "aside",
    [
        "Por curiosidad, ¿hay funcionarios que no pueden hacer campaña ni siquiera en su cuenta personal?",
        "Por saber: si alguien filtrara una resolución antes de notificarla, ¿qué le podría caer?",
        "Curiosidad: lo que subo a la cuenta de la biblioteca, ¿de quién es?",
        "Just out of curiosity, are there officials who cannot campaign at all?",
        "Entendido. ¿Y en general qué dice la ley sobre cuándo tiene la Administración que publicar sus actos?",
        "Got it. And in general, what does the law say about when the Administration must publish its acts?",
        "Entesos. I en general, què diu la llei sobre quan s'han de publicar els actes?",
    ],
)
def test_a_general_question_after_a_verdict_is_answered_with_information(book, rules, aside):
    first, second = talk(
        book, rules, "Estamos en campaña y mi primo va en una lista. ¿Puedo compartir su cartel en mi Facebook?", aside
    )
    assert first.verdict is not Verdict.INFORMATIVO
    assert second.verdict is Verdict.INFORMATIVO


def test_the_person_announcing_it_herself_lifts_hinting_at_who_it_is(book, rules):
    first, second = talk(
        book,
        rules,
        "Estoy en el padrón y hoy se ha empadronado una cantante. ¿Puedo poner en X «adivinad quién viene al pueblo»?",
        "Pero es que ella misma ha subido hoy un vídeo diciendo que se muda a nuestro pueblo.",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.CON_CAUTELAS


def test_a_photo_of_oneself_does_not_make_someone_elses_number_plate_ones_own(book, rules):
    (answer,) = talk(
        book,
        rules,
        "Soy policía local. ¿Puedo subir una foto mía junto al coche de un vecino, con la matrícula 4829 KLM?",
    )
    assert answer.verdict is not Verdict.PERMITIDO


def test_a_follow_up_after_a_general_aside_still_asks_about_the_post(book, rules):
    first, second, third = talk(
        book,
        rules,
        "Estamos en campaña y mi primo va en una lista. ¿Puedo compartir su cartel en mi Facebook?",
        "Por curiosidad, ¿hay funcionarios que no pueden hacer campaña ni siquiera en su cuenta personal?",
        "¿Y en Instagram igual?",
    )
    assert first.verdict is not Verdict.INFORMATIVO
    assert second.verdict is Verdict.INFORMATIVO
    assert third.verdict is not Verdict.INFORMATIVO


def test_a_follow_up_after_a_question_for_information_stays_a_question_for_information(book, rules):
    *_, third = talk(
        book,
        rules,
        "Estamos en campaña y mi primo va en una lista. ¿Puedo compartir su cartel en mi Facebook?",
        "¿Qué dice la ley electoral sobre los funcionarios en campaña?",
        "¿Y sobre los militares?",
    )
    assert third.verdict is Verdict.INFORMATIVO


def test_a_lift_said_earlier_does_not_cover_a_risk_this_message_adds(book, rules):
    first, second, third = talk(
        book,
        rules,
        ("¿Puedo tuitear esto?", "Nos ha entrado un ransomware y está todo caído. Oficialmente aún no han dicho nada."),
        "¿Y si espero al comunicado oficial y lo único que hago es compartirlo tal cual?",
        "¿Y si al compartirlo añado que llevamos años con servidores sin actualizar?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.PERMITIDO
    assert third.verdict is Verdict.NO_PERMITIDO
    assert ("seguridad_instalaciones", "servidores sin actualizar", "pregunta") in third.triggers


def test_an_earlier_consent_does_not_cover_someone_new(book, rules):
    *_, third = talk(
        book,
        rules,
        "¿Puedo subir a Instagram la foto de grupo de la cena de Navidad con los compañeros?",
        "Todos me han dado su permiso.",
        "¿Y la de Lucía Gómez dormida en la mesa? A ella no le he preguntado.",
    )
    assert third.verdict is not Verdict.PERMITIDO


def test_consent_given_later_cancels_the_missing_consent(book, rules):
    first, second = talk(
        book,
        rules,
        "¿Puedo subir a mi Instagram la foto de la vecina del quinto en la fiesta del barrio? No le he preguntado.",
        "Ya se lo he preguntado y me ha firmado una autorización por escrito.",
    )
    assert (
        any(signal == "sin_consentimiento" for signal, _, _ in first.triggers) or first.verdict is not Verdict.PERMITIDO
    )
    assert all(signal != "sin_consentimiento" for signal, _, _ in second.triggers)


def test_the_draft_stays_until_a_new_one_comes(book, rules):
    draft = "Atendimos hoy a Juan Pérez García, DNI 12345678Z, por su multa."
    first, second, third = talk(
        book,
        rules,
        ("¿Puedo publicar esto en mi Facebook?", draft),
        "¿Y en Instagram?",
        ("¿Y así?", "¡Qué buen día de trabajo hoy en la oficina! ☀️"),
    )
    assert first.verdict is second.verdict is Verdict.NO_PERMITIDO
    assert second.draft == first.draft  # still the post being discussed
    assert third.draft is not None and "12345678Z" not in third.draft
    assert third.verdict is not Verdict.NO_PERMITIDO


def test_photos_stay_until_new_ones_come(book, rules):
    faces = ImageSeen(text="", faces=3, crowd=False)
    first, second = talk(book, rules, ("¿Puedo publicar esto?", None, [faces]), "¿Y en Facebook?")
    assert first.verdict is second.verdict
    assert any(field == "imagen" for _, _, field in second.triggers)


def test_a_corrected_text_keeps_the_photos_in_later_turns(book, rules):
    faces = ImageSeen(text="", faces=3, crowd=False)
    *_, third = talk(
        book,
        rules,
        ("¿Puedo publicar esto?", "Foto de la cena con el equipo", [faces]),
        ("Lo he cambiado, mira:", "Cena de equipo 🎄"),
        "¿Y en Facebook?",
    )
    assert any(field == "imagen" for _, _, field in third.triggers)


def test_without_context_a_message_is_read_alone(book, rules):
    (alone,) = talk(book, rules, "¿Y si tengo la autorización firmada de las familias?")
    together = talk(book, rules, MINORS, "¿Y si tengo la autorización firmada de las familias?")[1]
    assert alone.rules != together.rules


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("¿Y si tengo la autorización?", True),
        ("¿Y en LinkedIn?", True),
        ("¿seguro?", True),
        ("Vale, pero ¿y si lo subo mañana?", True),
        ("I si ho penjo a Facebook?", True),
        ("E se o publico na conta oficial?", True),
        ("What if I blur the faces?", True),
        ("Eta Facebooken?", True),
        ("¿Puedo publicar en mi Instagram una foto de mi perro en la playa de Cádiz este verano?", False),
        ("Soy enfermera y quiero contar en X cómo fue mi primera guardia en urgencias", False),
        ("nueva pregunta", False),
        ("", False),
        ("Jo. ¿Y si espero a que salga en el BOE la lista de aprobados?", True),  # its first question opens so
        ("Entendido, gracias por la respuesta tan completa. ¿Y si lo subo mañana?", True),
        # a pronoun that points back, or a bare «¿ya?» / «¿así sí?»
        ("lo repetimos en la sala de descanso, sin nadie más. ¿ya?", True),
        ("¿Así sí?", True),
        ("Ya que estamos, ¿me recomiendas tú alguna buena novela negra nórdica?", False),
        # without «¿», the first sentence that ends in «?» after another one
        ("Great. And can I add in my caption how we found it? The tip-off and the warehouse.", True),
        ("Can I post a photo of my dog on the beach in Cádiz this summer on my Instagram?", False),
    ],
)
def test_follows_up(message, expected):
    assert follows_up(message) is expected


@pytest.mark.parametrize(
    "message", ["/nuevo", "Nueva pregunta", "otra consulta", "nova pregunta", "galdera berria", "New question!"]
)
def test_reset_words_in_every_language(message):
    assert is_reset(message)
    assert not is_reset(f"{message} sobre la foto de mi equipo")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("¿Y si en vez del vídeo subo un consejo?", True),
        ("¿Y si solo pongo la cifra total de sanciones?", True),
        ("I si només poso el nombre total de sancions?", True),
        ("What if I post a general tip instead of the video?", True),
        ("¿Y si solo lo comparto con mis amigos?", False),
        ("What if I only share it with close friends?", False),
        ("¿Y en LinkedIn?", False),
        ("Vale, ¿y si lo subo a LinkedIn en vez de a Instagram?", False),  # only the network changes
        ("What if I post it on X instead of Facebook?", False),
        ("¿Y si le respondo solo «le escribimos por privado»?", True),
        ("¿Y si lo cambio por «qué semana más dura»?", True),
        ("¿Y solo las que insultan a la médica?", True),
        ("What if I change it to a general tip?", True),
        ("¿Y si lo comparto solo con mis amigos?", False),
        ("Vale, la he recortado y ya solo salimos nosotras", True),
        ("I si ho dic de manera genèrica?", True),
        ("¿Y un tuit recordando el plazo del voto por correo?", True),  # another post
        ("¿Y si añado un tuit con el enlace?", False),
        ("Vale. ¿Y un tuit animando a ir a votar, sin decir a quién?", True),  # after a first sentence
        ("¿Y si la recorto y solo quedamos nosotras y el árbol?", True),
        ("Vale, recorteina: só eu e o can. E agora?", True),
        ("Ya lo ha sacado el periódico. ¿Puedo retuitear la noticia?", True),
        ("Vale, olvido el accidente. Grabo uno mío explicando qué hacer", True),
        ("Vale, ese no. ¿Y uno explicando cómo es la oposición?", True),
        ("¿Y si lo retuiteo añadiendo un comentario?", False),
        ("¿Y si recorto la foto para que solo salgamos nosotras?", True),
        ("He quitado el audio y lo he vuelto a grabar el domingo, que libraba", True),
        ("Entonces, ¿qué podemos publicar? ¿Un post explicando cómo votar por correo?", True),
        ("Vale, entón subo só a foto do autor asinando libros", True),
        ("Vale, la borro. ¿Y un vídeo mío cantando en la cabina antes del turno?", True),
        ("Ok, nada. Cuando se publiquen las notas en la sede, ¿puedo compartir el enlace?", True),
        ("Vale, lo dejo estar. Entonces comparto la campaña del ayuntamiento, ¿no?", True),
        ("¿Y si borro el nombre?", False),
        ("Vale, quito el camión y la matrícula. Solo la foto del barranco, sin decir el sitio", True),
        ("Entendido. ¿Y desde la cuenta oficial puedo al menos recordar las fechas del voto por correo?", True),
        ("Tengo solo la foto del grupo, ¿la subo?", False),
        ("¿Y si no digo qué granja ni dónde, y hablo en general del problema, sin fotos?", True),
        ("¿Y si lo digo en general, tipo 'cada semana vemos pacientes mayores en urgencias'?", True),
        ("Descartado. ¿Y si grabo con mi sobrina, simulando un examen?", True),
        ("Vale, la quito. ¿Y puedo decir que la gestión es nefasta?", True),
        # a plain retraction («no, no, eso nada») drops what was asked before
        ("No, no, eso nada. ¿Y si digo que los servicios mínimos son abusivos?", True),
        ("No, això no. I si dic que els serveis mínims són abusius?", True),
        ("Non, iso non. E se digo que os servizos mínimos son abusivos?", True),
        ("¿Y si no lo cuelgo y lo cuento con mis palabras?", False),  # the same content, retold
        ("¿Y si la quito?", False),
        ("Vale, ¿y la campaña de turismo que ya lanzamos el año pasado?", True),
        ("Y cuando pasen las elecciones, ¿puedo tuitear con mi nombre que el plan de tráfico es un desastre?", True),
        ("lo repetimos en la sala de descanso, sin nadie más. ¿ya?", True),
        ("¿Y si la campaña pagada explica cómo pedir cita con la app nueva?", True),
        ("¿Y si el vídeo lo subo también a TikTok?", False),
        ("Vale, olvida la marca: no cobro nada. ¿Así ya puedo?", True),
        ("Vale. ¿Y una foto de la portada con una reseña escrita por mí?", True),
        ("¿Y si lo grabo en mi casa, contando en general cómo es el trabajo?", True),
        ("Entendido. ¿Y en ese periodo podemos publicar un post explicando los plazos?", True),
        ("¿Y si publico un post con la foto?", False),  # adds to the post
        ("Vale, sin foto. Solo texto: 'nos obligan a cambiar la contraseña cada mes'", True),
        ("¿Tengo que citar el texto del decreto?", False),
        ("Vale, entonces pongo solo: 'Ya ha salido la resolución, consultadla en la sede'", True),
        # «solo '…'» may quote only the part that changes («solo 'un delantero de Primera'»)
        ("¿Y si no digo quién es? Solo 'un delantero de un equipo de Primera que todos conocéis'.", False),
        ("Lo hemos repetido en la sala de fisio vacía, sin nadie más. ¿Y ahora?", True),  # another video
        # what the official account may say in the campaign: another post
        ("Entendido. ¿Y desde la del ayuntamiento puedo poner dónde están los colegios electorales?", True),
        ("Vale. ¿Y durante la campaña puedo publicar el día de la votación y cómo pedir el voto por correo?", True),
        # an opinion on a named proposal is another post; a bare opinion may be added to the same one
        ("Vale. ¿Y cuando acabe la campaña podré poner que me parece bien la propuesta de peatonalizar?", True),
        ("¿Y puedo poner que me parece fatal?", False),
        # only the official notice now, not the draft discussed before
        ("Vale, no voy a la cena. ¿Y simplemente compartir el anuncio oficial de la adjudicación?", True),
        ("¿Y solo retuitear la noticia del periódico?", True),
        ("Hoy la consejería ha sacado una nota de prensa con el nombre del local. ¿Puedo compartir la nota?", True),
        ("¿Puedo compartir la nota que le pusieron?", False),  # a grade, not an official note
        ("I puc compartir la nota de premsa de la conselleria?", True),
        ("E podo compartir a nota de prensa da consellería?", True),
        (
            "El gabinete de prensa ya ha publicado una nota con una foto de los fardos. ¿Puedo compartir esa publicación tal cual?",
            True,
        ),
        ("Entendido. ¿Y si publico el anuncio de la licitación en la web y en el Facebook oficial?", True),
        ("Can I share the press release the council put out today?", True),
        ("Entendido. ¿Y compartir sin más la noticia del periódico con un comentario general?", True),
        ("OK. And just share the official notice of the award, without comment?", True),
        ("I simplement compartir l'anunci oficial de l'adjudicació?", True),
        ("E simplemente compartir o anuncio oficial?", True),
        # «Olvidado» drops what was asked; «lo que anuncio es…» puts something else in its place.
        ("Vale, olvidado. ¿Y si lo que anuncio es un curso para compañeros?", True),
        ("¿Y si lo que publico es solo el enlace a la convocatoria?", True),
        # another act on the same comment, another post after the elections, dropping one detail
        ("¿Y contestarle desde la cuenta con un «gracias por avisar»?", True),
        ("¿Y cuando pasen las elecciones? Si sale concejal, ¿le puedo poner un tuit felicitándole?", True),
        ("Vale, quito lo del señor. ¿Y si lo subo con el logo detrás?", True),
        ("¿Y si le contesto con su nota?", False),  # adds to the reply discussed
        # «en su lugar»: the official post instead of the one discussed
        ("Vale, lo paro. ¿Y si en su lugar comparto la publicación oficial de Interior?", True),
        # «poner solo '…'»: only that, not the details added before
        ("¿Y poner solo 'ayer un interno agredió a un compañero', sin más?", True),
        ("D'acord. I posar només 'ahir un intern va agredir un company', sense res més?", True),
        ("Lo pondría en un post aparte, sin el nombre de mi universidad.", True),
        # the asker alone now, or without anyone from before
        ("¿Y bailar yo sola en la sala de ocio del centro, sin ningún chico?", True),
        ("D'acord, ho trec. I penjar fotos d'un pis que he reformat?", True),
        ("OK, I'll take that out. And a photo of the building?", True),
        ("E se en vez do vídeo escribo un texto contando o que sinto?", True),
        # another post said with its verb: «¿Y avisar de…?», «¿Y compartir el anuncio…?»
        ("¿Y avisar del corte de agua del jueves en el barrio norte por una avería?", True),
        ("Vale. ¿Y decir que la propuesta de calendario no nos convence?", True),
        ("¿Y compartir el anuncio oficial de la adjudicación, sin mencionar a mi cuñado?", True),
        ("¿Y decir también que el detenido es del barrio?", False),  # adds to the post
        ("¿Y sin ubicación, solo una foto del águila en vuelo?", True),
        ("¿Y si lo comparto sin poner nada, solo el vídeo?", False),  # the same video, without the comment
        ("OK, what if I only film the storage shelves, with no sensors in shot?", True),
        # a photo of the asker now, not the one discussed
        ("¿Y una mía sola, de uniforme, en la puerta de fuera del centro?", True),
        ("¿Y una foto mía en la playa?", True),
        ("And one of me alone at the gate?", True),
        ("What if I only say we're working on this topic with an industry partner?", True),
        ("¿Y una con mis compañeros también?", False),  # not the asker's own
        # the asker records herself alone now
        ("I si em gravo jo sola a casa i dic a quin institut treballo?", True),
        ("¿Y si me grabo sola en casa?", True),
        # a quoted new text followed by «¿Mejor?» is the whole post now
        ('Fine, no names. "Management here couldn\'t care less about citizens or staff." Better?', True),
        ("Vale, sin nombres. «La dirección pasa de todo con la gente.» ¿Mejor?", True),
        ("D'acord, sense noms. «La direcció passa de tot.» Millor?", True),
        ("Vale, sen nomes. «A dirección pasa de todo.» Mellor?", True),
        ("¿Es mejor en X o en LinkedIn?", False),
        ("Which is better?", False),
        # the official note, shared as it is, instead of one's own photo
        (
            "¿Y si la cuenta oficial ya ha publicado la nota de prensa y yo simplemente la comparto en mis stories?",
            True,
        ),
        ("¿Y si la comparto en mis stories?", False),
        # somebody else posts it and the asker only shares it; the told story made generic
        ("¿Y si es ella la que sube la copia que le dieron y yo solo lo comparto?", True),
        ("¿Y si lo cuento genérico del todo, sin provincia ni fechas?", True),
        # giving the first post up: what comes next is another post
        ("Nada, no lo hago. ¿Y en la página del ayuntamiento los horarios?", True),
        ("Nada, lo dejo. ¿Y una foto de la fachada?", True),
        ("Nada más que eso, ¿lo subo?", False),
        # in an election period, the official account's usual notices are other posts
        ("¿Y un aviso en la misma cuenta de que el domingo se corta un carril por obras?", True),
        ("¿Y en plena campaña puedo tuitear desde la cuenta del ayuntamiento que el martes cortan el agua?", True),
        ("¿Y la cuenta de la biblioteca puede seguir anunciando el club de lectura, como siempre?", True),
        ("¿Y desde la oficial puedo difundir la orden de ayudas que salió ayer en el diario oficial?", True),
        ("¿Puede seguir así?", False),
        # everything changed; a new piece on a general topic; a bare retweet of the news
        ("Lo he cambiado todo: ahora grabo en mi garaje, el fin de semana, con mis herramientas.", True),
        ("¿Y si hago un vídeo divulgativo para YouTube sobre seguridad alimentaria?", True),
        ("¿Y si hago solo un retuit de la noticia de El País, sin escribir nada?", True),
        ("¿Y si hago un vídeo con la misma foto?", False),
        ("He cambiado el título, ¿vale?", False),
    ],
)
def test_replaces_content(message, expected):
    assert replaces_content(message) is expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("¡Ya ha salido! 🎉 Otra cosa: la academia me ofrece dar clases. ¿Puedo anunciarlo?", True),
        ("Cool, thanks! Totally unrelated: do you have a good paella recipe?", True),
        ("Cambiando de tema, ¿puedo poner mi cargo en LinkedIn?", True),
        ("Gràcies. Una altra cosa: puc penjar el cartell de la festa?", True),
        ("Grazas. Outra cousa: podo compartir o horario?", True),
        ("Another question: can I share the job offer?", True),
        ("Genial, gracias. Oye, ¿y cómo hago para que las croquetas no se abran?", True),
        ("¡gracias!! ¿y sabes si va a llover el sábado en Valladolid?", True),
        ("Por cierto, ¿sabes si sale más barato AWS o Azure?", True),
        ("Perfecto. Oye, ¿y tú sabes cuántas horas hay que dejar las lentejas en remojo?", True),
        ("Y ya que estás, ¿cómo purgo un radiador que gotea?", True),
        ("Ya que estamos, ¿me recomiendas una novela?", True),
        ("Ya que estamos, ¿lo subo también a LinkedIn?", False),
        ("Oye, ¿y sabes si puedo subirlo también a LinkedIn?", False),
        ("Gracias. ¿Y en LinkedIn?", False),
        ("¿Y si pongo otra cosa en el texto?", False),  # the same post, other words: not another matter
        ("¿Y en LinkedIn?", False),
        ("", False),
    ],
)
def test_changes_topic(message, expected):
    assert changes_topic(message) is expected


@pytest.mark.parametrize(
    ("reads", "message", "expected"),
    [
        # revises: a draft sent as the corrected post
        (revises, "Vale, lo he cambiado, mira:", True),
        (revises, "¿Así sí?", True),
        (revises, "I've changed it, how about now?", True),
        (revises, "L'he canviat, mira:", True),
        (revises, "Lo reformulo. ¿Y esto?", True),
        (revises, "Vale, ¿y esto?", False),  # may be the caption of the photo discussed
        (revises, "¿Y así?", True),
        (revises, "Vale, ¿así?", True),
        (revises, "¿Lo dejo así?", True),
        (revises, "I és així?", True),
        (revises, "OK, like this?", True),
        (revises, "Pensaba algo así:", False),  # the text, not a new version asked about
        (revises, "Lo tengo así escrito, ¿qué te parece?", False),
        (revises, "¿Y sin el nombre? Solo esto:", True),
        (revises, "¿Y si lo dejo en esto, sin foto?", True),
        (revises, "y esto es lo que quiero", False),
        (revises, "¿Puedo publicar esto?", False),
        (revises, "¿Y en LinkedIn?", False),
        # picks_first: back to what the first message described
        (picks_first, "Vale, subo la primera y en LinkedIn pongo las gracias", True),
        (picks_first, "Me quedo con la de antes", True),
        (picks_first, "Vale, nada de clips. El vídeo del principio, ¿lo subo también a YouTube?", True),
        (picks_first, "Entendido. Lo del recorte, el primer texto sin el insulto, ¿lo pongo en LinkedIn?", True),
        (picks_first, "OK, I'll post the first one then", True),
        (picks_first, "Vale. ¿Y cuando pasen las elecciones puedo volver a criticar la ley como al principio?", True),
        (picks_first, "¿Y si subo otra?", False),
    ],
)
def test_how_a_follow_up_refers_to_the_post(reads, message, expected):
    assert reads(message) is expected


@pytest.mark.parametrize(
    ("turns", "dropped"),
    [
        # a corrected draft replaces what was said about the post (only who posts is carried)
        (
            (
                "Soy conserje de un colegio. La caldera lleva tres semanas rota. ¿Puedo quejarme en mi Facebook?",
                "Es que quiero poner el nombre del concejal de Educación y llamarle inútil y vago",
                (
                    "Vale, lo he cambiado, mira:",
                    "Tres semanas sin calefacción en el colegio. Pedimos al Ayuntamiento que lo arregle ya.",
                ),
            ),
            None,
        ),
        # going back to the first photo leaves what was said about the second
        (
            (
                "Me jubilo el viernes. ¿Puedo subir a Instagram una foto de mi mesa recogida, sin papeles y sin nadie?",
                "En la otra foto se ve la pantalla con un expediente abierto y los nombres de las partes. ¿Esa también?",
                "Vale, subo la primera y en LinkedIn doy las gracias a todo el equipo tras 38 años. ¿Bien?",
            ),
            {"expediente", "pantalla_documentos"},
        ),
    ],
)
def test_a_follow_up_that_sets_the_detail_aside_leaves_it(book, rules, turns, dropped):
    first, second, third = talk(book, rules, *turns)
    assert first.verdict is not Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.NO_PERMITIDO
    assert third.verdict is not Verdict.NO_PERMITIDO
    carried = {signal for signal, _, field in third.triggers if field == "conversacion"}
    if dropped is None:
        assert all(book.get(signal).persists for signal in carried)
    else:
        assert not carried & dropped


@pytest.mark.parametrize(
    ("first_message", "later", "before", "cancelled"),
    [
        # A gift returned is no gift.
        (
            "Trabajo en contratación. Una empresa adjudicataria me ha mandado un jamón. ¿Subo la foto dándoles las gracias?",
            "¿Y si lo devuelvo y publico que no aceptamos regalos, sin decir qué empresa fue?",
            Verdict.NO_PERMITIDO,
            "regalo",
        ),
        # Waiting for the official publication cancels what was known only through the job.
        (
            "Trabajo en urbanismo. En una reunión interna he visto que el plan general va a recalificar la vega; "
            "todavía no es público. ¿Lo cuento en el grupo de Facebook del pueblo?",
            "¿Y si espero a que salga la aprobación inicial en el boletín de la provincia?",
            Verdict.NO_PERMITIDO,
            "info_del_puesto",
        ),
        # Consent withdrawn later («prefiere no salir») cancels the consent given before.
        (
            "Quiero subir a mi Instagram la foto del turno con mis tres compañeras. Las tres han dicho que sí.",
            "Uf, una de ellas me acaba de escribir que al final prefiere no salir. ¿La subo igual?",
            Verdict.PERMITIDO,
            "consentimiento",
        ),
    ],
)
def test_a_later_message_cancels_what_an_earlier_one_said(book, rules, first_message, later, before, cancelled):
    first, second = talk(book, rules, first_message, later)
    assert first.verdict is before
    assert second.verdict is not before
    assert all(signal != cancelled for signal, _, _ in second.triggers)


def test_a_crop_takes_out_the_detail_of_the_turn_before(book, rules):
    *_, third = talk(
        book,
        rules,
        "Soy enfermera. ¿Puedo subir a mi Instagram la foto de Nochebuena en el control? Todas están de acuerdo.",
        "Espera, al fondo se ve la pizarra con los nombres de los pacientes y su tratamiento",
        "¿Y si la recorto y solo quedamos nosotras y el árbol de cartulina?",
    )
    assert third.verdict is not Verdict.NO_PERMITIDO
    assert all(signal not in {"salud", "ciudadano_atendido"} for signal, _, _ in third.triggers)


def test_the_context_is_bounded(book):
    context = None
    for n in range(MAX_TURNS + 3):
        reading = read(f"pregunta {n} " + "x" * (MAX_TURN_CHARS * 2), "borrador " * 2000, book)
        context = next_context(context, reading, follow(reading, [], context, book))
    assert context is not None and len(context.turns) == MAX_TURNS
    assert context.turns[-1].question.startswith(f"pregunta {MAX_TURNS + 2}")
    assert all(len(t.question) <= MAX_TURN_CHARS and len(t.draft or "") <= MAX_TURN_CHARS for t in context.turns)


# ---------------------------------------------------------------- through the service and the CLI


def test_service_returns_the_context_for_the_next_turn_and_keeps_it_out_of_json(service: Service):
    first = service.ask("¿Puedo subir al insta una foto de los vecinos que atendí hoy?")
    assert not first.follow_up and len(first.context.turns) == 1
    second = service.ask("¿Y en Facebook?", context=first.context)
    assert second.follow_up and len(second.context.turns) == 2
    assert second.verdict is first.verdict
    data = second.to_json_dict()
    assert data["follow_up"] is True and "context" not in data


@pytest.mark.parametrize(
    "aside",
    [
        "Ya que estamos, ¿me recomiendas tú alguna buena novela negra nórdica?",
        # a short preface does not tie the question that follows it to the post
        "Vale, esa no. Por cierto, ¿me recomiendas alguna buena novela negra nórdica para el verano?",
        "Gracias. Por cierto, ¿cómo se le da la vuelta a la tortilla de patatas sin que se rompa?",
    ],
)
def test_a_follow_up_on_another_subject_altogether_is_out_of_scope(service: Service, aside: str):
    first = service.ask(MINORS)
    assert service.ask(aside, context=first.context).verdict is Verdict.SIN_BASE
    detail = service.ask(
        "Se me olvidaba contarte que uno de los niños vive en el centro de acogida de menores", context=first.context
    )
    assert detail.verdict is not Verdict.SIN_BASE


def test_a_law_named_in_an_earlier_turn_does_not_bring_an_aside_into_scope(settings: Settings):
    (settings.knowledge_dir / "sources.toml").write_text(
        '[[ley]]\nid = "BOE-A-2099-90001"\nabreviatura = "Ley 1/2099"\nnombres = ["Ley 1/2099"]\n', encoding="utf-8"
    )
    service = Service(settings)
    first = service.ask("¿Qué dice la Ley 1/2099 sobre hablar en público?")
    assert first.verdict is not Verdict.SIN_BASE
    aside = service.ask("Vale. ¿Y cómo se dice en alemán que mañana grabo un vídeo?", context=first.context)
    assert aside.verdict is Verdict.SIN_BASE


def test_a_question_out_of_scope_does_not_put_the_next_one_out_of_scope(service: Service):
    first = service.ask("¿Qué tiempo va a hacer mañana en Zaragoza? ¿Lloverá?")
    assert first.verdict is Verdict.SIN_BASE
    second = service.ask(
        "Vale, a lo mío: soy celador y quiero subir a Instagram un vídeo del pasillo de urgencias"
        " con los pacientes en camillas.",
        context=first.context,
    )
    assert second.verdict is Verdict.NO_PERMITIDO


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, indexed_settings: Settings) -> Settings:
    monkeypatch.setenv("BOT_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(indexed_settings.knowledge_dir))
    monkeypatch.chdir(indexed_settings.data_dir.parent)
    return indexed_settings


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_jsonl_lines_of_one_conversation_are_turns(env, capsys, monkeypatch):
    lines = [
        {"id": 1, "conversation": "a", "question": "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"},
        {"id": 2, "conversation": "b", "question": "¿Puedo retuitear la campaña oficial de vacunación?"},
        {"id": 3, "conversation": "a", "question": "¿Y en Facebook?"},
        {"id": 4, "question": "¿Y en Facebook?"},
        {"id": 5, "conversation": ["a"], "question": "¿Y en Facebook?"},
    ]
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode() + b"\n"
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    assert cli_main(["ask", "--jsonl"]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3, 4, 5]
    assert out[2]["follow_up"] is True and out[2]["verdict"] == out[0]["verdict"] == "no_permitido"
    assert out[3]["follow_up"] is False  # no conversation: read alone
    assert "«conversation» debe ser un texto o un número" in out[4]["error"]


def test_chat_keeps_the_conversation_until_nuevo(env, capsys, monkeypatch):
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO(
            "¿Puedo subir al insta una foto de los vecinos que atendí hoy?\n¿Y en Facebook?\n/nuevo\n¿Y en Facebook?\n/salir\n"
        ),
    )
    assert cli_main(["chat"]) == 0
    out = capsys.readouterr().out
    turns = out.split("¿Qué quieres publicar? › ")[1:]
    assert "Sigo con lo que me has contado antes" in turns[1]
    assert "Empezamos de cero" in turns[2]
    assert "Sigo con lo que me has contado antes" not in turns[3]


def test_the_evaluation_runs_conversations_in_order_with_their_context(
    indexed_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from evals.__main__ import main as evals_main

    dataset = tmp_path / "conversaciones.jsonl"
    photo = "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"
    rows = [
        {"id": "C1", "turns": [
            {"question": photo, "expect_verdict": ["no_permitido"]},
            {"question": "¿Y en Facebook?", "expect_verdict": ["no_permitido"]},
        ]},
        {"id": "q1", "question": "¿Puedo retuitear la campaña oficial de vacunación?", "expect_verdict": ["permitido"]},
    ]  # fmt: skip
    dataset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    monkeypatch.setenv("BOT_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(indexed_settings.knowledge_dir))
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "report"
    assert evals_main(["run", "--dataset", str(dataset), "--report", str(report), "--config", "hybrid"]) == 0
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    summary = data["configs"]["hybrid"]["dev"]
    assert summary["cases"] == 1  # the turns are counted apart
    assert summary["conversations"] == 1 and summary["conversation_turns"] == 2
    assert summary["conversation_follow_up_accuracy"] == 1.0 and summary["conversation_all_turns_right"] == 1.0
    assert [c["id"] for c in data["cases"]["hybrid"]] == ["C1.1", "C1.2", "q1"]
    assert "## Conversaciones: preguntas de seguimiento" in (report / "report.md").read_text(encoding="utf-8")


def test_anula_and_persiste_are_checked_like_the_other_fields():
    from bot.signals import parse_signals

    book, problems = parse_signals(
        {
            "oficial": {"nombre": "cuenta oficial", "clase": "contexto", "frases": {"es": ["cuenta oficial"]},
                        "persiste": True, "anula": ["personal"]},
            "personal": {"nombre": "cuenta personal", "clase": "contexto", "frases": {"es": ["cuenta personal"]},
                         "anula": ["oficial", "no_existe"]},
            "raro": {"nombre": "raro", "clase": "contexto", "frases": {"es": ["raro"]}, "persiste": "a veces"},
        }
    )  # fmt: skip
    assert book.signals["oficial"].persists and book.signals["oficial"].cancels == ("personal",)
    assert not book.signals["personal"].persists
    assert any("«anula» nombra señales que no existen: no_existe" in p for p in problems)
    assert any("«persiste» debe ser" in p for p in problems) and "raro" not in book.signals


def test_read_keeps_what_the_question_takes_out_for_the_follow_up(book):
    reading = read("¿Y si tapo la matrícula?", None, book)
    assert "datos_personales" in reading.absent
    assert reading.absent == book.absent(reading.question)
    assert read("Se ve la matrícula", None, book).absent == frozenset()


def test_publication_cancels_only_what_an_earlier_turn_knew_through_the_job(book, rules):
    """«Ya está en el BOE» in the same message does not clear what was seen in a case file (a
    trap pairs them); in a later turn, waiting for the official publication does."""
    (alone,) = talk(
        book,
        rules,
        "He leído su expediente en el trabajo: le han multado por vertidos y ya está en el BOE. ¿Lo cuento en X con su nombre?",
    )
    assert alone.verdict is Verdict.NO_PERMITIDO
    _, later = talk(
        book,
        rules,
        "Soy inspectora. ¿Puedo poner en LinkedIn la finca que inspeccioné la semana pasada y lo que me encontré?",
        "¿Y cuando la sanción sea firme y se haya publicado oficialmente?",
    )
    assert later.verdict is not Verdict.NO_PERMITIDO
    assert all(signal != "info_del_puesto" for signal, _, _ in later.triggers)


def test_having_used_the_reporting_channels_softens_the_internal_documents_one_step(book, rules):
    """Ley 2/2023, art. 28: a public disclosure is protected after the channels were used in vain.
    What the documents are stays a reason for caution, not a plain «sí»."""
    first, second = talk(
        book,
        rules,
        "Soy técnica en la consejería. Mi director ha autorizado unos vertidos saltándose un informe. "
        "Quiero contarlo en X y subir los documentos internos. ¿Puedo?",
        "Lo comuniqué por el canal externo hace cuatro meses y nadie ha hecho nada. ¿Ahora ya puedo publicarlo?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.CON_CAUTELAS


def test_having_used_the_reporting_channels_softens_screenshots_of_the_file_one_step(book, rules):
    """The same holds for screenshots of the case file that show it (Regla 35 would say «no»)."""
    first, second = talk(
        book,
        rules,
        "Soy técnico de contratación. Han troceado un contrato para dárselo sin concurso a la empresa "
        "del cuñado del director. Quiero contarlo en X con capturas del expediente.",
        "Lo metí por el canal interno y después ante la Autoridad Independiente hace siete meses. "
        "Ni respuesta. ¿Ahora sí puedo publicarlo?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.CON_CAUTELAS


@pytest.mark.parametrize(
    ("turns", "gone"),
    [
        # leaving the selection board cancels being on it
        (
            (
                "Soy funcionario y quiero anunciar en LinkedIn que por las tardes preparo oposiciones, cobrando.",
                "Se me olvidaba: este año me han nombrado vocal del tribunal de esas oposiciones.",
                "¿Y si renuncio al tribunal y pido la compatibilidad?",
            ),
            "miembro_tribunal",
        ),
        # asking people to vote, with no party, after a post for a party
        (
            (
                "Soy guardia civil. En el pie de mi foto quiero poner 'El domingo todos a votar a [partido]'. "
                "Las elecciones son este domingo.",
                "Vale, última: ¿y solo 'el domingo id a votar, que es importante', sin decir partido?",
            ),
            "partidista",
        ),
        # the photo redone with the computer off: the screen is lifted, not gone
        (
            (
                "Vull penjar una foto de la meva taula; hi surt la pantalla de l'ordinador encesa amb "
                "l'expedient d'una persona. La penjo?",
                "D'acord. I si la torno a fer amb l'ordinador apagat?",
            ),
            None,
        ),
    ],
)
def test_a_follow_up_that_takes_out_what_made_it_a_no(book, rules, turns, gone):
    *_, before, after = talk(book, rules, *turns)
    assert before.verdict is Verdict.NO_PERMITIDO
    assert after.verdict is not Verdict.NO_PERMITIDO
    if gone:
        assert all(signal != gone for signal, _, _ in after.triggers)


def test_an_earlier_lift_does_not_cover_new_details_even_when_who_posts_was_said_before(book, rules):
    first, second, third = talk(
        book,
        rules,
        "Hi, I'm a Policía Nacional officer. Can I post a photo of the drugs we seized in yesterday's operation?",
        "The press office already posted exactly that photo on the official Policía Nacional account an hour ago.",
        "Great. And can I add in my caption how we found it? The tip-off and the warehouse where it was hidden.",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is not Verdict.NO_PERMITIDO
    assert third.verdict is Verdict.NO_PERMITIDO
    assert any(signal == "operacion_policial" and field == "pregunta" for signal, _, field in third.triggers)


@pytest.mark.parametrize(
    ("message", "verdict", "uniform_rule"),
    [
        # a channel of one's own, in uniform: it may look like the official voice
        (
            "Soy policía nacional y quiero abrir un canal de YouTube con vídeos cortos contra las estafas. "
            "Saldría yo de uniforme para dar confianza. ¿Puedo?",
            Verdict.CON_CAUTELAS,
            True,
        ),
        # a one-off selfie in uniform is one's own day
        (
            "Soy bombero. ¿Puedo subir a Instagram un selfie de uniforme en el parque, yo solo?",
            Verdict.PERMITIDO,
            False,
        ),
    ],
)
def test_a_channel_in_uniform_asks_for_care_and_a_selfie_does_not(book, rules, message, verdict, uniform_rule):
    (said,) = talk(book, rules, message)
    assert said.verdict is verdict
    assert ("Regla 93" in said.rules) is uniform_rule


def test_the_channel_persists_when_a_follow_up_changes_what_the_videos_show(book, rules):
    *_, third = talk(
        book,
        rules,
        "Soy funcionario de prisiones. Quiero hacer TikToks contando anécdotas de internos del centro.",
        "¿Y si en vez de anécdotas cuento cómo es un día normal de trabajo, en general, sin casos?",
        "Vale. ¿Y si lo grabo con el uniforme en el vestuario del centro, antes de entrar al turno?",
    )
    assert "Regla 93" in third.rules
    assert third.verdict is not Verdict.PERMITIDO


def test_offering_help_in_a_matter_of_the_job_said_before_is_related_to_the_job(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy técnico de Hacienda en la AEAT. ¿Puedo resumir en LinkedIn los cambios del IVA que salieron en el BOE?",
        "Y al final quería añadir: 'Si tenéis dudas con vuestra declaración, escribidme por privado y os asesoro "
        "por un precio simbólico'.",
    )
    assert first.verdict is not Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.NO_PERMITIDO
    assert "Regla 68" in second.rules
    assert ("relacion_con_puesto", "vuestra declaración", "pregunta") in second.triggers


def test_someone_this_message_adds_is_not_covered_by_an_earlier_lift_of_the_rest(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy profesor de FP de soldadura. ¿Puedo grabar tutoriales para mi YouTube en el taller, por las tardes "
        "cuando no hay nadie?",
        "¿Y si salen mis alumnos de primero soldando? Tienen 16 y 17 años.",
    )
    assert first.verdict is not Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.NO_PERMITIDO
    assert any(signal == "menor" and where == "pregunta" for signal, _, where in second.triggers)


def test_saying_the_parents_have_not_authorised_it_is_no_claim_that_no_child_appears(book, rules):
    (said,) = talk(
        book, rules, "¿Puedo subir a Instagram la foto de los niños del campamento sin autorización de los padres?"
    )
    assert said.verdict is Verdict.NO_PERMITIDO


def test_a_matter_of_the_job_said_in_an_earlier_turn_still_counts(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy veterinaria oficial y hago inspecciones en mataderos. Una marca de embutidos de la comarca me ofrece "
        "300 euros por un post en Instagram recomendando sus productos. ¿Puedo aceptar?",
        "¿Y si no me pagan y solo me mandan una cesta de productos?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert ("relacion_con_puesto", "embutidos", "pregunta") in first.triggers
    assert second.verdict is Verdict.NO_PERMITIDO
    assert ("relacion_con_puesto", "embutidos", "conversacion") in second.triggers


def test_dropping_the_private_work_leaves_only_the_article(book, rules):
    *_, last = talk(
        book,
        rules,
        "Soy inspector de Hacienda. Quiero anunciar en LinkedIn que por las tardes empiezo a dar asesoría fiscal "
        "a empresas.",
        "Vale, olvida lo de la asesoría. ¿Puedo publicar en LinkedIn un artículo mío explicando las novedades "
        "del IRPF de este año, con lo que ya está en la web de la Agencia?",
    )
    assert last.verdict is not Verdict.NO_PERMITIDO
    assert "Regla 68" not in last.rules


def test_work_outside_the_job_said_later_softens_the_related_job_rule(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy arquitecta municipal. ¿Puedo poner en la bio de Instagram «se hacen proyectos de reforma, pedid "
        "precio por DM»? Muchos son vecinos de aquí.",
        "¿Y si solo acepto encargos de fuera de mi municipio y antes pido la compatibilidad?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.CON_CAUTELAS
    assert "Regla 68" not in second.rules


def test_a_threat_to_those_who_strike_is_a_no_and_informing_of_the_strike_is_not(book, rules):
    (threat,) = talk(
        book,
        rules,
        "Soy jefa de servicio. ¿Pongo en el grupo del equipo: «quien pare el jueves, que luego no me venga "
        "pidiendo elegir turno en verano»? Es medio en broma.",
    )
    assert threat.verdict is Verdict.NO_PERMITIDO
    assert threat.rules[0] == "Regla 94"
    assert ("represalia", "que luego no me venga", "pregunta") in threat.triggers
    (notice,) = talk(book, rules, "Soy jefa de servicio. ¿Pongo en el grupo del equipo que el jueves hay huelga?")
    assert "Regla 94" not in notice.rules


def test_covering_the_detail_in_a_follow_up_lifts_what_it_showed(book, rules):
    first, second = talk(
        book,
        rules,
        "Quiero subir al Instagram del colegio una foto del huerto; al fondo se ve un papel con el código de "
        "la alarma.",
        "Ya lo he tapado con una pegatina y no se lee nada. ¿Así?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is not Verdict.NO_PERMITIDO


def test_forwarding_only_part_of_a_message_leaves_out_the_rest(book, rules):
    *_, last = talk(
        book,
        rules,
        "Soy policía local. ¿Puedo reenviar a mi canal un comunicado del sindicato sobre la falta de agentes "
        "que termina pidiendo el voto para un partido?",
        "¿Y si reenvío solo la parte de la falta de agentes?",
    )
    assert "Regla 60" not in last.rules


def test_cutting_the_end_of_a_forwarded_message_drops_it_even_when_saying_when(book, rules):
    *_, last = talk(
        book,
        rules,
        "Soy policía local. ¿Puedo reenviar a mi canal un comunicado del sindicato sobre la falta de agentes?",
        "¿Y si el comunicado termina pidiendo que no votemos al partido del alcalde en las elecciones?",
        "¿Y si corto el final y reenvío solo lo de la falta de agentes, aunque estemos en campaña?",
    )
    assert last.verdict is not Verdict.NO_PERMITIDO
    assert "Regla 60" not in last.rules


def test_having_used_the_reporting_channels_softens_a_case_file_rule(book, rules):
    first, second = talk(
        book,
        rules,
        "Soy técnica de medio ambiente. En un expediente que llevo he visto que una empresa vierte al río sin "
        "permiso. ¿Puedo contarlo en X?",
        "Ya lo comuniqué por el canal interno y a la Autoridad Independiente hace meses y no han hecho nada. "
        "¿Ahora sí?",
    )
    assert first.verdict is Verdict.NO_PERMITIDO
    assert second.verdict is Verdict.CON_CAUTELAS


def test_a_photo_of_oneself_on_another_day_is_another_post_and_one_added_is_not(book, rules):
    policeman = "Soy policía nacional. ¿Puedo ir de paisano a un mitin del partido y subir una foto?"
    *_, new = talk(book, rules, policeman, "Vale, pues el día 28 una foto mía en la puerta del colegio electoral.")
    assert "Regla 60" not in new.rules
    *_, added = talk(book, rules, policeman, "¿Y si lo acompaño de una foto mía de uniforme?")
    assert "Regla 60" in added.rules


@pytest.mark.parametrize(
    "other",
    [
        "Y mi mujer, que es profesora en una academia privada, ¿puede compartir el cartel del partido?",
        "¿Y si lo comparte mi hermana, que no trabaja en la Administración?",
        "And my husband, who works at a bank, can he share the party's poster?",
        # after a preface, and with the pronoun on the verb
        "Vale. ¿Y mi mujer puede compartirlo en su Instagram?",
    ],
)
def test_somebody_else_posting_is_not_described_by_the_askers_job(book, rules, other):
    first, second = talk(
        book, rules, "Soy guardia civil. ¿Puedo compartir en mi Instagram el cartel del partido al que voto?", other
    )
    assert first.verdict is Verdict.NO_PERMITIDO and "Regla 60" in first.rules
    assert "Regla 60" not in second.rules


def test_the_askers_relative_in_the_photo_is_not_somebody_else_posting(book, rules):
    *_, last = talk(
        book,
        rules,
        "Soy guardia civil. ¿Puedo compartir en mi Instagram el cartel del partido al que voto?",
        "¿Y si subo la foto del cartel con mi mujer?",
    )
    assert "Regla 60" in last.rules


@pytest.mark.parametrize(
    ("case", "verdict"),
    [
        # changing an adult's name lifts one grade; the details may still point to him
        (
            "Soy trabajadora social en un pueblo pequeño. Quiero contar en Facebook un caso real de la ayuda a "
            "domicilio. Le cambiaría el nombre al señor. ¿Vale?",
            Verdict.CON_CAUTELAS,
        ),
        # for a child it is not enough
        (
            "Soy psicóloga en salud mental infanto-juvenil. ¿Puedo ilustrar un artículo con el caso de una "
            "paciente mía de 15 años? Le cambiaría el nombre.",
            Verdict.NO_PERMITIDO,
        ),
    ],
)
def test_changing_the_name_lifts_one_grade_and_never_for_a_child(book, rules, case, verdict):
    (said,) = talk(book, rules, case)
    assert said.verdict is verdict
