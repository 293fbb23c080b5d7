"""Prior fact-checks in the app: cards in the claim detail, the basis of a decision, the Library's Fact-checks tab."""

import shutil

import pytest
from conftest import ROOT, field_widget
from test_app import app, no_errors

from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.loaders import load_text
from pipeline.reviews import ReviewStore
from pipeline.run import check_article

FIXTURES = ROOT / "tests" / "fixtures" / "factchecks"
ARTICLE = ("The mayor said on Tuesday that noise from wind turbines causes cancer in 40 percent of nearby residents. "
           "The council will vote on the new wind farm in March 2025, officials said.")


@pytest.fixture
def matched(tmp_path, monkeypatch, demo_store_dir, embedder):
    """A data dir with the demo corpus, three fact-checks and a checked article whose first claim matches one."""
    data = tmp_path / "data"
    shutil.copytree(demo_store_dir, data)
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(data))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")
    engine = Engine(load_settings(), overrides={"embedder": embedder})
    engine.factchecks.import_sources([str(FIXTURES / "claimreview_object.json"),
                                      str(FIXTURES / "claimreview_list.json")])
    return check_article(load_text(ARTICLE, source="test", title="Wind farm vote"), engine)


def test_claim_detail_shows_prior_fact_checks_and_saves_the_basis(matched):
    claim = matched.claims[0]
    wind = claim.factchecks[0].factcheck
    at = no_errors(app(run=matched.run_id, claim=claim.id))
    cards = [h.proto.body for h in at.get("html") if "fc-factcheck" in h.proto.body]
    assert len(cards) == 3
    assert "Example Fact Check" in cards[0] and "rated <b>False</b>" in cards[0] and "2024-03-12" in cards[0]
    assert f'href="{wind.url}"' in cards[0] and "Noise from wind turbines causes cancer." in cards[0]
    at.sidebar.text_input[0].input("Ana").run()
    field_widget(at.selectbox, "factcheck_basis", claim.id).select(wind.id).run()
    no_errors(at)
    store = ReviewStore(load_settings().reviews_db)
    assert store.get(matched.run_id, claim.id).factcheck_basis == wind.id
    assert ("factcheck_basis", wind.id) in [(e.field, e.new) for e in store.history(matched.run_id, claim.id)]
    again = no_errors(app(run=matched.run_id, claim=claim.id))
    assert any("basis of the decision" in h.proto.body for h in again.get("html"))


def test_library_tab_searches_and_removes_fact_checks(matched):
    at = app()
    at.switch_page("ui/pages/library.py").run()
    no_errors(at)
    assert any("3 fact-checks stored" in m.value for m in at.markdown)
    at.text_input(key="fc_query").input("Can you see the Great Wall from space?").run()
    cards = [h.proto.body for h in at.get("html") if "fc-factcheck" in h.proto.body]
    assert "Great Wall of China" in cards[0]
    wall = next(b for b in at.button if (b.key or "").startswith("fc_remove_"))
    wall.click().run()
    no_errors(at)
    engine = Engine(load_settings())
    assert engine.factchecks.count() == 2
    assert all("Great Wall" not in f.claimReviewed for f in engine.factchecks.store.page(0, 10))
