"""`python -m pipeline export` as a user runs it: rendered on a terminal, byte-for-byte in a pipe, --scope."""

import os
import pty
import re
import subprocess
import sys

from cli_runner import cli_environ
from conftest import ROOT
from test_reports import make_report

from pipeline.config import load_settings
from pipeline.report_formats import export
from pipeline.reports import load_report
from pipeline.reviews import ReviewStore
from pipeline.runs import RunStore

ANSI = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


def saved_run(data_dir):
    """The sample run saved in a data dir with its one decision, as the app would leave it."""
    environ = {"FACTCHECK_DATA_DIR": str(data_dir), "FACTCHECK_LLM__PROVIDER": "offline"}
    settings = load_settings(environ=environ)
    report = make_report()
    RunStore(settings.runs_dir).save(report.run)
    store = ReviewStore(settings.reviews_db)
    store.save(store.get("run1", "k1"), {"status": "done", "rating": "False", "explanation": "Agreed in 2015."},
               "Ana", settings.review.rating_scale)
    return settings, environ


def export_cli(environ, *args, tty=False):
    """Run the export command with stdout a pipe, or a pseudo-terminal like a user's shell."""
    command = [sys.executable, "-m", "pipeline", "export", "run1", *args]
    env = cli_environ(**environ)
    if not tty:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, env={**env, "COLUMNS": "100"}, stdout=follower,
                               stderr=subprocess.PIPE, text=True)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the command exits
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    process.wait(timeout=300)
    return output.decode("utf-8"), process.stderr.read() if process.stderr else ""


def test_markdown_on_a_terminal_is_rendered_and_in_a_pipe_is_unchanged(tmp_path):
    settings, environ = saved_run(tmp_path / "data")
    piped = export_cli(environ, "--format", "md")
    assert piped.returncode == 0, piped.stderr
    same_time = re.compile(r"generated \S+")
    assert same_time.sub("", piped.stdout) == same_time.sub("", export(load_report("run1", settings), "md"))
    assert "\\(" in piped.stdout and "1 undecided claim(s) left out" in piped.stderr  # escapes kept for files

    shown, errors = export_cli(environ, "--format", "md", "--scope", "all", tty=True)
    plain = ANSI.sub("", shown)
    assert "Fact-check: Deal <script>x</script>" in plain and "Rating: False" in plain
    assert "Not yet reviewed" in plain and "(confidence 0.60)" in " ".join(plain.split())
    assert not re.search(r"\\[()+_<>\[\]#*]", plain), plain  # no Markdown escapes left on screen
    assert "left out" not in errors
