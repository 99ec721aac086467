#!/usr/bin/env bash
# Run the whole test suite (sets up .venv first if needed). Extra arguments go to pytest.
# PYTEST_WORKERS (default 2, the cores CI has) processes share the modules, one module per
# worker at a time (--dist loadfile: a module's servers and fixtures stay in one process);
# PYTEST_WORKERS=0 runs everything in this process.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh || exit 1
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
status=$?
# pytest exits with 5 when it collected no tests: not a failure of the suite.
if [ "$status" -eq 5 ]; then
    echo "pytest: no se ha recogido ningún test" >&2
    status=0
fi
exit "$status"
