"""The official texts: laws from the BOE (:mod:`bot.sources.boe`) and the networks' terms of
use (:mod:`bot.sources.web`), synchronised by :mod:`bot.sources.sync` (``puedo-publicar sources``)."""
