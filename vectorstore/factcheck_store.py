"""Published fact-checks in their own Chroma collection (`<collection>-<embedding>`), beside the evidence passages."""

from __future__ import annotations

import base64
import time

import numpy as np

from pipeline.config import Settings
from pipeline.factcheck_types import FactCheck
from vectorstore.chroma_store import ChromaStore

_PAGE = 2000
# Rows written since the claim and the headline were embedded apart; older rows hold one vector of both texts.
VECTORS_VERSION = 2


def encode_vector(vector: np.ndarray) -> str:
    """A vector as metadata text (float32 bytes, base64): Chroma keeps one embedding per row."""
    return base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode("ascii")


def decode_vector(text: object) -> np.ndarray | None:
    """The vector `encode_vector` wrote, or None when the row has none."""
    return np.frombuffer(base64.b64decode(text), dtype=np.float32).copy() if isinstance(text, str) else None


def from_metadata(meta: dict | None) -> FactCheck | None:
    """The stored fact-check of a row (None for a row this module did not write)."""
    text = (meta or {}).get("factcheck")
    return FactCheck.model_validate_json(text) if isinstance(text, str) else None


class ChromaFactCheckStore:
    """FactCheckStore on a Chroma collection with cosine distance; the whole fact-check rides as JSON metadata."""

    def __init__(self, chroma: ChromaStore):
        self.name = chroma.name
        self.collection = chroma.collection
        self.max_batch = chroma.max_batch

    def add(self, factchecks: list[FactCheck], vectors: np.ndarray, headline_vectors: np.ndarray) -> None:
        """Upsert fact-checks in batches of the server's maximum size: the claim's vector is the row's embedding,
        the headline's rides in its metadata."""
        vectors = np.asarray(vectors, dtype=np.float32)
        now = time.time()
        for start in range(0, len(factchecks), self.max_batch):
            part = factchecks[start:start + self.max_batch]
            self.collection.upsert(
                ids=[f.id for f in part], documents=[f.index_text() for f in part],
                embeddings=vectors[start:start + len(part)],
                metadatas=[{"factcheck": f.model_dump_json(), "url": f.url, "added_at": now,
                            "headline_vector": encode_vector(headline), "vectors": VECTORS_VERSION}
                           for f, headline in zip(part, headline_vectors[start:start + len(part)])])

    def outdated(self, limit: int) -> list[FactCheck]:
        """Up to `limit` fact-checks stored before claim and headline had vectors of their own; once none are
        left the collection records it, so later processes skip the scan (36 ms at 10k rows)."""
        if (self.collection.metadata or {}).get("factcheck_vectors") == VECTORS_VERSION:
            return []
        rows = self.collection.get(where={"vectors": {"$ne": VECTORS_VERSION}}, limit=limit, include=["metadatas"])
        found = [fc for meta in rows["metadatas"] if (fc := from_metadata(meta)) is not None]
        if not rows["ids"]:
            self.collection.modify(metadata={**(self.collection.metadata or {}), "factcheck_vectors": VECTORS_VERSION})
        return found

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these ids are stored."""
        unique = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(unique), _PAGE):
            found.update(self.collection.get(ids=unique[start:start + _PAGE], include=[])["ids"])
        return found

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[FactCheck, float]]:
        """Nearest fact-checks by cosine similarity."""
        if k <= 0 or not self.collection.count():
            return []
        result = self.collection.query(query_embeddings=np.asarray([vector], dtype=np.float32), n_results=k,
                                       include=["metadatas", "distances"])
        rows = zip(result["metadatas"][0], result["distances"][0])
        return [(fc, 1.0 - float(d)) for meta, d in rows if (fc := from_metadata(meta)) is not None]

    def with_vectors(self, ids: list[str]) -> dict[str, tuple[FactCheck, np.ndarray, np.ndarray | None]]:
        """Stored fact-checks with their claim and headline vectors by id."""
        found: dict[str, tuple[FactCheck, np.ndarray, np.ndarray | None]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _PAGE):
            page = self.collection.get(ids=unique[start:start + _PAGE], include=["metadatas", "embeddings"])
            for fid, meta, vector in zip(page["ids"], page["metadatas"], page["embeddings"]):
                if (fc := from_metadata(meta)) is not None:
                    found[fid] = (fc, np.asarray(vector, dtype=np.float32), decode_vector(meta.get("headline_vector")))
        return found

    def page(self, offset: int, limit: int) -> list[FactCheck]:
        """A page of stored fact-checks."""
        rows = self.collection.get(include=["metadatas"], limit=limit, offset=offset)["metadatas"]
        return [fc for meta in rows if (fc := from_metadata(meta)) is not None]

    def delete(self, ids: list[str]) -> int:
        """Remove fact-checks by id."""
        stored = sorted(self.existing_ids(ids))
        for start in range(0, len(stored), self.max_batch):
            self.collection.delete(ids=stored[start:start + self.max_batch])
        return len(stored)

    def count(self) -> int:
        """Number of stored fact-checks."""
        return self.collection.count()


def build_factcheck_store(settings: Settings, embedding_name: str) -> ChromaFactCheckStore:
    """The fact-check collection on the same Chroma (embedded or server) as the evidence store."""
    vs, collection = settings.vectorstore, settings.factchecks.collection
    if vs.mode == "http":
        return ChromaFactCheckStore(ChromaStore.http(vs.host, vs.port, collection, embedding_name))
    return ChromaFactCheckStore(ChromaStore.embedded(settings.chroma_dir, collection, embedding_name))
