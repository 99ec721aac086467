"""bot.doctext: the text of PDF and Word files, and why there is none (shared by the knowledge
loader and the adapters' attachments, which word the reason for their readers)."""

from __future__ import annotations

import io

import pytest

from bot import DocumentError, DocumentReason, docx_paragraphs, pdf_pages
from tests.helpers.files import docx_bytes, encrypted_pdf, minimal_pdf


def test_pdf_pages_gives_each_page_text() -> None:
    assert pdf_pages(minimal_pdf(["Hola", "Adiós"])) == ["Hola\nAdiós"]


def test_pdf_pages_stops_at_max_pages() -> None:
    assert pdf_pages(minimal_pdf(["Una"]), max_pages=1) == ["Una"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (encrypted_pdf(["secreto"]), DocumentReason.PASSWORD),
        (minimal_pdf([]), DocumentReason.EMPTY),
        (b"%PDF-1.4\nbasura", DocumentReason.DAMAGED),
        (b"no es un pdf", DocumentReason.DAMAGED),
    ],
    ids=["password", "no text", "broken", "not a pdf"],
)
def test_pdf_without_text_says_why(data: bytes, reason: DocumentReason) -> None:
    with pytest.raises(DocumentError) as caught:
        pdf_pages(data)
    assert caught.value.reason is reason


def test_docx_paragraphs_keep_heading_levels_and_optionally_tables() -> None:
    import docx

    document = docx.Document()
    document.add_heading("Manual", level=1)
    document.add_paragraph("Primer párrafo.")
    document.add_paragraph("   ")  # empty: left out
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Red", "Regla"
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()

    assert [(p.text, p.level) for p in docx_paragraphs(data)] == [("Manual", 1), ("Primer párrafo.", 0)]
    assert docx_paragraphs(data, tables=True)[-1].text == "Red | Regla"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(docx_bytes("", []), DocumentReason.EMPTY), (b"PK\x03\x04 roto", DocumentReason.DAMAGED)],
    ids=["empty", "broken"],
)
def test_docx_without_text_says_why(data: bytes, reason: DocumentReason) -> None:
    with pytest.raises(DocumentError) as caught:
        docx_paragraphs(data)
    assert caught.value.reason is reason
