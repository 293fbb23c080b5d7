"""The only place that turns settings into concrete parts: store, embedder, LLM, extractor, judge."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from pipeline.claims import ClaimExtractor, LLMClaimExtractor
from pipeline.config import Settings, resolve_provider
from pipeline.interfaces import Embedder, EvidenceStore, StructuredLLM
from pipeline.retrieval import Retriever
from pipeline.stance import LLMStanceJudge, StanceJudge
from pipeline.types import EngineInfo


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedding (offline MiniLM by default)."""
    from vectorstore.embeddings import APIEmbedder, MiniLMEmbedder

    emb = settings.embedding
    if emb.provider == "minilm":
        return MiniLMEmbedder(emb.model_path, emb.tokenizer_path, emb.model_sha256, emb.tokenizer_sha256,
                              emb.batch_size, emb.threads)
    key = emb.api_key.get_secret_value() if emb.api_key else ""
    if emb.provider == "openai":
        from pipeline.config import resolve_api_key

        key = key or resolve_api_key(settings.llm) or ""
    return APIEmbedder(emb.model or "text-embedding-3-small", emb.base_url, key, emb.batch_size)


def build_store(settings: Settings, embedding_name: str) -> EvidenceStore:
    """Chroma embedded under the data dir, or a Chroma server."""
    from vectorstore.chroma_store import ChromaStore

    vs = settings.vectorstore
    if vs.mode == "http":
        return ChromaStore.http(vs.host, vs.port, vs.collection, embedding_name)
    return ChromaStore.embedded(settings.chroma_dir, vs.collection, embedding_name)


def build_llm(settings: Settings, provider: str) -> StructuredLLM:
    """A LangChain chat model behind the StructuredLLM interface, with the disk cache."""
    from llm.cache import ReplyCache
    from llm.client import LangChainLLM
    from llm.factory import build_chat_model, model_name

    chat_model = build_chat_model(settings.llm, provider)
    cache = ReplyCache(settings.cache_dir / "llm.sqlite") if settings.run.cache else None
    return LangChainLLM(chat_model, provider, model_name(settings.llm, provider), settings.llm.output_mode,
                        cache, endpoint=settings.llm.base_url)


@dataclass
class Engine:
    """Everything a check needs, built lazily from settings so cheap commands stay cheap."""

    settings: Settings
    overrides: dict = field(default_factory=dict)

    @cached_property
    def provider(self) -> str:
        """The resolved LLM provider ("offline" when none is configured)."""
        return resolve_provider(self.settings.llm)

    @cached_property
    def embedder(self) -> Embedder:
        return self.overrides.get("embedder") or build_embedder(self.settings)

    @cached_property
    def store(self) -> EvidenceStore:
        return self.overrides.get("store") or build_store(self.settings, self.embedder.name)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.settings.retrieval)

    @cached_property
    def llm(self) -> StructuredLLM | None:
        if self.provider == "offline":
            return None
        return self.overrides.get("llm") or build_llm(self.settings, self.provider)

    @cached_property
    def extractor(self) -> ClaimExtractor:
        if self.llm is None:
            from pipeline.offline.checkworthiness import OfflineClaimExtractor

            return OfflineClaimExtractor()
        return LLMClaimExtractor(self.llm, self.settings.claims)

    @cached_property
    def judge(self) -> StanceJudge:
        if self.llm is None:
            from pipeline.offline.stance import OfflineStanceJudge

            return OfflineStanceJudge(self.embedder)
        return LLMStanceJudge(self.llm)

    @property
    def info(self) -> EngineInfo:
        """Which engine this is, recorded in every result."""
        if self.llm is None:
            return EngineInfo(kind="offline", provider="offline", model="heuristic-cues",
                              embedding=self.embedder.name, retrieval=self.retriever.description)
        provider = self.provider
        if self.settings.llm.base_url:
            provider = f"{provider} ({self.settings.llm.base_url})"
        return EngineInfo(kind="llm", provider=provider, model=self.llm.model, embedding=self.embedder.name,
                          retrieval=self.retriever.description)

    @property
    def prompt_versions(self) -> dict[str, str]:
        """Versions of every prompt or cue model that produced results."""
        return {**self.extractor.prompt_versions, **self.judge.prompt_versions}
