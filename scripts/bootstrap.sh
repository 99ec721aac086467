#!/usr/bin/env bash
# Create .venv at the repository root and install the project with its development tools.
# torch==2.13.0 (CPU build) goes first, so that nothing pulls a multi-GB CUDA build.
# Installs with uv (a few seconds) when it can, with pip otherwise; both take the wheel folders
# pip is configured with (find-links: where the CPU build of torch is on this kind of machine).
# Idempotent: does nothing when .venv already matches pyproject.toml and constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "» Creando el entorno virtual .venv" >&2
    "$python" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then
    exit 0
fi
echo "» Instalando dependencias (la primera vez tarda unos minutos)" >&2
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
with_uv() {
    local links=() dir
    for dir in ${PIP_FIND_LINKS:-} $(.venv/bin/python -m pip config get global.find-links 2>/dev/null || true); do
        links+=(--find-links "$dir")
    done
    local uv=(.venv/bin/python -m uv pip install --quiet --python .venv/bin/python ${links[@]+"${links[@]}"})
    "${pip[@]}" "uv==0.13.9" && "${uv[@]}" "torch==2.13.0" && "${uv[@]}" -c constraints.txt -e ".[all,dev]"
}
if ! with_uv; then
    echo "» uv no ha podido instalar; se sigue con pip" >&2
    "${pip[@]}" --upgrade pip
    "${pip[@]}" "torch==2.13.0"
    "${pip[@]}" -c constraints.txt -e ".[all,dev]"
fi
rm -f .venv/.installed-*
touch "$stamp"
