"""Fake Slack, Telegram and BOE servers on 127.0.0.1, shared by ``tests/`` and ``benchmarks/``.

Each fake is a real HTTP (or WebSocket) server that applies the platform's own rules: the
shapes it accepts, its limits and its rate limits, so the real client libraries talk to it
over real sockets:

- :mod:`fakes.slack_api`: the Slack Web API, signed Events API posts and Block Kit checks;
- :mod:`fakes.slack_socket`: Slack's Socket Mode (envelopes over a WebSocket);
- :mod:`fakes.telegram_api`: the Telegram Bot API, with its HTML and ``reply_markup`` checks;
- :mod:`fakes.boe_api`: the BOE's open-data API for consolidated laws;
- :mod:`fakes._base`: the machinery they share (:class:`~fakes._base.FakeHTTPServer`).

This package is a development tool: it is not part of the installed distribution and nothing
in ``bot``, ``adapters`` or ``evals`` may import it (see ``[tool.importlinter]``).
"""
