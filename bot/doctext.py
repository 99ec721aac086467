"""Text out of PDF and Word (``.docx``) files, for the knowledge loader (:mod:`bot.documents`)
and for the documents people send to the chat adapters.

Both readers take the file's bytes and raise :class:`DocumentError`, whose ``reason`` says why
there is no text; each caller words the message for its own reader (a policy owner, a chat
user). Nothing is written to disk.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from enum import Enum

from bot.errors import InputError

__all__ = ["DocumentError", "DocumentReason", "Paragraph", "docx_paragraphs", "pdf_pages"]


class DocumentReason(Enum):
    """Why a document gives no text."""

    PASSWORD = "password"  # noqa: S105 - encrypted, and not with an empty password
    ENCRYPTION = "encryption"  # encrypted with a method pypdf cannot open
    DAMAGED = "damaged"  # not a PDF / .docx, or broken
    EMPTY = "empty"  # readable, but no text in it (a scanned PDF, an empty document)


class DocumentError(InputError):
    """A PDF or Word document without text to read; ``reason`` says why, ``detail`` the parser's words."""

    def __init__(self, reason: DocumentReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Paragraph:
    """A non-empty paragraph of a Word document; ``level`` is its heading level (0: body text)."""

    text: str
    level: int = 0


def pdf_pages(data: bytes, *, max_pages: int | None = None) -> list[str]:
    """The text of each page (of the first ``max_pages``), stripped; at least one is not empty."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an empty user password: only the permissions restricted
            except NotImplementedError:
                raise DocumentError(DocumentReason.ENCRYPTION) from None
            except (ValueError, KeyError, TypeError):
                raise DocumentError(DocumentReason.PASSWORD) from None
            if not opened:
                raise DocumentError(DocumentReason.PASSWORD)
        pages = reader.pages if max_pages is None else reader.pages[:max_pages]
        texts = [(page.extract_text() or "").strip() for page in pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise DocumentError(DocumentReason.DAMAGED, str(exc)) from None
    if not any(texts):
        raise DocumentError(DocumentReason.EMPTY)
    return texts


_HEADING = re.compile(r"(?:Heading|Título|Titulo)\s*(\d)")


def docx_paragraphs(data: bytes, *, tables: bool = False) -> list[Paragraph]:
    """The non-empty paragraphs of a Word document with their heading levels, then (with
    ``tables``) each table row as a paragraph of its cells joined by « | »."""
    import docx
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
        out = []
        for para in document.paragraphs:
            text = para.text.strip()
            if text:
                style = (para.style.name if para.style is not None else "") or ""
                level = _HEADING.match(style)
                out.append(Paragraph(text, int(level.group(1)) if level else 0))
        if tables:
            for table in document.tables:
                for row in table.rows:
                    line = " | ".join(cell.text.strip() for cell in row.cells)
                    if line.strip(" |"):
                        out.append(Paragraph(line))
    except (OpcError, PythonDocxError, KeyError, ValueError, OSError, zipfile.BadZipFile, LxmlError) as exc:
        raise DocumentError(DocumentReason.DAMAGED, str(exc)) from None
    if not out:
        raise DocumentError(DocumentReason.EMPTY)
    return out
