#!/usr/bin/env bash
# Create .venv at the repository root and install the project with its development tools.
# torch==2.13.0 (CPU build) goes first, so that nothing pulls a multi-GB CUDA build.
# Idempotent: does nothing when .venv already matches pyproject.toml and constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "» Creando el entorno virtual .venv" >&2
    "$python" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "» Instalando dependencias (la primera vez tarda unos minutos)" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[all,dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
