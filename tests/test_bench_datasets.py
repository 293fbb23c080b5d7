"""Dataset readers: the CheckThat! line quirk, CSV-style quoting, the hash split, missing data."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from bench.datasets import (
    in_tuning_half,
    parse_checkthat_line,
    read_checkthat,
    read_climate_fever,
    split_claims,
    unique_evidence,
)
from pipeline.errors import InputError

HEADER = "Sentence_id\tText\tclass_label\n"


def test_a_line_holding_two_records_is_split_not_crashed_on():
    records, ok = parse_checkthat_line("24098\tWe've got to invest and grow.\tNo29286\tYou can't bring back jobs.\tNo")
    assert ok
    assert [(r.sentence_id, r.text, r.label) for r in records] == [
        ("24098", "We've got to invest and grow.", "No"), ("29286", "You can't bring back jobs.", "No")]


def test_csv_style_quotes_are_removed_from_the_text():
    records, ok = parse_checkthat_line('26\t"You know, I saw a movie - ""Crocodile Dundee."""\tNo')
    assert ok and records[0].text == 'You know, I saw a movie - "Crocodile Dundee."'


def test_unreadable_lines_are_reported_not_fatal():
    assert parse_checkthat_line("12\tA sentence without a label") == ([], False)
    records, ok = parse_checkthat_line("12\tA sentence.\tMaybe")
    assert records == [] and not ok


def test_reading_a_file_with_the_quirk_and_a_broken_line(tmp_path):
    (tmp_path / "CT24_checkworthy_english_train.tsv").write_text(
        HEADER + "1\tTaxes rose 5%.\tYes\n2\tHello.\tNo3\tWe cut taxes.\tYes\n4\tbroken\n\n5\tOk.\tNo\n",
        encoding="utf-8")
    data = read_checkthat("train", tmp_path)
    assert [(s.sentence_id, s.label) for s in data.sentences] == [("1", "Yes"), ("2", "No"), ("3", "Yes"),
                                                                   ("5", "No")]
    assert data.skipped_lines == 1


def test_missing_data_says_where_it_looked(tmp_path):
    with pytest.raises(InputError) as error:
        read_checkthat("dev-test", tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in error.value.user_message()


def _claim(claim_id, labels):
    return {"claim_id": claim_id, "claim": f"claim {claim_id}", "claim_label": "SUPPORTS",
            "evidences": [{"evidence_id": f"Art:{claim_id}{i}", "evidence_label": label, "article": "Art",
                           "evidence": f"sentence {claim_id}{i}"} for i, label in enumerate(labels)]}


def test_climate_fever_reader_gold_sentences_and_the_split(tmp_path):
    path = tmp_path / "cf.jsonl"
    rows = [_claim(str(i), ["SUPPORTS", "NOT_ENOUGH_INFO", "REFUTES"]) for i in range(40)]
    rows.append(_claim("nogold", ["NOT_ENOUGH_INFO"]))
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    claims = read_climate_fever(path)
    assert claims[0].gold_evidence_ids == {"Art:00", "Art:02"} and claims[-1].gold_evidence_ids == set()
    assert len(unique_evidence(claims)) == 40 * 3 + 1
    tune, test = split_claims(claims, "tune"), split_claims(claims, "test")
    assert len(tune) + len(test) == len(claims) and tune and test
    assert {c.claim_id for c in tune}.isdisjoint({c.claim_id for c in test})
    assert all(in_tuning_half(c.claim_id) for c in tune)
    # the split is a fixed hash of the id: pinned, so tuning and reporting halves can never silently swap
    assert not in_tuning_half("7") and in_tuning_half("claim-3")
    share = sum(in_tuning_half(str(i)) for i in range(2000)) / 2000
    assert 0.45 <= share <= 0.55


def test_bench_without_its_data_exits_non_zero_and_names_the_path(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pipeline", "--data-dir", str(tmp_path / "data"), "bench",
                             "retrieval", "--data", str(tmp_path / "missing")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and str(tmp_path / "missing") in result.stderr
