"""Photos for the tests, drawn with Pillow (and one real face, ``skimage.data.astronaut()``,
public domain, inside the scikit-image wheel). Each builder returns a file's bytes, in memory."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

__all__ = ["astronaut", "crowd", "drawn", "landscape", "screen", "three_faces"]


def _save(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def drawn(*lines: str, size: tuple[int, int] = (900, 320), kind: str = "PNG") -> bytes:
    """A white image with ``lines`` of black text, as a file's bytes."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    for number, line in enumerate(lines):
        draw.text((20, 20 + 60 * number), line, fill="black", font=font)
    return _save(image, kind)


@cache
def astronaut() -> bytes:
    from skimage import data

    return _save(Image.fromarray(data.astronaut()), "JPEG")


def _face() -> Image.Image:
    """The astronaut's face, cropped."""
    return Image.open(io.BytesIO(astronaut())).crop((140, 30, 310, 200))


@cache
def crowd() -> bytes:
    """The astronaut's face, small, four times on a big blank canvas: people in the background."""
    face = _face().resize((170, 170))
    canvas = Image.new("RGB", (2400, 1600), (90, 140, 90))
    for x in (200, 800, 1400, 2000):
        canvas.paste(face, (x, 1200))
    return _save(canvas, "JPEG")


@cache
def three_faces() -> bytes:
    """Three people side by side, each face a clear part of the photo (not a crowd)."""
    face = _face().resize((260, 260))
    canvas = Image.new("RGB", (900, 360), (200, 190, 170))
    for x in (20, 320, 620):
        canvas.paste(face, (x, 50))
    return _save(canvas, "JPEG")


@cache
def screen() -> bytes:
    """A photo of a computer screen: a window full of text with «EXPEDIENTE» and «USO INTERNO»."""
    lines = [
        "USO INTERNO - NO DIFUNDIR",
        "EXPEDIENTE 2024/001234",
        "Asunto: Reclamacion de la tasa de basuras",
        "Tramitador: Servicio de Gestion Tributaria",
        "Estado: pendiente de resolucion",
        "Observaciones: revisar el informe tecnico",
        "Fecha de entrada: 12/03/2024",
    ]
    canvas = Image.new("RGB", (1100, 620), (30, 30, 34))  # the monitor's frame
    window = Image.new("RGB", (1020, 540), "white")
    draw = ImageDraw.Draw(window)
    draw.rectangle((0, 0, 1020, 40), fill=(0, 90, 160))  # a title bar
    font = ImageFont.load_default(size=32)
    for number, line in enumerate(lines):
        draw.text((24, 64 + 64 * number), line, fill="black", font=font)
    canvas.paste(window, (40, 40))
    return _save(canvas, "JPEG")


@cache
def landscape() -> bytes:
    """A field under the sky: a blue gradient above green grass, no text, nobody."""
    width, height = 1024, 683
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    horizon = height * 3 // 5
    for y in range(horizon):
        shade = y / horizon
        draw.line((0, y, width, y), fill=(int(70 + 120 * shade), int(130 + 90 * shade), 235))
    for y in range(horizon, height):
        shade = (y - horizon) / (height - horizon)
        draw.line((0, y, width, y), fill=(int(60 - 30 * shade), int(150 - 50 * shade), int(50 - 20 * shade)))
    draw.ellipse((780, 60, 880, 160), fill=(255, 240, 180))  # the sun
    return _save(image, "JPEG")
