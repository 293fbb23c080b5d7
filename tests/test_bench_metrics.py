"""Benchmark metrics on small hand-made cases whose answers are worked out by hand."""

import pytest

from bench.metrics import (
    accuracy,
    binary_scores,
    confusion_matrix,
    macro_f1,
    per_label_scores,
    percentile,
    ranking_scores,
    recall_at_k,
    reciprocal_rank,
)


def test_recall_at_k_counts_the_share_of_gold_items_in_the_top_k():
    ranked = ["a", "b", "c", "d", "e", "f"]
    assert recall_at_k(ranked, {"b", "f"}, 5) == 0.5
    assert recall_at_k(ranked, {"b", "f"}, 6) == 1.0
    assert recall_at_k(ranked, {"x"}, 5) == 0.0
    assert recall_at_k(["a"], {"a", "b", "c", "d"}, 5) == 0.25
    with pytest.raises(ValueError):
        recall_at_k(ranked, set(), 5)


def test_reciprocal_rank_uses_the_first_gold_hit_within_k():
    ranked = ["a", "b", "c", "d"]
    assert reciprocal_rank(ranked, {"c", "d"}, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"a"}, 10) == 1.0
    assert reciprocal_rank(ranked, {"d"}, 3) == 0.0
    assert reciprocal_rank([], {"a"}, 10) == 0.0


def test_ranking_scores_average_over_queries():
    runs = [(["a", "b", "c", "d", "e", "f"], {"a", "f"}),   # R@5 .5, R@10 1, RR 1
            (["x", "y", "g"], {"g"}),                        # R@5 1, R@10 1, RR 1/3
            (["x"], {"z"})]                                  # all 0
    scores = ranking_scores(runs)
    assert scores.queries == 3
    assert scores.recall_at_5 == pytest.approx(0.5)
    assert scores.recall_at_10 == pytest.approx(round(2 / 3, 4))
    assert scores.mrr_at_10 == pytest.approx(round((1 + 1 / 3) / 3, 4))


def test_confusion_matrix_rows_are_gold_and_columns_predicted():
    labels = ["S", "R", "N"]
    gold = ["S", "S", "R", "N", "N", "N"]
    pred = ["S", "N", "S", "N", "N", "R"]
    assert confusion_matrix(gold, pred, labels) == [[1, 0, 1], [1, 0, 0], [0, 1, 2]]
    with pytest.raises(ValueError):
        confusion_matrix(["S"], [], labels)


def test_per_label_scores_macro_f1_and_accuracy_from_a_confusion_matrix():
    labels = ["S", "R", "N"]
    matrix = [[1, 0, 1], [1, 0, 0], [0, 1, 2]]
    scores = per_label_scores(matrix, labels)
    # S: tp 1, predicted 2, support 2 -> P .5 R .5 F1 .5; R: never right -> 0; N: tp 2, predicted 3, support 3
    assert (scores["S"].precision, scores["S"].recall, scores["S"].f1, scores["S"].support) == (0.5, 0.5, 0.5, 2)
    assert scores["R"].f1 == 0.0 and scores["R"].support == 1
    assert scores["N"].precision == pytest.approx(0.6667) and scores["N"].f1 == pytest.approx(0.6667)
    assert macro_f1(matrix, labels) == pytest.approx(round((0.5 + 0 + 2 / 3) / 3, 4), abs=1e-4)
    assert accuracy(matrix) == 0.5


def test_majority_class_gets_the_textbook_macro_f1():
    labels = ["S", "R", "N"]
    gold = ["N"] * 6 + ["S"] * 3 + ["R"]
    matrix = confusion_matrix(gold, ["N"] * 10, labels)
    # N: P .6, R 1 -> F1 .75; S and R: 0 -> macro .25
    assert macro_f1(matrix, labels) == 0.25 and accuracy(matrix) == 0.6


def test_binary_scores_of_the_positive_class():
    gold = ["Yes", "Yes", "No", "No", "Yes"]
    pred = ["Yes", "No", "Yes", "No", "Yes"]
    scores = binary_scores(gold, pred, "Yes")
    assert (scores.precision, scores.recall, scores.support) == (pytest.approx(0.6667), pytest.approx(0.6667), 3)
    everything = binary_scores(gold, ["Yes"] * 5, "Yes")
    assert everything.precision == 0.6 and everything.recall == 1.0 and everything.f1 == 0.75


def test_percentile_interpolates_between_order_statistics():
    values = [4.0, 1.0, 3.0, 2.0, 5.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 5.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_a_scale_store_already_at_its_size_is_measured_again_without_writing():
    from bench.scale_store import GrowthSegment

    assert GrowthSegment(from_chunks=1_000, to_chunks=1_000, seconds=0.0).row()["chunks"] == "1,000 (already stored)"
    grown = GrowthSegment(from_chunks=0, to_chunks=512, seconds=2.0, batch_ms=[900.0, 1100.0]).row()
    assert grown["chunks/s"] == 256 and grown["batch ms p50"] == 1000


def test_the_embedding_ceiling_reports_the_same_passages_against_the_machines_gemm_speed():
    from bench.embedding_ceiling import DENSE_FLOP_PER_TOKEN, ceiling, op_profile, simplified_vs_exported

    # all-MiniLM-L6-v2: 6 layers of Q, K, V, output (384 x 384) and feed-forward (384 x 1536, 1536 x 384) products
    assert DENSE_FLOP_PER_TOKEN == 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)
    [row] = ceiling(8, 1, target=150.0, gemm_seconds=0.5).rows  # checks the table, not the speed
    assert row["embedding chunks/s"] > 0 and 0 < row["share of GEMM speed"] < 1.5
    profile = op_profile(4).rows
    assert profile[0]["operator"] == "MatMul" and sum(r["share of kernel time"] for r in profile) <= 1.001
    assert "IsNaN" not in {r["operator"] for r in profile}  # it profiles the graph the embedder loads
    before, now = simplified_vs_exported(4, 1).rows
    assert before["model graph"].startswith("graph as exported") and now["min cosine to before"] >= 0.99999
