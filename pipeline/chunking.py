"""Split an article into sentence-aligned, overlapping passages with content-hash ids."""

from __future__ import annotations

from pipeline.text import sentence_spans
from pipeline.types import Article, Chunk, content_id


def chunk_article(article: Article, max_chars: int = 700, overlap_sentences: int = 1) -> list[Chunk]:
    """Group whole sentences into passages of about max_chars, repeating overlap_sentences between them."""
    spans = sentence_spans(article.text)
    groups = _group_spans(spans, max_chars, overlap_sentences)
    chunks = []
    for index, (start, end) in enumerate(groups):
        text = article.text[start:end]
        chunks.append(Chunk(
            id=content_id(article.id, str(start), text), article_id=article.id, text=text,
            index=index, start=start, end=end, title=article.title, source=article.source,
            url=article.url, date=article.date,
        ))
    return chunks


def _group_spans(spans: list[tuple[int, int]], max_chars: int,
                 overlap: int) -> list[tuple[int, int]]:
    """Greedy grouping of sentence spans; a single over-long sentence becomes its own group."""
    groups: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= max_chars:
            last += 1
        groups.append((spans[first][0], spans[last][1]))
        if last + 1 >= len(spans):
            break
        first = max(first + 1, last + 1 - overlap)
    return groups
