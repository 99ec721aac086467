"""Cues: the ``pistas`` of bot/i18n/*.yaml, one table per cue, a row per language at least."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import cues, yamlfile
from bot.intent import I18N_DIR
from bot.text import fold


def texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


@pytest.mark.parametrize(
    ("language", "text", "mentioned"),
    [
        # palabra_nombrada: a quoted word after a word about words.
        ("es", "¿Pasa algo si pongo la palabra 'confidencial' en el post?", ["'confidencial'"]),
        ("es", "Me preocupa el término «interino» del anuncio", ["«interino»"]),
        ("es", "El partido terminó 'en tablas' y lo quiero contar", []),  # «terminó» is no «término»
        ("ca", "M'amoïna la paraula 'confidencial' al meu post", ["'confidencial'"]),
        ("gl", "Preocúpame iso de 'segredo' no texto", ["'segredo'"]),
        ("en", "Is the word 'confidential' a problem?", ["'confidential'"]),
        ("en", "Is the 'confidential' bit a problem?", ["'confidential'"]),  # palabra_entre
        ("eu", "Arazo bat da hitza: 'konfidentziala'?", ["'konfidentziala'"]),
        # usar_palabra (and articulo): a verb of saying right before one or two quoted words.
        ("es", "¿Pasa algo por usar 'detenido' en un tuit?", ["'detenido'"]),
        ("es", "¿Puedo poner la 'x' del caso?", ["'x'"]),
        ("ca", "Puc fer servir 'detingut' en un tuit?", ["'detingut'"]),
        ("en", "Can I use 'arrested' in a post?", ["'arrested'"]),
        # lista_de_palabras and lista_une: a list of quoted words.
        ("es", "Salen 'pacientes' y 'riesgo' en el texto", ["'pacientes'", "'riesgo'"]),
        ("es", "Me preocupa que en mi perfil ponga 'juzgado' y 'menores'", ["'juzgado'", "'menores'"]),
        ("es", "Porque hablo de 'recortes' en el hilo", ["'recortes'"]),
        ("es", "El alcalde habló de 'recortes' en el pleno", []),  # someone else's words
        ("es", "El informe pone 'CONFIDENCIAL' en la cabecera", []),  # what the document says
        ("es", "Sale mucho 'datos' en el hilo, ¿pasa algo?", ["'datos'"]),
        ("es", "Lo pregunto por si 'heridos' suena fuerte", ["'heridos'"]),
        ("ca", "Hi ha paraules com 'drogues' i 'detenir'", ["'drogues'", "'detenir'"]),
        ("gl", "O texto está cheo de 'confidencial' e 'segredo'", ["'confidencial'", "'segredo'"]),
        ("en", "It has words like 'drugs' or 'arrest'", ["'drugs'", "'arrest'"]),
        # mencion_suelta, mencion_al_final, mascota and se_llama: a word named without quotes.
        ("es", "¿Me da cosa la palabra fraude?", ["fraude"]),
        ("es", "¿Suena raro con lo de confidencial?", ["confidencial"]),
        # a slogan is what the post says, even near «director»
        ("es", "El director quiere una campaña con el lema «Un año de logros»", []),
        # what worries the asker, named in a few words at the end of a clause
        ("es", "¿Algún problema por lo de los datos?", ["los datos"]),
        ("es", "Por el tema pacientes y tal, ¿hay problema?", ["pacientes y tal"]),
        ("ca", "Algun problema pel tema de les dades?", ["les dades"]),
        ("gl", "Algún problema polo tema dos datos?", ["datos"]),
        ("es", "¿Puedo subir lo de los pacientes?", []),  # what is posted
        ("es", "Pregunto por lo de la foto de los alumnos de mi clase en el patio", []),  # too long: described
        ("es", "Mi perro se llama Confidencial y sale en la foto", ["Confidencial"]),
        ("ca", "Em fa por la paraula frau", ["frau"]),
        ("ca", "El meu gos es diu Secret", ["Secret"]),
        ("gl", "Dáme medo a palabra fraude", ["fraude"]),
        ("gl", "O meu can chámase Segredo", ["Segredo"]),
        ("en", "Is the word confidential a problem?", ["confidential"]),
        ("en", "My dog is called Secret", ["Secret"]),
        # obra: a quoted title with a capital, next to what it is the title of.
        ("es", "Estoy reviendo 'L.A. Confidential' y me encanta", ["'L.A. Confidential'"]),
        ("es", "Estoy reviendo 'confidencial' y me encanta", []),  # no capital: no title
        ("ca", "Estic llegint 'El secret de la infermera', una novel·la", ["'El secret de la infermera'"]),
        ("gl", "Estou lendo 'O segredo', unha novela", ["'O segredo'"]),
        ("en", "Rewatching 'L.A. Confidential', the movie", ["'L.A. Confidential'"]),
        # se_llama before a short quoted name: a name, not a word used.
        ("es", "Juego en un equipo que se llama 'Los Confidenciales' 😂", ["'Los Confidenciales'"]),
        ("es", "un vídeo llamado 'Balance de 4 años: 30 parques nuevos'", []),  # long: the content
        ("ca", "Jugo en un equip que es diu 'Els Secrets'", ["'Els Secrets'"]),
        ("gl", "Xogo nun equipo chamado 'Os Segredos'", ["'Os Segredos'"]),
        ("en", "I play in a team called 'The Confidentials'", ["'The Confidentials'"]),
    ],
)
def test_mentioned_spans(language, text, mentioned):
    assert texts(text, cues.mentioned_spans(text)) == mentioned


@pytest.mark.parametrize(
    ("language", "text", "subject"),
    [
        (
            "es",
            "Hice el curso del INAP sobre gestión de información confidencial.",
            ["gestión de información confidencial"],
        ),
        ("es", "Voy a un taller sobre menores, ¿puedo subir la foto?", ["menores"]),
        ("ca", "He fet un curs sobre protecció de dades.", ["protecció de dades"]),
        ("gl", "Dei un curso sobre violencia de xénero.", ["violencia de xénero"]),
        ("en", "I took a course on data protection.", ["data protection"]),
    ],
)
def test_subject_spans(language, text, subject):
    assert texts(text, cues.subject_spans(text)) == subject


@pytest.mark.parametrize(
    ("language", "text", "introduction"),
    [
        ("es", "Hola, soy enfermera en la UCI y quiero subir una foto.", ["Hola, soy enfermera en la UCI"]),
        ("es", "Buenos días. Trabajo en Hacienda, ¿puedo publicar esto?", ["Buenos días. Trabajo en Hacienda"]),
        ("es", "Lo he visto. Curro en un instituto y me ha gustado.", [" Curro en un instituto"]),
        ("es", "Soy su enfermera desde hace años.", []),  # somebody else's
        ("es", "Trabajó en Hacienda mi padre.", []),  # «trabajó» is no «trabajo»
        ("ca", "Soc infermera a l'hospital i vull penjar una foto.", ["Soc infermera a l'hospital"]),
        ("ca", "Treballo a l'Ajuntament avui mateix.", ["Treballo a l'Ajuntament"]),
        ("gl", "Traballo en Lugo, no concello, e quero publicar.", ["Traballo en Lugo"]),
        ("gl", "Traballo como conserxe e hoxe vin algo.", ["Traballo como conserxe"]),
        ("en", "I'm a nurse at the hospital and I want to post.", ["I'm a nurse at the hospital"]),
        ("en", "I work for the council. Can I post this?", ["I work for the council"]),
        ("eu", "Erizaina naiz Donostian. Argazki bat igo nahi dut.", ["Erizaina naiz"]),
    ],
)
def test_introductions(language, text, introduction):
    assert texts(text, cues.introductions(text)) == introduction


@pytest.mark.parametrize(
    ("language", "sentence", "own"),
    [
        ("es", "Acabo de aprobar la oposición de agente de Hacienda", True),
        ("es", "Tomé posesión el lunes en el juzgado", True),
        ("es", "Porque trabajo en la Tesorería", True),
        ("es", "Mi padre trabajó en la Tesorería", False),
        ("ca", "Perquè treballo a l'Ajuntament", True),
        ("gl", "Porque traballo en Facenda", True),
        ("en", "As I work for the tax agency", True),
        ("en", "My father worked for the tax agency", False),
    ],
)
def test_says_own_job(language, sentence, own):
    assert cues.says_own_job(sentence) is own


@pytest.mark.parametrize(
    ("language", "sentence", "routine"),
    [
        ("es", "En mi día a día hay detenidos, persecuciones", True),
        ("es", " Veo contenciones, brotes psicóticos", True),
        ("es", "Amianto, accidentes mortales... es mi pan de cada día", True),
        ("es", "Quiero subir una foto del hospital", False),
        ("ca", "Cada dia veig accidents a la carretera", True),
        ("gl", "No meu día a día hai detidos", True),
        ("en", "In my daily work I see accidents", True),
    ],
)
def test_describes_routine(language, sentence, routine):
    assert cues.describes_routine(sentence) is routine


@pytest.mark.parametrize(
    ("language", "text", "withheld"),
    [
        # what is kept back starts at its question word: «cuánto declara» is not told either
        ("es", "No os voy a contar cuánto declaró el vecino, pero fue mucho.", ["cuánto declaró el vecino"]),
        (
            "es",
            "Y NO, no os voy a decir cuánto declara vuestro cuñado, dejad de preguntarme",
            ["cuánto declara vuestro cuñado"],
        ),
        ("es", "No diré qué pasó en la reunión.", ["qué pasó en la reunión"]),
        ("es", "Tampoco puedo decir el nombre del alumno aunque lo sepáis.", ["el nombre del alumno "]),
        ("es", "No voy a decir que sea fácil.", []),  # «que», not «qué»: nothing kept back
        ("ca", "No us puc dir qui va ser, però tothom ho sap.", ["qui va ser"]),
        ("ca", "No penso dir on viu.", ["on viu"]),
        ("en", "I won't tell you who it was.", ["who it was"]),
        ("en", "I'm not saying where she lives, but it's near.", ["where she lives"]),
    ],
)
def test_withheld_spans(language, text, withheld):
    assert texts(text, cues.withheld_spans(text)) == withheld


@pytest.mark.parametrize(
    ("language", "text", "replaced"),
    [
        ("es", "¿Y si en lugar de un caso real pongo las cifras?", ["un caso real "]),
        ("es", "¿Y si en vez de mi perfil público uso el oficial?", ["mi perfil público "]),  # «público» goes on
        ("es", "¿Y si en vez de la foto del paciente con su familia y sus amigos?", ["la foto del paciente con"]),
        ("ca", "I si en lloc de la foto poso les xifres?", ["la foto "]),
        ("gl", "E se no canto de poñer a foto, subo as cifras?", ["poñer a foto"]),
        ("gl", "E se no canto de vídeo fai un resumo?", ["vídeo "]),
        # Galician contractions: «en vez do», «no canto da»
        ("gl", "E se en vez do vídeo escribo un texto?", ["vídeo "]),
        ("gl", "E se no canto da foto poño as cifras?", ["foto "]),
        ("en", "What if instead of the photo I post the figures?", ["the photo "]),
    ],
)
def test_replaced_spans(language, text, replaced):
    assert texts(text, cues.replaced_spans(text)) == replaced


@pytest.mark.parametrize(
    ("language", "text", "doubted"),
    [
        (
            "es",
            "No sé si todas las familias firmaron la autorización.",
            ["todas las familias firmaron la autorización"],
        ),
        ("es", "no recuerdo si ya salió en el BOE, pero lo subo", ["ya salió en el BOE"]),
        ("es", "No tengo claro si es público; mañana lo miro", ["es público"]),
        ("ca", "No tinc clar si totes les famílies han signat", ["totes les famílies han signat"]),
        ("gl", "Non sei se asinaron todos, pero", ["asinaron todos"]),
        ("en", "I'm not sure if all the parents signed the form, but", ["all the parents signed the form"]),
        ("en", "I don't know whether it's in the BOE yet.", ["it's in the BOE yet"]),
        # at most ten words: a doubt with no clear end covers only its first words
        (
            "es",
            "no sé si uno dos tres cuatro cinco seis siete ocho nueve diez once",
            ["uno dos tres cuatro cinco seis siete ocho nueve diez"],
        ),
        ("es", "Todas las familias firmaron la autorización.", []),
        ("es", "Ya sé si lo firmaron: sí.", []),
    ],
)
def test_doubted_spans(language, text, doubted):
    assert texts(text, cues.doubted_spans(text)) == doubted


@pytest.mark.parametrize(
    ("language", "text", "name", "praised"),
    [
        ("es", "Mención especial para Lucía, que lo ha dado todo", "Lucía", True),
        ("es", "Feliz jubilación, Paco", "Paco", True),
        ("es", "Ayer vino Lucía a la oficina", "Lucía", False),
        ("ca", "Felicitats, Núria, per la feina", "Núria", True),
        ("ca", "Gràcies a Pere per tot", "Pere", True),
        ("en", "Huge shout-out to Laura for the launch", "Laura", True),
    ],
)
def test_praises_before(language, text, name, praised):
    assert cues.praises_before(text, text.index(name)) is praised


@pytest.mark.parametrize(
    ("language", "text", "team"),
    [
        ("es", "Mi equipo ha cerrado el año con récord", True),
        ("es", "Hoy se jubila nuestra compañera Carmen", True),
        ("es", "Ayer fui al cine con mi hermana", False),
        ("ca", "Els companys de la feina han guanyat el premi", True),
        ("en", "Our team closed the year with a record", True),
    ],
)
def test_about_the_team(language, text, team):
    assert cues.about_the_team(text) is team


@pytest.mark.parametrize(
    ("text", "name", "attended"),
    [
        ("Felicidades a Remedios, la del 3ºB, por sus cien años", "Remedios", True),
        ("Gracias a Carmen, nuestra usuaria más veterana", "Carmen", True),
        ("Gracias a Lucía, que lo ha dado todo", "Lucía", False),
    ],
)
def test_attended_after(text, name, attended):
    # Spanish only: the other languages have no words for it yet.
    assert cues.attended_after(text, text.index(name) + len(name)) is attended


def _pistas() -> list[tuple[str, str, str]]:
    """Every pattern of every ``pistas`` section: (file, key, pattern)."""
    out = []
    for path in sorted(I18N_DIR.glob("*.yaml")):
        section = (yamlfile.load(path.read_text(encoding="utf-8"))[0] or {}).get(cues.SECTION) or {}
        for key, value in section.items():
            if key == cues.PAIRS:
                out.extend((path.name, key, pair[side]) for pair in value for side in ("antes", "despues"))
            else:
                out.extend((path.name, key, p) for p in ([value] if isinstance(value, str) else value))
    return out


@pytest.mark.parametrize(("file", "key", "pattern"), _pistas())
def test_every_pattern_compiles_and_is_written_folded(file, key, pattern):
    assert key in (*cues.KEYS, cues.PAIRS), f"{file}: clave desconocida «{key}»"
    re.compile(cues._union([pattern], {}))
    # Over folded text: lower case and no accents, but in a ``tilde`` group (its spellings).
    bare = cues._TILDE_GROUP.sub("", re.sub(r"\\.", "", pattern))
    assert fold(bare) == bare, f"{file} {key}: «{pattern}» no está en minúsculas y sin tildes"


def test_every_language_has_cues():
    languages = {file for file, _, _ in _pistas()}
    assert languages == {p.name for p in I18N_DIR.glob("*.yaml")}


def test_a_file_without_cues_still_loads(tmp_path: Path):
    (tmp_path / "xx.yaml").write_text('idioma: xx\nintencion:\n  muletillas: "eh"\n', encoding="utf-8")
    (tmp_path / "yy.yaml").write_text('idioma: yy\npistas:\n  equipo: "la colla"\n', encoding="utf-8")
    loaded = cues.load_cues(tmp_path)
    assert loaded.team.found("Visca la colla!")
    assert not loaded.team.found("mi equipo")  # only what the files say
    assert not loaded.withheld.found("no diré quién fue")  # no words: the cue matches nothing
    assert cues.load_cues(tmp_path / "empty").named_between == ()


def test_a_tilde_group_counts_only_its_spellings(tmp_path: Path):
    (tmp_path / "xx.yaml").write_text(
        'pistas:\n  callar: "no dire (?P<tilde>qué)"\n  equipo: "(?P<tilde>término|termino)|(?P<tilde>trabajo)"\n',
        encoding="utf-8",
    )
    loaded = cues.load_cues(tmp_path)
    assert loaded.withheld.found("No diré qué pasó") and loaded.withheld.found("NO DIRÉ QUÉ")
    assert not loaded.withheld.found("no diré que sí")
    assert [loaded.team.found(w) for w in ("término", "termino", "terminó", "trabajo", "trabajó")] == [
        True,
        True,
        False,
        True,
        False,
    ]


def test_spans_are_in_the_text_as_written():
    # Folding changes lengths («ǅ» is two letters folded; a decomposed accent is none): the spans
    # still point into the text as written.
    text = "ǅ. Soy cocinera en el Hospital. No diré que\u0301 plato, pero gustó."
    assert texts(text, cues.introductions(text)) == [" Soy cocinera en el Hospital"]
    assert texts(text, cues.withheld_spans(text)) == ["que\u0301 plato"]
