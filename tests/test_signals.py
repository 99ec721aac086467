"""Signals: phrases per language matched on folded, stemmed words, negations, exceptions, detectors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.signals import (
    SignalBook,
    SignalClass,
    gloss_text,
    introductions,
    load_signals,
    named_words,
    parse_condition,
    parse_signals,
)

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


def found(book: SignalBook, text: str) -> set[str]:
    return {h.signal for h in book.detect(text, "pregunta")}


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("con su nombre y apellidos", "persona_identificable"),
        ("Mucho ánimo a Marta, que está de baja por depresión", "salud"),
        ("Mucho ánimo a Marta, que está de baja por depresión", "persona_identificable"),
        ("publicaron las fotos de los niños", "menor"),
        ("mis alumnas de 8 años", "menor"),
        ("antes de que salga la resolución", "no_publico"),
        ("antes de que salgan las notas", "no_publico"),  # a verb phrase in the plural
        ("lo he visto en el expediente de un contribuyente", "info_del_puesto"),
        ("la resolución ya está publicada en el BOE", "publicado_oficialmente"),
        ("las familias han firmado la autorización", "consentimiento"),
        ("es un ejemplo inventado", "ficticio"),
        ("Llevo la cuenta oficial del ayuntamiento", "cuenta_oficial"),
        ("estamos en plena campaña electoral", "periodo_electoral"),
        ("me pagan por un post", "beneficio_propio"),
        ("Robaron en la calle Mayor 5", "datos_personales"),  # the address detector
        ("DNI 12345678Z", "datos_personales"),
        # Other languages.
        ("una foto dels veïns que he atès avui", "ciudadano_atendido"),
        ("o meu veciño estivo ingresado en psiquiatría", "salud"),
        ("gaixoen aurpegiak ikusten direla", "persona_identificable"),
        ("a photo of my patients", "ciudadano_atendido"),
        # Typed without «ñ».
        ("la foto de los ninos del campamento", "menor"),
        # Someone described by their shop or flat, and complaints filed against them.
        ("al de la panadería de la esquina ya le han puesto tres quejas los vecinos", "persona_identificable"),
        ("al de la panadería de la esquina ya le han puesto tres quejas los vecinos", "expediente"),
        # Hiding who is behind an institutional campaign.
        ("abrir una cuenta sin logo ni mención al Ministerio para que parezca más cercana", "origen_oculto"),
        # Old archive records about people long dead.
        ("documentos del archivo histórico con los nombres de los maestros, ya fallecidos", "documento_historico"),
        # Galician «co nome» (with the name) and «no atestado» (in the report: «no» is not a negation).
        ("as notas da avaliación co nome dos alumnos", "persona_identificable"),
        ("o nome do veciño que vén no atestado que fixemos", "expediente"),
        # Basque: the name of the injured person; with colleagues.
        ("istripu batean zauritutako pertsonaren izena", "victimas"),
        ("istripu batean zauritutako pertsonaren izena", "persona_identificable"),
        ("lankideekin egindako argazkia", "companeros"),
        # Saying it is about yourself, in English.
        ("I passed my specialty exam", "sobre_si_mismo"),
        # People dealt with at work, in police and front-desk talk.
        ("vídeo de cómo metemos en el zeta a uno que pillamos robando", "ciudadano_atendido"),
        ("hoy el concejal ha venido a devolver un libro con tres meses de retraso", "ciudadano_atendido"),
        ("se ve al conductor atrapado", "victimas"),
        ("ayer vino a urgencias la del 3ºA de mi bloque", "persona_identificable"),
        ("¿publicamos los nombres en la cuenta del ayuntamiento?", "persona_identificable"),
        # A collective sick-out is a police strike by other means.
        ("el día del partido todos de baja médica, que se apañen", "huelga_policial"),
        # Party polls and «Vota X», a service's official group.
        ("¿Qué partido crees que gestiona mejor la sanidad?", "partidista"),
        ("en el grupo de Telegram oficial de mi servicio", "cuenta_oficial"),
        ("Can I tweet the bid amounts before the award is published?", "no_publico"),
        ("he vist al llistat d'ajuts que hi surt la meva veïna", "info_del_puesto"),
        # The team's Christmas lunch, and everyone saying yes.
        ("foto de la comida de Navidad del equipo; todos han dicho que la suba", "companeros"),
        ("foto de la comida de Navidad del equipo; todos han dicho que la suba", "consentimiento"),
        # Offering one's services.
        ("Hago proyectos de reforma, precios económicos", "servicios_privados"),
        ("¿Puedo publicar los datos médicos de un futbolista?", "salud"),
        ("Can't say much, but the agreement is basically closed", "no_publico"),
        ("No puedo decir mucho, pero el acuerdo está prácticamente cerrado", "no_publico"),
        ("The university announced it publicly yesterday", "publicado_oficialmente"),
        ("Las editoriales me mandan libros gratis para que los reseñe", "regalo"),
        ("Técnico de compras: acabamos de adjudicar el suministro", "intervengo_contrato"),
        ("He tapado sus nombres con pegatinas", "ficticio_anonimizado"),
        # «reservado» was vetoed everywhere by the exception «reservar»: only booking is an exception now.
        ("un anexo lleva la marca 'RESERVADO'", "confidencial"),
        ("Esta madrugada hemos entrado en dos naves y nos faltan dos por localizar", "operacion_policial"),
        ("Administro el Facebook de la Diputación", "cuenta_oficial"),
        ("Yo voto a [partido], los únicos que nos defienden", "partidista"),  # «voto» is too short for «votar a»
        ("I'm voting for Labour this time", "partidista"),
        ("Vamos a filtrarlos antes del pleno", "no_publico"),  # a form of the verb, with its pronoun
        # Quotes alone do not hide a word: only a word asked about, or a title next to its work.
        ("os paso el informe 'confidencial' de RRHH", "confidencial"),
        ("Cuelgo el acta, que viene marcada como confidencial", "confidencial"),
        ("a summary of the confidential internal briefing we got today", "confidencial"),
        ("Subo el 'Borrador del Plan Director' que nos pasaron", "confidencial"),
        # Phrases from the 39th and 42nd batches and conversations «as» (session 40).
        ("Soy vocal técnica de la mesa de contratación de la diputación", "intervengo_contrato"),
        ("Les he tapado la cara con un emoji a esos dos", "sin_caras"),
        ("una foto amb les cares dels nens pixelades", "sin_caras"),
        ("argazki bat, guztien baimenarekin", "consentimiento"),
        ("subir mis rutas con el mapa de Strava", "ubicacion"),
        ("I can see it in our system", "info_del_puesto"),
        ("una foto de su analítica con el nombre tapado", "salud"),
        ("resumir los debates internos de las reuniones", "info_del_puesto"),
        ("un reel con una canción de moda de un grupo conocido", "obra_ajena"),
        ("¿Y si espero a que salga en el boletín de la provincia?", "publicado_oficialmente"),
        ("abrir un canal de tutoriales y activar los anuncios", "monetizar"),
        ("los grabo en el taller del instituto, con las máquinas del centro", "uniforme_logo"),
        ("escribidme por privado, que os echo un cable por un módico precio", "servicios_privados"),
        ("tramitar licencias de viviendas del mismo municipio", "relacion_con_puesto"),
        ("los servicios mínimos son abusivos y que no los cumplamos", "incumplir_minimos"),
        ("en realidad aún no se ha adjudicado, pero ya se sabe quién gana", "no_publico"),
        ("upload the spreadsheet with the patient-level data", "salud"),
        ("la foto de todos con la tarta, con las estanterías de expedientes detrás", "pantalla_de_fondo"),
        ("Dicen que ella está encantada", "consentimiento"),
        ("a mis alumnos que lo compren les subo medio punto", "beneficio_propio"),
        ("preparar lo de mañana a las 6:00 en las tres naves", "operacion_policial"),
        ("estoy participando en la redacción del anteproyecto", "mi_unidad"),
        ("el canal ha crecido y ahora tiene anuncios", "monetizar"),
        ("Cobro derechos de autor", "licencia_condiciones"),
        ("retuiteemos los tuits de su partido cuando hablen de la ciudad", "partidista"),
        ("la foto del futbolista que ingresó ayer en urgencias", "salud"),
        ("Mañana a las 9:00 sale la EPA. Sin spoilers pero id preparando la tila", "no_publico"),
        ("a screenshot of a real tax return with the income figures", "datos_personales"),
        ("la licencia de obra la informamos en mi departamento. La informé yo", "intervengo_contrato"),
        ("¿Y una foto de la carpeta del caso encima de mi mesa?", "pantalla_documentos"),
        ("¿Puedo pedir que voten a [partido]?", "partidista"),
        ("se ven los planos de seguridad del edificio", "seguridad_instalaciones"),
    ],
)
def test_phrases_are_found(book, text, signal):
    assert signal in found(book, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("sin datos personales de nadie", "datos_personales"),  # negated
        ("no es confidencial", "confidencial"),
        ("te paso el borrador de mi post", "confidencial"),  # an exception: the post's draft
        ("me insultan cada vez que publico", "insulto"),  # the asker is insulted, not insulting
        ("soy administrativo en la consejería", "ciudadano_atendido"),  # «administrado» is another word
        ("voy al mitin de mi partido", "salud"),  # «partido» is not «parto»
        ("nos dan la alerta", "emergencia"),  # «dan» is not «dana»
        ("soy enfermera de primaria", "menor"),
        ("el partido de fútbol del domingo", "partidista"),
        # «nada de», «cero», «0» negate too.
        ("Nada de pacientes, pura divulgación", "ciudadano_atendido"),
        ("la campaña «Este verano, 0 muertes en carretera»", "victimas"),
        # Passing or sharing an oposición is not a selection process's secrets.
        ("Acabo de aprobar la oposición", "examen"),
        ("la convocatoria de oposiciones que salió en el BOE", "examen"),
        ("I passed my specialty exam", "examen"),
        # One's own file, fine or relative's death is not a case or a victim from work.
        ("ya tengo la resolución de mi expediente de excedencia", "expediente"),
        ("me han puesto una multa de aparcamiento", "expediente"),
        ("mi madre ha muerto esta semana", "victimas"),
        # The town square is not a job vacancy nor a deadline («plaza» and «plazo» share a stem).
        ("el bar de la plaza", "empleo_publico"),
        ("el bar de la plaza", "difusion_servicio"),
        # Reporting a stolen bike is not an irregularity at work (nor is Galician matched in Spanish).
        ("me han robado la bici y ya he puesto la denuncia", "irregularidad"),
        # A home renovation is not a political reform.
        ("Hago proyectos de reforma y licencias de obra", "opinion_politica"),
        # Somebody else sits on the electoral board.
        ("el juez es vocal de la Junta Electoral de Zona", "justicia_electoral"),
        ("He reservado mesa para diez en el asador", "confidencial"),
        # A plural in -os is a noun of the verb's family, not one of its forms: «filtrar» is not «filtros».
        ("Meses de muestreos, filtros y paciencia", "no_publico"),
        ("Los adelantos de la obra van bien", "no_publico"),
        # «Confidencial» alone is mostly a joke; it counts with the document that carries it.
        ("INFO CONFIDENCIAL 🤫: habrá chocolate con churros", "confidencial"),
        ("Destino confidencial... bueno, Kioto", "confidencial"),
        # Spanish asthma is no Basque «asmatua» (made up); advice against scams names no one's data.
        ("la mayor, de 9 años, tiene asma", "ficticio"),
        ("NUNCA des tus datos bancarios por teléfono", "datos_personales"),
        ("Voy a correr la carrera contra el cáncer de mama", "salud"),
        ("Vale, su familia está encantada", "consentimiento"),
        ("Otra vez pintadas insultantes en la puerta del cole", "insulto"),
        ("Soy funcionaria de carrera y milito en un partido: soy militante", "militar"),
        ("Podéis consultar vuestro borrador y presentar la declaración", "confidencial"),
        ("¿Puedo abrir un Instagram para enseñar mis piezas de cerámica?", "abrir_cuenta_oficial"),
        # A word named, not used, whatever its class.
        ("Lleva la palabra fraude y me da cosa, ¿lo subo?", "irregularidad"),
        # «Plazas limitadas» for a library club is not a job vacancy; the opposition is not an exam.
        ("Plazas limitadas, inscripción gratuita en el mostrador", "empleo_publico"),
        ("La oposición ha presentado una moción en el pleno", "empleo_publico"),
        # Staying in a post is not following an account.
        ("¿Cuánto tiempo puede seguir en esa plaza una interina?", "seguir_like"),
        # A word mentioned, not used: asked about, or inside a quoted title of a work.
        ("lo pregunto por la palabra 'confidencial', que me da miedo", "confidencial"),
        ("¿Eso de 'secreto' me puede traer líos?", "confidencial"),
        ("Reviendo 'L.A. Confidential' por quinta vez", "confidencial"),
        ("La meva recomanació: 'El secret de la infermera', una novel·la preciosa", "confidencial"),
        ("Strava lo tengo público", "ubicacion"),
        ("Soy médica de familia en un consultorio rural", "servicios_privados"),
        ("¿Puedo decir en Bluesky a qué partido voy a votar y por qué?", "lista_personas"),
        ("con las estanterías de expedientes detrás", "expediente"),
        ("Cobro derechos de autor", "beneficio_propio"),  # a book's royalties (Ley 53/1984, art. 19)
        ("me pagan el viaje y el hotel", "beneficio_propio"),
        ("Me voy destinado y vendo los muebles de casa", "beneficio_propio"),
        ("id a votar, a quien sea, pero votad", "partidista"),
        (
            "una foto del suelo pringado después del experimento",
            "insulto",
        ),  # the app alone is no map of where one lives
        ("un curso del INAP sobre tratamiento de información confidencial", "confidencial"),
        ("consejos generales para manejar la ansiedad, sin hablar de pacientes", "ciudadano_atendido"),
        ("consejos generales para manejar la ansiedad", "salud"),
        ("Administrativa en un juzgado de menores", "menor"),
        ("quiero recomendar cinco libros sobre la Guerra Civil", "recomendar"),
        ("El hospital ha publicado un post por el Día del Paciente", "ciudadano_atendido"),
        ("la aprobación inicial del plan general", "persona_identificable"),
        # «el plan de seguridad» that a government presents is a policy, not «los planos de seguridad»
        ("criticar el plan de seguridad que presente el nuevo equipo de gobierno", "seguridad_instalaciones"),
    ],
)
def test_no_false_signal(book, text, signal):
    assert signal not in found(book, text)


def test_hits_keep_their_span_in_the_original_text(book):
    text = "¿Puedo subir la fоto de los vecinos que atendí, con su nombre y apellidos?"
    for hit in book.detect(text, "borrador"):
        assert text[hit.start : hit.end] == hit.text
        assert hit.field == "borrador"


def test_every_signal_of_the_real_file_has_a_known_class_and_phrases(book):
    assert len(book) > 40
    for signal in book.signals.values():
        assert signal.cls in SignalClass
        assert signal.phrases or signal.detectors
        if signal.cls is SignalClass.LEVANTA:
            assert all(lifted in book.signals for lifted in signal.lifts)
        if signal.cls is SignalClass.RIESGO:
            assert signal.check, f"{signal.id}: a risk says what to check"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"x": {"nombre": "x", "clase": "otra", "frases": {"es": ["a"]}}}, "clase"),
        ({"x": {"nombre": "x", "clase": "riesgo", "frases": {"fr": ["a"]}}}, "idioma desconocido"),
        ({"x": {"nombre": "x", "clase": "riesgo"}}, "frases"),
        ({"x": {"nombre": "x", "clase": "riesgo", "detectores": ["pasaporte"]}}, "detector desconocido"),
        ({"x": {"nombre": "x", "clase": "riesgo", "levanta": ["y"], "frases": {"es": ["a"]}}}, "levanta"),
        ({"x": {"nombre": "x", "clase": "levanta", "levanta": ["nada"], "frases": {"es": ["a"]}}}, "no existen"),
        ({"x": {"nombre": "x", "clase": "tema", "frases": {"es": ["a"]}, "color": "rojo"}}, "desconocidos"),
        ({"x": {"nombre": "x", "clase": "riesgo", "se_consigue": True, "frases": {"es": ["a"]}}}, "se_consigue"),
        ({"x": {"nombre": "x", "clase": "tema", "de_lo_dicho": True, "frases": {"es": ["a"]}}}, "de_lo_dicho"),
        ({"x": {"nombre": "x", "clase": "levanta", "de_lo_dicho": "casi", "frases": {"es": ["a"]}}}, "de_lo_dicho"),
        ({"x": {"nombre": "x", "clase": "tema", "combinaciones": {"es": [["a", "b"]]}}}, "dos o más partes"),
        ({"x": {"nombre": "x", "clase": "tema", "combinaciones": {"es": [["a"], []]}}}, "al menos un texto"),
        ({"x": {"nombre": "x", "clase": "tema", "combinaciones": {"fr": [["a"], ["b"]]}}}, "idioma desconocido"),
        ({"x": {"nombre": "x", "clase": "tema", "combinaciones": [["a"], ["b"]]}}, "por idioma"),
        (
            {"x": {"nombre": "x", "clase": "tema", "combinaciones": {"es": [[str(n) for n in range(200)]] * 2}}},
            "más de 20000",
        ),
    ],
)
def test_broken_signals_are_reported_and_the_rest_load(data, message):
    data = {**data, "bueno": {"nombre": "bueno", "clase": "tema", "frases": {"es": ["algo bueno"]}}}
    book, problems = parse_signals(data)
    assert any(message in p for p in problems), problems
    assert "bueno" in book.signals


def test_combinations_make_a_phrase_of_one_text_of_each_part_in_order():
    data = {
        "cuenta_oficial": {
            "nombre": "cuenta oficial",
            "clase": "contexto",
            "combinaciones": {"es": [["cuenta", "instagram"], ["", "oficial"], ["de la biblioteca", "del museo"]]},
        }
    }
    book, problems = parse_signals(data)
    assert problems == []
    assert book.signals["cuenta_oficial"].combined["es"] == (
        "cuenta de la biblioteca",
        "cuenta del museo",
        "cuenta oficial de la biblioteca",
        "cuenta oficial del museo",
        "instagram de la biblioteca",
        "instagram del museo",
        "instagram oficial de la biblioteca",
        "instagram oficial del museo",
    )
    found = book.detect("Subimos al Instagram oficial del Museo las fotos de la exposición", "pregunta")
    assert [(h.signal, h.text) for h in found] == [("cuenta_oficial", "Instagram oficial del Museo")]
    # Only the parts in their order: a photo of the museum on one's own Instagram is no account of it.
    assert book.detect("Subo a mi Instagram una foto del museo", "pregunta") == []


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("Volem penjar-ho al compte oficial de l'Ajuntament", True),
        ("Llevo el Instagram del ayuntamiento y quiero subir el cartel", True),
        # A photo of a building on one's own account is no account of the building's owner.
        ("Quiero subir a mi Instagram una foto del ayuntamiento iluminado", False),
        ("Voy a poner en mi cuenta una foto de la biblioteca", False),
    ],
)
def test_an_organisations_account_is_recognised_and_a_photo_of_its_building_is_not(book, text, present):
    assert ("cuenta_oficial" in {h.signal for h in book.detect(text, "pregunta")}) is present


def test_a_phrase_that_an_exception_swallows_is_reported():
    # «regalarle» stems like «regalo»: as an exception it would hide every gift.
    data = {
        "regalo": {
            "nombre": "regalo",
            "clase": "contexto",
            "frases": {"es": ["regalo", "me han regalado"]},
            "excepto": {"es": ["regalarle", "regalo de boda"]},
        }
    }
    book, problems = parse_signals(data)
    assert problems == []
    unmatched = book.unmatched_phrases()
    assert len(unmatched) == 2 and all("regalo" in p and "excepto" in p for p in unmatched)
    data["regalo"]["excepto"]["es"] = ["para regalarle", "regalo de boda"]
    assert parse_signals(data)[0].unmatched_phrases() == []
    # A phrase that reads as an introduction is no swallowed phrase: in a draft it counts.
    job = {
        "tribunal": {
            "nombre": "tribunal",
            "clase": "contexto",
            "del_puesto": True,
            "frases": {"es": ["soy del tribunal"]},
        }
    }
    assert parse_signals(job)[0].unmatched_phrases() == []


def test_every_phrase_of_the_real_file_finds_its_own_signal(book):
    assert book.unmatched_phrases() == []


def test_a_phrase_written_twice_is_reported_and_still_matches():
    data = {
        "regalo": {
            "nombre": "regalo",
            "clase": "contexto",
            "frases": {"es": ["me han regalado", "un regalo", "Me han regalado"], "ca": ["un regal"]},
        }
    }
    book, problems = parse_signals(data)
    assert problems == []
    repeated = book.repeated_phrases()
    assert len(repeated) == 1 and "Me han regalado" in repeated[0] and "«es»" in repeated[0]
    assert "regalo" in found(book, "me han regalado una cesta")


def test_no_phrase_of_the_real_file_is_written_twice(book):
    assert book.repeated_phrases() == []


def test_a_broken_file_gives_an_empty_book_and_a_problem(tmp_path):
    (tmp_path / "senales.yaml").write_text("a: [sin cerrar", encoding="utf-8")
    book, problems = load_signals(tmp_path)
    assert len(book) == 0 and problems
    missing, problems = load_signals(tmp_path / "nada")
    assert len(missing) == 0 and problems == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("datos personales", (("datos_personales",),)),
        ("menor y cuenta oficial; datos personales", (("menor", "cuenta_oficial"), ("datos_personales",))),
        ("imagen + ciudadano atendido", (("imagen", "ciudadano_atendido"),)),
        ("consentimiento, ficticio anonimizado", (("consentimiento",), ("ficticio_anonimizado",))),
        ("Menor y Cuenta_Oficial.", (("menor", "cuenta_oficial"),)),
        ("", ()),
    ],
)
def test_parse_condition(text, expected):
    assert parse_condition(text) == expected


def test_resolve_by_id_or_name(book):
    assert book.resolve("persona identificable") == "persona_identificable"
    assert book.resolve("Cuenta_Oficial") == "cuenta_oficial"
    assert book.resolve("foto o vídeo") == "imagen"
    assert book.resolve("no existe") is None


def test_the_real_file_is_valid_yaml_with_five_languages():
    data = yaml.safe_load((KNOWLEDGE / "senales.yaml").read_text(encoding="utf-8"))
    languages = {lang for body in data.values() for lang in (body.get("frases") or {})}
    assert languages == {"es", "ca", "gl", "eu", "en"}


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # Hinting at who it is, or still recognisable after pixelating.
        ("No digo el nombre, pero ya sabéis quién es", "senalar_sin_nombrar", True),
        ("Quan sapigueu qui és, flipareu", "senalar_sin_nombrar", True),
        ("Le he difuminado la cara, pero se le reconoce por la chaqueta", "senalar_sin_nombrar", True),
        ("Foto del equipo sin nombres", "senalar_sin_nombrar", False),
        # A party's look in an institutional campaign.
        ("la campaña lleva el lema del partido del consejero", "simbolos_partido", True),
        ("el partido del domingo", "simbolos_partido", False),
        # Somebody else's private life.
        ("las fotos de la boda del concejal", "vida_privada_ajena", True),
        ("las fotos de mi boda", "vida_privada_ajena", False),
        # Health words that were missing (es, ca) and one that is an official day.
        ("llegó retorciéndose con un cólico nefrítico", "salud", True),
        ("una crisi d'ansietat", "salud", True),
        ("mi alumno con TEA ha leído su primera frase", "salud", True),
        # Criminal records, a resident's record on screen.
        ("no lo nombramos porque tiene antecedentes penales", "datos_personales", True),
        ("hay que presentar el certificado de antecedentes penales", "datos_personales", False),
        ("os dejo el pantallazo de la ficha de un vecino", "datos_personales", True),
        ("os dejo una captura de la agenda de hoy", "pantalla_documentos", True),
        # Safety advice is not recommending a company; a talk for minors is not a minor.
        ("las recomendaciones de no circular por la lluvia", "recomendar", False),
        ("Se recomienda beber agua", "recomendar", False),
        ("Os recomiendo la panadería de mi primo", "recomendar", True),
        ("una charla sobre seguridad en internet para menores", "menor", False),
        ("ya sé que es tonto preguntarlo", "insulto", False),
        ("mi jefe es tonto", "insulto", True),
        # Someone who came to the service.
        ("hoy ha venido a urgencias el del bar", "ciudadano_atendido", True),
        ("No hay fotos ni nombres de alumnos", "ficticio_anonimizado", True),
    ],
)
def test_vocabulary_of_the_sixth_batch(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # Chat shorthand is read written out.
        ("la lista antes d q salga oficial", "no_publico", True),
        # «ni hablo en nombre de»: the negation reaches through «hablo».
        ("No soy delegado ni hablo en nombre de la Consejería", "en_nombre_organismo", False),
        ("Hablo en nombre de la Consejería", "en_nombre_organismo", True),
        # Identifiable without a name.
        ("sin nombre, pero en el pueblo todos sabrán quién es", "senalar_sin_nombrar", True),
        # A job title is not the children it teaches; a private tutor is not a class tutor.
        ("Soy maestra de infantil y grabo recetas para TikTok", "menor", False),
        ("Soy tutor de 4º de primaria en Alicante", "servicios_privados", False),
        ("Doy clases particulares de matemáticas", "servicios_privados", True),
        # A procurement unit is taking part in the contract.
        ("Soy jefe de la sección de contratación del ayuntamiento", "intervengo_contrato", True),
        # «Expediente X» is a TV series.
        ("esta noche vuelvo a ver Expediente X desde el principio", "expediente", False),
        # A bare «viaje» is not a gift; a trip paid by a supplier is.
        ("me han invitado a un viaje con todo pagado", "regalo", True),
        ("mi viaje a Roma", "regalo", False),
        # A phrase never spans two sentences; «a nado» is not the Catalan «nadó» (a baby).
        ("Buenas! Trabajo de socorrista en la piscina", "felicitacion", False),
        ("¡Buen trabajo, equipo!", "felicitacion", True),
        ("el domingo hice la travesía a nado", "menor", False),
        # «No saldrían niños»: the negation reaches through the conditional.
        ("No saldrían niños ni el nombre del centro", "menor", False),
        # One's own summer contract is no contractor of the organisation.
        ("con un contrato de verano con el ayuntamiento", "empresa_relacionada", False),
        # Selling with the hook of one's post; being appointed is not that.
        ("Como funcionario de la DGT, te preparo para el examen práctico", "relacion_con_puesto", True),
        ("Ha salido mi nombramiento como funcionaria de carrera", "relacion_con_puesto", False),
        # A place at the library counter is not a person who was attended there.
        ("Inscripciones en el mostrador de préstamo", "ciudadano_atendido", False),
        # Screenshots of a group chat are private messages.
        ("una madre me ha pasado capturas del grupo", "mensajes_privados", True),
    ],
)
def test_vocabulary_of_the_tenth_batch(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # «no estamos en»: the negation reaches through the state it denies.
        ("No estamos en periodo electoral", "periodo_electoral", False),
        ("Estamos en periodo electoral", "periodo_electoral", True),
        # Not yet announced, however the sentence puts it.
        ("aunque el alcalde aún no lo ha anunciado", "no_publico", True),
        ("las actas todavía no se han notificado", "no_publico", True),
        # «paró» (stopped) and unemployment figures are not a strike.
        ("el cantante se paró a hacerse una foto conmigo", "huelga_policial", False),
        ("cómo ha bajado el paro en la provincia", "huelga_policial", False),
        ("todos a la vez de baja para presionar", "huelga_policial", True),
        # Class sizes are not the pupils one attends; a one-off talk needs no second-job permit.
        ("Con 32 alumnos por aula no se puede", "ciudadano_atendido", False),
        ("doy una charla, es algo puntual", "sin_compatibilidad", False),
        # One's own family's tax return is not a taxpayer's file.
        ("la declaración de la renta de mi marido", "datos_personales", False),
        ("he visto la declaración de la renta de un vecino", "datos_personales", True),
        ("nos ha llegado un niño con meningitis", "salud", True),
        # Authorisation from all the families but a few.
        ("tenemos autorización de todas las familias menos de dos niños", "autorizacion_parcial", True),
        ("temos autorizacións das familias pero dous nenos non a teñen", "autorizacion_parcial", True),
        ("tenemos autorización de todas las familias", "autorizacion_parcial", False),
        # A word quoted to ask about it is mentioned, not used.
        ("¿pasa algo por usar 'detenido'?", "operacion_policial", False),
        ("Sin fotos de pacientes ni nada", "ciudadano_atendido", False),
        ("Gracias al sargento Pérez", "persona_identificable", True),
        ("Nada de casos de pacientes, nada del hospital", "ciudadano_atendido", False),
        ("la família del carrer Major amb tres nens. Sense noms", "persona_identificable", True),
    ],
)
def test_vocabulary_of_the_twelfth_batch(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "introduction"),
    [
        ("Soy enfermera en la UCI del Clínico y tengo un perro que baila", "Soy enfermera en la UCI del Clínico"),
        ("Hola! Soy tutora de 4º de primaria. ¿Puedo subir esto?", "Hola! Soy tutora de 4º de primaria"),
        ("Trabajo en un centro de menores, ¿puedo?", "Trabajo en un centro de menores"),
        ("Sóc infermera a l'Hospital del Mar. Puc penjar-ho?", "Sóc infermera a l'Hospital del Mar"),
        ("Anbulantziako teknikaria naiz. Hau jar dezaket?", "Anbulantziako teknikaria naiz"),
        ("I work at a public hospital in Málaga. Today a man yelled", "I work at a public hospital in Málaga"),
        # An emoji or «hoy», «ayer» start what happened, not who they are.
        ("Curro en la AEAT en Bilbao 🙈 hoy ha venido a mi mesa un jugador", "Curro en la AEAT en Bilbao "),
        ("Soy enfermera en la UCI hoy he atendido a un niño", "Soy enfermera en la UCI"),
        # Somebody else's carer, or a sentence that is not about the asker, is no introduction.
        ("Yo soy su auxiliar de enfermería en la residencia", None),
        ("Son las fotos de los pacientes", None),
    ],
)
def test_introductions(text, introduction):
    spans = introductions(text)
    assert [text[a:b] for a, b in spans] == ([introduction] if introduction else [])


def test_a_job_signal_in_the_introduction_does_not_count(book):
    # Where the asker works is not what they post…
    assert "salud" not in found(book, "Soy enfermera en la UCI y quiero subir el vídeo de mi perro bailando")
    assert "menor" not in found(book, "Trabajo en un centro de menores. ¿Puedo subir la foto de mi moto?")
    # …but the same words about the post count, and so does a risk in the introduction.
    assert "salud" in found(book, "Soy celadora. Quiero contar que ayer ingresó en la UCI el alcalde")
    assert "menor" in found(book, "Trabajo en un centro de menores y quiero subir la foto de los chavales")
    assert "confidencial" in found(book, "Soy técnica del área con documentación de uso interno")


def test_a_sentence_about_what_the_job_is_like_does_not_count(book):
    # «En mi día a día hay detenidos…», «Veo brotes psicóticos…»: the job, not the post.
    assert "operacion_policial" not in found(
        book, "En mi día a día hay detenidos y persecuciones. Quiero subir mi foto"
    )
    assert "salud" not in found(book, "Veo brotes psicóticos cada semana. Quiero hacer un vídeo desde casa")
    # The same words about the post count.
    assert "operacion_policial" in found(book, "Quiero subir la foto del detenido de ayer")


def test_hashtags_in_camel_case_are_read_as_words(book):
    text = "Comida de Navidad 🎄 #equipazo #ElAbueloDeLa214NoSeEnteraDeNada"
    hits = [h for h in book.detect(text, "borrador") if h.signal == "senalar_sin_nombrar"]
    assert [h.text for h in hits] == ["#ElAbueloDeLa214NoSeEnteraDeNada"]
    assert text[hits[0].start : hits[0].end] == hits[0].text
    data = {"x": {"nombre": "x", "clase": "riesgo", "del_puesto": True, "comprobar": "y", "frases": {"es": ["x"]}}}
    assert "riesgo" in parse_signals(data)[1][0]


def test_spaceless_phrases_match_text_whose_spaces_ocr_dropped() -> None:
    from bot.signals import load_signals

    book, _ = load_signals(Path(__file__).parent / "fixtures" / "knowledge")
    [hit] = book.spaceless_hits("USOINTERNO-NODIFUNDIR\nInforme", "imagen")
    assert (hit.field, hit.start, hit.end) == ("imagen", 0, 0) and book.get(hit.signal) is not None
    assert book.spaceless_hits("USOINTERNO", "imagen", exclude={hit.signal}) == []
    assert book.spaceless_hits("Un paisaje de montaña", "imagen") == []


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # A short stem joins unrelated words: «parte» is not «parto», «libre» is not «libro».
        ("forma parte del equipo de guardia", "salud", False),
        ("Hurrengo asteko greban parte hartuko dut", "salud", False),
        ("la semana después del parto", "salud", True),
        ("tuvo un parto complicado", "salud", True),
        ("En mi día libre vi un zorro en la sierra", "vida_personal", True),
        # The negation reaches through «fuera» and through asking.
        ("La Administración no dijo que nada fuera reservado", "confidencial", False),
        ("la Agencia nunca pide datos bancarios por SMS", "datos_personales", False),
        ("aunque todavía no lo ha aprobado el Pleno", "no_publico", True),
        # A title quoted after a work («un reel titulado «…»») is mentioned, not used...
        ("quiero subir un reel titulado «Expediente confidencial: los libros más robados»", "confidencial", False),
        # ...but the title of the video one is asked to post is what the post says.
        ("nos piden publicar un vídeo titulado 'Balance de 4 años: 30 parques'", "logros_gestion", True),
        # A talk's or an exhibition's title names its subject.
        ("doy una conferencia titulada 'Lo confidencial en la era de las redes'", "confidencial", False),
        ("Inauguramos la exposición «Confidencial: cartas secretas del siglo XVI»", "confidencial", False),
        # Tax returns, data and crossings-out said of the asker or half done.
        ("¿queda raro si me quejo en X como cualquier contribuyente?", "ciudadano_atendido", False),
        ("cinco consejos para que los vecinos protejan sus datos en internet", "datos_personales", False),
        ("la lista de familias beneficiarias con sus direcciones", "datos_personales", True),
        ("Época de exámenes, la sala llena", "salud", False),
        ("el de la cama 12, otra vez con el EPOC", "salud", True),
        ("El corte ya lo anunció el ayuntamiento en su web", "no_publico", False),
        ("El corte ya lo anunció el ayuntamiento en su web", "publicado_oficialmente", True),
        ("una exposición sobre la huelga de 1919 con fondos del archivo", "sindical", False),
        ("soy funcionario y toco en un grupo que se llama 'Los Reclusos'", "abrir_cuenta_oficial", False),
        ("¿Hay algún problema por usar la palabra confidencial?", "confidencial", False),
        # «mencionar» alone does not point at anyone; naming someone does.
        ("¿hay algún problema por mencionar urgencias?", "persona_identificable", False),
        ("quiero mencionar a mi compañera en el post", "persona_identificable", True),
        ("Osakidetzako erizaina naiz Basurtuko ospitalean", "salud", False),
        # Counted by the dozen or more, people are a figure, not anyone in particular.
        ("2 enfermeras para 30 pacientes y 6 camas en los pasillos", "ciudadano_atendido", False),
        ("cientos de pacientes cada semana", "ciudadano_atendido", False),
        ("la foto de 3 pacientes en la sala", "ciudadano_atendido", True),
        ("sin nombrar a mi jefe ni a mi unidad", "superior", False),
        ("Un vídeo criticando la ley, sin hablar de alumnos ni de mi centro", "ciudadano_atendido", False),
        # «cambiando el nombre» keeps the case: it lifts one grade, not all
        ("un caso real cambiando el nombre de la chica", "ficticio_anonimizado", False),
        ("un caso real cambiando el nombre de la chica", "nombre_cambiado", True),
        ("prácticas de excarcelación con un coche de desguace", "victimas", False),
        ("I si em gravo jo sola a casa?", "acoso_recibido", False),
        ("Un señor me graba en la ventanilla", "acoso_recibido", True),
        ("la foto del campus nevado desde la ventana de mi despacho", "servicios_privados", False),
        ("hacer publicidad en LinkedIn de mi despacho", "servicios_privados", True),
        # wearing the uniform, not somebody else's nor none
        ("Me caso y voy con el uniforme de gala", "de_uniforme", True),
        # a «do not publish» mark, not advice to the reader
        ("5 consejos en vacaciones (no publicar billetes, desactivar la ubicación)", "confidencial", False),
        ("El informe pone NO PUBLICAR en la portada", "confidencial", True),
        ("¿Podemos hacer una encuesta en stories?", "imagen", False),
        ("la nota de prensa sobre la detención del ladrón de bolsos", "insulto", False),
        ("El ladrón de mi jefe se ha subido el sueldo", "insulto", True),
        ("an Instagram reel promoting our carnival", "recomendar", False),
        ("No salgo de uniforme ni digo dónde trabajo", "de_uniforme", False),
        ("fotos de nuestra boda, él con el uniforme de gala", "de_uniforme", False),
        # A prison officer's job is not a location shared; tagging the prison is.
        ("Soy funcionario de prisiones y quiero subir mi diploma", "ubicacion", False),
        ("Quiero etiquetar la ubicación del centro penitenciario en la foto", "ubicacion", True),
        ("el famoso que entró la semana pasada (ya sabéis quién) está en el módulo 10", "senalar_sin_nombrar", True),
        # Signing as a doctor is not speaking for the organisation; a checkpoint's place and time is
        # an operation.
        ("consejos para hidratarse, firmando como médico", "en_nombre_organismo", False),
        ("mañana montamos control en el km 34 de la N-340 a las 7", "operacion_policial", True),
        # «un señor» in an anecdote is anyone; «ese señor», «el señor del quinto», someone.
        ("Hoy un señor me ha gritado en la ventanilla", "persona_identificable", False),
        ("ese señor vino ayer otra vez", "persona_identificable", True),
        ("un alumno de 4 años, en acogida; lo cuento sin su nombre", "ciudadano_atendido", True),
        # An account said to be public is not a text already published.
        ("¿Puedo subir a mi Instagram, que es público, fotos de mis vacaciones?", "publicado_oficialmente", False),
    ],
)
def test_vocabulary_of_the_fifteenth_batch(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # Something people will learn officially later is not public yet.
        ("contenta con el caso; oficialmente lo sabréis la semana que viene", "no_publico", True),
        ("hay un expediente de derribo en marcha que aún no sabe nadie", "no_publico", True),
        ("una compañera me ha contado que la sentencia va a ser condenatoria", "no_publico", True),
        # A decision someone is going to take is not public yet; being afraid of one's own
        # sanction is not a leak.
        ("y que la licencia del centro comercial se va a denegar la semana que viene", "no_publico", True),
        ("la obra va a ser adjudicada a la de siempre", "no_publico", True),
        ("¿me van a sancionar si lo publico?", "no_publico", False),
        # Getting ahead of a lesson is not getting ahead of an announcement.
        ("os dejo el documental, por si alguien quiere adelantarse", "no_publico", False),
        ("les quiero adelantar qué temas van a caer", "no_publico", True),
        # Uploading people is posting their image; saying yes is consenting.
        ("quiero subir a TikTok a los niños de mi clase haciendo el baile", "imagen", True),
        ("nos hicimos un selfi y ella encantada, nos dijo que sí", "consentimiento", True),
        # «other children» in general are nobody in particular.
        ("dentro de unos años darán sombra a otros niños", "persona_identificable", False),
        # 18th batch
        ("hasta el alcalde se ha pasado a que le cure el pie diabético", "salud", True),
        ("preparando el traslado del interno famoso al módulo 3 mañana", "operacion_policial", True),
        ("la acompañamos a recoger sus cosas de casa de su expareja", "victimas", True),
        ("la UTE que va a ganar; todavía no hay adjudicación, sale en unas semanas", "no_publico", True),
        # An institutional post crediting an official for what was promised is a record of achievements.
        (
            "Gracias a la apuesta de nuestro alcalde, 20 km de carril bici. ¡Cumplimos lo prometido!",
            "logros_gestion",
            True,
        ),
        # The mayor at a public act, or a street's residents told of roadworks, single nobody out.
        ("Subo la foto del acto: salgo yo con el alcalde y el jefe de bomberos", "persona_identificable", False),
        ("Vecinos de la calle Real: obras del 3 al 20 de junio", "persona_identificable", False),
        ("Honestly, the new housing law won't fix rents in Madrid", "opinion_politica", True),
        # One's own opinion, as the official account must not give it (Regla 91); the government alone is not one.
        ("¿Puedo escribir en el perfil oficial lo que opino yo de la reforma?", "opinion_propia", True),
        ("Publicamos en la cuenta oficial el decreto del Gobierno sobre ayudas", "opinion_propia", False),
        # Budget cuts are politics; cropping a photo is not (session 43's conversations).
        ("Quiero criticar los recortes en sanidad", "opinion_politica", True),
        ("¿Y si recorto para que no se vea a nadie?", "opinion_politica", False),
        # A paid tier of one's own channel, insider knowledge, the bus's camera, a signed consent.
        ("¿Y si hago una versión premium de 5 € al mes con resúmenes?", "beneficio_propio", True),
        ("comentando que yo sé de buena tinta que se van a revalorizar", "info_del_puesto", True),
        ("me ha pasado el vídeo de la cámara frontal de mi bus", "info_del_puesto", True),
        ("grabo un selfie con la cámara frontal del móvil", "info_del_puesto", False),
        ("I si el pacient em signa una autorització?", "consentimiento", True),
        ("¿Y si espero a que la cuelguen en la web del tribunal?", "publicado_oficialmente", True),
        # An adult's daughter who says yes is no minor; inmates are the people a prison officer serves.
        ("Su hija me ha dicho por WhatsApp que sí, que le encanta", "menor", False),
        ("contando anécdotas graciosas de internos, sin nombres", "ciudadano_atendido", True),
        # Another's tax return shown to laugh at what they declare (bb089).
        ("subir la declaración de la renta de mi cuñado para que vean lo poco que declara", "datos_personales", True),
        # A moderate dementia is no moderation of comments.
        ("tiene una demencia moderada y a ratos no sabe dónde está", "bloquear_borrar", False),
        # Screens switched on behind the team photo (bb018).
        ("detrás se ven nuestras mesas y un par de pantallas encendidas", "pantalla_de_fondo", True),
        # The service weapon in a photo or video, and saying it is out (as022).
        ("I un vídeo fent broma amb la pistola reglamentària al vestidor?", "arma_reglamentaria", True),
        ("D'acord, res d'armes. I la foto de la cursa?", "sin_armas", True),
        ("la foto del museo de armas antiguas", "arma_reglamentaria", False),
        # Someone in a wheelchair seen in the background of a hospital photo (ai001).
        ("al fondo se ve a un señor en silla de ruedas, de espaldas", "salud", True),
        ("la rampa nueva para sillas de ruedas", "salud", False),
        # Telling a citizen he cannot read is an insult (b080).
        ("'Estaba en el bando desde el lunes. Si no sabe leer, no es culpa nuestra'", "insulto", True),
        # Cues many independent batches share (20th batch and the dev cases behind it)
        # An aside added to an ordinary post is where the independent batches hide the detail.
        ("Campaña de la renta a tope. Por cierto, el delantero ese ha venido a regularizar", "inciso", True),
        ("Dato curioso: es el libro más prestado de la biblioteca", "inciso", True),
        ("PD: para los de aquí, la parcela de la rotonda ya tiene dueño", "inciso", True),
        ("By the way, guess who came to the tax office today", "inciso", True),
        ("Si los números no cuadran, ya os contaré", "inciso", True),
        ("Ruta espectacular por el parque natural, con amigos y buen tiempo", "inciso", False),
        # A famous person singled out without a name is still someone you can tell.
        ("el interno famoso del módulo 3 se pasa el día jugando al ping-pong", "senalar_sin_nombrar", True),
        ("le estamos mirando las cuentas a un restaurante muy famoso de Triana", "senalar_sin_nombrar", True),
        ("hoy ha venido a mi mesa un jugador muy conocido del Athletic", "senalar_sin_nombrar", True),
        ("he visto un documental sobre la historia del flamenco", "senalar_sin_nombrar", False),
        # A tip-off is not an announcement.
        ("me han chivado que el supuesto práctico va a ir de padrón", "no_publico", True),
        ("ya os digo yo que entra mi sobrina", "inciso", True),
        # Arresting oneself is a joke, not an arrest; one's own baby is family, pupils are not.
        ("Hoy me he detenido a mí mismo por comerme tres churros", "operacion_policial", False),
        ("Hoy me he detenido a mí mismo por comerme tres churros", "ciudadano_atendido", False),
        ("Hoy hemos detenido a dos personas en la feria", "operacion_policial", True),
        ("Vuelvo al hospital y subo una foto con mi bebé", "sobre_si_mismo", True),
        ("foto con mis peques de la clase de 3º", "sobre_si_mismo", False),
        # The tax return's «borrador» is the taxpayer's own, not an internal draft.
        ("Arranca la campaña de la renta: revisad bien el borrador antes de confirmarlo", "confidencial", False),
        ("Os dejo el borrador del plan de movilidad que nos pasaron ayer", "confidencial", True),
        # 21st batch
        # Alarming words about a match, a pet or a diet are figurative; a ledger is no book.
        ("lo del árbitro de ayer fue un atraco a mano armada", "figurado", True),
        ("INFORMACIÓN CONFIDENCIAL: llevo tres días a dieta", "figurado", True),
        ("anótalo en el libro de registro", "figurado", False),
        # Where a protected species breeds, and the exact spot.
        ("hemos localizado el nido del águila perdicera", "fauna_protegida", True),
        ("os dejo las coordenadas en los comentarios", "lugar_exacto", True),
        ("está justo detrás del segundo collado", "lugar_exacto", True),
        # A unit's movements and equipment; a soldier deployed abroad.
        ("mañana a las 5 salimos de patrulla hacia la frontera", "operativo_militar", True),
        ("enseñar el hangar con los vehículos nuevos", "operativo_militar", True),
        ("mañana salimos a las 8 de excursión", "operativo_militar", False),
        ("Soldado desplegado en Letonia", "militar", True),
        # Clues that name without naming; a wall of shame; a tip about a verdict still unread.
        ("No diré nombres, pero empieza por M", "senalar_sin_nombrar", True),
        ("A ver quién adivina qué concejal ha venido hoy", "senalar_sin_nombrar", True),
        ("Lista de la vergüenza: los que no secundaron la huelga", "lista_personas", True),
        ("mañana se lee la sentencia y va a haber sorpresas", "no_publico", True),
        # «Tax policy unit» is a workplace, not a political opinion.
        ("I work in the tax policy unit of the ministry", "opinion_politica", False),
        ("Street closures for the marathon: cortes de calles el domingo", "difusion_servicio", True),
        # What one's unit already holds is known through the job; a union's account is not official.
        ("En mi unidad ya tenemos las tablas con la subida para enero", "info_del_puesto", True),
        ("Quiero denunciarlo desde la cuenta del sindicato", "cuenta_oficial", False),
        ("I offer private tutoring at weekends", "servicios_privados", True),
        ("Anoche solo había dos patrullas para todo el distrito", "operacion_policial", True),
        # 22nd batch
        # Laughing at oneself is no mockery of anyone.
        ("¿Hay problema por reírme de mí misma siendo bombera?", "insulto", False),
        ("Quiero reírme de la concejala en TikTok", "insulto", True),
        # A vulnerable person who can be recognised in the photo.
        ("en un banco en primer plano se ve a un hombre sin hogar durmiendo", "persona_identificable", True),
        # A celebrity seen as a patient in A&E; what a case file's screenshot still shows.
        ("en el box 7 teníamos al presentador del informativo", "ciudadano_atendido", True),
        ("con una buena borrachera", "salud", True),
        ("con el nombre tachado, pero se ve el municipio y parte del NIF", "datos_personales", True),
        ("una declaración real que revisé la semana pasada", "info_del_puesto", True),
        ("I found a spreadsheet on the shared drive", "info_del_puesto", True),
        # Only the objects are in the picture.
        ("Surten només les roses, cap nen", "ficticio_anonimizado", True),
        # A board game and a sourdough are figurative; baking is personal life.
        ("la foto del Monopoly con mi ficha en la cárcel", "figurado", True),
        ("He hackeado por fin la masa madre", "vida_personal", True),
        # A surprise inspection announced the day before; a plan not yet through the council.
        ("Mañana a primera hora hacemos visita sorpresa a una nave", "no_publico", True),
        ("la zona pasa a urbanizable, aunque todavía no ha ido a pleno", "no_publico", True),
        ("si supierais lo que ha contado hoy el testigo protegido", "confidencial", True),
        ("Onte atendín a un alcalde cunha crise de ansiedade", "salud", True),
        ("na comarca todo o mundo sabería quen é", "senalar_sin_nombrar", True),
        # ...and the everyday senses of the same words.
        ("mañana visita sorpresa de mis padres", "no_publico", False),
        ("entreno en el box de crossfit", "ciudadano_atendido", False),
        ("la partida presupuestaria aún no es oficial", "figurado", False),
        ("Quiero subir una foto de mi perro, ¿alguna pista?", "confidencial", False),
        ("ya sabemos que fue un éxito", "senalar_sin_nombrar", False),
        # 20th and 18th batches: a checkpoint announced, a suspect pointed at, a test's questions.
        ("vamos a estar ahí con el alcoholímetro", "operacion_policial", True),
        ("ya sabemos que fue el ganadero de la finca de arriba", "senalar_sin_nombrar", True),
        ("las preguntas de la prueba de acceso ya están casi listas", "confidencial", True),
        ("este jueves que nadie cubra los mínimos", "incumplir_minimos", True),
        ("las mujeres no aguantan un incendio de verdad", "insulto", True),
        # Concentrations of a pollutant are no rally; a passenger in a bus driver's video is a person.
        ("hemos encontrado concentraciones 3 veces superiores aguas abajo", "sindical", False),
        ("concentración ante el ayuntamiento el jueves", "sindical", True),
        ("y salen algunos viajeros al subir", "persona_identificable", True),
        ("lo he pixelado, aunque todavía se intuyen algunas iniciales", "senalar_sin_nombrar", True),
        # A film's plot is no harassment; safety tips mention children in general.
        ("En la peli, la protagonista denuncia a su jefe por acoso", "insulto", False),
        ("Velas lejos de cortinas y de los peques", "menor", False),
        ("la resi las colgó en su Facebook oficial (tenían autorización de las familias)", "consentimiento", True),
        ("Rutas guiadas cada sábado: te las guía el técnico de turismo", "servicios_privados", True),
        # 23rd batch: everyday senses (a recipe's secret, a leak in the ceiling, a sudden-death
        # tie-break, a rip-off price, advice about a hurt animal) and the details that matter.
        ("el secreto está en la bechamel, nunca lo contéis", "confidencial", False),
        ("tengo una filtración en el techo del baño", "no_publico", False),
        ("perdimos la final en la muerte súbita", "victimas", False),
        ("menudo atraco lo de las entradas del concierto", "operacion_policial", False),
        ("si ves que está herido, llama al 112", "victimas", False),
        ("quiero dejar de beber refrescos", "salud", False),
        ("se ha llevado tres libros para dejar de beber", "salud", True),
        ("la Junta de Gobierno lo aprueba el jueves", "no_publico", True),
        ("tengo una foto del expediente encima de mi mesa", "pantalla_documentos", True),
        ("detrás se ve la cola de gente esperando", "al_fondo", True),
        ("y de paso se ve dónde están las cámaras", "info_del_puesto", True),
        ("mañana no voy aunque me toquen mínimos", "incumplir_minimos", True),
        ("Gracias a Construcciones Alcor por invitarnos a su palco", "regalo", True),
        ("Técnico de contratación en el ayuntamiento", "intervengo_contrato", True),
        ("como cada semana, la señora del abrigo preguntando si ya le han contestado", "ciudadano_atendido", True),
        ("el bautizo de mi sobrino", "familiar", True),
        ("salen las 15 niñas del grupo", "persona_identificable", True),
        ("A famous singer was transferred to our prison today", "info_del_puesto", True),
        ("a famous footballer came in to renew his permit", "senalar_sin_nombrar", True),
        # Someone attended at work, said as it happened; a book at one's mother's house is not a loan.
        ("hoy nos ha tocado subir a planta al concejal después del susto con la moto", "ciudadano_atendido", True),
        ("un veí ha presentat una instància queixant-se de l'alcalde", "ciudadano_atendido", True),
        ("el ejemplar lleva desde enero en casa de D. Aurelio", "ciudadano_atendido", True),
        ("el libro lleva desde enero en casa de mi madre", "ciudadano_atendido", False),
        ("lo he visto en la propuesta de resolución que está en la mesa del concejal", "info_del_puesto", True),
        ("Este año estoy en el tribunal de las opos de Lengua", "miembro_tribunal", True),
        ("agradecer a mi academia", "servicios_privados", False),
        ("tengo una academia de oposiciones", "servicios_privados", True),
        # An elided article does not hide its word («l'incendi», «de l'alumne»).
        ("I un vídeo de l'incendi d'ahir?", "emergencia", True),
        ("Puc penjar el treball de l'alumne?", "ciudadano_atendido", True),
        ("una foto d'esquena", "sin_caras", True),
        # Consent given for another use, asked about for one's own account.
        ("Tenen autorització per a la web del centre. Em val per al meu Instagram?", "consentimiento_otro_fin", True),
        # A vehicle in the background is not a screen or a document.
        ("I si al fons es veu el camió amb la matrícula i el logo dels Bombers?", "pantalla_documentos", False),
        ("I si al fons es veu el camió amb la matrícula i el logo dels Bombers?", "datos_personales", False),
        ("¿Y puedo decir que la gestión de la consejera nos toma por tontos?", "insulto", False),
        ("dolores de espalda que vemos en consulta", "sin_caras", False),
        # Selling one's own services is a business; selling one's car is not.
        ("my Instagram is also where I sell my online fitness plans", "beneficio_propio", True),
        ("vendo mi coche, ¿puedo anunciarlo en Facebook?", "beneficio_propio", False),
        ("si quiere ayuda con las alegaciones, le hago buen precio", "beneficio_propio", True),
        ("¿Y si la subo dentro de unas semanas, sin decir el sitio?", "operacion_pasada", True),
        ("quería subir el plan de comunicación interno del año que viene", "confidencial", True),
        # From the 38th batch: a class reunion is no promotion; a decree of appointment is no opinion.
        ("Hemos hecho una comida de promoción, salimos los doce de uniforme", "recomendar", False),
        ("El real decreto ha salido esta mañana en el BOE", "opinion_politica", False),
        ("¿Puedo firmar el manifiesto poniendo mi nombre y debajo mi cargo?", "mi_unidad", True),
        ("una foto del piquete sacando la cara de una compañera que no se ha sumado", "lista_personas", True),
        ("contar un caso real, pero cambiando nombre, edad y centro", "ficticio_anonimizado", True),
        ("Onte ingresou na miña planta o alcalde da vila", "ciudadano_atendido", True),
        # A generic diagram shows no one; one with IPs and server names shows how a system is protected.
        ("[Imagen: esquema genérico usuarios → aplicaciones → datos]", "ficticio_anonimizado", True),
        (
            "una captura del diagrama de arquitectura, con las IPs y los nombres de los servidores",
            "seguridad_instalaciones",
            True,
        ),
        # From the 37th batch.
        ("y el borrador NO se confirma solo 😉", "confidencial", False),
        ("(La nota de prensa sale mañana, pero no me aguantaba)", "no_publico", True),
        ("patrulla por la ruta norte a las 6:00 todos los días", "operativo_militar", True),
        ("Mi compañero Juan lo ha anunciado él mismo en su Instagram", "consentimiento", True),
        ("Salen también otros niños premiados", "persona_identificable", True),
        ("un artículo sobre un ensayo clínico con pacientes con diabetes", "ciudadano_atendido", False),
        ("salen mi DNI y la firma escaneada de la gerente", "datos_personales", True),
        ("compartir los carteles y vídeos del partido al que voto", "partidista", True),
        ("usar los mismos colores que usó el partido del Gobierno", "simbolos_partido", True),
        ("La cuenta oficial de mi policía ha publicado una foto", "publicado_oficialmente", True),
        ("a lista de persoas que pediron as axudas, que vin no programa de xestión", "info_del_puesto", True),
        ("con el ordenador encendido detrás y papeles encima", "pantalla_de_fondo", True),
        ("con el ordenador encendido detrás y papeles encima", "pantalla_documentos", False),
        ("se lee la pantalla con el nombre del paciente", "pantalla_documentos", True),
        # From the ao conversations.
        ("leyendo en voz alta el primer capítulo entero de una novela", "obra_ajena", True),
        ("the accepted manuscript only after a 12-month embargo", "obra_ajena", True),
        ("me ha apartado por escrito de todos los expedientes de su empresa", "abstencion", True),
        ("a qué horas exactas se hacen los recuentos en el módulo 4", "seguridad_instalaciones", True),
        (
            "cómo tenemos configurado el cortafuegos, con capturas de la consola de administración",
            "seguridad_instalaciones",
            True,
        ),
        ("Por esto el 28 no le voy a votar, y vosotros tampoco deberíais", "partidista", True),
        ("estoy en la sección de licencias de obra", "intervengo_contrato", True),
        ("¿Y si grabo el pasillo cuando no hay nadie?", "ficticio_anonimizado", True),
        # The asker's fear of a disciplinary file is not a case file from work.
        ("Se puede o me van a abrir expediente? 😂", "expediente", False),
        ("¿Me pueden abrir un expediente por esto?", "expediente", False),
        ("Quiero contar el expediente que llevo", "expediente", True),
        # An organisation's account named by its network and its body.
        ("¿Podemos publicar en el Instagram de la biblioteca las novedades del mes?", "cuenta_oficial", True),
        ("La página de Facebook del ayuntamiento quiere sortear dos entradas", "cuenta_oficial", True),
        ("La página de Facebook del ayuntamiento quiere sortear dos entradas", "participacion", True),
        # From the 40th batch and the aq conversations.
        ("'Pepa, 72 años, está desayunando…'. Pepa no existe, me la invento yo.", "ficticio", True),
        ("un vídeo en el Instagram institucional con todo lo que hemos hecho", "cuenta_oficial", True),
        ("una foto real de la sala de descanso de residentes", "ciudadano_atendido", False),
        ("con los datos de inversión en la provincia", "datos_personales", False),
        ("¿Y si solo pongo 'el domingo todos a votar, que es importante', sin decir a quién?", "partidista", False),
        ("una foto mía metiendo el voto, que se vea bien la papeleta del partido", "partidista", True),
        ("Me ha dicho por escrito que le hace mucha ilusión", "consentimiento", True),
        ("me acaba de escribir Marta, que al final prefiere no salir", "sin_consentimiento", True),
        ("Hoy ha venido a declarar un futbolista muy conocido", "senalar_sin_nombrar", True),
        (
            "a qué hora es el cambio de turno en la puerta de acceso y cuántos funcionarios quedan",
            "seguridad_instalaciones",
            True,
        ),
        ("cómo preparé la oposición, lo que se cobra y cómo van los turnos", "beneficio_propio", False),
        ("me pagarían 300 euros como 'colaboración de contenido'", "beneficio_propio", True),
        ("¿Y si lo publico como comunicado del Departamento de Economía Aplicada?", "en_nombre_organismo", True),
        ("Eta hari pertsonala euskaraz ere argitaratzen badut, nire kontuan?", "cuenta_personal", True),
        # «internal» glossed is not «un interno» (an inmate)
        ("In an internal meeting they told us the instruction will come out next week", "ciudadano_atendido", False),
        ("In an internal meeting they told us the instruction will come out next week", "no_publico", True),
    ],
)
def test_vocabulary_of_the_seventeenth_to_twenty_third_batches(book, text, signal, present):
    assert (signal in found(book, text)) is present


def test_a_publication_still_to_come_is_no_publication(book):
    """«Saldrá en el DOCM la semana que viene»: the gazette named is where it will come out."""
    text = "En una reunión interna nos dijeron que saldrá en el DOCM (diario oficial) la semana que viene"
    hits = book.detect(text, "pregunta")
    assert {"publicado_oficialmente", "no_publico"} <= {h.signal for h in hits}
    assert book.contradicted("publicado_oficialmente", hits) is not None
    assert book.contradicted("publicado_oficialmente", book.detect("Ya ha salido en el BOE", "pregunta")) is None


def test_each_hit_knows_its_sentence(book):
    text = "El programa está en la web municipal. Y subimos las tasas, aunque todavía no lo ha aprobado el Pleno."
    sentences = {h.signal: h.sentence for h in book.detect(text, "borrador")}
    assert sentences["publicado_oficialmente"] == 0 and sentences["no_publico"] == 1


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # Patients, pupils or children said as absent, whatever the word for them.
        ("subo solo la foto del mural, sin críos ni el nombre del cole", "sin críos"),
        ("en el vídeo no salen pacientes, solo el box vacío", "no salen pacientes"),
        ("una foto del aula ya recogida, ni alumnos ni profes", "ni alumnos"),
        # Denying what someone is, or naming them, says nothing about who appears.
        ("no es un menor, tiene 19 años", None),
        ("la foto de mis alumnos en el patio", None),
    ],
)
def test_a_person_said_as_absent_is_a_claim_that_they_do_not_appear(book, text, absent):
    # Only they: «sin pacientes» next to the team in the photo says nothing of the team.
    claims = [h.text for h in book.detect(text, "pregunta") if h.signal == "sin_atendidos"]
    assert (absent in claims) if absent else not claims
    assert not [h for h in book.detect(text, "pregunta") if h.signal == "ficticio_anonimizado" and h.text == absent]


def test_only_a_lifter_names_known_signals_as_absent():
    data = {
        "menor": {"nombre": "menor", "clase": "contexto", "frases": {"es": ["niño", "niños"]}},
        "anonimo": {"nombre": "anónimo", "clase": "levanta", "levanta": ["menor"], "frases": {"es": ["anónimo"]}},
    }
    book, problems = parse_signals({**data, "anonimo": {**data["anonimo"], "ausencia_de": ["menor"]}})
    assert problems == []
    assert [(h.signal, h.text) for h in book.detect("una foto sin niños", "pregunta")] == [("anonimo", "sin niños")]
    assert "ausencia_de" in parse_signals({**data, "menor": {**data["menor"], "ausencia_de": ["menor"]}})[1][0]
    assert "fantasma" in parse_signals({**data, "anonimo": {**data["anonimo"], "ausencia_de": ["fantasma"]}})[1][0]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("¿Y si tapo la matrícula?", "datos_personales"),
        ("vale, nada de la niña", "menor"),
        ("Lo subo sin nombre y apellidos", "persona_identificable"),
        ("What if I blur the number plate?", "datos_personales"),
        # a possessive joins the removal to its noun; «sin su nombre» does not make a case anonymous
        ("con la foto del boletín (tapando mi matrícula)", "datos_personales"),
        # said after the noun: «con la matrícula tapada», «las caras bien pixeladas»
        ("¿Y si la suben ellos, con la matrícula tapada?", "datos_personales"),
        ("la foto de la excursión con los niños bien pixelados", "menor"),
        ("¿Y si la subo con la cara de mi compañero tapada?", "persona_identificable"),
        # «borro», «elimino», «tacho»: removals too, before or after the noun
        ("¿Y si borro la matrícula y recorto para que no se vea a nadie?", "datos_personales"),
        ("la foto con la matrícula borrada", "datos_personales"),
        # the removal said as done: «he quitado…», «he borrado…», «I removed…», «he tapat…»
        ("He quitado los nombres de los pacientes", "persona_identificable"),
        ("He borrado la matrícula del coche", "datos_personales"),
        ("I removed the number plate", "datos_personales"),
        ("He tapat la matrícula", "datos_personales"),
        ("Quitei a matrícula", "datos_personales"),
        # after an edit, a purpose clause in the subjunctive: «recorto para que no se vea…»
        ("¿Y si le pongo un emoji en la cara y recorto para que no se vea la pulsera?", "datos_personales"),
        ("Retallo la foto perquè no surti la matrícula", "datos_personales"),
        ("Recorto a foto para que non se vexa a matrícula", "datos_personales"),
    ],
)
def test_absent_names_what_a_message_takes_out(book, text, signal):
    assert signal in book.absent(text)
    assert all(h.signal != signal for h in book.detect(text, "pregunta"))


def test_absent_is_empty_when_nothing_is_taken_out(book):
    assert book.absent("Se ve la matrícula del coche y la cara de la niña") == frozenset()
    # a removal word after another noun says nothing about this one
    assert "datos_personales" not in book.absent("la matrícula del coche con la cara tapada")
    # deleting comments is moderation: what is deleted is still what the rules read
    text = "¿Podemos borrar de la cuenta oficial los comentarios que son puros insultos?"
    assert book.absent(text) == frozenset()
    assert {"cuenta_oficial", "insulto", "bloquear_borrar"} <= {h.signal for h in book.detect(text, "pregunta")}
    # without an edit of one's own post, «para que no se vea» says the thing is in what is hidden
    hidden = "¿Y puedo ocultar su respuesta para que no se vea el DNI?"
    assert book.absent(hidden) == frozenset()
    assert "datos_personales" in {h.signal for h in book.detect(hidden, "pregunta")}
    assert "datos_personales" in {
        h.signal for h in book.detect("Quiero subirla aunque se vea la matrícula", "pregunta")
    }


@pytest.mark.parametrize(
    "text",
    [
        "No he quitado la matrícula",
        "Todavía no he borrado la matrícula del vídeo",
        "La subo sin tapar la matrícula",
        "I have not removed the number plate",
        "Encara no he tapat la matrícula",
    ],
)
def test_a_denied_removal_leaves_the_thing_there(book, text):
    assert "datos_personales" not in book.absent(text)
    assert "datos_personales" in {h.signal for h in book.detect(text, "pregunta")}


# ---------------------------------------------------------------- glossing into Spanish


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vull penjar les fotos dels meus alumnes", ["vull", "penjar"]),  # Catalan: glossed
        ("Quero subir as fotos dos meus alumnos", ["quero"]),  # Galician
        ("I want to upload the photos of my students", ["want", "upload"]),  # English
    ],
)
def test_a_message_in_another_language_is_glossed_into_spanish(text, expected):
    from bot.signals import gloss
    from bot.text import word_spans

    words = [w for w, _, _ in word_spans(text)]
    glossed = gloss(words)
    assert glossed is not None and len(glossed) == len(words)
    assert all(glossed[words.index(w)] != w for w in expected)


@pytest.mark.parametrize(
    "text",
    ["Quiero subir las fotos de mis alumnos a Instagram", "¿Puedo compartir la campaña oficial?", "ok"],
)
def test_a_spanish_message_is_not_glossed(text):
    from bot.signals import gloss
    from bot.text import word_spans

    assert gloss([w for w, _, _ in word_spans(text)]) is None


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        # The Spanish phrases meet the glossed words; the quoted words are the message's own.
        ("Vull penjar les fotos dels meus alumnes amb la cara ben visible", "persona_identificable"),
        ("I want to upload the photos of my students with their faces visible", "ciudadano_atendido"),
    ],
)
def test_spanish_phrases_find_the_situation_in_a_glossed_message(book, text, signal):
    hits = [h for h in book.detect(text, "pregunta") if h.signal == signal]
    assert hits and all(text[h.start : h.end] == h.text for h in hits)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("¿Me meto en algún lío por poner 'confidencial'?", {"confidencial"}),
        ("Salen palabras como «drogas» o «detener», ¿me puede dar problemas?", {"drog", "detener"}),
        ("Salen 'pacientes' y 'riesgo', pero creo que es normal, ¿no?", {"pacient", "riesg"}),
        (
            "Con tanto «policía», «juzgado» y «confidencial» igual parece otra cosa",
            {"polici", "juzgad", "confidencial"},
        ),
        ("¿Me pueden expedientar por usar la palabra confidencial?", {"confidencial"}),
        ("¿O suena raro con lo de confidencial?", {"confidencial"}),
        ("Me preocupa que en mi perfil ponga 'juzgado' y 'menores'...", {"juzgad", "menor"}),
        ("Lo de anoche en el turno fue duro", set()),
        ("Mi perro se llama Expediente, ¿puedo subir su foto?", {"expedient"}),
        ("Mañana hacemos la operación, se llama Operación Nécora", set()),
        # Said of the post, not asked about as a word: the document really is confidential.
        ("El informe pone 'CONFIDENCIAL' en la cabecera, ¿puedo subirlo?", set()),
        ("Quiero subir 'el acta de la reunión de ayer', ¿puedo?", set()),
        ("¿Hay problema porque hablo de 'usuarios' y 'familias vulnerables'?", {"usuari", "famili", "vulnerabl"}),
        # A second quoted word after one asked about is asked about too.
        ("Lo digo por lo de 'confidencial' y 'secretas'", {"confidencial", "secret"}),
        ("I'm asking because of the 'confidential' bit, in case anyone takes it seriously", {"confidential"}),
    ],
)
def test_named_words(question, named):
    assert named_words(question) == named


def test_a_word_the_question_asks_about_is_no_evidence_in_the_draft(book):
    draft = "🤫 RESERVADO 🤫 La receta secreta de las torrijas de la abuela"
    assert "confidencial" in {h.signal for h in book.detect(draft, "borrador")}
    named = named_words("¿Me pueden expedientar por usar la palabra reservado?")
    assert "confidencial" not in {h.signal for h in book.detect(draft, "borrador", named)}
    # Other words of the draft still count, and so do detectors.
    leaked = "CONFIDENCIAL: el informe interno de auditoría, DNI 12345678Z"
    signals = {h.signal for h in book.detect(leaked, "borrador", named)}
    assert "datos_personales" in signals


def test_the_subject_of_a_course_is_no_evidence(book):
    course = "Acabo de terminar el curso del INAP sobre gestión de información confidencial. ¿Cuelgo el certificado?"
    assert "confidencial" not in {h.signal for h in book.detect(course, "pregunta")}
    leaked = "Tras el curso, subo el informe confidencial de la auditoría"
    assert "confidencial" in {h.signal for h in book.detect(leaked, "pregunta")}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Vivo en el bloque 3 de la urbanización", "bloquear_borrar"),
        ("[filtros=off] ¿Puedo subir el horario?", "no_publico"),
        ("Cinco consejos para no mandar el DNI por WhatsApp a cualquiera", "datos_personales"),
        ("Matemáticas de la ESO explicadas sin dramas", "menor"),
        ("Gracias a estos cracks de promoción", "recomendar"),
        ("Vull penjar un vídeo ballant amb una cançó de moda", "salud"),
        ("La foto del cartel 'Documentos confidenciales del siglo XIX', una exposición del archivo", "confidencial"),
        ("Hoy en clase hemos hablado de datos personales y contraseñas", "credenciales"),
    ],
)
def test_words_that_only_look_like_a_signal(book, text, absent):
    assert absent not in {h.signal for h in book.detect(text, "pregunta")}


@pytest.mark.parametrize(
    ("text", "lift", "where"),
    [
        ("No sé si todas las familias firmaron la autorización", "consentimiento", "pregunta"),
        ("no sé si ya se ha publicado en el BOE", "publicado_oficialmente", "pregunta"),
        ("No tinc clar si totes les famílies han signat l'autorització d'imatge", "consentimiento", "pregunta"),
        ("I'm not sure if all the parents signed the consent form", "consentimiento", "borrador"),
    ],
)
def test_a_lift_the_asker_is_not_sure_of_is_marked_doubted(book, text, lift, where):
    assert {h.doubted for h in book.detect(text, where) if h.signal == lift} == {True}
    sure = text.split(" si ", 1)[-1].split(" if ", 1)[-1]  # the same words, said as a fact
    assert {h.doubted for h in book.detect(sure, where) if h.signal == lift} == {False}


def test_a_doubt_leaves_the_risks_it_covers(book):
    assert "menor" in {h.signal for h in book.detect("No sé si todas las familias de los niños firmaron", "pregunta")}


def test_without_patients_lifts_the_patients_not_the_colleagues_in_the_photo(book):
    signals = {h.signal for h in book.detect("Una foto del equipo en la planta, sin pacientes", "pregunta")}
    assert "sin_atendidos" in signals
    assert "ficticio_anonimizado" not in signals


@pytest.mark.parametrize(
    ("text", "signal", "found"),
    [
        # A negation the gap of a phrase would swallow denies it.
        ("¿Y si no lo hubiera mirado en ninguna base de datos?", "info_del_puesto", False),
        ("Lo he mirado en la base de datos del curro", "info_del_puesto", True),
        # The nearest count governs, and a day of the month is no count.
        ("Una familia a la que desahucian el día 20, con dos niños pequeños", "menor", True),
        ("Hoy había 30 pacientes esperando en la sala", "ciudadano_atendido", False),
        # «Más de un paciente» speaks of many; «un paciente», of one.
        ("Vi a más de un paciente mayor terminar ingresado por la gripe", "ciudadano_atendido", False),
        ("Vi a un paciente mayor terminar ingresado por la gripe", "ciudadano_atendido", True),
        # Asking not to publish, or to take down, is no consent.
        ("Me pidió que no lo publicara", "consentimiento", False),
        ("nos pidió que lo quitáramos", "consentimiento", False),
        ("La dueña nos pidió que subiéramos el vídeo", "consentimiento", True),
        # A temperature is a measure, not a count.
        ("el señor de 80 años que atendimos ayer con 41 de fiebre", "salud", True),
        ("Hoy tenemos 30 pacientes con fiebre", "salud", False),
    ],
)
def test_negated_gaps_and_counts(book, text, signal, found):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is found


def test_what_the_asker_leaves_out_is_lifted_only_where_it_is_said(book):
    hits = book.detect(
        "Mi tesis ya está en el repositorio abierto. El anexo confidencial no está publicado y no lo voy a mencionar.",
        "pregunta",
    )
    assert {"confidencial", "excluido"} <= {h.signal for h in hits}
    assert "confidencial" in book.lifters_of("excluido") or "excluido" in book.lifters_of("confidencial")


@pytest.mark.parametrize(
    ("where", "text", "signal", "present"),
    [
        # What the post says it will not tell is kept back, up to the end of the clause.
        (
            "borrador",
            "Y no, no os voy a contar cuánto declaró el vecino del Audi, que me lo preguntáis en la cola",
            "persona_identificable",
            False,
        ),
        ("borrador", "I won't tell you who the patient in bed 4 was", "ciudadano_atendido", False),
        # A turn in the sentence ends it: what comes after «pero» is told.
        ("borrador", "No os diré quién es, pero es el vecino del 3ºB", "persona_identificable", True),
        ("borrador", "Os cuento cuánto declaró el vecino del Audi", "persona_identificable", True),
        # In a post about the team, the person praised or sent off by name is a colleague.
        (
            "borrador",
            "Orgullosa de mi equipo. Mención especial para Lucía, que no paró en todo el día",
            "persona_identificable",
            False,
        ),
        (
            "borrador",
            "Orgullosa de mi equipo. Mención especial para Lucía, que no paró en todo el día",
            "companeros",
            True,
        ),
        (
            "borrador",
            "Hoy despedimos a Maribel Ortega, compañera durante 38 años. ¡Feliz jubilación, Maribel!",
            "persona_identificable",
            False,
        ),
        # Someone attended stays a person, team or not: «la del 3ºB», a patient in the same sentence.
        (
            "borrador",
            "Gracias, equipazo. Mención especial a Carmen, la del 3ºB, que vino la primera",
            "persona_identificable",
            True,
        ),
        (
            "borrador",
            "Gracias al equipo. Mención especial a Carmen, que con su diabetes no falla a una cura",
            "persona_identificable",
            True,
        ),
        # Without the team, a name thanked is anyone's: a citizen, a patient.
        ("borrador", "Gracias a Juan P., el usuario del 3ºB, por su paciencia", "persona_identificable", True),
        # A count of many after «atendido a» is no one in particular.
        ("borrador", "Este mes hemos atendido a más de 4.000 vecinos", "ciudadano_atendido", False),
        ("borrador", "Hoy he atendido a una señora que venía llorando", "ciudadano_atendido", True),
        # What a question sets aside for something else is no evidence about the new post.
        ("pregunta", "¿Y si en lugar de un caso real pongo las cifras del informe anual?", "ciudadano_atendido", False),
        ("pregunta", "Instead of the patient's photo I post general advice?", "ciudadano_atendido", False),
        # What comes after the verb of the new content still counts.
        ("pregunta", "¿Y si en vez de la foto del equipo subo la del paciente?", "ciudadano_atendido", True),
        ("pregunta", "En vez de pedir permiso a las familias, ¿subo la foto de los niños?", "consentimiento", False),
        # A new who is not set aside: «en vez de auxiliar fuera guardia civil».
        ("pregunta", "¿Y si en vez de auxiliar fuera guardia civil en activo?", "policia", True),
        # A removal reaches every item of its list that identifies, up to the end of the sentence.
        (
            "pregunta",
            "Vale, quito el camión, la matrícula y el nombre de la empresa. Solo la foto del barranco",
            "datos_personales",
            False,
        ),
        ("pregunta", "Le tapo la cara, el nombre y el DNI", "datos_personales", False),
        # Not who is in it («y el niño sale sonriendo»), not after the sentence ends.
        ("pregunta", "Tapo la matrícula y el niño sale sonriendo", "menor", True),
        ("pregunta", "Quito la matrícula. Y el DNI de la señora se ve", "datos_personales", True),
        # Nor after a contrast: «pero se sigue viendo…» is what stays.
        (
            "pregunta",
            "He pixelado el nombre del vecino pero se sigue viendo la dirección y la fecha de nacimiento",
            "datos_personales",
            True,
        ),
        ("pregunta", "Quito los nombres de los alumnos", "ciudadano_atendido", True),
    ],
)
def test_what_is_no_evidence_of_a_disclosure(book, where, text, signal, present):
    """What a draft withholds, what a question sets aside, a praised colleague, a count of many,
    and the identifying items a removal reaches are no evidence; what is right next to them is."""
    assert (signal in {h.signal for h in book.detect(text, where)}) is present


def test_a_withheld_clause_keeps_the_detectors(book):
    hits = book.detect("No os voy a decir quién es, su DNI es 12345678Z", "borrador")
    assert "datos_personales" in {h.signal for h in hits}


def test_a_course_subject_is_no_named_word(book):
    text = "Hice el taller sobre menores en redes. En la foto del taller salen los menores del centro"
    hits = [h for h in book.detect(text, "pregunta") if h.signal == "menor"]
    assert hits and all(h.start > text.index("En la foto") for h in hits)


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # Asking people to vote, for whoever they like, is no support for a party.
        ("¿Y un tuit tipo 'el domingo id a votar, a quien queráis, pero votad'?", "partidista", False),
        ("El domingo todos a votar a [partido]", "partidista", True),
        # Taking the achievements out of the post.
        ("Vale, lo de los logros fuera. ¿Y un post con el plazo del voto por correo?", "logros_gestion", False),
        ("Un hilo con los logros del ministro", "logros_gestion", True),
        # Birds of prey are no children (Galician «rapaces» are).
        ("Un post sobre cómo afectan los aerogeneradores a las aves rapaces", "menor", False),
        # Turns to speak in a classroom debate are no working conditions.
        ("Debate con turnos de palabra respetados", "queja_laboral", False),
        ("D'acord. I si la torno a fer amb l'ordinador apagat?", "queja_laboral", False),
        # A work phone is a device, not someone's number.
        ("I si la faig amb el mòbil de la feina girat cap per avall?", "datos_personales", False),
        # With the computer off no screen is in view; the lift can be met.
        ("I si la torno a fer amb l'ordinador apagat?", "sin_pantallas", True),
        ("¿Y con la pantalla apagada y los papeles recogidos?", "sin_pantallas", True),
        # A procedure the asker is handling, and a blunt judgement of it.
        ("Estoy instruyendo la evaluación ambiental de un parque eólico", "mi_unidad", True),
        ("A mí personalmente me parece una barbaridad", "critica", True),
        # Not going to the dinner the contractor offered.
        ("Vale, no voy a la cena. ¿Y compartir el anuncio oficial?", "regalo_devuelto", True),
        # Calling a patient by name, in general, names nobody.
        ("Que un paciente asustado se calma cuando le llamas por su nombre", "persona_identificable", False),
        # A photo with the child one rescued is not about oneself; one with the mayor at an opening is.
        ("Hoy hemos sacado a un niño de un ascensor. Me hice una foto con él y su madre", "sobre_si_mismo", False),
        ("Me hice una foto con la alcaldesa en la inauguración", "sobre_si_mismo", True),
        # Details of an inspection record the press did not publish; a hint that names.
        ("Cuento yo los detalles del acta que no han publicado", "no_publico", True),
        ("Sin decir el nombre, pero contando que es la cadena más grande del polígono", "senalar_sin_nombrar", True),
        # Signing a post as the health service's doctor is presenting oneself by the post.
        ("Un post en LinkedIn firmando como médico del servicio de salud", "uniforme_logo", True),
        # An anniversary and one's own trainers are about oneself; thanking all the users names nobody.
        ("Soy trabajadora social y hoy cumplo 10 años. ¿Puedo poner esto?", "sobre_si_mismo", True),
        ("Una foto de mis zapatillas con el texto 'reto cumplido'", "sobre_si_mismo", True),
        ("Gracias a todas las personas usuarias y voluntarias", "ciudadano_atendido", False),
        ("Una foto de la usuaria del centro con su nombre", "ciudadano_atendido", True),
        # A disclaimer is no political opinion.
        ("Toda la información, en la web de la Consejería. (Opiniones a título personal)", "opinion_politica", False),
        # Refusing the payment.
        ("Les he dicho que no. Lo he dejado así", "regalo_devuelto", True),
        # English: a private job offered, and a post by the official account.
        ("Can I post that I'm available for private home-care shifts?", "servicios_privados", True),
        ("so they post it on the official Guardia Civil account", "cuenta_oficial", True),
        ("What if I send it to our press office instead?", "medios_comunicacion", False),
    ],
)
def test_vocabulary_of_the_fifty_first_batch(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # The family's authorisation, said without «firmada».
        ("Tengo la autorización de las familias para las fotos", "consentimiento", True),
        ("Solo las de los niños cuya autorización incluye redes sociales", "consentimiento", True),
        ("No tengo la autorización de las familias", "consentimiento", False),
        # What the press release left out is not public; what a consent says will be posted is no news.
        ("Contar cómo los pillamos, que no salió en la nota", "no_publico", True),
        ("Un consentimiento que dice que se publicará en redes y en YouTube", "no_publico", False),
        ("La lista se publicará en el BOE el lunes", "no_publico", True),
        # An embargo on one's own paper, or a cake called «embargo», is no unpublished decision.
        ("My paper is under press embargo until Monday", "no_publico", False),
        ("A mi tarta la llamamos 'embargo de chocolate'", "no_publico", False),
        # How an arrest was made; an inspection record; what the asker read in the court file.
        ("Contar algún detalle de cómo los pillamos", "operacion_policial", True),
        ("Ayer levanté acta en un bar. Quiero subir una foto del acta", "expediente", True),
        ("Doy clases particulares a opositores de Inspección", "expediente", False),
        ("Yo solo digo que me he leído la causa entera", "info_del_puesto", True),
        ("Un solo contribuyente de la provincia pagó casi 3 millones", "info_del_puesto", True),
        # A case made up for a health-education carousel.
        ("Me invento un caso: 'Antonio, 67 años, toma 9 medicamentos'. No es nadie real", "ficticio", True),
        ("Eso se lo ha inventado el periodista", "ficticio", False),
        # Conversations bm: a party's poster, and next week's staffing sheet of a prison.
        ("¿Puedo compartir en mis stories el cartel de un partido?", "partidista", True),
        ("Subo el vídeo de un partido de fútbol del domingo", "partidista", False),
        ("Una foto del cuadrante de la semana que viene con los puestos cubiertos", "seguridad_instalaciones", True),
    ],
)
def test_vocabulary_of_the_fifty_second_and_fifty_third_batches(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # What one drops is no longer in the post.
        ("Vale, olvida lo de la asesoría. ¿Y un artículo sobre el IRPF?", "servicios_privados", False),
        ("Quiero anunciar que doy asesoría fiscal a empresas", "servicios_privados", True),
        # A colleague's shift in the emergency department is no health data; a patient's visit is.
        ("Gracias a mis compis de urgencias por hacer que las noches se lleven mejor", "salud", False),
        ("Vino a urgencias por un infarto", "salud", True),
        # The Electoral Board named in a post is no claim that the asker sits on it.
        ("Puedes pedir el voto por correo hasta la fecha que marca la Junta Electoral", "justicia_electoral", False),
        ("Soy vocal de la junta electoral de zona", "justicia_electoral", True),
        # A signed authorisation said the other way round.
        ("Tenemos firmada por él y por sus padres la autorización para difundir su imagen", "consentimiento", True),
        # A candidate's closing video; a grade given by name; colleagues named on a staffing sheet.
        ("Quiero retuitear el vídeo de cierre de campaña de mi primo", "partidista", True),
        ("¿Le respondo diciendo que su nota fue un 3,2?", "datos_personales", True),
        ("Adjunto la hoja de servicios mínimos con los nombres de los compañeros", "datos_personales", True),
        ("La lista de admitidos con la puntuación de baremo de cada uno", "datos_personales", True),
        # A prison filmed inside; a party's colours copied by a campaign; what the press does not know.
        ("Un TikTok grabando los pasillos, el módulo y el patio", "seguridad_instalaciones", True),
        ("Usar un eslogan casi igual al de un partido", "simbolos_partido", True),
        ("En el expediente hay pruebas que la prensa no conoce", "no_publico", True),
        # Work outside the asker's own town.
        ("Solo acepto encargos de fuera de mi municipio", "sin_relacion_puesto", True),
        # Not to laugh at anyone; a name the parents have shared themselves.
        ("Es en plan bonito, no para reírme de él", "insulto", False),
        ("Lo subo para reírme de él", "insulto", True),
        ("La clasificación ya salió y sus padres lo han compartido en sus redes", "consentimiento", True),
        # Batches 56-57 and conversations bt (session 48).
        # A trade agreement is no trade union; an internal negotiating position is not public.
        ("A colleague forwarded me the negotiating position for the trade agreement", "sindical", False),
        ("A colleague forwarded me the negotiating position for the trade agreement", "confidencial", True),
        ("I'm joining the union strike on Monday", "sindical", True),
        # «company» is a firm in English, a colleague in Catalan.
        ("A big edtech company has offered me free accounts", "companeros", False),
        ("Una foto amb el meu company de feina", "companeros", True),
        ("300 euros if I post recommending their app", "beneficio_propio", True),
        # Basque: a famous footballer came for a knee test; on a run with the Ertzaintza team.
        ("Futbolari ezagun bat etorri zen belauneko proba bat egitera", "salud", True),
        ("Futbolari ezagun bat etorri zen belauneko proba bat egitera", "persona_identificable", True),
        ("Ertzaintzaren taldearekin, uniformea jantzita", "uniforme_logo", True),
        # A call to the emergency line and its recording; an auditor's objection to a bill.
        ("El otro día llamó un señor agobiado y tengo el audio de la grabación", "ciudadano_atendido", True),
        ("Iba a adjuntar el informe de reparo que le hice al alcalde", "info_del_puesto", True),
        # A relative's plot for sale before the price goes up; the owner asks to share her own poster.
        ("Que si alguien quiere comprar antes de que suba, que le escriba", "beneficio_propio", True),
        ("Mi vecina me ha pedido que comparta el cartel con su teléfono", "consentimiento", True),
        ("Todas han contestado que sí, que encantadas", "consentimiento", True),
        # Where a checkpoint will be; faces covered, an official account tagged, details changed.
        ("El jueves toca madrugar con el dispositivo en el polígono", "operacion_policial", True),
        ("¿Y si les pongo un emoji encima de la cara a todos?", "sin_caras", True),
        ("¿Puedo etiquetar a la cuenta oficial del ayuntamiento?", "persona_identificable", False),
        ("And can I tag the city council's official account?", "persona_identificable", False),
        ("¿Y si lo cuento con mis palabras, cambiando detalles?", "ficticio_anonimizado", True),
        # A «yes» by word of mouth is its own lifter, not a signed consent.
        ("porque me dijo de palabra que no le importaba", "consentimiento_verbal", True),
        ("porque me dijo de palabra que no le importaba", "consentimiento", False),
        # Knowing «lo que se cuece» is a boast; telling it is a leak.
        ("Te prepara un funcionario que sabe lo que se cuece", "no_publico", False),
        ("Os cuento lo que se cuece en el ministerio", "no_publico", True),
        # Private tutoring only for other universities' students; the university's own name is no person.
        ("Sería solo para gente de otras universidades", "sin_relacion_puesto", True),
        ("Quiero anunciarlo con el nombre de la universidad y del grupo", "persona_identificable", False),
        # Doing the tax return of those one serves «por 30 pavos, que soy de la casa».
        ("Por DM os lo hago yo por 30 pavos, que soy de la casa", "servicios_privados", True),
        ("Por DM os lo hago yo por 30 pavos, que soy de la casa", "relacion_con_puesto", True),
        # The trial everybody talks about; a file read at work; a firm next door with an open sanction file.
        ("Mañana el juicio del que habla todo el mundo en nuestro juzgado", "senalar_sin_nombrar", True),
        ("Me he leído la causa entera y no tiene defensa posible", "info_del_puesto", True),
        ("La empresa de áridos de al lado, que tiene un expediente sancionador abierto", "info_del_puesto", True),
        ("En una empresa de logística de la zona que revisamos el mes pasado", "senalar_sin_nombrar", True),
        # «the govt car pool» is a workplace, not an opinion on the government.
        ("im a driver at the govt car pool", "opinion_politica", False),
        # Batches 58-59 and conversations bw (session 49).
        ("Quiero colgar en el canal de Telegram del sindicato el acuerdo", "cuenta_oficial", False),
        ("con nuestra valoración crítica del acuerdo", "recomendar", False),
        ("Un artículo sobre cómo proteger datos confidenciales con contraseñas largas", "confidencial", False),
        ("Comentar una sentencia del Tribunal Supremo muy mediática", "examen", False),
        ("Comentar una sentencia del Tribunal Supremo muy mediática", "senalar_sin_nombrar", False),
        ("Una marca nos invitó a su welcome party", "partidista", False),
        ("A pharmaceutical company wants to sponsor a video", "companeros", False),
        ("La adjudicación está publicada en el perfil del contratante", "cuenta_oficial", False),
        ("Me han dicho que si los menciono me regalan un curso de inglés", "consentimiento", False),
        ("Me han dicho que si los menciono me regalan un curso de inglés", "beneficio_propio", True),
        ("Orgullosa de mi equipo. Mención especial para Lucía", "escucha", False),
        ("Un usuario comenta que los horarios son una vergüenza y aquí nadie trabaja", "queja_recibida", True),
        ("Tenemos un borracho de alcalde y así nos va", "insulto", True),
        ("Spoiler para los que preguntáis: quien tenga solares por esa zona…", "no_publico", True),
        ("A los chiringuitos de la playa: mañana a primera hora empezamos por vosotros", "no_publico", True),
        ("Cuatro años, 40 km de carreteras renovadas gracias al equipo de gobierno", "logros_gestion", True),
        ("Mención especial a Remedios, con su EPOC a cuestas", "salud", True),
        ("Época de exámenes, la sala llena", "salud", False),
        ("Tengo un despacho de abogados y ofrezco un 20 % de descuento en el despacho", "servicios_privados", True),
        ("An anticoagulant we use a lot on my ward", "relacion_con_puesto", True),
        ("I si poso el càrrec a la bio de l'estudi per donar confiança?", "uniforme_logo", True),
        ("Los chicos me piden hacer un TikTok bailando conmigo", "menor", True),
        ("You can see the family crying outside the house", "victimas", True),
        ("¿Y si adjunto una captura del panel interno de incidencias?", "confidencial", True),
    ],
)
def test_vocabulary_of_the_fifty_fourth_to_fifty_ninth_batches(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # Batches 62 and 63 and conversations cc: a symptom, a patient «que atendimos», the job's
        # roster, a decision still pending, a list of who did not strike, backing a candidate.
        ("el señor que atendimos ayer con 41 de fiebre", "salud", True),
        ("el señor que atendimos ayer con 41 de fiebre", "ciudadano_atendido", True),
        ("la fiebre del oro de las criptomonedas", "salud", False),
        ("dónde van a estar los radares, que lo he visto en el cuadrante interno", "confidencial", True),
        ("dónde van a estar los radares, que lo he visto en el cuadrante interno", "info_del_puesto", True),
        ("La sé per la feina i la gent flipa", "info_del_puesto", True),
        ("La mesa todavía tiene que hacer la propuesta de adjudicación", "no_publico", True),
        ("el jueves el Pleno aprueba la recalificación de los terrenos", "no_publico", True),
        ("Quien tenga parcelas por allí, que no venda todavía", "no_publico", True),
        ("quieren publicar la lista de los que han ido a trabajar", "lista_personas", True),
        ("quiero poner que apoyo a Paco como alcalde", "partidista", True),
        ("Y el domingo todos a votar, que ya toca un CAMBIO", "partidista", True),
        ("oferir el meu servei d'assessorament fiscal privat a 50 €", "servicios_privados", True),
        ("¿Y el porcentaje que ha dado la propia Junta en su web?", "publicado_oficialmente", True),
        # a name, an idiom, an audience or a topic is not the thing itself
        ("solo salgo yo haciendo el tonto con el café", "insulto", False),
        ("un hilo explicando cómo presentar la renta si eres autónomo", "servicios_privados", False),
        ("tuitear contra la derivación de operaciones a clínicas privadas", "servicios_privados", False),
        ("tuitear contra la derivación de operaciones a clínicas privadas", "operacion_policial", False),
        ("Vull penjar un reel per promocionar el club de lectura", "recomendar", False),
        ("juego en un equipo que se llama 'Los Confidenciales'", "confidencial", False),
        # what an exam board member knows, and what a committee member saw
        ("¿Puedo dar alguna pista de por dónde van a ir las preguntas?", "no_publico", True),
        ("Soy opositora, ¿puedo dar pistas de cómo estudio?", "no_publico", False),
        ("la descartaron por un tecnicismo, que lo sé porque estuve en la comisión técnica", "info_del_puesto", True),
        ("hay control de velocidad, tal como anunció el Ayuntamiento en su web", "publicado_oficialmente", True),
        ("me encantan los parques nuevos que ha hecho el alcalde y le voy a votar", "partidista", True),
        ("me encantan los parques nuevos que ha hecho el alcalde y le voy a votar", "logros_gestion", True),
        ("¿Puedo pedir en ese mismo perfil que voten a [partido]?", "partidista", True),
        ("Id a votar, que voten a quien quieran", "partidista", False),
    ],
)
def test_vocabulary_of_the_sixty_second_and_sixty_third_batches(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # Batches 64 and 65 and conversations cf: a police plan, a prison's locks, an interventor,
        # a check the asker made, «lo que no cuenta la prensa», a helpline, grades of a class.
        ("¿Y si añado que vamos a poner agentes de paisano en la salida?", "operacion_policial", True),
        ("¿Y si añado que vamos a poner agentes de paisano en la salida?", "figurado", False),
        ("Hoy voy de paisano a la boda de mi prima", "figurado", True),
        ("se ven las puertas y cómo funciona el cierre de las celdas", "seguridad_instalaciones", True),
        ("Soy secretario-interventor de un ayuntamiento pequeño", "intervengo_contrato", True),
        ("¿Le puedo dar a retuitear?", "recomendar", True),
        ("una comprobación curiosa que hice la semana pasada a un taller", "info_del_puesto", True),
        ("una comprobación curiosa que hice la semana pasada a un taller", "expediente", True),
        ("la empresa que estoy inspeccionando ahora mismo es de las peores", "expediente", True),
        ("«como funcionaria del SEPE os lo recomiendo, os podéis fiar»", "uniforme_logo", True),
        ("Lo que no cuenta la prensa: el acusado vino a declarar", "info_del_puesto", True),
        ("llama al 024 (gratuito, 24h, confidencial)", "confidencial", False),
        ("las notas de la 1ª evaluación de todo el grupo", "ciudadano_atendido", True),
        ("Mi hija está en 2º de ESO", "menor", True),
        # and from the dev conversations: hints from a board member, a building's sensors, what an
        # examiner saw, a case number
        ("¿Puedo dar alguna pista sobre los temas que van a caer?", "no_publico", True),
        (
            "E se engado que eu formo parte do tribunal e dou algunha pista sobre os temas que van caer?",
            "no_publico",
            True,
        ),
        ("Can I give a hint about the topics?", "no_publico", True),
        ("enseñando de paso dónde están los sensores y las cámaras", "seguridad_instalaciones", True),
        ("qué autoescuela tiene el peor porcentaje, según los exámenes que he hecho yo", "info_del_puesto", True),
        ("con su número de expediente y su NIE tapado a medias", "persona_identificable", True),
        ("my director signs off on it", "visto_bueno", True),
    ],
)
def test_vocabulary_of_the_sixty_fourth_and_sixty_fifth_batches(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # a patient's pills are health data; hypertension as a topic is not
        ("me ha confesado que no se toma las pastillas de la tensión", "salud", True),
        ("un artículo científico sobre el control de la hipertensión", "salud", False),
        ("Anécdota de consulta (cambiada para que nadie se reconozca)", "ficticio_anonimizado", True),
        # English words with two senses
        ("I made a minor change to the library poster", "menor", False),
        ("a photo of a minor at the pool", "menor", True),
        ("I'm in charge of the library's account", "beneficio_propio", False),
        ("Can I charge for my photography workshops?", "beneficio_propio", True),
        ("we'll present results at a conference in May", "regalo", False),
        ("where their polling station is", "policia", False),
        ("I took part in a bid to host the games", "salud", False),
        # «muerto» in another sense: dead fish, idle hours, tiredness
        ("y siguen vertiendo, el río está lleno de peces muertos", "victimas", False),
        ("estoy muerta de sueño después de la guardia", "victimas", False),
        ("en el accidente hubo dos muertos", "victimas", True),
        # the institution or an association posts it, with its own authorisations
        ("¿Y si el vídeo con los chavales lo sube el instituto a su cuenta oficial?", "publica_la_institucion", True),
        ("¿Y si la sube la página de Facebook de la residencia en vez de yo?", "publica_la_institucion", True),
        ("What if the school posts it on its official account?", "publica_la_institucion", True),
        ("¿Y si lo subo yo a mi cuenta?", "publica_la_institucion", False),
    ],
)
def test_vocabulary_of_the_sixty_eighth_batch_and_english_words_with_two_senses(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # a detail already covered, erased or cropped out
        ("Ya lo he tapado con una pegatina y ya no se lee nada", "dato_tapado", True),
        ("Borrei a matrícula da foto", "dato_tapado", True),
        ("¿Puedo subir la foto con la matrícula del coche oficial?", "dato_tapado", False),
        # threats to those who strike
        ("Quien pare el jueves, que luego no me venga pidiendo vacaciones", "represalia", True),
        ("Tomo nota de quién secunda la huelga", "represalia", True),
        ("Mañana hago huelga y luego os cuento cómo fue", "represalia", False),
        # announcing that one will skip the minimum service, not just having it
        ("Me han puesto en mínimos, pero yo no voy, que cubran ellos", "incumplir_minimos", True),
        ("Me han puesto en mínimos, así que mañana estaré en mi puesto", "incumplir_minimos", False),
        # a party's own account; the political opposition is not a public exam
        (
            "¿Retuiteamos desde la cuenta oficial lo que ha puesto la consejera en su cuenta de partido?",
            "partidista",
            True,
        ),
        ("el ministro critica a la oposición por la ley", "empleo_publico", False),
        # scam warnings and study material are sharing knowledge
        ("Ojo estafa: llegan SMS falsos, no pinchéis el enlace", "divulgacion", True),
        ("Os dejo una hoja de ejercicios para repasar antes del examen", "divulgacion", True),
        # the results of a bid still under valuation; predicting who will get a grant
        ("Ya tenemos la valoración de las ofertas: la mejor puntuada es la más barata", "no_publico", True),
        ("por las solicitudes que he visto, ya sé quiénes se la van a llevar", "no_publico", True),
        ("Could I summarise an internal diplomatic cable on LinkedIn?", "confidencial", True),
        # «mucha gente no lo sabe» speaks of everyone, not of someone who did not consent
        ("Mucha gente que podría pedirla no lo sabe: compartid", "sin_consentimiento", False),
        ("Le hice la foto en la consulta y no lo sabe", "sin_consentimiento", True),
        # a leaked exam; wishing luck for tomorrow's exam is not a leak
        ("Me lo ha pasado por WhatsApp un miembro del tribunal", "confidencial", True),
        ("¿Puedo subir el examen de la oposición de mañana?", "confidencial", True),
        ("¡Mucha suerte a mis alumnos en el examen de mañana!", "no_publico", False),
        ("¡Mucha suerte a mis alumnos en el examen de mañana!", "confidencial", False),
        # asking whether it sounds threatening is not a threat
        ("¿Está bien o parece que amenazo?", "insulto", False),
        ("Los de la foto ya la han compartido: todos la han compartido en el grupo", "consentimiento", True),
        ("Y por las tardes, a vuestra disposición para asesoraros con la renta", "servicios_privados", True),
        ("contestarle que con el azúcar que tiene debería cuidarse", "salud", True),
        ("mandarles un mensaje con el listado de vecinos con teléfonos", "datos_personales", True),
        # «mordido» is a bite, not a bribe
        ("Hoy un perro me ha mordido en el reparto", "irregularidad", False),
        ("dicen que el concejal cobra mordidas", "irregularidad", True),
        # the person made it public; the subject matter of one's job is not a case file
        ("Pero si él mismo lo ha publicado en su Instagram", "lo_publico_el_interesado", True),
        ("What if she posted it herself last week?", "lo_publico_el_interesado", True),
        ("Un vídeo explicando cómo pedir la prestación, que es justo lo que tramito", "info_del_puesto", False),
        ("Quiero contar un caso que tramito", "info_del_puesto", True),
        ("Y en el vídeo diré «palabra de funcionaria: son las mejores»", "uniforme_logo", True),
        ("Y en el vídeo diré «palabra de funcionaria: son las mejores»", "recomendar", True),
        ("Quiero publicar a qué partido voy a votar y por qué", "partidista", True),
        ("Trabajo en la subdirección que ha preparado la ley y quiero criticarla", "mi_unidad", True),
        ("un vídeo con capturas reales de la consola y los ficheros de configuración", "seguridad_instalaciones", True),
        ("cómo configuré el servidor de la sede electrónica", "publicado_oficialmente", False),
        ("El anuncio ya está en la sede electrónica", "publicado_oficialmente", True),
    ],
)
def test_vocabulary_of_the_seventieth_and_seventy_first_batches(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # tagging an organisation is not naming a person; breeding season is not a child
        ("¿Puedo subirlo y etiquetar a la biblioteca?", "persona_identificable", False),
        ("¿Puedo subirlo y etiquetar a mi compañera?", "persona_identificable", True),
        ("Temporada de cría en marcha: vigilamos el nido", "menor", False),
        # a pupil pointed at by a feature, and their grades
        ("el de las gafas de 3ºB ha suspendido cuatro", "senalar_sin_nombrar", True),
        ("el de las gafas de 3ºB ha suspendido cuatro", "datos_personales", True),
        ("Me han pasado para informe los planos de la nueva comisaría", "info_del_puesto", True),
        ("Me han pasado para informe los planos de la nueva comisaría", "seguridad_instalaciones", True),
        ("quiero poner que votéis a un partido concreto", "partidista", True),
        ("subir a la cuenta oficial las fotos de la cena anual de su partido", "partidista", True),
        ("el vídeo oficial con el mismo color y el eslogan de la campaña electoral", "simbolos_partido", True),
        ("el curso que doy en una academia privada", "servicios_privados", True),
        ("para preparar el examen final de mi propia asignatura", "relacion_con_puesto", True),
        ("hay un brote en 2ºA", "salud", True),
        ("una captura del listado de citas de mañana", "datos_personales", True),
        ("Ella me ha dicho que le encanta y que lo suba", "consentimiento_verbal", True),
        # turning down the gift; waiting for the board to publish; a bar's owner is not someone one serves
        ("and if I turn down the dinners and just post it?", "regalo_devuelto", True),
        (
            "¿Y si espero a que el tribunal cuelgue la plantilla oficial y pongo el enlace?",
            "publicado_oficialmente",
            True,
        ),
        ("The owner says he'll give me free dinners", "ciudadano_atendido", False),
        # the tax return's draft is public; «yo mismo» after an act on someone else is emphasis
        ("no confirméis el borrador sin revisarlo", "confidencial", False),
        ("borrador en la web desde abril", "confidencial", False),
        ("Le he puesto la denuncia yo mismo", "sobre_si_mismo", False),
        ("Un dibujo de mí mismo", "sobre_si_mismo", True),
        ("con el lema cumplimos", "logros_gestion", True),
        ("¿Y si la empresa me da permiso por escrito para publicar esos datos?", "visto_bueno", True),
        # the job written in one's bio is not the official account
        ("I si a la bio del meu compte personal poso 'community manager de l'Ajuntament'?", "cuenta_oficial", False),
        ("Soy community manager del ayuntamiento, ¿lo subo a la cuenta?", "cuenta_oficial", True),
        ("Can I post a photo of myself at the Pride march?", "sindical", True),
        ("See you in March!", "sindical", False),
    ],
)
def test_vocabulary_of_the_seventy_second_and_seventy_third_batches(book, text, signal, present):
    assert (signal in {h.signal for h in book.detect(text, "pregunta")}) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        ("Se acaba de empadronar en el pueblo un futbolista muy famoso", "info_del_puesto", True),
        ("lo he visto yo en la aplicación y a él todavía no le ha llegado la notificación", "info_del_puesto", True),
        ("lo he visto yo en la aplicación y a él todavía no le ha llegado la notificación", "no_publico", True),
        ("Ayer vi entrar en urgencias a la concejala de mi pueblo, iba bastante mal", "salud", True),
        ("Estamos inspeccionando a un empresario muy conocido de mi ciudad", "persona_identificable", True),
        ("poner también los nombres de pila de las 12 familias del programa", "persona_identificable", True),
        ("poner también los nombres de pila de las 12 familias del programa", "ciudadano_atendido", True),
        ("animando a mis compañeras de servicios mínimos a no presentarse", "incumplir_minimos", True),
        ("los que hagan huelga mañana «ya lo notarán en la evaluación del desempeño»", "represalia", True),
        ("un vídeo «Cuatro años cumpliendo: 12.000 nuevas plazas de FP»", "logros_gestion", True),
        ("mañana madrugón: a las 6:00 entramos en la nave de Villaverde", "operacion_policial", True),
        (
            "el panel de admin está en admin.intranet.local y la contraseña de pruebas sigue siendo la misma",
            "seguridad_instalaciones",
            True,
        ),
        # the same words about a route or a habit say nothing about security
        ("la ruta del domingo sigue siendo la de siempre", "seguridad_instalaciones", False),
        ("comentar que en la reunión a puerta cerrada con el alcalde hubo bronca", "confidencial", True),
        (
            "actually the project is funded by a pharma company and the centre signed an NDA with them",
            "confidencial",
            True,
        ),
        ("The company has confirmed in writing that it's fine", "visto_bueno", True),
        (
            "once the plan is officially published in the regional gazette, can I say that?",
            "publicado_oficialmente",
            True,
        ),
        ("Los tres me dijeron de palabra que no les importaba salir en la foto", "consentimiento_verbal", True),
        # signing a job contract is no permission to appear in a photo
        ("Tres de las personas que acompaño han firmado contrato este mes", "consentimiento", False),
        ("Tres de las personas que acompaño han firmado contrato este mes", "ciudadano_atendido", True),
        ("enseñar un expediente real con nombres, DNI y dirección tachados", "dato_tapado", True),
        ("quiero explicar en un hilo de X cómo se calcula la pensión de viudedad", "divulgacion", True),
        ("me he comprado una casa vieja en un pueblo para reformarla", "vida_personal", True),
        ("[imagen: Bob Esponja con una jeringa gigante, la saqué de Google]", "obra_ajena", True),
        # safety advice in a heat wave recommends no business; a Catalan «sortirà» said of a patient
        ("¿Podemos publicar en X recomendaciones y los teléfonos de emergencia?", "recomendar", False),
        ("A bidder asked me to write them a public recommendation on LinkedIn", "recomendar", True),
        # calling a policy ridiculous insults no one; ridiculing a colleague does
        ("Can I post that the rector's new language policy is ridiculous?", "insulto", False),
        ("Can I post a meme to ridicule my colleague?", "insulto", True),
        # one's own novel coming out is no leak; a report that will say what is not decided yet is
        ("Mi primera novela sale el mes que viene (es ficción)", "no_publico", False),
        ("Mi informe sale el mes que viene y dirá que se recalifica el solar", "no_publico", True),
        ("Vull gravar un TikTok a la meva consulta. No hi sortirà cap pacient.", "no_publico", False),
    ],
)
def test_vocabulary_of_the_seventy_sixth_and_seventy_seventh_batches(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("said", "earlier", "matter"),
    [
        # The asker's job (introduced, a bare title, or said by the way) and one of its matters.
        (
            "Soy técnico de Hacienda. ¿Puedo ofrecer por privado ayuda con la declaración de la renta?",
            [],
            "declaración de la renta",
        ),
        ("Inspector de Hacienda. En LinkedIn quiero poner 'asesoramiento fiscal a empresas'.", [], "fiscal"),
        (
            "Te lo pregunto porque soy técnico de la Tesorería General y ofrezco consultoría en cotización.",
            [],
            "cotización",
        ),
        (
            "Could I offer paid help with residence paperwork by DM?",
            ["I work at the immigration office."],
            "residence paperwork",
        ),
        (
            "Y al final ofrecería por DM ayuda para mover expedientes.",
            ["Trabajo en una oficina de extranjería."],
            "expedientes",
        ),
        # A matter of another job, or a job that is somebody else's, is nothing.
        ("Soy técnico de Hacienda y los findes doy clases de guitarra. ¿Lo anuncio?", [], None),
        ("Mi cuñado es técnico de Hacienda y quiero anunciar mi gestoría de la renta en Instagram.", [], None),
        # The matter said while introducing themselves describes the job, not the offer.
        ("Soy técnica de Hacienda en la unidad del IRPF. Quiero anunciar mis clases de yoga.", [], None),
    ],
)
def test_a_matter_of_the_askers_own_job_is_related_to_the_job(book, said, earlier, matter):
    hits = book.matters_of_the_job([(said, "pregunta")], earlier)
    assert len(hits) == (1 if matter else 0)
    if matter:
        # One quote of the matter, with its span in the message.
        start = said.index(matter)
        assert hits[0].signal == "relacion_con_puesto" and said[hits[0].start : hits[0].end] == hits[0].text
        assert hits[0].start < start + len(matter) and start < hits[0].end


@pytest.mark.parametrize(
    ("said", "matter"),
    [
        # An opinion on a policy of the asker's own sector speaks of what their organisation applies.
        ("Trabajo en la Agencia Tributaria y quiero criticar la subida de impuestos", "subida de impuestos"),
        # Galician «no» is «en el»: «no Sergas» names where they work
        ("Traballo como médico no Sergas. Quero criticar como se xestionan as listas de espera", "listas de espera"),
        ("Mi hermana es médica de familia y quiero criticar las listas de espera", None),
    ],
)
def test_an_opinion_on_a_policy_of_the_askers_own_sector_is_about_their_unit(book, said, matter):
    hits = book.matters_of_the_job([(said, "pregunta")])
    assert [(h.signal, h.text) for h in hits if h.signal == "mi_unidad"] == ([("mi_unidad", matter)] if matter else [])


def test_galician_no_is_not_a_negation_but_non_is(book):
    assert "companeros" in {
        h.signal for h in book.detect("Quero subir unha foto cos compañeiros no hospital", "pregunta")
    }
    found = {h.signal for h in book.detect("Non sae ningún paciente na foto, só o hospital baleiro", "pregunta")}
    assert "ciudadano_atendido" not in found


def test_a_matter_in_the_draft_counts_with_the_job_in_the_question(book):
    hits = book.matters_of_the_job(
        [
            ("Soy inspector de Trabajo. ¿Así?", "pregunta"),
            ("Si tu empresa necesita adaptarse al registro de jornada, escríbeme", "borrador"),
        ]
    )
    assert [(h.text, h.field) for h in hits] == [("registro de jornada", "borrador")]


@pytest.mark.parametrize(
    ("materias", "message"),
    [
        ({"puesto": {"es": ["hacienda"]}}, "«puesto» y «materia», y nada más"),
        ([{"puesto": {"es": ["hacienda"]}, "materia": {}}], "necesitan frases"),
        ([{"puesto": {"fr": ["impots"]}, "materia": {"es": ["renta"]}}], "idioma desconocido"),
        ("hacienda", "debe ser una lista"),
    ],
)
def test_broken_matters_are_reported_and_the_rest_load(materias, message):
    if isinstance(materias, dict):
        materias = [materias]
    data = {
        "relacion": {"nombre": "relación", "clase": "contexto", "frases": {"es": ["mi puesto"]}, "materias": materias},
        "bueno": {"nombre": "bueno", "clase": "tema", "frases": {"es": ["algo bueno"]}},
    }
    book, problems = parse_signals(data)
    assert any(message in p for p in problems), problems
    assert "bueno" in book.signals


def test_an_english_possessive_is_glossed_as_its_noun():
    glossed = gloss_text("Can I share the council's post about the school's open day? I'm a lecturer.").split()
    assert {"ayuntamiento", "colegio", "profesor"} <= set(glossed)
    assert not any(w.endswith("'s") for w in glossed)


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # What is seen in the background decides: people or a bridge are not a screen.
        ("al fondo se ve gente mirando desde el puente", "al_fondo", True),
        ("al fondo se ve gente mirando desde el puente", "pantalla_documentos", False),
        ("al fondo se ven dos pantallas con el programa abierto", "pantalla_de_fondo", True),
        ("al fons es veu gent mirant des del pont", "al_fondo", True),
        ("al fons es veu gent mirant des del pont", "pantalla_documentos", False),
        ("ao fondo vese xente mirando dende a ponte", "al_fondo", True),
        ("ao fondo vese xente mirando dende a ponte", "pantalla_documentos", False),
        ("in the background you can see people watching from the bridge", "al_fondo", True),
        ("in the background you can see people watching from the bridge", "pantalla_documentos", False),
        ("al fondo se ve el mar", "al_fondo", False),
        # «los datos de…» are personal only when they are someone's
        ("compartir la nota con los datos de trasplantes del año", "datos_personales", False),
        ("adjunto el Excel con los datos de los participantes", "datos_personales", True),
        ("un artículo sobre la protección de datos de los menores", "datos_personales", False),
        # a «surprise» inspection or check is by definition not announced
        ("el mes que viene vamos de campaña sorpresa por las obras", "no_publico", True),
        ("la semana que viene hacemos una campaña de visitas sorpresa", "no_publico", True),
        ("la setmana que ve fem inspeccions per sorpresa", "no_publico", True),
        ("a semana que vén facemos inspeccións por sorpresa", "no_publico", True),
        ("next week we start surprise inspections in the area", "no_publico", True),
        ("le preparamos una fiesta sorpresa a la jefa", "no_publico", False),
        # a relative of someone known is someone concrete
        ("esta semana he atendido a los gemelos del alcalde", "persona_identificable", True),
        ("aquesta setmana he atès els bessons de l'alcalde", "persona_identificable", True),
        ("esta semana atendín os xemelgos do alcalde", "persona_identificable", True),
        ("this week I saw the mayor's twins in my clinic", "persona_identificable", True),
        ("esta semana he atendido a los gemelos del alcalde", "ciudadano_atendido", True),
        ("he atendido a más de un paciente pidiendo antibióticos", "ciudadano_atendido", False),
        # a case about harassment is a subject, not an insult
        ("hoy hemos notificado una sentencia sobre un caso de acoso laboral", "insulto", False),
        # composers who died a century ago are not victims
        ("todas las obras son de compositores que murieron hace más de un siglo", "victimas", False),
        ("los dos ocupantes murieron en el acto", "victimas", True),
        # a flaw not yet fixed tells an attacker where to go
        ("y que todavía nos queda parchear un fallo en el login", "seguridad_instalaciones", True),
        ("we still need to patch a vulnerability in the login", "seguridad_instalaciones", True),
        ("hoy hemos limpiado el cortafuegos del monte", "seguridad_instalaciones", False),
        ("todavía nos queda cerrar la brecha de género", "seguridad_instalaciones", False),
        ("nos queda tapar el agujero del presupuesto", "seguridad_instalaciones", False),
        # winks that say the rest is not public yet
        ("y entre nosotros: la parcela de la fábrica pasa a residencial", "no_publico", True),
        ("i entre nosaltres: la parcel·la passa a residencial", "no_publico", True),
        ("gracias por cuidarnos entre nosotras cuando la noche se pone fea", "no_publico", False),
        # in a town, the trade and the place say who it is
        ("el de la ferretería de la plaza, sin ir más lejos", "senalar_sin_nombrar", True),
        ("gracias a los del taller de teatro", "senalar_sin_nombrar", False),
        ("gente conocida que declara menos que su empleada del hogar", "info_del_puesto", True),
        # thanks to a whole group, academic honours, a campaign's eligibility: nobody in particular
        ("foto de la fachada con 'gracias a compañeros y pacientes por estos 25 años'", "ciudadano_atendido", False),
        ("quiero poner mi expediente académico, tengo varias matrículas", "datos_personales", False),
        ("foto dun coche mal aparcado, coa matrícula ben visible", "datos_personales", True),
        ("Detrás se ve el monitor central con las camas y los nombres", "pantalla_documentos", True),
        ("si tienes 60 años o más, estás embarazada o tienes alguna enfermedad crónica, pide cita", "salud", False),
        ("mi compañera está embarazada y la han operado", "salud", True),
        # a school year as the level of the content, not pupils in the video
        ("Matemáticas de 3º y 4º de ESO explicadas paso a paso", "menor", False),
        ("un vídeo con mis alumnos de 4º de ESO en el patio", "menor", True),
        # Galician «que adiante» is «go ahead», «adianto» is a leak
        ("a filla díxome por WhatsApp que si, que adiante", "no_publico", False),
        ("adianto o resultado antes de que saia", "no_publico", True),
        # nobody hurt; a lynx's young
        ("ningún perro ni cartero salió herido", "victimas", False),
        ("el cartero salió herido del accidente", "victimas", True),
        ("vi una lince con sus dos crías", "menor", False),
        # a strike of alarm clocks
        ("y en huelga indefinida de despertadores", "huelga_policial", False),
        ("mañana estamos todos en huelga", "huelga_policial", True),
        # someone's tax debt, said by who sees it
        ("para ponerse al día con lo que debe a Hacienda ya no tanto", "info_del_puesto", True),
        ("ya sabéis quién ha regularizado por fin 3 millones con Hacienda", "info_del_puesto", True),
        ("el ayuntamiento ha regularizado la situación de los interinos", "info_del_puesto", False),
        # who is in the module; inmates in the photo, not inmates who might see it
        ("el que salió en todas las teles está en nuestro módulo", "ciudadano_atendido", True),
        ("¿Y otra desde dentro, en el patio, con algunos internos al fondo?", "ciudadano_atendido", True),
        ("me preocupa que me reconozca algún interno", "ciudadano_atendido", False),
        # when the unit leaves again
        ("el 14 de marzo volvemos a salir, 42 de la compañía", "operativo_militar", True),
        # a boss's permission is not the consent of those concerned
        ("el jefe de servicio ya me ha dado permiso", "consentimiento", False),
        ("el paciente me ha dado permiso por escrito", "consentimiento", True),
        ("¿y si le pido permiso por escrito?", "consentimiento", True),
        ("cambio edad, sexo y lugar para que no se le reconozca", "ficticio_anonimizado", True),
        (
            "explicar por qué los datos de los afectados son confidenciales, sin hablar de ningún brote concreto",
            "ficticio_anonimizado",
            True,
        ),
        # pay with names; an evacuation plan with the cameras
        ("una captura de la hoja con los sueldos de los compañeros, con nombres", "datos_personales", True),
        ("el plano de evacuación del centro con la ubicación de las cámaras", "seguridad_instalaciones", True),
        ("unha foto da fachada co número da rúa", "persona_identificable", True),
        # a government boasting results, saying you will not cover the minimum service
        ("Hemos reducido un 30% las listas de espera gracias a nuestro plan", "logros_gestion", True),
        ("Me han puesto de mínimos y mañana no voy, que se apañen", "incumplir_minimos", True),
        ("A la boda no voy, que se apañen", "incumplir_minimos", False),
        # someone else's work: scanned textbook pages, whole stories read aloud, the summer hit
        ("salen páginas escaneadas del libro de texto de la editorial", "obra_ajena", True),
        ("llegint contes infantils sencers en veu alta", "obra_ajena", True),
        ("de fondo, la canción del verano que suena en todas partes", "obra_ajena", True),
        # knowledge shared, and a novel's plot
        ("un hilo desmontando mitos sobre los antibióticos", "divulgacion", True),
        ("recomendaciones sobre novelas de espías y secretos oficiales", "figurado", True),
        ("es solo para una novela que estoy escribiendo", "figurado", False),
        # a plan still being prepared; who filed a complaint; a family one follows
        ("estamos preparando la modificación del plan general para recalificar los terrenos", "no_publico", True),
        ("una vecina ha puesto una queja por el ruido del bar", "ciudadano_atendido", True),
        ("en el grupo todos preguntan quién ha sido", "info_del_puesto", True),
        ("solo 'una vecina del tercero del número 4'", "senalar_sin_nombrar", True),
        ("la historia de una familia que llevo yo", "ciudadano_atendido", True),
        ("contar que el acusado salió llorando por el pasillo", "info_del_puesto", True),
        ("he levantado acta a una empresa agrícola", "info_del_puesto", True),
        # how a system is protected; a spouse's firm in a tender one reports on
        ("la arquitectura y las vulnerabilidades que hemos ido cerrando", "seguridad_instalaciones", True),
        ("mi mujer tiene una empresa de jardinería", "beneficio_propio", True),
        ("se va a presentar al concurso de mantenimiento de parques", "empresa_relacionada", True),
        ("y los pliegos los informo yo", "intervengo_contrato", True),
        ("fotos de varias páginas de una novela recién publicada", "obra_ajena", True),
        ("a ver si así el alcalde deja de hacer el ridículo", "insulto", True),
        ("mi perro hace el ridículo con el disfraz", "insulto", False),
        ("el sábado volvemos a salir de fiesta", "operativo_militar", False),
        ("mi grupo de teatro todavía no se ha reunido", "no_publico", False),
        # a paid official campaign when elections are called, and what is not one
        ("la campaña del abono iba a durar hasta final de mes", "campana_institucional", True),
        ("somos la unidad de comunicación de un organismo estatal", "cuenta_oficial", True),
        ("I run the social media of a ministry", "cuenta_oficial", True),
        ("the general election has just been called", "periodo_electoral", True),
        ("fuera de cualquier período electoral, queremos lanzar una campaña", "periodo_electoral", False),
        ("¿seguimos promocionándola?", "recomendar", False),
        ("we have a paid campaign on Instagram", "beneficio_propio", False),
        # a paid influencer, not an influencer friend
        ("con influencers a los que pagamos", "influencer_pagado", True),
        ("una influencer de TikTok a la que le pagaríamos", "influencer_pagado", True),
        ("we want to hire an influencer for the campaign", "influencer_pagado", True),
        ("una influencer amiga me ha propuesto un directo sin cobrar", "influencer_pagado", False),
        # details removed; a wink; who leads the gang; a tax audit; a board's deliberation
        ("he quitado la edad exacta, la localidad y las fechas", "ficticio_anonimizado", True),
        ("que el cabecilla es el dueño del bar, que todo el barrio lo sabía", "senalar_sin_nombrar", True),
        ("que el cabecilla es el dueño del bar", "info_del_puesto", True),
        ("momento top: la comprobación a la cadena hotelera", "info_del_puesto", True),
        ("contar que otro miembro del tribunal quería ponerle notable", "info_del_puesto", True),
        ("una señora pregunta en público cuándo la operan", "ciudadano_atendido", True),
        ("me han chivado en el vicerrectorado que este año bajan las notas", "no_publico", True),
        # a compatibility for elsewhere; not reserved; «saldrá más caro»; «nos venden como»
        ("tengo la compatibilidad concedida, pero para trabajos fuera del término", "compatibilidad_reconocida", False),
        ("la Administración no dijo que fuera reservado", "confidencial", False),
        ("argumentando que saldrá más caro", "no_publico", False),
        ("la reforma que nos venden como histórica", "beneficio_propio", False),
        ("la reforma que nos venden como histórica", "relacion_con_puesto", False),
        # paid by views; a record of what was found; without saying who; a hard day
        ("I si TikTok em comença a pagar per visualitzacions?", "monetizar", True),
        ("explicando lo que encontré en su finca", "expediente", True),
        ("quiero desahogarme sin decir quién era", "ficticio_anonimizado", True),
        ("Día duro en la oficina. Aquí seguimos", "queja_laboral", True),
        ("un selfie en la puerta enseñando mi tarjeta de acceso", "pantalla_de_fondo", True),
        # where a protected species nests; a street door with its number; going after a clan
        ("lo tenéis en el pinar de detrás de la ermita, a unos 200 metros del camino", "lugar_exacto", True),
        ("los nidos están en el cortado de la peña", "fauna_protegida", True),
        ("se ve la fachada ardiendo y el portal con el número", "persona_identificable", True),
        ("estreno destino y vamos a por un clan de mi barrio", "operacion_policial", True),
        # offers before the award, a date still to come, what is still being negotiated
        ("ya han llegado las ofertas de la licitación y la más barata ronda los 870.000 €", "no_publico", True),
        ("la convocatoria de becas por fin sale el martes en el BOE", "no_publico", True),
        ("la convocatoria de becas por fin sale el martes en el BOE", "publicado_oficialmente", False),
        ("la convocatoria ya salió ayer en el BOE", "publicado_oficialmente", True),
        ("el nombramiento se aprueba en el Consejo de Ministros del martes", "no_publico", True),
        ("la nueva RPT, que aún se está negociando con los sindicatos", "no_publico", True),
        ("yo estuve en el grupo y os digo que la propuesta que se descartó era mejor", "info_del_puesto", True),
        ("yo sé quién arrima el hombro y lo tendré en cuenta en la evaluación", "represalia", True),
        ("Everyone said yes except one colleague who hasn't answered yet", "sin_consentimiento", True),
        # a content filter, a first day at the station, a DNI as a topic, one's own plate or badge
        ("mi jefa dice que igual salta algún filtro", "no_publico", False),
        ("mañana empiezo en comisaría después de la academia", "operacion_policial", False),
        ("un post general sobre por qué no hay que mandar fotos del DNI por WhatsApp", "datos_personales", False),
        ("fotos de mi moto restaurada con la matrícula original visible", "datos_personales", False),
        ("my staff ID badge is hanging on the monitor", "pantalla_de_fondo", True),
        # jokes: «paciente cero» on a T-shirt, a dummy, the only one arrested is the sourdough
        ("una camiseta que pone 'PACIENTE CERO'", "ciudadano_atendido", False),
        ("enseñando a hacer la RCP con un muñeco", "ficticio_anonimizado", True),
        ("Hoy la única detenida es la masa madre", "ciudadano_atendido", False),
        ("la reseña de un thriller en el que una policía filtra un expediente", "figurado", True),
        # English: weeks before an election, an official page, a post already on an official account
        ("we're three weeks out from the local elections", "periodo_electoral", True),
        ("I run the official Facebook page of the city council", "cuenta_oficial", True),
        ("they've posted it on their official account", "publicado_oficialmente", True),
        ("photos of the dogs at the animal shelter so they get adopted", "vida_personal", True),
        ("a tutorial on how to renew your electronic DNI", "datos_personales", False),
        ("un tutorial para pedir cita para renovar el DNI", "datos_personales", False),
        ("I've been given a parking ticket, even cops get fined", "sobre_si_mismo", True),
        ("an intern would run it", "vida_personal", False),
        # a famous taxpayer; a tip-off; details that say who it is
        (
            "que se lo pregunten al delantero del Betis que vino la semana pasada a ponerse al día",
            "info_del_puesto",
            True,
        ),
        ("que se lo pregunten al delantero del Betis", "persona_identificable", True),
        ("añadir un detalle que no sale: que el chivatazo vino de un camarero", "info_del_puesto", True),
        (
            "le cambio el nombre, pero diría su edad, el barrio y que trabaja en la panadería",
            "senalar_sin_nombrar",
            True,
        ),
        # the town's page, the agents' rota, families in the queue, a register page, a party's colours
        ("llevo el Facebook municipal", "cuenta_oficial", True),
        ("la lista de agentes de mi comisaría con sus turnos de la semana que viene", "seguridad_instalaciones", True),
        ("una foto de la cola de familias recogiendo las bolsas", "ciudadano_atendido", True),
        (
            "una foto del libro de registro; se ven también otras inscripciones de la página",
            "pantalla_documentos",
            True,
        ),
        ("un meme con los colores y el eslogan de un partido", "simbolos_partido", True),
        ("recomendar el estudio que hizo el proyecto, que es de mi cuñado", "beneficio_propio", True),
        # who will not join the strike; a colleague's injury report; a personal page that looks official
        ("E se engado a lista dos compañeiros da miña unidade que non a van secundar?", "lista_personas", True),
        ("¿Y el parte de lesiones del compañero?", "salud", True),
        ("el escudo oficial de fondo, que parezca la página de la casa", "en_nombre_organismo", True),
        ("grabé a un conductor que dio una tasa altísima", "ciudadano_atendido", True),
        # session 62: the Electoral Board one links to is not the asker's seat on it
        ("enlazando a la web de Correos y de la Junta Electoral", "justicia_electoral", False),
        ("Soy vocal de una Junta Electoral de Zona en estas elecciones", "justicia_electoral", True),
        ("formo part de la junta electoral de zona", "justicia_electoral", True),
        ("with a link to the electoral board's website", "justicia_electoral", False),
        ("I sit on the electoral board this year", "justicia_electoral", True),
        # the Government's delegation is an office, not a political opinion
        ("Gestiono el Facebook de una Subdelegación del Gobierno", "opinion_politica", False),
        ("critico al Gobierno por la ley de vivienda", "opinion_politica", True),
        # the best photo, the graduating class: not a promotion
        ("En una de las fotos sale una niña. Es la mejor foto de todas.", "recomendar", False),
        ("¡Enhorabuena, promoción 2020-2024!", "recomendar", False),
        ("es la mejor academia de la ciudad, os la recomiendo", "recomendar", True),
        # a name one chooses for a personal account; an account for one's unit
        ("abrir una cuenta de TikTok que se llame 'La paciente del huerto'", "abrir_cuenta_oficial", False),
        ("crear un perfil de LinkedIn que se llame «Servicio de Empleo» para mi unidad", "abrir_cuenta_oficial", True),
        # consent left in writing; phone numbers of a list of people
        ("me ha pedido, y me lo ha dejado firmado, que cuente su recuperación", "consentimiento", True),
        ("la lista de asistentes al taller con sus números de teléfono", "datos_personales", True),
        ("los números de teléfono de atención al público", "datos_personales", False),
        # how the office network is set up; support for a strike from the account
        (
            "explicando cómo tenemos montada la red de la oficina, los cortafuegos y las VPN",
            "seguridad_instalaciones",
            True,
        ),
        ("un mensaje de apoyo a la huelga en la cuenta oficial", "opinion_propia", True),
        ("post a thread criticising the government's housing law", "opinion_propia", True),
        # what the minister announces on Thursday, and the day after his press conference
        ("sé cuántas solicitudes ha tenido la ayuda. El ministro lo va a anunciar el jueves.", "no_publico", True),
        ("¿Y el viernes, después de la rueda de prensa?", "publicado_oficialmente", True),
        # what the press does not have; a detainee's earlier arrests
        ("añadir algunos detalles del sumario que la prensa no tiene", "info_del_puesto", True),
        ("Lo confirmo, y os digo que es bastante más gordo de lo que cuenta el periódico", "info_del_puesto", True),
        ("comparto la noticia del periódico sobre la nueva biblioteca", "info_del_puesto", False),
        ("no era la primera vez: ya tenía otras tres detenciones", "datos_personales", True),
        # consent said on WhatsApp, with the channel in between
        ("me ha dicho por WhatsApp que sí, que la etiquete", "consentimiento", True),
        # «ni un voto al alcalde» asks for a vote as much as «votad a…»; a conviction not yet final
        ("El 28 de mayo acordaos: ni un voto al alcalde.", "partidista", True),
        ("Not one vote for the mayor on the 28th.", "partidista", True),
        ("el alcalde no ha sacado ni un voto más que en 2019", "partidista", False),
        ("el condenado es el de la ferretería de la esquina", "detenido", True),
        ("la empresa a la que levantamos acta; la sanción todavía no es firme", "no_publico", True),
        # a figure about deaths in general is not a victim one saw at work
        ("La mayoría de fallecidos en incendios de vivienda mueren por el humo", "victimas", False),
        ("HOY TOCA HABLAR DE MUERTES EVITABLES", "victimas", False),
        ("el fallecido en el incendio de ayer era el vecino del segundo", "victimas", True),
        # a party's slogan and shade in a ministry's campaign; deleting every critical comment
        ("usar el mismo tono de verde y el eslogan que usa un partido en su campaña", "simbolos_partido", True),
        ("el mismo tono de verde que el logo del ayuntamiento", "simbolos_partido", False),
        ("based on the electoral board's decision, we post the results", "justicia_electoral", False),
        ("los alumnos dejan sus móviles en la taquilla", "datos_personales", False),
        ("Hacemos una campaña del ministerio en redes sobre el bono de transporte", "campana_institucional", True),
        ("me ha pedido que borre de la página todos los comentarios que critican la obra", "bloquear_borrar", True),
    ],
)
def test_what_is_seen_or_who_is_meant_decides_the_signal(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # one's own work day, told as a day; «POV» is only a format and says nothing
        ("POV: te toca la guardia de Nochebuena en el parque", "selfie_trabajo", True),
        ("Un día en la vida de una cartera rural: 3 pueblos y 80 km de curvas", "selfie_trabajo", True),
        ("Quiero poner que me encanta mi trabajo porque sientes que ayudas", "selfie_trabajo", True),
        ("POV: mañana salimos a las 5", "selfie_trabajo", False),
        # announcing an activity of one's service; sharing what the official account posted
        ("¡Vuelve el club de lectura! Entrada libre, os esperamos", "difusion_oficial", True),
        ("¿Puedo retuitear el tuit oficial de la DGT con los consejos?", "difusion_oficial", True),
        ("El presidente ha publicado en su cuenta personal un tuit atacando a la oposición", "difusion_oficial", False),
        # knowledge: a thread that explains
        ("Quiero hacer un hilo en X explicando qué es una paralela", "divulgacion", True),
        # what one saw or handled oneself, at work
        ("al novio le costó tres años, cosa que vi yo en el expediente", "info_del_puesto", True),
        ("lo sé porque evalué yo las solicitudes", "info_del_puesto", True),
        ("I checked our system and he is being audited", "info_del_puesto", True),
        ("Esta semana he acompañado a una familia que llevaba meses sin luz", "ciudadano_atendido", True),
        ("Mañana salimos con los GAR para el dispositivo antidroga del puerto", "operacion_policial", True),
        # «podían» is «poder», not gardening; nor a podium
        ("Cada verano hay muertes que se podían evitar", "vida_personal", False),
        ("Este finde toca la poda de los rosales", "vida_personal", True),
    ],
)
def test_vocabulary_of_session_72(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # a work day told as such, without the word «día»
        ("Hoy en clase hemos hablado de contraseñas y alucinaban", "selfie_trabajo", True),
        ("Lunes en el juzgado: 14 señalamientos y el café frío", "selfie_trabajo", True),
        # explaining one's field
        ("Quiero escribir un post didáctico sobre cómo actuar ante una hipoglucemia", "divulgacion", True),
        # what one handled or assessed oneself; a hint of who it is
        ("con la ayuda de emergencia que les tramitamos el mes pasado", "info_del_puesto", True),
        ("las propuestas que evalué eran flojísimas", "info_del_puesto", True),
        ("aquí todos sabemos de quién era el interés en que ardiera", "senalar_sin_nombrar", True),
        # a case built from real ones, not paint nor a painter
        ("un caso tipo que me he inventado mezclando rasgos de varios internos", "caso_compuesto", True),
        ("un caso práctico inspirado en un expediente real, cambiando las cifras", "caso_compuesto", True),
        ("así ha quedado el mural: una semana pintando y mezclando colores", "caso_compuesto", False),
        ("los de 2º han montado una exposición inspirada en Miró", "caso_compuesto", False),
        # being fired is not a farewell
        ("la empresa ya ha despedido a tres personas este año", "felicitacion", False),
        ("la despedida a nuestro compañero Luis tras 30 años", "felicitacion", True),
    ],
)
def test_vocabulary_of_session_73(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # a scam warning: the account the SMS says is blocked is not a comment blocked
        ("Si os llega un SMS diciendo que vuestra cuenta está bloqueada, no pinchéis", "bloquear_borrar", False),
        ("¿Puedo bloquear a un usuario que insulta en la cuenta del ayuntamiento?", "bloquear_borrar", True),
        # school enrolment is not a number plate
        ("Mañana reunión informativa de matrícula para familias en la escuela", "datos_personales", False),
        ("En el vídeo se ve la matrícula del coche del detenido", "datos_personales", True),
        # a charity race is one's own life; advice to the public is sharing knowledge
        (
            "He terminado la carrera solidaria contra el cáncer infantil, con el dorsal y la medalla",
            "vida_personal",
            True,
        ),
        ("Si sois grupo de riesgo, vacunaos: aún estáis a tiempo", "divulgacion", True),
        ("Si os llega un mensaje pidiendo las claves, no lo hagáis", "divulgacion", True),
        # announcing before the school or the board tells, in Spanish and Catalan
        ("Lo quiero publicar antes de que la dirección lo comunique a las familias", "no_publico", True),
        ("Ho vull publicar abans que la direcció ho comuniqui a les famílies", "no_publico", True),
        ("me han dicho que van a desalojar, aunque todavía no hay nada oficial", "no_publico", True),
        # a neighbours' channel is not the official account
        ("Lo quiero mandar al canal de Telegram del pueblo", "cuenta_oficial", False),
        # what a postman delivers; a place withheld; what senior officials earn
        ("el certificado del juzgado que le he llevado a la del número 7", "info_del_puesto", True),
        ("el certificado del juzgado que le he llevado a la del número 7", "persona_identificable", True),
        ("¿Puedo subirlas sin decir el sitio exacto?", "lugar_exacto", False),
        ("Los nidos están en el pino grande de detrás de la ermita", "lugar_exacto", True),
        ("que la gente sepa lo que cobran los altos cargos", "beneficio_propio", False),
        ("el enlace del Portal de la Transparencia", "publicado_oficialmente", True),
        # signed by all but a few is a partial authorisation
        ("han firmado todas menos dos", "autorizacion_parcial", True),
        # private services, a screenshot with names, one's own channel posing as the service
        ("ofrecerme para hacer declaraciones de la renta a particulares", "servicios_privados", True),
        ("una captura del cuadro de mando; salen los nombres y los días de baja", "lista_personas", True),
        # internal meetings, an unpatched flaw, an undercover officer
        ("explicar lo que se discutió en las reuniones internas", "comunicacion_interna", True),
        ("hemos encontrado un fallo de seguridad que todavía no está parcheado", "confidencial", True),
        ("sale un compañero que está infiltrado en un grupo de crimen organizado", "operacion_policial", True),
        ("I puc afegir l'hora exacta i el punt on ens posarem?", "operacion_policial", True),
    ],
)
def test_vocabulary_of_session_74(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # what is not approved yet, a rezoning, a raid to come
        ("Spoiler: serán 45 plazas. En cuanto se apruebe y salga en el BOP os aviso", "no_publico", True),
        # waiting for the bulletin lifts it; waiting for the press does not
        ("¿Y si espero a que salga en el BOE?", "publicado_oficialmente", True),
        ("¿Y si espero a que lo saque la prensa?", "publicado_oficialmente", False),
        ("avanzar qué parcelas del polígono pasan a residencial", "no_publico", True),
        ("esto no acaba aquí, la semana que viene caen otros dos pisos", "no_publico", True),
        # waiting for the official publication
        ("¿Y si espero a que la saquen a información pública?", "publicado_oficialmente", True),
        ("¿Y cuando la sanción sea firme y la publique la consejería?", "publicado_oficialmente", True),
        ("E se espero a que saia publicada na base de datos pública?", "publicado_oficialmente", True),
        ("E se espero a que saia publicada na base de datos pública?", "info_del_puesto", False),
        # a public helpline, a serious case, advice on protecting one's documents
        ("llamad al teléfono de consejo sanitario", "datos_personales", False),
        ("que quien viene grave no espere", "imagen", False),
        ("consejos generales para proteger datos personales y documentos confidenciales", "confidencial", False),
        ("os paso los documentos confidenciales del expediente", "confidencial", True),
        # who came to the office; what everybody inside knew
        ("Hoy ha venido a hacerla el alcalde de un pueblo de aquí al lado", "info_del_puesto", True),
        ("Hoy ha venido a hacerla el alcalde de un pueblo de aquí al lado", "senalar_sin_nombrar", True),
        ("«ja era hora, aquí dins tothom ho sabia»", "info_del_puesto", True),
    ],
)
def test_vocabulary_of_session_75(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # the Administration paying creators for a campaign
        ("Queremos hacer en verano una campaña en TikTok pagando a tres influencers", "influencer_pagado", True),
        ("Queremos hacer en verano una campaña en TikTok pagando a tres influencers", "campana_institucional", True),
        ("la idea es contratar a un tiktoker conocido para la campaña", "influencer_pagado", True),
        ("sigo a un tiktoker conocido que explica recetas", "influencer_pagado", False),
        # people listed by what they owe; a new address in Catalan
        ("colgar la lista de los usuarios que no han devuelto los libros", "datos_personales", True),
        ("Vull penjar l'adreça nova d'una veïna", "datos_personales", True),
        # a doctors' strike is not a police one
        ("Soy guardia civil y apoyo la huelga de los médicos", "huelga_policial", False),
        ("Soy guardia civil y apoyo la huelga", "huelga_policial", True),
        # an old archive record; someone you attended; a case in progress
        ("una foto de un proceso de la Inquisición del archivo", "documento_historico", True),
        ("ayer atendimos a la señora que se cayó en la plaza", "ciudadano_atendido", True),
        ("comentar el caso que estamos tratando en 2.º B", "expediente", True),
        # what the post lets you see: a tax return you checked, an internal report, police checkpoints
        ("un cantante cuya declaración me ha tocado revisar", "info_del_puesto", True),
        ("con las cifras que saco del parte interno del centro", "confidencial", True),
        ("¿les paso la ubicación de los controles que tenemos el sábado?", "operacion_policial", True),
        ("sus préstamos salen en el sistema", "info_del_puesto", True),
        ("contaré lo que les encontramos en la visita", "info_del_puesto", True),
        ("the department's internal technical report says otherwise", "confidencial", True),
        ("No pienso sacar documentos internos, solo mi opinión", "confidencial", False),
        # private work offered next to the job
        ("y añado que acepto encargos privados de reformas", "servicios_privados", True),
        ("anunciar que empiezo como consultor por mi cuenta", "servicios_privados", True),
        ("me toca evaluar las solicitudes de ayudas", "relacion_con_puesto", True),
        # waiting for the decision and its publication; a public session; a sign-off in writing
        ("¿Y si espero a que se apruebe en el pleno y salga publicado?", "publicado_oficialmente", True),
        ("El pleno fue público y se retransmitió por YouTube", "publicado_oficialmente", True),
        ("And once the company signs off in writing?", "visto_bueno", True),
        ("E se o propio veciño asina a autorización?", "consentimiento", True),
        ("Súa filla díxome por WhatsApp que si, que encantada", "consentimiento_verbal", True),
        # a service notice; a drill; a Galician nest is no child
        ("¿Y un tuit avisando de que la carretera estará cortada por obras?", "difusion_servicio", True),
        ("un curso simulando víctimas atrapadas en un coche", "victimas", False),
        ("Onte vimos un niño de aguia real no cantil", "menor", False),
        ("Hay un niño jugando en la foto", "menor", True),
        # English: a negation reaches through «mention of any»; a public ceremony; who came in to the office
        ("a carousel on the postal vote, with no mention of any party", "partidista", False),
        ("a carousel on the postal vote that thanks the party", "partidista", True),
        ("a photo of the mayor at the official ceremony", "cargo_publico_en_acto", True),
        ("the neighbour who came in to file a complaint about the school", "info_del_puesto", True),
    ],
)
def test_vocabulary_of_session_76(book, text, signal, present):
    assert (signal in found(book, text)) is present


@pytest.mark.parametrize(
    ("text", "signal", "present"),
    [
        # what a notice asks people to bring is nobody's data; a scam warning names no account
        ("Necesitáis el DNI del menor y el certificado de empadronamiento", "datos_personales", False),
        ("Traed la tarjeta sanitaria", "datos_personales", False),
        ("nadie del centro os va a pedir datos bancarios", "datos_personales", False),
        ("Te paso el DNI del menor: 12345678Z", "datos_personales", True),
        # a «grave» fault or infection is no Catalan «gravar» (to record)
        ("¿Es falta grave publicar esto?", "imagen", False),
        ("evita infecciones graves en pacientes ingresados", "imagen", False),
        ("Vull gravar un vídeo al pati", "imagen", True),
        # free to consult in a public catalogue; two children without the form
        ("se puede consultar libremente en el catálogo público del archivo", "publicado_oficialmente", True),
        ("Hay dos niños sin autorización", "autorizacion_parcial", True),
        ("un expediente de 1890 que está en el catálogo público del archivo", "documento_historico", True),
        # who the comments are about
        ("cada vez que subimos algo del alcalde se llena de insultos", "cargo_politico", True),
        # no cases, no names: in Spanish, Galician, Catalan and English
        ("ideas generales, sin mencionar centros ni casos", "sin_atendidos", True),
        ("E se non poño o nome?", "ficticio_anonimizado", True),
        ("I si no poso el nom?", "ficticio_anonimizado", True),
        ("what if I drop the village, her age and the dates?", "ficticio_anonimizado", True),
        ("and I ask her to sign a written consent first", "consentimiento", True),
        # one's own life: a food bank, the neighbours' association; studying, one's own fine
        ("organizamos una recogida para el banco de alimentos", "vida_personal", True),
        ("y yo sé por el trabajo que tiene tres pisos alquilados", "info_del_puesto", True),
        ("Se acabó estudiar expedientes de memoria los fines de semana", "expediente", False),
        ("que te llegue una multa por ir a 68", "expediente", False),
    ],
)
def test_vocabulary_of_session_77(book, text, signal, present):
    assert (signal in found(book, text)) is present


def test_an_official_post_about_an_arrest_lifts_the_arrest(book):
    # Sharing what the force's own account published is no longer publishing the arrest oneself.
    assert "publicado_oficialmente" in book.lifters_of("detenido")


def test_a_made_up_example_does_not_lift_a_case_built_from_real_ones(book):
    signal = book.get("caso_compuesto")
    assert signal is not None and signal.cls is SignalClass.CONTEXTO and signal.sensitive
    assert "ficticio" not in book.lifters_of("caso_compuesto")


@pytest.mark.parametrize(
    "text",
    [
        "Me caso el sábado y quiero subir el álbum de la boda",
        "Me han nombrado subdirectora y quiero anunciarlo en LinkedIn",
        "Acabo de terminar el curso de rescate acuático",
    ],
)
def test_a_moment_of_ones_life_names_the_topic_and_lifts_nothing(book, text):
    hits = book.detect(text, "pregunta")
    assert "hito_propio" in {h.signal for h in hits}
    signal = book.get("hito_propio")
    assert signal is not None and signal.cls is SignalClass.TEMA
    assert book.lifters_of("persona_identificable") and "hito_propio" not in book.lifters_of("persona_identificable")
