"""Sentence spans, normalisation and verbatim location."""

from pipeline.text import (
    is_verbatim,
    locate,
    normalize,
    sentence_around,
    sentence_spans,
)


def test_sentence_spans_respect_abbreviations_and_lines():
    text = "The U.S. said on Friday that Mr. Kirby spoke. Iran denied it!\nNew line here"
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == ["The U.S. said on Friday that Mr. Kirby spoke.", "Iran denied it!", "New line here"]


def test_sentence_spans_split_after_closing_quote():
    text = "“These jets will help,” Kirby said. “We are concerned,” she said."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["“These jets will help,” Kirby said.",
                                                            "“We are concerned,” she said."]


def test_locate_exact_and_normalised_whitespace_and_quotes():
    text = "He said:  “Iran’s air force\nwill grow.” Then he left."
    assert locate("Then he left.", text) == (text.index("Then"), len(text))
    start, end = locate('"Iran\'s air force will grow."', text)
    assert text[start:end] == "“Iran’s air force\nwill grow.”"


def test_locate_returns_none_for_missing_or_empty_quote():
    assert locate("Iran sold 5,000 drones", "Iran sold hundreds of drones.") is None
    assert locate("   ", "anything") is None


def test_is_verbatim_only_forgives_whitespace_and_typography():
    passage = "The deal was agreed in Vienna\n on 14 July 2015."
    assert is_verbatim("agreed in Vienna on 14 July 2015", passage)
    assert not is_verbatim("agreed in Vienna on 14 July 2013", passage)
    assert not is_verbatim("", passage)
    assert normalize("a\u200b b  c") == "a b c"


def test_sentence_around_expands_to_whole_sentence():
    text = "First one. Second sentence is here. Third."
    start = text.index("sentence")
    assert text[slice(*sentence_around(text, start, start + 8))] == "Second sentence is here."
