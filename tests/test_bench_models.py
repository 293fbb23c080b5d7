"""The fitting code, the offline cues it relies on, and the fake LLM and timing helpers of the speed suite."""

import json

import numpy as np
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from bench.fake_llm import respond
from bench.fitting import balanced_weights, fit_softmax
from bench.profiling import Stopwatch, TimedStore
from bench.report import SuiteResult, Table, render
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
