"""Photos and files that come with a question (:mod:`adapters.attachments`): which ones are
read, how, with which notices, through :class:`~adapters.answering.Answering` with a fetch
standing in for the platform; and, end to end through both adapters with the production
logging at DEBUG, that neither a photo's text nor a file's name or URL is logged or stored,
and that no file is written."""

from __future__ import annotations

import io
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.answering import Answering, Incoming, Outcome
from adapters.attachments import (
    MAX_FILES,
    Attachment,
    AttachmentError,
    Kind,
    classify,
    docx_text,
    load,
    pdf_text,
    skipped_note,
    sniff,
    too_big_text,
)
from adapters.telegram import build_application
from bot import logs
from bot.feedback import FeedbackStore
from bot.idempotency import IdempotencyStore
from bot.settings import Settings
from fakes.slack_api import FakeSlackAPI
from fakes.telegram_api import FakeTelegramAPI
from tests.helpers.files import docx_bytes, encrypted_pdf, minimal_pdf
from tests.helpers.images import drawn, landscape
from tests.test_slack_adapter import OCR_WAIT, SIGNING_SECRET, SLACK_TOKEN, _dm, _run_bot
from tests.test_telegram_adapter import adapter_settings, polling

PNG = drawn("hola", size=(200, 80))
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("mimetype", "name", "kind"),
    [
        ("image/jpeg", "IMG_1.JPG", Kind.IMAGE),
        ("image/png; charset=binary", None, Kind.IMAGE),
        ("application/octet-stream", "foto.webp", Kind.IMAGE),
        (None, "acta.PDF", Kind.PDF),
        ("application/pdf", "sin-extension", Kind.PDF),
        (DOCX_TYPE, "informe.docx", Kind.DOCX),
        ("application/msword", "antiguo.doc", Kind.OTHER),
        ("image/heic", "foto.heic", Kind.OTHER),  # Pillow cannot open it
        ("video/mp4", "pleno.mp4", Kind.OTHER),
        ("application/zip", "fotos.jpg", Kind.OTHER),  # a precise type wins over the name
        (None, None, Kind.OTHER),
    ],
)
def test_classify_by_reported_type_then_name(mimetype: str | None, name: str | None, kind: Kind) -> None:
    assert classify(mimetype, name) is kind


def test_sniff_decides_by_content() -> None:
    assert sniff(PNG) is Kind.IMAGE
    assert sniff(landscape()) is Kind.IMAGE
    assert sniff(minimal_pdf(["hola"])) is Kind.PDF
    assert sniff(docx_bytes("T", ["p"])) is Kind.DOCX
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("fotos/a.txt", "x")
    assert sniff(zipped.getvalue()) is Kind.OTHER
    assert sniff(b"PK\x03\x04roto") is Kind.OTHER
    assert sniff(b"\x00\x00\x00\x18ftypmp42") is Kind.OTHER
    assert sniff(b"") is Kind.OTHER


# ----------------------------------------------------------------- reading


class Files:
    """A fetch over files kept in a dict (ref → bytes), recording what it was asked for."""

    def __init__(self, **files: bytes) -> None:
        self.files = files
        self.fetched: list[str] = []

    def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        self.fetched.append(attachment.ref)
        return self.files[attachment.ref]


def test_load_reads_photos_and_documents_in_memory() -> None:
    files = Files(photo=PNG, pdf=minimal_pdf(["Acta", "DNI 12345678Z"]), word=docx_bytes("Informe", ["Uso interno"]))
    attachments = [
        Attachment(Kind.IMAGE, "photo"),
        Attachment(Kind.OTHER, "video"),  # never fetched
        Attachment(Kind.PDF, "pdf"),
        Attachment(Kind.UNKNOWN, "word"),  # the platform did not say: fetched, then sniffed
    ]
    contents = load(attachments, files.fetch, 1_000_000)
    assert files.fetched == ["photo", "pdf", "word"]
    assert contents.images == (PNG,)
    assert contents.text == "Acta\nDNI 12345678Z\n\nInforme\nUso interno"
    assert "Acta" not in repr(contents) and "photo" not in repr(attachments[0])  # nothing in a repr to leak


def test_load_limits_size_count_and_kind() -> None:
    files = Files(photo=PNG, fake=b"PK\x03\x04 no es un docx")
    with pytest.raises(AttachmentError, match="pesa 2 MB y solo reviso archivos de hasta 1 MB"):
        load([Attachment(Kind.IMAGE, "photo", size=2 * 1024 * 1024)], files.fetch, 1024 * 1024)
    assert files.fetched == []  # known to be too big: not downloaded
    with pytest.raises(AttachmentError, match="pesa 1 KB y solo reviso archivos de hasta 1 KB"):
        load([Attachment(Kind.IMAGE, "photo")], files.fetch, 1024)  # found out on download
    with pytest.raises(AttachmentError, match="No puedo revisar ese archivo"):
        load([Attachment(Kind.DOCX, "fake")], files.fetch, 1_000_000)
    many = Files(**{f"p{i}": PNG for i in range(MAX_FILES + 2)})
    attachments = [Attachment(Kind.IMAGE, f"p{i}") for i in range(MAX_FILES + 2)]
    assert len(load(attachments, many.fetch, 1_000_000).images) == MAX_FILES
    assert skipped_note(attachments) == (
        f"📎 He revisado solo los {MAX_FILES} primeros archivos: envíame los demás en otro mensaje."
    )
    assert skipped_note([Attachment(Kind.IMAGE, "p0")]) is None
    assert "15,5 MB" in too_big_text(int(15.5 * 2**20), 10 * 2**20) and "hasta 10 MB" in too_big_text(None, 10 * 2**20)


def test_documents_that_cannot_be_read_say_why() -> None:
    with pytest.raises(AttachmentError, match="protegido con contraseña"):
        pdf_text(encrypted_pdf(["secreto"]))
    with pytest.raises(AttachmentError, match="no tiene texto que pueda leer"):
        pdf_text(minimal_pdf([]))
    with pytest.raises(AttachmentError, match="dañado o incompleto"):
        pdf_text(b"%PDF-1.4\nbasura")
    with pytest.raises(AttachmentError, match=r"dañado o no es un \.docx"):
        docx_text(b"PK\x03\x04 roto")
    with pytest.raises(AttachmentError, match="está vacío"):
        docx_text(docx_bytes("", []))


# ----------------------------------------------------------- answering layer


@pytest.fixture
def answering(service: Any, tmp_path: Path) -> Answering:
    return Answering(
        "telegram",
        service,
        FeedbackStore(tmp_path / "feedback.sqlite3", salt="sal"),
        IdempotencyStore(tmp_path / "idem.sqlite3"),
        contact_unit="comunicacion@ejemplo.es",
        user_limit_per_minute=10,
        max_pending=5,
        max_attachment_bytes=200_000,
    )


def _incoming(question: str, *files: Attachment) -> Incoming:
    return Incoming(platform="telegram", kind="private", user_id="1", question=question, files=files)


def test_a_document_becomes_the_draft_and_other_files_a_note(answering: Answering) -> None:
    files = Files(pdf=minimal_pdf(["Vecino: Juan Perez, DNI 12345678Z"]))
    incoming = _incoming("", Attachment(Kind.PDF, "pdf"), Attachment(Kind.OTHER, "audio"))
    assert answering.admit(incoming) is None  # something to read: admitted
    reply = answering.answer(incoming, files.fetch)
    answering.finish(incoming, delivered=True)
    assert reply.outcome is Outcome.ANSWERED and reply.answer is not None
    assert (
        reply.answer.question == "¿Puedo publicar esto?" and reply.answer.draft == "Vecino: Juan Perez, DNI 12345678Z"
    )
    assert reply.note is not None and reply.note.startswith("📎 No he revisado lo que no es una foto")


def test_file_problems_become_notices(answering: Answering) -> None:
    def failing(attachment: Attachment, max_bytes: int) -> bytes:
        raise AttachmentError("📎 No he podido descargar el archivo")

    reply = answering.answer(_incoming("¿Puedo?", Attachment(Kind.IMAGE, "x")), failing)
    assert (reply.outcome, reply.notice) == (Outcome.USER_ERROR, "📎 No he podido descargar el archivo")
    big = answering.answer(_incoming("", Attachment(Kind.IMAGE, "x", size=300_000)), failing)
    assert big.notice is not None and "solo reviso archivos de hasta 195 KB" in big.notice
    broken = answering.answer(_incoming("", Attachment(Kind.IMAGE, "x")), Files(x=PNG[:60]).fetch)
    assert broken.outcome is Outcome.USER_ERROR and broken.notice is not None
    assert broken.notice.startswith("No puedo leer la imagen")  # the core's QuestionError
    labels = {"platform": "telegram", "reason": "attachment"}
    assert answering.metrics.registry.get_sample_value("puedo_answer_failures_total", labels) == 2
    with pytest.raises(ValueError, match="fetch"):
        answering.answer(_incoming("", Attachment(Kind.IMAGE, "x")))


# ---------------------------------------------------------------- privacy

#: What the photo says (as OCR reads it, spaces or not), and the file's name.
SECRET_LINES = ("Maria Lopez Ruiz", "DNI 87654321X")
SECRET_WORDS = ("Maria", "Lopez", "87654321")
FILE_NAME = "vecina-Ramirez-padron.png"


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[io.StringIO]:
    """The production logging at DEBUG into a buffer (chat libraries at DEBUG too), and a private
    temporary directory for anything that would use one."""
    buffer = io.StringIO()
    root = logging.getLogger()
    level = root.level
    logs.setup_logging(verbose=True, stream=buffer, secrets=[SLACK_TOKEN, SIGNING_SECRET])
    for name in logs.CHAT_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield buffer
    for handler in [h for h in root.handlers if getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(handler)
    root.setLevel(level)
    assert not any(scratch.iterdir()), "a temporary file was written"


def _files_under(*roots: Path) -> set[Path]:
    return {p for root in roots for p in root.rglob("*") if p.is_file() and p.parent.name != "tmp"}


def _assert_private(text: str, stores: list[Path], *extra: str) -> None:
    assert text, "nothing was logged: the test would prove nothing"
    for secret in (*SECRET_WORDS, FILE_NAME, "Ramirez", *extra):
        assert secret not in text, f"{secret!r} was logged"
    for store in stores:
        data = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
        for secret in (*SECRET_WORDS, FILE_NAME):
            assert secret.encode() not in data, f"{secret!r} is in {store.name}"


def test_slack_photo_leaves_nothing_behind(
    written: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    service: Any,
    indexed_settings: Settings,
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as slack:
        for bot in _run_bot(slack, indexed_settings, service, tmp_path / "slack"):
            before = _files_under(indexed_settings.data_dir, tmp_path)
            photo = slack.add_file(drawn(*SECRET_LINES), name=FILE_NAME, mimetype="image/png")
            assert bot.event(_dm("", subtype="file_share", files=[photo])).status_code == 200
            [post] = slack.wait_for("chat.postMessage", timeout=OCR_WAIT)
            assert "87654321" in post.params["text"].replace(" ", "")  # it was read, and answered
            bot.settle()
            new = _files_under(indexed_settings.data_dir, tmp_path) - before
            assert {p.name.split(".")[0] for p in new} <= {"feedback", "idempotency"}, new
    url = photo["url_private"]
    _assert_private(written.getvalue(), [tmp_path / "slack" / "feedback.sqlite3"], url, url.split("/", 3)[3])
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("adapters", "bot"))]
    _assert_private("\n".join(ours) or "-", [], url)


@pytest.mark.asyncio
async def test_telegram_photo_leaves_nothing_behind(
    written: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    service: Any,
    indexed_settings: Settings,
) -> None:
    caplog.set_level(logging.DEBUG)
    feedback_db = tmp_path / "feedback" / "votes.sqlite3"
    with FakeTelegramAPI() as tg:
        logs.add_secrets([tg.token])
        application = build_application(
            adapter_settings(tmp_path, tg), service, feedback=FeedbackStore(feedback_db, salt="sal")
        )
        async with polling(application):
            before = _files_under(indexed_settings.data_dir, tmp_path)
            update = tg.document_update(drawn(*SECRET_LINES), file_name=FILE_NAME, mime_type="image/png")
            tg.push_update(update)
            [call] = await tg.wait_for_async("sendMessage", timeout=OCR_WAIT)
            assert "87654321" in call.params["text"].replace(" ", "")
            new = _files_under(indexed_settings.data_dir, tmp_path) - before
        [get_file] = tg.calls_to("getFile")
    assert {p.name.split(".")[0] for p in new} <= {"votes", "idempotency"}, new
    file_id = update["message"]["document"]["file_id"]
    assert get_file.params["file_id"] == file_id
    _assert_private(written.getvalue(), [feedback_db], file_id, "documents/file_", tg.token)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("adapters", "bot"))]
    _assert_private("\n".join(ours) or "-", [], file_id)
