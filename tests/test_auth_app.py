"""Access rules through AppTest: the role matrix, local mode, and upload limits that agree with ingest."""

import json
import shutil
import tomllib

import pytest
from conftest import ROOT, checked_once, field_widget
from streamlit.testing.v1 import AppTest

from factcheck.wiring import Engine
from pipeline.access import AccessDenied, Action, Actor, Role, publish, remove_article, role_for
from pipeline.config import AuthSettings, load_settings
from pipeline.loaders import load_text
from pipeline.reports import load_report
from pipeline.reviews import ReviewStore
from ui import identity

APP = str(ROOT / "app.py")
ARTICLE = ("Iran supplied Shahed drones to Russia in 2022, officials said. The UN Security Council met on "
           "9 December 2022 to discuss the nuclear deal.")
USERS = {"rita": {"email": "rita@example.org", "groups": ["desk"]},
         "ed": {"email": "ed@example.org", "groups": ["desk", "desk-editors"]},
         "boss": {"email": "boss@example.org", "groups": []},
         "stranger": {"email": "stranger@example.org", "groups": ["elsewhere"]}}
SIGN_IN = {"FACTCHECK_AUTH__SIGN_IN": "true", "FACTCHECK_AUTH__REVIEWERS": '["group:desk"]',
           "FACTCHECK_AUTH__EDITORS": '["group:desk-editors"]', "FACTCHECK_AUTH__ADMINS": '["boss@example.org"]'}


@pytest.fixture(scope="module")
def checked_template(tmp_path_factory, worker_id, demo_store_dir, embedder):
    """Once per test run: the demo corpus and one short checked article."""
    return checked_once(tmp_path_factory, worker_id, demo_store_dir, embedder, "checked-short",
                        load_text(ARTICLE, title="Short"))


@pytest.fixture
def checked(tmp_path, monkeypatch, checked_template):
    """A private copy of the checked data dir, with sign-in configured."""
    shutil.copytree(checked_template[0], tmp_path / "data")
    env = {"FACTCHECK_DATA_DIR": str(tmp_path / "data"), "FACTCHECK_LLM__PROVIDER": "offline", **SIGN_IN}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return checked_template[1]


def page(path: str, user: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if user:
        at.user = {"is_logged_in": True, "sub": user, **USERS[user]}
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if path:
        at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def buttons(at: AppTest) -> dict[str, bool]:
    return {b.label: b.disabled for b in at.button}


def test_roles_come_from_user_or_group_claims():
    auth = AuthSettings(**{k.split("__")[1].lower(): json.loads(v) for k, v in SIGN_IN.items()})
    assert {name: role_for(claims, auth) for name, claims in USERS.items()} == {
        "rita": Role.REVIEWER, "ed": Role.EDITOR, "boss": Role.ADMIN, "stranger": None}
    assert role_for(USERS["stranger"], auth.model_copy(update={"default_role": "reviewer"})) == Role.REVIEWER


def test_without_sign_in_nothing_is_shown_and_without_a_role_nothing_is_allowed(checked):
    at = page("")
    assert list(buttons(at)) == ["Sign in"] and not at.sidebar.text_input and not at.dataframe
    at = page("", "stranger")
    assert "stranger@example.org has no role on this desk" in at.error[0].value
    assert list(buttons(at)) == ["Sign out"] and not at.dataframe


def test_a_reviewer_decides_under_their_identity_but_cannot_publish_or_delete(checked):
    claim = checked.claims[0]
    at = page("", "rita", run=checked.run_id, claim=claim.id)
    assert any("Signed in as rita@example.org · reviewer" in s.value for s in at.sidebar.success)
    field_widget(at.selectbox, "rating", claim.id).select("Half true").run()
    store = ReviewStore(load_settings().reviews_db)
    assert store.get(checked.run_id, claim.id).reviewer == "rita@example.org"
    assert {e.reviewer for e in store.history(checked.run_id)} == {"rita@example.org"}

    reports = page("ui/pages/reports.py", "rita")
    assert not reports.get("download_button") and "Publishing reports is for editors" in reports.info[0].value
    library = page("ui/pages/library.py", "rita")
    assert "Remove" not in buttons(library) and not library.get("expander")
    assert buttons(library)["Load the demo corpus"] is True  # adding is shown, but disabled
    rita = Actor(name="rita@example.org", role=Role.REVIEWER, signed_in=True)  # forced past the UI: refused
    report = load_report(checked.run_id, load_settings())
    with pytest.raises(AccessDenied, match=r"rita@example\.org is a reviewer and may not publish reports"):
        publish(report, "md", rita)
    engine = Engine(load_settings())
    with pytest.raises(AccessDenied, match="may not add or remove reference articles"):
        remove_article(engine.store, "any", rita)
    assert engine.store.catalog.count() == 11


def test_an_editor_publishes_and_removes_an_admin_may_also_change_settings(checked):
    reports = page("ui/pages/reports.py", "ed")
    assert len(reports.get("download_button")) == 5
    library = page("ui/pages/library.py", "ed")
    library.checkbox(key="lib_remove_confirm").check().run()
    next(b for b in library.button if b.label == "Remove").click().run()
    assert any("Removed" in s.value for s in library.success)
    assert Engine(load_settings()).store.catalog.count() == 10
    matrix = {role: sorted(a.name for a in Action if Actor(name="x", role=role).can(a)) for role in Role}
    assert matrix == {Role.REVIEWER: ["DECIDE"], Role.EDITOR: ["DECIDE", "MANAGE_LIBRARY", "PUBLISH"],
                      Role.ADMIN: ["DECIDE", "MANAGE_LIBRARY", "PUBLISH", "SETTINGS"]}


@pytest.fixture
def local(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")


def test_local_mode_is_labelled_and_remembers_who_is_reviewing_across_sessions(local):
    first = page("")
    assert "Local mode" in first.sidebar.info[0].value
    first.sidebar.text_input(key="reviewer_name").input("Ana Ruiz").run()
    second = page("ui/pages/library.py")  # a new tab (or a reload) is a new session
    assert second.sidebar.text_input(key="reviewer_name").value == "Ana Ruiz"


@pytest.mark.parametrize("address, refused", [("127.0.0.1", False), ("localhost", False), ("::1", False),
                                              ("0.0.0.0", True), ("", True), (None, True), ("192.168.1.20", True),
                                              ("::", True)])
def test_local_mode_serves_only_loopback_unless_allowed(address, refused):
    assert bool(identity.address_refusal(address, AuthSettings())) is refused
    assert identity.address_refusal(address, AuthSettings(allow_remote_local_mode=True)) == ""
    assert identity.address_refusal(address, AuthSettings(sign_in=True)) == ""


def test_local_mode_on_every_interface_refuses_to_serve(local, monkeypatch):
    monkeypatch.setattr(identity, "bound_address", lambda: "0.0.0.0")
    at = page("")
    assert "Local mode has no sign-in, so it serves only this machine" in at.error[0].value
    assert not at.sidebar.text_input and not at.button


def uploader_limits(path: str) -> list[int]:
    return [u.proto.max_upload_size_mb for u in page(path).get("file_uploader")]


def test_uploaders_take_their_limit_from_ingest_max_file_mb(local, monkeypatch):
    assert uploader_limits("ui/pages/library.py") == [20, 20]  # reference files, fact-check feeds
    monkeypatch.setenv("FACTCHECK_INGEST__MAX_FILE_MB", "5")
    assert uploader_limits("ui/pages/check.py") == [5, 5]  # an article, a list of flagged claims


def test_xsrf_protection_stays_on_and_the_app_binds_to_loopback():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["enableXsrfProtection"] is True and server["address"] == "127.0.0.1"
    assert server["maxUploadSize"] >= 20


def test_the_served_app_neither_watches_its_source_nor_forces_a_full_collection_after_each_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none" and config["runner"]["postScriptGC"] is False
