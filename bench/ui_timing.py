"""Review-page timings in a real browser: open the queue, open a claim, save a decision, Next flagged.

    python -m bench.ui_timing --app-root . --data-dir /tmp/ui-bench [--repeat 5]

`--app-root` may point at an older checkout (e.g. a `git worktree` of an earlier commit) to measure the
same data before and after a change. The data dir gets the seed article checked offline against the demo
corpus (32 claims) and a synthetic 300-claim run made from it. Needs Debian chromium and playwright.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.datasets import SEED_ARTICLE
from bench.serving import ARGS, CHROMIUM, wait_until_serving
from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.demo import DEMO_CORPUS
from pipeline.ingest import ingest_paths
from pipeline.loaders import load_file
from pipeline.reviews import ReviewStore
from pipeline.run import check_article
from pipeline.runs import RunStore
from pipeline.types import content_id, updated


def prepare(data_dir: Path) -> list[str]:
    """The seed-article run and a 300-claim run built from it; returns their run ids."""
    engine = Engine(load_settings(environ={"FACTCHECK_DATA_DIR": str(data_dir), "FACTCHECK_LLM__PROVIDER": "offline"}))
    ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, engine.settings.ingest)
    seed = check_article(load_file(SEED_ARTICLE), engine)
    claims = [updated(c, id=content_id(c.id, str(n))) for n in range(10) for c in seed.claims][:300]
    big = updated(seed, run_id=seed.run_id + "-x300", claims=claims)
    RunStore(engine.settings.runs_dir).save(big)
    return [seed.run_id, big.run_id]


class App:
    """`streamlit run app.py` from a checkout, on a free port, against a data dir."""

    def __init__(self, root: Path, data_dir: Path, port: int):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTCHECK_", "OPENAI_"))}
        env.update(FACTCHECK_DATA_DIR=str(data_dir), FACTCHECK_LLM__PROVIDER="offline")
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                      "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                     cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_serving(self.url)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def timed(action) -> float:
    """Milliseconds an action takes."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure(page, url: str, run_id: str, first_claim: str, reviews: ReviewStore) -> dict[str, float]:
    """One round of the four timings on one run."""
    from playwright.sync_api import expect

    queue_shown = page.get_by_role("button", name="Open claim")
    timings = {"open review page": timed(lambda: (page.goto(f"{url}/?run={run_id}"),
                                                  expect(queue_shown).to_be_visible()))}
    timings["open a claim"] = timed(lambda: (page.goto(f"{url}/?run={run_id}&claim={first_claim}"),
                                             expect(page.get_by_text("Your decision")).to_have_count(1)))
    page.get_by_label("Your name (recorded with every decision)").fill("Bench Reviewer")
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name=re.compile(r"^Explanation( \(published\))?$"))  # now / version 1
    expect(box).to_be_enabled()

    version = reviews.get(run_id, first_claim).version

    def save() -> None:
        box.fill(f"explanation {time.time()}")
        page.keyboard.press("Control+Enter")
        expect(page.get_by_text(f"(version {version + 1})")).to_be_visible()

    timings["save a decision"] = timed(save)
    before = page.url
    next_button = page.get_by_role("button", name=re.compile(r"^Next")).first  # now "Next", v1 "Next flagged ▶"
    timings["next flagged"] = timed(lambda: (next_button.click(),
                                             page.wait_for_url(lambda u: u != before and "claim=" in u),
                                             expect(page.get_by_text("Your decision")).to_have_count(1)))
    return timings


def main(argv: list[str] | None = None) -> None:
    """Prepare the data if needed, start the app from --app-root, print median timings per run size."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app-root", default=".")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    ids_file = data_dir / "ui-bench-runs.json"
    if not ids_file.exists():
        ids_file.parent.mkdir(parents=True, exist_ok=True)
        ids_file.write_text(json.dumps(prepare(data_dir)))
    run_ids = json.loads(ids_file.read_text())
    app = App(Path(args.app_root).resolve(), data_dir, args.port)
    reviews = ReviewStore(data_dir / "reviews.sqlite")
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            for run_id in run_ids:
                claims = [c["id"] for c in json.loads((data_dir / "runs" / f"{run_id}.json").read_text())["claims"]]
                rounds = [measure(page, app.url, run_id, claims[0], reviews) for _ in range(args.repeat)]
                results[f"{len(claims)} claims"] = {k: round(statistics.median(r[k] for r in rounds))
                                                    for k in rounds[0]}
            browser.close()
    finally:
        app.stop()
    print(json.dumps({"app_root": str(Path(args.app_root).resolve()), "median_ms": results}, indent=2))


if __name__ == "__main__":
    main()
