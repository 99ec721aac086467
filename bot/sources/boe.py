"""The BOE open-data API for consolidated legislation: requests and parsing.

``GET {base}/legislacion-consolidada/id/{id}/metadatos`` (JSON) gives the title, the
consolidated version date (``fecha_actualizacion``) and the HTML URL used for anchors;
``GET .../texto`` (XML) gives ``<bloque>`` elements, each with one or more ``<version>``.
We keep, per block, the version in force today (by its dates, not by its position), skip
editorial notes, and keep each block's id so citations link to ``url#<block id>``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from bot.documents import LawBlock, iso_date
from bot.errors import UnavailableError

NOTE_CLASSES = re.compile(r"^(nota|cita|firma|pie|nota_pie|nota_pie_2|notas)", re.IGNORECASE)


class BOEFormatError(UnavailableError, ValueError):
    """The API answered something that is not what its format promises."""


@dataclass(frozen=True)
class LawMeta:
    """The metadata of one consolidated law."""

    source_id: str
    title: str
    updated: str  # fecha_actualizacion, YYYYMMDD as the API writes it
    url: str | None
    repealed: bool = False

    @property
    def version(self) -> str:
        """``20250730`` → ``2025-07-30``."""
        return iso_date(self.updated)


def parse_metadata(raw: bytes, expected_id: str) -> LawMeta:
    """Parse ``/metadatos``; raises :class:`BOEFormatError` with what was wrong."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BOEFormatError(f"los metadatos no son JSON válido ({exc})") from None
    try:
        status = data.get("status", {})
        if str(status.get("code", "200")) != "200":
            raise BOEFormatError(f"la API responde con estado {status.get('code')}: {status.get('text')}")
        record: dict[str, Any] = data["data"][0] if isinstance(data["data"], list) else data["data"]
        source_id = record["identificador"]
        updated = str(record["fecha_actualizacion"])
        title = record["titulo"]
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise BOEFormatError(f"a los metadatos les falta el campo {exc}") from None
    if source_id != expected_id:
        raise BOEFormatError(f"los metadatos son de {source_id}, no de {expected_id}")
    return LawMeta(
        source_id=source_id,
        title=title,
        updated=updated,
        url=record.get("url_html_consolidada") or record.get("url_eli"),
        repealed=record.get("estatus_derogacion") == "S",
    )


def parse_text(raw: bytes, *, today: dt.date | None = None, expected_id: str | None = None) -> list[LawBlock]:
    """Parse ``/texto`` into blocks, keeping the version in force on ``today``.

    ``expected_id``: the law asked for. Each version names the law that wrote it
    (``id_norma``); a text none of whose versions is by ``expected_id`` is another law's.
    """
    try:
        # The BOE's API or its local mirror. ElementTree never fetches external entities and
        # expat (>= 2.4.1, bundled with Python 3.11) caps entity expansion, the attacks
        # defusedxml guards against.
        root = ET.fromstring(raw)  # noqa: S314
    except ET.ParseError as exc:
        raise BOEFormatError(f"el texto no es XML válido ({exc})") from None
    texto = root.find(".//texto")
    if texto is None:
        code = root.findtext(".//status/code")
        if code and code != "200":
            raise BOEFormatError(f"la API responde con estado {code}: {root.findtext('.//status/text')}")
        raise BOEFormatError("el XML no contiene el elemento <texto>")
    if expected_id is not None:
        authors = Counter(v.get("id_norma") for v in texto.iter("version") if v.get("id_norma"))
        if authors and expected_id not in authors:
            other = authors.most_common(1)[0][0]
            raise BOEFormatError(f"el texto es de {other}, no de {expected_id}")
    cutoff = (today or dt.date.today()).strftime("%Y%m%d")
    blocks = []
    for bloque in texto.findall("bloque"):
        version = _version_in_force(bloque.findall("version"), cutoff)
        if version is None:
            continue
        paragraphs = _paragraphs(version)
        blocks.append(
            LawBlock(
                id=bloque.get("id", ""),
                kind=bloque.get("tipo", ""),
                title=(bloque.get("titulo") or "").strip(),
                paragraphs=paragraphs,
                version_date=version.get("fecha_vigencia") or version.get("fecha_publicacion"),
            )
        )
    if not any(b.kind == "precepto" for b in blocks):
        raise BOEFormatError("el texto no contiene ningún artículo (bloques «precepto»)")
    return blocks


def _version_in_force(versions: list[ET.Element], cutoff: str) -> ET.Element | None:
    """The latest version whose ``fecha_vigencia`` is not in the future (a version without a
    date counts as in force since publication)."""
    dated = []
    for position, version in enumerate(versions):
        date = version.get("fecha_vigencia") or version.get("fecha_publicacion") or ""
        if date <= cutoff:
            dated.append((date, position, version))
    if not dated:
        return None
    return max(dated, key=lambda item: (item[0], item[1]))[2]


def _paragraphs(version: ET.Element) -> list[str]:
    out: list[str] = []
    for element in version:
        if element.tag == "blockquote":  # editorial notes ("Se modifica por...")
            continue
        cls = element.get("class", "")
        if element.tag == "p":
            if NOTE_CLASSES.match(cls):
                continue
            text = _text(element)
            if text:
                out.append(text)
        elif element.tag == "table":
            out.extend(_table(element))
    return out


def _table(table: ET.Element) -> list[str]:
    rows = []
    for tr in table.iter("tr"):
        cells = [_text(cell) for cell in tr if cell.tag in {"td", "th"}]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _text(element: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def law_record(meta: LawMeta, blocks: list[LawBlock]) -> dict[str, Any]:
    """The JSON stored under ``BOT_DATA_DIR/sources/boe/<ID>.json`` (read by the indexer)."""
    return {
        "source_id": meta.source_id,
        "title": meta.title,
        "url": meta.url,
        "version": meta.version,
        "updated": meta.updated,
        "blocks": [dataclasses.asdict(b) for b in blocks],
    }
