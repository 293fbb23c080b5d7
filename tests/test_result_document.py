"""The result document stays backward compatible: a run written by version 1 loads, and nothing is lost."""

import json
from pathlib import Path

from pipeline.types import RunResult

V1_RUN = Path(__file__).parent / "fixtures" / "run-v1.json"  # written by version 1 (commit 778a25a), offline
README_FIELDS = {
    "run": {"run_id", "created_at", "engine", "prompt_versions", "article", "claims", "usage", "stats"},
    "engine": {"kind", "provider", "model", "embedding", "retrieval"},
    "article": {"id", "title", "text", "source", "url"},
    "claim": {"id", "text", "source_quote", "span", "checkworthiness", "verdict", "confidence", "status", "error",
              "evidence"},
    "evidence": {"chunk_id", "source", "title", "url", "text", "score", "stance", "quote", "grounded", "rationale",
                 "strength"},
    "usage": {"llm_calls", "input_tokens", "output_tokens", "cached_calls"},
    "stats": {"candidates", "dropped_unlocated", "merged_duplicates", "below_threshold", "failed_claims", "seconds"},
}


def test_a_version_1_run_file_loads_with_nested_evidence():
    original = json.loads(V1_RUN.read_text(encoding="utf-8"))
    run = RunResult.model_validate(original)
    assert len(run.claims) == len(original["claims"]) > 0
    first = run.claims[0].evidence[0]
    raw = original["claims"][0]["evidence"][0]
    assert first.passage.chunk.id == raw["chunk_id"] and first.passage.chunk.text == raw["text"]
    assert first.article.title == raw["title"] and first.passage.score == raw["score"]
    for claim in run.claims:
        assert run.article.text[claim.span[0]:claim.span[1]] == claim.source_quote


def test_the_document_keeps_every_readme_field_and_every_value():
    original = json.loads(V1_RUN.read_text(encoding="utf-8"))
    again = json.loads(RunResult.model_validate(original).model_dump_json())
    assert README_FIELDS["run"] <= set(again)
    assert README_FIELDS["engine"] <= set(again["engine"]) and README_FIELDS["article"] <= set(again["article"])
    assert README_FIELDS["usage"] <= set(again["usage"]) and README_FIELDS["stats"] <= set(again["stats"])
    for old_claim, new_claim in zip(original["claims"], again["claims"]):
        assert README_FIELDS["claim"] <= set(new_claim)
        assert {k: new_claim[k] for k in old_claim if k != "evidence"} == {k: v for k, v in old_claim.items()
                                                                          if k != "evidence"}
        for old, new in zip(old_claim["evidence"], new_claim["evidence"]):
            assert README_FIELDS["evidence"] <= set(new)
            assert {k: new[k] for k in old} == old  # every version-1 value survives the round trip
