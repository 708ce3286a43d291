"""static/js/counting.js must count exactly like advocacy/providers/counting.py, and on X
both like X's own library (twitter-text, tests/twittertext).

No server needed: a blank page in the session's Chromium loads the scripts, and every
string of a corpus (the unit-test samples, the hard X texts and seeded random mixtures of
tricky pieces) is measured on every network by both sides.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advocacy.providers.counting import (
    NETWORK_RULES,
    find_urls,
    grapheme_length,
    mastodon_urls,
    measure,
    utf16_length,
    x_urls,
    x_weighted_length,
)
from advocacy.providers.little import escape_little
from tests.twittertext.corpus import X_CORPUS, random_corpus
from tests.unit.test_counting import SAMPLES

pytestmark = pytest.mark.browser

SCRIPTS = Path(__file__).resolve().parents[2] / "static" / "js"
FIELDS = ("network", "used", "limit", "unit", "bytes_used", "byte_limit", "over", "remaining")

PIECES = [
    # ASCII, German, typography
    "Hello", "world", "advocacy", "Grüße", "Gru\u0308ße", "Köln", "Ko\u0308ln", "ß", "Äpfel",
    "„Zitat“", "–", "—", "…", "€", "′", "©", "®", "™", "‼",
    # CJK, Hangul (precomposed and jamo), Thai, Devanagari conjunct, Arabic
    "日本語", "テキスト", "中文", "한국어", "\u1100\u1161\u11a8", "ภาษาไทย", "क्षत्रिय", "नमस्ते",
    "مرحبا",
    # emoji: plain, skin tones, ZWJ sequences, flags, keycaps, VS15/VS16, lone pieces
    "😀", "👍🏽", "👋🏿", "👨\u200d👩\u200d👧\u200d👦", "👩🏽\u200d💻", "🏳️\u200d🌈", "❤️", "❤\ufe0e",
    "🇩🇪", "🇺🇸", "🇪", "1\ufe0f\u20e3", "#\u20e3", "*\ufe0f\u20e3", "\u200d", "\ufe0f", "🏽",
    # combining marks, zero-width and odd spaces
    "e\u0301", "q\u0308\u0323", "\u0301", "a\u200bb", "\u00a0", "\u3000", "\u2028", "\ufeff",
    "\x1c", "\x85",
    # URLs with trailing punctuation, parentheses, quotes, www., odd case
    "https://example.com", "https://example.com/page.", "https://example.com/x)",
    "(https://example.com/y)", "https://en.wikipedia.org/wiki/Python_(programming_language)",
    "https://en.wikipedia.org/wiki/Foo_(bar)).", "http://a.co/?q=1&r=2!", "www.example.com,",
    "WWW.EXAMPLE.COM/Ä", "HTTPS://EXAMPLE.COM/日本", "'https://example.com/q'",
    '"https://example.com/r"', "<https://example.com/s>", "https://", "www.", "https://...",
    "https://example.com/" + "a" * 120,
    # separators
    "\n", "\r\n", "\t", " ", "  ",
]
CORPUS = [*dict.fromkeys([*SAMPLES, *PIECES,
                          *random_corpus(seed=20240611, count=60, pieces=PIECES)])]


@pytest.fixture(scope="module")
def counting_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(SCRIPTS / "counting-data.js"))
        page.add_script_tag(path=str(SCRIPTS / "counting.js"))
        yield page
    finally:
        context.close()


def _python(network: str, text: str, limit: int | None = None) -> dict[str, Any]:
    result = measure(network, text, limit)
    return {**dataclasses.asdict(result), "over": result.over, "remaining": result.remaining}


def _javascript(page: Any, network: str, text: str, limit: int | None = None) -> dict[str, Any]:
    result = page.evaluate("([n, t, l]) => AdvocacyCount.measure(n, t, l)",
                           [network, text, limit])
    return {field: result.get(field, "<missing>") for field in FIELDS}


@pytest.mark.parametrize("text", CORPUS, ids=[f"s{i}" for i in range(len(CORPUS))])
def test_browser_measures_like_the_server(counting_page, text):
    for network in NETWORK_RULES:
        python, javascript = _python(network, text), _javascript(counting_page, network, text)
        assert javascript == python, (
            f"{network} disagrees on {text!r}:\n  python:     {python}\n"
            f"  javascript: {javascript}")


@pytest.mark.parametrize("text", CORPUS, ids=[f"s{i}" for i in range(len(CORPUS))])
def test_browser_finds_the_same_urls(counting_page, text):
    python = [text[start:end] for start, end in find_urls(text)]
    javascript = counting_page.evaluate(
        "(t) => AdvocacyCount.findUrls(t).map(([s, e]) => t.slice(s, e))", text)
    assert javascript == python, f"URLs in {text!r}: python {python}, javascript {javascript}"


def test_length_helpers_agree(counting_page):
    for text in CORPUS:
        python = {"x": x_weighted_length(text), "graphemes": grapheme_length(text),
                  "utf16": utf16_length(text)}
        javascript = counting_page.evaluate(
            "(t) => ({x: AdvocacyCount.xWeightedLength(t),"
            " graphemes: AdvocacyCount.graphemeLength(t), utf16: AdvocacyCount.utf16Length(t)})",
            text)
        assert javascript == python, f"{text!r}: python {python}, javascript {javascript}"


def _utf16_spans(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    def units(index: int) -> int:
        return len(text[:index].encode("utf-16-le")) // 2
    return [[units(start), units(end)] for start, end in spans]


def test_a_large_corpus_agrees_with_the_server_and_twitter_text(counting_page, twitter_text):
    """Hard texts and 1,500 random mixtures at once: every network's measure, the links X
    and Mastodon see, and on X the judge's weighted length."""
    corpus = [*dict.fromkeys([*X_CORPUS, *random_corpus(seed=20261207, count=1500)])]
    javascript = counting_page.evaluate(
        """([texts, networks]) => texts.map((t) => ({
            measures: Object.fromEntries(networks.map((n) => [n, AdvocacyCount.measure(n, t)])),
            x: AdvocacyCount.xUrls(t.normalize("NFC")), mastodon: AdvocacyCount.mastodonUrls(t)
        }))""", [corpus, list(NETWORK_RULES)])
    for text, browser in zip(corpus, javascript, strict=True):
        for network in NETWORK_RULES:
            got = {field: browser["measures"][network].get(field) for field in FIELDS}
            assert got == _python(network, text), f"{network} disagrees on {text!r}"
        normal = unicodedata.normalize("NFC", text)
        assert browser["x"] == _utf16_spans(normal, x_urls(normal)), f"X links in {text!r}"
        assert browser["mastodon"] == _utf16_spans(text, mastodon_urls(text)), text
        assert browser["measures"]["x"]["used"] == twitter_text(text).weighted_length, text


def test_mastodon_instance_url_length_agrees(counting_page):
    text = "Read https://example.com/page and @alice@mastodon.social"
    for url_length in (0, 23, 40):
        browser = counting_page.evaluate(
            "([t, u]) => AdvocacyCount.measure('mastodon', t, 1000, u).used", [text, url_length])
        assert browser == measure("mastodon", text, 1000, url_length=url_length).used


def test_little_escaping_agrees(counting_page):
    for text in [*SAMPLES, "\\|{}@[]()<>*_~#", "a(b) https://example.com/(x)_y *z*"]:
        assert counting_page.evaluate("(t) => AdvocacyCount.escapeLittle(t)", text) == (
            escape_little(text))


def test_custom_limit_and_errors_agree(counting_page):
    text = "a" * 600
    for limit in (11, 500, 1000):
        assert _javascript(counting_page, "mastodon", text, limit) == _python(
            "mastodon", text, limit)
    message = counting_page.evaluate(
        "() => { try { AdvocacyCount.measure('myspace', 'hi'); return null; }"
        " catch (error) { return error.message; } }")
    assert message == "unknown network: myspace"
