"""A Streamlit server and the browser that drives it, shared by `bench.ui_timing` and the browser tests."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

# Debian's chromium, headless (never `playwright install`), without the background traffic it makes by default.
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def wait_until_serving(url: str, log: Path | None = None, seconds: float = 60) -> None:
    """Return once a Streamlit server at url answers its health check; else fail with the end of its log."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not start" + (": " + log.read_text()[-2000:] if log else ""))
