"""Backups: consistent while a reviewer is saving, restored into a fresh data dir with nothing lost, owner-only."""

import os
import stat
import threading

import pytest

from factcheck.wiring import Engine
from pipeline import cli
from pipeline.backup import backup
from pipeline.config import load_settings
from pipeline.review_types import Review
from pipeline.reviews import ReviewStore

SCALE = ["True", "False"]


@pytest.fixture(autouse=True)
def keep_umask():
    """The CLI tightens the process umask; give the test process its own back afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


class Reviewer(threading.Thread):
    """Saves a note on claim c{i % 40} again and again until stopped; counts the saves that returned."""

    def __init__(self, store: ReviewStore):
        super().__init__(daemon=True)
        self.store, self.saved, self.stop, self.error = store, 0, threading.Event(), None

    def run(self):
        try:
            while not self.stop.is_set():
                claim = f"c{self.saved % 40}"
                self.store.save(self.store.get("run1", claim), {"notes": f"note {self.saved}"}, "Ana", SCALE)
                self.saved += 1
        except Exception as exc:
            self.error = exc

    def wait_for(self, count: int) -> None:
        while self.saved < count and self.is_alive():
            self.stop.wait(0.005)


def owner_only(root):
    return [p for p in [root, *root.rglob("*")] if stat.S_IMODE(p.stat().st_mode) & 0o077]


def test_backup_while_a_reviewer_saves_then_restore_into_a_fresh_data_dir(demo_engine, tmp_path, embedder):
    settings = demo_engine.settings
    store = ReviewStore(settings.reviews_db)
    (settings.runs_dir).mkdir()
    (settings.runs_dir / "run1.json").write_text('{"run_id": "run1"}')
    reviewer = Reviewer(store)
    reviewer.start()
    reviewer.wait_for(30)
    before = reviewer.saved  # every one of these saves must be in the backup

    def interleave(done, total, name):  # let the reviewer save between every two files of the backup
        reviewer.wait_for(reviewer.saved + 1)

    report = backup(settings, tmp_path / "backup", interleave)
    during = reviewer.saved - before
    reviewer.stop.set()
    reviewer.join()
    assert reviewer.error is None and during >= report.files > 10

    fresh = tmp_path / "fresh"
    assert cli.main(["--data-dir", str(fresh), "restore", str(tmp_path / "backup")], Engine) == 0
    restored = ReviewStore(fresh / "reviews.sqlite")
    reviews = restored.for_run("run1")
    assert sum(r.version for r in reviews.values()) >= before
    for claim_id, review in reviews.items():  # each review and its audit trail come from the same moment
        notes = [e for e in restored.history("run1", claim_id) if e.field == "notes"]
        assert len(notes) == review.version and notes[-1].new == review.notes
    original = Engine(settings, overrides={"embedder": embedder}).store
    copy = Engine(load_settings(environ={"FACTCHECK_DATA_DIR": str(fresh), "FACTCHECK_LLM__PROVIDER": "offline"}),
                  overrides={"embedder": embedder}).store
    assert copy.count() == original.count() == 28 and copy.catalog.count() == 11
    hits = copy.keyword_search("Shahed drones Russia", 3)
    assert hits and hits == original.keyword_search("Shahed drones Russia", 3)
    vector = embedder.embed(["Iran supplied Shahed drones to Russia"])[0]
    assert [c.id for c, _ in copy.dense_search(vector, 3)] == [c.id for c, _ in original.dense_search(vector, 3)]
    assert (fresh / "runs" / "run1.json").read_text() == '{"run_id": "run1"}'
    assert owner_only(tmp_path / "backup") == [] and owner_only(fresh) == []


def test_restore_refuses_a_used_data_dir_and_a_damaged_backup(demo_engine, tmp_path, capsys):
    settings = demo_engine.settings
    ReviewStore(settings.reviews_db).save(Review(run_id="r", claim_id="c"), {"notes": "kept"}, "Ana", SCALE)
    assert cli.main(["--data-dir", str(settings.data_dir), "backup", str(tmp_path / "b")], Engine) == 0
    assert "Backed up" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(settings.data_dir), "restore", str(tmp_path / "b")], Engine) == 1
    assert "is not empty. Restore into a new data dir" in capsys.readouterr().err
    assert cli.main(["--data-dir", str(settings.data_dir), "backup", str(settings.data_dir / "b")], Engine) == 1
    assert "is inside the data dir" in capsys.readouterr().err
    (tmp_path / "b" / "data" / "reviews.sqlite").write_bytes(b"tampered")
    assert cli.main(["--data-dir", str(tmp_path / "new"), "restore", str(tmp_path / "b")], Engine) == 1
    assert "reviews.sqlite in the backup is missing or damaged" in capsys.readouterr().err
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())
