"""Recorded model behaviour for the demo article, served by the stub server or a fake chat model."""

from __future__ import annotations

import json
import re
from pathlib import Path

from stub_openai import first_user_text, system_text

from factcheck.wiring import Engine
from pipeline.config import load_settings

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "demo_replies.json").read_text(encoding="utf-8"))
_FENCE = re.compile(r"<<<(CLAIM|PASSAGE (\d+)) (\w+)>>>\n(.*?)\n<<<END \1 \3>>>", re.DOTALL)


def fenced_blocks(user: str) -> tuple[str, list[tuple[int, str]]]:
    """The fenced claim and the numbered fenced passages of a stance prompt."""
    claim, passages = "", []
    for match in _FENCE.finditer(user):
        if match.group(1) == "CLAIM":
            claim = match.group(4)
        else:
            passages.append((int(match.group(2)), match.group(4)))
    return claim, passages


def stance_reply(user: str) -> str:
    """Judgments for every passage from the recorded table (unrelated when nothing is recorded)."""
    claim, passages = fenced_blocks(user)
    recorded = RECORDED["stances"].get(claim, [])
    judgments = []
    for number, text in passages:
        entry = next((e for e in recorded if e["when"] in text), None)
        if entry is None:
            judgments.append({"passage": number, "stance": "unrelated", "quote": "",
                              "rationale": "The passage is about something else.", "confidence": 0.8})
        else:
            judgments.append({"passage": number, "stance": entry["stance"], "quote": entry["quote"],
                              "rationale": f"The passage {entry['stance']} the claim.", "confidence": 0.9})
    return json.dumps({"judgments": judgments})


def extraction_reply() -> str:
    """The recorded claim list."""
    return json.dumps({"claims": RECORDED["claims"]})


def demo_responder(request: dict) -> str:
    """Route a chat request to the recorded extraction or stance reply."""
    if "extract check-worthy" in system_text(request):
        return extraction_reply()
    return stance_reply(first_user_text(request))  # a re-ask gets the recorded reply again


def stub_engine_for(tmp_path, embedder, demo_store_dir, base_url: str, **env: str) -> Engine:
    """An engine on a private copy of the demo store whose LLM is the server at base_url (no retries)."""
    import shutil

    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(demo_store_dir, data)
    environ = {"FACTCHECK_DATA_DIR": str(data), "FACTCHECK_LLM__BASE_URL": base_url,
               "FACTCHECK_LLM__MODEL": "stub-model", "FACTCHECK_LLM__MAX_RETRIES": "0",
               "FACTCHECK_LLM__TIMEOUT_SECONDS": "10", **env}
    return Engine(load_settings(environ=environ), overrides={"embedder": embedder})
