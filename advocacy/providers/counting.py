"""Character budgets per social network, counted the way each network counts.

The share-text editor shows a live budget in the browser (static/js/counting.js) and the
server checks the same budget here; both implement the same rules and are kept in step by
tests/browser/test_counting_agreement.py. Change one, change the other.

Units:

* ``weighted`` (X): NFC first; every URL weighs 23; any other grapheme cluster that holds
  an emoji weighs 2; otherwise each code point weighs 1 in a few "narrow" ranges, else 2.
* ``graphemes``: user-perceived characters (extended grapheme clusters).
* ``utf16``: UTF-16 code units, what JavaScript's ``string.length`` gives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex

URL_LENGTH = 23
"""What a URL costs on networks that shorten links (X, Mastodon), whatever its length."""

# The whitespace of Python's str.isspace() and of JavaScript's \s together, spelled out so
# that both languages end a URL at exactly the same characters.
_URL = re.compile(
    r"([hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)"
    r"[^\t\n\x0b\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    r"\ufeff<>\"]+"
)
_TRAILING = frozenset(".,;:!?)]}'\"")
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|[\U0001F1E6-\U0001F1FF]{2}|[0-9#*]\uFE0F?\u20E3")
# Code points that weigh 1 on X; everything else weighs 2.
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


@dataclass(frozen=True)
class Rule:
    """How one network counts: its default limit, its unit and how it counts URLs."""

    limit: int | None
    unit: str
    url_length: int | None = None  # None: URLs count like any other text
    byte_limit: int | None = None  # a second budget in UTF-8 bytes (Bluesky)


NETWORK_RULES: dict[str, Rule] = {
    "x": Rule(limit=280, unit="weighted", url_length=URL_LENGTH),
    "mastodon": Rule(limit=500, unit="graphemes", url_length=URL_LENGTH),
    "bluesky": Rule(limit=300, unit="graphemes", byte_limit=3000),
    "linkedin": Rule(limit=3000, unit="utf16"),
    "whatsapp": Rule(limit=None, unit="graphemes"),
    "email": Rule(limit=None, unit="graphemes"),
    "facebook": Rule(limit=None, unit="graphemes"),
    "xing": Rule(limit=None, unit="graphemes"),
}


@dataclass(frozen=True)
class Measure:
    """How much of a network's budget a text uses."""

    network: str
    used: int
    limit: int | None
    unit: str
    bytes_used: int | None = None
    byte_limit: int | None = None

    @property
    def over(self) -> bool:
        """True when the text exceeds the limit or, on Bluesky, the byte limit."""
        if self.limit is not None and self.used > self.limit:
            return True
        return (self.byte_limit is not None and self.bytes_used is not None
                and self.bytes_used > self.byte_limit)

    @property
    def remaining(self) -> int | None:
        """What is left of the main limit (negative when over); None without a limit."""
        return None if self.limit is None else self.limit - self.used


def _url_end(text: str, start: int, prefix_end: int, end: int) -> int | None:
    """Where a URL matched at text[start:end] really ends, or None if nothing is left.

    Trailing punctuation is dropped, except a closing parenthesis that closes one
    opened inside the URL (Wikipedia-style links).
    """
    while end > prefix_end and text[end - 1] in _TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end if end > prefix_end else None


def find_urls(text: str) -> list[tuple[int, int]]:
    """The (start, end) code-point spans of the URLs in `text`, in order."""
    spans = []
    for match in _URL.finditer(text):
        end = _url_end(text, match.start(), match.end(1), match.end())
        if end is not None:
            spans.append((match.start(), end))
    return spans


def _with_urls(text: str, count: Callable[[str], int], url_length: int) -> int:
    """`count` applied to the text between URLs, plus `url_length` for every URL."""
    total, position = 0, 0
    for start, end in find_urls(text):
        total += count(text[position:start]) + url_length
        position = end
    return total + count(text[position:])


def grapheme_length(text: str) -> int:
    """The number of extended grapheme clusters (user-perceived characters)."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf16_length(text: str) -> int:
    """The number of UTF-16 code units, as JavaScript's `string.length` reports it."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf8_length(text: str) -> int:
    """The number of UTF-8 bytes; a lone surrogate counts 3, like U+FFFD in browsers."""
    return len(text.encode("utf-8", "surrogatepass"))


def _x_code_point_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in _X_LIGHT) else 2


def _x_cluster_weight(cluster: str) -> int:
    if _EMOJI.search(cluster):
        return 2
    return sum(_x_code_point_weight(char) for char in cluster)


def _x_plain_weight(text: str) -> int:
    """X's weight of text that holds no URL."""
    return sum(_x_cluster_weight(match.group()) for match in _GRAPHEME.finditer(text))


def x_weighted_length(text: str) -> int:
    """X's weighted length: NFC, 23 per URL, 2 per emoji cluster, 1 or 2 per code point."""
    return _with_urls(unicodedata.normalize("NFC", text), _x_plain_weight, URL_LENGTH)


_COUNTERS: dict[str, Callable[[str], int]] = {
    "weighted": _x_plain_weight,
    "graphemes": grapheme_length,
    "utf16": utf16_length,
}


def _used(rule: Rule, text: str) -> int:
    if rule.unit == "weighted":
        text = unicodedata.normalize("NFC", text)
    count = _COUNTERS[rule.unit]
    return count(text) if rule.url_length is None else _with_urls(text, count, rule.url_length)


def measure(network: str, text: str, limit: int | None = None) -> Measure:
    """Measure `text` against `network`'s budget; `limit` replaces the default limit
    (a Mastodon instance may allow more than 500). Unknown networks raise ValueError."""
    rule = NETWORK_RULES.get(network)
    if rule is None:
        raise ValueError(f"unknown network: {network!r}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be positive, not {limit!r}")
    return Measure(
        network=network,
        used=_used(rule, text),
        limit=rule.limit if limit is None else limit,
        unit=rule.unit,
        bytes_used=None if rule.byte_limit is None else utf8_length(text),
        byte_limit=rule.byte_limit,
    )
