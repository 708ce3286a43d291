"""X's budget against X's own counting library, npm's twitter-text (the judge, run once per
session by tests/twittertext/judge.py): the same weighted length, the same verdict on the
280 limit and the same links, for a hand-written corpus of hard texts and for thousands
of texts that Hypothesis builds from hard pieces."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.providers.counting import measure, x_weighted_length
from advocacy.providers.linkshape import DATA_FILE
from advocacy.providers.urls import x_urls
from tests.fakes import x as fake_x
from tests.twittertext.corpus import PIECES, SEPARATORS, X_CORPUS, random_corpus
from tests.twittertext.judge import HERE, require_twitter_text

pytestmark = pytest.mark.slow


def _agree(judge, text: str) -> None:
    verdict = judge(text)
    ours = measure("x", text)
    normal = unicodedata.normalize("NFC", text)
    links = [normal[start:end] for start, end in x_urls(normal)]
    assert (ours.used, links) == (verdict.weighted_length, verdict.urls), (
        f"{text!r}: ours {ours.used} {links}, twitter-text {verdict.weighted_length} "
        f"{verdict.urls}")
    # valid also needs a non-empty text without U+FFFE, U+FEFF, U+FFFF; the limit is ours.
    assert ours.over == (verdict.weighted_length > 280)


@pytest.mark.parametrize("text", X_CORPUS, ids=[f"c{i}" for i in range(len(X_CORPUS))])
def test_hard_texts_count_as_on_x(twitter_text, text):
    _agree(twitter_text, text)


_ALPHABET = st.characters(codec="utf-8")  # any code point but lone surrogates
_PIECE = st.one_of(st.sampled_from(PIECES), st.text(_ALPHABET, max_size=3),
                   st.sampled_from(["a" * 250, "日" * 130, "😀" * 100]))
_TEXTS = st.lists(st.tuples(_PIECE, st.sampled_from(SEPARATORS)), min_size=1, max_size=16).map(
    lambda parts: "".join(piece + separator for piece, separator in parts))


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_generated_texts_count_as_on_x(twitter_text, text):
    _agree(twitter_text, text)


def test_the_examples_of_the_issue(twitter_text):
    """Texts that X refused although the app said they fit, and the bare domains it
    counts as links: the judge and we now say the same."""
    domains = " ".join(f"t{i}.io/x s{i}.com" for i in range(8))  # 119 characters
    assert x_weighted_length(domains) == twitter_text(domains).weighted_length == 16 * 23 + 15
    long_bare = "Mehr: example.com/" + "a" * 274  # 292 characters
    assert x_weighted_length(long_bare) == twitter_text(long_bare).weighted_length == 6 + 23


def test_the_fake_x_counts_like_twitter_text(twitter_text):
    """The fake X server has its own implementation (it shares no code with the app), held
    to the same judge."""
    for text in [*X_CORPUS, *random_corpus(seed=16, count=1500)]:
        verdict = twitter_text(text)
        normal = unicodedata.normalize("NFC", text)
        links = [normal[start:end] for start, end in fake_x._urls(normal)]
        assert (fake_x.weighted_length(text), links) == (verdict.weighted_length, verdict.urls), (
            text)
        assert fake_x.has_url(normal) == bool(verdict.urls)


def test_the_facts_file_is_what_twitter_text_says():
    """static/js/counting-data.js holds twitter-text's own TLDs, weights and emoji."""
    require_twitter_text()
    printed = subprocess.run(["node", str(HERE / "facts.js")], cwd=HERE, capture_output=True,
                             text=True, encoding="utf-8", check=True, timeout=120).stdout
    assert printed == DATA_FILE.read_text("utf-8"), (
        "static/js/counting-data.js is out of date: "
        "node tests/twittertext/facts.js > static/js/counting-data.js")
