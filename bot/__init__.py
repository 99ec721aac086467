"""Puedo publicar: cited answers to "¿puedo publicar esto?" for Spanish public employees.

The public API is :class:`bot.service.Service` (``ask(question, draft) -> Answer``) and the
models in :mod:`bot.models`.
"""

__version__ = "0.1.0"
