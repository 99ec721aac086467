"""Structure decides the chunks: articles and apartados, rules, sections."""

from __future__ import annotations

from bot.chunking import ARTICLE_MAX_CHARS, chunk_document, markdown_law_blocks
from bot.documents import LawBlock, SourceDocument, load_all
from bot.models import LegalRef, SourceType, Verdict


def _chunks(settings, file):
    doc = next(d for d in load_all(settings).documents if d.file == file)
    chunks, problems = chunk_document(doc)
    assert problems == []
    return chunks


def test_law_is_chunked_by_article_with_bis_and_disposiciones(settings):
    chunks = _chunks(settings, "knowledge/leyes/ley-prueba.md")
    locators = [c.locator for c in chunks]
    assert locators == [
        "Preámbulo",
        "Artículo 1",
        "Artículo 2",
        "Artículo 3",
        "Artículo 4",
        "Artículo 5",
        "Artículo 6",
        "Artículo 6 bis",
        "Artículo 7",
        "Disposición adicional primera",
        "Disposición final única",
    ]
    bis = chunks[locators.index("Artículo 6 bis")]
    assert bis.text.startswith("Artículo 6 bis. Imagen de las personas.")
    assert bis.url == "https://www.boe.es/buscar/act.php?id=BOE-A-2099-90001#a6bis"
    assert bis.article == "6 bis"
    assert bis.version == "2099-01-02"
    assert "TÍTULO II. Deberes al comunicar" in bis.heading


def test_long_article_is_split_by_apartado_keeping_its_heading():
    paragraphs = [f"{n}. " + f"Contenido del apartado {n} sobre el deber de discreción. " * 12 for n in range(1, 5)]
    assert sum(map(len, paragraphs)) > ARTICLE_MAX_CHARS
    doc = SourceDocument(
        file="sources/boe/BOE-A-2099-1.json",
        source_id="BOE-A-2099-1",
        tipo=SourceType.LEY,
        title="Ley de prueba",
        file_hash="h",
        url="https://www.boe.es/buscar/act.php?id=BOE-A-2099-1",
        version="2099-05-01",
        blocks=[
            LawBlock("ti", "encabezado", "TÍTULO I. Deberes", []),
            LawBlock("a53", "precepto", "Artículo 53", ["Artículo 53. Principios.", *paragraphs], "20990501"),
        ],
    )
    chunks, _ = chunk_document(doc)
    assert [c.locator for c in chunks] == [f"Artículo 53.{n}" for n in range(1, 5)]
    assert all(c.text.startswith("Artículo 53. Principios.\n") for c in chunks)
    assert chunks[2].text.split("\n")[1].startswith("3. Contenido")
    assert {c.url for c in chunks} == {"https://www.boe.es/buscar/act.php?id=BOE-A-2099-1#a53"}
    assert {c.version for c in chunks} == {"2099-05-01"}
    assert {c.article for c in chunks} == {"53"}
    assert len({c.id for c in chunks}) == 4


def test_markdown_law_blocks_recognise_headings():
    blocks = markdown_law_blocks(
        "Texto inicial.\n\n## TÍTULO I. Algo\n\n##### Artículo 47 bis. Teletrabajo.\n\n1. Uno.\n\n"
        "##### Disposición transitoria segunda. Plazos.\n\nTexto.\n"
    )
    assert [(b.kind, b.title, b.id) for b in blocks] == [
        ("preambulo", "Preámbulo", "preambulo"),
        ("encabezado", "TÍTULO I. Algo", ""),
        ("precepto", "Artículo 47 bis", "a47bis"),
        ("precepto", "Disposición transitoria segunda", ""),
    ]


def test_guideline_is_chunked_by_rule_with_machine_readable_fields(settings):
    chunks = _chunks(settings, "knowledge/guias/guia.md")
    rules = [c for c in chunks if c.locator.startswith("Regla")]
    assert [c.locator for c in rules] == [f"Regla {n}" for n in range(1, 6)]
    rule3 = rules[2]
    assert rule3.rule_verdict is Verdict.NO_PERMITIDO
    assert rule3.legal_basis == (
        LegalRef(source_id="BOE-A-2099-90001", article="5.2"),
        LegalRef(source_id="BOE-A-2099-90001", article="5.4"),
    )
    assert rule3.applies_if == (("confidencial",), ("info_del_puesto",), ("no_publico",))
    assert rules[3].unless == ("consentimiento",)
    assert rules[3].applies_if[1] == ("imagen", "ciudadano_atendido")
    assert "expediente" in rule3.keywords
    assert "Veredicto" not in rule3.text  # fields are metadata, not text
    assert rule3.text.startswith("Regla 3. Información confidencial")
    assert rules[1].rule_verdict is Verdict.CON_CAUTELAS
    assert not any(c.firm for c in rules)  # «Firme» is optional
    others = [c.locator for c in chunks if not c.locator.startswith("Regla")]
    assert "A quién preguntar" in others


def test_terms_note_is_chunked_by_section(settings):
    chunks = _chunks(settings, "knowledge/condiciones/linkedin.md")
    assert [c.locator for c in chunks] == ["§ 1. Licencia sobre lo que publicas", "§ 2. Identidad y nombre real"]
    assert {c.network for c in chunks} == {"linkedin"}
    assert all(c.tipo is SourceType.CONDICIONES for c in chunks)


def test_content_hash_changes_only_with_content(settings):
    first = {c.locator: c.content_hash for c in _chunks(settings, "knowledge/guias/guia.md")}
    second = {c.locator: c.content_hash for c in _chunks(settings, "knowledge/guias/guia.md")}
    assert first == second
    assert len(set(first.values())) == len(first)


def _rule_doc(fields: str) -> SourceDocument:
    text = f"## Regla 7. Una regla\n\n{fields}\n- **Se aplica si:** cuenta oficial\n\n**Por qué.** Porque sí.\n"
    return SourceDocument(
        source_id="guia", tipo=SourceType.GUIA, title="Guía", text=text, file="knowledge/guias/g.md", file_hash="h"
    )


def test_a_firm_rule_is_read_from_its_firme_line():
    chunks, problems = chunk_document(_rule_doc("- **Veredicto:** no permitido\n- **Firme:** sí"))
    assert [p for p in problems if p.level == "error"] == []
    assert chunks[0].firm is True
    assert "Firme" not in chunks[0].text


def test_a_firme_line_that_cannot_be_read_is_reported_and_ignored():
    chunks, problems = chunk_document(_rule_doc("- **Veredicto:** no permitido\n- **Firme:** quizá"))
    assert chunks[0].firm is False
    # A warning: the rest of the guide is still indexed.
    assert any("Firme: quizá" in p.message and p.level == "warning" for p in problems)
    # Only a «no» can be kept from being softened.
    chunks, problems = chunk_document(_rule_doc("- **Veredicto:** con cautelas\n- **Firme:** sí"))
    assert chunks[0].firm is False
    assert any("solo vale" in p.message and p.level == "warning" for p in problems)
