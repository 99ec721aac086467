"""Loading knowledge files: formats, front matter, and every kind of bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.documents import load_all
from bot.index import check
from bot.models import SourceType
from tests.conftest import make_settings
from tests.helpers.files import docx_file, encrypted_pdf, minimal_pdf


def _docs(settings):
    result = load_all(settings)
    return {d.file: d for d in result.documents}, result.problems


def test_fixture_folder_loads_cleanly(settings):
    docs, problems = _docs(settings)
    assert set(docs) == {
        "knowledge/guias/guia.md",
        "knowledge/condiciones/linkedin.md",
        "knowledge/leyes/ley-prueba.md",
    }
    assert problems == []
    law = docs["knowledge/leyes/ley-prueba.md"]
    assert (law.source_id, law.tipo, law.version) == ("BOE-A-2099-90001", SourceType.LEY, "2099-01-02")
    terms = docs["knowledge/condiciones/linkedin.md"]
    assert (terms.tipo, terms.network) == (SourceType.CONDICIONES, "linkedin")


def test_contact_unit_placeholder_is_replaced(tmp_path, knowledge):
    settings = make_settings(tmp_path, knowledge, contact_unit="la Oficina de Prueba")
    docs, _ = _docs(settings)
    text = docs["knowledge/guias/guia.md"].text
    assert "{{unidad}}" not in text
    assert "la Oficina de Prueba" in text


def test_file_without_front_matter_gets_defaults_and_a_warning(settings, knowledge):
    (knowledge / "condiciones" / "tiktok.md").write_text("# TikTok\n\nLo que subes sigue siendo tuyo.\n")
    docs, problems = _docs(settings)
    doc = docs["knowledge/condiciones/tiktok.md"]
    assert (doc.tipo, doc.network, doc.title, doc.source_id) == (
        SourceType.CONDICIONES,
        "tiktok",
        "TikTok",
        "condiciones/tiktok",
    )
    assert [(p.file, p.level) for p in problems] == [("knowledge/condiciones/tiktok.md", "warning")]
    assert "front matter" in problems[0].message


def test_pdf_docx_html_and_text_files_are_read(settings, knowledge):
    (knowledge / "guias" / "protocolo.pdf").write_bytes(
        minimal_pdf(["Protocolo de crisis en redes", "Avisa al gabinete."])
    )
    docx_file(knowledge / "guias" / "manual.docx", "Manual de estilo", ["Escribe frases cortas."])
    (knowledge / "guias" / "aviso.html").write_text(
        "<html><head><script>var x=1;</script></head><body><nav>menú</nav><main><h1>Aviso</h1>"
        "<p>Usa la cuenta oficial solo para el servicio.</p></main></body></html>",
        encoding="utf-8",
    )
    (knowledge / "guias" / "nota.txt").write_text("Nota breve sobre el horario de publicación.", encoding="utf-8")
    docs, problems = _docs(settings)
    assert problems == []
    assert "## Página 1" in docs["knowledge/guias/protocolo.pdf"].text
    assert "Avisa al gabinete." in docs["knowledge/guias/protocolo.pdf"].text
    assert docs["knowledge/guias/manual.docx"].text.startswith("# Manual de estilo")
    html = docs["knowledge/guias/aviso.html"].text
    assert "# Aviso" in html
    assert "var x" not in html
    assert "menú" not in html
    assert docs["knowledge/guias/nota.txt"].tipo is SourceType.GUIA


BAD_FILES = {
    "malformed front matter": ("guias/roto.md", b"---\ntitle: [sin cerrar\n---\nTexto\n", "front matter"),
    "unknown tipo": ("guias/tipo.md", b"---\ntipo: circular\n---\nTexto\n", "tipo desconocido 'circular'"),
    "encrypted pdf": ("guias/cifrado.pdf", None, "cifrado"),
    "unreadable pdf": ("guias/roto.pdf", b"%PDF-1.4\nbasura sin estructura", "PDF"),
    "empty file": ("guias/vacio.md", b"", "vacío"),
    "binary file": ("guias/binario.txt", b"\x00\x01\x02\x03binario\x00", "binario"),
    "corrupt docx": ("guias/roto.docx", b"PK\x03\x04 no es un zip completo", "Word"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_gets_one_clear_message_and_the_rest_loads(settings, knowledge, case):
    name, content, fragment = BAD_FILES[case]
    path = knowledge / name
    path.write_bytes(content if content is not None else encrypted_pdf(["secreto"]))
    docs, problems = _docs(settings)
    assert [p.file for p in problems] == [f"knowledge/{name}"]
    assert fragment in problems[0].message
    assert problems[0].level == "error"
    assert len(docs) == 3  # every other file still loads


def test_wrong_encoding_is_read_with_a_warning(settings, knowledge):
    (knowledge / "guias" / "latin1.txt").write_bytes("Información sobre la difusión en campaña".encode("cp1252"))
    docs, problems = _docs(settings)
    assert "Información" in docs["knowledge/guias/latin1.txt"].text
    assert [(p.file, p.level) for p in problems] == [("knowledge/guias/latin1.txt", "warning")]
    assert "UTF-8" in problems[0].message


def test_file_over_the_size_limit_is_skipped(tmp_path, knowledge):
    settings = make_settings(tmp_path, knowledge, max_file_mb=1)
    with (knowledge / "guias" / "enorme.txt").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # a sparse 50 MB file
    docs, problems = _docs(settings)
    assert [p.file for p in problems] == ["knowledge/guias/enorme.txt"]
    assert "50.0 MB" in problems[0].message
    assert "BOT_MAX_FILE_MB" in problems[0].message
    assert len(docs) == 3


def test_symlink_loop_and_broken_link_are_reported(settings, knowledge):
    os.symlink(knowledge, knowledge / "guias" / "bucle")
    os.symlink(knowledge / "no-existe.md", knowledge / "guias" / "roto.md")
    docs, problems = _docs(settings)
    assert len(docs) == 3
    assert {p.file for p in problems} == {"knowledge/guias/bucle", "knowledge/guias/roto.md"}
    assert any("bucle" in p.message for p in problems)


def test_unsupported_extension_is_a_warning(settings, knowledge):
    (knowledge / "guias" / "foto.png").write_bytes(b"\x89PNG")
    _, problems = _docs(settings)
    assert [(p.file, p.level) for p in problems] == [("knowledge/guias/foto.png", "warning")]


def test_check_reports_rule_problems(settings, knowledge):
    guide = knowledge / "guias" / "guia.md"
    text = guide.read_text(encoding="utf-8")
    text = text.replace("**Veredicto:** permitido", "**Veredicto:** quizás", 1)
    text = text.replace("BOE-A-2099-90001 art. 4", "el artículo cuarto", 1)
    text = text.replace("**Se aplica si:** confidencial;", "**Se aplica si:** secreto de estado;", 1)
    text = text.replace("- **Se aplica si:** regalo y empresa relacionada\n", "", 1)
    guide.write_text(text, encoding="utf-8")
    messages = [str(p) for p in check(settings)]
    assert any("Regla 1" in m and "veredicto desconocido 'quizás'" in m for m in messages)
    assert any("Regla 2" in m and "base legal 'el artículo cuarto'" in m for m in messages)
    assert any("Regla 3" in m and "señal desconocida 'secreto de estado'" in m for m in messages)
    assert any("Regla 5" in m and "falta la línea «Se aplica si:»" in m for m in messages)
    assert all(m.startswith("knowledge/guias/guia.md") for m in messages)


def test_check_reports_broken_signals(settings, knowledge):
    (knowledge / "senales.yaml").write_text(
        "menor:\n  nombre: menor\n  clase: peligro\n  frases: {es: [niño]}\n", encoding="utf-8"
    )
    messages = [str(p) for p in check(settings)]
    assert any(m.startswith("knowledge/senales.yaml") and "clase" in m for m in messages)
    # The rules naming signals the broken file no longer defines are reported too.
    assert any("señal desconocida" in m for m in messages)


def test_check_reports_a_broken_glossary(settings, knowledge):
    (knowledge / "glosario.yaml").write_text("coloquial: [sin cerrar\n", encoding="utf-8")
    problems = check(settings)
    assert [p.file for p in problems] == ["knowledge/glosario.yaml"]
    assert "YAML" in problems[0].message


def test_documentation_files_are_not_sources(settings, knowledge: Path):
    (knowledge / "CHANGELOG.md").write_text("# Cambios\n", encoding="utf-8")
    (knowledge / "sources.toml").write_text("", encoding="utf-8")
    docs, problems = _docs(settings)
    assert len(docs) == 3
    assert problems == []


def test_deeply_nested_html_is_a_problem_naming_the_file(tmp_path):
    from bot.documents import load_file
    from bot.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path / "data", knowledge_dir=tmp_path)  # type: ignore[call-arg]
    page = tmp_path / "anidado.html"
    page.write_text("<div>" * 60_000 + "hola" + "</div>" * 60_000, encoding="utf-8")
    doc, problems = load_file(page, display="knowledge/anidado.html", root=tmp_path, settings=settings)
    assert doc is None
    assert problems and problems[0].file == "knowledge/anidado.html"
