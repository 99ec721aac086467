"""``python -m adapters.slack [--mode socket|http] [--port N] [--host H]``: see :func:`adapters.slack.app.main`."""

import sys

from adapters.slack.main import main

sys.exit(main())
