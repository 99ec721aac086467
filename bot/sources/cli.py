"""``python -m bot sources sync|status``.

``sources sync`` is safe to run from cron, a systemd timer or a Kubernetes CronJob: a lock in
the data dir (and, with ``BOT_DATABASE_URL`` on PostgreSQL, one in the database, for schedulers
on several machines) makes a second run that starts while one is going skip (exit 0); it re-indexes
when something changed; its last line on stdout is a one-line summary, and its exit code says
how it went (0 fine, 1 some source failed, 2 bad configuration). ``sources status --check``
exits 1 when a source failed or has not been checked for ``BOT_SOURCES_MAX_AGE_DAYS``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from bot.settings import Settings
from bot.sources.sync import SourcesConfigError, Syncer, SyncReport, load_config, sources_state

#: The lock file in the data dir that keeps two syncs from running at once.
LOCK_FILE = "sources-sync.lock"


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        config = load_config(settings.knowledge_dir)
    except SourcesConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        print("sources sync: configuración no válida (knowledge/sources.toml)")
        return 2
    if args.sources_command == "status":
        return status(settings, as_json=args.json, check=getattr(args, "check", False))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(settings.data_dir / LOCK_FILE, timeout=0), _shared_lock(settings) as alone:
            if alone:
                return sync(args, settings, config)
    except Timeout:
        pass
    print("Otra sincronización está en marcha; esta no hace nada.", file=sys.stderr)
    print("sources sync: omitida, otra sincronización en marcha")
    return 0


@contextmanager
def _shared_lock(settings: Settings) -> Iterator[bool]:
    """With ``BOT_DATABASE_URL`` on PostgreSQL, also a lock every machine sees (False: taken)."""
    if not settings.database_url:
        yield True
        return
    from bot.database import open_database

    with open_database(settings.database_url).try_lock(LOCK_FILE) as alone:
        yield alone


def sync(args: argparse.Namespace, settings: Settings, config: object) -> int:
    from bot.sources.web import FetchError

    try:
        syncer = Syncer(settings, mirror=args.mirror, timeout=args.timeout)
    except FetchError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    origin = f"el espejo {args.mirror}" if args.mirror else settings.boe_api_base
    print(f"Sincronizando fuentes oficiales desde {origin}…", file=sys.stderr)
    report = syncer.sync(config, only=set(args.only) if args.only else None)  # type: ignore[arg-type]
    for result in report.results:
        version = f" (versión {result.version})" if result.version else ""
        print(f"  [{result.status}] {result.key}: {result.title}{version}")
        if result.status == "no disponible":
            print(f"      {result.error}: se sincronizará cuando el BOE sea accesible")
        elif result.error:
            print(f"      error: {result.error}; se conserva la copia anterior")
        if result.diff is not None:
            print(f"      cambios: {result.diff.summary()}")
    indexed = "índice sin tocar"
    if report.changed and args.index:
        from bot.index import Indexer

        index = Indexer(settings).update()
        if not index.unchanged:
            print(f"Índice actualizado: generación {index.generation}, {index.chunks} fragmentos.")
            indexed = f"índice: generación {index.generation}"
    if report.errors:
        print(f"{len(report.errors)} fuentes con errores.", file=sys.stderr)
    print(f"sources sync: {_summary(report)} · {indexed}")
    return 1 if report.errors else 0


def _summary(report: SyncReport) -> str:
    """«13 fuentes · 1 actualizadas · 12 sin cambios · 0 con errores»."""
    counts = Counter(r.status for r in report.results)
    parts = [f"{len(report.results)} fuentes"]
    parts += [f"{counts[s]} {s}" for s in ("nuevo", "actualizado", "sin cambios", "no disponible") if counts[s]]
    parts.append(f"{counts['error']} con errores")
    return " · ".join(parts)


def status(settings: Settings, *, as_json: bool, check: bool = False) -> int:
    """Each source with its version date, last sync, whether it changed, and what changed; a
    warning for a source not checked for ``BOT_SOURCES_MAX_AGE_DAYS``. With ``check``, 1 if any
    source failed or is that old."""
    state = sources_state(settings)
    max_age = settings.sources_max_age_days
    stale = [key for key, entry in state.items() if _older_than(str(entry.get("checked_at") or "")[:10], max_age)]
    failed = [key for key, entry in state.items() if entry.get("error")]
    verdict = 1 if check and (stale or failed or not state) else 0
    if as_json:
        print(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))
        return verdict
    if not state:
        print("Aún no se ha sincronizado ninguna fuente: python -m bot sources sync")
        return verdict
    for key, entry in sorted(state.items()):
        changed = "sí" if entry.get("changed") else "no"
        print(f"{key} — {entry.get('title', '')}")
        print(
            f"  versión: {entry.get('version') or '—'} · última sincronización: {entry.get('synced_at') or '—'}"
            f" · última comprobación: {entry.get('checked_at') or '—'} · cambió en la última: {changed}"
        )
        diff = entry.get("diff")
        if diff and any(diff.values()):
            for label, name in (("modificados", "changed"), ("añadidos", "added"), ("suprimidos", "removed")):
                if diff.get(name):
                    print(
                        f"  {label} respecto a la versión {entry.get('previous_version') or 'anterior'}: {', '.join(diff[name])}"
                    )
        if (
            entry.get("kind") == "condiciones"
            and entry.get("version_from_text")
            and _older_than(entry.get("version"), 730)
        ):
            print(
                "  AVISO: el texto descargado es de hace más de dos años; comprueba en la web de la red si hay una "
                "versión posterior y revisa la nota de condiciones."
            )
        if key in stale:
            print(
                f"  AVISO: lleva más de {max_age} días sin comprobarse (BOT_SOURCES_MAX_AGE_DAYS); "
                "¿se está ejecutando la sincronización programada?"
            )
        if entry.get("error"):
            print(f"  ERROR en la última comprobación: {entry['error']}")
    return verdict


def _older_than(iso_date: str | None, days: int) -> bool:
    import datetime as dt

    try:
        return (dt.date.today() - dt.date.fromisoformat(str(iso_date)[:10])).days > days
    except ValueError:
        return False
