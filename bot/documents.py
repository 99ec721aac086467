"""Files of ``knowledge/`` and of the synced official sources → documents with metadata.

Every loader turns one file into a :class:`SourceDocument` or into :class:`Problem` messages
(in Spanish, naming the file). A broken file never stops the others from loading; the
indexer keeps what it had indexed for it before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import frontmatter
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.doctext import DocumentError, DocumentReason, docx_paragraphs, pdf_pages
from bot.errors import InputError
from bot.glossary import GLOSSARY_NAMES
from bot.models import SourceType
from bot.scope import SCOPE_FILE
from bot.settings import Settings
from bot.signals import SIGNALS_FILE

#: Bumped when chunking changes, so that unchanged files are re-chunked once.
CHUNKER_VERSION = "5"

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx", ".json"}  # .json: synced laws only
#: Files in ``knowledge/`` that are not sources: documentation and configuration.
NOT_SOURCES = {"readme.md", "changelog.md", "sources.toml", SCOPE_FILE, SIGNALS_FILE, *GLOSSARY_NAMES}

KNOWN_NETWORKS = {
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "tiktok",
    "youtube",
    "threads",
    "telegram",
    "bluesky",
    "whatsapp",
    "mastodon",
    "twitch",
    "pinterest",
    "snapchat",
    "reddit",
}
_FOLDER_TIPO = {"guias": "guia", "guia": "guia", "condiciones": "condiciones", "leyes": "ley"}
_FOLDER_TIPO |= {"ley": "ley", "boe": "ley", "terms": "condiciones"}


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file. ``error`` means the file was not (re)indexed."""

    file: str
    message: str
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def iso_date(date: str) -> str:
    """``20250730`` (the BOE's form) → ``2025-07-30``; other forms unchanged."""
    return f"{date[:4]}-{date[4:6]}-{date[6:8]}" if re.fullmatch(r"\d{8}", date) else date


@dataclass
class LawBlock:
    """One block of a consolidated law (an article, a disposición, a heading, the preamble)."""

    id: str
    kind: str
    title: str
    paragraphs: list[str]
    version_date: str | None = None


@dataclass
class SourceDocument:
    """A whole source, ready to be chunked."""

    file: str
    source_id: str
    tipo: SourceType
    title: str
    file_hash: str
    text: str = ""
    blocks: list[LawBlock] | None = None
    url: str | None = None
    version: str | None = None
    network: str | None = None
    responsable: str | None = None


@dataclass
class LoadResult:
    """What :func:`load_all` found: the documents, the problems, and the files that failed."""

    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed_files(self) -> set[str]:
        return {p.file for p in self.problems if p.level == "error"}


class FrontMatter(BaseModel):
    """The front-matter fields policy owners may write (see ``knowledge/README.md``)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    title: str | None = None
    tipo: SourceType | None = None
    red: str | None = None
    url: str | None = None
    fecha: str | None = None
    version: str | None = None
    responsable: str | None = None

    @field_validator("fecha", "version", "id", "title", "url", "red", "responsable", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        if isinstance(value, dt.date | int | float):
            return value.isoformat() if isinstance(value, dt.date) else str(value)
        return value


class FileError(InputError):
    """A file cannot be used; the message explains why, in Spanish."""


# --------------------------------------------------------------------------- discovery


def iter_source_files(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Every candidate file under ``root``, following symlinks safely.

    Yields ``(path, problem)``: ``problem`` is set for entries that cannot be walked (a
    symlink loop, a broken link), so the caller can report them.
    """
    seen: set[str] = set()

    def walk(directory: Path) -> Iterator[tuple[Path, str | None]]:
        real = os.path.realpath(directory)
        if real in seen:
            yield directory, "enlace simbólico en bucle: la carpeta ya se ha recorrido"
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield directory, f"no se puede leer la carpeta ({exc.strerror})"
            return
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError as exc:  # e.g. ELOOP on a link pointing at itself
                yield path, f"enlace simbólico no válido ({exc.strerror})"
                continue
            if is_dir:
                yield from walk(path)
            elif is_file:
                yield path, None
            elif entry.is_symlink():
                yield path, "enlace simbólico roto o en bucle"

    if root.is_dir():
        yield from walk(root)


def is_candidate(path: Path, root: Path) -> bool:
    """Whether ``path`` should be loaded as a source (documentation and config are not)."""
    if path.parent == root and path.name.lower() in NOT_SOURCES:
        return False
    return path.name.lower() not in {"readme.md", "changelog.md"}


# --------------------------------------------------------------------------- loading


def load_all(settings: Settings, *, only: set[str] | None = None) -> LoadResult:
    """Load ``knowledge/`` and the synced sources.

    ``only``: display paths to load; other files are listed by :func:`file_hashes` only.
    """
    result = LoadResult()
    for root, label in _roots(settings):
        for path, walk_problem in iter_source_files(root):
            display = _display(path, root, label)
            if walk_problem:
                result.problems.append(Problem(display, walk_problem))
                continue
            if not is_candidate(path, root) or (only is not None and display not in only):
                continue
            doc, problems = load_file(path, display=display, root=root, settings=settings)
            result.problems.extend(problems)
            if doc is not None:
                result.documents.append(doc)
    return result


def file_hashes(settings: Settings) -> tuple[dict[str, str], list[Problem]]:
    """Display path → content hash of every candidate file (cheap: no parsing)."""
    hashes: dict[str, str] = {}
    problems: list[Problem] = []
    for root, label in _roots(settings):
        for path, walk_problem in iter_source_files(root):
            display = _display(path, root, label)
            if walk_problem:
                problems.append(Problem(display, walk_problem))
            elif is_candidate(path, root) and path.suffix.lower() in SUPPORTED_SUFFIXES:
                try:
                    hashes[display] = _hash_file(path, settings)
                except OSError as exc:
                    problems.append(Problem(display, f"no se puede leer ({exc.strerror})"))
    return hashes, problems


def _roots(settings: Settings) -> list[tuple[Path, str]]:
    return [(settings.knowledge_dir, "knowledge"), (settings.sources_dir, "sources")]


def _display(path: Path, root: Path, label: str) -> str:
    return f"{label}/{path.relative_to(root).as_posix()}"


def _hash_file(path: Path, settings: Settings) -> str:
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
    return _finish_hash(digest, settings)


def _hash_bytes(data: bytes, settings: Settings) -> str:
    return _finish_hash(hashlib.sha256(data), settings)


def _finish_hash(digest: Any, settings: Settings) -> str:
    """What a file's chunks depend on: its bytes, the chunker and the configured unit."""
    digest.update(f"|{CHUNKER_VERSION}|{settings.contact_unit}".encode())
    return str(digest.hexdigest()[:32])


def load_file(
    path: Path, *, display: str, root: Path, settings: Settings
) -> tuple[SourceDocument | None, list[Problem]]:
    """Load one file; never raises for bad content (returns problems instead)."""
    problems: list[Problem] = []
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES or (suffix == ".json" and not display.startswith("sources/")):
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        return None, [
            Problem(
                display, f"tipo de fichero no admitido ({suffix or 'sin extensión'}); se admiten {supported}", "warning"
            )
        ]
    try:
        size = path.stat().st_size
        if size == 0:
            raise FileError("el fichero está vacío")
        # The limit is for what people edit; the official texts sync brings are as long as they are.
        if size > settings.max_file_mb * 1024 * 1024 and path.resolve().is_relative_to(
            settings.knowledge_dir.resolve()
        ):
            raise FileError(
                f"el fichero ocupa {size / 1048576:.1f} MB y el límite es {settings.max_file_mb:g} MB "
                "(BOT_MAX_FILE_MB); divídelo o redúcelo"
            )
        data = path.read_bytes()
        file_hash = _hash_bytes(data, settings)  # of the bytes loaded, even if the file changes meanwhile
        if suffix == ".json":
            return _load_law_json(data, display, file_hash), problems
        if suffix == ".pdf":
            meta: dict[str, Any] = {}
            body = _pdf_text(data)
        elif suffix == ".docx":
            meta = {}
            body = _docx_text(data)
        else:
            text = _decode(data, display, problems)
            if suffix in HTML_SUFFIXES:
                meta, body = {}, html_to_markdown(text)
            elif suffix in {".md", ".markdown"}:
                meta, body = _front_matter(text)
            else:
                meta, body = {}, text
        if not body.strip():
            raise FileError("no contiene texto")
    except FileError as exc:
        return None, [Problem(display, str(exc))]
    except OSError as exc:
        return None, [Problem(display, f"no se puede leer ({exc.strerror or exc})")]
    except RecursionError:
        return None, [Problem(display, "está anidado a demasiada profundidad para leerlo (¿HTML generado?)")]
    except Exception as exc:  # per-file guard: a parser's own bug names the file, never stops the indexing
        return None, [Problem(display, f"no se puede leer ({type(exc).__name__}: {exc})")]

    body = body.replace("{{unidad}}", settings.contact_unit)
    doc = _build_document(path, root, display, meta, body, file_hash, problems)
    return doc, problems


def _decode(data: bytes, display: str, problems: list[Problem]) -> str:
    if b"\x00" in data[:8192]:
        raise FileError("parece un fichero binario, no texto")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 200):
        raise FileError("la codificación no es UTF-8 ni Windows-1252; guárdalo como UTF-8")
    problems.append(Problem(display, "no está en UTF-8; se ha leído como Windows-1252: guárdalo como UTF-8", "warning"))
    return text


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (línea {mark.line + 1})" if mark is not None else ""
        raise FileError(
            f"la cabecera YAML (front matter) está mal formada{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    except (TypeError, ValueError) as exc:  # python-frontmatter: non-string keys, impossible dates...
        raise FileError(f"la cabecera YAML (front matter) no se puede leer: {exc}") from None
    if not isinstance(post.metadata, dict):
        raise FileError("la cabecera YAML (front matter) debe ser una lista de campos «campo: valor»")
    return dict(post.metadata), post.content


#: What a policy owner reads when a PDF or Word file gives no text.
_DOCUMENT_PROBLEMS = {
    DocumentReason.PASSWORD: "el PDF está cifrado con contraseña; guarda una copia sin protección",
    DocumentReason.ENCRYPTION: "el PDF está cifrado con un método no admitido; guarda una copia sin protección",
    DocumentReason.EMPTY: "no tiene texto extraíble (¿es un escaneado?); añade una versión con texto",
}


def _pdf_text(data: bytes) -> str:
    try:
        pages = pdf_pages(data)
    except DocumentError as exc:
        problem = _DOCUMENT_PROBLEMS.get(exc.reason) or f"el PDF está dañado o no se puede leer ({exc.detail})"
        raise FileError(problem) from None
    return "\n\n".join(f"## Página {i}\n\n{p}" for i, p in enumerate(pages, 1) if p)


def _docx_text(data: bytes) -> str:
    try:
        paragraphs = docx_paragraphs(data)
    except DocumentError as exc:
        if exc.reason is DocumentReason.EMPTY:
            raise FileError("no contiene texto") from None
        raise FileError(f"el documento Word está dañado o no es un .docx ({exc.detail})") from None
    return "\n\n".join(f"{'#' * p.level} {p.text}" if p.level else p.text for p in paragraphs)


def html_to_markdown(text: str) -> str:
    """Clean HTML (no scripts, navigation or forms) as Markdown with its headings kept."""
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form"]):
        tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.body or soup
    markdown = markdownify(str(main), heading_style="ATX", strip=["img", "a"])
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()


def _build_document(
    path: Path,
    root: Path,
    display: str,
    meta: dict[str, Any],
    body: str,
    file_hash: str,
    problems: list[Problem],
) -> SourceDocument | None:
    rel = path.relative_to(root)
    if not meta and path.suffix.lower() in {".md", ".markdown"}:
        problems.append(
            Problem(
                display, "no tiene cabecera (front matter); se usan valores por defecto según la carpeta", "warning"
            )
        )
    unknown = sorted(set(meta) - set(FrontMatter.model_fields))
    if unknown:
        problems.append(Problem(display, f"campos desconocidos en la cabecera: {', '.join(unknown)}", "warning"))
        meta = {k: v for k, v in meta.items() if k not in unknown}
    try:
        fm = FrontMatter.model_validate(meta)
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"])
            if name == "tipo":
                messages.append(f"tipo desconocido {err.get('input')!r}; valores válidos: ley, guia, condiciones")
            else:
                messages.append(f"campo {name!r}: {err['msg']}")
        problems.append(Problem(display, "; ".join(messages)))
        return None

    folder = rel.parts[0].lower() if len(rel.parts) > 1 else ""
    tipo = fm.tipo or SourceType(_FOLDER_TIPO.get(folder, "guia"))
    network = fm.red.strip().lower() if fm.red else None
    if tipo is SourceType.CONDICIONES:
        if network is None:
            network = _guess_network(rel)
            if network is None:
                problems.append(
                    Problem(
                        display,
                        "tipo «condiciones» sin campo «red»: indica la red (x, facebook, instagram...)",
                        "warning",
                    )
                )
        elif network not in KNOWN_NETWORKS:
            problems.append(
                Problem(display, f"red {network!r} no está entre las conocidas; se usa tal cual", "warning")
            )
    title = fm.title or _title_from_body(body) or rel.stem.replace("-", " ").replace("_", " ").capitalize()
    source_id = fm.id or rel.with_suffix("").as_posix()
    return SourceDocument(
        file=display,
        source_id=source_id,
        tipo=tipo,
        title=title,
        file_hash=file_hash,
        text=body,
        url=fm.url,
        version=fm.fecha or fm.version,
        network=network,
        responsable=fm.responsable,
    )


def _guess_network(rel: Path) -> str | None:
    for part in reversed(rel.with_suffix("").parts):
        name = part.lower().replace("twitter", "x")
        if name in KNOWN_NETWORKS:
            return name
    return None


def _title_from_body(body: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
    return match.group(1).strip() if match else None


# --------------------------------------------------------------------------- synced laws


def _load_law_json(data: bytes, display: str, file_hash: str) -> SourceDocument:
    """A law stored by ``sources sync`` (see :mod:`bot.sources.boe`)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        blocks = [
            LawBlock(
                id=b["id"],
                kind=b["kind"],
                title=b["title"],
                paragraphs=list(b["paragraphs"]),
                version_date=b.get("version_date"),
            )
            for b in raw["blocks"]
        ]
        return SourceDocument(
            file=display,
            source_id=raw["source_id"],
            tipo=SourceType.LEY,
            title=raw["title"],
            file_hash=file_hash,
            blocks=blocks,
            url=raw.get("url"),
            version=raw.get("version"),
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise FileError(f"la copia sincronizada está dañada ({exc}); vuelve a ejecutar «sources sync»") from None
