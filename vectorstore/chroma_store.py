"""The evidence store on Chroma (embedded and persistent, or a `chroma run` server); vectors come from us."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import Settings
from pipeline.errors import StoreError
from pipeline.types import ArticleRef, Chunk

_PAGE = 2000  # rows per get() when paging; the ids-only pages of `iter_ids` are larger
_ID_PAGE = 20000


def article_metadata(article: ArticleRef) -> dict[str, Any]:
    """The metadata mapping: every ArticleRef field under its own name (the id as article_id)."""
    return {"article_id" if name == "id" else name: value for name, value in article.model_dump().items()}


def chunk_metadata(chunk: Chunk, chunks_in_article: int) -> dict[str, Any]:
    """Everything Chroma stores beside a chunk's text and vector."""
    return {**article_metadata(chunk.article), "index": chunk.index, "start": chunk.start, "end": chunk.end,
            "n_chunks": chunks_in_article, "added_at": time.time()}


def chunk_from_row(chunk_id: str, document: str | None, meta: dict[str, Any] | None) -> Chunk:
    """Rebuild a Chunk from Chroma's id, document and metadata."""
    meta = meta or {}
    article = {name: str(meta.get("article_id" if name == "id" else name, "")) for name in ArticleRef.model_fields}
    return Chunk(id=chunk_id, article=ArticleRef.model_validate(article), text=document or "",
                 index=int(meta.get("index", 0)), start=int(meta.get("start", 0)), end=int(meta.get("end", 0)))


def _precomputed_function() -> type:
    """The registered marker embedding function; chromadb is imported on first use (it is slow to import)."""
    from vectorstore.precomputed import PrecomputedVectors

    return PrecomputedVectors


def collection_name(base: str, embedding: str) -> str:
    """One collection per embedding model, so vectors of different models never mix."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{base}-{embedding}").strip("-._")
    return name[:120]


class ChromaStore:
    """EvidenceStore on a Chroma collection with cosine distance."""

    def __init__(self, client, name: str, embedding: str):
        function_class = _precomputed_function()
        self.client = client
        self.name = name
        try:
            self.collection = client.get_or_create_collection(
                name=name, embedding_function=function_class(embedding),
                configuration={"hnsw": {"space": "cosine"}}, metadata={"embedding": embedding})
            self.max_batch = max(1, int(client.get_max_batch_size()))
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Cannot open the evidence store collection '{name}' ({exc})",
                             "Check vectorstore settings, or delete the data dir to start afresh") from None

    @classmethod
    def embedded(cls, path: Path, collection: str, embedding: str) -> ChromaStore:
        """A persistent store in a local folder."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        try:
            client = chromadb.PersistentClient(path=str(path),
                                               settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:
            raise StoreError(f"Cannot open the evidence store at {path} ({exc})",
                             "Check that the folder is writable and not used by another Chroma version") from None
        return cls(client, collection_name(collection, embedding), embedding)

    @classmethod
    def http(cls, host: str, port: int, collection: str, embedding: str) -> ChromaStore:
        """A store on a `chroma run` server."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        try:
            client = chromadb.HttpClient(host=host, port=port,
                                         settings=ChromaSettings(anonymized_telemetry=False))
            client.heartbeat()
        except Exception:
            raise StoreError(f"Cannot reach the Chroma server at {host}:{port}",
                             f"Start it with `chroma run --path DIR --host {host} --port {port}` "
                             "or set vectorstore.mode = \"embedded\"", retryable=True) from None
        return cls(client, collection_name(collection, embedding), embedding)

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Upsert whole articles' chunks in as few writes as the server's maximum batch size allows."""
        if not chunks:
            return
        per_article = Counter(c.article.id for c in chunks)
        vectors = np.asarray(vectors, dtype=np.float32)
        for start, end in article_batches(chunks, self.max_batch):
            part = chunks[start:end]
            self.collection.upsert(ids=[c.id for c in part], documents=[c.text for c in part],
                                   embeddings=vectors[start:end],
                                   metadatas=[chunk_metadata(c, per_article[c.article.id]) for c in part])

    def _page(self) -> int:
        """Ids per get(ids=...) call."""
        return min(_PAGE, self.max_batch)

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these chunk ids are already stored."""
        ids = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(ids), self._page()):
            found.update(self.collection.get(ids=ids[start:start + self._page()], include=[])["ids"])
        return found

    def dense_search(self, vector: np.ndarray, k: int,
                     exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (one round trip; fewer than k when the store is smaller)."""
        if k <= 0:
            return []
        where = {"article_id": {"$ne": exclude_article_id}} if exclude_article_id else None
        result = self.collection.query(query_embeddings=np.asarray([vector], dtype=np.float32), n_results=k,
                                       where=where, include=["documents", "metadatas", "distances"])
        rows = zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                   result["distances"][0])
        return [(chunk_from_row(i, d, m), 1.0 - float(dist)) for i, d, m, dist in rows]

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (ids not stored are left out)."""
        return {chunk_id: vector for chunk_id, (_, vector) in self.chunks_with_vectors(ids).items()}

    def chunks_with_vectors(self, ids: list[str]) -> dict[str, tuple[Chunk, np.ndarray]]:
        """Stored chunks and vectors by chunk id, one get() per page of ids."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, tuple[Chunk, np.ndarray]] = {}
        for start in range(0, len(ids), self._page()):
            page = self.collection.get(ids=ids[start:start + self._page()],
                                       include=["documents", "metadatas", "embeddings"])
            vectors = np.asarray(page["embeddings"], dtype=np.float32)
            for chunk_id, document, meta, vector in zip(page["ids"], page["documents"], page["metadatas"], vectors):
                found[chunk_id] = (chunk_from_row(chunk_id, document, meta), vector)
        return found

    def iter_chunks(self) -> Iterator[Chunk]:
        """Every stored chunk, page by page."""
        for page in self._pages(["documents", "metadatas"], _PAGE):
            for chunk_id, doc, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield chunk_from_row(chunk_id, doc, meta)

    def iter_ids(self) -> Iterator[str]:
        """Every stored chunk id, page by page."""
        for page in self._pages([], _ID_PAGE):
            yield from page["ids"]

    def _pages(self, include: list, size: int) -> Iterator[dict[str, Any]]:
        """The whole collection in pages of `size` rows."""
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=size, offset=offset)
            yield page
            if len(page["ids"]) < size:
                return
            offset += size

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """Stored chunks by id, in the order asked."""
        by_id: dict[str, Chunk] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), self._page()):
            page = self.collection.get(ids=unique[start:start + self._page()], include=["documents", "metadatas"])
            by_id.update({i: chunk_from_row(i, d, m) for i, d, m in zip(page["ids"], page["documents"],
                                                                         page["metadatas"])})
        return [by_id[i] for i in ids if i in by_id]

    def delete_article(self, article_id: str) -> int:
        """Remove every chunk of an article."""
        ids = self.collection.get(where={"article_id": article_id}, include=[])["ids"]
        for start in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=ids[start:start + self.max_batch])
        return len(ids)

    def count(self) -> int:
        """Number of stored chunks."""
        return self.collection.count()


def article_batches(chunks: list[Chunk], limit: int) -> Iterator[tuple[int, int]]:
    """[start, end) ranges of at most `limit` chunks that never split an article unless it alone is larger."""
    start = end = 0
    while end < len(chunks):
        article_end = end
        while article_end < len(chunks) and chunks[article_end].article.id == chunks[end].article.id:
            article_end += 1
        if article_end - start > limit and end > start:
            yield start, end
            start = end
        while article_end - start > limit:  # one article larger than a whole batch
            yield start, start + limit
            start += limit
        end = article_end
    if end > start:
        yield start, end


def build_store(settings: Settings, embedding_name: str, collection: str = "") -> ChromaStore:
    """Chroma embedded under the data dir, or a Chroma server, per vectorstore.mode.

    `collection` (default vectorstore.collection) names another collection on the same store, e.g. fact-checks.
    """
    vs = settings.vectorstore
    name = collection or vs.collection
    if vs.mode == "http":
        return ChromaStore.http(vs.host, vs.port, name, embedding_name)
    return ChromaStore.embedded(settings.chroma_dir, name, embedding_name)
