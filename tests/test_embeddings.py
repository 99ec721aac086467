"""The two embedding runtimes: the ONNX export made on first use, checked, reused and repaired."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.embeddings import (
    OnnxEmbeddings,
    clear_cache,
    embeddings_for,
    export_dir,
    get_embeddings,
    runtime_of,
)
from bot.settings import BUNDLED_MODEL, Settings
from tests.conftest import make_settings

TEXTS = [
    "¿Puedo colgar en el insta una foto de la oficina?",
    "Regla 3. Un expediente que aún tramitas no se comparte en redes.",
    "LinkedIn may use the content you post.",
]


def _shared_dir() -> Path:
    """The session's model cache (see conftest): exported once, shared by every test."""
    return Path(os.environ["BOT_MODEL_CACHE_DIR"])


@pytest.fixture
def models_dir(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the session's export, free to damage."""
    get_embeddings(BUNDLED_MODEL, 128, _shared_dir())  # makes the export if no test did yet
    target = tmp_path / "models"
    shutil.copytree(_shared_dir(), target)
    yield target
    clear_cache()


@pytest.fixture
def make_settings_with(tmp_path: Path, knowledge: Path) -> Callable[..., Settings]:
    return lambda **overrides: make_settings(tmp_path, knowledge, **overrides)


def test_the_export_gives_the_same_vectors_as_pytorch():
    torch_vectors = np.asarray(get_embeddings(BUNDLED_MODEL, 128).embed_documents(TEXTS))
    clear_cache()
    get_embeddings(BUNDLED_MODEL, 128, _shared_dir())  # exports on first use
    clear_cache()
    onnx = get_embeddings(BUNDLED_MODEL, 128, _shared_dir())  # as a later process would
    assert runtime_of(onnx) == "onnx"
    onnx_vectors = np.asarray(onnx.embed_documents(TEXTS))
    assert np.abs(onnx_vectors - torch_vectors).max() < 1e-4
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(onnx.embed_query(TEXTS[0]), onnx_vectors[0], atol=1e-6)
    export = json.loads((export_dir(_shared_dir(), BUNDLED_MODEL, 128) / "export.json").read_text())
    assert export["model"] == BUNDLED_MODEL and export["max_tokens"] == 128 and export["pooling"] == "mean"


def test_truncation_follows_the_setting(models_dir):
    clear_cache()
    long_text = " ".join(["La guía de redes sociales del organismo"] * 100)
    at_128 = get_embeddings(BUNDLED_MODEL, 128, models_dir).embed_query(long_text)
    at_64 = get_embeddings(BUNDLED_MODEL, 64, models_dir).embed_query(long_text)
    assert runtime_of(get_embeddings(BUNDLED_MODEL, 64, models_dir)) == "torch"  # first use: exported now
    clear_cache()
    at_64_onnx = get_embeddings(BUNDLED_MODEL, 64, models_dir)
    assert runtime_of(at_64_onnx) == "onnx"
    assert np.abs(np.asarray(at_64_onnx.embed_query(long_text)) - at_64).max() < 1e-4
    assert np.abs(np.asarray(at_128) - at_64).max() > 1e-3


def test_a_damaged_export_is_rebuilt_not_fatal(models_dir, caplog):
    clear_cache()
    folder = export_dir(models_dir, BUNDLED_MODEL, 128)
    (folder / "model.onnx").write_bytes(b"not an onnx model")
    with caplog.at_level(logging.WARNING, logger="bot.embeddings"):
        embeddings = get_embeddings(BUNDLED_MODEL, 128, models_dir)
    assert runtime_of(embeddings) == "torch"
    assert "making it again" in caplog.text
    clear_cache()
    assert isinstance(get_embeddings(BUNDLED_MODEL, 128, models_dir), OnnxEmbeddings)


def test_a_model_the_export_cannot_reproduce_stays_on_pytorch(tmp_path, caplog):
    from sentence_transformers import SentenceTransformer, models

    from bot.embeddings import resolve_model

    transformer = models.Transformer(resolve_model(BUNDLED_MODEL))
    pooling = models.Pooling(transformer.get_embedding_dimension(), pooling_mode="max")
    folder = tmp_path / "max-pooling-model"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(folder))
    clear_cache()
    with caplog.at_level(logging.INFO, logger="bot.embeddings"):
        embeddings = get_embeddings(str(folder), 128, tmp_path / "models")
    assert runtime_of(embeddings) == "torch"
    assert "max" in caplog.text
    assert not any((tmp_path / "models").glob("*/export.json"))
    assert len(embeddings.embed_query("hola")) == 384
    clear_cache()


def test_runtime_torch_never_exports(make_settings_with):
    settings = make_settings_with(embedding_runtime="torch", model_cache_dir=None)
    clear_cache()
    assert runtime_of(embeddings_for(settings)) == "torch"
    assert not settings.models_dir.exists()
    clear_cache()
