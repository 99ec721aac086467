"""What the bot sees in a photo someone is about to post: the text in it, and the faces.

Everything runs offline and in memory: the image bytes are decoded with Pillow, the text is
read with the OCR model that ships inside the ``rapidocr-onnxruntime`` wheel, and faces are
found with OpenCV's bundled Haar cascade (the 4.x line: 5.0 no longer has
``CascadeClassifier``). Nothing is written to disk. The models load once per process, on the
first photo. Install them with the ``[ocr]`` extra.

OCR drops accents and sometimes spaces («DNI12345678Z», «USOINTERNO»); the draft screening that
reads its text (:mod:`bot.draft`, :mod:`bot.signals`) is meant to tolerate that.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.errors import InputError, UnavailableError

__all__ = ["MAX_IMAGE_BYTES", "Face", "ImageError", "ImageReading", "OCRUnavailableError", "read_image"]

#: A photo larger than this is refused (phones send 2–6 MB).
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Decoded size limit (Pillow's own guard against decompression bombs is 179 Mpx).
MAX_PIXELS = 60_000_000
#: Longest side the OCR and the face detector see; bigger photos are scaled down first.
WORK_SIDE = 1600
#: A face covering less than this share of the photo is "small" (a crowd, the background).
SMALL_FACE_SHARE = 0.01
#: OCR lines below this confidence are dropped (mostly noise in photos of scenery).
MIN_TEXT_SCORE = 0.5

_lock = threading.Lock()


class ImageError(InputError):
    """The image cannot be read: not an image, an unsupported format, too big, damaged."""


class OCRUnavailableError(UnavailableError):
    """The OCR or face models are not installed (``pip install 'puedo-publicar[ocr]'``)."""


@dataclass(frozen=True)
class Face:
    """A face found in the photo: its box, in pixels of the original, and its share of the photo."""

    x: int
    y: int
    width: int
    height: int
    share: float

    @property
    def small(self) -> bool:
        """Under :data:`SMALL_FACE_SHARE` of the photo: someone in the background."""
        return self.share < SMALL_FACE_SHARE


@dataclass(frozen=True)
class ImageReading:
    """What was seen in one photo."""

    text: str
    faces: tuple[Face, ...]
    width: int
    height: int

    @property
    def crowd(self) -> bool:
        """Faces, all small: people in the background or a crowd, nobody as the subject."""
        return bool(self.faces) and all(f.small for f in self.faces)

    def describe(self, language: str = "es") -> str:
        """«He leído: "…"; aparecen 3 caras» — what the answer tells the person it saw, in
        ``language`` (``bot/locales/``)."""
        from bot.templates import templates

        t = templates(language)
        parts = []
        if self.text:
            shown = " ".join(self.text.split())
            shown = shown if len(shown) <= 160 else shown[:160].rsplit(" ", 1)[0] + "…"
            parts.append(t("image.read", text=shown))
        else:
            parts.append(t("image.no_text"))
        count = len(self.faces)
        if count == 0:
            parts.append(t("image.no_faces"))
        else:
            small = "small_" if self.crowd else ""
            parts.append(t(f"image.one_{small}face") if count == 1 else t(f"image.{small}faces", count=count))
        return "; ".join(parts)


def read_image(data: bytes) -> ImageReading:
    """Read the text and find the faces in an image (JPEG, PNG, WebP, GIF, BMP, TIFF).

    Raises :class:`ImageError` for something that is not a readable image, and
    :class:`OCRUnavailableError` if the ``[ocr]`` extra is not installed.
    """
    image = _decode(data)
    import numpy as np

    rgb = np.asarray(image)
    text = _ocr_text(rgb)
    faces = _faces(rgb, image.width, image.height, scale=image.info.get("puedo_scale", 1.0))
    return ImageReading(text=text, faces=faces, width=image.info["puedo_width"], height=image.info["puedo_height"])


def _decode(data: bytes) -> Any:
    if not data:
        raise ImageError("la imagen está vacía")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"la imagen pesa {len(data) / 1e6:.0f} MB; el máximo es {MAX_IMAGE_BYTES // 2**20} MB")
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise OCRUnavailableError(_MISSING) from None
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, width, height = probe.format, probe.width, probe.height
            if width * height > MAX_PIXELS:
                raise ImageError(f"la imagen es demasiado grande ({width}×{height} píxeles)")
            image = probe.convert("RGB")
    except UnidentifiedImageError:
        raise ImageError("no es una imagen que pueda leer (JPEG, PNG, WebP, GIF, BMP o TIFF)") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"la imagen está dañada o incompleta ({exc})") from None
    scale = 1.0
    if max(width, height) > WORK_SIDE:
        scale = WORK_SIDE / max(width, height)
        image = image.resize((round(width * scale), round(height * scale)))
    image.info.update(puedo_scale=scale, puedo_width=width, puedo_height=height, puedo_format=kind)
    return image


_MISSING = "para leer fotos hace falta el extra de OCR: pip install 'puedo-publicar[ocr]'"


@cache
def _ocr() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise OCRUnavailableError(_MISSING) from None
    return RapidOCR()


@cache
def _cascade() -> Any:
    try:
        import cv2
    except ImportError:
        raise OCRUnavailableError(_MISSING) from None
    if not hasattr(cv2, "CascadeClassifier"):
        raise OCRUnavailableError("OpenCV 5 no trae el detector de caras; instala opencv-python<5 (extra [ocr])")
    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")  # type: ignore[attr-defined]


def _ocr_text(rgb: Any) -> str:
    engine = _ocr()
    with _lock:  # onnxruntime sessions are thread-safe, but two OCR runs at once only contend for 2 cores
        result, _ = engine(rgb)
    lines = [str(line[1]) for line in result or [] if float(line[2]) >= MIN_TEXT_SCORE]
    return "\n".join(lines)


def _faces(rgb: Any, width: int, height: int, *, scale: float) -> tuple[Face, ...]:
    import cv2

    cascade = _cascade()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    side = max(24, min(width, height) // 40)
    found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=6, minSize=(side, side))
    area = float(width * height)
    faces = [
        Face(
            x=round(x / scale),
            y=round(y / scale),
            width=round(w / scale),
            height=round(h / scale),
            share=(w * h) / area,
        )
        for (x, y, w, h) in (found if len(found) else [])
    ]
    return tuple(sorted(faces, key=lambda f: -f.share))
