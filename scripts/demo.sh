#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, bring the official texts (from a local mirror
# of the BOE API if there is one, else from the network), index, and answer a sample question.
# No tokens needed: embedded Chroma and the bundled offline model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

mirror=${BOT_SOURCES_MIRROR:-../shared/corpus}
if [ -d "$mirror/boe-api" ]; then
    .venv/bin/puedo-publicar sources sync --from "$mirror" --no-index
elif ! .venv/bin/puedo-publicar sources sync --no-index --timeout 15; then
    echo "AVISO: no se ha podido llegar al BOE ni a un espejo local; se usa solo el conocimiento incluido en knowledge/ (sin el texto de las leyes)." >&2
fi
.venv/bin/puedo-publicar index
.venv/bin/puedo-publicar ask "${1:-¿Puedo publicar en Instagram una foto de los vecinos que atendí hoy?}"
