"""Stored problems: a code, plain values and the remote words, worded when read
(advocacy.problems); the reader's language is tested in tests/web/test_reader_language.py."""

from __future__ import annotations

import json

import pytest

from advocacy.problems import WORDS, Problem, stored_text
from advocacy.providers.api import LookupFailed, RateLimited


def test_a_problem_is_stored_as_json_and_read_back_the_same():
    problem = Problem("lookup_failed", {"network": "Mastodon"},
                      cause=Problem("unavailable_status", {"network": "Mastodon", "status": 502},
                                    "Bad gateway"))
    stored = problem.dump(500)
    assert json.loads(stored)["code"] == "lookup_failed"
    assert Problem.load(stored) == problem
    assert problem.english() == ("Mastodon could not be asked whether the post exists. "
                                 "Mastodon is not available right now (status 502). "
                                 "“Bad gateway”")


@pytest.mark.parametrize("limit", [60, 120, 300])
def test_long_remote_words_are_shortened_to_fit_the_column(limit):
    problem = Problem("refused_post", {"network": "X", "status": 400}, "é\"" * 400,
                      Problem("unreachable", {"network": "X"}, "b" * 400))
    stored = problem.dump(limit)
    assert len(stored) <= limit
    assert Problem.load(stored).code == "refused_post"


def test_an_english_sentence_stored_before_reads_as_a_generic_sentence_with_its_words():
    problem = Problem.load("The Mastodon server cannot be reached (timed out).")
    assert problem == Problem("legacy", detail="The Mastodon server cannot be reached "
                                               "(timed out).")
    assert stored_text("{not json") == f"{WORDS['legacy']} “{{not json”"
    assert Problem.load(None) is None and stored_text("") == ""


def test_an_unknown_code_or_a_missing_value_does_not_break_the_page():
    assert Problem("gone_since", {"x": 1}).english() == WORDS["unknown"]
    assert Problem("http_status").english() == "The server answered with status –."
    assert Problem("refused_access", detail="revoked").text(network="Bluesky") == \
        "Bluesky no longer accepts this account's access. “revoked”"


def test_errors_carry_their_problem_and_say_it_in_english_for_the_logs():
    error = RateLimited("slow_down", detail="Too many requests", status=429, network="X")
    assert error.problem == Problem("slow_down", {"network": "X", "status": 429},
                                    "Too many requests")
    assert str(error) == error.message == "X asks us to slow down. “Too many requests”"
    wrapped = LookupFailed("lookup_failed", cause=error.problem, network="X")
    assert wrapped.problem.cause == error.problem
