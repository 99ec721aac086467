"""Detectors of personal data: validated identifiers, exact spans, and no false alarms."""

from __future__ import annotations

import pytest

from bot.draft import Detector, detect, finding_context


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect(text) if f.kind != Detector.NOMBRE_PERSONA]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi DNI es 12345678Z", [("dni", "12345678Z")]),
        ("dni 12345678-z", [("dni", "12345678-z")]),
        ("NIE X1234567L del solicitante", [("nie", "X1234567L")]),
        ("Escríbeme a ana.lopez+redes@ayto.example.es", [("email", "ana.lopez+redes@ayto.example.es")]),
        ("Llama al 612 345 678 o al +34 912 345 678", [("telefono", "612 345 678"), ("telefono", "+34 912 345 678")]),
        ("Ingresa en ES91 2100 0418 4502 0005 1332", [("iban", "ES91 2100 0418 4502 0005 1332")]),
        ("Robaron en la calle Mayor 5, 2ºB", [("direccion", "calle Mayor 5")]),
        ("Atendí a la señora que vive sola en la calle Almendro 14", [("direccion", "calle Almendro 14")]),
        ("Vive en c/ del Carme, 12", [("direccion", "c/ del Carme, 12")]),
        ("Robaron en la calle Mayor 5B ayer", [("direccion", "calle Mayor 5B")]),  # the door's letter
        ("El de la calle Mayor 5 bajo paga 300 € de alquiler", [("direccion", "calle Mayor 5")]),  # a price later on
        # a home searched by the police is someone's address, near a public office or not
        ("Registro domiciliario en la calle Mayor 5, junto a la oficina de empleo", [("direccion", "calle Mayor 5")]),
        ("Tras la charla en la biblioteca, el incendio en la calle Olmo 7", [("direccion", "calle Olmo 7")]),
        ("El coche con matrícula 1234 BCD", [("matricula", "1234 BCD")]),
        # OCR reads «DNI» as «DN1» and may glue the letter: the control letter still decides.
        ("DN1 12345678Z", [("dni", "12345678Z")]),
        ("DN112345678Z", [("dni", "12345678Z")]),  # the «1» glued to the digits
        ("ref 112345678Z", []),  # nine digits, no «DN» before them: not a DNI
        ("D N I: 1 2 3 4 5 6 7 8 - Z, para que le dé vergüenza", [("dni", "1 2 3 4 5 6 7 8 - Z")]),  # typed apart
        ("su dni es 12 34 56 78 Z", [("dni", "12 34 56 78 Z")]),
        # The age of a child, said of people.
        ("Ganadores del concurso de dibujo (7-10 años)", [("edad_menor", "7-10 años")]),
        ("Una foto con los chavales de 11 y 12 años", [("edad_menor", "11 y 12 años")]),
        ("El cumple de mi hijo, que cumple 8 años", [("edad_menor", "8 años")]),
        ("la historia de unos hermanos de 6 y 9 años", [("edad_menor", "6 y 9 años")]),
        ("el caso de una paciente mía de 15 años", [("edad_menor", "15 años")]),
        # Galician and Catalan children: «fillos», «nenos», «rapaces», «pequenos», «fills».
        ("na foto saen tamén os dous fillos pequenos, de 4 e 7 anos", [("edad_menor", "4 e 7 anos")]),
        ("uns rapaces de 12 anos xogando", [("edad_menor", "12 anos")]),
        ("surten els meus fills de 5 i 8 anys", [("edad_menor", "5 i 8 anys")]),
    ],
)
def test_true_positives(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mi DNI es 12345678A",  # wrong control letter: not a DNI
        "NIE X1234567A",  # wrong control letter
        "Cuenta ES00 2100 0418 4502 0005 1332",  # wrong IBAN check digits
        "Expediente 2024/123456 resuelto",  # a file number, not a phone
        "Pide cita en el 900 123 456",  # a free service number reaches a service, not a person
        "Abierto el plazo de las oposiciones: consulta el BOE de hoy",
        "Vivo en la calle Mayor",  # a street without a number locates nobody
        # where a public service receives people is no one's address
        "Servicios Sociales te atiende sin cita los martes de 9 a 13h en la calle San Roque 4",
        "Os esperamos el sábado en la plaza Mayor 3",
        "Ya está abierta la nueva oficina de atención al público en la calle Mayor, 12",
        "La biblioteca del barrio se traslada a la avenida de Galicia 3",
        # a price or a share after a place, not a house number
        "Clases de guitarra en un local del barrio de San José. 15 € la hora",
        "Menú del día en la plaza Mayor 12,50 euros",
        "Menú del día en la plaza Mayor 12 euros",
        "Menú del día en la plaza Mayor 12 EUR",  # the currency in any case
        "En el barrio Centro 30% de descuento",
        "Tengo 35 años y me encanta el senderismo",
        "Os presento a Coco 🐶. Tiene 4 años y es el rey del sofá",  # a pet's age
        # who an activity is for, not someone in the post
        "Una campaña para chavales de 11 y 12 años",
        "Club de lectura: jueves a las 18:00, para chavales de 12 a 16 años",
        "Taller dirigido a niños de 6 a 12 años",
        "Mi gata Luna, que tiene 3 años, duerme encima del teclado",
        "Llevo 9 años interina en la Consejería",  # time, not an age
        "Con 15 años de servicio en el parque",
        "Un chaval de 34 años",  # an adult
        "Una paciente de 80 años",  # an adult patient
        "Hoy se cumplen 5 años del accidente en el que perdimos a nuestro compañero",  # an anniversary
        "Mi hijo cumplió con todo: hace 3 años que entrena",
        "Los chavales, 10 años desde que abrimos el aula",
        "Os meus fillos xa teñen 25 anos",  # adults
    ],
)
def test_false_positives_are_not_reported(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Mucho ánimo a Marta, de Registro", ["Marta"]),
        ("la finca de la familia Ortega pasa a urbanizable", ["Ortega"]),  # a family by its surname
        ("el brote empezó por los hermanos García", ["García"]),  # siblings by their surname
        ("Gracias a Juan P. por venir", ["Juan P."]),
        ("Atendí a Ana López Ruiz ayer", ["Ana López Ruiz"]),
        ("Las fiestas de San Juan", []),  # a saint, not a person
        ("Hospital Santa María del Rosell", []),
        ("Ahí sale la señora Puri, sonriendo", ["Puri"]),  # any name after a form of address
        ("Ha venido don Anselmo Ruiz", ["Anselmo Ruiz"]),
        # a capitalised form of address opening the run: the name after it
        ("Lo mejor: que a Doña Remedios, la de la 214, le ha bajado la fiebre", ["Remedios"]),
        ("Don Anselmo se jubila", ["Anselmo"]),
        ("Doctora García, gracias", ["García"]),
        ("Familia Real y Cabo Verde", []),  # a rank or «familia» opening the run is not a title
        ("pillé a Manolo dormido en su mesa", ["Manolo"]),  # a short form of a name
        ("Mi perra Lola es la criatura más paciente", []),  # a pet
        ("Reseña de la última novela de Almudena Grandes", []),  # the author of a public work
        ("3 horas de cola para el concierto de Rosalía", []),
        ("Este mes leemos 'Patria', de Fernando Aramburu", []),  # the author after a quoted title
        ("Club de Lectura de la Biblioteca Municipal Rosalía de Castro", []),  # a building's name
        ("sigue estable en la UCI del Gregorio Marañón", []),
        ("The campaign closes on 30 June", []),  # a date
        ("🚧 Domingo 12, Maratón de la ciudad", []),
        ("¡Segundo premio en la Feria de Ciencia!", []),  # the ordinal
        ("Ha venido don Segundo Ramos", ["Segundo Ramos"]),
        ("Leemos a Fernando Aramburu con Marta", ["Fernando Aramburu", "Marta"]),
        ("Os paso el audio 'feliz cumple' de Lucía", ["Lucía"]),  # no comma: whose, not an author
        ("la ofrenda del Pilar y las fiestas del Carmen", []),  # feasts of the Virgin
        ("Mi compañera Pilar se jubila", ["Pilar"]),
        ("la sortida a Montserrat amb la classe", []),  # a trip to a place named after a Virgin
        ("la excursión al Rocío y la visita a Lourdes", []),
        ("He felicitado a Montserrat por su jubilación", ["Montserrat"]),
        # a first name that is also a word, said alone as one, is the word
        ("Perfecto. Y el texto sería este:", []),
        ("¡Perfecto! Lo subo esta tarde", []),
        ("Ayer vino Gloria.", ["Gloria"]),
        ("Gloria, la de la 3B, me dijo que sí", ["Gloria"]),
        ("Hola, Perfecto García me pidió la foto", ["Perfecto García"]),
        # «Domingo» opening a sentence or after a determiner is the day; with a surname, a person
        ("Domingo, 90 exámenes y un café frío", []),
        ("Este Domingo subo la foto", []),
        ("Mención especial a Domingo, el conserje", ["Domingo"]),
        ("Domingo Pérez se jubila hoy", ["Domingo Pérez"]),
    ],
)
def test_person_names(text, names):
    assert [f.text for f in detect(text, (Detector.NOMBRE_PERSONA,))] == names


@pytest.mark.parametrize(
    ("text", "details"),
    [
        # Two or more kinds of detail together point at one person, without a name.
        (
            "Una madre sola, M., con tres niños, en un bajo del barrio de San José",
            ["M.", "con tres niños", "barrio de San"],
        ),
        ("el de la 312 (70 tacos, cirrosis) me ha tirado la bandeja", ["el de la 312", "70 tacos"]),
        ("la familia del 2ºB de la calle Olmo otra vez", ["2ºB", "calle Olmo"]),
        # A floor said with its side: «del 3º izquierda», «el segundo derecha».
        ("la señora del 3º izquierda de la calle Mayor", ["3º izquierda", "calle Mayor"]),
        ("el del segundo derecha de la plaza Nueva", ["segundo derecha", "plaza Nueva"]),
        # A minor's age counts too, and a room said as «de la 214».
        ("el chaval de 17 años de la 214 ya está despierto", ["de 17 años", "años de la 214"]),
        # An age said with «que tiene» / «que té», and a village, which is small (also in Catalan).
        ("és la mestra de l'escola del poble, que té 34 anys", ["mestra de l'escola del poble", "que té 34 anys"]),
        ("la farmacéutica del pueblo, que tiene 50 años", ["farmacéutica del pueblo", "que tiene 50 años"]),
        # One kind alone is not enough; a full address is a finding of its own.
        ("Hoy he corrido por el barrio de Triana", []),
        ("Las escuelas infantiles del pueblo, para niños de 0 a 3 años", []),
        ("Robaron en la calle Mayor 5, 2ºB", []),
    ],
)
def test_identifying_details(text, details):
    assert [f.text for f in detect(text, (Detector.DETALLES_IDENTIFICATIVOS,))] == details


def test_name_next_to_an_identifier_is_reported_with_its_span():
    text = "Atendí a Juan Pérez Gil, DNI 12345678Z, en ventanilla."
    findings = detect(text)
    named = [f for f in findings if f.kind == "nombre_con_id"]
    assert [(f.text, f.start, f.end) for f in named] == [("Juan Pérez Gil, DNI 12345678Z", 9, 38)]
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert all(f.label for f in findings)


def test_empty_text():
    assert detect(None) == []
    assert detect("") == []


def test_finding_context_is_one_line_with_ellipses_where_cut():
    from bot.models import DraftFinding

    draft = "Un texto bastante largo al principio para que haya corte,\nllamad al 612345678 si tenéis dudas sobre el trámite de hoy mismo."
    start = draft.index("612345678")
    finding = DraftFinding(kind="telefono", text="612345678", start=start, end=start + 9)
    before, after = finding_context(draft, finding)
    assert before.startswith("…") and before.endswith("corte, llamad al ")  # partial first word dropped, one line
    assert after.startswith(" si tenéis") and after.endswith("…")
    assert draft[start - len(before) + 1 : start].replace("\n", " ").endswith(before[1:])
    short = DraftFinding(kind="telefono", text="612345678", start=10, end=19)
    assert finding_context("llamad al 612345678", short) == ("llamad al ", "")
    assert finding_context("otro texto", finding) is None  # offsets not from this draft
    assert finding_context(None, finding) is None
