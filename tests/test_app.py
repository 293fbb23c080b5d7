"""Every page through streamlit.testing.v1.AppTest, against real stores in a temporary data dir."""

import re
import shutil

import pytest
from conftest import ROOT, checked_once, field_widget
from streamlit.testing.v1 import AppTest

from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.demo import DEMO_ARTICLE
from pipeline.loaders import load_file
from pipeline.queue import build_queue, sort_queue
from pipeline.review_types import ReportScope, ReviewStatus
from pipeline.reviews import ReviewStore
from pipeline.run import check_article
from pipeline.runs import RunStore
from ui.review_detail import FOCUS_EXPLANATION

APP = str(ROOT / "app.py")


def app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_errors(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(data))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")
    return data


@pytest.fixture(scope="module")
def checked_template(tmp_path_factory, worker_id, demo_store_dir, embedder):
    """Once per test run: the demo corpus plus one offline run of the demo article."""
    return checked_once(tmp_path_factory, worker_id, demo_store_dir, embedder, "checked-demo",
                        load_file(DEMO_ARTICLE))


@pytest.fixture
def checked(data_dir, checked_template):
    """A private copy of the checked data dir for one test."""
    shutil.copytree(checked_template[0], data_dir)
    return checked_template[1]


def flagged_claim(result):
    return next(c for c in result.claims if c.verdict.value in ("refuted", "conflicting"))


def test_review_page_without_runs_explains_the_first_steps(data_dir):
    at = no_errors(app())
    assert "No checks yet" in at.info[0].value
    assert any("offline heuristic baseline" in w.value for w in at.sidebar.warning)


def test_queue_lists_flagged_claims_first(checked):
    at = no_errors(app())
    table = at.dataframe[0].value
    assert len(table) == len(checked.claims)
    assert table["flags"].iloc[0] != "—"
    assert at.query_params["run"] == checked.run_id


def test_deep_link_opens_the_claim_and_a_decision_survives_a_restart(checked):
    claim = flagged_claim(checked)
    at = no_errors(app(run=checked.run_id, claim=claim.id))
    assert any(claim.text in h.proto.body for h in at.get("html"))
    assert field_widget(at.selectbox, "rating", claim.id).disabled  # no reviewer name yet
    at.sidebar.text_input[0].input("Ana").run()
    field_widget(at.selectbox, "rating", claim.id).select("False").run()
    no_errors(at)
    saved = ReviewStore(load_settings().reviews_db).get(checked.run_id, claim.id)
    assert saved.rating == "False" and saved.reviewer == "Ana" and saved.version == 1
    field_widget(at.text_area, "notes", claim.id).input("Year is wrong; see resolution 2231 text.").run()
    field_widget(at.radio, "status", claim.id).set_value(ReviewStatus.DONE).run()
    no_errors(at)
    restarted = no_errors(app(run=checked.run_id, claim=claim.id))  # a fresh session: restart or refresh
    assert field_widget(restarted.selectbox, "rating", claim.id).value == "False"
    assert field_widget(restarted.text_area, "notes", claim.id).value == "Year is wrong; see resolution 2231 text."
    assert field_widget(restarted.radio, "status", claim.id).value == ReviewStatus.DONE


def test_saving_the_rating_leaves_the_text_being_typed_in_its_own_widget(checked):
    """A slow rerun after pressing a rating key must not redraw the Explanation box the reviewer is typing in
    (a redrawn box loses the focus and the unsaved text, and the typed digits then act as rating keys)."""
    claim = flagged_claim(checked)
    at = no_errors(app(run=checked.run_id, claim=claim.id))
    at.sidebar.text_input[0].input("Ana").run()
    before = {w.key for w in [*at.text_area, *at.selectbox, *at.radio] if claim.id in (w.key or "")}
    next(b for b in at.button if b.key == "rate_5").click().run()
    no_errors(at)
    assert field_widget(at.selectbox, "rating", claim.id).value == "False"
    after = {w.key for w in [*at.text_area, *at.selectbox, *at.radio] if claim.id in (w.key or "")}
    redrawn = {k.split("|")[0] for k in before - after}
    assert redrawn == {"rating", "status"}  # the saved fields only (a rating moves the status to "in progress")
    field_widget(at.text_area, "explanation", claim.id).input("Amini was 22.").run()
    assert ReviewStore(load_settings().reviews_db).get(checked.run_id, claim.id).explanation == "Amini was 22."
    assert field_widget(at.selectbox, "rating", claim.id).value == "False"


def test_two_reviewers_editing_the_same_field_see_a_conflict(checked):
    claim = flagged_claim(checked)
    ana, ben = app(run=checked.run_id, claim=claim.id), app(run=checked.run_id, claim=claim.id)
    ana.sidebar.text_input[0].input("Ana").run()
    ben.sidebar.text_input[0].input("Ben").run()
    field_widget(ana.selectbox, "rating", claim.id).select("False").run()
    field_widget(ben.selectbox, "rating", claim.id).select("Mostly true").run()
    warning = next(w.value for w in ben.warning if "someone else changed" in w.value)
    assert "Ana" in warning and "False" in warning and "Mostly true" in warning
    store = ReviewStore(load_settings().reviews_db)
    assert store.get(checked.run_id, claim.id).rating == "False"
    next(b for b in ben.button if b.label.startswith("Keep mine")).click().run()
    assert store.get(checked.run_id, claim.id).rating == "Mostly true"
    assert [e.reviewer for e in store.history(checked.run_id, claim.id) if e.field == "rating"] == ["Ana", "Ben"]


def test_next_moves_through_the_claims_flagged_first(checked):
    claim = flagged_claim(checked)
    at = no_errors(app(run=checked.run_id, claim=claim.id))
    at.button(key="nav_next").click().run()
    assert at.query_params["claim"] != claim.id
    at.button(key="nav_queue").click().run()
    assert "claim" not in at.query_params and at.dataframe


def test_signed_in_user_is_the_reviewer(checked):
    claim = flagged_claim(checked)
    at = AppTest.from_file(APP, default_timeout=180)
    at.user = {"is_logged_in": True, "name": "Login User", "email": "login@example.org"}
    at.query_params["run"], at.query_params["claim"] = checked.run_id, claim.id
    at.run()
    assert any("Signed in as login@example.org" in s.value for s in at.sidebar.success)
    field_widget(at.selectbox, "rating", claim.id).select("Half true").run()
    assert ReviewStore(load_settings().reviews_db).get(checked.run_id, claim.id).reviewer == "login@example.org"


def test_library_loads_the_demo_corpus_and_lists_it(data_dir):
    at = app()
    at.switch_page("ui/pages/library.py").run()
    no_errors(at)
    assert "library is empty" in at.info[0].value
    next(b for b in at.button if b.label == "Load the demo corpus").click().run()
    assert "Added 11 article(s)" in at.success[0].value
    assert len(at.dataframe[0].value) == 11


def test_library_paste_refuses_empty_html(data_dir):
    at = app()
    at.switch_page("ui/pages/library.py").run()
    at.text_area(key="lib_text").input("<html><script>var x = 1;</script></html>").run()
    next(b for b in at.button if b.label == "Add text to the library").click().run()
    assert "no article text" in at.error[0].value


def test_check_page_runs_the_demo_article_and_opens_it_in_review(data_dir, demo_store_dir):
    shutil.copytree(demo_store_dir, data_dir)
    at = app()
    at.switch_page("ui/pages/check.py").run()
    no_errors(at)
    next(b for b in at.button if b.label == "Use the demo article").click().run()
    assert "Mahsa Amini" in at.text_area(key="check_text").value
    next(b for b in at.button if b.label == "Check article").click().run()
    no_errors(at)
    [run] = RunStore(load_settings().runs_dir).list()
    assert at.query_params["run"] == run.run_id and at.dataframe  # now on the review queue


def test_reports_page_offers_every_format(checked):
    claim = flagged_claim(checked)
    ReviewStore(load_settings().reviews_db).save(
        ReviewStore(load_settings().reviews_db).get(checked.run_id, claim.id),
        {"rating": "False", "status": "done", "explanation": "Wrong year."}, "Ana",
        [*load_settings().review.rating_scale, "Not checkable"])
    at = app()
    at.switch_page("ui/pages/reports.py").run()
    no_errors(at)
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Markdown", "HTML (self-contained)", "JSON (result + reviews)", "CSV (one row per claim)",
                      "ClaimReview JSON-LD"]
    assert at.caption[0].value.startswith("1 of")
    preview = next(m.value for m in at.markdown if m.value.startswith("# Fact-check:"))
    assert "**Rating: False**" in preview and "Wrong year." in preview and "Not yet reviewed" not in preview
    at.radio(key="report_scope").set_value(ReportScope.ALL).run()  # everything, machine suggestions marked
    preview = next(m.value for m in at.markdown if m.value.startswith("# Fact-check:"))
    assert "**Rating: False**" in preview and "Not yet reviewed" in preview


HOSTILE_TEXT = ("Officials said Iran sent <script>alert(1)</script> 500 drones to Russia in 2022. "
                "Mahsa Amini was 32 years old <img src=x onerror=alert(1)> when she died in September 2022. "
                "The deal [click](javascript:alert(1)) was signed in 2013 ![pixel](http://evil.example/p.png).")


def test_hostile_article_text_is_shown_as_text_everywhere(data_dir, demo_store_dir, embedder):
    from pipeline.loaders import load_bytes

    shutil.copytree(demo_store_dir, data_dir)
    engine = Engine(load_settings(), overrides={"embedder": embedder})
    article = load_bytes(HOSTILE_TEXT.encode(), "hostile.txt")  # titles come from file names now: a hostile one
    article = article.model_copy(update={"title": "Iran <script>alert(1)</script> drones"})
    result = check_article(article, engine)
    claim = next(c for c in result.claims if "<script>" in c.text)
    at = no_errors(app(run=result.run_id, claim=claim.id))
    bodies = [h.proto.body for h in at.get("html") if h.proto.body != FOCUS_EXPLANATION]  # our one script
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in b for b in bodies)
    for body in bodies:
        assert "<script" not in body and "<img" not in body and "javascript:" not in body.replace(
            "(javascript:alert(1))", "")
    markdown = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    unescaped = re.compile(r"(?<!\\)(<script|<img|!\[|\]\(javascript)")
    assert not [m for m in markdown if unescaped.search(m)]
    assert any("\\<script\\>" in m for m in markdown)  # shown, escaped
    queue = no_errors(app(run=result.run_id))
    assert any("<script>" in text for text in queue.dataframe[0].value["claim"])  # plain text cells


SCALE = [*load_settings().review.rating_scale, "Not checkable"]


def test_a_refused_done_is_explained_under_the_status_and_the_form_shows_what_is_stored(checked):
    claim = flagged_claim(checked)
    at = app(run=checked.run_id, claim=claim.id)
    at.sidebar.text_input[0].input("Ana").run()
    field_widget(at.radio, "status", claim.id).set_value(ReviewStatus.DONE).run()
    no_errors(at)
    assert ReviewStore(load_settings().reviews_db).get(checked.run_id, claim.id).version == 0  # nothing saved
    [status] = at.radio  # drawn anew from the store, not left on "done"
    assert status.value == ReviewStatus.UNREVIEWED
    tree = list(at.main)
    error = next(e for e in at.error if "without a rating" in e.value)
    done_button = at.button(key="decide_done")
    # The reason sits right under the status controls, not at the top of the page.
    assert [type(e).__name__ for e in tree].count("Error") == 1
    assert tree.index(error) > tree.index(status) and tree.index(error) > tree.index(done_button)
    assert "claim" in at.query_params and at.query_params["claim"] == claim.id


def test_decide_done_next_walks_the_flagged_claims_until_none_is_left(checked):
    store = ReviewStore(load_settings().reviews_db)
    queue = build_queue(checked, {}, load_settings().review.low_confidence)
    last_three = sort_queue(queue)[:3]  # the most urgent, flagged first; everything else is decided already
    for row in sort_queue(queue)[3:]:
        store.save(store.get(checked.run_id, row.claim_id), {"rating": "True", "status": "done"}, "Ben", SCALE)
    at = app(run=checked.run_id, claim=last_three[0].claim_id)
    at.sidebar.text_input[0].input("Ana").run()
    visited = []
    while "claim" in at.query_params:
        visited.append(at.query_params["claim"])
        at.button(key="rate_5").click().run()  # "False", key 5
        at.button(key="decide_done").click().run()
        no_errors(at)
    assert visited == [r.claim_id for r in last_three] and all(r.flagged for r in last_three)
    assert any("all 27 claims of this run are decided" in s.value for s in at.success)
    assert all(store.get(checked.run_id, r.claim_id).rating == "False" for r in last_three)


def test_queue_shows_who_decided_what_next_to_the_claim_and_readable_verdicts(checked):
    at = no_errors(app())
    assert list(at.dataframe[0].value.columns)[:6] == ["#", "claim", "status", "rating", "reviewer", "assignee"]
    assert "not enough evidence" in at.multiselect(key="queue_verdict").options
    assert not [o for o in at.multiselect(key="queue_verdict").options if "_" in o]
    at.switch_page("ui/pages/check.py").run()
    uploaders = at.get("file_uploader")
    assert len(uploaders) == 2  # the article, and a list of flagged claims
    assert all(u.proto.max_upload_size_mb == 20 for u in uploaders)  # they say 20MB, the ingest limit


def second_run(checked):
    """The same run saved again under another id and article title (a second article, cheaply)."""
    other = checked.model_copy(deep=True, update={"run_id": "20990101-000000-other"})
    other.article.title = "Second article"
    RunStore(load_settings().runs_dir).save(other)
    return other


def test_inbox_filters_searches_counts_and_assigns_across_runs(checked):
    other = second_run(checked)
    at = app()
    at.sidebar.text_input[0].input("Ana").run()
    at.switch_page("ui/pages/inbox.py").run()
    no_errors(at)
    total = 2 * len(checked.claims)
    assert [m.value for m in at.metric][:3] == [str(total), "0", "0"]
    assert f"{total} of {total} claims match." in [c.value for c in at.caption]
    at.multiselect(key="inbox_article").select("Second article").run()
    at.text_input(key="inbox_text").input("AMINI 32").run()
    [row] = at.dataframe[0].value.to_dict("records")
    assert "32 years old" in row["claim"] and row["open"].endswith(f"run={other.run_id}&claim={row['open'][-16:]}")
    at.radio(key="inbox_target").set_value("every row shown").run()
    next(b for b in at.button if b.label == "Assign to me").click().run()
    no_errors(at)
    assert "Assigned to Ana: 1 of 1 claims saved." in at.success[0].value
    store = ReviewStore(load_settings().reviews_db)
    claim_id = row["open"].rsplit("=", 1)[1]
    assert store.get(other.run_id, claim_id).assignee == "Ana"
    assert store.get(checked.run_id, claim_id).assignee == ""  # the same claim in the other run is untouched
    assert [e.field for e in store.history(other.run_id, claim_id)] == ["assignee"]
    next(b for b in at.button if b.label == "Set status").click().run()  # default "unreviewed": no change
    at.selectbox(key="inbox_set_status").select(ReviewStatus.DONE).run()
    next(b for b in at.button if b.label == "Set status").click().run()
    assert "without a rating" in at.warning[0].value  # said, claim by claim
    next(b for b in at.button if b.label.startswith("Mark “Not checkable”")).click().run()
    saved = store.get(other.run_id, claim_id)
    assert (saved.rating, saved.status, saved.assignee) == ("Not checkable", ReviewStatus.DONE, "Ana")
    assert "0 of 0" not in at.caption[1].value and "No claims match these filters." in [i.value for i in at.info]


def test_dashboard_counts_decisions_and_lists_the_oldest_flagged_claims(checked):
    claim = flagged_claim(checked)
    store = ReviewStore(load_settings().reviews_db)
    store.save(store.get(checked.run_id, claim.id), {"rating": "False", "status": "done"}, "Ana", SCALE)
    at = app()
    at.switch_page("ui/pages/dashboard.py").run()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["claims checked"] == str(len(checked.claims)) and metrics["decided"] == "1"
    assert metrics["median time check → decision"] != "—"
    assert len(at.get("vega_lite_chart")) == 3
    waiting = at.dataframe[0].value
    assert claim.text not in list(waiting["claim"]) and len(waiting) == min(10, int(metrics["flagged, waiting"]))
