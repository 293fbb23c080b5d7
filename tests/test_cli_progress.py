"""Progress lines: rates and estimates count only what was done while the clock ran."""

import io

import pipeline.cli_progress as cli_progress
from pipeline.cli_progress import StageProgress, eta


def test_the_first_event_of_a_stage_shows_no_rate_however_much_it_reports_done(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(cli_progress.time, "monotonic", lambda: now[0])
    stream = io.StringIO()
    progress = StageProgress(stream)
    progress.show("claims", 5, 10)
    now[0] = 102.0
    progress.show("claims", 7, 10)
    first, second = stream.getvalue().splitlines()
    assert first == "checking claims: 5/10 · 0.0 s elapsed"
    assert second == "checking claims: 7/10 · 2.0 s elapsed, ~3 s left · 1.0 claims/s"


def test_eta_counts_only_items_done_since_the_clock_started():
    assert eta(4, 4, 2.0, "files") == "2.0 s elapsed · 2.0 files/s"
    assert eta(6, 10, 2.0, "files", since=4) == "2.0 s elapsed, ~4 s left · 1.0 files/s"
    assert eta(3, 10, 0.0, "files") == "0.0 s elapsed"
    assert eta(1, 1, 78.5, "windows") == "78.5 s elapsed · 78 s each"
