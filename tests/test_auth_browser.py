"""Sign-in end to end: chromium, `streamlit run` and a real OpenID Connect provider (oidc-provider-mock) on loopback."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import cli_environ
from conftest import ROOT, free_port

from bench.serving import ARGS, CHROMIUM, wait_until_serving
from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.loaders import load_text
from pipeline.run import check_article

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from streamlit_page import explained_failure, needs_chromium, wait_idle  # noqa: E402

expect.set_options(timeout=60_000)
pytestmark = needs_chromium
KEY, CLIENT_SECRET, COOKIE_SECRET = "sk-test-SECRET-abcdef1234567890", "client-secret-4f1d9a", "cookie-secret-77e2c1"
USERS = [("rita", {"email": "rita@example.org", "groups": ["desk"]}),
         ("ed", {"email": "ed@example.org", "groups": ["desk", "desk-editors"]})]
ARTICLE = ("Iran supplied Shahed drones to Russia in 2022, officials said. The UN Security Council met on "
           "9 December 2022 to discuss the nuclear deal.")


def start_app(data_dir: Path, secrets: Path, port: int, log: Path) -> subprocess.Popen:
    """`streamlit run app.py` with sign-in configured, on 127.0.0.1 (the browser uses the name localhost)."""
    env = cli_environ(data_dir, FACTCHECK_LLM__PROVIDER="offline", FACTCHECK_LLM__API_KEY=KEY,
                      FACTCHECK_AUTH__SIGN_IN="true", FACTCHECK_AUTH__REVIEWERS='["group:desk"]',
                      FACTCHECK_AUTH__EDITORS='["group:desk-editors"]')
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true",
                                 "--secrets.files", str(secrets)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", log)
    except RuntimeError:
        proc.terminate()
        raise
    return proc


def sign_in(page, app: str, user: str) -> None:
    page.goto(app)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(user)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/**")


def sign_out(page, app: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    end = page.get_by_role("button", name="End session")
    end.wait_for()
    end.click()
    page.goto(app)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


@pytest.mark.slow(33)
def test_sign_in_as_reviewer_then_editor_in_a_real_browser(tmp_path, demo_store_dir, embedder):
    data = tmp_path / "data"
    shutil.copytree(demo_store_dir, data)
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(data), "FACTCHECK_LLM__PROVIDER": "offline"})
    check_article(load_text(ARTICLE, title="Short"), Engine(settings, overrides={"embedder": embedder}))
    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in USERS]
    port, log = free_port(), tmp_path / "streamlit.log"
    app = f"http://localhost:{port}"
    with oidc_provider_mock.run_server_in_thread(port=0, user_claims=users) as provider:
        issuer = f"http://localhost:{provider.server_port}"
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(f'[auth]\nredirect_uri = "{app}/oauth2callback"\ncookie_secret = "{COOKIE_SECRET}"\n'
                           f'client_id = "factcheck"\nclient_secret = "{CLIENT_SECRET}"\n'
                           f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n')
        proc = start_app(data, secrets, port, log)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(60_000)
                with explained_failure(page, tmp_path):
                    page.goto(f"{app}/library")  # nothing is shown before signing in
                    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
                    expect(page.get_by_text("In the library")).to_have_count(0)

                    sign_in(page, app, "rita")
                    expect(page.get_by_text("Signed in as rita@example.org · reviewer")).to_be_visible()
                    page.goto(f"{app}/library")
                    expect(page.get_by_text("Adding and removing reference articles is for editors")).to_be_visible()
                    expect(page.get_by_text("Remove an article")).to_have_count(0)
                    page.goto(f"{app}/reports")
                    expect(page.get_by_text("Publishing reports is for editors")).to_be_visible()
                    expect(page.get_by_role("button", name="Markdown")).to_have_count(0)
                    sign_out(page, app)
                    page.goto(f"{app}/reports")  # the session really ended: the page is closed again
                    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
                    expect(page.get_by_text("Publishing reports is for editors")).to_have_count(0)

                    sign_in(page, app, "ed")
                    expect(page.get_by_text("Signed in as ed@example.org · editor")).to_be_visible()
                    page.goto(f"{app}/reports")
                    expect(page.get_by_role("button", name="Markdown")).to_be_visible()
                    page.goto(f"{app}/library")
                    wait_idle(page)  # a tick made while the page still runs can be lost (the Remove button stays off)
                    page.get_by_text("Remove an article").click()
                    page.get_by_text("Yes, remove it from the library").click()
                    wait_idle(page)
                    page.get_by_role("button", name="Remove", exact=True).click()
                    expect(page.get_by_text("Removed ")).to_be_visible()
                    sign_out(page, app)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert Engine(settings, overrides={"embedder": embedder}).store.catalog.count() == 10
    logged = log.read_text()
    assert all(secret not in logged for secret in (KEY, CLIENT_SECRET, COOKIE_SECRET))
