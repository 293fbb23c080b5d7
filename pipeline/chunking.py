"""Split an article into sentence-aligned, overlapping passages with content-hash ids."""

from __future__ import annotations

from pipeline.text import pack_sentences, sentence_spans
from pipeline.types import Article, Chunk, content_id


def chunk_article(article: Article, max_chars: int = 700, overlap_sentences: int = 1) -> list[Chunk]:
    """Group whole sentences into passages of about max_chars, repeating overlap_sentences between them."""
    ref = article.ref()
    blocks = pack_sentences(sentence_spans(article.text), max_chars, overlap_sentences=overlap_sentences)
    return [Chunk(id=content_id(article.id, str(start), article.text[start:end]), article=ref,
                  text=article.text[start:end], index=index, start=start, end=end)
            for index, (start, end) in enumerate(blocks)]
