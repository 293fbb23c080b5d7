"""The CLI as a user runs it: real files, exit codes, no tracebacks (in this process, see cli_runner.py, except
where a new process is the point)."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import cli_environ, invoke
from conftest import ROOT, SEED_ARTICLE, built_once


def run_process(*args, data_dir):
    """`python -m pipeline ARGS` in a new process."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=cli_environ(data_dir),
                          capture_output=True, text=True, timeout=600)


def run_demo(base: Path, embedder) -> None:
    """`python -m pipeline demo` into base/data, as a new user's first command."""
    result = invoke(["demo"], cli_environ(base / "data"), embedder=embedder)
    assert result.returncode == 0, result.stderr
    assert "Added 11 article(s)" in result.stdout and "offline heuristic baseline" in result.stdout


@pytest.fixture
def demo_data(tmp_path_factory, worker_id, tmp_path, embedder):
    """A private copy of a data dir made by the `demo` command (run once per test run)."""
    demo = built_once(tmp_path_factory, worker_id, "cli-demo", lambda base: run_demo(base, embedder))
    shutil.copytree(demo / "data", tmp_path / "demo")
    return tmp_path / "demo"


@pytest.mark.slow(24)
def test_check_seed_article_json(demo_data, run_cli):
    result = run_cli("check", str(SEED_ARTICLE), "--json", data_dir=demo_data)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= {"run_id", "engine", "prompt_versions", "article", "claims", "usage"}
    assert doc["engine"]["kind"] == "offline" and doc["engine"]["embedding"] == "minilm-l6-int8"
    assert len(doc["claims"]) >= 8
    text = doc["article"]["text"]
    stances = set()
    for claim in doc["claims"]:
        assert text[claim["span"][0]:claim["span"][1]] == claim["source_quote"]
        assert claim["verdict"] in {"supported", "refuted", "conflicting", "not_enough_evidence"}
        for evidence in claim["evidence"]:
            assert set(evidence) >= {"chunk_id", "source", "text", "score", "stance", "quote", "grounded",
                                     "rationale"}
            if evidence["grounded"]:
                stances.add(evidence["stance"])
    assert {"supports", "contradicts"} <= stances
    assert set(doc["usage"]) >= {"llm_calls", "input_tokens", "output_tokens", "cached_calls"}

    exported = json.loads(run_cli("export", doc["run_id"], "--format", "json", data_dir=demo_data).stdout)
    reviews, report = exported.pop("reviews"), exported.pop("report")
    assert exported == doc and set(reviews) == {c["id"] for c in doc["claims"]}
    assert "AI assisted and a person decided" in report["method"]
    for fmt, marker in (("md", "## Method"), ("html", "<!DOCTYPE html>"), ("csv", "claim_id"),
                        ("claimreview", "[]")):
        out = run_cli("export", doc["run_id"], "--format", fmt, data_dir=demo_data)
        assert out.returncode == 0 and marker in out.stdout, (fmt, out.stderr)


@pytest.mark.slow(14)
def test_a_check_in_a_new_process_reads_the_sentence_vectors_earlier_processes_stored(demo_data, run_cli):
    def stored() -> int:
        with sqlite3.connect(demo_data / "cache" / "vectors.sqlite") as conn:
            return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    after_demo = stored()
    assert after_demo > 100  # the `demo` command's check kept its passages' sentences for every later process
    first = json.loads(run_cli("check", str(SEED_ARTICLE), "--json", data_dir=demo_data).stdout)  # this process
    after_first = stored()
    second = json.loads(run_process("check", str(SEED_ARTICLE), "--json", data_dir=demo_data).stdout)  # a new one
    assert after_first > after_demo and stored() == after_first  # keys are stable across processes
    judged = [[(e["chunk_id"], e["stance"], e["quote"]) for e in c["evidence"]] for c in first["claims"]]
    assert judged == [[(e["chunk_id"], e["stance"], e["quote"]) for e in c["evidence"]] for c in second["claims"]]


def test_check_from_stdin(demo_data, run_cli):
    article = "Mahsa Amini was 32 years old when she died in the custody of the morality police in 2022."
    result = run_cli("check", "-", data_dir=demo_data, stdin=article)
    assert result.returncode == 0, result.stderr
    assert "REFUTED" in result.stdout or "CONFLICTING" in result.stdout


def test_search_queries_file_prints_one_json_line_per_query_in_order(demo_data, tmp_path, run_cli):
    queries = ["Su-35 pilot training", "Mahsa Amini age", "resolution 2231 adopted"]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(queries), encoding="utf-8")
    result = run_cli("search", "--queries-file", str(path), "--k", "3", "--json", data_dir=demo_data)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries
    for line in lines:
        assert len(line["hits"]) == 3
        assert set(line["hits"][0]) >= {"chunk_id", "source", "text", "score"}
    assert "Amini" in lines[1]["hits"][0]["text"]


def test_missing_file_is_one_line_without_traceback(tmp_path, run_cli):
    result = run_cli("check", str(tmp_path / "nope.txt"), data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "is not a file" in result.stderr


def test_openai_without_key_is_one_line(tmp_path, run_cli):
    result = run_cli("check", str(SEED_ARTICLE), data_dir=tmp_path, FACTCHECK_LLM__PROVIDER="openai")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "OPENAI_API_KEY" in result.stderr and result.stderr.strip().count("\n") == 0


def test_export_unknown_run(tmp_path, run_cli):
    result = run_cli("export", "20990101-000000-deadbeef", data_dir=tmp_path)
    assert result.returncode == 1 and "No run" in result.stderr and "Traceback" not in result.stderr


def test_ingest_reports_bad_files_and_exit_code(tmp_path, run_cli):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Iran admitted in November 2022 that it sent drones to Russia.", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = run_cli("ingest", str(folder), data_dir=tmp_path / "data")
    assert result.returncode == 3
    assert "Added 1 article(s)" in result.stdout and "bad.txt" in result.stderr and "binary" in result.stderr


def test_ingest_skips_a_file_that_repeats_another_and_says_so(tmp_path, run_cli):
    """Issue 10's reproduction: two files that clean to the same text used to end in DuplicateIDError, exit 1."""
    folder = tmp_path / "archive"
    folder.mkdir()
    text = "Fact check: the claim\n\nA viral post says Iran sent 1,000 drones to Russia in 2022; records show fewer."
    (folder / "one.txt").write_text(text, encoding="utf-8")
    (folder / "two.txt").write_text(text, encoding="utf-8")
    (folder / "three.txt").write_text(text + " \n", encoding="utf-8")  # differs only by trailing whitespace
    (folder / "four.txt").write_text("Other check\n\nThe deal was agreed in Vienna on 14 July 2015.", encoding="utf-8")
    result = run_cli("ingest", str(folder), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "Added 2 article(s)" in result.stdout and "skipped 2 duplicate(s)" in result.stdout
    assert "skipped duplicate: two.txt (same text as one.txt)" in result.stderr
    assert "ingesting: 4/4" in result.stderr and "files/s" in result.stderr and "Traceback" not in result.stderr
    listed = run_cli("articles", data_dir=tmp_path / "data")
    assert len(listed.stdout.splitlines()) == 2
    assert len(run_cli("articles", "--search", "vienna", data_dir=tmp_path / "data").stdout.splitlines()) == 0
    assert "Other check" in run_cli("articles", "--search", "other", data_dir=tmp_path / "data").stdout


def test_doctor_and_reindex_commands(tmp_path, run_cli):
    folder, data = tmp_path / "refs", tmp_path / "data"
    folder.mkdir()
    (folder / "a.txt").write_text("Drones\n\nIran supplied Russia with Shahed-136 drones in 2022.", encoding="utf-8")
    assert run_cli("ingest", str(folder), data_dir=data).returncode == 0
    healthy = run_cli("doctor", data_dir=data)
    assert healthy.returncode == 0 and "No drift" in healthy.stdout
    for path in (data / "index").glob("*/catalog.sqlite*"):
        path.unlink()
    drifted = run_cli("doctor", "--check-only", data_dir=data)
    assert drifted.returncode == 3 and "1 stored article(s) missing from the catalog" in drifted.stdout
    repaired = run_cli("doctor", data_dir=data)
    assert repaired.returncode == 0 and "Repaired: 1 row(s)." in repaired.stdout
    rebuilt = run_cli("reindex", data_dir=data)
    assert rebuilt.returncode == 0 and "keyword index (1 passages)" in rebuilt.stdout, rebuilt.stderr
    searched = run_cli("search", "Shahed", "--json", data_dir=data)
    assert json.loads(searched.stdout)["hits"][0]["title"] == "Drones"


def test_the_in_process_runner_shows_what_a_new_process_would(tmp_path, run_cli, monkeypatch):
    """A warning, a log record, a C library's write to fd 2 and a usage error reach the result as from a child."""
    import logging
    import os
    import warnings

    from pipeline import cli

    def noisy(args, engine) -> int:
        print("listed")
        warnings.warn("a stray warning", UserWarning, stacklevel=1)
        logging.getLogger("some.library").warning("a stray log line")
        os.write(2, b"written by C\r\n")
        return 3

    monkeypatch.setattr(cli, "cmd_runs", noisy)
    result = run_cli("runs", data_dir=tmp_path)
    assert result.returncode == 3 and result.stdout == "listed\n"
    assert "UserWarning: a stray warning" in result.stderr and "a stray log line\n" in result.stderr
    assert "written by C\n" in result.stderr
    usage = run_cli("--no-such-option", data_dir=tmp_path)
    child = run_process("--no-such-option", data_dir=tmp_path)
    assert usage.returncode == child.returncode == 2 and "error: " in usage.stderr
    assert (usage.stdout, usage.stderr) == (child.stdout, child.stderr)
