"""Bad input from users, through the CLI as they run it (in this process, see cli_runner.py): one clear
sentence, non-zero exit, nothing stored."""

import functools
import json

import pytest
from pdf_maker import make_pdf


@pytest.fixture
def cli(run_cli):
    """One command on the offline engine, in this process."""
    return functools.partial(run_cli, FACTCHECK_LLM__PROVIDER="offline")


def assert_one_clear_line(result, *phrases):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(line.rstrip().endswith(".") for line in lines)
    for phrase in phrases:
        assert phrase in result.stderr


def test_50_mb_file_is_refused_naming_the_limit(tmp_path, cli):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as handle:
        handle.write(b"Iran sent drones to Russia in 2022. " * (50 * 1024 * 1024 // 36 + 1))
    assert big.stat().st_size >= 50 * 1024 * 1024
    assert_one_clear_line(cli("check", str(big), data_dir=tmp_path / "d"), "20 MB limit", "ingest.max_file_mb")
    assert_one_clear_line(cli("ingest", str(big), data_dir=tmp_path / "d"), "20 MB limit")
    assert not (tmp_path / "d" / "runs").exists()


def test_each_bad_file_gets_its_own_reason(tmp_path, cli):
    cases = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 40,
        "scan.pdf": make_pdf([]),
        "not-really.pdf": b"%PDF-1.4 garbage",
        "scripts.html": b"<html><head><script>var a = 1;</script></head><body><script>b()</script></body></html>",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = cli("check", str(path), data_dir=tmp_path / "d")
        assert_one_clear_line(result)
        assert name in result.stderr, (name, result.stderr)


def test_invalid_utf8_and_latin1_are_read(tmp_path, cli):
    latin1 = tmp_path / "latin1.txt"
    sentence = "The café in Zürich said Iran sent 400 drones to Russia in 2022, officials said."
    latin1.write_bytes(sentence.encode("latin-1"))
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"Iran sent 400 drones to Russia in 2022, officials said \xff\xfe on Friday in Vienna.")
    texts = []
    for path in (latin1, broken):
        result = cli("check", str(path), "--json", data_dir=tmp_path / "d")
        assert result.returncode == 0, result.stderr
        texts.append(json.loads(result.stdout)["article"]["text"])
    assert "café in Zürich" in texts[0] and "400 drones" in texts[1]


def test_another_language_works_and_says_the_engine_is_english_only(tmp_path, cli):
    article = ("Иран поставил России сотни беспилотников Shahed-136 летом 2022 года, заявили официальные лица США. "
               "Совет Безопасности ООН принял резолюцию 2231 20 июля 2015 года. "
               "Махса Амини умерла 16 сентября 2022 года в возрасте 22 лет, сообщили источники в Тегеране. ") * 2
    result = cli("check", "-", "--json", data_dir=tmp_path / "d", stdin=article)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert any("English-only" in n for n in doc["article"]["notices"])
