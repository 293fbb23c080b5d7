"""The app's access rules through AppTest: upload limits that agree with ingest, XSRF kept on."""

import tomllib

from conftest import ROOT
from streamlit.testing.v1 import AppTest

APP = str(ROOT / "app.py")


def uploader_limits(page: str) -> list[int]:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return [u.proto.max_upload_size_mb for u in at.get("file_uploader")]


def test_uploaders_take_their_limit_from_ingest_max_file_mb(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")
    assert uploader_limits("ui/pages/library.py") == [20]
    monkeypatch.setenv("FACTCHECK_INGEST__MAX_FILE_MB", "5")
    assert uploader_limits("ui/pages/check.py") == [5]


def test_xsrf_protection_stays_on_and_the_app_binds_to_loopback():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["enableXsrfProtection"] is True and server["address"] == "127.0.0.1"
    assert server["maxUploadSize"] >= 20
