"""``python -m bot sources sync|status``."""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings
from bot.sources.sync import SourcesConfigError, Syncer, SyncState, load_config, state_path


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        config = load_config(settings.knowledge_dir)
    except SourcesConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    if args.sources_command == "status":
        return status(settings, as_json=args.json)
    return sync(args, settings, config)


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
    if report.changed and not args.no_index:
        from bot.index import Indexer

        index = Indexer(settings).update()
        if not index.unchanged:
            print(f"Índice actualizado: generación {index.generation}, {index.chunks} fragmentos.")
    if report.errors:
        print(f"{len(report.errors)} fuentes con errores.", file=sys.stderr)
        return 1
    return 0


def status(settings: Settings, *, as_json: bool) -> int:
    """Each source with its version date, last sync, whether it changed, and what changed."""
    state = SyncState(state_path(settings)).data
    if as_json:
        print(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    if not state:
        print("Aún no se ha sincronizado ninguna fuente: python -m bot sources sync")
        return 0
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
        if entry.get("error"):
            print(f"  ERROR en la última comprobación: {entry['error']}")
    return 0


def _older_than(iso_date: str | None, days: int) -> bool:
    import datetime as dt

    try:
        return (dt.date.today() - dt.date.fromisoformat(str(iso_date))).days > days
    except ValueError:
        return False
