"""Real text for the scale benchmark: ~700-character passages walked from the shared datasets' sentences."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path

from bench.datasets import CHECKTHAT_DIR, SHARED_DATA, read_checkthat, read_climate_fever, require, unique_evidence

VERIFIED_CLAIMS = SHARED_DATA / "checkthat2020-task2-en" / "verified_claims.docs.tsv"


def verified_claims(path: Path = VERIFIED_CLAIMS) -> list[tuple[str, str, str]]:
    """The CheckThat! 2020 verified claims as (id, claim, fact-check title): 10,375 rows (quoted claims span lines)."""
    rows = []
    with open(require(path, "CheckThat! 2020 verified claims"), encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):  # quoted claims may span lines
            if len(row) >= 3 and row[1] != "vclaim":
                rows.append((row[0], row[1], row[2]))
    return rows


POOL_SENTENCES = 4000  # per pool: each sentence is embedded once for the derived vectors (12k sentences in all)


def sentence_sources(per_pool: int = POOL_SENTENCES) -> list[list[str]]:
    """Three pools of real sentences in document order: Wikipedia evidence, debate lines, fact-check claims."""
    wiki = [e.text for e in unique_evidence(read_climate_fever())]
    debates = [s.text for split in ("train", "dev", "dev-test") for s in read_checkthat(split, CHECKTHAT_DIR).sentences]
    claims = [text for _, claim, title in verified_claims() for text in (title, claim)]
    return [[s.strip() for s in pool if len(s.strip()) > 20][:per_pool] for pool in (wiki, debates, claims)]


def passages(count: int, seed: int = 7, chars: int = 700) -> Iterator[tuple[int, list[int], str]]:
    """`count` passages of about `chars` characters as (article number, sentence ids, text).

    An article picks a pool and walks consecutive sentences (a jump now and then) for 1-16 passages.
    Sentence ids index the concatenation of the pools, so a caller can reuse per-sentence vectors.
    """
    pools = sentence_sources()
    flat = [s for pool in pools for s in pool]
    offsets = [sum(len(p) for p in pools[:i]) for i in range(len(pools))]
    rng = random.Random(seed)
    made = article = 0
    while made < count:
        pool = rng.choices(range(len(pools)), (0.4, 0.3, 0.3))[0]
        position = rng.randrange(len(pools[pool]))
        for _ in range(min(16, 1 + int(rng.expovariate(1 / 6)))):
            if made >= count:
                return
            ids, length = [], 0
            while length < chars:
                if rng.random() < 0.15:
                    position = rng.randrange(len(pools[pool]))
                position %= len(pools[pool])
                ids.append(offsets[pool] + position)
                length += len(pools[pool][position]) + 1
                position += 1
            yield article, ids, " ".join(flat[i] for i in ids)
            made += 1
        article += 1


def write_fact_check_files(folder: Path, limit: int | None = None) -> int:
    """One .txt file per verified claim (title, blank line, claim) — the archive of issue 10; returns files."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = verified_claims()[:limit] if limit else verified_claims()
    for claim_id, claim, title in rows:
        (folder / f"vclaim-{int(claim_id):05d}.txt").write_text(f"{title}\n\n{claim}\n", encoding="utf-8")
    return len(rows)
