"""The fitting code, the offline cues it relies on, the fake LLM and timing helpers of the speed suite, and what
the quality suites record about a model."""

import json

import numpy as np
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from bench import checkworthiness_suite, stance_suite
from bench.fake_llm import respond
from bench.fitting import balanced_weights, fit_softmax
from bench.profiling import Stopwatch, TimedStore
from bench.report import SuiteResult, Table, render
from factcheck.wiring import Engine
from llm.fake import ResponderChatModel
from pipeline.config import load_settings
from pipeline.offline.checkworthiness import words
from pipeline.offline.cues import number_units, unit_mismatch
from pipeline.prompts import fence


def test_balanced_weights_make_every_class_weigh_the_same():
    weights = balanced_weights(["a", "a", "a", "b"], ["a", "b"])
    assert weights.tolist() == pytest.approx([4 / 6, 4 / 6, 4 / 6, 2.0])


def test_softmax_fit_separates_a_separable_toy_set_and_keeps_raw_feature_weights():
    x = np.array([[0.0, 5.0], [0.1, 5.0], [0.9, 5.0], [1.0, 5.0]])
    model = fit_softmax(x, ["lo", "lo", "hi", "hi"], ["lo", "hi"], ["f", "const"], l2=0.01, steps=500)
    assert model.predict(x) == ["lo", "lo", "hi", "hi"]
    assert model.predict(np.array([[0.2, 5.0], [0.8, 5.0]])) == ["lo", "hi"]
    weights = model.as_json_weights()
    assert weights["hi"]["f"] > 0 > weights["lo"]["f"]


def test_fixed_offsets_are_respected_by_the_fit():
    x = np.zeros((4, 1))
    offsets = np.array([[5.0, 0.0], [5.0, 0.0], [0.0, 5.0], [0.0, 5.0]])
    model = fit_softmax(x, ["a", "a", "b", "b"], ["a", "b"], ["zero"], offsets=offsets, steps=50)
    assert (model.scores(x) + offsets).argmax(axis=1).tolist() == [0, 0, 1, 1]


def test_unit_mismatch_needs_the_same_unit_counted_differently():
    assert number_units("She was 22-year-old; 1,500 people and 2022 protests") == {"year": {22.0}, "people": {1500.0}}
    assert unit_mismatch("Amini was 32 years old.", "Amini, a 22-year-old woman, died.")
    assert not unit_mismatch("Amini was 22 years old.", "Amini, a 22-year-old woman, died.")
    assert not unit_mismatch("It cost 32 dollars.", "It lasted 22 years.")


def test_checkworthiness_words_are_words_and_pairs_with_digits_masked():
    assert words("Taxes rose 5% in 2019") >= {"taxes", "rose", "#", "rose_#", "in_#"}


def _messages(system, user):
    return [SystemMessage(content=system), HumanMessage(content=user)]


def test_fake_llm_extracts_window_sentences_and_judges_by_overlap():
    article = "Iran sent drones to Russia in 2022. Short one. Is this a question about drones?"
    claims = json.loads(respond(_messages("You extract check-worthy claims.", fence(article, "ARTICLE"))))
    assert [c["source_quote"] for c in claims["claims"]] == ["Iran sent drones to Russia in 2022."]
    user = (fence("Iran sent drones to Russia", "CLAIM") + "\n" +
            fence("(source: t)\nOil prices fell. Iran sent drones to Russia last year.", "PASSAGE 1") + "\n" +
            fence("Football scores.", "PASSAGE 2"))
    judgments = json.loads(respond(_messages("You judge stance.", user)))["judgments"]
    assert [(j["passage"], j["stance"]) for j in judgments] == [(1, "supports"), (2, "unrelated")]
    assert judgments[0]["quote"] == "Iran sent drones to Russia last year."


def test_timed_store_passes_calls_through_and_counts_them():
    class Store:
        size = 3

        def count(self):
            return 7

    watch = Stopwatch()
    store = TimedStore(Store(), watch)
    assert store.count() == 7 and store.size == 3 and set(watch.seconds) == {"store.count"}


def test_report_renders_tables_and_nested_confusion_matrices():
    result = SuiteResult(suite="x", data="d", tables=[Table(title="T", columns=["a", "m"],
                                                            rows=[{"a": 0.12345, "m": [[1, 2], [3, 4]]}])])
    text = render(result)
    assert "| 0.123 | 1 2 / 3 4 |" in text and "## bench x" in text
    assert json.loads(result.model_dump_json())["tables"][0]["rows"][0]["m"] == [[1, 2], [3, 4]]


def _flaky_model_engine(tmp_path, embedder, fake_provider):
    """An engine whose fake model answers like bench.fake_llm, except that it breaks every reply about 'Oslo'."""
    def answer(messages):
        original = messages[1].content  # the request itself, also on the re-ask
        if "Oslo" not in original:
            return respond(messages)
        if "extract check-worthy" in messages[0].content:
            return json.dumps({"claims": [{"text": "x", "source_quote": "Not in it.", "checkworthiness": 0.9}]})
        return json.dumps({"judgments": []})

    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path / "data"), "FACTCHECK_LLM__MODEL": "fake-1",
                                      "FACTCHECK_LLM__PROVIDER": fake_provider(ResponderChatModel(respond=answer))})
    return Engine(settings, overrides={"embedder": embedder})


def test_quality_suites_record_the_model_its_calls_and_what_failed(tmp_path, embedder, fake_provider):
    engine = _flaky_model_engine(tmp_path, embedder, fake_provider)
    (tmp_path / "CT24_checkworthy_english_dev-test.tsv").write_text(
        "Sentence_id\tText\tclass_label\n1\tTaxes rose by 5 percent in Texas in 2019.\tYes\n"
        "2\tOslo had 700,000 residents in 2020 according to the census.\tYes\n3\tThank you all so much.\tNo\n",
        encoding="utf-8")
    worthy = checkworthiness_suite.run(engine, str(tmp_path), None)
    assert worthy.info["model"] == "fake-1" and worthy.info["llm_calls"] >= 3 and worthy.info["output_tokens"] > 0
    assert (worthy.info["decided_by_engine"], worthy.info["decided_by_fallback"]) == (2, 1)
    own = next(r for r in worthy.tables[0].rows if r["predictor"].endswith("sentences it decided itself"))
    assert own["sentences"] == 2 and "offline heuristic on those sentences" in worthy.tables[0].baseline

    evidence = [{"evidence_id": f"E{i}", "evidence_label": "SUPPORTS", "article": "A", "evidence": f"Fact {i}."}
                for i in range(5)]
    rows = [{"claim_id": i, "claim": claim, "claim_label": "SUPPORTS", "evidences": evidence}
            for i, claim in (("7", "Oslo is the capital of Norway."), ("9", "Fact one holds."))]
    (tmp_path / "cf.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    stance = stance_suite.run(engine, str(tmp_path / "cf.jsonl"), None, "all")
    assert stance.info["failed_claims"] == 1 and stance.info["llm_calls"] == 3  # the broken reply is re-asked once
    assert stance.info["kind"] == "llm" and set(stance.info["prompt_versions"]) >= {"judge_stance"}
    assert stance.tables[0].rows[0]["predictor"] == stance.info["engine"] == "fake · fake-1"
