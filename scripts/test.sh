#!/usr/bin/env bash
# Run the whole test suite (sets up .venv first if needed). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh || exit 1
.venv/bin/python -m pytest "$@"
status=$?
# pytest exits with 5 when it collected no tests: not a failure of the suite.
if [ "$status" -eq 5 ]; then
    echo "pytest: no se ha recogido ningún test" >&2
    status=0
fi
exit "$status"
