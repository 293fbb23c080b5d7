"""Published fact-checks: every import format, hostile input, streaming, and the `factchecks` CLI."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT

from bench.claim_matching_suite import average_precision_at_5, read_tsv
from pipeline.factcheck_import import ImportReport, read_factchecks
from pipeline.factcheck_library import clean_query
from pipeline.loaders import load_text
from pipeline.queue import FLAG_FACT_CHECKED, build_queue, sort_queue
from pipeline.report_formats import export
from pipeline.reports import load_report
from pipeline.reviews import ReviewStore
from pipeline.run import check_article
from pipeline.runs import RunStore
from pipeline.types import RunResult
from ui.factcheck_cards import factcheck_card

FIXTURES = ROOT / "tests" / "fixtures" / "factchecks"


def read(path: Path | str) -> tuple[list, ImportReport]:
    """The fact-checks of one source and the report."""
    report = ImportReport()
    return list(read_factchecks([str(path)], report)), report


@pytest.mark.parametrize("name, claims", [
    ("claimreview_object.json", ["Noise from wind turbines causes cancer."]),
    ("claimreview_list.json", ["Eating bananas exposes you to dangerous levels of radiation.",
                               "The Great Wall of China is visible from space with the naked eye."]),
    ("claimreview_graph.jsonld", ["Goldfish have a three-second memory."]),
    ("factcheck_page.html", ["Lightning never strikes the same place twice."]),
    ("feed.json", ["COVID-19 vaccines contain 5G microchips.", "Bulls are enraged by the colour red."]),
    ("factchecks.csv", ["Humans only use 10 percent of their brains.", "Le vaccin contre la grippe donne la grippe."]),
])
def test_each_format_yields_its_claimreviews(name, claims):
    factchecks, report = read(FIXTURES / name)
    assert [f.claimReviewed for f in factchecks] == claims
    assert not report.failed_sources
    assert all(f.url.startswith("https://") and f.publisher for f in factchecks)


def test_fields_are_kept():
    [wind], _ = read(FIXTURES / "claimreview_object.json")
    assert wind.reviewRating.alternateName == "False" and wind.reviewRating.ratingValue == 1
    assert (wind.reviewRating.bestRating, wind.reviewRating.worstRating) == (5, 1)
    assert (wind.author.name, wind.author.url) == ("Example Fact Check", "https://factcheck.example.org")
    assert wind.datePublished == "2024-03-12" and wind.language == "en"
    assert wind.itemReviewed.author == "A. Politician"
    assert wind.itemReviewed.appearance == ["https://video.example.com/watch/123"]
    [_, french], _ = read(FIXTURES / "factchecks.csv")
    assert (french.reviewRating.alternateName, french.language, french.author.name) == ("Faux", "fr", "CSV Checks")


def test_hostile_items_are_neutralised_or_skipped_and_counted():
    factchecks, report = read(FIXTURES / "hostile.json")
    assert report.skipped == {"not a ClaimReview": 2, "no claimReviewed text": 1, "nested too deeply": 1,
                              "rating outside its own best/worst range and no rating in words": 1}
    assert report.neutralised["unsafe url dropped"] == 2 and report.neutralised["rating outside its own range dropped"]
    bleach, scale = factchecks
    assert bleach.claimReviewed == "Drinking bleach cures infections."
    dumped = bleach.model_dump_json()
    assert "<" not in dumped and "javascript" not in dumped and "alert" not in dumped
    assert bleach.url == "" and bleach.author.name == "Evil Org" and bleach.rating == "False"
    assert scale.reviewRating.ratingValue is None and scale.rating == "False"


def test_deep_nesting_and_truncated_json_do_not_crash(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    assert read(deep)[1].skipped == {"nested too deeply": 1}
    truncated = tmp_path / "cut.json"
    truncated.write_text('[{"@type": "ClaimReview", "claimReviewed": "kept"}, {"@type": ', encoding="utf-8")
    factchecks, report = read(truncated)
    assert [f.claimReviewed for f in factchecks] == ["kept"]
    assert "malformed JSON" in report.failed_sources[str(truncated)]


# Run in a child process so its peak RSS (VmHWM) measures the reading alone: tracemalloc made this test 4x slower.
_READ_IN_A_CHILD = """
import json, sys
from pipeline.factcheck_import import ImportReport, read_factchecks
def peak():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) * 1024
before, steps = peak(), []
seen = sum(1 for _ in read_factchecks([sys.argv[1]], ImportReport(), lambda name, done, total: steps.append(done)))
print(json.dumps({"seen": seen, "steps": steps, "growth": peak() - before}))
"""


@pytest.mark.slow(12)
def test_a_100000_item_feed_is_streamed_in_bounded_memory(tmp_path):
    feed = tmp_path / "big.json"
    with open(feed, "w", encoding="utf-8") as handle:
        handle.write('{"dataFeedElement": [')
        for n in range(100_000):
            item = {"@type": "ClaimReview", "claimReviewed": f"Claim number {n} about something.",
                    "url": f"https://big.example.org/{n}", "reviewRating": {"alternateName": "False"}}
            handle.write(("," if n else "") + json.dumps({"item": [item]}))
        handle.write("]}")
    assert feed.stat().st_size > 10_000_000
    child = subprocess.run([sys.executable, "-c", _READ_IN_A_CHILD, str(feed)], capture_output=True, text=True,
                           check=True)
    read = json.loads(child.stdout)
    assert read["seen"] == 100_000
    steps = read["steps"]
    assert len(steps) >= 100 and steps == sorted(steps) and steps[-1] == feed.stat().st_size
    assert read["growth"] < feed.stat().st_size / 4  # never the whole feed in memory (json.load needs ~5x its size)


@pytest.fixture
def fixture_server():
    """The fixtures folder on a loopback HTTP server."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_cli_import_search_list_remove(tmp_path, fixture_server, run_cli):
    data = tmp_path / "data"
    local = sorted(str(p) for p in FIXTURES.iterdir() if p.name != "feed.json")
    refused = run_cli("factchecks", "import", f"{fixture_server}/feed.json", "--json", data_dir=data)
    assert "loopback" in refused.stdout + refused.stderr  # URLs go through the safe fetcher: loopback is refused
    first = run_cli("factchecks", "import", *local, f"{fixture_server}/feed.json", "--json", data_dir=data,
                    FACTCHECK_INGEST__URL_ALLOW_HOSTS='["127.0.0.1"]')
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["added"] == 11 and report["skipped"]["not a ClaimReview"] == 4  # hostile 2, html 1, graph 1
    assert "reading fact-checks" in first.stderr
    again = run_cli("factchecks", "import", *local, data_dir=data)
    assert again.returncode == 0 and "0 fact-checks added · 9 already stored" in again.stdout
    queries = tmp_path / "queries.txt"
    queries.write_text("Do wind turbines give you cancer?\nIs the Great Wall visible from space?\n"
                       "Does 5G hide in the covid jab? https://t.co/x — Some One (@someone) May 1, 2021\n",
                       encoding="utf-8")
    found = run_cli("factchecks", "search", "--queries-file", str(queries), "--json", "--k", "2", data_dir=data)
    assert found.returncode == 0, found.stderr
    lines = [json.loads(line) for line in found.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries.read_text(encoding="utf-8").splitlines()
    assert [line["hits"][0]["url"].rsplit("/", 1)[-1] for line in lines] == [
        "wind-turbines-cancer", "great-wall-space", "vaccines-5g"]
    assert all(len(line["hits"]) == 2 and line["hits"][0]["claimReviewed"] for line in lines)
    wind_id = lines[0]["hits"][0]["id"]
    removed = run_cli("factchecks", "remove", wind_id, data_dir=data)
    assert removed.returncode == 0 and "Removed 1" in removed.stdout
    listed = run_cli("factchecks", "list", "--limit", "100", "--json", data_dir=data)
    ids = [json.loads(line)["id"] for line in listed.stdout.splitlines()]
    assert len(ids) == 10 and wind_id not in ids and "10 fact-checks stored" in listed.stderr


def test_cli_bad_source_is_one_sentence(tmp_path, run_cli):
    result = run_cli("factchecks", "import", str(tmp_path / "missing.json"), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "is not a file or an http(s) URL" in result.stderr and "Traceback" not in result.stderr


ARTICLE = ("The mayor said on Tuesday that noise from wind turbines causes cancer in 40 percent of nearby residents. "
           "The council will vote on the new wind farm in March 2025, officials said.")


def test_a_check_matches_claims_flags_them_and_they_rise_in_the_queue(engine):
    report = engine.factchecks.import_sources([str(FIXTURES / "claimreview_object.json"),
                                               str(FIXTURES / "claimreview_list.json")])
    assert report.added == 3
    result = check_article(load_text(ARTICLE, source="test"), engine)
    wind, vote = result.claims
    assert len(wind.factchecks) == 3 and wind.factchecks[0].flagged
    assert wind.factchecks[0].factcheck.url.endswith("wind-turbines-cancer")
    assert [f.reason for f in wind.flags] == ["matches a fact-check rated False by Example Fact Check"]
    assert not any(m.flagged for m in vote.factchecks) and not vote.flags
    saved = RunStore(engine.settings.runs_dir).load(result.run_id)
    assert saved.claims[0].factchecks == wind.factchecks
    rows = sort_queue(build_queue(saved, {}, low_confidence=0.0))
    assert rows[0].claim_id == wind.id and FLAG_FACT_CHECKED in rows[0].flags
    assert FLAG_FACT_CHECKED not in rows[1].flags


def test_runs_saved_before_fact_checks_still_load():
    old = json.loads((ROOT / "tests" / "fixtures" / "run-v1.json").read_text(encoding="utf-8"))
    assert all(c.factchecks == [] for c in RunResult.model_validate(old).claims)


def test_exports_carry_the_accepted_match_and_the_claimreview_export_imports_back(engine, tmp_path):
    engine.factchecks.import_sources([str(FIXTURES / "claimreview_object.json")])
    result = check_article(load_text(ARTICLE, source="test"), engine)
    wind = result.claims[0]
    prior = wind.factchecks[0].factcheck
    store = ReviewStore(engine.settings.reviews_db)
    base = store.get(result.run_id, wind.id)
    store.save(base, {"rating": "False", "factcheck_basis": prior.id, "status": "done"}, "Ana",
               engine.settings.review.rating_scale)
    report = load_report(result.run_id, engine.settings)
    markdown, page = export(report, "md"), export(report, "html")
    assert "Based on a prior fact-check: Example Fact Check rated" in markdown and f"<{prior.url}>" in markdown
    assert f'<a href="{prior.url}">' in page and "Based on a prior fact-check" in page
    assert json.loads(export(report, "json"))["reviews"][wind.id]["accepted_factcheck"]["url"] == prior.url
    rows = list(csv.DictReader(io.StringIO(export(report, "csv"))))
    assert rows[0]["prior_factcheck"] == f"Example Fact Check: False {prior.url}" and rows[1]["prior_factcheck"] == ""
    claimreview = export(report, "claimreview")
    [published] = json.loads(claimreview)
    assert published["isBasedOn"]["url"] == prior.url and published["isBasedOn"]["@type"] == "ClaimReview"
    exported = tmp_path / "export.jsonld"
    exported.write_text(claimreview, encoding="utf-8")
    [back], report_back = read(exported)
    assert back.claimReviewed == wind.text and back.rating == "False"
    assert back.author.name == engine.settings.review.organisation and not report_back.skipped


def test_claim_matching_bench_reads_multiline_rows_cleans_tweets_and_scores_map(tmp_path):
    (tmp_path / "verified_claims.docs.tsv").write_text(
        '\tvclaim\ttitle\n7\t"A claim that runs\nover two lines."\tTitle 7\n8\tPlain claim.\t"Quoted ""title"""\n',
        encoding="utf-8")
    assert read_tsv(tmp_path / "verified_claims.docs.tsv") == [
        ["7", "A claim that runs over two lines.", "Title 7"], ["8", "Plain claim.", 'Quoted "title"']]
    tweet = ("Wombats are herding animals #AustralianFires pic.twitter.com/0eJtwJyS1J https://t.co/x "
             "— Center for Bio Div (@CenterForBioDiv) January 14, 2020")
    assert clean_query(tweet) == "Wombats are herding animals AustralianFires Center for Bio Div"
    assert average_precision_at_5(["a", "b", "c"], {"b"}) == 0.5
    assert average_precision_at_5(["x", "y", "z", "w", "v", "a"], {"a"}) == 0.0


def test_only_those_who_manage_the_library_may_import_or_remove_fact_checks(tmp_path):
    from pipeline.access import AccessDenied, Actor, Role, import_factchecks, remove_factchecks

    class Library:  # records what reached it
        def __init__(self):
            self.calls = []

        def import_sources(self, sources, progress=None):
            self.calls.append(("import", sources))

        def remove(self, ids):
            self.calls.append(("remove", ids))
            return len(ids)

    library = Library()
    for actor in (None, Actor(name="rita@example.org", role=Role.REVIEWER)):
        with pytest.raises(AccessDenied):
            import_factchecks(library, ["feed.json"], actor)
        with pytest.raises(AccessDenied):
            remove_factchecks(library, ["abc"], actor)
    assert library.calls == []
    editor = Actor(name="ed@example.org", role=Role.EDITOR)
    import_factchecks(library, ["feed.json"], editor)
    assert remove_factchecks(library, ["abc"], editor) == 1
    assert library.calls == [("import", ["feed.json"]), ("remove", ["abc"])]


def test_near_identical_fact_checks_of_one_publisher_are_one_card_with_the_others_linked(engine, tmp_path):
    def review(url, claim, publisher="Snopes"):
        return {"@type": "ClaimReview", "url": url, "claimReviewed": claim,
                "reviewRating": {"alternateName": "False"}, "author": {"name": publisher}}

    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([
        review("https://snopes.example/a", "U.S. President Donald Trump 'crashed' a wedding and 'groped' the bride."),
        review("https://snopes.example/b", 'U.S. President Donald Trump "crashed" a wedding and "groped" the bride.'),
        review("https://other.example/c", "U.S. President Donald Trump crashed a wedding and groped the bride.",
               publisher="Other Desk"),
        review("https://snopes.example/d", "A photograph shows a giant ammonite fossil from British Columbia.")]))
    assert engine.factchecks.import_sources([str(feed)]).added == 4
    matches = engine.factchecks.search("Trump crashed a wedding and tried to kiss the bride", k=3)
    urls = [m.factcheck.url for m in matches]
    assert len(urls) == 3 and urls[2] == "https://snopes.example/d"
    snopes = next(m for m in matches if m.factcheck.publisher == "Snopes" and "wedding" in m.factcheck.claimReviewed)
    other = {"https://snopes.example/a", "https://snopes.example/b"} - {snopes.factcheck.url}
    assert snopes.also == sorted(other)
    assert next(m for m in matches if m.factcheck.publisher == "Other Desk").also == []
    card = factcheck_card(snopes, basis=False)
    assert f'href="{snopes.also[0]}"' in card and "near-identical" in card
