"""``sources sync``: bring the official sources listed in ``knowledge/sources.toml`` into
``BOT_DATA_DIR/sources/``, where the indexer picks them up beside ``knowledge/``.

Laws come from the BOE consolidated-legislation API (only when ``fecha_actualizacion``
changed), terms of use from the networks' pages. Every write is atomic; a failed download
or a parse error keeps the previous copy and is reported. After a law changes, the sync
lists which articles changed, were added or were removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.documents import KNOWN_NETWORKS, html_to_markdown
from bot.errors import InputError
from bot.settings import Settings
from bot.sources.boe import BOEFormatError, law_record, parse_metadata, parse_text
from bot.sources.web import Fetcher, FetchError, HttpFetcher, MirrorFetcher, NotInMirror
from bot.text import fold

if TYPE_CHECKING:  # SQLAlchemy only when the state lives in a database
    from bot.database import Database

SOURCES_FILE = "sources.toml"
API_PATH = "legislacion-consolidada/id/{id}"


class SourcesConfigError(InputError, ValueError):
    """``sources.toml`` cannot be used; the message says where and why."""


class LawEntry(BaseModel):
    """One ``[[ley]]`` of ``sources.toml``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^BOE-[A-Z]-\d{4}-\d+$")
    nombre: str | None = None
    #: How answers name the law («EBEP, artículo 53.12»).
    abreviatura: str | None = None
    #: How the guideline's prose names it (for the citation check).
    nombres: list[str] = []
    obligatoria: bool = False


class TermsEntry(BaseModel):
    """A network's terms of use in ``sources.toml`` (``[[condiciones]]``)."""

    model_config = ConfigDict(extra="forbid")

    red: str
    url: str = Field(pattern=r"^https?://")
    servicio: str
    documento: str = "Terms of Service"

    @property
    def key(self) -> str:
        return f"{self.red}/{slug(self.documento)}"


class SourcesConfig(BaseModel):
    """``knowledge/sources.toml``: the laws and the terms of use to sync."""

    model_config = ConfigDict(extra="forbid")

    ley: list[LawEntry] = []
    condiciones: list[TermsEntry] = []


def load_config(knowledge_dir: Path) -> SourcesConfig:
    path = knowledge_dir / SOURCES_FILE
    if not path.is_file():
        raise SourcesConfigError(f"no existe {path}: lista ahí las fuentes oficiales")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SourcesConfig.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesConfigError(f"{path.name}: TOML mal formado ({exc})") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SourcesConfigError(f"{path.name}: {problems}") from None


@dataclass(frozen=True)
class LawNames:
    """How the laws of ``sources.toml`` are named: in answers, and in the guideline's prose."""

    #: BOE id → short name for answers («EBEP»).
    short: dict[str, str] = field(default_factory=dict)
    #: (name as written in prose, BOE id), longest name first.
    prose: tuple[tuple[str, str], ...] = ()

    @property
    def default(self) -> tuple[str, ...]:
        """The law first in ``sources.toml`` (the EBEP): the one meant when none is named."""
        return tuple(self.short)[:1]

    def short_name(self, source_id: str, default: str) -> str:
        return self.short.get(source_id, default)

    def mentioned(self, text: str) -> tuple[str, ...]:
        """The laws a text names («según la ley de transparencia», «¿qué dice el EBEP...?»)."""
        if not self.prose:
            return ()
        by_name = self._by_name()
        found = [by_name[m.group(0)] for m in self._pattern().finditer(fold(text))]
        return tuple(dict.fromkeys(found))

    def _by_name(self) -> dict[str, str]:
        return _names_by_fold(self.prose)

    def _pattern(self) -> re.Pattern[str]:
        return _names_pattern(self.prose)


@lru_cache(maxsize=8)
def _names_by_fold(prose: tuple[tuple[str, str], ...]) -> dict[str, str]:
    by_name: dict[str, str] = {}
    for name, law in prose:
        by_name.setdefault(fold(name), law)
    return by_name


@lru_cache(maxsize=8)
def _names_pattern(prose: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One alternation of every name, longest first, whole words only."""
    names = sorted({fold(name) for name, _ in prose}, key=lambda n: (-len(n), n))
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


_LAW_NUMBER = re.compile(r"\b\d{1,3}/\d{4}\b")


def law_names(config: SourcesConfig) -> LawNames:
    short = {law.id: law.abreviatura for law in config.ley if law.abreviatura}
    prose = [(name, law.id) for law in config.ley for name in law.nombres]
    # «53/1984» names the law in any language («Law 53/1984», «la llei 19/2013»).
    prose += [(number, law_id) for name, law_id in list(prose) for number in _LAW_NUMBER.findall(name)]
    return LawNames(short, tuple(sorted(prose, key=lambda p: -len(p[0]))))


def load_law_names(knowledge_dir: Path) -> tuple[LawNames, list[str]]:
    """The laws' names from ``sources.toml``; a broken file gives none (answers then use titles)."""
    if not (knowledge_dir / SOURCES_FILE).is_file():
        return LawNames(), []
    try:
        return law_names(load_config(knowledge_dir)), []
    except SourcesConfigError as exc:
        return LawNames(), [str(exc)]


# --------------------------------------------------------------------------- state and results


@dataclass
class ArticleDiff:
    """What changed in a law between two synced versions, by locator (``Artículo 53``)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @classmethod
    def between(cls, before: dict[str, str], after: dict[str, str]) -> ArticleDiff:
        """The difference between two versions given as locator → text."""
        return cls(
            added=[t for t in after if t not in before],
            removed=[t for t in before if t not in after],
            changed=[t for t in after if t in before and before[t] != after[t]],
        )

    def summary(self) -> str:
        parts = []
        for label, items in (("modificados", self.changed), ("añadidos", self.added), ("suprimidos", self.removed)):
            if items:
                parts.append(f"{label}: {', '.join(items)}")
        return "; ".join(parts) or "sin cambios en el articulado"


@dataclass
class SourceResult:
    """The outcome of syncing one source."""

    key: str
    kind: Literal["ley", "condiciones"]
    title: str
    #: ``no disponible``: a local mirror does not carry it (not an error unless it is mandatory).
    status: Literal["nuevo", "actualizado", "sin cambios", "error", "no disponible"]
    version: str | None = None
    error: str | None = None
    diff: ArticleDiff | None = None


@dataclass
class SyncReport:
    """The outcome of one ``sources sync``: one result per source."""

    results: list[SourceResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(r.status in ("nuevo", "actualizado") for r in self.results)

    @property
    def errors(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "error"]


class SyncState:
    """Per source: version, dates, last change and error.

    In ``BOT_DATA_DIR/sources-state.json``; with ``database`` (``BOT_DATABASE_URL``) read from
    one row per source of its ``sync_state`` table, so that every replica's ``/metrics`` and
    ``sources status`` see when the sources were last checked, whichever machine ran the sync
    (the file is still written: the record of what that data dir's ``sources/`` holds). The
    first time a database is used, a data dir's file is copied into it.
    """

    def __init__(self, path: Path, *, database: Database | None = None) -> None:
        self.path = path
        self.database = database
        self.data: dict[str, dict[str, Any]] = _load_rows(database) if database is not None else {}
        if database is None or not self.data:
            try:
                self.data = json.loads(path.read_text(encoding="utf-8"))
            except (FileNotFoundError, json.JSONDecodeError):
                self.data = {}
            if database is not None and self.data:
                self.save()

    def get(self, key: str) -> dict[str, Any]:
        return self.data.setdefault(key, {})

    def save(self) -> None:
        # The file too with a database: the record of what this data dir's sources/ holds.
        atomic_write(self.path, json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True).encode())
        if self.database is None:
            return
        rows = [
            {"source": key, "data": json.dumps(entry, ensure_ascii=False, sort_keys=True), "updated_at": _now()}
            for key, entry in self.data.items()
        ]
        if not rows:
            return
        from sqlalchemy.dialects import postgresql, sqlite

        from bot.database import sync_state

        dialect = postgresql if self.database.dialect == "postgresql" else sqlite
        stmt = dialect.insert(sync_state)
        upsert = stmt.on_conflict_do_update(
            index_elements=[sync_state.c.source],
            set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
        )
        with self.database.begin() as con:
            con.execute(upsert, rows)


def _load_rows(database: Database) -> dict[str, dict[str, Any]]:
    """The sync state kept in ``database``: source → its record."""
    from sqlalchemy import select

    from bot.database import sync_state

    with database.begin() as con:
        rows = con.execute(select(sync_state.c.source, sync_state.c.data)).all()
    data = {}
    for source, raw in rows:
        try:
            data[str(source)] = json.loads(raw)
        except json.JSONDecodeError:
            continue
    return data


def open_sync_state(settings: Settings) -> SyncState:
    """The sync state of ``settings``: in ``BOT_DATABASE_URL`` when set, else the JSON file."""
    from bot.database import open_database

    database = open_database(settings.database_url) if settings.database_url else None
    return SyncState(state_path(settings), database=database)


def sources_state(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every source's last sync record (what ``sources status --json`` prints)."""
    return open_sync_state(settings).data


# --------------------------------------------------------------------------- syncing


class Syncer:
    """Syncs every source of ``sources.toml`` into ``settings.sources_dir``."""

    def __init__(self, settings: Settings, *, mirror: Path | None = None, timeout: float | None = None) -> None:
        self.settings = settings
        self.mirror = MirrorFetcher(mirror) if mirror else None
        self.http = (
            None
            if mirror
            else HttpFetcher(
                settings.boe_api_base, timeout=timeout or settings.http_timeout, retries=settings.http_retries
            )
        )
        self.root = settings.sources_dir
        self.state = open_sync_state(settings)

    @property
    def fetcher(self) -> Fetcher:
        return self.mirror or self.http  # type: ignore[return-value]

    def sync(self, config: SourcesConfig, *, only: set[str] | None = None) -> SyncReport:
        report = SyncReport()
        try:
            for law in config.ley:
                if only is None or law.id in only:
                    report.results.append(self.sync_law(law))
            for terms in config.condiciones:
                if only is None or terms.red in only or terms.key in only:
                    report.results.append(self.sync_terms(terms))
        finally:
            self.state.save()
            if self.http is not None:
                self.http.close()
        return report

    def sync_law(self, entry: LawEntry) -> SourceResult:
        key = entry.id
        state = self.state.get(key)
        now = _now()
        state.update(kind="ley", checked_at=now)
        target = self.root / "boe" / f"{entry.id}.json"
        base = API_PATH.format(id=entry.id)
        try:
            meta = parse_metadata(self.fetcher.get(f"{base}/metadatos", accept="application/json").body, entry.id)
            state["title"] = meta.title
            if state.get("updated") == meta.updated and target.is_file():
                state.update(error=None, changed=False)
                return SourceResult(key, "ley", meta.title, "sin cambios", meta.version)
            blocks = parse_text(self.fetcher.get(f"{base}/texto", accept="application/xml").body, expected_id=entry.id)
        except NotInMirror as exc:
            state["error"] = str(exc) if entry.obligatoria else None
            title = state.get("title") or entry.nombre or key
            missing: Literal["error", "no disponible"] = "error" if entry.obligatoria else "no disponible"
            return SourceResult(key, "ley", title, missing, state.get("version"), str(exc))
        except (FetchError, BOEFormatError) as exc:
            state["error"] = str(exc)
            return SourceResult(
                key, "ley", state.get("title") or entry.nombre or key, "error", state.get("version"), str(exc)
            )
        record = law_record(meta, blocks)
        previous = _read_json(target)
        diff = article_diff(previous, record) if previous else None
        atomic_write(target, json.dumps(record, ensure_ascii=False).encode())
        status: Literal["nuevo", "actualizado"] = "actualizado" if previous else "nuevo"
        state.update(
            updated=meta.updated,
            version=meta.version,
            synced_at=now,
            changed=True,
            error=None,
            url=meta.url,
            diff=diff.__dict__ if diff is not None else None,
            previous_version=previous.get("version") if previous else None,
        )
        return SourceResult(key, "ley", meta.title, status, meta.version, diff=diff)

    def sync_terms(self, entry: TermsEntry) -> SourceResult:
        key = entry.key
        state = self.state.get(key)
        now = _now()
        state.update(kind="condiciones", checked_at=now, url=entry.url)
        title = f"{entry.servicio}: {entry.documento} (texto original)"
        state["title"] = title
        target = self.root / "terms" / entry.red / f"{slug(entry.documento)}.md"
        try:
            if self.mirror is not None:
                markdown = self.mirror.terms(entry.servicio, entry.documento)
            else:
                if self.http is None:  # the constructor sets one whenever there is no mirror
                    raise FetchError("no hay cliente HTTP para descargar las condiciones")
                page = self.http.get(entry.url, accept="text/html")
                markdown = html_to_markdown(page.body.decode("utf-8", errors="replace"))
            if len(markdown.strip()) < 200:
                raise FetchError(f"{entry.url}: la página no contiene texto suficiente (¿cambió su formato?)")
        except FetchError as exc:
            state["error"] = str(exc)
            return SourceResult(key, "condiciones", title, "error", state.get("version"), str(exc))
        digest = hashlib.sha256(markdown.encode()).hexdigest()[:16]
        if state.get("hash") == digest and target.is_file():
            state.update(error=None, changed=False)
            return SourceResult(key, "condiciones", title, "sin cambios", state.get("version"))
        previous = target.read_text(encoding="utf-8") if target.is_file() else None
        diff = section_diff(previous, markdown) if previous else None
        # The version is the date the text itself gives («Last updated: ...»), so an old archived
        # text shows as old; only when it gives none, the day it was fetched.
        dated = terms_date(markdown)
        version = dated or now[:10]
        atomic_write(target, terms_document(entry, title, version, markdown).encode())
        state.update(
            hash=digest,
            version=version,
            version_from_text=dated is not None,
            synced_at=now,
            changed=True,
            error=None,
            diff=diff.__dict__ if diff is not None else None,
        )
        return SourceResult(key, "condiciones", title, "actualizado" if previous else "nuevo", version, diff=diff)


_TERMS_DATE = re.compile(
    r"(?:last\s+(?:updated|revised|modified)|date\s+of\s+last\s+revision|effective(?:\s+date|\s+on|\s+as\s+of)?"
    r"|zuletzt\s+aktualisiert|stand|última\s+actualización)\s*[:*_\s]*\s*"
    r"([A-Za-zÀ-ÿ]+\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+[A-Za-zÀ-ÿ]+,?\s+\d{4}|[A-Za-zÀ-ÿ]+\s+\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)


def terms_date(markdown: str) -> str | None:
    """The newest date a terms text gives itself («Last updated: February 5, 2024»), ISO; or None."""
    from dateutil import parser

    revised: list[str] = []
    effective: list[str] = []
    for match in _TERMS_DATE.finditer(markdown):
        try:
            when = parser.parse(match.group(1).replace(",", " "), default=dt.datetime(2000, 1, 1))
        except (ValueError, OverflowError):
            continue
        if 1990 < when.year <= dt.datetime.now(dt.UTC).year + 1:
            # «Last revised» dates the text itself; «effective on» may announce a later update.
            kind = effective if match.group(0).lower().startswith("effective") else revised
            kind.append(when.date().isoformat())
    dates = revised or effective
    return max(dates) if dates else None


def terms_document(entry: TermsEntry, title: str, fetched: str, markdown: str) -> str:
    """The stored terms page: Markdown with the front matter the indexer reads."""
    red = entry.red if entry.red in KNOWN_NETWORKS else entry.red.lower()
    header = {
        "id": f"terminos-{red}-{slug(entry.documento)}",
        "title": title,
        "tipo": "condiciones",
        "red": red,
        "url": entry.url,
        "fecha": fetched,
        "responsable": "sincronización automática (sources sync)",
    }
    lines = ["---", *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in header.items()), "---", ""]
    body = re.sub(r"^---\n.*?\n---\n", "", markdown, flags=re.DOTALL)  # a mirror file's own header
    return "\n".join(lines) + body


def article_diff(old: dict[str, Any], new: dict[str, Any]) -> ArticleDiff:
    """Compare two stored law records block by block (articles and disposiciones)."""

    def texts(record: dict[str, Any]) -> dict[str, str]:
        return {
            b["title"]: "\n".join(b["paragraphs"])
            for b in record.get("blocks", [])
            if b.get("kind") == "precepto" and b.get("title")
        }

    return ArticleDiff.between(texts(old), texts(new))


def section_diff(old: str, new: str) -> ArticleDiff:
    """Compare two terms pages by their Markdown headings."""
    from bot.chunking import split_sections

    def texts(markdown: str) -> dict[str, str]:
        return {s.heading: s.body for s in split_sections(markdown) if s.heading}

    return ArticleDiff.between(texts(old), texts(new))


def state_path(settings: Settings) -> Path:
    """Beside ``sources/``, not inside it: the indexer reads every file in there."""
    return settings.data_dir / "sources-state.json"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "documento"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
