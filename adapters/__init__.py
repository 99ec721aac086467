"""The chat adapters: :mod:`adapters.slack` and :mod:`adapters.telegram`, thin layers over the core.

:mod:`adapters.answering` is what both share (admission, asking the core, errors, votes) and
:mod:`adapters.limits` the per-person rate limit. An adapter imports the core only through the
public surface of :mod:`bot` and :mod:`bot.logs`.
"""
