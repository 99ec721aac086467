#!/bin/sh
# The container's entrypoint: one role per container (see compose.yaml).
#   slack | telegram   run that adapter; on the very first start (no sources synced yet in
#                      BOT_DATA_DIR) sync the official texts first, unless BOT_SYNC_ON_START=0
#   sync               puedo-publicar sources sync --index (for a scheduled job)
#   index              puedo-publicar index
#   cli ARGS…          any puedo-publicar command (ask, chat, sources status, feedback…)
# Extra arguments go to the command. Runs the same outside a container (tests do).
set -eu

usage() {
    echo "uso: entrypoint.sh slack|telegram|sync|index|cli [argumentos…]" >&2
    exit 2
}

role="${1:-}"
[ -n "$role" ] || usage
shift

: "${BOT_DATA_DIR:?BOT_DATA_DIR debe apuntar a un directorio escribible (el volumen de datos)}"
mkdir -p "$BOT_DATA_DIR"

first_sync() {
    if [ "${BOT_SYNC_ON_START:-1}" = "1" ] && [ ! -f "$BOT_DATA_DIR/sources-state.json" ]; then
        echo "Primera puesta en marcha: sincronizando las fuentes oficiales…" >&2
        puedo-publicar sources sync --index || echo "Aviso: la sincronización falló; se reintentará en la tarea programada." >&2
    fi
}

case "$role" in
    slack)
        first_sync
        exec puedo-publicar-slack "$@"
        ;;
    telegram)
        first_sync
        exec puedo-publicar-telegram "$@"
        ;;
    sync) exec puedo-publicar sources sync --index "$@" ;;
    index) exec puedo-publicar index "$@" ;;
    cli) exec puedo-publicar "$@" ;;
    *) usage ;;
esac
