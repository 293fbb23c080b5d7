"""Reply schemas stay inside OpenAI's strict subset, bounded so a looping model stops, with a token budget."""

import pytest

from llm.schemas import STRICT_KEYWORDS, STRING_KEYWORDS, longest_reply_tokens, response_schema
from pipeline.claims import extraction_schema
from pipeline.factcheck_confirm import confirmations_schema
from pipeline.stance import judgments_schema

SCHEMAS = [extraction_schema(1), extraction_schema(8), extraction_schema(40), judgments_schema(1),
           judgments_schema(5), judgments_schema(12), confirmations_schema(1), confirmations_schema(3)]


def violations(node, allowed, path="$"):
    """Every place a schema leaves the strict subset."""
    found = []
    if isinstance(node, dict):
        found += [f"{path}: keyword {key}" for key in node if key not in allowed]
        if node.get("type") == "object":
            if node.get("additionalProperties") is not False:
                found.append(f"{path}: additionalProperties must be false")
            if sorted(node.get("required", [])) != sorted(node.get("properties", {})):
                found.append(f"{path}: every property must be required")
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    found += violations(sub, allowed, f"{path}.{name}")
            elif isinstance(value, (dict, list)):
                found += violations(value, allowed, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += violations(item, allowed, f"{path}[{i}]")
    return found


def test_the_checker_catches_what_openai_rejects():
    bad = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}, "required": []}
    assert len(violations(bad, STRICT_KEYWORDS)) == 3


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__ + str(s.model_fields))
def test_every_reply_schema_is_in_openais_strict_subset(schema):
    sent = response_schema(schema)
    assert sent["strict"] is True and violations(sent["parameters"], STRICT_KEYWORDS) == []


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__ + str(s.model_fields))
def test_string_limits_add_only_length_keywords(schema):
    bounded = response_schema(schema, string_limits=True)["parameters"]
    assert violations(bounded, STRICT_KEYWORDS | STRING_KEYWORDS) == []
    assert "maxLength" in str(bounded) and "maxLength" not in str(response_schema(schema)["parameters"])


def test_lists_are_bounded_by_what_the_caller_needs():
    claims = response_schema(extraction_schema(8))["parameters"]["properties"]["claims"]
    judgments = response_schema(judgments_schema(5))["parameters"]["properties"]["judgments"]
    assert claims["maxItems"] == 8 and (judgments["minItems"], judgments["maxItems"]) == (5, 5)
    assert "origin" not in claims["items"]["properties"]  # never asked of the model


def test_the_token_budget_grows_with_the_bounds():
    assert longest_reply_tokens(judgments_schema(1)) < longest_reply_tokens(judgments_schema(5)) < 2048
    assert longest_reply_tokens(extraction_schema(8)) * 4 < longest_reply_tokens(extraction_schema(40))
