"""API keys never appear in output, run files, caches, reviews, reports, backups or error messages (the CLI in
this process, its output caught as a child's would be: cli_runner.py)."""

import stat

import pytest
from conftest import ROOT
from llm_fixtures import demo_responder
from stub_openai import StubOpenAI

KEY = "sk-test-SECRET-abcdef1234567890"


@pytest.mark.slow(8)
def test_key_is_used_but_never_written_or_shown(tmp_path, run_cli):
    def cli(*args, data_dir, base_url):
        return run_cli(*args, data_dir=data_dir, FACTCHECK_LLM__BASE_URL=base_url, FACTCHECK_LLM__API_KEY=KEY,
                       FACTCHECK_LLM__MAX_RETRIES="0")

    data = tmp_path / "data"
    outputs = []
    with StubOpenAI(demo_responder) as stub:
        demo = cli("demo", data_dir=data, base_url=stub.base_url)
        assert demo.returncode == 0, demo.stderr
        outputs += [demo.stdout, demo.stderr]
        assert any(h.get("authorization") == f"Bearer {KEY}" for h in stub.headers)  # the key was really sent
        run_id = demo.stdout.split("Run ", 1)[1].split(" ", 1)[0]
        for fmt in ("md", "html", "json", "csv", "claimreview"):
            out = cli("export", run_id, "--format", fmt, data_dir=data, base_url=stub.base_url)
            outputs += [out.stdout, out.stderr]
        stub.responder = lambda request: {"status": 401, "body": {"error": {
            "message": f"Incorrect API key provided: {KEY}.", "type": "invalid_request_error"}}}
        backup = cli("backup", str(tmp_path / "backup"), data_dir=data, base_url=stub.base_url)
        outputs += [backup.stdout, backup.stderr]
        failed = cli("check", str(ROOT / "pipeline" / "demo_data" / "demo-article.txt"), "--title", "x",
                     data_dir=tmp_path / "other", base_url=stub.base_url)
        outputs += [failed.stdout, failed.stderr]
    assert failed.returncode == 1 and "rejected the API key" in failed.stderr
    assert backup.returncode == 0 and "Backed up" in backup.stdout
    assert all(KEY not in text for text in outputs)
    written = [p for p in list(data.rglob("*")) + list((tmp_path / "other").rglob("*")) if p.is_file()]
    assert written and all(KEY.encode() not in p.read_bytes() for p in written)
    backed_up = [p for p in (tmp_path / "backup").rglob("*") if p.is_file()]
    assert len(backed_up) > 10 and all(KEY.encode() not in p.read_bytes() for p in backed_up)
    # data at rest: everything the CLI created under the data dir is readable by the owner only
    assert [p for p in [data, *data.rglob("*")] if stat.S_IMODE(p.stat().st_mode) & 0o077] == []
