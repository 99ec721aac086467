"""``python -m adapters.telegram``: run the Telegram bot (long polling, or webhook with
``BOT_TELEGRAM_MODE=webhook``)."""

import sys

from adapters.telegram.main import main

sys.exit(main())
