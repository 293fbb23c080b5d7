"""A Streamlit page in a real browser: waiting for its runs (a click or key that lands during one can be lost),
and failures that say what the page showed."""

from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.serving import CHROMIUM

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="needs Debian chromium (./run.sh test installs it)")

IDLE = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === "notRunning"
             && !document.querySelector('[data-testid="stStatusWidget"]')"""


def wait_idle(page) -> None:
    """Wait until Streamlit has finished running the script, including a rerun requested but not yet started."""
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=120_000)


@contextmanager
def explained_failure(page, tmp_path: Path):
    """On a failure, keep a screenshot and add the page's address, text and the server log's tail to the report."""
    try:
        yield
    except Exception as exc:
        try:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            text = page.locator("body").inner_text(timeout=5_000)
            exc.add_note(f"page: {page.url}\n--- page text (tail) ---\n{text[-3000:]}")
        except Exception as inner:  # the page itself may be what broke
            exc.add_note(f"page: unavailable ({inner})")
        logs = "".join(log.read_text(errors="replace") for log in sorted(tmp_path.glob("streamlit*.log")))
        exc.add_note(f"--- streamlit log (tail) ---\n{logs[-3000:]}")
        raise
