"""An interrupted run (Ctrl-C or a crash) resumes: the re-run only asks the model what it never answered."""

import signal
import subprocess
import sys
import threading
import time

import pytest
from cli_runner import cli_environ
from conftest import ROOT, ctrl_c_reaches_the_child
from llm_fixtures import demo_responder
from stub_openai import StubOpenAI, system_text

ARTICLE = str(ROOT / "pipeline" / "demo_data" / "demo-article.txt")


def settings(base_url: str) -> dict[str, str]:
    """A stub model answering one question at a time, no retries."""
    return dict(FACTCHECK_LLM__BASE_URL=base_url, FACTCHECK_LLM__MODEL="stub", FACTCHECK_RUN__CONCURRENCY="1",
                FACTCHECK_LLM__MAX_RETRIES="0")


def start_check(data_dir, base_url):
    """`python -m pipeline check` in a new process, to be interrupted."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", "check", ARTICLE], cwd=ROOT,
                            env=cli_environ(data_dir, **settings(base_url)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_reaches_the_child)


def wait_for_line(proc, prefix: str, timeout: float = 120) -> str:
    """Read the process's stderr until a line starts with prefix; returns what was read."""
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if line.startswith(prefix):
                found.set()
                return
    threading.Thread(target=read, daemon=True).start()
    assert found.wait(timeout), "".join(lines)
    return "".join(lines)


def stance_requests(stub):
    """Stance questions asked (a re-ask of the same question is not counted again)."""
    return [r for r in stub.requests if "extract check-worthy" not in system_text(r) and len(r["messages"]) == 2]


@pytest.mark.slow(12)
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "crash"])
def test_interrupted_run_resumes_from_the_cache(tmp_path, demo_store_dir, stop_signal, run_cli):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_store_dir, data)

    def slow(request):
        time.sleep(0.4)
        return demo_responder(request)

    with StubOpenAI(slow) as stub:
        proc = start_check(data, stub.base_url)
        try:
            seen = wait_for_line(proc, "checking claims: 3/5")  # printed once the third reply is cached
        except AssertionError as exc:  # say what the model was asked, for a failure seen once in a loaded run
            asked = ["extract" if "extract check-worthy" in system_text(r) else f"stance ({len(r['messages'])} msgs)"
                     for r in stub.requests]
            exc.add_note(f"the stub model received {len(asked)} requests: {asked}")
            raise
        proc.send_signal(stop_signal)
        _, err = proc.communicate(timeout=60)
        err = seen + err
        if stop_signal == signal.SIGINT:
            assert proc.returncode == 130 and "Interrupted" in err and "Traceback" not in err
        answered_before = len(stance_requests(stub))
        assert 3 <= answered_before < 5
        stub.requests.clear()
        stub.responder = demo_responder
        rerun = run_cli("check", ARTICLE, data_dir=data, **settings(stub.base_url))  # what it finds on disk
    assert rerun.returncode == 0, rerun.stderr
    asked_again = len(stance_requests(stub))
    assert not [r for r in stub.requests if "extract check-worthy" in system_text(r)]  # extraction was cached
    assert asked_again <= 5 - 3 + 1 and asked_again >= 1
    assert "5 claims (0 failed" in rerun.stdout
