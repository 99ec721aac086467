"""The scope check (knowledge/ambito.yaml): a small file of our own, then the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.glossary import load_glossary
from bot.scope import load_scope

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

SMALL = """
temas:
  redes: [instagram, redes sociales]
contexto:
  leyes: [ley, artículo]
  publicar: [publicar, subir]
  empleo: [funcionario, mi trabajo]
veredicto:
  - visto bueno
fuera_de_ambito:
  - mejor hora para publicar
  - redáctame
sector_privado:
  trabaja_fuera: [empresa privada, no soy funcionario]
  salvo: [soy funcionaria, por las tardes]
"""


@pytest.fixture
def scope(tmp_path):
    (tmp_path / "ambito.yaml").write_text(SMALL, encoding="utf-8")
    found, problems = load_scope(tmp_path)
    assert problems == []
    return found


@pytest.mark.parametrize(
    ("question", "fact", "covered"),
    [
        ("¿Puedo subir esto a Instagram?", False, True),
        ("¿Cómo funciona Instagram?", True, True),  # a topic is enough
        ("¿Puedo publicar esto?", False, True),  # a context word, in a permission question
        ("¿Puedo cambiar de horario en mi trabajo?", False, False),  # the workplace alone: no act of publishing
        ("¿Cuántos funcionarios tenía Roma?", True, False),  # a context word alone, in a question of fact
        ("¿Qué dice la ley de Ohm?", True, False),  # «ley» alone
        ("¿Dónde dice la ley que sea discreto con mi trabajo?", True, True),  # «ley» and another context word
        ("¿Cuál es la mejor hora para publicar en Instagram?", False, False),  # excluded
        # A question that quotes a post asks about that post, whatever else it says.
        ("¿Puedo subir a Instagram 'la mejor hora para publicar es la siesta, jaja'?", False, True),
        # Asking for a verdict keeps the question in scope whatever else it asks.
        ("Redáctame un post para Instagram", False, False),
        ("Redáctame un post para Instagram y dame el visto bueno", False, True),
        # Someone outside the public sector gets no verdict, even asking for one...
        ("Trabajo en una empresa privada. ¿Puedo subir a Instagram mi horario?", False, False),
        ("No soy funcionario. ¿Me das el visto bueno para publicar esto en Instagram?", False, False),
        # ...unless they also say they are a public employee (a second job); «no soy» does not say so.
        ("Soy funcionaria y trabajo en una empresa privada. ¿Puedo subirlo a Instagram?", False, True),
        ("Por las tardes trabajo en una empresa privada: ¿lo subo a Instagram?", False, True),
    ],
)
def test_what_places_a_question_in_scope(scope, question, fact, covered):
    assert scope.covers(question, question_of_fact=fact) is covered


def test_only_the_message_itself_can_be_out_of_scope():
    scope, _ = load_scope(KNOWLEDGE)
    earlier = "¿Qué tiempo va a hacer mañana en Zaragoza?"
    message = "Vale, a lo mío: un vídeo del pasillo de urgencias para Instagram, ¿lo subo?"
    assert not scope.covers(f"{message} {earlier}", question_of_fact=False)
    assert scope.covers(f"{message} {earlier}", question_of_fact=False, own=message)
    assert not scope.covers(f"{earlier} {message}", question_of_fact=True, own=earlier)


def test_a_malformed_private_sector_section_is_reported(tmp_path):
    without = SMALL.partition("sector_privado:")[0]
    (tmp_path / "ambito.yaml").write_text(without + "sector_privado: [empresa privada]\n", encoding="utf-8")
    found, problems = load_scope(tmp_path)
    assert any("sector_privado" in p for p in problems)
    assert found.covers("¿Puedo subir esto a Instagram?", question_of_fact=False)


def test_a_broken_file_means_no_check_and_says_why(tmp_path):
    (tmp_path / "ambito.yaml").write_text("temas: [redes\n", encoding="utf-8")
    found, problems = load_scope(tmp_path)
    assert problems and "no se puede leer" in problems[0]
    assert found.covers("¿Cuál es la capital de Australia?", question_of_fact=True)


@pytest.mark.parametrize(
    ("question", "fact", "covered"),
    [
        ("¿Puedo subir a Instagram la foto de la cena de empresa?", False, True),
        ("¿Qué dice el EBEP de la libertad de expresión?", True, True),
        ("¿Qué dice la ley de Ohm y cómo se aplica a un circuito en serie?", True, False),
        ("Soy influencer de moda, no trabajo para ninguna administración. ¿Cuántos hashtags pongo?", False, False),
        # A phone to buy or last night's match: no source covers them, whatever «fotos» suggests.
        ("Recomiéndame un móvil de gama media con buena cámara para hacer fotos de noche.", False, False),
        ("¿Cómo quedó ayer el Betis? Es que no pude ver el partido.", True, False),
        ("Soy funcionario de carrera. ¿Me conviene más una hipoteca fija o variable?", False, False),
        ("What's the best Python library to batch-resize JPEG images?", True, False),
        ("¿Qué cámara me compro para grabar vídeos de YouTube?", True, False),
        # Asking the bot to write is out of scope; «escríbeme por privado» inside an ad is not.
        ("Escríbeme un pie de foto para Instagram", False, False),
        ("Can you write a funny caption for my cat's Instagram?", True, False),
        ("Ayúdame a escribir un poema para el cumpleaños de mi madre, que cumple 70.", False, False),
        ("Help me write a toast for my sister's wedding", False, False),
        ("¿Puedo publicar en Instagram un poema que escribí para mi madre?", False, True),
        ("Post en Instagram: 'Hago declaraciones de la renta por 40€, escríbeme por privado'. ¿Puedo?", False, True),
        # The workplace or a neighbour alone is not a question about publishing.
        ("¿Cómo hago una tabla dinámica en Excel para el inventario de la oficina?", False, False),
        ("Mi vecino ha puesto una antena en el tejado sin preguntar. ¿Es legal?", False, False),
        ("¿Puedo hablar de mi trabajo en un podcast?", False, True),
        # App support is out of scope; the same words inside a quoted post are not.
        ("Me han hackeado la cuenta de TikTok. ¿Cómo recupero la contraseña?", True, False),
        (
            "Acabo de hacer mi declaración de la renta. Quiero tuitear: 'Me sale a devolver 40 euros, ya puedo jubilarme'",
            False,
            True,
        ),
        ("Traduce al inglés: 'El Ayuntamiento informa de que el mercadillo se traslada'", False, False),
        # A topic word («cliente», «empresa») does not make a quoted text a post.
        (
            "Tradúceme al inglés este correo para un cliente de la empresa de mi marido: 'Estimado Sr. Smith, "
            "le confirmamos el envío del pedido para el día 15'.",
            False,
            False,
        ),
        (
            "Quiero poner en X: 'El expediente de la renta de mi marido sigue en el salón'. ¿Me meto en un lío?",
            False,
            True,
        ),
        (
            "¿Puedo poner en Instagram 'el expediente de la declaración de la renta de mi marido sigue en el salón'?",
            False,
            True,
        ),
        # Asking whether one may post on a network is in scope, whatever the post is about.
        (
            "Trabajo en la Agencia Tributaria. ¿Puedo tuitear un recordatorio de que termina el plazo de "
            "la declaración de la renta?",
            False,
            True,
        ),
        ("Una veïna famosa s'ha vingut a empadronar i vull piular on viurà ara. Puc?", False, True),
        # ...and so is saying one wants to (bb089: the renta's words made it an aside)
        (
            "Trabajo en la Agencia Tributaria y quiero subir a Instagram la declaración de la renta de mi "
            "cuñado para que la familia vea lo poco que declara",
            False,
            True,
        ),
        ("¿Me puedo desgravar el alquiler en la declaración de la renta?", False, False),
        # Someone's own networks, and party membership, are the bot's matters.
        ("¿Un guardia civil puede estar afiliado a un partido político y decirlo en sus redes?", True, True),
        # The statute's matters in everyday words are in scope; an application form is not.
        ("Si me suspenden de funciones, ¿pierdo mi puesto de trabajo?", True, True),
        ("Can a citizen of another EU country become a career civil servant in Spain?", True, True),
        ("How do I apply for a civil service exam as an EU citizen? Where is the form?", True, False),
        # Working conditions asked by a public employee are the statute's matter; alone they are not.
        ("Me caso en mayo, ¿cuántos días libres me tocan siendo funcionaria?", True, True),
        ("¿Cuántos días libres quedan hasta Navidad?", True, False),
        ("Estuve de baja médica y no pude coger las vacaciones del año pasado. ¿Las he perdido?", True, True),
        ("Mi abuelo ha muerto. ¿Cuántos días libres me corresponden?", True, True),
        # salaries and pensions are not in the sources, even with a public employee's words
        ("¿Cuánto cobra un funcionario A2 por cada trienio este año?", True, False),
        ("Se jubila una compañera del ayuntamiento. ¿Me das una receta de tarta para la fiesta?", True, False),
        ("Soy funcionaria, ¿me recomiendas un hotel para las vacaciones?", True, False),
        # Office software and translations are not the bot's matters, whoever asks.
        ("Trabajo en la biblioteca. ¿Cómo hago en Excel una fórmula que cuente los días de vacaciones?", True, False),
        ("Translate to English please: 'la calefacción del piso no funciona desde el lunes'", True, False),
        # A private letter is not a post.
        ("Ayúdame a escribir un correo a mi casero para que me arregle la caldera de una vez", False, False),
        # Asking the bot to write the post is not asking whether it may go out.
        ("Hazme un post bonito para felicitar a mi madre por su cumpleaños, con emojis", False, False),
        ("Fes-me un post per felicitar la meva mare", False, False),
        # Fishing nets are not social networks.
        ("¿Qué luz de malla mínima tienen que tener las redes de arrastre?", True, False),
        # The statute's matters asked in a worker's words (fourth exam set); a bonus to invest or
        # to seize is money, not the statute.
        ("cuantas pagas extra tenemos los funcionarios al año y que entra en cada una?", True, True),
        (
            "Mi cuñado tiene una empresa que se ha presentado a un contrato que tramito yo. ¿Tengo que apartarme?",
            True,
            True,
        ),
        ("Me han elegido diputado en el parlamento autonómico. ¿Qué pasa con mi plaza de funcionario?", True, True),
        ("El gobierno regional suspende parte del convenio colectivo de los laborales. ¿Puede?", True, True),
        ("¿Me conviene meter la paga extra en un fondo indexado o en letras del Tesoro?", True, False),
        # Private-sector workers asking about a post of theirs (dev cases n040, s098).
        ("Trabajo de cajera en un supermercado (empresa privada, nada público). ¿Puedo subir un TikTok?", False, False),
        ("No soy funcionario, trabajo en una empresa privada. ¿Me pueden despedir por un tuit?", False, False),
        (
            "Soy enfermera del SAS y por las tardes trabajo en una empresa privada. ¿Lo anuncio en Instagram?",
            False,
            True,
        ),
        # Complaining on a network about one's own tax return is a post, not a tax question.
        ("Trabajo en Hacienda y mi renta sale a pagar. ¿Queda raro si me quejo en X?", False, True),
        # ...also when it names the tax return, which alone would be a tax question («veredicto»).
        (
            "Mi declaración de la renta me ha salido a pagar. ¿Queda raro si me quejo en X como cualquiera?",
            False,
            True,
        ),
        ("¿Cómo relleno la casilla de alquileres de la declaración de la renta?", True, False),
        # The consequences for a public employee are the disciplinary regime; for a car they are not.
        ("Por curiosidad, ¿qué le puede pasar a un policía que lo haga?", True, True),
        ("¿Qué le puede pasar a mi coche si no paso la ITV?", True, False),
    ],
)
def test_the_real_scope_file(question, fact, covered):
    found, problems = load_scope(KNOWLEDGE)
    assert problems == []
    assert found.covers(question, question_of_fact=fact) is covered


def test_a_long_question_with_an_unclosed_quote_is_read_at_once():
    # An apostrophe and no closing quote: a nested pattern would backtrack for minutes here.
    found, _ = load_scope(KNOWLEDGE)
    question = "l'ajuntament " + "paraula " * 3000 + "?"
    assert found.covers(question, question_of_fact=False) is False


@pytest.mark.parametrize(
    ("question", "only"),
    [
        # in scope only through what the statute regulates: answered with its articles
        ("¿Puedo pedir una excedencia para cuidar a mi padre?", True),
        ("¿Me pueden quitar días de permiso por estar en servicios mínimos?", True),
        # an act of publishing, a network or a quoted post make it a question about a post
        ("¿Puedo decir en X que estoy de excedencia?", False),
        ("¿Puedo publicar que pido una excedencia?", False),
        ("Estoy de excedencia. ¿Puedo poner 'por fin libre, adiós oficina' en mi estado?", False),
        ("¿Puedo subir una foto de la playa?", False),  # no statute matter at all
        ("¿Puedo tener Instagram estando de excedencia?", False),  # a network
        # the statute's other matters, asked as people ask them
        ("¿Puedo renunciar a ser funcionario si tengo un expediente disciplinario abierto?", True),
        ("Me separaron del servicio por un expediente disciplinario; ¿puedo volver a opositar?", True),
        ("Si mi jefe me da una orden claramente ilegal, ¿tengo que cumplirla?", True),
        # a disciplinary word does not turn a question about a post into one about the statute
        ("¿Me pueden sancionar por compartir un meme del alcalde?", False),
        # topics are read through the glossary, acts as written: the glossary turns
        # «funcionario» into «empleado público», and «público» is no act of publishing
        ("¿Puedo pedir una excedencia siendo funcionario interino?", True),
        ("¿Se puede entrar como funcionario de carrera solo por concurso de méritos?", True),
        # «empleo público», «promoción interna» are the statute's words, not acts of publishing
        ("¿Puedo optar a la promoción interna si soy interino?", True),
        ("¿Puedo presentarme a la oferta de empleo público con 17 años?", True),
        ("¿Puedo publicar en X que pido la promoción interna?", False),
        # working conditions with a word of public employment; «seguir trabajando» follows no account
        ("Tengo 64 años y no quiero retirarme. ¿Puedo seguir trabajando de funcionario?", True),
        ("¿Puedo contar en Instagram que me han cesado?", False),
        # words of other topics inside the statute's own expressions: «año y medio» is no media,
        # «el director» no live stream, «hijos menores» no minors online
        ("Llevo año y medio de interino y el nuevo director me ha cesado sin explicaciones. ¿Puede?", True),
        ("Tengo hijos menores de doce años, ¿puedo pedir flexibilidad en el horario?", True),
        ("¿Puedo subir a TikTok un vídeo con el director del colegio?", False),
        # a network by its nickname still counts, through the glossary
        ("¿Puedo colgar en el insta que estoy de excedencia?", False),
        ("¿Puedo tener insta estando de excedencia?", False),
        # the glossary's «permiso» → «consentimiento» is no other topic: leave is the statute's
        ("¿Puedo pedir un permiso por matrimonio?", True),
        ("¿Necesito permiso de mis compañeros para subir la foto de la cena?", False),
        # «cuenta», «contar», «seguir» and «público» in their everyday senses
        ("¿Me cuenta para los trienios el tiempo de excedencia?", True),
        ("Un veterano me contó que el Estatuto lo prohíbe. ¿Es así?", True),
        ("Doy clase en un instituto público, ¿me aplica el Estatuto?", True),
        ("¿Puedo contar en X que estoy de excedencia?", False),
        # two working conditions, or one and what the asker is owed: a worker asking
        ("Estuve de baja médica y no pude coger las vacaciones del año pasado. ¿Las he perdido?", True),
        ("Mi abuelo ha muerto. ¿Cuántos días libres me corresponden?", True),
        ("Una empresa que nos suministra material me ha mandado una cesta de Navidad. ¿Me la quedo?", True),
        # unions and strikes are the statute's matter too; posting about them is not
        ("El jueves hice huelga y me han descontado el día. ¿Es una sanción?", True),
        ("Nos han cambiado el horario. ¿No había que hablarlo antes con los sindicatos?", True),
        ("¿Puedo publicar en X que mañana hago huelga?", False),
        ("¿Puedo hablar de la huelga en un podcast?", False),
    ],
)
def test_a_question_only_about_the_statute(question, only):
    found, problems = load_scope(KNOWLEDGE)
    glossary, _ = load_glossary(KNOWLEDGE)
    assert problems == []
    assert found.only_statute(question, glossary.expand) is only
    # the caller's own expansion gives the same answer
    assert found.only_statute(question, glossary.expand, expanded=glossary.expand(question)) is only
    if only:  # the glossary is where the mistake came from: without it, the same answer
        assert found.only_statute(question) is only


def test_without_a_statute_group_no_question_is_only_about_it(scope):
    assert scope.only_statute("¿Puedo pedir una excedencia?") is False


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("¿Qué licencia le doy a LinkedIn sobre mis fotos?", True),
        ("¿Qué dice el EBEP de la libertad de expresión?", False),
        # «directly», «directamente», «el director» are no live stream
        ("Does the basic statute apply directly to judges?", False),
        ("¿Se aplica directamente el Estatuto al director de un organismo?", False),
        ("¿Puedo hacer un directo desde la oficina?", True),
        ("¿Qué pasa si subo algo al insta?", True),  # a nickname, through the glossary
    ],
)
def test_a_question_names_a_network(question, named):
    found, _ = load_scope(KNOWLEDGE)
    glossary, _ = load_glossary(KNOWLEDGE)
    assert found.names_network(glossary.expand(question)) is named
