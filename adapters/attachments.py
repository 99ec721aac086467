"""Photos and files that come with a question: which the bot reads, and reading them.

The same for Slack and Telegram. An adapter describes what came with a message as
:class:`Attachment` values, from the event or update alone (nothing downloaded at
acknowledgement time); :meth:`adapters.answering.Answering.answer` then calls :func:`load` in
the worker, with the adapter's :data:`Fetch` (``adapters/slack/files.py``,
``adapters/telegram/files.py``), which downloads one file with the platform's API:

* a **photo** (JPEG, PNG, WebP, GIF, BMP, TIFF) goes to the core as an image
  (:meth:`bot.Service.ask`: its text is read and screened like a draft, its faces counted);
* the text of a **PDF** or a **Word document** (``.docx``) becomes the draft;
* anything else (video, audio, sticker, zip…) is not downloaded: alone it gets
  :func:`unsupported_text`, next to text it gets :func:`skipped_note`.

What a file *is* is decided by its first bytes (:func:`sniff`), not by the name or the type
the platform reports, which only decide whether it is worth downloading (:func:`classify`).
Every limit (:data:`MAX_FILES`, the size limit, :data:`MAX_PDF_PAGES`,
:data:`MAX_TEXT_CHARS`) bounds the work one message can cause.

Privacy: the bytes, and the text read from them, live in memory only; nothing here writes
a file or logs anything, and :class:`Attachment` keeps no name or URL (its ``ref`` is not
even in its ``repr``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import PurePosixPath

from bot import DocumentError, DocumentReason, InputError, docx_paragraphs, pdf_pages

__all__ = [
    "MAX_FILES",
    "Attachment",
    "AttachmentError",
    "Contents",
    "Fetch",
    "Kind",
    "classify",
    "docx_text",
    "download_failed_text",
    "load",
    "pdf_text",
    "skipped_note",
    "sniff",
    "too_big_text",
    "unsupported_text",
]

#: Files read from one message; more are left out (and the answer says so).
MAX_FILES = 5
#: Pages of a PDF read; a longer one is read up to here.
MAX_PDF_PAGES = 50
#: Characters of documents' text kept as the draft (the core reads less than this).
MAX_TEXT_CHARS = 50_000

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
#: Types that say nothing: the file name decides.
VAGUE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/binary"})

WHAT_I_READ = "fotos (JPEG, PNG, WebP, GIF, BMP o TIFF), PDF con texto y documentos de Word (.docx)"


class Kind(Enum):
    """What an attachment is, or seems to be."""

    IMAGE = "image"
    PDF = "pdf"
    DOCX = "docx"
    UNKNOWN = "unknown"  # the platform did not say (a Slack Connect file): download and look
    OTHER = "other"  # video, audio, sticker, zip…: never downloaded


@dataclass(frozen=True)
class Attachment:
    """A photo or file that came with a question, as the platform described it.

    ``ref`` is what the adapter's :data:`Fetch` downloads it by (a Slack file id, a Telegram
    ``file_id``); ``size`` is in bytes, if the platform said. Never logged.
    """

    kind: Kind
    ref: str = field(repr=False)
    size: int | None = None

    @property
    def readable(self) -> bool:
        """Worth downloading: a photo, a PDF, a Word document, or something the platform did not describe."""
        return self.kind is not Kind.OTHER


@dataclass(frozen=True)
class Contents:
    """What was read from a message's files: photos for the core, and documents' text."""

    images: tuple[bytes, ...] = field(default=(), repr=False)
    text: str | None = field(default=None, repr=False)


class AttachmentError(InputError):
    """A file that cannot be used; the message is the notice for the user, in Spanish."""


#: Downloads one attachment, at most ``max_bytes`` of it (the second argument); raises
#: :class:`AttachmentError` with the notice to show when it cannot.
Fetch = Callable[[Attachment, int], bytes]


# ----------------------------------------------------------------------- notices


def unsupported_text() -> str:
    """The reply to a message whose only attachments the bot cannot read."""
    return (
        f"📎 No puedo revisar ese archivo: leo {WHAT_I_READ}, pero no vídeos, audios, stickers, archivos "
        "comprimidos ni otros formatos. Envíame una foto o el texto que quieres publicar (o describe lo que se "
        "ve: quién sale, dónde, qué se ve) y te digo si puedes publicarlo."
    )


def skipped_note(files: Sequence[Attachment]) -> str | None:
    """A line for an answer that left some of ``files`` out (unreadable, or too many), or None."""
    readable = sum(1 for f in files if f.readable)
    notes = []
    if readable < len(files):
        notes.append(f"📎 No he revisado lo que no es una foto, un PDF o un Word: solo leo {WHAT_I_READ}.")
    if readable > MAX_FILES:
        notes.append(f"📎 He revisado solo los {MAX_FILES} primeros archivos: envíame los demás en otro mensaje.")
    return " ".join(notes) or None


def too_big_text(size: int | None, limit: int) -> str:
    """The reply to a file over the size limit (``size`` None: it is bigger than ``limit``)."""
    weight = f"pesa {_size(size)}" if size is not None else f"pesa más de {_size(limit)}"
    return (
        f"📎 Ese archivo {weight} y solo reviso archivos de hasta {_size(limit)}. Envíame una foto más ligera "
        "o una captura de lo que quieres publicar, o copia el texto."
    )


def download_failed_text() -> str:
    return (
        "📎 No he podido descargar el archivo que me has enviado. Vuelve a enviármelo en un momento; si se "
        "repite, copia el texto que quieres publicar."
    )


def _size(count: int) -> str:
    """``10485760`` → «10 MB», ``1572864`` → «1,5 MB», ``2048`` → «2 KB»."""
    if count >= 1024 * 1024:
        return f"{count / 2**20:.1f}".replace(".", ",").removesuffix(",0") + " MB"
    return f"{max(count // 1024, 1)} KB"


# ----------------------------------------------------------------------- kinds


def classify(mimetype: str | None, name: str | None) -> Kind:
    """What a file seems to be from its reported type and name (whether to download it)."""
    mime = (mimetype or "").split(";", 1)[0].strip().lower()
    suffix = PurePosixPath(name or "").suffix.lower()
    vague = mime in VAGUE_TYPES
    if mime in IMAGE_TYPES or (vague and suffix in IMAGE_SUFFIXES):
        return Kind.IMAGE
    if mime == "application/pdf" or (vague and suffix == ".pdf"):
        return Kind.PDF
    if mime == DOCX_TYPE or (vague and suffix == ".docx"):
        return Kind.DOCX
    return Kind.OTHER


def sniff(data: bytes) -> Kind:
    """What a file is, from its first bytes: an image Pillow reads, a PDF, a ``.docx``, or other."""
    head = data[:16]
    if head.startswith(
        (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
    ) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return Kind.IMAGE
    if b"%PDF-" in data[:1024]:
        return Kind.PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return Kind.DOCX if "word/document.xml" in archive.namelist() else Kind.OTHER
        except (zipfile.BadZipFile, OSError, ValueError):
            return Kind.OTHER
    return Kind.OTHER


# ----------------------------------------------------------------------- reading


def load(files: Sequence[Attachment], fetch: Fetch, max_bytes: int) -> Contents:
    """Download (with ``fetch``) and read the readable ``files`` (the first :data:`MAX_FILES`).

    Raises :class:`AttachmentError` with the notice for the user: a file over ``max_bytes``
    (checked before downloading when its size is known), one that cannot be downloaded, or
    one that turns out not to be a photo, a PDF or a Word document, or cannot be read.
    """
    wanted = [f for f in files if f.readable][:MAX_FILES]
    for attachment in wanted:
        if attachment.size is not None and attachment.size > max_bytes:
            raise AttachmentError(too_big_text(attachment.size, max_bytes))
    images: list[bytes] = []
    texts: list[str] = []
    for attachment in wanted:
        data = fetch(attachment, max_bytes)
        if len(data) > max_bytes:
            raise AttachmentError(too_big_text(len(data), max_bytes))
        kind = sniff(data)
        if kind is Kind.IMAGE:
            images.append(data)
        elif kind is Kind.PDF:
            texts.append(pdf_text(data))
        elif kind is Kind.DOCX:
            texts.append(docx_text(data))
        else:
            raise AttachmentError(unsupported_text())
    text = "\n\n".join(texts)[:MAX_TEXT_CHARS]
    return Contents(tuple(images), text or None)


def pdf_text(data: bytes) -> str:
    """The text of a PDF (its first :data:`MAX_PDF_PAGES` pages); :class:`AttachmentError` if there is none."""
    try:
        pages = pdf_pages(data, max_pages=MAX_PDF_PAGES)
    except DocumentError as exc:
        if exc.reason in (DocumentReason.PASSWORD, DocumentReason.ENCRYPTION):
            raise AttachmentError(
                "📎 No puedo leer el PDF: está protegido con contraseña. Envíame una copia sin protección o copia "
                "el texto que quieres publicar."
            ) from None
        if exc.reason is DocumentReason.EMPTY:
            raise AttachmentError(
                "📎 Ese PDF no tiene texto que pueda leer (¿es un escaneado?). Envíamelo como foto o captura de "
                "pantalla, o copia el texto que quieres publicar."
            ) from None
        raise AttachmentError(
            "📎 No puedo leer el PDF: está dañado o incompleto. Vuelve a enviarlo o copia el texto que quieres "
            "publicar."
        ) from None
    return "\n\n".join(page for page in pages if page)


def docx_text(data: bytes) -> str:
    """The text of a Word document (paragraphs and tables); :class:`AttachmentError` if there is none."""
    try:
        paragraphs = docx_paragraphs(data, tables=True)
    except DocumentError as exc:
        if exc.reason is DocumentReason.EMPTY:
            raise AttachmentError("📎 Ese documento de Word está vacío: copia el texto que quieres publicar.") from None
        raise AttachmentError(
            "📎 No puedo leer el documento de Word: está dañado o no es un .docx. Guárdalo como .docx o PDF y "
            "vuelve a enviarlo, o copia el texto que quieres publicar."
        ) from None
    return "\n".join(p.text for p in paragraphs)
