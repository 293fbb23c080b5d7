"""OpenAI or any OpenAI-compatible /v1/embeddings server, through LangChain's OpenAIEmbeddings."""

from __future__ import annotations

import numpy as np
from pydantic import SecretStr

from pipeline.config import Settings, resolve_api_key
from pipeline.errors import ConfigError, StoreError


class APIEmbedder:
    """Embeddings from an API, L2-normalised like the offline model's."""

    def __init__(self, model: str, base_url: str = "", api_key: str = "", batch_size: int = 64):
        from langchain_openai import OpenAIEmbeddings

        self.name = f"api-{model}"
        try:
            # check_embedding_ctx_length=False: otherwise it downloads a tokenizer for non-OpenAI servers.
            self._client = OpenAIEmbeddings(model=model, openai_api_base=base_url or None,
                                            openai_api_key=SecretStr(api_key or "not-needed"), chunk_size=batch_size,
                                            check_embedding_ctx_length=False, max_retries=2)
        except Exception as exc:  # the client validates settings at construction
            raise ConfigError(f"Cannot configure the embeddings API ({exc})",
                              "Check embedding.model, embedding.base_url and the API key") from None

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts through the API and L2-normalise them."""
        try:
            rows = self._client.embed_documents(texts)
        except Exception as exc:
            raise StoreError(f"The embeddings server failed ({type(exc).__name__}: {exc})",
                             "Check that it is running and that embedding.model exists there",
                             retryable=True) from None
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def build_openai_embedder(settings: Settings) -> APIEmbedder:
    """OpenAI's embeddings API (the LLM's key is used when the embedding has none)."""
    emb = settings.embedding
    key = emb.api_key.get_secret_value() if emb.api_key else ""
    return APIEmbedder(emb.model or "text-embedding-3-small", emb.base_url, key or resolve_api_key(settings.llm) or "",
                       emb.batch_size)


def build_compatible_embedder(settings: Settings) -> APIEmbedder:
    """Any OpenAI-compatible embeddings server; never sent the OpenAI key."""
    emb = settings.embedding
    if not emb.base_url:
        raise ConfigError("embedding.provider is openai_compatible but no server URL is set",
                          "Set FACTCHECK_EMBEDDING__BASE_URL")
    key = emb.api_key.get_secret_value() if emb.api_key else ""
    return APIEmbedder(emb.model or "default", emb.base_url, key, emb.batch_size)
