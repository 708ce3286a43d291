"""Character budgets per network; every expected number is worked out by hand from the rules.

SAMPLES is reused by tests/browser/test_counting_agreement.py, which checks that
static/js/counting.js gives the same numbers. X's own library judges the X rule in
tests/unit/test_x_counting.py; the numbers here need no node.
"""

from __future__ import annotations

import pytest

from advocacy.providers.counting import (
    NETWORK_RULES,
    Measure,
    find_urls,
    grapheme_length,
    mastodon_length,
    measure,
    utf8_length,
    utf16_length,
    x_weighted_length,
)
from advocacy.providers.little import escape_little

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
    # © alone is text to X (only "©\ufe0f" is its emoji); this test used to say 2 because
    # the old rule took any Extended_Pictographic cluster for an emoji. twitter-text: 1.
    ("\u00a9", 1, 1, 1, 2),
    ("\u00a9\ufe0f", 2, 1, 2, 5),
    # X knows the emoji sequences of its emoji set, not Unicode's clusters: 😀 takes no skin
    # tone, so 😀🏽 is two emoji; an unknown ZWJ sequence is its parts plus the joiners (1).
    ("😀🏽", 4, 1, 4, 8),
    ("🧑\u200d🤝\u200d🧑", 8, 1, 8, 18),
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
    "https://a.co", "http://example.com", WIKI, "https://example.com/" + "a" * 200,
])
def test_a_url_costs_23_on_x_and_mastodon_and_counts_literally_elsewhere(url):
    assert measure("x", url).used == 23
    assert measure("mastodon", url).used == 23
    assert measure("bluesky", url).used == len(url)
    assert measure("bluesky", url).bytes_used == len(url)
    assert measure("linkedin", url).used == len(url)


# Until issue 16 "www.example.com" cost 23 on Mastodon too, and bare domains counted
# literally on X. Mastodon counts only links with a scheme (app 217/500, Mastodon refused the
# text); X recognises links without one when the TLD is one it knows.
@pytest.mark.parametrize(("text", "x", "mastodon"), [
    ("www.example.com", 23, 15),
    ("t0.io/x", 23, 7),
    ("s0.com", 23, 6),
    ("example.de", 23, 10),
    ("Mehr auf example.de.", 9 + 23 + 1, 20),
    ("example.com/" + "a" * 280, 23, 292),
    ("example.com:8080", 23 + 5, 16),  # without a scheme X keeps the domain only
    ("user@example.com", 16, 16),  # an e-mail address is no link
    ("example.invalid", 15, 15),  # not a TLD X knows
    ("https://localhost:3000/x", 24, 24),  # no TLD: text on both
    ("a_b.example.com", 2 + 23, 15),  # "_" cannot end a label before the TLD
    ("-example.com", 12, 12),  # no link right after "-", "_", "." or "/"
    # Mastodon knows a few more schemes; X sees "example.com/x" right after "/": no link.
    ("gemini://example.com/x", 22, 23),
])
def test_what_x_and_mastodon_take_for_a_link(text, x, mastodon):
    assert measure("x", text).used == x
    assert measure("mastodon", text).used == mastodon


@pytest.mark.parametrize(("text", "x", "mastodon", "bluesky"), [
    ("Read https://example.com/page.", 5 + 23 + 1, 5 + 23 + 1, 30),
    ("(see https://example.com/x)", 5 + 23 + 1, 5 + 23 + 1, 27),
    (f"({WIKI}).", 1 + 23 + 2, 1 + 23 + 2, len(WIKI) + 3),
    ("Go to www.example.com!", 6 + 23 + 1, 22, 22),  # Mastodon: no scheme, no link
    ("https://a.example.com https://b.example.com/path?q=1",
     23 + 1 + 23, 23 + 1 + 23, 21 + 1 + 30),
    # ".example" is no top-level domain, so these are text on X and Mastodon alike.
    ("https://a.example https://b.example/path?q=1", 44, 44, 17 + 1 + 26),
    # X's path stops at CJK (it counts 2 each after the link); Mastodon's takes it. The
    # old rule let the CJK go free on X too.
    ("日本 https://example.com/日本", 4 + 1 + 23 + 4, 2 + 1 + 23, 25),
    # X: a "(...)" right after "." is not the link's any more; Mastodon's path takes it.
    ("https://a.com/p.(x)", 23 + 4, 23, 19),
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


# Mastodon's StatusLengthValidator counts a mention by its local part: "@user@domain" is
# "@user". The old rule counted it whole (a text at 527/500 that Mastodon took at 249).
@pytest.mark.parametrize(("text", "length"), [
    ("@alice@mastodon.social", 6),
    ("Hi @alice@mastodon.social and @bob!", 3 + 6 + 5 + 4 + 1),
    ("@Bob_1.x@sub.example.co.uk.", 8 + 1),  # the trailing "." is no part of the domain
    ("@alice@mastodon.social@x", 24),  # another "@" right after: no mention at all
    ("user@example.com", 16),  # after a word character: an e-mail address, no mention
    ("https://example.com/@alice@host.social", 23),  # inside a link: the link counts
    ("@alice@bücher.de", 6),  # the domain may hold any letters
])
def test_mastodon_counts_a_remote_mention_as_its_local_part(text, length):
    assert measure("mastodon", text).used == length


def test_the_fake_mastodon_counts_mentions_as_mastodon_does():
    from tests.fakes.mastodon import status_length

    for text in ["@alice@mastodon.social", "Hi @alice@mastodon.social and @bob!",
                 "@alice@mastodon.social@x", "user@example.com",
                 "https://example.com/@alice@host.social", "@alice@bücher.de"]:
        assert status_length(text) == measure("mastodon", text).used, text


def test_mastodon_remote_mentions_no_longer_overflow():
    mentions = " ".join(f"@person{i}@a-rather-long-instance-name.example.social" for i in range(10))
    assert grapheme_length(mentions) == 519  # what the old rule counted: over 500
    assert measure("mastodon", mentions).used == 10 * 8 + 9
    assert measure("mastodon", mentions).over is False


def test_mastodon_counts_graphemes_of_the_rewritten_text():
    # The placeholder is text: a combining mark right after a link joins its last "x".
    assert measure("mastodon", "https://example.com/x\u0301").used == 23
    assert mastodon_length("https://example.com/x", 40) == 40
    assert measure("mastodon", "   \n").used == 0  # blank: Mastodon refuses it as blank


def test_mastodon_instance_url_length():
    text = "Read https://example.com/" + "a" * 50
    assert measure("mastodon", text).used == 5 + 23
    assert measure("mastodon", text, url_length=30).used == 5 + 30
    assert measure("x", text, url_length=30).used == 5 + 23  # X has its own rule
    with pytest.raises(ValueError, match="url_length"):
        measure("mastodon", text, url_length=-1)


# LinkedIn's limit applies to the commentary as sent, after the "little" escaping. The old
# rule measured before escaping (2,880 shown, 3,404 sent).
def test_linkedin_measures_the_escaped_text():
    assert escape_little("a(b)") == "a\\(b\\)"
    assert measure("linkedin", "a(b)").used == 6
    assert measure("linkedin", "#Mitarbeiter").used == 12  # "#" is not escaped
    assert measure("linkedin", WIKI).used == len(WIKI)  # nor is anything inside a link
    assert measure("linkedin", f"{WIKI} (x)").used == len(WIKI) + 1 + 5
    text = "Ich arbeite bei Example (GmbH) – *neu* @team " * 64  # 5 reserved in 45
    assert (utf16_length(text), measure("linkedin", text).used) == (2880, 3200)
    assert measure("linkedin", text).over is True
    assert measure("linkedin", "_" * 1500).used == 3000
    assert measure("linkedin", "_" * 1501).over is True


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
    "www.example.com", "t0.io/x s0.com example.de", "Hi @alice@mastodon.social and @bob!",
    "a(b) #Mitarbeiter *neu* @team [x] {y} <z> ~_|\\", "https://a.com/p.(x)",
]
