"""X's own counting library as a judge: npm's twitter-text (pinned in package.json beside
this file), run by count.js in one node process per test session and fed text after text.

bin/test installs it (`npm ci` in tests/twittertext); without node or the package the tests
that need it are skipped locally and fail in CI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support import skip_or_fail

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Verdict:
    """What twitter-text says about one text."""

    weighted_length: int
    valid: bool  # within 280 and free of invalid characters (and not empty)
    urls: list[str]  # the links it found (in the NFC form of the text)


class TwitterText:
    """A running count.js: one line of JSON in, one line of JSON out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process

    def __call__(self, text: str) -> Verdict:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(text) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"twitter-text stopped answering (exit {self._process.poll()})")
        answer = json.loads(line)
        return Verdict(answer["weightedLength"], answer["valid"], answer["urls"])


def require_twitter_text() -> None:
    """Skip (fail in CI) unless node and the twitter-text package are there."""
    problem = None
    if shutil.which("node") is None:
        problem = "node is not installed"
    elif not (HERE / "node_modules" / "twitter-text" / "package.json").exists():
        problem = "tests/twittertext/node_modules is missing (bin/test runs npm ci there)"
    if problem:
        skip_or_fail(f"twitter-text, the judge of X's counting, cannot run: {problem}")


@contextmanager
def running_twitter_text() -> Iterator[TwitterText]:
    require_twitter_text()
    process = subprocess.Popen(["node", str(HERE / "count.js")], cwd=HERE, text=True,
                               encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        yield TwitterText(process)
    finally:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
