"""The session's twitter-text judge (see judge.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.twittertext.judge import TwitterText, running_twitter_text


@pytest.fixture(scope="session")
def twitter_text() -> Iterator[TwitterText]:
    with running_twitter_text() as judge:
        yield judge
