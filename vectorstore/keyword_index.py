"""The persistent BM25 keyword index on tantivy: incremental adds and deletes, one commit per write.

Rows hold the project's own tokens (pipeline.bm25.tokenize) joined by spaces in a field split on whitespace,
with term frequencies and no positions, so tantivy's BM25 (k1 = 1.2, b = 0.75) ranks like the project's.
Only one IndexWriter may exist per folder across processes (tantivy's lock file): a writer is opened for one
write and released when it returns; readers see other processes' commits within about a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import tantivy

from pipeline.config import Settings
from pipeline.errors import StoreError
from pipeline.ports import KeywordRow
from pipeline.runs import write_atomic

_HEAP_BYTES = 64_000_000
_LOCK_WAIT_SECONDS = 60.0
_VERSION_FILE = "factcheck-version.txt"


def _schema() -> tantivy.Schema:
    """Tokens (BM25, no positions), the chunk id (stored, exact) and the article id (stored, exact)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("chunk", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("article", stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


class TantivyKeywordIndex:
    """KeywordIndex on a tantivy folder."""

    def __init__(self, path: Path, version: str):
        self.path = path
        self.version = version
        try:
            path.mkdir(parents=True, exist_ok=True)
            if tantivy.Index.exists(str(path)):
                self.index = tantivy.Index.open(str(path))
            else:
                self.index = tantivy.Index(_schema(), path=str(path))
        except (OSError, ValueError) as exc:
            raise StoreError(f"Cannot open the keyword index at {path} ({exc})",
                             "Check that the folder is writable, or run `python -m pipeline reindex`") from None
        self.schema = self.index.schema
        self._lock = threading.Lock()

    def _writer(self) -> Any:
        """The folder's only writer, waiting while another process holds it."""
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                return self.index.writer(heap_size=_HEAP_BYTES, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise StoreError(f"Another process is writing to the keyword index at {self.path}",
                                     "Wait for that ingest, delete or reindex to finish, then retry") from None
                time.sleep(0.2)

    def _commit(self, writer: Any) -> None:
        """Make a write durable, let segment merges finish (else small segments pile up), then see it."""
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def _document(self, row: KeywordRow) -> tantivy.Document:
        """One row as a tantivy document."""
        document = tantivy.Document()
        document.add_text("body", " ".join(row.tokens))
        document.add_text("chunk", row.chunk_id)
        document.add_text("article", row.article_id)
        return document

    def _write(self, change: Callable[[Any], None]) -> None:
        """Apply a change with the folder's writer and commit it."""
        with self._lock:
            writer = self._writer()
            change(writer)
            self._commit(writer)

    def upsert(self, rows: list[KeywordRow]) -> None:
        """Index rows, replacing rows with the same chunk id (so a repeated write changes nothing)."""
        def replace(writer: Any) -> None:
            for row in rows:
                writer.delete_documents_by_term("chunk", row.chunk_id)
                writer.add_document(self._document(row))

        if rows:
            self._write(replace)

    def rebuild(self, rows: Iterable[KeywordRow]) -> int:
        """Replace every row in one commit (readers see the old index until it lands); return the row count."""
        added = 0

        def replace_all(writer: Any) -> None:
            nonlocal added
            writer.delete_all_documents()
            for row in rows:
                writer.add_document(self._document(row))
                added += 1

        self._write(replace_all)
        self._write_version(self.version)
        return added

    def _query(self, tokens: list[str]) -> tantivy.Query | None:
        """A BM25 OR over the distinct query tokens."""
        terms = list(dict.fromkeys(tokens))
        if not terms:
            return None
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "body", t, index_option="freq"))
             for t in terms])

    def search(self, tokens: list[str], n: int, exclude_article_id: str = "") -> list[tuple[str, float]]:
        """The n best (chunk id, BM25), best first."""
        query = self._query(tokens)
        if query is None or n <= 0:
            return []
        if exclude_article_id:
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, query),
                (tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, "article", exclude_article_id))])
        return self._hits(query, n)

    def scores_of(self, tokens: list[str], chunk_ids: list[str]) -> dict[str, float]:
        """BM25 of these chunks (a zero-weight filter on the ids leaves the scores unchanged)."""
        query = self._query(tokens)
        if query is None or not chunk_ids:
            return {}
        only = tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.schema, "chunk", chunk_ids), 0.0)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])
        return dict(self._hits(query, len(chunk_ids)))

    def _hits(self, query: tantivy.Query, n: int) -> list[tuple[str, float]]:
        """(chunk id, score) of the n best documents."""
        searcher = self.index.searcher()
        return [(searcher.doc(address)["chunk"][0], float(score))
                for score, address in searcher.search(query, n, count=False).hits]

    def delete_article(self, article_id: str) -> int:
        """Remove an article's rows."""
        term = tantivy.Query.term_query(self.schema, "article", article_id)
        found = self.index.searcher().search(term, 1, count=True).count or 0  # type: ignore[attr-defined]
        if found:
            self._write(lambda writer: writer.delete_documents_by_term("article", article_id))
        return found

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        """Remove rows by chunk id."""
        def delete(writer: Any) -> None:
            for chunk_id in chunk_ids:
                writer.delete_documents_by_term("chunk", chunk_id)

        if chunk_ids:
            self._write(delete)

    def iter_rows(self) -> Iterator[tuple[str, str]]:
        """Every (chunk id, article id)."""
        searcher = self.index.searcher()
        if not searcher.num_docs:
            return
        for _, address in searcher.search(tantivy.Query.all_query(), searcher.num_docs, count=False).hits:
            document = searcher.doc(address)
            yield document["chunk"][0], document["article"][0]

    def count(self) -> int:
        """Number of indexed chunks."""
        return self.index.searcher().num_docs

    def stored_version(self) -> str:
        """The version written by the last rebuild (or by `start`), "" for an index never written."""
        try:
            return (self.path / _VERSION_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def start(self) -> None:
        """Record this index's version on a new, empty index."""
        self._write_version(self.version)

    def _write_version(self, version: str) -> None:
        """Replace the version file atomically (a temporary file of its own per writer, thread or process)."""
        write_atomic(self.path / _VERSION_FILE, version + "\n")


def index_folder(settings: Settings, collection: str) -> Path:
    """Where a collection's keyword index and article catalog live: vectorstore.index_dir/<collection>."""
    base = Path(settings.vectorstore.index_dir) if settings.vectorstore.index_dir else settings.data_dir / "index"
    return base / collection
