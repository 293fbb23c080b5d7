"""bench extraction: the span metrics on a hand-made case, and gold sentences that cannot silently rot."""

import json

import pytest

from bench.extraction_suite import GOLD_DIR, SpanCounts, find_sentence, load_gold, overlaps, run, score_spans
from bench.fake_llm import extraction_reply
from bench.report import SuiteResult, compare
from factcheck.wiring import Engine
from llm.fake import ResponderChatModel
from pipeline.config import load_settings
from pipeline.text import sentence_spans


def test_overlap_is_half_open():
    assert overlaps((0, 10), (9, 20))
    assert not overlaps((0, 10), (10, 20))
    assert overlaps((5, 6), (0, 10))


def test_recall_precision_and_span_exactness_on_a_worked_example():
    gold = [(0, 10), (20, 30), (40, 50)]
    # exact on the first gold; a wider span over the second; one claim on no gold sentence; the third is missed
    claims = [(0, 10), (18, 35), (60, 70)]
    counts = score_spans(gold, claims)
    assert counts == SpanCounts(gold=3, claims=3, found_gold=2, matched_claims=2, exact_claims=1)
    assert (counts.recall(), counts.precision(), counts.span_exactness()) == (0.667, 0.667, 0.5)


def test_one_claim_over_two_gold_sentences_finds_both_but_is_not_exact():
    counts = score_spans([(0, 10), (11, 20)], [(0, 20)])
    assert (counts.recall(), counts.precision(), counts.span_exactness()) == (1.0, 1.0, 0.0)


def test_no_claims_leaves_precision_and_exactness_undefined_and_counts_add_up():
    empty = score_spans([(0, 10)], [])
    assert (empty.recall(), empty.precision(), empty.span_exactness()) == (0.0, None, None)
    total = SpanCounts()
    total.add(empty)
    total.add(score_spans([(0, 5)], [(0, 5), (7, 9)]))
    assert total == SpanCounts(gold=2, claims=2, found_gold=1, matched_claims=1, exact_claims=1)


def test_find_sentence_needs_exactly_one_verbatim_occurrence():
    assert find_sentence("A b. C d. A b.", "C d.") == (5, 9)
    with pytest.raises(ValueError, match="not found"):
        find_sentence("A b.", "A  b.")
    with pytest.raises(ValueError, match="more than once"):
        find_sentence("A b. C d. A b.", "A b.")


def test_three_articles_every_gold_sentence_verbatim_in_its_cleaned_article():
    articles = load_gold()
    assert len(articles) == 3 and "demo-article" in [a.name for a in articles]
    for gold in articles:
        text = gold.article.text
        assert gold.check_worthy and not set(gold.check_worthy) & set(gold.not_check_worthy), gold.name
        spans = [find_sentence(text, s) for s in gold.check_worthy + gold.not_check_worthy]
        covered = set().union(*(range(start, end) for start, end in spans))
        uncovered = "".join(c for i, c in enumerate(text) if i not in covered)
        assert not uncovered.strip(), f"{gold.name}: text in no annotated sentence: {uncovered.strip()[:80]!r}"


def test_annotation_never_uses_the_shared_seed_article():
    for path in GOLD_DIR.glob("*.json"):
        assert "seed-article" not in json.loads(path.read_text(encoding="utf-8"))["article"]


def test_offline_suite_reports_every_article_and_the_every_sentence_baseline(engine):
    result = run(engine, None, None)
    summary, per_article = result.tables
    engine_row, baseline = summary.rows
    assert baseline["predictor"] == "every sentence" and baseline["recall"] == 1.0
    assert baseline["claims"] == sum(len(sentence_spans(a.article.text)) for a in load_gold())
    assert engine_row["gold"] == baseline["gold"] == sum(len(a.check_worthy) for a in load_gold())
    assert engine_row["from fallback"] == 0 and result.info["llm_calls"] == 0
    assert {r["article"] for r in per_article.rows} == {a.name for a in load_gold()}
    assert set(result.info["articles"]["demo-article"]) == {"missed", "not_gold", "inexact"}
    table = compare([result, SuiteResult.model_validate_json(result.model_dump_json())])
    assert "| recall | " in table and "| baseline |  |  | every sentence |" in table


def test_a_model_is_measured_with_its_calls_and_the_fallback_claims_counted(tmp_path, embedder, fake_provider):
    def respond(messages):
        # The replies for one article never quote it (nor on the re-ask), so the offline extractor stands in.
        if "Brennfeld" in messages[1].content:  # [1]: the original request, also on the re-ask
            return json.dumps({"claims": [{"text": "Made up.", "source_quote": "Not in the article.",
                                           "checkworthiness": 0.9}]})
        return extraction_reply(messages[1].content)

    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path / "data"),
                                      "FACTCHECK_LLM__PROVIDER": fake_provider(ResponderChatModel(respond=respond)),
                                      "FACTCHECK_LLM__MODEL": "fake-model"})
    result = run(Engine(settings, overrides={"embedder": embedder}), None, None)
    rows = {r["article"]: r for r in result.tables[1].rows}
    assert rows["brennfeld-street-trees"]["from fallback"] == rows["brennfeld-street-trees"]["claims"] > 0
    assert rows["demo-article"]["from fallback"] == rows["port-ellery-tram"]["from fallback"] == 0
    assert result.tables[0].rows[0]["from fallback"] == rows["brennfeld-street-trees"]["from fallback"]
    assert result.info["model"] == "fake-model" and result.info["kind"] == "llm"
    assert result.info["llm_calls"] == 4  # one per article, plus the re-ask of the reply that quoted nothing
    assert result.info["output_tokens"] > 0 and set(result.info["prompt_versions"]) >= {"extract_claims"}
