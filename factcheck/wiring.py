"""Settings → parts: registries of chat models and embedders, and the lazily built Engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pipeline.archive import Archive, keyword_version
from pipeline.claims import LLMClaimExtractor
from pipeline.config import Settings, resolve_provider
from pipeline.factcheck_confirm import PROMPT_NAME as CONFIRM_PROMPT
from pipeline.factcheck_library import KEYWORD_VERSION, FactCheckLibrary
from pipeline.lru import CachedEmbedder
from pipeline.offline.checkworthiness import OfflineClaimExtractor
from pipeline.offline.stance import OfflineStanceJudge
from pipeline.ports import ClaimExtractor, Embedder, StanceJudge, StructuredLLM
from pipeline.prompts import load_prompt
from pipeline.registry import Registry
from pipeline.retrieval import Retriever
from pipeline.stance import LLMStanceJudge
from pipeline.types import EngineInfo
from vectorstore.catalog import SqliteCatalog
from vectorstore.chroma_store import build_store
from vectorstore.embeddings import build_minilm
from vectorstore.factcheck_store import build_factcheck_store
from vectorstore.keyword_index import TantivyKeywordIndex, index_folder
from vectorstore.vector_cache import DiskCachedEmbedder

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# LangChain and the model clients are imported only when a model is built: `search`, `ingest` and the offline
# engine never load them, which is a second off every cold start.


def _openai(settings: Settings) -> BaseChatModel:
    from llm.providers import build_openai
    return build_openai(settings.llm)


def _openai_compatible(settings: Settings) -> BaseChatModel:
    from llm.providers import build_openai_compatible
    return build_openai_compatible(settings.llm)


def _gguf(settings: Settings) -> BaseChatModel:
    from llm.providers import build_gguf
    return build_gguf(settings.llm)


def _openai_embedder(settings: Settings) -> Embedder:
    from llm.embeddings import build_openai_embedder
    return build_openai_embedder(settings)


def _compatible_embedder(settings: Settings) -> Embedder:
    from llm.embeddings import build_compatible_embedder
    return build_compatible_embedder(settings)


CHAT_MODELS: Registry[BaseChatModel] = Registry("LLM provider", "llm.provider", reserved=("auto", "offline"))
CHAT_MODELS.register("openai", _openai)
CHAT_MODELS.register("openai_compatible", _openai_compatible)
CHAT_MODELS.register("gguf", _gguf)

EMBEDDERS: Registry[Embedder] = Registry("embedding provider", "embedding.provider")
EMBEDDERS.register("minilm", build_minilm)
EMBEDDERS.register("openai", _openai_embedder)
EMBEDDERS.register("openai_compatible", _compatible_embedder)


def string_limits(setting: str, provider: str) -> bool:
    """Whether reply schemas carry maxLength: "auto" means only for the built-in llama.cpp server."""
    return setting == "on" or (setting == "auto" and provider == "gguf")


def build_llm(settings: Settings, provider: str) -> StructuredLLM:
    """The registered chat model behind the StructuredLLM port, with the reply cache."""
    from llm.cache import ReplyCache
    from llm.providers import endpoint, model_name
    from llm.structured import LangChainLLM

    chat_model = CHAT_MODELS.build(provider, settings)
    cache = ReplyCache(settings.cache_dir / "llm.sqlite") if settings.run.cache else None
    url, identity = endpoint(settings.llm, provider) if provider in ("gguf", "openai_compatible") else ("", "")
    return LangChainLLM(chat_model, provider, model_name(settings.llm, provider), settings.llm.output_mode, cache,
                        endpoint=url or settings.llm.base_url, concurrency=settings.run.concurrency,
                        cache_identity=identity, max_output_tokens=settings.llm.max_output_tokens,
                        string_limits=string_limits(settings.llm.string_limits, provider),
                        stream=settings.llm.stream)


def build_archive(settings: Settings, embedding_name: str, collection: str = "") -> Archive:
    """Chroma (embedded or a server) with its keyword index and article catalog (vectorstore.index_dir).

    `collection` (default vectorstore.collection) opens another collection with its own indexes.
    """
    chunks = build_store(settings, embedding_name, collection)
    folder = index_folder(settings, chunks.name)
    header = settings.retrieval.contextual_header
    return Archive(chunks, TantivyKeywordIndex(folder / "keywords", keyword_version(header)),
                   SqliteCatalog(folder / "catalog.sqlite"), header)


@dataclass
class Engine:
    """Everything a check needs, built lazily from settings so cheap commands stay cheap."""

    settings: Settings
    overrides: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def provider(self) -> str:
        """The resolved LLM provider ("offline" when none is configured)."""
        return resolve_provider(self.settings.llm)

    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedding (the offline MiniLM by default)."""
        return self.overrides.get("embedder") or EMBEDDERS.build(self.settings.embedding.provider, self.settings)

    @cached_property
    def store(self) -> Archive:
        """Chroma, embedded or a server, kept in step with its keyword index and article catalog."""
        return self.overrides.get("store") or build_archive(self.settings, self.embedder.name)

    @cached_property
    def retriever(self) -> Retriever:
        """Hybrid search; query vectors are remembered per process."""
        return Retriever(self.store, CachedEmbedder(self.embedder, size=2048), self.settings.retrieval)

    @cached_property
    def factchecks(self) -> FactCheckLibrary:
        """Published fact-checks in their own collection and keyword index, matched against every claim."""
        store = build_factcheck_store(self.settings, self.embedder.name)
        keywords = TantivyKeywordIndex(index_folder(self.settings, store.name) / "keywords", KEYWORD_VERSION)
        return FactCheckLibrary(store, keywords, CachedEmbedder(self.embedder, size=2048), self.settings.factchecks,
                                self.settings.ingest)

    @cached_property
    def llm(self) -> StructuredLLM | None:
        """The model behind extraction and stance, or None for the offline engine."""
        if self.provider == "offline":
            return None
        return self.overrides.get("llm") or build_llm(self.settings, self.provider)

    @cached_property
    def extractor(self) -> ClaimExtractor:
        """Claims from the model, or from the offline cue model."""
        if self.llm is None:
            return OfflineClaimExtractor()
        return LLMClaimExtractor(self.llm, self.settings.claims, fallback=OfflineClaimExtractor())

    @cached_property
    def judge(self) -> StanceJudge:
        """Stances from the model, or from the offline cue model."""
        if self.llm is None:
            sentences = self.embedder
            if self.settings.run.cache:  # passage sentences recur across checks: a new process reads them back
                sentences = DiskCachedEmbedder(self.embedder, self.settings.cache_dir / "vectors.sqlite")
            return OfflineStanceJudge(sentences)
        return LLMStanceJudge(self.llm)

    @property
    def info(self) -> EngineInfo:
        """Which engine this is, recorded in every result."""
        if self.llm is None:
            return EngineInfo(kind="offline", provider="offline", model="heuristic-cues",
                              embedding=self.embedder.name, retrieval=self.retriever.description)
        provider = self.provider
        where = getattr(self.llm, "endpoint", "") or self.settings.llm.base_url
        if where:
            provider = f"{provider} ({where})"
        return EngineInfo(kind="llm", provider=provider, model=self.llm.model, embedding=self.embedder.name,
                          retrieval=self.retriever.description)

    @property
    def prompt_versions(self) -> dict[str, str]:
        """Versions of every prompt or cue model that produced results."""
        versions = {**self.extractor.prompt_versions, **self.judge.prompt_versions}
        if self.llm is not None and self.settings.factchecks.confirm_with_model:
            versions[CONFIRM_PROMPT] = load_prompt(CONFIRM_PROMPT).version
        return versions
