"""Photos as drafts (:mod:`bot.vision`): the real OCR and face models on images the tests draw
with Pillow, and a real face (``skimage.data.astronaut()``, public domain, inside the
scikit-image wheel), through the real service and the CLI. Nothing of an image may reach disk."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.models import Verdict
from bot.service import QuestionError, Service
from bot.vision import MAX_IMAGE_BYTES, ImageError, read_image
from tests.helpers.images import astronaut, crowd, drawn

# ---------------------------------------------------------------------- reading


def test_text_is_read_with_its_numbers() -> None:
    reading = read_image(drawn("Juan Perez Garcia", "DNI 12345678Z", "Tel. 612 345 678"))
    squeezed = reading.text.replace(" ", "")
    assert "12345678Z" in squeezed and "612345678" in squeezed and "Juan" in reading.text
    assert reading.faces == () and "no he visto caras" in reading.describe()


def test_a_real_face_is_found_and_a_crowd_is_told_apart() -> None:
    one = read_image(astronaut())
    assert len(one.faces) == 1 and not one.crowd and not one.faces[0].small
    assert one.describe().endswith("aparece una cara")
    many = read_image(crowd())
    assert len(many.faces) == 4 and many.crowd
    assert "aparecen 4 caras pequeñas, de fondo" in many.describe()
    # boxes are in the original's pixels, although the detector saw it scaled down
    assert all(face.y >= 1100 for face in many.faces)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vacía"),
        (b"%PDF-1.7\n...", "no es una imagen"),
        (drawn("hola")[:60], "dañada o incompleta"),
        (b"\x00" * (MAX_IMAGE_BYTES + 1), "pesa"),
    ],
    ids=["empty", "pdf", "truncated", "too-big"],
)
def test_what_is_not_a_readable_image_is_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        read_image(data)


# ------------------------------------------------------------- verdicts from photos


def test_a_photo_with_a_dni_is_a_no_and_the_answer_says_what_it_read(service: Service) -> None:
    answer = service.ask("", images=[drawn("Juan Perez Garcia", "DNI 12345678Z")])
    assert answer.question == "¿Puedo publicar esto?"  # a bare photo asks the draft question
    assert answer.verdict is Verdict.NO_PERMITIDO and answer.rules == ["Regla 4"]
    assert "En la imagen: he leído «" in answer.summary and "12345678Z" in answer.summary.replace(" ", "")
    [seen] = answer.images
    assert seen.faces == 0 and "Juan" in seen.text
    assert {t.field for t in answer.triggers} == {"imagen"}


def test_an_internal_stamp_read_without_its_spaces_still_counts(service: Service) -> None:
    answer = service.ask("¿Puedo subir esto a X?", images=[drawn("USO INTERNO - NO DIFUNDIR", "Informe del servicio")])
    assert answer.verdict is Verdict.NO_PERMITIDO and answer.rules == ["Regla 3"]


def test_faces_are_people_in_the_picture(service: Service) -> None:
    attended = service.ask("¿Puedo subir esta foto de un vecino que atendí hoy?", images=[astronaut()])
    assert attended.verdict is Verdict.NO_PERMITIDO and "Regla 4" in attended.rules
    assert attended.images[0].faces == 1 and "aparece una cara" in attended.summary
    alone = service.ask("¿Puedo subir esta foto a Instagram?", images=[astronaut()])
    assert alone.verdict is not Verdict.PERMITIDO  # someone recognisable: at least check first
    assert "aparece una cara" in alone.summary


def test_a_harmless_landscape_is_not_a_no(service: Service) -> None:
    answer = service.ask("¿Puedo subir esta foto de mi excursión?", images=[drawn(size=(800, 600), kind="JPEG")])
    assert answer.verdict in (Verdict.PERMITIDO, Verdict.CON_CAUTELAS)
    assert answer.images[0].text == "" and answer.images[0].faces == 0
    assert "no he leído ningún texto; no he visto caras" in answer.summary


def test_an_unreadable_photo_is_a_question_error_naming_which(service: Service) -> None:
    with pytest.raises(QuestionError, match="No puedo leer la imagen 2: no es una imagen"):
        service.ask("¿Puedo?", images=[astronaut(), b"no soy una foto"])


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def env(monkeypatch, indexed_settings):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BOT_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(indexed_settings.knowledge_dir))
    monkeypatch.chdir(indexed_settings.data_dir.parent)


def test_cli_ask_with_images_and_jsonl(env: None, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "dni.png"
    photo.write_bytes(drawn("Juan Perez Garcia", "DNI 12345678Z"))
    assert main(["ask", "--json", "--image", str(photo)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "no_permitido" and data["images"][0]["faces"] == 0
    assert main(["ask", "--image", str(tmp_path / "no-existe.png"), "¿Puedo?"]) == 2
    assert "No se puede leer la imagen" in capsys.readouterr().err

    lines = [
        json.dumps({"id": 1, "question": "¿Puedo subir esto?", "images": [str(photo)]}),
        json.dumps({"id": 2, "question": "¿Y esto?", "images": "dni.png"}),
    ]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("\n".join(lines) + "\n").encode())))
    assert main(["ask", "--jsonl"]) == 1
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["verdict"] == "no_permitido" and "lista de rutas" in second["error"]


def test_no_image_or_its_text_is_written_anywhere(service: Service, indexed_settings, caplog) -> None:  # type: ignore[no-untyped-def]
    before = {p: p.stat().st_mtime_ns for p in indexed_settings.data_dir.rglob("*") if p.is_file()}
    service.ask("", images=[drawn("Maria Lopez Ruiz", "DNI 87654321X")])
    after = {p: p.stat().st_mtime_ns for p in indexed_settings.data_dir.rglob("*") if p.is_file()}
    assert after == before  # the data dir did not change at all
    assert "87654321" not in caplog.text and "Maria" not in caplog.text
