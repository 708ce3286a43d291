"""Character budgets per network; every expected number is worked out by hand from the rules.

SAMPLES is reused by tests/browser/test_counting_agreement.py, which checks that
static/js/counting.js gives the same numbers.
"""

from __future__ import annotations

import pytest

from advocacy.providers.counting import (
    NETWORK_RULES,
    Measure,
    find_urls,
    grapheme_length,
    measure,
    utf8_length,
    utf16_length,
    x_weighted_length,
)

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 4 emoji joined by 3 ZWJ: 7 code points
FLAG = "🇩🇪"  # two regional indicators
THUMB = "👍🏽"  # thumbs up + skin tone modifier
KEYCAP = "1\ufe0f\u20e3"  # 1️⃣
WIKI = "https://en.wikipedia.org/wiki/Python_(programming_language)"

# text, X weight, grapheme clusters, UTF-16 code units, UTF-8 bytes (no URLs in these)
LENGTHS = [
    ("Hello world", 11, 11, 11, 11),
    ("", 0, 0, 0, 0),
    ("Grüße aus Köln", 14, 14, 14, 17),  # NFC: ü, ß, ö are 2 bytes each
    ("Gru\u0308ße aus Ko\u0308ln", 14, 14, 16, 19),  # NFD: X normalises first
    ("a\u0308", 1, 1, 2, 3),  # NFD ä becomes one code point on X
    ("q\u0308", 2, 1, 2, 3),  # no precomposed q̈: two code points of weight 1
    ("日本語のテキスト", 16, 8, 8, 24),  # CJK weighs 2 each
    (FAMILY, 2, 1, 11, 25),  # 4 * 4 + 3 * 3 bytes
    (FLAG, 2, 1, 4, 8),
    (THUMB, 2, 1, 4, 8),
    (KEYCAP, 2, 1, 3, 7),  # without the emoji rule it would weigh 1 + 2 + 2
    ("#\u20e3", 2, 1, 2, 4),  # keycap without VS16
    ("\u00a9", 2, 1, 1, 2),  # © is Extended_Pictographic, so an emoji cluster
    ("„Zitat“ – 5 € …", 17, 15, 15, 25),  # „ “ – weigh 1, € and … weigh 2
    ("′ — \u200d", 5, 4, 5, 11),  # U+2032, U+2014, U+200D weigh 1; the ZWJ joins the space
    ("a\r\nb\tc", 6, 5, 6, 6),  # CRLF is one cluster but two code points on X
    ("😀" * 3, 6, 3, 6, 12),
]


@pytest.mark.parametrize(("text", "x", "graphemes", "utf16", "utf8"), LENGTHS)
def test_lengths(text, x, graphemes, utf16, utf8):
    assert x_weighted_length(text) == x
    assert grapheme_length(text) == graphemes
    assert utf16_length(text) == utf16
    assert utf8_length(text) == utf8


@pytest.mark.parametrize(("text", "urls"), [
    ("https://a.co", ["https://a.co"]),
    ("Read https://example.com/page.", ["https://example.com/page"]),
    ("(see https://example.com/x)", ["https://example.com/x"]),
    ("Really?! https://example.com/x?!", ["https://example.com/x"]),
    ("https://example.com/a.b,c;d", ["https://example.com/a.b,c;d"]),
    ("'https://example.com/q' \"https://example.com/r\"",
     ["https://example.com/q", "https://example.com/r"]),
    ("<https://example.com/a>", ["https://example.com/a"]),
    ("[https://example.com/b]. {https://example.com/c}", ["https://example.com/b",
                                                          "https://example.com/c"]),
    (WIKI, [WIKI]),
    (f"({WIKI}).", [WIKI]),
    (f"{WIKI}),", [WIKI]),
    ("Go to www.example.com!", ["www.example.com"]),
    ("WWW.Example.COM/x", ["WWW.Example.COM/x"]),
    ("HTTPS://EXAMPLE.COM/X and Http://b.example", ["HTTPS://EXAMPLE.COM/X",
                                                    "Http://b.example"]),
    ("https://a.example\nhttps://b.example/path?q=1&r=2\twww.c.example",
     ["https://a.example", "https://b.example/path?q=1&r=2", "www.c.example"]),
    ("https://a.example\u3000next", ["https://a.example"]),  # ideographic space ends it
    ("https:// www. https://... ftp://example.com", []),  # nothing after the prefix
])
def test_find_urls(text, urls):
    assert [text[start:end] for start, end in find_urls(text)] == urls


def test_find_urls_reports_code_point_indices():
    assert find_urls(f"{FAMILY} https://example.com.") == [(8, 27)]


@pytest.mark.parametrize("url", [
    "https://a.co", "http://example.com", "www.example.com", WIKI,
    "https://example.com/" + "a" * 200,
])
def test_a_url_costs_23_on_x_and_mastodon_and_counts_literally_elsewhere(url):
    assert measure("x", url).used == 23
    assert measure("mastodon", url).used == 23
    assert measure("bluesky", url).used == len(url)
    assert measure("bluesky", url).bytes_used == len(url)
    assert measure("linkedin", url).used == len(url)


@pytest.mark.parametrize(("text", "x", "mastodon", "bluesky"), [
    ("Read https://example.com/page.", 5 + 23 + 1, 5 + 23 + 1, 30),
    ("(see https://example.com/x)", 5 + 23 + 1, 5 + 23 + 1, 27),
    (f"({WIKI}).", 1 + 23 + 2, 1 + 23 + 2, len(WIKI) + 3),
    ("Go to www.example.com!", 6 + 23 + 1, 6 + 23 + 1, 22),
    ("https://a.example https://b.example/path?q=1", 23 + 1 + 23, 23 + 1 + 23, 17 + 1 + 26),
    ("日本 https://example.com/日本", 4 + 1 + 23, 2 + 1 + 23, 25),  # CJK in a URL is free on X
    (f"{FAMILY}https://example.com", 2 + 23, 1 + 23, 1 + 19),
    ("https://", 8, 8, 8),  # no host: not a URL
])
def test_urls_in_text(text, x, mastodon, bluesky):
    assert measure("x", text).used == x
    assert measure("mastodon", text).used == mastodon
    assert measure("bluesky", text).used == bluesky


def test_mastodon_counts_graphemes_and_23_per_url():
    text = f"日本 {FAMILY} https://example.com/{'x' * 50}."
    assert measure("mastodon", text).used == 2 + 1 + 1 + 1 + 23 + 1


def test_x_at_the_limit_and_one_over():
    at, over = measure("x", "a" * 280), measure("x", "a" * 281)
    assert (at.used, at.limit, at.unit, at.over, at.remaining) == (280, 280, "weighted", False, 0)
    assert (over.used, over.over, over.remaining) == (281, True, -1)
    assert measure("x", "日" * 140).over is False
    assert measure("x", "日" * 140 + "a").over is True
    with_url = "a" * 256 + " https://example.com/" + "x" * 100
    assert measure("x", with_url).used == 280
    assert measure("x", with_url + "!").used == 281


def test_x_normalises_before_counting():
    assert measure("x", "a\u0308" * 280).used == 280
    assert measure("x", "a\u0308" * 280).over is False
    assert measure("mastodon", "a\u0308" * 500).over is False  # one grapheme each
    assert measure("linkedin", "a\u0308" * 1500).used == 3000  # not normalised


def test_bluesky_has_a_grapheme_and_a_byte_limit():
    fine = measure("bluesky", "a" * 300)
    assert (fine.used, fine.limit, fine.bytes_used, fine.byte_limit, fine.over) == (
        300, 300, 300, 3000, False)
    assert measure("bluesky", "a" * 301).over is True
    families = measure("bluesky", FAMILY * 120)  # 3000 bytes exactly
    assert (families.used, families.bytes_used, families.over) == (120, 3000, False)
    families = measure("bluesky", FAMILY * 150)
    assert (families.used, families.bytes_used, families.over) == (150, 3750, True)
    assert families.remaining == 150  # the grapheme budget; the byte budget is separate


def test_linkedin_counts_utf16_code_units():
    assert measure("linkedin", "😀" * 1500).used == 3000
    assert measure("linkedin", "😀" * 1500).over is False
    assert measure("linkedin", "😀" * 1500 + "a").over is True
    assert measure("linkedin", FAMILY).unit == "utf16"


@pytest.mark.parametrize("network", ["whatsapp", "email", "facebook", "xing"])
def test_networks_without_a_limit_report_graphemes(network):
    result = measure(network, f"{FAMILY} hi https://example.com/{'x' * 40}")
    assert result == Measure(network=network, used=5 + 20 + 40, limit=None, unit="graphemes")
    assert (result.over, result.remaining) == (False, None)
    assert measure(network, "a" * 100_000).over is False


def test_mastodon_instance_limit():
    assert measure("mastodon", "a" * 501).over is True
    assert measure("mastodon", "a" * 501, limit=1000).over is False
    short = measure("mastodon", "Hello world!", limit=11)
    assert (short.used, short.limit, short.over, short.remaining) == (12, 11, True, -1)


def test_unknown_network_and_bad_limit_raise():
    with pytest.raises(ValueError, match="unknown network"):
        measure("myspace", "hi")
    with pytest.raises(ValueError, match="limit"):
        measure("mastodon", "hi", limit=0)


def test_rules_are_in_one_place():
    assert set(NETWORK_RULES) == {"x", "mastodon", "bluesky", "linkedin",
                                  "whatsapp", "email", "facebook", "xing"}
    assert {name: rule.limit for name, rule in NETWORK_RULES.items() if rule.limit} == {
        "x": 280, "mastodon": 500, "bluesky": 300, "linkedin": 3000}


def test_over_checks_bytes_too():
    assert Measure("bluesky", 10, 300, "graphemes", 3001, 3000).over is True
    assert Measure("bluesky", 10, 300, "graphemes", 3000, 3000).over is False


# Strings the browser must count exactly like Python (plus the tables above).
SAMPLES = [
    *(row[0] for row in LENGTHS),
    "Read https://example.com/page.", "(see https://example.com/x)", WIKI, f"({WIKI}).",
    "Go to www.example.com!", "https://", "a" * 280, "a" * 281, "日" * 141,
    FAMILY * 150, FAMILY * 120, "😀" * 1501, "a\u0308" * 280,
    "a" * 256 + " https://example.com/" + "x" * 100,
    f"{FAMILY}https://example.com", "日本 https://example.com/日本",
]
