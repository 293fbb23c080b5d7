"""Reviewer decisions in a real SQLite file: saving, audit trail, validation, conflicts, parallel writers."""

import threading

import pytest

from pipeline.errors import InputError
from pipeline.review_types import ReviewStatus
from pipeline.reviews import ReviewConflict, ReviewStore
from pipeline.types import Stance, VerdictLabel

SCALE = ["True", "Mostly true", "Half true", "Mostly false", "False", "Not checkable"]


@pytest.fixture
def store(tmp_path):
    return ReviewStore(tmp_path / "reviews.sqlite")


def test_first_change_saves_version_one_and_moves_to_in_progress(store):
    saved = store.save(store.get("r1", "c1"), {"rating": "False"}, "Ana", SCALE)
    assert saved.version == 1 and saved.status == ReviewStatus.IN_PROGRESS and saved.reviewer == "Ana"
    assert store.get("r1", "c1") == saved
    events = [(e.field, e.old, e.new, e.reviewer) for e in store.history("r1", "c1")]
    assert events == [("status", "unreviewed", "in_progress", "Ana"), ("rating", "", "False", "Ana")]


def test_done_needs_a_rating_and_ratings_must_be_on_the_scale(store):
    with pytest.raises(InputError, match="without a rating"):
        store.save(store.get("r", "c"), {"status": "done"}, "Ana", SCALE)
    with pytest.raises(InputError, match="not on the rating scale"):
        store.save(store.get("r", "c"), {"rating": "Pants on fire"}, "Ana", SCALE)
    assert store.get("r", "c").version == 0


def test_verdict_stance_override_and_done(store):
    review = store.save(store.get("r", "c"), {"verdict": VerdictLabel.REFUTED, "stances.chunk9": Stance.CONTRADICTS,
                                              "rating": "False", "status": ReviewStatus.DONE}, "Ana", SCALE)
    assert review.verdict == VerdictLabel.REFUTED and review.stances == {"chunk9": Stance.CONTRADICTS}
    assert review.status == ReviewStatus.DONE
    cleared = store.save(review, {"stances.chunk9": ""}, "Ana", SCALE)
    assert cleared.stances == {}
    assert [e.field for e in store.history("r")][-1] == "stances.chunk9"


def test_a_stale_save_of_the_same_field_is_a_conflict_not_an_overwrite(store):
    opened_by_ana = opened_by_ben = store.get("r", "c")
    store.save(opened_by_ana, {"rating": "False"}, "Ana", SCALE)
    with pytest.raises(ReviewConflict) as info:
        store.save(opened_by_ben, {"rating": "Mostly true"}, "Ben", SCALE)
    [conflict] = info.value.conflicts
    assert (conflict.field, conflict.theirs, conflict.mine, conflict.by) == ("rating", "False", "Mostly true", "Ana")
    assert store.get("r", "c").rating == "False"
    kept_mine = store.save(info.value.current, {"rating": "Mostly true"}, "Ben", SCALE)
    assert kept_mine.rating == "Mostly true" and kept_mine.version == 2


def test_a_stale_save_of_another_field_merges(store):
    opened_by_ana = opened_by_ben = store.get("r", "c")
    store.save(opened_by_ana, {"rating": "False"}, "Ana", SCALE)
    merged = store.save(opened_by_ben, {"notes": "Check the UN record."}, "Ben", SCALE)
    assert merged.rating == "False" and merged.notes == "Check the UN record." and merged.version == 2


def test_saving_needs_a_reviewer_name(store):
    with pytest.raises(InputError, match="reviewer name"):
        store.save(store.get("r", "c"), {"notes": "x"}, "  ", SCALE)


def test_parallel_writers_lose_nothing(tmp_path):
    path = tmp_path / "reviews.sqlite"
    errors = []

    def writer(name, claim_id):
        store = ReviewStore(path)  # its own connections, like a second app session
        for i in range(15):
            while True:
                try:
                    current = store.get("r", claim_id)
                    store.save(current, {"notes": f"{name} {i}"}, name, SCALE)
                    break
                except ReviewConflict:
                    continue  # someone saved in between: reload and retry, as the UI lets a reviewer do
                except Exception as exc:
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=writer, args=(f"w{n}", "shared" if n < 4 else f"own{n}")) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = ReviewStore(path)
    assert store.get("r", "shared").version == 4 * 15
    assert all(store.get("r", f"own{n}").version == 15 for n in range(4, 8))
    # one audit event per save, plus one automatic "in progress" per claim
    assert len(store.history("r")) == 8 * 15 + 5


def test_an_export_taken_while_someone_edits_is_consistent(tmp_path):
    from test_queue import make_run

    from pipeline.config import ReviewSettings
    from pipeline.reports import build_report

    path = tmp_path / "reviews.sqlite"
    run = make_run()
    stop = threading.Event()

    def editor():
        store = ReviewStore(path)
        i = 0
        while not stop.is_set():
            for claim in run.claims:
                store.save(store.get("r", claim.id), {"notes": f"edit {i}"}, "Ana", SCALE)
            i += 1

    thread = threading.Thread(target=editor)
    thread.start()
    try:
        checked = 0
        while checked < 40:
            reviews, events = ReviewStore(path).snapshot("r")
            report = build_report(run, reviews, events, ReviewSettings())
            for item in report.claims:
                versions = [e.version for e in events if e.claim_id == item.claim.id]
                assert item.review.version == max(versions, default=0)
            checked += 1
    finally:
        stop.set()
        thread.join()


def test_assignments_are_audited_and_bulk_saves_report_each_claim(store):
    seen_a, seen_b = store.get("r", "a"), store.get("r", "b")
    store.save(store.get("r", "b"), {"assignee": "Ben"}, "Ben", SCALE)  # meanwhile, on another screen
    outcomes = store.save_many([(seen_a, {"assignee": "Ana"}), (seen_b, {"assignee": "Ana"})], "Ana", SCALE)
    assert [(o.claim_id, o.saved) for o in outcomes] == [("a", True), ("b", False)]
    assert "Ben changed it meanwhile" in outcomes[1].reason and store.get("r", "b").assignee == "Ben"
    assigned = store.get("r", "a")
    assert assigned.assignee == "Ana" and assigned.status == ReviewStatus.UNREVIEWED  # assigning is not reviewing
    [event] = store.history("r", "a")
    assert (event.field, event.old, event.new, event.reviewer) == ("assignee", "", "Ana", "Ana")
    [refused] = store.save_many([(assigned, {"status": "done"})], "Ana", SCALE)
    assert not refused.saved and "without a rating" in refused.reason
    assert {(e.claim_id, e.field) for e in store.all_events(("assignee",))} == {("a", "assignee"), ("b", "assignee")}
    assert set(store.all_reviews()) == {("r", "a"), ("r", "b")}
