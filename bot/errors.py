"""The errors the project raises on purpose: one root, two families.

Every error class in :mod:`bot`, :mod:`adapters` and :mod:`evals` derives from
:class:`PuedoPublicarError` (also importable as :data:`PuedoError`), so a caller can catch them
all, as with httpx's ``HTTPError`` or python-telegram-bot's ``TelegramError``. Below the root,
two families say who has to act:

- :class:`InputError`: something a person gave the bot is wrong and must be fixed by them: a
  question, a setting, a file of ``knowledge/`` (glossary, ``sources.toml``...), an evaluation
  dataset, the arbiter's weights, a vote;
- :class:`UnavailableError`: something the bot depends on is not there or does not work: the
  index, Chroma, the BOE or another source, the embedding model. Trying again later (or fixing
  the deployment) helps; changing the question does not.

::

    PuedoPublicarError (= PuedoError)
    ├── InputError
    │   ├── QuestionError (bot.service; ValueError)  — to re-parent, see bot/service.py
    │   ├── SettingsError (bot.settings)
    │   ├── FileError (bot.documents)
    │   ├── GlossaryError (bot.glossary; ValueError)
    │   ├── SourcesConfigError (bot.sources.sync; ValueError)
    │   ├── FeedbackError (bot.feedback; ValueError)
    │   ├── DatasetError (evals.dataset; ValueError)
    │   ├── ArbiterError (bot.arbiter; ValueError)
    │   ├── StartupError (adapters.telegram.startup)
    │   └── SlackSettingsError (adapters.slack.startup; also a SlackStartupError)
    ├── UnavailableError
    │   ├── IndexStoreError (bot.index; RuntimeError)
    │   │   └── IndexMissingError (bot.index)
    │   ├── ModelError (bot.embeddings; RuntimeError)
    │   ├── FetchError (bot.sources.web)
    │   │   └── NotInMirror (bot.sources.web)
    │   ├── BOEFormatError (bot.sources.boe; ValueError)
    │   └── SlackUnavailableError (adapters.slack.startup; also a SlackStartupError)
    ├── SlackStartupError (adapters.slack.startup): what the Slack entry point catches; always
    │   raised as one of its two subclasses above
    └── UnsupportedExport (bot.embeddings): internal, caught where it is raised

Each class keeps the built-in base it had (``ValueError``, ``RuntimeError``), so an ``except
ValueError`` written before the families still works. Messages are for the person who has to
act on them, in Spanish; log messages about them are in English.
"""

from __future__ import annotations

__all__ = ["InputError", "PuedoError", "PuedoPublicarError", "UnavailableError"]


class PuedoPublicarError(Exception):
    """Something the project detected and explains: bad input, a setting, a file, a source."""


#: A shorter name for the root.
PuedoError = PuedoPublicarError


class InputError(PuedoPublicarError):
    """What a person gave the bot cannot be used: a question, a setting, a file, a dataset.

    The message says what to change.
    """


class UnavailableError(PuedoPublicarError):
    """A service the bot needs is missing or failing: the index, Chroma, a source, the model.

    The message says what failed and, where it can, what to run or check.
    """
