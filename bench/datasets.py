"""Readers for the evaluation data beside the repository (never copied into it), and the hash split."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.errors import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The read-only folder of evaluation data and samples beside the repository (../shared).

    A clone placed elsewhere finds it through FACTCHECK_SHARED_DIR, or at /work/shared on our machines.
    """
    override = os.environ.get("FACTCHECK_SHARED_DIR")
    candidates = [Path(override)] if override else [REPO_ROOT.parent / "shared", Path("/work/shared")]
    return next((c for c in candidates if c.is_dir()), candidates[0])


SHARED_DATA = shared_dir() / "data"
CLIMATE_FEVER = SHARED_DATA / "climate-fever" / "climate-fever.jsonl"
CHECKTHAT_DIR = SHARED_DATA / "checkthat2024-en"
CHECKTHAT_SPLITS = ("train", "dev", "dev-test")
GOLD_EVIDENCE = ("SUPPORTS", "REFUTES")


def require(path: Path, what: str) -> Path:
    """The path if it exists, else an error that says where we looked."""
    if not path.exists():
        raise InputError(f"The {what} data was not found at {path}",
                         "Pass --data PATH, or put the data at ../shared/data as ../shared/data/README.md "
                         "describes")
    return path


class CFEvidence(BaseModel):
    """One Climate-FEVER evidence sentence with its label for the claim it was retrieved for."""

    evidence_id: str
    label: str
    article: str
    text: str


class CFClaim(BaseModel):
    """One Climate-FEVER claim with its claim-level label and its five labelled evidence sentences."""

    claim_id: str
    claim: str
    label: str
    evidences: list[CFEvidence] = Field(default_factory=list)

    @property
    def gold_evidence_ids(self) -> set[str]:
        """Evidence sentences labelled SUPPORTS or REFUTES (the retrieval targets)."""
        return {e.evidence_id for e in self.evidences if e.label in GOLD_EVIDENCE}


def read_climate_fever(path: str | Path | None = None) -> list[CFClaim]:
    """All Climate-FEVER claims from the JSONL file."""
    path = require(Path(path or CLIMATE_FEVER), "Climate-FEVER")
    if path.is_dir():
        path = require(path / "climate-fever.jsonl", "Climate-FEVER")
    claims = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        claims.append(CFClaim(claim_id=str(row["claim_id"]), claim=row["claim"], label=row["claim_label"],
                              evidences=[CFEvidence(evidence_id=e["evidence_id"], label=e["evidence_label"],
                                                    article=e["article"], text=e["evidence"])
                                         for e in row["evidences"]]))
    return claims


def unique_evidence(claims: list[CFClaim]) -> list[CFEvidence]:
    """Every distinct evidence sentence once, sorted by evidence id."""
    by_id = {e.evidence_id: e for c in claims for e in c.evidences}
    return [by_id[i] for i in sorted(by_id)]


def in_tuning_half(claim_id: str) -> bool:
    """Deterministic split of Climate-FEVER: True for the half we may tune on, False for the held-out half."""
    return int(hashlib.sha256(f"cf-split:{claim_id}".encode()).hexdigest()[:8], 16) % 2 == 0


def split_claims(claims: list[CFClaim], part: str) -> list[CFClaim]:
    """Claims of one part: "tune", "test" (held out) or "all"."""
    if part == "all":
        return claims
    if part not in ("tune", "test"):
        raise ValueError(f"unknown split part {part!r}")
    return [c for c in claims if in_tuning_half(c.claim_id) == (part == "tune")]


class Sentence(BaseModel):
    """One CheckThat! sentence with its check-worthiness label ("Yes" / "No")."""

    sentence_id: str
    text: str
    label: str


class SentenceFile(BaseModel):
    """The sentences of one CheckThat! file, with the count of lines that could not be read."""

    sentences: list[Sentence]
    skipped_lines: int = 0


_LABEL_THEN_ID = re.compile(r"^(Yes|No)(\d+)$")


def _unquote(field: str) -> str:
    """A TSV field without its CSV-style quoting: outer quotes removed, doubled quotes halved."""
    if len(field) >= 2 and field[0] == field[-1] == '"':
        return field[1:-1].replace('""', '"')
    return field


def parse_checkthat_line(line: str) -> tuple[list[Sentence], bool]:
    """Records on one line; a missing newline ("No29286" fused with the next id) yields two. False if unreadable."""
    fields = line.rstrip("\r\n").split("\t")
    records: list[Sentence] = []
    while len(fields) >= 3:
        sentence_id, text, label = fields[0], fields[1], fields[2]
        fused = _LABEL_THEN_ID.match(label)
        if fused:
            label = fused.group(1)
            fields = [fused.group(2), *fields[3:]]
        else:
            fields = fields[3:]
        if label not in ("Yes", "No") or not sentence_id.strip().isdigit():
            return records, False
        records.append(Sentence(sentence_id=sentence_id.strip(), text=_unquote(text), label=label))
    return records, not fields


def read_checkthat(split: str, directory: str | Path | None = None) -> SentenceFile:
    """One CheckThat! 2024 English file ("train", "dev" or "dev-test"); unreadable lines are counted."""
    directory = require(Path(directory or CHECKTHAT_DIR), "CheckThat! 2024")
    path = require(directory / f"CT24_checkworthy_english_{split}.tsv", f"CheckThat! 2024 {split}")
    sentences: list[Sentence] = []
    skipped = 0
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip():
            continue
        records, ok = parse_checkthat_line(line)
        sentences += records
        skipped += 0 if ok else 1
    return SentenceFile(sentences=sentences, skipped_lines=skipped)


SEED_ARTICLE = shared_dir() / "samples" / "seed-article.txt"
